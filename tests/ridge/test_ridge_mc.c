/* Ridge and random-feature Monte Carlo (docs/RIDGE.md section 4): against exact finite-sample
 * results (isotropic H), against the deterministic equivalents at d = 400 (ridge within 3%,
 * random features within 5%), its own identities, reproducibility, and every error path. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rc_test.h"
#include "riskcalc/riskcalc.h"

static rc_ridge_mc_options opts(size_t runs, uint64_t seed) {
  rc_ridge_mc_options o = rc_ridge_mc_options_default();
  o.runs = runs;
  o.seed = seed;
  return o;
}

/* H = c I, lambda = 0: E b = (n/d) w* (n < d) and E tr (X^T X)^+ = n / (c (d - n - 1)) (n < d - 1),
 * d / (c (n - d - 1)) (n > d + 1): bias, var_x, var_noise and train exact at finite n, d. The
 * Monte Carlo must agree within 4 standard errors. */
static void test_isotropic_exact(void) {
  rc_error err = {0, ""};
  const size_t d = 60;
  double lam[60], p[60];
  for (size_t i = 0; i < d; i++)
    lam[i] = 1.7, p[i] = 0.9 / (double)d;
  rc_spectrum *s = rc_spectrum_values_alloc(lam, d, &err);
  rc_prior *pr = rc_prior_values_alloc(p, d, &err);
  const double n[] = {20, 100}, l0[] = {0.0}, s2 = 0.3, w2 = 0.9 * 1.7;
  rc_ridge_row mean[2], se[2];
  rc_ridge_mc_options o = opts(400, 11);
  CHECK_STATUS(rc_ridge_mc(s, pr, n, 2, l0, 1, s2, &o, mean, se, &err), RC_SUCCESS);
  const double q = 20.0 / 60.0;
  CHECK_ABS(mean[0].bias, (1 - q) * (1 - q) * w2, 4 * se[0].bias);
  CHECK_ABS(mean[0].var_x, q * (1 - q) * w2, 4 * se[0].var_x);
  CHECK_ABS(mean[0].var_noise, s2 * 20.0 / 39.0, 4 * se[0].var_noise);
  CHECK_ABS(mean[0].train, 0.0, 1e-20);
  CHECK_ABS(mean[1].bias, 0.0, 1e-20);
  CHECK_ABS(mean[1].var_noise, s2 * 60.0 / 39.0, 4 * se[1].var_noise);
  /* train at n > d, lambda = 0: sigma2 (n - d) / n exactly, every run */
  CHECK_REL(mean[1].train, s2 * 40.0 / 100.0, 1e-12);
  CHECK_ABS(se[1].train, 0.0, 1e-14);
  /* the split adds up exactly */
  CHECK_REL(mean[0].bias + mean[0].variance + s2, mean[0].test, 1e-12);
  CHECK_REL(mean[0].df1, 20.0, 1e-12);
  rc_spectrum_free(s);
  rc_prior_free(pr);
}

static void compare_ridge(const rc_ridge_row *de, const rc_ridge_row *mc, const rc_ridge_row *se,
                          double tol) {
  CHECK_REL(mc->test, de->test, tol);
  CHECK_REL(mc->gcv, de->gcv, tol + 3 * se->gcv / de->gcv);
  /* train: measured 5.4% at n = 50, lambda = 0.1 (a = 2, b = 1.2; also in the numpy prototype):
   * its finite-n correction is larger than the test error's */
  if (de->train > 0)
    CHECK_REL(mc->train, de->train, mc->n >= 150 ? tol : 0.06);
  CHECK_REL(mc->kappa, de->kappa, tol);
  CHECK_REL(mc->df1, de->df1, tol);
  CHECK_REL(mc->df2, de->df2, tol);
  /* the parts: within the tolerance of the total plus 4 standard errors */
  CHECK_ABS(mc->bias, de->bias, tol * de->test + 4 * se->bias);
  CHECK_ABS(mc->var_x, de->var_x, tol * de->test + 4 * se->var_x);
  CHECK_ABS(mc->var_noise, de->var_noise, tol * de->var_noise + 4 * se->var_noise);
}

