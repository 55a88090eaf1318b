/* tests/linear/test_schedule_opt.c -- the optimal schedule: the adjoint gradient of the final
 * excess against central finite differences and its value against the engine; the optimum
 * against a brute-force grid over two stages; free per-step steps at least as good as any
 * stage layout; the optimum beats the best constant step where noise makes a decay pay; error
 * paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rc_test.h"
#include "riskcalc/riskcalc.h"

/* A deterministic-equivalent measure (power law a, source b, d = inf) at model size M. */
static rc_measure *de_measure(double a, double b, double M) {
  rc_law law = {RC_SPECTRUM_POWER, a, RC_PRIOR_SOURCE, b, INFINITY};
  rc_error err = {0, ""};
  rc_deteq *de = rc_deteq_alloc_law(&law, M, &err);
  rc_measure *m = de ? rc_deteq_measure(de, M, NULL, NULL, &err) : NULL;
  rc_deteq_free(de);
  if (!m)
    printf("    measure: %s\n", err.message);
  return m;
}

/* The engine's excess under the stages. */
static double engine_excess(const rc_measure *m, const uint64_t *len, const double *g, size_t K,
                            const rc_sgd_options *o) {
  uint64_t N = 0;
  for (size_t k = 0; k < K; k++)
    N += len[k];
  rc_schedule *s = rc_schedule_stages_alloc(len, g, K, NULL);
  rc_risk row;
  const int st = s ? rc_sgd_risk_curve(m, s, &N, 1, o, &row, NULL) : 1;
  rc_schedule_free(s);
  return st ? NAN : row.excess;
}

/* The adjoint gradient against central differences (relative step 1e-5): on short stages,
 * where every stage's step matters, component by component; with one long stage too, whose
 * earlier stages are mostly forgotten (their derivatives are judged against the largest
 * component, the resolution of the differences). */
static void check_gradient(const rc_measure *m, const uint64_t *len, const double *frac,
                           double g_stable, double floor_rel, double *worst) {
  double g[5];
  for (int k = 0; k < 5; k++)
    g[k] = frac[k] * g_stable;
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = 2;
  o.sigma2 = 0.3;
  double E, grad[5];
  rc_error err = {0, ""};
  CHECK_STATUS(rc_sgd_stage_gradient(m, len, g, 5, &o, &E, grad, &err), RC_SUCCESS);
  CHECK_REL(E, engine_excess(m, len, g, 5, &o), 1e-12);
  double scale = 0;
  for (int k = 0; k < 5; k++)
    scale = fmax(scale, fabs(grad[k]));
  for (int k = 0; k < 5; k++) {
    const double h = 1e-5 * g[k], keep = g[k];
    double Ep, Em, dummy[5];
    g[k] = keep + h;
    rc_sgd_stage_gradient(m, len, g, 5, &o, &Ep, dummy, NULL);
    g[k] = keep - h;
    rc_sgd_stage_gradient(m, len, g, 5, &o, &Em, dummy, NULL);
    g[k] = keep;
    const double fd = (Ep - Em) / (2 * h);
    *worst = fmax(*worst, fabs(grad[k] - fd) / (fabs(fd) + floor_rel * scale));
  }
}

static void test_gradient(void) {
  rc_measure *m = de_measure(1.5, 2.0, 40);
  CHECK(m != NULL);
  if (!m)
    return;
  double g_stable;
  rc_sgd_stable_gamma(m, 2, &g_stable, NULL);
  const double frac[5] = {0.9, 0.31, 0.77, 0.5, 0.05};
  const uint64_t short_len[5] = {7, 13, 1, 25, 44}, long_len[5] = {7, 13, 1, 2385, 44};
  double worst_short = 0, worst_long = 0;
  check_gradient(m, short_len, frac, g_stable, 0.0, &worst_short);
  check_gradient(m, long_len, frac, g_stable, 1e-4, &worst_long);
  printf("    adjoint gradient vs central differences: worst relative difference %.3g (short "
         "stages), %.3g (with a long stage)\n",
         worst_short, worst_long);
  CHECK(worst_short < 1e-6 && worst_long < 1e-6);
  rc_measure_free(m);
}

