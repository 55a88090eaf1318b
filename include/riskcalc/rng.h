/* riskcalc/rng.h -- how riskcalc derives the random streams of its Monte Carlo runs.
 *
 * Every simulation is a set of independent runs r = 0..R-1. Run r draws from its own
 * gsl_rng_mt19937 seeded with rc_mc_run_seed(seed, r), so its values depend on (seed, r) only:
 * any single run can be reproduced alone, and results do not depend on the number of threads.
 * The library never uses GSL's default generator or a process-wide stream. */
#ifndef RISKCALC_RNG_H
#define RISKCALC_RNG_H

#include "riskcalc/api.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The 32-bit seed of run r's generator: fmix32(low 32 bits of splitmix64(seed) + r), where
 * fmix32 is MurmurHash3's finaliser. It is a bijection of the 32-bit sum, so the runs of one
 * seed get distinct generator seeds for r < 2^32. */
RC_API uint32_t rc_mc_run_seed(uint64_t seed, uint64_t run);

#ifdef __cplusplus
}
#endif
#endif
