/* tests/quad/test_quad_tools.c -- what the tool builds on: the analytic trajectory (the picture
 * of the two phases), the step size tuned over the closure's domain, and the cost queries. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rc_test.h"
#include "riskcalc/quad.h"

static rc_quad_problem *problem(double alpha, double beta, double d, double sigma2, size_t M) {
  rc_quad_spec s = rc_quad_spec_default();
  s.alpha = alpha;
  s.beta = beta;
  s.d = d;
  s.sigma2 = sigma2;
  rc_error err = {0, ""};
  rc_quad_problem *p = rc_quad_problem_alloc(&s, M, &err);
  CHECK(p != NULL);
  return p;
}

/* ---- trajectory -------------------------------------------------------------------------- */

/* Horizon-independent schedule: the trajectory cuts the one pass at its times exactly where the
 * curve's walker cuts it at the same horizons, so both are the same computation, bit for bit;
 * time 0 is the initial state. */
static void test_trajectory_matches_curve(void) {
  rc_error err = {0, ""};
  const size_t M = 12;
  rc_quad_problem *p = problem(2.0, 1.5, 40, 0.1, M);
  rc_schedule *s = rc_schedule_parse("const", 0.02, &err);
  const uint64_t times[] = {0, 50, 300, 300, 2000, 9000};
  const uint64_t Ts[] = {50, 300, 2000, 9000};
  double traj[6 * 12], tvar[6 * 12], mean[4 * 12], var[4 * 12];
  rc_quad_row final, rows[4];
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, 9000, times, 6, NULL, traj, tvar, &final, &err),
               RC_SUCCESS);
  rc_quad_analytic_options o = rc_quad_analytic_options_default();
  o.theta_mean = mean;
  o.theta_var = var;
  CHECK_STATUS(rc_quad_analytic_curve(p, s, Ts, 4, &o, rows, NULL, &err), RC_SUCCESS);
  for (size_t i = 0; i < M; i++) {
    CHECK(traj[i] == p->theta0[i] && tvar[i] == 0.0);
    CHECK(traj[1 * M + i] == mean[0 * M + i] && tvar[1 * M + i] == var[0 * M + i]);
    CHECK(traj[2 * M + i] == mean[1 * M + i] && traj[3 * M + i] == mean[1 * M + i]);
    CHECK(traj[4 * M + i] == mean[2 * M + i] && tvar[4 * M + i] == var[2 * M + i]);
    CHECK(traj[5 * M + i] == mean[3 * M + i] && tvar[5 * M + i] == var[3 * M + i]);
  }
  CHECK(final.risk == rows[3].risk && final.T == 9000);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
}

/* Horizon-dependent schedule: the trajectory follows the single run of horizon T (through the
 * phase boundary) and ends on the curve's row at T; inside, it agrees with step-by-step
 * iteration, both to the block tolerance's effect. */
static void test_trajectory_twophase(void) {
  rc_error err = {0, ""};
  const size_t M = 10;
  rc_quad_problem *p = problem(2.5, 1.5, INFINITY, 0.1, M);
  rc_schedule *s = rc_schedule_parse("twophase", 0.02, &err);
  const uint64_t T = 6000, times[] = {1, 10, 100, 1000, 2999, 3000, 3001, 4500, 6000};
  enum { K = sizeof times / sizeof times[0] };
  double traj[K * 10], ref[K * 10];
  rc_quad_row final, row;
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, T, times, K, NULL, traj, NULL, &final, &err),
               RC_SUCCESS);
  rc_quad_analytic_options o = rc_quad_analytic_options_default();
  o.theta_mean = ref;
  CHECK_STATUS(rc_quad_analytic_curve(p, s, &T, 1, &o, &row, NULL, &err), RC_SUCCESS);
  /* the times cut the blocks differently: equal to the block tolerance's effect */
  double end = fabs(final.risk - row.risk) / row.risk;
  for (size_t i = 0; i < M; i++)
    end = fmax(end, fabs(traj[(K - 1) * M + i] - ref[i]) / ref[i]);
  printf("    trajectory end against the curve's row at T: worst relative difference %.2g\n", end);
  CHECK(end < 1e-5);
  o = rc_quad_analytic_options_default();
  o.step_by_step = 1;
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, T, times, K, &o, ref, NULL, NULL, &err),
               RC_SUCCESS);
  double worst = 0;
  for (size_t k = 0; k < K * M; k++)
    worst = fmax(worst, fabs(traj[k] - ref[k]) / ref[k]);
  printf("    trajectory (blocks) against step by step: worst relative error %.2g\n", worst);
  CHECK(worst < 1e-4);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
}

