/* riskcalc/rng.h -- how riskcalc derives the random streams of its Monte Carlo runs.
 *
 * Every simulation is a set of independent runs r = 0..R-1, and run r's values depend on
 * (seed, r) only: any single run can be reproduced alone, and results do not depend on the
 * number of threads. Two generators (rc_mc_generator):
 *  - RC_MC_GENERATOR_PHILOX: run r's Gaussians are the counter-based stream of (seed, r):
 *    Random123's Philox4x32-10 keyed by splitmix64(splitmix64(seed) + r) (distinct keys for
 *    the runs of a seed) encrypts consecutive counters, and a 256-layer ziggurat turns each
 *    64-bit word into a standard normal (docs/mc.md "Random streams"); generated in vectorised
 *    blocks, the same bits at every vector width and optimisation level;
 *  - RC_MC_GENERATOR_MT19937: run r draws with gsl_ran_gaussian_ziggurat from its own
 *    gsl_rng_mt19937 seeded with rc_mc_run_seed(seed, r) (the outputs of riskcalc 0.1).
 * The library never uses GSL's default generator or a process-wide stream. */
#ifndef RISKCALC_RNG_H
#define RISKCALC_RNG_H

#include "riskcalc/api.h"
#include "riskcalc/error.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RC_MC_GENERATOR_PHILOX = 0, /* counter-based Philox4x32-10 + ziggurat (default) */
  RC_MC_GENERATOR_MT19937 = 1 /* gsl_rng_mt19937 + gsl_ran_gaussian_ziggurat */
} rc_mc_generator;

/* "philox" / "mt19937" ("unknown" for other values). */
RC_API const char *rc_mc_generator_name(rc_mc_generator generator);

/* Parses "philox" or "mt19937". Returns RC_EINVAL (message lists the choices) otherwise. */
RC_API int rc_mc_generator_parse(const char *text, rc_mc_generator *generator, rc_error *err);

/* The 32-bit seed of run r's mt19937 generator: fmix32(low 32 bits of splitmix64(seed) + r), where
 * fmix32 is MurmurHash3's finaliser. It is a bijection of the 32-bit sum, so the runs of one
 * seed get distinct generator seeds for r < 2^32. */
RC_API uint32_t rc_mc_run_seed(uint64_t seed, uint64_t run);

#ifdef __cplusplus
}
#endif
#endif