/* Two stages of 32 steps: the optimum against a 120 x 120 grid of step pairs. */
static void test_against_grid(void) {
  rc_measure *m = de_measure(2.0, 2.5, 16);
  CHECK(m != NULL);
  if (!m)
    return;
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.5;
  rc_schedule_opt_options opt = rc_schedule_opt_options_default();
  opt.stages = 2;
  rc_schedule_opt_result r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_sgd_schedule_opt(m, 64, &o, &opt, &r, &err), RC_SUCCESS);
  if (r.count != 2) {
    CHECK(0);
    rc_measure_free(m);
    return;
  }
  CHECK(r.length[0] == 32 && r.length[1] == 32);
  double best = INFINITY, gb[2] = {0, 0};
  const int G = 120;
  for (int i = 0; i < G; i++)
    for (int j = 0; j < G; j++) {
      const double g[2] = {r.gamma_max * exp(log(1e-3) * (1 - (i + 0.5) / G)),
                           r.gamma_max * exp(log(1e-3) * (1 - (j + 0.5) / G))};
      const uint64_t len[2] = {32, 32};
      const double e = engine_excess(m, len, g, 2, &o);
      if (e < best) {
        best = e;
        gb[0] = g[0];
        gb[1] = g[1];
      }
    }
  printf("    optimum (%.6g, %.6g) excess %.12g; grid best (%.6g, %.6g) excess %.12g\n", r.gamma[0],
         r.gamma[1], r.row.excess, gb[0], gb[1], best);
  CHECK(r.row.excess <= best * (1 + 1e-9));
  const double spacing = log(1e3) / G;
  CHECK(fabs(log(r.gamma[0] / gb[0])) <= 2 * spacing &&
        fabs(log(r.gamma[1] / gb[1])) <= 2 * spacing);
  CHECK(r.row.risk == r.row.sigma2 + r.row.approx + r.row.excess);
  rc_schedule_opt_result_free(&r);
  rc_measure_free(m);
}

/* Free steps at every step are at least as good as stages; both beat the best constant step
 * clearly when label noise makes a final decay pay (the variance). */
static void test_per_step_and_gain(void) {
  rc_measure *m = de_measure(1.5, 2.5, 32);
  CHECK(m != NULL);
  if (!m)
    return;
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 1.0;
  rc_error err = {0, ""};
  rc_schedule_opt_options opt = rc_schedule_opt_options_default();
  rc_schedule_opt_result stages, free_steps;
  opt.stages = 4;
  CHECK_STATUS(rc_sgd_schedule_opt(m, 48, &o, &opt, &stages, &err), RC_SUCCESS);
  opt.per_step = 1;
  CHECK_STATUS(rc_sgd_schedule_opt(m, 48, &o, &opt, &free_steps, &err), RC_SUCCESS);
  rc_schedule *cst = rc_schedule_parse("const", 1, NULL);
  rc_gamma_tuned tc;
  CHECK_STATUS(rc_sgd_tune_gamma(m, cst, 48, &o, &tc, &err), RC_SUCCESS);
  printf("    N = 48: excess tuned const %.9g, 4 stages %.9g, per step %.9g (%zu iterations)\n",
         tc.row.excess, stages.row.excess, free_steps.row.excess, free_steps.iterations);
  CHECK(free_steps.row.excess <= stages.row.excess * (1 + 1e-9));
  CHECK(stages.row.excess < 0.97 * tc.row.excess);
  /* the optimal steps decay towards the end */
  CHECK(free_steps.count == 48 && free_steps.gamma[47] < 0.5 * free_steps.gamma[0]);
  rc_schedule_opt_result_free(&stages);
  rc_schedule_opt_result_free(&free_steps);
  rc_schedule_free(cst);
  rc_measure_free(m);
}

static void test_errors(void) {
  rc_measure *m = de_measure(1.5, 1.5, 8);
  rc_error err = {0, ""};
  rc_schedule_opt_result r;
  rc_schedule_opt_options opt = rc_schedule_opt_options_default();
  CHECK_STATUS(rc_sgd_schedule_opt(m, 0, NULL, &opt, &r, &err), RC_EINVAL);
  opt.stages = 0;
  CHECK_STATUS(rc_sgd_schedule_opt(m, 100, NULL, &opt, &r, &err), RC_EINVAL);
  opt.stages = 101; /* more stages than steps */
  CHECK_STATUS(rc_sgd_schedule_opt(m, 100, NULL, &opt, &r, &err), RC_EINVAL);
  opt = rc_schedule_opt_options_default();
  opt.per_step = 1;
  CHECK_STATUS(rc_sgd_schedule_opt(m, RC_SCHEDULE_OPT_MAX_PER_STEP + 1, NULL, &opt, &r, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_sgd_schedule_opt(NULL, 100, NULL, NULL, &r, &err), RC_EINVAL);
  const uint64_t len[2] = {3, 0};
  const double g[2] = {0.1, 0.1};
  double E, grad[2];
  CHECK_STATUS(rc_sgd_stage_gradient(m, len, g, 2, NULL, &E, grad, &err), RC_EINVAL);
  const uint64_t len2[2] = {3, 3};
  const double bad[2] = {0.1, -1};
  CHECK_STATUS(rc_sgd_stage_gradient(m, len2, bad, 2, NULL, &E, grad, &err), RC_EINVAL);
  const double huge[2] = {0.1, 1e6}; /* unstable: the risk overflows */
  const uint64_t long_len[2] = {3, 100000};
  CHECK_STATUS(rc_sgd_stage_gradient(m, long_len, huge, 2, NULL, &E, grad, &err), RC_EUNSTABLE);
  rc_measure_free(m);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_gradient);
  RUN_TEST(test_against_grid);
  RUN_TEST(test_per_step_and_gain);
  RUN_TEST(test_errors);
  TEST_MAIN_END("test_schedule_opt");
}