static void test_trajectory_errors(void) {
  rc_error err = {0, ""};
  rc_quad_problem *p = problem(2.0, 1.5, 40, 0.1, 4);
  rc_schedule *s = rc_schedule_parse("const", 0.02, &err);
  double out[3 * 4];
  const uint64_t down[] = {10, 5, 20}, beyond[] = {10, 20, 101};
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, 100, down, 3, NULL, out, NULL, NULL, &err),
               RC_EINVAL);
  CHECK(strstr(err.message, "non-decreasing") != NULL);
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, 100, beyond, 3, NULL, out, NULL, NULL, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, 100, down, 0, NULL, out, NULL, NULL, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, 0, down, 1, NULL, out, NULL, NULL, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_quad_analytic_trajectory(NULL, s, 100, down, 1, NULL, out, NULL, NULL, &err),
               RC_EINVAL);
  rc_schedule_set_base(s, 0.2, &err);
  const uint64_t t1[] = {500};
  CHECK_STATUS(rc_quad_analytic_trajectory(p, s, 1000, t1, 1, NULL, out, NULL, NULL, &err),
               RC_EDOMAIN);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
}

/* ---- the tuned step ---------------------------------------------------------------------- */

/* Against a brute-force scan of 100 log-spaced steps over [eta_max / 1e3, eta_max]: the tuned
 * risk is never above the scan's best, and its step sits within the scan's spacing of the
 * scan's best step. The edge: the closure holds at eta_max, not 0.2% above it. */
static void tune_case(double alpha, double beta, double sigma2, const char *spec, uint64_t T,
                      int want_edge) {
  rc_error err = {0, ""};
  rc_quad_problem *p = problem(alpha, beta, 50, sigma2, 8);
  rc_schedule *s = rc_schedule_parse(spec, 0.01, &err);
  rc_quad_eta_tuned t;
  CHECK_STATUS(rc_quad_tune_eta(p, s, T, NULL, &t, &err), RC_SUCCESS);
  CHECK(rc_schedule_base(s) == 0.01); /* not modified */
  CHECK(t.at_edge == want_edge);
  CHECK(t.eta <= t.eta_max);
  rc_quad_row row;
  rc_schedule_set_base(s, t.eta_max, &err);
  CHECK_STATUS(rc_quad_analytic_curve(p, s, &T, 1, NULL, &row, NULL, &err), RC_SUCCESS);
  rc_schedule_set_base(s, t.eta_max * 1.002, &err);
  CHECK_STATUS(rc_quad_analytic_curve(p, s, &T, 1, NULL, &row, NULL, &err), RC_EDOMAIN);
  double best = INFINITY, best_eta = 0;
  const int n = 100;
  for (int k = 0; k < n; k++) {
    const double eta = t.eta_max * pow(10.0, -3.0 * k / (n - 1));
    rc_schedule_set_base(s, eta, &err);
    if (rc_quad_analytic_curve(p, s, &T, 1, NULL, &row, NULL, &err) == RC_SUCCESS &&
        row.risk < best) {
      best = row.risk;
      best_eta = eta;
    }
  }
  printf("    %s alpha %g beta %g sigma2 %g T %llu: eta %.6g (edge %.6g, at edge %d, %zu curves), "
         "risk %.10g; scan best eta %.6g risk %.10g\n",
         spec, alpha, beta, sigma2, (unsigned long long)T, t.eta, t.eta_max, t.at_edge,
         t.evaluations, t.row.risk, best_eta, best);
  CHECK(t.row.risk <= best * (1 + 1e-12));
  CHECK(fabs(log(t.eta / best_eta)) <= 3.0 * log(10.0) / (n - 1) + 1e-12);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
}

static void test_tune_eta(void) {
  tune_case(2.0, 1.5, 0.1, "twophase", 2000, 1); /* alpha > beta: the faster the better */
  tune_case(1.5, 2.5, 2.0, "const", 3000, 0);    /* noisy, constant step: an interior optimum */
}

static void test_tune_errors(void) {
  rc_error err = {0, ""};
  rc_quad_problem *p = problem(2.0, 1.5, 50, 0.1, 4);
  rc_schedule *s = rc_schedule_parse("const", 0.01, &err);
  rc_quad_eta_tuned t;
  /* a start anywhere in the range of doubles finds the same edge (to its 1e-3 bracket), and a
   * successful search leaves no message behind */
  double edge = 0;
  const double starts[] = {0.01, 1e-12, 1e300};
  for (size_t k = 0; k < 3; k++) {
    rc_schedule *x = rc_schedule_parse("const", starts[k], &err);
    rc_error_clear(&err);
    CHECK_STATUS(rc_quad_tune_eta(p, x, 100, NULL, &t, &err), RC_SUCCESS);
    CHECK(err.status == RC_SUCCESS && err.message[0] == '\0');
    if (k == 0)
      edge = t.eta_max;
    CHECK_REL(t.eta_max, edge, 2e-3);
    rc_schedule_free(x);
  }
  CHECK_STATUS(rc_quad_tune_eta(NULL, s, 100, NULL, &t, &err), RC_EINVAL);
  CHECK_STATUS(rc_quad_tune_eta(p, s, 0, NULL, &t, &err), RC_EINVAL);
  rc_schedule *f = rc_schedule_parse("stages:/dev/null", 0.01, &err);
  if (f) { /* an empty stages file may already be refused by the parser */
    CHECK_STATUS(rc_quad_tune_eta(p, f, 10, NULL, &t, &err), RC_EINVAL);
    rc_schedule_free(f);
  }
  rc_schedule_free(s);
  rc_quad_problem_free(p);
}

