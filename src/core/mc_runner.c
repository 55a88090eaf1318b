/* The Monte Carlo runner (src/core/mc_runner.h). */
#include "core/mc_runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "core/rng.h"
#include "core/util.h"
#include "riskcalc/rng.h"

/* State shared by the threads of one call. */
typedef struct {
  const rc_mc_runner_options *o;
  double total_work; /* runs x work_per_run */
  double done_work;  /* atomic */
  int cancelled;     /* atomic: progress asked to stop, or a run failed */
  size_t fail_min;   /* lowest failed run so far (runs when none) */
} runner_shared;

struct rc_mc_tick {
  runner_shared *shared;
  size_t run;   /* the run in progress */
  int reporter; /* this thread reports progress (thread 0) */
};

/* A run beyond the lowest failure so far is abandoned; a run below it continues, so the
 * failure reported is always the lowest-numbered one whatever the thread timing. */
int rc_mc_tick_add(rc_mc_tick *tick, double units) {
  runner_shared *sh = tick->shared;
#pragma omp atomic
  sh->done_work += units;
  int cancelled;
  size_t fail_min;
#pragma omp atomic read
  cancelled = sh->cancelled;
#pragma omp atomic read
  fail_min = sh->fail_min;
  if (cancelled || tick->run > fail_min)
    return 1;
  if (sh->o->progress && tick->reporter) {
    double done;
#pragma omp atomic read
    done = sh->done_work;
    if (sh->o->progress(sh->o->progress_context, done / sh->total_work)) {
#pragma omp atomic write
      sh->cancelled = 1;
      return 1;
    }
  }
  return 0;
}

/* A thread's first failure (its runs come in increasing order). */
typedef struct {
  size_t run;
  rc_error err;
} runner_failure;

static int check_options(const rc_mc_runner_callbacks *cb, const rc_mc_runner_options *o,
                         const double *mean, const double *se, rc_error *err) {
  if (!cb || !cb->simulate || !o || !mean || !se)
    return rc_error_set(err, RC_EINVAL, "callbacks, options and outputs are required");
  if (o->runs < 2)
    return rc_error_set(err, RC_EINVAL, "at least 2 runs are needed for a standard error (got %zu)",
                        o->runs);
  if (o->values == 0)
    return rc_error_set(err, RC_EINVAL, "a run must record at least one value");
  if (o->threads < 0)
    return rc_error_set(err, RC_EINVAL, "thread count must be >= 0 (got %d)", o->threads);
  if (!(o->work_per_run > 0 && isfinite(o->work_per_run)))
    return rc_error_set(err, RC_EINVAL, "work per run must be finite and > 0 (got %g)",
                        o->work_per_run);
  if (rc_mul_size(o->runs, o->values) == 0)
    return rc_error_set(err, RC_EINVAL, "%zu runs x %zu values overflow", o->runs, o->values);
  return RC_SUCCESS;
}

int rc_mc_runner_run(const rc_mc_runner_callbacks *cb, const void *model,
                     const rc_mc_runner_options *o, double *run_values, double *mean, double *se,
                     rc_error *err) {
  int status = check_options(cb, o, mean, se, err);
  if (status)
    return status;
  const size_t runs = o->runs, nv = o->values;
  int nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
  if (nthreads < 1)
    nthreads = 1;
  if ((size_t)nthreads > runs)
    nthreads = (int)runs;
  double *values = run_values ? run_values : rc_alloc_doubles(rc_mul_size(runs, nv), err);
  runner_failure *failures = calloc((size_t)nthreads, sizeof *failures);
  if (!values || !failures) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for %zu runs x %zu values", runs, nv);
    goto done;
  }
  runner_shared sh = {o, (double)runs * o->work_per_run, 0.0, 0, runs};
  for (int t = 0; t < nthreads; t++)
    failures[t].run = runs;

#pragma omp parallel num_threads(nthreads)
  {
    const int tid = omp_get_thread_num();
    runner_failure *mine = &failures[tid];
    rc_error alloc_err = {0, ""};
    void *ws = cb->workspace_alloc ? cb->workspace_alloc(model, &alloc_err) : NULL;
    gsl_rng *rng = rc_rng_alloc(&alloc_err);
    const int ready = rng && (ws || !cb->workspace_alloc);
    if (!ready && alloc_err.status == RC_SUCCESS)
      rc_error_set(&alloc_err, RC_ENOMEM, "out of memory for a Monte Carlo workspace");
    rc_mc_tick tick = {&sh, 0, tid == 0};
#pragma omp for schedule(dynamic, 1)
    for (size_t r = 0; r < runs; r++) {
      size_t fail_min;
      int cancelled;
#pragma omp atomic read
      fail_min = sh.fail_min;
#pragma omp atomic read
      cancelled = sh.cancelled;
      if (cancelled || r > fail_min)
        continue;
      rc_error run_err = {0, ""};
      int rs = alloc_err.status;
      if (ready) {
        gsl_rng_set(rng, rc_mc_run_seed(o->seed, r));
        tick.run = r;
        rs = cb->simulate(model, ws, r, rng, values + r * nv, &tick, &run_err);
      }
      if (rs == RC_ECANCEL)
        continue;
      if (rs) {
        mine->run = r;
        mine->err = ready ? run_err : alloc_err;
/* unnamed: a named critical section's lock is a global symbol libriskcalc.so would export */
#pragma omp critical
        {
          if (r < sh.fail_min)
            sh.fail_min = r;
        }
      }
    }
    if (cb->workspace_free)
      cb->workspace_free(ws);
    rc_rng_free(rng);
  }

  if (sh.cancelled) {
    status = rc_error_set(err, RC_ECANCEL, "cancelled");
    goto done;
  }
  if (sh.fail_min < runs) {
    for (int t = 0; t < nthreads; t++)
      if (failures[t].run == sh.fail_min)
        status = rc_error_set(err, failures[t].err.status, "%s", failures[t].err.message);
    goto done;
  }
  /* Mean and standard error, summed in run order: independent of the thread count. */
  for (size_t k = 0; k < nv; k++) {
    double sum = 0;
    for (size_t r = 0; r < runs; r++)
      sum += values[r * nv + k];
    const double m = sum / (double)runs;
    double ss = 0;
    for (size_t r = 0; r < runs; r++) {
      const double dev = values[r * nv + k] - m;
      ss += dev * dev;
    }
    mean[k] = m;
    se[k] = sqrt(ss / ((double)runs - 1.0) / (double)runs);
  }
done:
  if (!run_values)
    free(values);
  free(failures);
  return status;
}
