/* Tests of the closed forms and the compute-optimal allocation (src/closed.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rc_test.h"
#include "riskcalc/riskcalc.h"

static void test_effective_steps(void) {
  CHECK_REL(rc_closed_effective_steps(1), 1, 0);
  CHECK_REL(rc_closed_effective_steps(2), 2, 0);
  CHECK_REL(rc_closed_effective_steps(1024), 103, 0);   /* ceil(102.4) */
  CHECK_REL(rc_closed_effective_steps(1000), 101, 0);   /* ceil(100.34) */
  CHECK_REL(rc_closed_effective_steps(65536), 4096, 0); /* exact */
}

/* A spectrum small enough to evaluate every formula by hand. */
static void test_closed_by_hand(void) {
  rc_error err = {0, ""};
  const double lam[5] = {1, 0.5, 0.25, 0.125, 0.0625}, p[5] = {2, 1, 1, 3, 1};
  rc_spectrum *s = rc_spectrum_values_alloc(lam, 5, &err);
  rc_prior *pr = rc_prior_values_alloc(p, 5, &err);
  rc_deteq *de = rc_deteq_alloc_values(s, pr, 3, &err);
  CHECK(de != NULL);
  if (!de)
    goto done;
  const uint64_t Ns[] = {16, 1};
  rc_closed_row rows[2];
  const double gamma = 0.5, sigma2 = 0.3;
  CHECK_STATUS(rc_closed_curve(de, 3, Ns, 2, gamma, 2, sigma2, rows, &err), RC_SUCCESS);
  double kappa, approx;
  CHECK_STATUS(rc_deteq_kappa(de, 3, &kappa, &approx, &err), RC_SUCCESS);
  /* N = 16: N_eff = 4, T = 2; eigenvalues 1, 0.5 reach 1/T: k* = 2; D_eff = 2 + 4 0.25^2 */
  const rc_closed_row *r = &rows[0];
  CHECK_REL(r->N_eff, 4, 0);
  CHECK_REL(r->T_eff, 2, 0);
  CHECK_REL(r->k_star, 2, 0);
  CHECK_REL(r->D_eff, 2.25, 1e-15);
  CHECK_REL(r->approx, approx, 0);
  CHECK_REL(r->bias, 2 * exp(-4.0) + 0.5 * exp(-2.0) + 0.25 * exp(-1.0), 1e-15);
  CHECK_REL(r->variance, (sigma2 + approx) * 2.25 / (4 * 2), 1e-15);
  CHECK_REL(r->risk, sigma2 + approx + r->bias + r->variance, 1e-15);
  CHECK(isnan(r->rate_approx) && isnan(r->rate_bias) && isnan(r->rate_variance));
  /* N = 1: N_eff = 1, T = 0.5, no eigenvalue reaches 2: k* = 0, D_eff = 0.25 (1 + .25 + 1/16) */
  r = &rows[1];
  CHECK_REL(r->k_star, 0, 0);
  CHECK_REL(r->D_eff, 0.25 * 1.3125, 1e-15);
  /* kappa by hand: sum lambda / (lambda + kappa) = 3 */
  double s3 = 0;
  for (int i = 0; i < 5; i++)
    s3 += lam[i] / (lam[i] + kappa);
  CHECK_REL(s3, 3, 1e-14);
  rc_deteq_free(de);
done:
  rc_prior_free(pr);
  rc_spectrum_free(s);
}

