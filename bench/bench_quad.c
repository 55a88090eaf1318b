/* bench/bench_quad.c -- the quadratic model (riskcalc/quad.h): seconds for an analytic risk
 * curve (9 horizons T = 1e3..1e7, one pass of the constant schedule, eta = 0.01, alpha = 2,
 * beta = 1.5, d = inf) at M = 1e2, 1e3, 1e4 -- median of 3 repeats (1 at M = 1e4) -- with the
 * blocks it took; the same horizons with the horizon-dependent twophase schedule (one pass per
 * T) at M = 1e3; Monte Carlo runs per second of real SGD (M = 100, T = 1e4, B = 1, every
 * OpenMP thread); the step tuner (rc_quad_tune_eta) at M = 100 for T = 1e4 and 1e5. One table
 * row per configuration. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "riskcalc/riskcalc.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int analytic_case(size_t M, int repeats) {
  rc_error err = {0, ""};
  rc_quad_spec s = rc_quad_spec_default();
  rc_quad_problem *p = rc_quad_problem_alloc(&s, M, &err);
  rc_schedule *sch = p ? rc_schedule_parse("const", 0.01, &err) : NULL;
  if (!sch) {
    fprintf(stderr, "bench_quad: %s\n", err.message);
    rc_quad_problem_free(p);
    return 1;
  }
  uint64_t Ts[9];
  for (int k = 0; k < 9; k++)
    Ts[k] = (uint64_t)llround(pow(10.0, 3.0 + 0.5 * k));
  rc_quad_row rows[9];
  rc_quad_analytic_stats st;
  double t[3];
  int status = RC_SUCCESS;
  for (int r = 0; r < repeats && !status; r++) {
    const double t0 = now();
    status = rc_quad_analytic_curve(p, sch, Ts, 9, NULL, rows, &st, &err);
    t[r] = now() - t0;
  }
  if (status) {
    fprintf(stderr, "bench_quad: %s\n", err.message);
  } else {
    qsort(t, (size_t)repeats, sizeof t[0], cmp_double);
    printf("analytic %6zu %9.0e %8.3f %8.0f %9.0f %12.6f\n", M, 1e7, t[repeats / 2], st.blocks,
           st.exact_steps, rows[8].risk);
  }
  rc_schedule_free(sch);
  rc_quad_problem_free(p);
  return status != RC_SUCCESS;
}

static int mc_case(size_t M, uint64_t T, size_t runs) {
  rc_error err = {0, ""};
  rc_quad_spec s = rc_quad_spec_default();
  rc_quad_problem *p = rc_quad_problem_alloc(&s, M, &err);
  rc_schedule *sch = p ? rc_schedule_parse("const", 0.01, &err) : NULL;
  rc_quad_mc_options o = rc_quad_mc_options_default();
  o.runs = runs;
  rc_quad_mc_row row;
  int status = sch ? RC_SUCCESS : err.status;
  if (sch) {
    const double t0 = now();
    status = rc_quad_mc_curve(p, sch, &T, 1, &o, &row, &err);
    const double seconds = now() - t0;
    if (!status)
      printf("mc       %6zu %9llu %8.3f %8zu runs %9.2f runs/s %10.4g coord-steps/s %.6f +- %.6f\n",
             M, (unsigned long long)T, seconds, runs, (double)runs / seconds,
             (double)runs * (double)T * (double)M / seconds, row.risk, row.risk_se);
  }
  if (status)
    fprintf(stderr, "bench_quad: %s\n", err.message);
  rc_schedule_free(sch);
  rc_quad_problem_free(p);
  return status != RC_SUCCESS;
}

/* The step tuner (rc_quad_tune_eta): seconds and analytic curves for one T, twophase. */
static int tune_case(size_t M, uint64_t T) {
  rc_error err = {0, ""};
  rc_quad_spec s = rc_quad_spec_default();
  s.alpha = 2.5;
  s.beta = 1.5;
  rc_quad_problem *p = rc_quad_problem_alloc(&s, M, &err);
  rc_schedule *sch = p ? rc_schedule_parse("twophase", 0.02, &err) : NULL;
  rc_quad_eta_tuned t;
  int status = sch ? RC_SUCCESS : err.status;
  if (sch) {
    const double t0 = now();
    status = rc_quad_tune_eta(p, sch, T, NULL, &t, &err);
    if (!status)
      printf("tune     %6zu %9llu %8.3f %8zu curves, eta %.4g (edge %.4g)\n", M,
             (unsigned long long)T, now() - t0, t.evaluations, t.eta, t.eta_max);
  }
  if (status)
    fprintf(stderr, "bench_quad: %s\n", err.message);
  rc_schedule_free(sch);
  rc_quad_problem_free(p);
  return status != RC_SUCCESS;
}

/* A horizon-dependent curve: twophase, 9 horizons T = 1e3..1e7, each its own pass. */
static int twophase_case(size_t M) {
  rc_error err = {0, ""};
  rc_quad_spec s = rc_quad_spec_default();
  rc_quad_problem *p = rc_quad_problem_alloc(&s, M, &err);
  rc_schedule *sch = p ? rc_schedule_parse("twophase", 0.01, &err) : NULL;
  uint64_t Ts[9];
  for (int k = 0; k < 9; k++)
    Ts[k] = (uint64_t)llround(pow(10.0, 3.0 + 0.5 * k));
  rc_quad_row rows[9];
  rc_quad_analytic_stats st;
  int status = sch ? RC_SUCCESS : err.status;
  if (sch) {
    const double t0 = now();
    status = rc_quad_analytic_curve(p, sch, Ts, 9, NULL, rows, &st, &err);
    if (!status)
      printf("twophase %6zu %9.0e %8.3f %8.0f %9.0f %12.6f\n", M, 1e7, now() - t0, st.blocks,
             st.exact_steps, rows[8].risk);
  }
  if (status)
    fprintf(stderr, "bench_quad: %s\n", err.message);
  rc_schedule_free(sch);
  rc_quad_problem_free(p);
  return status != RC_SUCCESS;
}

int main(void) {
  int failed = 0;
  printf("# quadratic model: analytic curve T = 1e3..1e7 (9 horizons, const eta = 0.01)\n");
  printf("# method      M     T_max  seconds   blocks exactsteps  risk(T_max)\n");
  failed |= analytic_case(100, 3);
  failed |= analytic_case(1000, 3);
  failed |= analytic_case(10000, 1);
  failed |= twophase_case(1000);
  failed |= mc_case(100, 10000, 200);
  printf("# step tuner, alpha 2.5, beta 1.5, twophase\n");
  failed |= tune_case(100, 10000);
  failed |= tune_case(100, 100000);
  return failed;
}
