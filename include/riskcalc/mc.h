/* riskcalc/mc.h -- the Monte Carlo verifier: one-pass SGD on sketched linear regression,
 * simulated for real (docs/THEORY.md section 1, docs/mc.md).
 *
 * Each run draws w* ~ N(0, diag(p)) from the prior (and, with resketch, its own sketch S),
 * runs one-pass SGD v <- v - (gamma_t / B) sum_b z_b (<v, z_b> - y_b) from v = 0 with fresh
 * samples at every step, and evaluates the risk of v exactly (no test set):
 *   risk = sigma2 + (S^T v - w*)^T H (S^T v - w*).
 * The mean over runs and its standard error estimate the expected risk that the exact engine
 * (riskcalc/sgd.h) computes for a fixed sketch.
 *
 * Two modes simulate the same random variable:
 *   RC_MC_RAW      draws x ~ N(0, H) in d dimensions, y = <x, w*> + xi, z = S x with BLAS
 *                  (Z = X S^T for a whole mini-batch): O(B M d) per step.
 *   RC_MC_REDUCED  the exact distributional shortcut: in the eigenbasis of G = S H S^T,
 *                  z ~ N(0, diag(mu)) and the residual y - <z, v*> is independent Gaussian noise
 *                  of variance sigma2 + Approx(S, w*) for that run's own w*: O(B M) per step.
 *
 * Plan once, run many times: a plan holds the problem (spectrum, prior, sketch) and the
 * factorisation a mode needs; rc_mc_plan_run simulates any schedule, horizons, batch size,
 * noise level and number of runs on it.
 *
 * Randomness and threads: run r draws from its own stream of (seed, r) (riskcalc/rng.h: the
 * counter-based Philox stream by default, or gsl_rng_mt19937 seeded with rc_mc_run_seed(seed, r)
 * for the outputs of riskcalc 0.1), so its result depends on (seed, r) only. Runs execute in
 * parallel with OpenMP; per-run results are stored and reduced in run order afterwards, so every
 * output is bit-identical for any number of threads. BLAS is called from inside the OpenMP threads,
 * and OpenBLAS's threaded dgemv rounds differently for different BLAS thread counts: when OpenBLAS
 * is the linked BLAS, rc_mc_plan_alloc (its factorisation) and rc_mc_plan_run switch it to one
 * thread for the duration of the call and restore the previous count on return (a process-wide
 * setting: do not run other threaded BLAS work concurrently with these calls). With another BLAS,
 * set its thread count to 1 (for example OPENBLAS_NUM_THREADS=1 / OMP_NUM_THREADS for the BLAS) to
 * keep results independent of it. */
#ifndef RISKCALC_MC_H
#define RISKCALC_MC_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/cost.h"
#include "riskcalc/error.h"
#include "riskcalc/rng.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sketch.h"
#include "riskcalc/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RC_MC_REDUCED = 0, /* O(B M) per step in the eigenbasis of G (default) */
  RC_MC_RAW = 1      /* O(B M d) per step in the data space */
} rc_mc_mode;

/* "reduced" / "raw" ("unknown" for other values). */
RC_API const char *rc_mc_mode_name(rc_mc_mode mode);

/* Parses "raw" or "reduced". Returns RC_EINVAL (message lists the choices) otherwise. */
RC_API int rc_mc_mode_parse(const char *text, rc_mc_mode *mode, rc_error *err);

/* Options of a simulation. Obtain defaults from rc_mc_options_default. */
typedef struct {
  size_t runs;             /* number of independent runs R >= 2 (default 100) */
  rc_mc_mode mode;         /* fixed by the plan (default RC_MC_REDUCED) */
  int resketch;            /* fixed by the plan: 1 draws a new sketch per run (default 0) */
  uint64_t seed;           /* base seed of the runs' streams (default 1) */
  size_t batch;            /* mini-batch size B >= 1 (default 1) */
  double sigma2;           /* label noise variance, finite and >= 0 (default 1) */
  int threads;             /* OpenMP threads: 0 (default) uses omp_get_max_threads() */
  rc_progress_fn progress; /* optional: fraction of the work done, called from one thread */
  void *progress_context;
  rc_mc_generator generator; /* the runs' streams (default RC_MC_GENERATOR_PHILOX) */
} rc_mc_options;

RC_API rc_mc_options rc_mc_options_default(void);

/* Checks the options a simulation reads (liblinear style: the reason in err->message): mode
 * known, runs >= 2, 1 <= batch <= 2^31, sigma2 finite and >= 0, threads >= 0, generator known.
 * Returns RC_SUCCESS or RC_EINVAL. */
RC_API int rc_mc_options_check(const rc_mc_options *options, rc_error *err);