static void test_rates(void) {
  rc_error err = {0, ""};
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 2.0, INFINITY};
  rc_deteq *de = rc_deteq_alloc_law(&law, 1000, &err);
  CHECK(de != NULL);
  if (!de)
    return;
  const uint64_t Ns[] = {1000, 100000};
  rc_closed_row rows[2];
  CHECK_STATUS(rc_closed_curve(de, 1000, Ns, 2, 0.1, 1, 1.0, rows, &err), RC_SUCCESS);
  for (int k = 0; k < 2; k++) {
    const double T = rows[k].T_eff;
    CHECK_REL(rows[k].rate_approx, 1.0 / 1000, 1e-15);
    CHECK_REL(rows[k].rate_bias, pow(T, -1 / 1.5), 1e-15);
    CHECK_REL(rows[k].rate_variance, fmin(1000, pow(T, 1 / 1.5)) / rows[k].N_eff, 1e-15);
    /* k* counts lambda_i = i^-1.5 >= 1/T: i <= T^(2/3) */
    CHECK_REL(rows[k].k_star, floor(pow(T, 1 / 1.5) + 1e-9), 0);
  }
  /* leading order: the closed forms follow the rates' slopes between the two N */
  const double slope_bias = log(rows[1].bias / rows[0].bias) / log(rows[1].T_eff / rows[0].T_eff);
  printf("    bias ~ T_eff^%.5f between N = 1e3 and 1e5 (rate %.5f)\n", slope_bias,
         (1 - 2.0) / 1.5);
  /* measured: -0.69687, 0.030 from the rate (the sum is cut off at M = 1000 and approaches the
   * power law slowly); the tolerance is that error, not a guess */
  CHECK_ABS(slope_bias, (1 - 2.0) / 1.5, 0.035);
  rc_deteq_free(de);
  /* errors */
  law.prior = RC_PRIOR_ISOTROPIC;
  de = rc_deteq_alloc_law(&law, 10, &err);
  CHECK_STATUS(rc_closed_curve(de, 10, Ns, 2, 0, 1, 1, rows, &err), RC_EINVAL);
  CHECK_STATUS(rc_closed_curve(de, 10, Ns, 2, 0.1, 0, 1, rows, &err), RC_EINVAL);
  CHECK_STATUS(rc_closed_curve(de, 10, Ns, 2, 0.1, 1, -1, rows, &err), RC_EINVAL);
  CHECK_STATUS(rc_closed_curve(de, 11, Ns, 2, 0.1, 1, 1, rows, &err), RC_EINVAL);
  const uint64_t zero = 0;
  CHECK_STATUS(rc_closed_curve(de, 10, &zero, 1, 0.1, 1, 1, rows, &err), RC_EINVAL);
  rc_deteq_free(de);
}

static void test_optimal_closed(void) {
  rc_error err = {0, ""};
  double M, N;
  CHECK_STATUS(rc_optimal_closed(1.5, 1e6, &M, &N, &err), RC_SUCCESS);
  CHECK_REL(M, pow(1e6 / log2(1e6), 1 / 2.5), 1e-15);
  CHECK_REL(M * N, 1e6, 1e-15);
  CHECK_STATUS(rc_optimal_closed(0, 1e6, &M, &N, &err), RC_EINVAL);
  CHECK_STATUS(rc_optimal_closed(1.5, 2, &M, &N, &err), RC_EINVAL);
  CHECK_STATUS(rc_optimal_closed(1.5, NAN, &M, &N, &err), RC_EINVAL);
}

/* The optimum found is a true local minimum of the DE risk over whole M, and better than
 * every other point of a coarse scan. */
