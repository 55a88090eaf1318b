/* tests/linear/test_tune.c -- rc_sgd_tune_gamma against a brute-force scan: on deterministic-
 * equivalent and drawn-sketch measures, for several schedule shapes and horizons, the tuned base
 * step's excess risk is no larger than the best of 500 log-spaced steps over the stable range,
 * and the tuned step lies within one grid spacing of that grid's best; the returned row is the
 * risk at the returned step; every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "rc_test.h"
#include "riskcalc/riskcalc.h"

#define FINE 500

/* The best excess over FINE log-spaced bases on [gamma_max / 1e6, (1 - 1e-6) gamma_max]. */
static double brute_best(const rc_measure *m, const char *spec, uint64_t N, const rc_sgd_options *o,
                         double gamma_max, double *g_best) {
  rc_schedule *s = rc_schedule_parse(spec, 1.0, NULL);
  double best = INFINITY;
  const double top = log(gamma_max) + log1p(-1e-6), bottom = top - log(1e6);
  for (int k = 0; k < FINE; k++) {
    const double g = exp(bottom + (top - bottom) * k / (FINE - 1));
    rc_risk row;
    rc_schedule_set_base(s, g, NULL);
    if (rc_sgd_risk_curve(m, s, &N, 1, o, &row, NULL) == RC_SUCCESS && row.excess < best) {
      best = row.excess;
      *g_best = g;
    }
  }
  rc_schedule_free(s);
  return best;
}

static void check_tuned(const rc_measure *m, const char *spec, uint64_t N, size_t batch,
                        double sigma2) {
  rc_error err = {0, ""};
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = batch;
  o.sigma2 = sigma2;
  rc_schedule *s = rc_schedule_parse(spec, 0.123, &err);
  rc_gamma_tuned t;
  CHECK(s && rc_sgd_tune_gamma(m, s, N, &o, &t, &err) == RC_SUCCESS);
  if (!s) {
    printf("    %s: %s\n", spec, err.message);
    return;
  }
  CHECK(rc_schedule_base(s) == 0.123); /* not modified */
  double g_best = 0;
  const double best = brute_best(m, spec, N, &o, t.gamma_max, &g_best);
  const double spacing = log(1e6) / (FINE - 1);
  printf("    %-12s N = %-7llu B = %zu: tuned gamma %.6g (grid best %.6g), excess %.9g (grid "
         "%.9g), %zu curves%s\n",
         spec, (unsigned long long)N, batch, t.gamma, g_best, t.row.excess, best, t.evaluations,
         t.at_edge ? ", at the stability edge" : "");
  CHECK(t.row.excess <= best * (1 + 1e-12));
  CHECK(fabs(log(t.gamma / g_best)) <= spacing);
  CHECK(t.gamma < t.gamma_max);
  CHECK(t.row.N == N && t.row.risk == t.row.sigma2 + t.row.approx + t.row.excess);
  /* the row is the risk at the returned step */
  rc_schedule_set_base(s, t.gamma, NULL);
  rc_risk again;
  CHECK(rc_sgd_risk_curve(m, s, &N, 1, &o, &again, &err) == RC_SUCCESS);
  CHECK(again.risk == t.row.risk);
  rc_schedule_free(s);
}

static void test_deteq_measures(void) {
  rc_error err = {0, ""};
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 2.5, INFINITY};
  rc_deteq *de = rc_deteq_alloc_law(&law, 64, &err);
  rc_measure *m = de ? rc_deteq_measure(de, 64, NULL, NULL, &err) : NULL;
  CHECK(m != NULL);
  if (m) {
    check_tuned(m, "const", 1000, 1, 0.5);
    check_tuned(m, "geometric", 10000, 1, 0.5);
    check_tuned(m, "cosine", 1000, 4, 0.1);
    check_tuned(m, "step:500:0.5", 5000, 1, 1.0);
  }
  rc_measure_free(m);
  rc_deteq_free(de);
}

static void test_sketch_measure(void) {
  rc_error err = {0, ""};
  rc_spectrum *H = rc_spectrum_power_alloc(200, 2.0, &err);
  rc_prior *P = rc_prior_isotropic_alloc(200, &err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 2385);
  rc_sketch *S = rc_sketch_gaussian_alloc(20, 200, rng, &err);
  rc_measure *m = rc_sgd_measure_from_sketch(H, P, S, &err);
  CHECK(m != NULL);
  if (m) {
    check_tuned(m, "const", 300, 2, 0.2);
    check_tuned(m, "linear:0.1", 500, 1, 0.2);
  }
  rc_measure_free(m);
  rc_sketch_free(S);
  gsl_rng_free(rng);
  rc_prior_free(P);
  rc_spectrum_free(H);
}

static void test_errors(void) {
  rc_error err = {0, ""};
  rc_measure *m = rc_measure_alloc(2, &err);
  m->nu[0] = m->nu[1] = 1; /* no moving atom */
  m->M = 2;
  rc_schedule *s = rc_schedule_parse("const", 0.1, NULL);
  rc_gamma_tuned t;
  CHECK_STATUS(rc_sgd_tune_gamma(m, s, 100, NULL, &t, &err), RC_EINVAL);
  m->mu[0] = 1;
  m->c0[0] = 1;
  CHECK_STATUS(rc_sgd_tune_gamma(m, s, 100, NULL, &t, &err), RC_SUCCESS);
  CHECK_STATUS(rc_sgd_tune_gamma(m, s, 0, NULL, &t, &err), RC_EINVAL);
  CHECK_STATUS(rc_sgd_tune_gamma(NULL, s, 100, NULL, &t, &err), RC_EINVAL);
  CHECK_STATUS(rc_sgd_tune_gamma(m, s, 100, NULL, NULL, &err), RC_EINVAL);
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = 0;
  CHECK_STATUS(rc_sgd_tune_gamma(m, s, 100, &o, &t, &err), RC_EINVAL);
  rc_schedule_free(s);
  FILE *f = fopen("test_tune.steps", "w");
  fputs("0.1\n0.1\n", f);
  fclose(f);
  s = rc_schedule_parse("file:test_tune.steps", 0, NULL);
  remove("test_tune.steps");
  CHECK_STATUS(rc_sgd_tune_gamma(m, s, 2, NULL, &t, &err), RC_EINVAL);
  rc_schedule_free(s);
  rc_measure_free(m);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_deteq_measures);
  RUN_TEST(test_sketch_measure);
  RUN_TEST(test_errors);
  TEST_MAIN_END("test_tune");
}