/* One row of a simulated risk curve: the mean over the runs of each part, with its standard
 * error (sample standard deviation / sqrt(runs)). Every run carries, beside SGD on the noisy
 * labels, the noise-free path started from the same point and driven by the same samples; the
 * error of SGD is exactly the sum of the noise-free error (the bias path) and the difference of
 * the two (the variance path), so per run
 *   risk = sigma2 + Approx(S, w*) + bias + variance + 2 <bias path, variance path>_G,
 * where the cross term has mean zero. bias and variance estimate the exact engine's bias and
 * variance; approx estimates E_w Approx (exact when every w* gives the same Approx). */
typedef struct {
  uint64_t N;                   /* SGD steps */
  double M;                     /* model size */
  double mean;                  /* mean risk over the runs */
  double se;                    /* its standard error */
  size_t runs;                  /* number of runs averaged */
  double approx, approx_se;     /* Approx(S, w*) of each run's w* (and sketch) */
  double bias, bias_se;         /* (v_b - v*)^T G (v_b - v*), v_b the noise-free path */
  double variance, variance_se; /* (v - v_b)^T G (v - v_b) */
} rc_mc_risk;

/* The cost of simulating an M x d problem (options NULL: defaults): every sample costs about
 * 2 M updates in reduced mode and 1.5 M d in raw mode (drawing x, then S x), times the batch
 * size, the steps of one run (max N, or the sum of the distinct N for horizon-dependent
 * schedules) and the runs; with resketch each run adds its SVD (about 4 M d min(M, d) + 10
 * min(M, d)^3). bytes: the plan (d numbers per prior/spectrum array and the fixed sketch's
 * factors) and one workspace per thread (threads = options->threads, or 1 when 0: multiply by
 * the OpenMP thread count used). Returns RC_SUCCESS or RC_EINVAL. */
RC_API int rc_mc_cost(size_t M, size_t d, const rc_schedule *schedule, const uint64_t *Ns,
                      size_t count, const rc_mc_options *options, rc_cost *cost, rc_error *err);

typedef struct rc_mc_plan rc_mc_plan; /* opaque */

/* Plans simulations of the problem (spectrum, prior) with options->mode and options->resketch
 * (the other options are read by rc_mc_plan_run).
 * - Fixed sketch (resketch == 0): sketch is required and M must be 0 or sketch->M; the plan
 *   copies it (the caller keeps ownership) and computes the SVD of S H^1/2 once: the
 *   eigenvalues of G for the stability check and, in reduced mode, the map w* -> v*.
 * - resketch == 1: sketch must be NULL and M >= 1; every run draws its own S with iid N(0, 1/M)
 *   entries (row by row with gsl_ran_gaussian_ziggurat, like rc_sketch_gaussian_alloc) from
 *   its stream and factorises it.
 * Domain: spectrum->d == prior->d == sketch->d. Returns NULL and sets err (RC_EINVAL,
 * RC_ENOMEM, RC_ELINALG). Free with rc_mc_plan_free. */
RC_API rc_mc_plan *rc_mc_plan_alloc(const rc_spectrum *spectrum, const rc_prior *prior,
                                    const rc_sketch *sketch, size_t M, const rc_mc_options *options,
                                    rc_error *err);

RC_API void rc_mc_plan_free(rc_mc_plan *plan);

/* Simulates options->runs runs and fills out[k] with the mean risk after Ns[k] steps and its
 * standard error, for every k < count (Ns in any order, each >= 1 and <= the schedule's
 * capacity). Horizon-independent schedules run once per run up to max N and record every N
 * on the way; geometric runs every distinct N separately (from the same w*, sketch and data
 * stream of that run). If run_risks is not NULL it receives every run's risk:
 * run_risks[r * count + k] (runs x count doubles, caller-owned).
 * Before simulating, checks mean-square stability of the largest step exactly like the exact
 * engine (rc_sgd_check_stability on the sketch's eigenvalues; with resketch, on every run's
 * sketch) and refuses a divergent setting with RC_EUNSTABLE; a run whose risk becomes
 * non-finite also stops the simulation with RC_EUNSTABLE naming the run and N.
 * options->mode and options->resketch must match the plan (RC_EINVAL otherwise).
 * Returns RC_SUCCESS, RC_EINVAL, RC_EUNSTABLE, RC_ENOMEM, RC_ELINALG or RC_ECANCEL.
 * Allocates one workspace per thread per call; nothing inside the step loop. */
RC_API int rc_mc_plan_run(const rc_mc_plan *plan, const rc_schedule *schedule, const uint64_t *Ns,
                          size_t count, const rc_mc_options *options, rc_mc_risk *out,
                          double *run_risks, rc_error *err);

/* Convenience: plan, run and free. sketch as for rc_mc_plan_alloc; M is the model size when
 * options->resketch (ignored otherwise). */
RC_API int rc_mc_risk_curve(const rc_spectrum *spectrum, const rc_prior *prior,
                            const rc_sketch *sketch, size_t M, const rc_schedule *schedule,
                            const uint64_t *Ns, size_t count, const rc_mc_options *options,
                            rc_mc_risk *out, rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