static void test_optimal_deteq(void) {
  rc_error err = {0, ""};
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  const double C = 20000;
  rc_deteq *de = rc_deteq_alloc_law(&law, 400, &err);
  rc_schedule *s = rc_schedule_parse("geometric", 0.1, &err);
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.5;
  rc_optimum best;
  CHECK(de && s);
  if (!de || !s)
    goto done;
  CHECK_STATUS(rc_optimal_deteq(de, C, 2, 400, s, &o, NULL, &best, &err), RC_SUCCESS);
  CHECK(best.M >= 2 && best.M <= 400 && best.M == floor(best.M));
  CHECK_REL(best.N, floor(C / best.M + 0.5), 0);
  CHECK(best.evaluations > 9 && best.evaluations < 60);
  CHECK_REL(best.risk, o.sigma2 + best.approx + best.bias + best.variance, 1e-14);
  const double around[] = {best.M - 2, best.M - 1, best.M + 1, best.M + 2, 2, 10, 50, 200, 400};
  for (size_t k = 0; k < sizeof around / sizeof around[0]; k++) {
    const double M = around[k];
    if (M < 2 || M > 400 || M == best.M)
      continue;
    rc_optimum other;
    CHECK_STATUS(
        rc_optimal_evaluate(de, M, (uint64_t)floor(C / M + 0.5), s, &o, NULL, &other, &err),
        RC_SUCCESS);
    CHECK(other.risk >= best.risk);
  }
  /* the evaluation at the optimum reproduces it */
  rc_optimum again;
  CHECK_STATUS(rc_optimal_evaluate(de, best.M, (uint64_t)best.N, s, &o, NULL, &again, &err),
               RC_SUCCESS);
  CHECK_REL(again.risk, best.risk, 0);
  /* errors */
  CHECK_STATUS(rc_optimal_deteq(de, C, 50, 10, s, &o, NULL, &best, &err), RC_EINVAL);
  CHECK_STATUS(rc_optimal_deteq(de, C, 1, 500, s, &o, NULL, &best, &err), RC_EINVAL);
  CHECK_STATUS(rc_optimal_evaluate(de, 10, 0, s, &o, NULL, &again, &err), RC_EINVAL);
  /* a step that diverges for every M */
  rc_schedule *big = rc_schedule_parse("geometric", 50, &err);
  CHECK_STATUS(rc_optimal_deteq(de, C, 2, 400, big, &o, NULL, &best, &err), RC_EUNSTABLE);
  CHECK_STATUS(rc_optimal_evaluate(de, 10, 100, big, &o, NULL, &again, &err), RC_EUNSTABLE);
  rc_schedule_free(big);
done:
  rc_schedule_free(s);
  rc_deteq_free(de);
}

/* With the base step tuned at every M the compute-optimal risk can only be lower than with a
 * fixed step (the tuned risk is at most the fixed one at every M), and the optimum's step is
 * the tuner's at that (M, N). */
static void test_optimal_tuned(void) {
  rc_error err = {0, ""};
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 2.5, INFINITY};
  rc_deteq *de = rc_deteq_alloc_law(&law, 400, &err);
  rc_schedule *s = rc_schedule_parse("geometric", 0.1, &err);
  CHECK(de && s);
  if (!de || !s) {
    rc_deteq_free(de);
    rc_schedule_free(s);
    return;
  }
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.5;
  rc_optimum fixed, tuned;
  CHECK_STATUS(rc_optimal_deteq(de, 1e5, 4, 400, s, &o, NULL, &fixed, &err), RC_SUCCESS);
  CHECK_STATUS(rc_optimal_deteq_tuned(de, 1e5, 4, 400, s, &o, NULL, &tuned, &err), RC_SUCCESS);
  printf(
      "    C = 1e5: fixed gamma 0.1: M = %.0f, risk %.9g; tuned: M = %.0f, gamma %.6g, risk %.9g\n",
      fixed.M, fixed.risk, tuned.M, tuned.gamma, tuned.risk);
  CHECK(fixed.gamma == 0.1);
  CHECK(tuned.risk <= fixed.risk);
  CHECK(tuned.risk == tuned.approx + tuned.bias + tuned.variance + 0.5 ||
        fabs(tuned.risk - (tuned.approx + tuned.bias + tuned.variance + 0.5)) <= 1e-15);
  rc_sgd_measure *m = rc_deteq_measure(de, tuned.M, NULL, NULL, &err);
  rc_gamma_tuned t;
  const uint64_t N = (uint64_t)tuned.N;
  CHECK(m && rc_sgd_tune_gamma(m, s, N, &o, &t, &err) == RC_SUCCESS);
  CHECK(t.gamma == tuned.gamma && t.row.risk == tuned.risk);
  rc_sgd_measure_free(m);
  rc_schedule_free(s);
  rc_deteq_free(de);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_effective_steps);
  RUN_TEST(test_closed_by_hand);
  RUN_TEST(test_rates);
  RUN_TEST(test_optimal_closed);
  RUN_TEST(test_optimal_deteq);
  RUN_TEST(test_optimal_tuned);
  TEST_MAIN_END("test_closed");
}