/* Ridge at d = 400: test within 3% of the equivalent for n >= 50, lambda in {0, 1e-3, 0.1}
 * (0 away from the peak), two spectra and priors. Measured worst |MC/DE - 1| of test: 1.7%
 * (seeds 3, 4 with 40 runs; MC standard errors up to 1.2%). */
static void test_ridge_vs_de(void) {
  rc_error err = {0, ""};
  const struct {
    double a;
    double b; /* 0: isotropic */
  } cases[] = {{1.5, 2.0}, {2.0, 1.2}};
  const double n[] = {50, 150, 250}, lam[] = {0.0, 1e-3, 0.1}, s2 = 0.1;
  double worst = 0;
  for (size_t c = 0; c < 2; c++) {
    rc_spectrum *s = rc_spectrum_power_alloc(400, cases[c].a, &err);
    rc_prior *p = rc_prior_source_alloc(s, cases[c].b, &err);
    rc_ridge *r = rc_ridge_alloc_values(s, p, &err);
    rc_ridge_row mean[9], se[9], de;
    rc_ridge_mc_options o = opts(40, 3 + c);
    CHECK_STATUS(rc_ridge_mc(s, p, n, 3, lam, 3, s2, &o, mean, se, &err), RC_SUCCESS);
    for (size_t k = 0; k < 9; k++) {
      CHECK_STATUS(rc_ridge_eval(r, mean[k].n, mean[k].lambda, s2, &de, &err), RC_SUCCESS);
      compare_ridge(&de, mean + k, se + k, 0.03);
      worst = fmax(worst, fabs(mean[k].test / de.test - 1));
    }
    rc_ridge_free(r);
    rc_spectrum_free(s);
    rc_prior_free(p);
  }
  printf("    ridge: worst |MC/DE - 1| of test %.4f\n", worst);
}

/* Random features at d = 400: within 5% for P >= 50, n >= 50. Measured worst: 3.1% (seed 7, 40
 * runs). */
static void test_rf_vs_de(void) {
  rc_error err = {0, ""};
  rc_spectrum *s = rc_spectrum_power_alloc(400, 1.5, &err);
  rc_prior *p = rc_prior_source_alloc(s, 2.0, &err);
  rc_ridge *r = rc_ridge_alloc_values(s, p, &err);
  const double P[] = {50, 150}, n[] = {100, 200}, lam[] = {0.0, 1e-3, 0.1}, s2 = 0.1;
  rc_rf_row mean[12], se[12], de;
  rc_ridge_mc_options o = opts(40, 7);
  CHECK_STATUS(rc_rf_mc(s, p, P, 2, n, 2, lam, 3, s2, &o, mean, se, &err), RC_SUCCESS);
  double worst = 0, worst_df2 = 0;
  for (size_t k = 0; k < 12; k++) {
    CHECK_STATUS(rc_rf_eval(r, mean[k].P, mean[k].n, mean[k].lambda, s2, &de, &err), RC_SUCCESS);
    CHECK_REL(mean[k].test, de.test, 0.05);
    if (de.train > 0)
      CHECK_REL(mean[k].train, de.train, 0.05);
    CHECK_REL(mean[k].kappa1 + 1e-300, de.kappa1 + 1e-300, 0.05);
    CHECK_REL(mean[k].df1, de.df1, 0.05);
    /* df2 plugged in at each run's kappa */
    CHECK_REL(mean[k].df2, de.df2, 0.05);
    worst_df2 = fmax(worst_df2, fabs(mean[k].df2 / de.df2 - 1));
    CHECK_ABS(mean[k].bias, de.bias, 0.05 * de.test + 4 * se[k].bias);
    CHECK_ABS(mean[k].var_f, de.var_f, 0.05 * de.test + 4 * se[k].var_f);
    CHECK_ABS(mean[k].var_x, de.var_x, 0.05 * de.test + 4 * se[k].var_x);
    CHECK_REL(mean[k].var_noise, de.var_noise, 0.05);
    CHECK_REL(mean[k].bias + mean[k].var_f + mean[k].var_x + mean[k].var_noise + s2, mean[k].test,
              1e-12);
    worst = fmax(worst, fabs(mean[k].test / de.test - 1));
  }
  printf("    rf: worst |MC/DE - 1| of test %.4f, of df2 %.4f\n", worst, worst_df2);
  rc_ridge_free(r);
  rc_spectrum_free(s);
  rc_prior_free(p);
}

