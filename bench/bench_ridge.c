/* bench_ridge: timings of the ridge and random-feature equivalents (docs/RIDGE.md section 7,
 * docs/BENCHMARKS.md): a 100-point learning curve (n log-spaced in [10, 1e5], lambda = 1e-3)
 * for ridge and for random features (P = 1000), power law a = 1.5, source b = 2, at d = 1e6
 * (explicit spectrum) and at d = inf (the law's plan: 2^20 explicit eigenvalues and the
 * analytic tail), the Monte Carlo at d = 400, and the optimal lambda (the
 * equivalent at 8 sample sizes; the simulation's per-run oracle and GCV minimisers). Run with
 * OPENBLAS_NUM_THREADS=1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "riskcalc/riskcalc.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void curve(const char *label, rc_ridge *r, double plan_s) {
  rc_error err = {0, ""};
  double n[100], lam[1] = {1e-3}, P[1] = {1000};
  for (int k = 0; k < 100; k++)
    n[k] = round(pow(10, 1 + 4.0 * k / 99));
  rc_ridge_row rows[100];
  rc_rf_row frows[100];
  double t0 = now();
  if (rc_ridge_curve(r, n, 100, lam, 1, 0.1, rows, &err)) {
    printf("%-22s ridge failed: %s\n", label, err.message);
    return;
  }
  const double t_ridge = now() - t0;
  t0 = now();
  if (rc_rf_curve(r, P, 1, n, 100, lam, 1, 0.1, frows, &err)) {
    printf("%-22s rf failed: %s\n", label, err.message);
    return;
  }
  const double t_rf = now() - t0;
  printf("%-22s %10.4f %12.4f %12.4f %14.6g\n", label, plan_s, t_ridge, t_rf, rows[99].test);
}

int main(void) {
  rc_error err = {0, ""};
  printf("# ridge / rf deterministic equivalents: 100-point learning curve, a = 1.5, b = 2, "
         "lambda = 1e-3, sigma2 = 0.1 (rf: P = 1000)\n");
  printf("%-22s %10s %12s %12s %14s\n", "d", "plan_s", "ridge100_s", "rf100_s", "test(n=1e5)");
  double t0 = now();
  rc_spectrum *s = rc_spectrum_power_alloc(1000000, 1.5, &err);
  rc_prior *p = s ? rc_prior_source_alloc(s, 2.0, &err) : NULL;
  rc_ridge *r = p ? rc_ridge_alloc_values(s, p, &err) : NULL;
  const double plan_s = now() - t0;
  if (!r) {
    fprintf(stderr, "bench_ridge: %s\n", err.message);
    return 1;
  }
  curve("1e6 (explicit)", r, plan_s);
  rc_ridge_free(r);
  rc_spectrum_free(s);
  rc_prior_free(p);
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 2.0, INFINITY};
  t0 = now();
  r = rc_ridge_alloc_law(&law, &err);
  if (r) {
    curve("inf (law)", r, now() - t0);
    rc_ridge_free(r);
  } else {
    printf("%-22s unavailable: %s\n", "inf (law)", err.message);
  }

  printf("\n# Monte Carlo at d = 400 (a = 1.5, b = 2), 100 runs, 1 thread: ridge n = 50, 200, 800 "
         "x 3 lambdas; rf P = 50, 200 x n = 100, 400 x 2 lambdas\n");
  s = rc_spectrum_power_alloc(400, 1.5, &err);
  p = rc_prior_source_alloc(s, 2.0, &err);
  rc_ridge_mc_options o = rc_ridge_mc_options_default();
  o.threads = 1;
  const double n[] = {50, 200, 800}, lam[] = {0, 1e-3, 0.1}, n2[] = {100, 400}, P2[] = {50, 200},
               l2[] = {1e-3, 0.1};
  rc_ridge_row mean[9];
  rc_rf_row fmean[8];
  t0 = now();
  int st = rc_ridge_mc(s, p, n, 3, lam, 3, 0.1, &o, mean, NULL, &err);
  const double t_mc = now() - t0;
  t0 = now();
  st = st ? st : rc_rf_mc(s, p, P2, 2, n2, 2, l2, 2, 0.1, &o, fmean, NULL, &err);
  const double t_rf = now() - t0;
  if (st)
    printf("failed: %s\n", err.message);
  else
    printf("%-22s %10.3f s\n%-22s %10.3f s\n", "ridge mc", t_mc, "rf mc", t_rf);

  /* the optimal lambda: the equivalent at d = 400 (8 n), and each training set's oracle and GCV
   * minimisers by simulation (100 runs, 1 thread) */
  rc_ridge *r4 = rc_ridge_alloc_values(s, p, &err);
  const double n8[] = {25, 50, 100, 200, 400 - 1, 800, 1600, 3200};
  t0 = now();
  for (int k = 0; k < 8 && r4; k++) {
    double l;
    int edge;
    st = st ? st : rc_ridge_optimal_lambda(r4, INFINITY, n8[k], 0.1, 1e-6, 10, &l, &edge, &err);
  }
  const double t_opt = now() - t0;
  rc_ridge_free(r4);
  rc_ridge_tuned_row tuned[3];
  t0 = now();
  st = st ? st : rc_ridge_mc_tune(s, p, NULL, 0, n, 3, 0.1, 1e-6, 10, &o, tuned, NULL, &err);
  const double t_tune = now() - t0;
  if (st)
    printf("failed: %s\n", err.message);
  else
    printf("%-22s %10.3f s\n%-22s %10.3f s\n", "optimal lambda de x8", t_opt, "ridge mc tune",
           t_tune);
  rc_spectrum_free(s);
  rc_prior_free(p);
  return 0;
}
