/* tests/core/test_mc_runner.c -- the Monte Carlo runner (src/core/mc_runner.h): run r's stream
 * is gsl_rng_mt19937 seeded with rc_mc_run_seed(seed, r); values, means and standard errors
 * are bit-identical for 1, 2 and 3 threads and equal an independent computation; the lowest
 * failing run's error is reported whatever the timing; progress, cancellation, workspace
 * failures and bad options. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/mc_runner.h"
#include "rc_test.h"
#include "riskcalc/rng.h"

#define NV 3

typedef struct {
  size_t fail_a, fail_b; /* runs that fail (SIZE_MAX: none) */
  int fail_workspace;
  int ticks; /* ticks per run */
} toy;

static void *toy_ws_alloc(const void *model, rc_error *err) {
  const toy *t = model;
  if (t->fail_workspace) {
    rc_error_set(err, RC_ENOMEM, "toy workspace refused");
    return NULL;
  }
  return malloc(16);
}

static void toy_ws_free(void *ws) {
  free(ws);
}

/* values: two uniforms and a Gaussian-ish transform of a third, drawn from the run's stream */
static int toy_simulate(const void *model, void *ws, size_t run, gsl_rng *rng, double *values,
                        rc_mc_tick *tick, rc_error *err) {
  const toy *t = model;
  if (!ws)
    return rc_error_set(err, RC_EINVAL, "no workspace");
  for (int k = 0; k < t->ticks; k++)
    if (rc_mc_tick_add(tick, 1.0))
      return rc_error_set(err, RC_ECANCEL, "cancelled");
  if (run == t->fail_a || run == t->fail_b)
    return rc_error_set(err, RC_EUNSTABLE, "run %zu diverged", run);
  values[0] = gsl_rng_uniform(rng);
  values[1] = gsl_rng_uniform(rng);
  values[2] = log(gsl_rng_uniform_pos(rng));
  return RC_SUCCESS;
}

static const rc_mc_runner_callbacks toy_cb = {toy_ws_alloc, toy_ws_free, toy_simulate};

static rc_mc_runner_options options(size_t runs, int threads) {
  rc_mc_runner_options o = {runs, 2385, threads, NV, 4.0, NULL, NULL};
  return o;
}

static void test_streams_and_reduction(void) {
  const size_t R = 37;
  toy t = {SIZE_MAX, SIZE_MAX, 0, 4};
  double values[3][37 * NV], mean[3][NV], se[3][NV];
  for (int th = 0; th < 3; th++) {
    rc_mc_runner_options o = options(R, th + 1);
    CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, values[th], mean[th], se[th], NULL), RC_SUCCESS);
  }
  CHECK(memcmp(values[0], values[1], sizeof values[0]) == 0);
  CHECK(memcmp(values[0], values[2], sizeof values[0]) == 0);
  CHECK(memcmp(mean[0], mean[2], sizeof mean[0]) == 0 && memcmp(se[0], se[2], sizeof se[0]) == 0);
  /* run r's values from its own generator, seeded independently here */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  int streams_ok = 1;
  for (size_t r = 0; r < R; r++) {
    gsl_rng_set(rng, rc_mc_run_seed(2385, r));
    streams_ok &= values[0][r * NV] == gsl_rng_uniform(rng);
    streams_ok &= values[0][r * NV + 1] == gsl_rng_uniform(rng);
  }
  gsl_rng_free(rng);
  CHECK(streams_ok);
  /* mean and standard error in run order, as documented */
  for (size_t k = 0; k < NV; k++) {
    double s = 0, ss = 0;
    for (size_t r = 0; r < R; r++)
      s += values[0][r * NV + k];
    const double m = s / (double)R;
    for (size_t r = 0; r < R; r++)
      ss += (values[0][r * NV + k] - m) * (values[0][r * NV + k] - m);
    CHECK(mean[0][k] == m);
    CHECK(se[0][k] == sqrt(ss / (double)(R - 1) / (double)R));
  }
  /* run_values may be NULL; the means do not change */
  double m2[NV], s2[NV];
  rc_mc_runner_options o = options(R, 2);
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, m2, s2, NULL), RC_SUCCESS);
  CHECK(memcmp(m2, mean[0], sizeof m2) == 0);
}

/* The error of the lowest failing run, for any thread count. */
static void test_lowest_failure(void) {
  toy t = {23, 6, 0, 2};
  for (int th = 1; th <= 3; th++) {
    double mean[NV], se[NV];
    rc_error err = {0, ""};
    rc_mc_runner_options o = options(40, th);
    CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_EUNSTABLE);
    CHECK(strcmp(err.message, "run 6 diverged") == 0);
  }
  toy w = {SIZE_MAX, SIZE_MAX, 1, 1};
  double mean[NV], se[NV];
  rc_error err = {0, ""};
  rc_mc_runner_options o = options(5, 2);
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &w, &o, NULL, mean, se, &err), RC_ENOMEM);
  CHECK(strcmp(err.message, "toy workspace refused") == 0);
}

typedef struct {
  int calls, stop_at;
  double last;
} progress_log;

static int on_progress(void *ctx, double f) {
  progress_log *p = ctx;
  p->last = f;
  return ++p->calls == p->stop_at;
}

static void test_progress_and_cancel(void) {
  toy t = {SIZE_MAX, SIZE_MAX, 0, 4};
  double mean[NV], se[NV];
  progress_log p = {0, -1, 0};
  rc_mc_runner_options o = options(10, 1);
  o.progress = on_progress;
  o.progress_context = &p;
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, NULL), RC_SUCCESS);
  CHECK(p.calls == 40 && p.last == 1.0);
  /* progress comes from thread 0 only: one thread makes the count deterministic */
  progress_log q = {0, 7, 0};
  o.progress_context = &q;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_ECANCEL);
  CHECK(q.calls == 7);
}

static void test_bad_options(void) {
  toy t = {SIZE_MAX, SIZE_MAX, 0, 1};
  double mean[NV], se[NV];
  rc_error err = {0, ""};
  rc_mc_runner_options o = options(1, 1);
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_EINVAL);
  o = options(5, -1);
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_EINVAL);
  o = options(5, 1);
  o.values = 0;
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_EINVAL);
  o = options(5, 1);
  o.work_per_run = 0;
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_EINVAL);
  o = options(5, 1);
  CHECK_STATUS(rc_mc_runner_run(NULL, &t, &o, NULL, mean, se, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, NULL, se, &err), RC_EINVAL);
  o.runs = SIZE_MAX;
  CHECK_STATUS(rc_mc_runner_run(&toy_cb, &t, &o, NULL, mean, se, &err), RC_EINVAL);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_streams_and_reduction);
  RUN_TEST(test_lowest_failure);
  RUN_TEST(test_progress_and_cancel);
  RUN_TEST(test_bad_options);
  TEST_MAIN_END("test_mc_runner");
}