/* ---- cost queries ------------------------------------------------------------------------ */

/* The analytic estimate against the work the engine reports (its exact steps and blocks, priced
 * as src/quad/cost.c prices them: 500 and 8000 updates per coordinate). */
static void cost_case(const char *spec, double eta, const uint64_t *Ts, size_t count,
                      double *worst) {
  rc_error err = {0, ""};
  const size_t M = 40;
  rc_quad_problem *p = problem(2.0, 1.5, INFINITY, 0.1, M);
  rc_schedule *s = rc_schedule_parse(spec, eta, &err);
  rc_quad_row rows[16];
  rc_quad_analytic_stats st;
  rc_cost c;
  CHECK_STATUS(rc_quad_analytic_cost(M, s, Ts, count, &c, &err), RC_SUCCESS);
  CHECK_STATUS(rc_quad_analytic_curve(p, s, Ts, count, NULL, rows, &st, &err), RC_SUCCESS);
  const double done = (double)M * (500.0 * st.exact_steps + 8000.0 * st.blocks);
  const double ratio = c.updates / done;
  printf("    %s T up to %llu: estimate %.3g updates, done %.3g (%g exact steps, %g blocks): "
         "ratio %.2f\n",
         spec, (unsigned long long)Ts[count - 1], c.updates, done, st.exact_steps, st.blocks,
         ratio);
  *worst = fmax(*worst, fmax(ratio, 1.0 / ratio));
  CHECK(c.bytes > 8.0 * 39 * M);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
}

static void test_cost(void) {
  const uint64_t few[] = {100, 1000, 10000, 100000, 1000000};
  const uint64_t many[] = {10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000};
  const uint64_t one[] = {20};
  double worst = 1;
  cost_case("const", 0.01, few, 5, &worst);
  cost_case("twophase", 0.02, many, 9, &worst);
  cost_case("geometric", 0.02, few, 5, &worst);
  cost_case("cosine", 0.02, few, 4, &worst);
  cost_case("const", 0.02, one, 1, &worst);
  printf("    worst factor between estimate and work done: %.2f\n", worst);
  CHECK(worst <= 3.0);

  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse("twophase", 0.02, &err);
  rc_cost c;
  /* a schedule that changes at every step: the walk stops after 2^20 runs and the rest counts
   * as iterated (the query itself stays quick) */
  rc_schedule *cosine = rc_schedule_parse("cosine", 0.02, &err);
  const uint64_t huge = 1000000000000ull;
  CHECK_STATUS(rc_quad_analytic_cost(10, cosine, &huge, 1, &c, &err), RC_SUCCESS);
  CHECK_REL(c.updates, 10.0 * 500.0 * 1e12, 1e-12);
  rc_schedule_free(cosine);
  CHECK_STATUS(rc_quad_analytic_cost(0, s, few, 5, &c, &err), RC_EINVAL);
  CHECK_STATUS(rc_quad_analytic_cost(10, s, few, 0, &c, &err), RC_EINVAL);
  /* Monte Carlo: every pass of every run, B (4M + 2) + 2M per step */
  rc_quad_mc_options o = rc_quad_mc_options_default();
  o.runs = 10;
  CHECK_STATUS(rc_quad_mc_cost(5, 2, s, few, 2, &o, &c, &err), RC_SUCCESS);
  CHECK_REL(c.updates, 10.0 * 1100.0 * (2.0 * 22.0 + 10.0), 1e-15);
  CHECK(c.bytes >= 8.0 * 10 * 2 * 6);
  o.runs = 1;
  CHECK_STATUS(rc_quad_mc_cost(5, 2, s, few, 2, &o, &c, &err), RC_EINVAL);
  CHECK(strstr(err.message, "2 runs") != NULL);
  CHECK_STATUS(rc_quad_mc_cost(5, 0, s, few, 2, NULL, &c, &err), RC_EINVAL);
  rc_schedule_free(s);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_trajectory_matches_curve);
  RUN_TEST(test_trajectory_twophase);
  RUN_TEST(test_trajectory_errors);
  RUN_TEST(test_tune_eta);
  RUN_TEST(test_tune_errors);
  RUN_TEST(test_cost);
  TEST_MAIN_END("test_quad_tools");
}