/* Same seed: identical for any thread count; another seed: different. */
static void test_reproducible(void) {
  rc_error err = {0, ""};
  rc_spectrum *s = rc_spectrum_power_alloc(40, 1.5, &err);
  rc_prior *p = rc_prior_isotropic_alloc(40, &err);
  const double n[] = {10, 30}, lam[] = {0.0, 0.01}, P[] = {8, 20};
  rc_ridge_row a[4], b[4];
  rc_rf_row fa[8], fb[8];
  rc_ridge_mc_options o = opts(12, 5);
  o.threads = 1;
  CHECK_STATUS(rc_ridge_mc(s, p, n, 2, lam, 2, 0.1, &o, a, NULL, &err), RC_SUCCESS);
  CHECK_STATUS(rc_rf_mc(s, p, P, 2, n, 2, lam, 2, 0.1, &o, fa, NULL, &err), RC_SUCCESS);
  o.threads = 3;
  CHECK_STATUS(rc_ridge_mc(s, p, n, 2, lam, 2, 0.1, &o, b, NULL, &err), RC_SUCCESS);
  CHECK_STATUS(rc_rf_mc(s, p, P, 2, n, 2, lam, 2, 0.1, &o, fb, NULL, &err), RC_SUCCESS);
  CHECK(memcmp(a, b, sizeof a) == 0);
  CHECK(memcmp(fa, fb, sizeof fa) == 0);
  o.seed = 6;
  CHECK_STATUS(rc_ridge_mc(s, p, n, 2, lam, 2, 0.1, &o, b, NULL, &err), RC_SUCCESS);
  CHECK(a[0].test != b[0].test);
  rc_spectrum_free(s);
  rc_prior_free(p);
}

/* Tuning by simulation at d = 400 against the deterministic optimum: each run's oracle and GCV
 * minimisers, their test errors, the exact per-run inequality test(lambda_gcv) >= min test,
 * edges, costs and errors. */
