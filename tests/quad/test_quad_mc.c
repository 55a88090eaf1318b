/* tests/quad/test_quad_mc.c -- the analytic recursion against Monte Carlo of real SGD, and the
 * Monte Carlo estimators themselves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rc_test.h"
#include "riskcalc/quad.h"

typedef struct {
  double alpha, beta, d, eta;
  size_t M, batch, runs;
  const char *schedule;
} mc_case;

/* Worst relative error and z-score of analytic against Monte Carlo along a curve. */
static void compare(const mc_case *c, const uint64_t *Ts, size_t n, double *worst_rel,
                    double *worst_z, int verbose) {
  rc_quad_spec s = rc_quad_spec_default();
  s.alpha = c->alpha;
  s.beta = c->beta;
  s.d = c->d;
  s.batch = c->batch;
  rc_error err = {0};
  rc_quad_problem *p = rc_quad_problem_alloc(&s, c->M, &err);
  rc_schedule *sch = rc_schedule_parse(c->schedule, c->eta, &err);
  CHECK(p && sch);
  rc_quad_row an[32];
  rc_quad_mc_row mc[32];
  rc_quad_mc_options o = rc_quad_mc_options_default();
  o.runs = c->runs;
  o.seed = 7;
  CHECK_STATUS(rc_quad_analytic_curve(p, sch, Ts, n, NULL, an, NULL, &err), RC_SUCCESS);
  clock_t t0 = clock();
  CHECK_STATUS(rc_quad_mc_curve(p, sch, Ts, n, &o, mc, &err), RC_SUCCESS);
  if (verbose)
    printf("  # alpha %g beta %g d %g M %zu eta %g %s B %zu, %zu runs: %.2f s\n", c->alpha, c->beta,
           c->d, c->M, c->eta, c->schedule, c->batch, c->runs,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
  *worst_rel = 0;
  *worst_z = 0;
  for (size_t k = 0; k < n; k++) {
    const double rel = fabs(an[k].risk - mc[k].risk) / mc[k].risk;
    const double z = fabs(an[k].risk - mc[k].risk) / mc[k].risk_se;
    if (verbose)
      printf(
          "  T %6llu analytic %.6f mc %.6f +- %.6f rel %.4f z %.2f | bias %.5f / %.5f +- %.5f var "
          "%.5f / %.5f +- %.5f\n",
          (unsigned long long)Ts[k], an[k].risk, mc[k].risk, mc[k].risk_se, rel, z, an[k].bias,
          mc[k].bias, mc[k].bias_se, an[k].variance, mc[k].variance, mc[k].variance_se);
    /* bias and variance separately: 2% or 4 of their standard errors */
    CHECK(fabs(an[k].bias - mc[k].bias) <= fmax(0.02 * mc[k].bias, 4.0 * mc[k].bias_se));
    CHECK(fabs(an[k].variance - mc[k].variance) <=
          fmax(0.02 * mc[k].variance, 4.0 * mc[k].variance_se));
    *worst_rel = rel > *worst_rel ? rel : *worst_rel;
    *worst_z = z > *worst_z ? z : *worst_z;
  }
  rc_quad_problem_free(p);
  rc_schedule_free(sch);
}

static int verbose_ = 0;

static void run_case(const mc_case *c, const uint64_t *Ts, size_t n) {
  double rel, z;
  compare(c, Ts, n, &rel, &z, verbose_);
  if (!(rel <= 0.02 || z <= 4.0))
    printf("    worst rel %.4f z %.2f\n", rel, z);
  CHECK(rel <= 0.02 || z <= 4.0);
}

/* alpha > beta, d = inf, constant step, M = 8 */
static void test_alpha_gt_beta_const_inf(void) {
  const mc_case c = {2.0, 1.5, INFINITY, 0.02, 8, 1, 2000, "const"};
  const uint64_t Ts[] = {25, 50, 100, 200, 400, 800, 1600};
  run_case(&c, Ts, 7);
}

/* alpha < beta, finite d, two phases, M = 4 */
static void test_alpha_lt_beta_twophase_finite(void) {
  const mc_case c = {1.5, 2.5, 20, 0.02, 4, 1, 2000, "twophase"};
  const uint64_t Ts[] = {20, 50, 100, 200, 400, 800};
  run_case(&c, Ts, 6);
}

/* alpha > beta, finite d, two phases with batch 2, M = 16 */
static void test_alpha_gt_beta_twophase_batch(void) {
  const mc_case c = {2.0, 1.5, 64, 0.03, 16, 2, 1000, "twophase"};
  const uint64_t Ts[] = {50, 100, 200, 400, 1000, 2000};
  run_case(&c, Ts, 6);
}

/* alpha < beta, d = inf, constant step, M = 8 */
static void test_alpha_lt_beta_const_inf(void) {
  const mc_case c = {1.2, 2.0, INFINITY, 0.02, 8, 1, 2000, "const"};
  const uint64_t Ts[] = {25, 50, 100, 200, 400, 800, 1600};
  run_case(&c, Ts, 7);
}

int main(int argc, char **argv) {
  TEST_MAIN_BEGIN();
  verbose_ = argc > 1 && strcmp(argv[1], "-v") == 0;
  RUN_TEST(test_alpha_gt_beta_const_inf);
  RUN_TEST(test_alpha_lt_beta_twophase_finite);
  RUN_TEST(test_alpha_gt_beta_twophase_batch);
  RUN_TEST(test_alpha_lt_beta_const_inf);
  TEST_MAIN_END("test_quad_mc");
}
