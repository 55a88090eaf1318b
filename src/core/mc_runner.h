/* src/core/mc_runner.h -- the Monte Carlo runner every model's simulation uses (internal).
 *
 * A model supplies one function, simulate(run) -> values: the numbers one independent run
 * records (for example the risk after every requested N, or several quantities per N). The
 * runner
 *  - gives run r its own generator, gsl_rng_mt19937 seeded with rc_mc_run_seed(seed, r), so a
 *    run's values depend on (seed, r) only (a model may instead draw from the counter-based
 *    stream of (seed, r), core/normal.h, as the linear Monte Carlo does by default);
 *  - executes the runs in parallel with OpenMP (one workspace per thread, allocated once);
 *  - stores every run's values and reduces them in run order afterwards, so the mean and the
 *    standard error are bit-identical for any number of threads;
 *  - reports progress (the fraction of the announced work done, from one thread) and cancels
 *    when the progress callback asks to;
 *  - on failure returns the error of the lowest-numbered failing run whatever the thread timing
 *    (runs below it still execute).
 * BLAS called from inside simulate must be single-threaded for the results to be independent
 * of the machine: that is the caller's choice (the tool pins OpenBLAS to one thread); the
 * runner never changes a process-wide setting. */
#ifndef RISKCALC_CORE_MC_RUNNER_H
#define RISKCALC_CORE_MC_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "riskcalc/error.h"

/* Progress of one run, handed to simulate. */
typedef struct rc_mc_tick rc_mc_tick;

/* Reports `units` more units of the current run's work done (units as announced in
 * rc_mc_runner_options.work_per_run). Returns non-zero when the computation is cancelled (by
 * the progress callback or another run's failure): simulate should then return RC_ECANCEL. */
int rc_mc_tick_add(rc_mc_tick *tick, double units);

typedef struct {
  /* One workspace per thread (may be NULL: no workspace). NULL + err on failure. */
  void *(*workspace_alloc)(const void *model, rc_error *err);
  void (*workspace_free)(void *workspace);
  /* Run `run`: draws from rng only, writes the run's values[0..values-1] (finite numbers;
   * a non-finite value is the model's to report as an error). Returns RC_SUCCESS or a status
   * with err filled. */
  int (*simulate)(const void *model, void *workspace, size_t run, gsl_rng *rng, double *values,
                  rc_mc_tick *tick, rc_error *err);
} rc_mc_runner_callbacks;

typedef struct {
  size_t runs;         /* R >= 2 */
  uint64_t seed;       /* base seed of the runs' streams */
  int threads;         /* OpenMP threads; 0 uses omp_get_max_threads() */
  size_t values;       /* numbers each run records, >= 1 */
  double work_per_run; /* units of work a run reports through its ticks (> 0) */
  rc_progress_fn progress;
  void *progress_context;
} rc_mc_runner_options;

/* Runs simulate for r = 0..runs-1 and writes, for every k < values,
 *   mean[k] = (1/R) sum_r v_rk  and  se[k] = sqrt(sum_r (v_rk - mean_k)^2 / (R - 1) / R),
 * summed in run order. run_values (may be NULL) receives every run's values, row r at
 * run_values[r * values]. Returns RC_SUCCESS, RC_EINVAL, RC_ENOMEM, RC_ECANCEL or the status
 * of the lowest failing run (its message). */
int rc_mc_runner_run(const rc_mc_runner_callbacks *cb, const void *model,
                     const rc_mc_runner_options *options, double *run_values, double *mean,
                     double *se, rc_error *err);

#endif