static void test_tune(void) {
  rc_error err = {0, ""};
  rc_spectrum *s = rc_spectrum_power_alloc(400, 1.5, &err);
  rc_prior *p = rc_prior_source_alloc(s, 2.0, &err);
  rc_ridge *plan = rc_ridge_alloc_values(s, p, &err);
  const double n[] = {100, 300}, P[] = {100, 300}, s2 = 0.5, lo = 1e-5, hi = 10;
  rc_ridge_tuned_row mean[4], se[4];
  rc_ridge_mc_options o = opts(40, 3);
  CHECK_STATUS(rc_ridge_mc_tune(s, p, NULL, 0, n, 2, s2, lo, hi, &o, mean, se, &err), RC_SUCCESS);
  double worst_l = 0, worst_t = 0, worst_g = 0;
  for (size_t i = 0; i < 2; i++) {
    double lstar;
    int edge;
    rc_ridge_row de;
    CHECK_STATUS(rc_ridge_optimal_lambda(plan, INFINITY, n[i], s2, lo, hi, &lstar, &edge, &err),
                 RC_SUCCESS);
    CHECK_STATUS(rc_ridge_eval(plan, n[i], lstar, s2, &de, &err), RC_SUCCESS);
    CHECK(isinf(mean[i].P) && mean[i].n == n[i] && edge == 0);
    CHECK(mean[i].edge_opt == 0 && mean[i].edge_gcv == 0);
    /* exact per run (up to Brent's tolerance on the minimum) */
    CHECK(mean[i].test_gcv >= mean[i].test_opt - 1e-12);
    CHECK_REL(mean[i].test_opt, de.test, 0.03);
    CHECK_REL(mean[i].test_gcv, de.test, 0.03);
    CHECK_REL(mean[i].gcv, mean[i].test_gcv, 0.05);
    CHECK_REL(mean[i].lambda_opt, lstar, 0.25);
    CHECK_REL(mean[i].lambda_gcv, lstar, 0.25);
    worst_l = fmax(worst_l, fabs(mean[i].lambda_opt / lstar - 1));
    worst_t = fmax(worst_t, fabs(mean[i].test_opt / de.test - 1));
    worst_g = fmax(worst_g, fabs(mean[i].test_gcv / de.test - 1));
  }
  printf("    ridge: lambda_opt/lambda* - 1 up to %.3f, test_opt %.4f, test_gcv %.4f\n", worst_l,
         worst_t, worst_g);
  CHECK_STATUS(rc_ridge_mc_tune(s, p, P, 2, n, 2, s2, lo, hi, &o, mean, se, &err), RC_SUCCESS);
  worst_l = worst_t = worst_g = 0;
  for (size_t k = 0; k < 4; k++) {
    double lstar;
    int edge;
    rc_rf_row de;
    CHECK_STATUS(
        rc_ridge_optimal_lambda(plan, mean[k].P, mean[k].n, s2, lo, hi, &lstar, &edge, &err),
        RC_SUCCESS);
    CHECK_STATUS(rc_rf_eval(plan, mean[k].P, mean[k].n, lstar, s2, &de, &err), RC_SUCCESS);
    CHECK(mean[k].P == P[k / 2] && mean[k].n == n[k % 2]);
    CHECK(mean[k].test_gcv >= mean[k].test_opt - 1e-12);
    CHECK_REL(mean[k].test_opt, de.test, 0.05);
    CHECK_REL(mean[k].test_gcv, de.test, 0.05);
    worst_l = fmax(worst_l, fabs(mean[k].lambda_opt / lstar - 1));
    worst_t = fmax(worst_t, fabs(mean[k].test_opt / de.test - 1));
    worst_g = fmax(worst_g, fabs(mean[k].test_gcv / de.test - 1));
  }
  printf("    rf: lambda_opt/lambda* - 1 up to %.3f, test_opt %.4f, test_gcv %.4f\n", worst_l,
         worst_t, worst_g);
  /* an interval below the optimum: every run's minimum is at its upper end */
  CHECK_STATUS(rc_ridge_mc_tune(s, p, NULL, 0, n, 1, s2, 1e-8, 1e-6, &o, mean, se, &err),
               RC_SUCCESS);
  CHECK(mean[0].edge_opt == 1 && mean[0].edge_gcv == 1);
  CHECK_REL(mean[0].lambda_opt, 1e-6, 1e-15); /* a mean of 40 copies of 1e-6 */
  /* costs grow with the work and the memory with the runs */
  rc_cost c1, c2;
  CHECK_STATUS(rc_ridge_mc_tune_cost(s, NULL, 0, n, 2, &o, &c1, &err), RC_SUCCESS);
  o.runs = 400;
  CHECK_STATUS(rc_ridge_mc_tune_cost(s, NULL, 0, n, 2, &o, &c2, &err), RC_SUCCESS);
  CHECK(c2.updates > 9 * c1.updates && c2.bytes > c1.bytes && c1.updates > 0);
  CHECK_STATUS(rc_ridge_mc_cost(s, P, 2, n, 2, 3, &o, &c1, &err), RC_SUCCESS);
  CHECK(c1.bytes > 400.0 * 12 * 400 * 8); /* every run's u vectors are kept */
  CHECK_STATUS(rc_ridge_mc_cost(NULL, P, 2, n, 2, 3, &o, &c1, &err), RC_EINVAL);
  /* errors */
  o.runs = 5;
  CHECK_STATUS(rc_ridge_mc_tune(s, p, NULL, 0, n, 1, s2, 0.0, 1.0, &o, mean, se, &err), RC_EINVAL);
  CHECK(strstr(err.message, "0 < lo < hi") != NULL);
  CHECK_STATUS(rc_ridge_mc_tune(s, p, NULL, 0, n, 1, s2, 1.0, 1.0, &o, mean, se, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc_tune(s, p, P, 0, n, 1, s2, 0.1, 1.0, &o, mean, se, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc_tune(s, p, NULL, 0, n, 1, -1.0, 0.1, 1.0, &o, mean, se, &err),
               RC_EINVAL);
  rc_ridge_free(plan);
  rc_spectrum_free(s);
  rc_prior_free(p);
}

static int cancel_now(void *ctx, double fraction) {
  (void)ctx;
  return fraction > 0;
}

static void test_errors(void) {
  rc_error err = {0, ""};
  rc_spectrum *s = rc_spectrum_power_alloc(30, 1.5, &err);
  rc_prior *p = rc_prior_isotropic_alloc(30, &err);
  rc_prior *p29 = rc_prior_isotropic_alloc(29, &err);
  const double n[] = {10}, lam[] = {0.1}, l0[] = {0.0}, P[] = {12};
  rc_ridge_row m[1];
  rc_rf_row f[1];
  rc_ridge_mc_options o = opts(5, 1);
  CHECK_STATUS(rc_ridge_mc(NULL, p, n, 1, lam, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p29, n, 1, lam, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p, n, 0, lam, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lam, 1, 0.1, &o, NULL, NULL, &err), RC_EINVAL);
  const double nfrac[] = {10.5}, nzero[] = {0}, lneg[] = {-1e-3}, lnan[] = {NAN};
  CHECK_STATUS(rc_ridge_mc(s, p, nfrac, 1, lam, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK(strstr(err.message, "whole number") != NULL);
  CHECK_STATUS(rc_ridge_mc(s, p, nzero, 1, lam, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lneg, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lnan, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lam, 1, -0.1, &o, m, NULL, &err), RC_EINVAL);
  const double n29[] = {29}, n31[] = {31}, n33[] = {33};
  CHECK_STATUS(rc_ridge_mc(s, p, n29, 1, l0, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK(strstr(err.message, "interpolation peak") != NULL);
  CHECK_STATUS(rc_ridge_mc(s, p, n31, 1, l0, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc(s, p, n33, 1, l0, 1, 0.1, &o, m, NULL, &err), RC_SUCCESS);
  CHECK_STATUS(rc_rf_mc(s, p, P, 1, n31, 1, l0, 1, 0.1, &o, f, NULL, &err), RC_SUCCESS);
  const double n12[] = {13}, Pbig[] = {50};
  CHECK_STATUS(rc_rf_mc(s, p, P, 1, n12, 1, l0, 1, 0.1, &o, f, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_rf_mc(s, p, Pbig, 1, n31, 1, l0, 1, 0.1, &o, f, NULL, &err), RC_EINVAL);
  const double Pfrac[] = {3.5};
  CHECK_STATUS(rc_rf_mc(s, p, Pfrac, 1, n, 1, lam, 1, 0.1, &o, f, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_rf_mc(s, p, NULL, 1, n, 1, lam, 1, 0.1, &o, f, NULL, &err), RC_EINVAL);
  rc_ridge_mc_options bad = opts(2, 1);
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lam, 1, 0.1, &bad, m, NULL, &err), RC_EINVAL);
  CHECK(strstr(err.message, "3 runs") != NULL);
  bad = opts(5, 1);
  bad.threads = -1;
  CHECK_STATUS(rc_ridge_mc_options_check(&bad, &err), RC_EINVAL);
  CHECK_STATUS(rc_ridge_mc_options_check(NULL, &err), RC_EINVAL);
  rc_ridge_mc_options c = opts(5, 1);
  c.progress = cancel_now;
  c.threads = 1; /* progress is reported by thread 0 only */
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lam, 1, 0.1, &c, m, NULL, &err), RC_ECANCEL);
  CHECK_STATUS(rc_rf_mc(s, p, P, 1, n, 1, lam, 1, 0.1, &c, f, NULL, &err), RC_ECANCEL);
  /* a prior with a non-finite entry is refused (prior structs are plain data) */
  p->p[3] = NAN;
  CHECK_STATUS(rc_ridge_mc(s, p, n, 1, lam, 1, 0.1, &o, m, NULL, &err), RC_EINVAL);
  rc_spectrum_free(s);
  rc_prior_free(p);
  rc_prior_free(p29);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_isotropic_exact);
  RUN_TEST(test_ridge_vs_de);
  RUN_TEST(test_rf_vs_de);
  RUN_TEST(test_tune);
  RUN_TEST(test_reproducible);
  RUN_TEST(test_errors);
  TEST_MAIN_END("test_ridge_mc");
}
