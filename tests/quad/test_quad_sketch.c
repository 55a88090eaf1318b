/* tests/quad/test_quad_sketch.c -- the sketched variant f(x) = <S x, v.v> (a riskcalc extension,
 * docs/QUAD.md section 9): its problem against brute force, its Monte Carlo against the model on
 * coordinates (identity sketch) and against an independent simulation that draws x in full,
 * and the methods that refuse it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "rc_test.h"
#include "riskcalc/quad.h"

/* A small problem: d = 6 coordinates with the power laws, sigma2 = 0.05. */
static rc_quad_spec small_spec(void) {
  rc_quad_spec s = rc_quad_spec_default();
  s.alpha = 1.5;
  s.beta = 1.2;
  s.d = 6;
  s.sigma2 = 0.05;
  s.v0 = 0.3;
  return s;
}

static void spec_values(const rc_quad_spec *s, size_t d, double *lam, double *w) {
  for (size_t j = 0; j < d; j++) {
    lam[j] = pow((double)(j + 1), -s->alpha);
    w[j] = sqrt(pow((double)(j + 1), -s->beta) / lam[j]);
  }
}

static rc_sketch *gaussian_sketch(size_t M, size_t d, unsigned long seed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  rc_error err = {0};
  rc_sketch *S = rc_sketch_gaussian_alloc(M, d, rng, &err);
  gsl_rng_free(rng);
  return S;
}

/* Brute force: the population risk of theta on the full data, E (<S x, theta> - <x, w*>)^2 +
 * sigma2 = sigma2 + sum_j lambda_j ((S^T theta)_j - w*_j)^2. */
static double brute_risk(const rc_sketch *S, const double *lam, const double *w, double sigma2,
                         const double *theta) {
  double r = sigma2;
  for (size_t j = 0; j < S->d; j++) {
    double st = 0;
    for (size_t k = 0; k < S->M; k++)
      st += S->S[k * S->d + j] * theta[k];
    r += lam[j] * (st - w[j]) * (st - w[j]);
  }
  return r;
}

/* K, theta* and approx against an independent solve (GSL's LU on the normal equations), and
 * the risk identity risk(theta) = sigma2 + approx + (theta - theta*)^T K (theta - theta*);
 * d = 2500 spans three of the column blocks K is accumulated over. */
static void brute_force_case(size_t d) {
  const size_t M = 3;
  rc_quad_spec s = small_spec();
  s.d = (double)d;
  double *lam = malloc(d * sizeof *lam), *w = malloc(d * sizeof *w);
  spec_values(&s, d, lam, w);
  rc_sketch *S = gaussian_sketch(M, d, 11);
  rc_error err = {0};
  rc_quad_problem *p = rc_quad_problem_sketched_alloc(&s, S, &err);
  CHECK(p != NULL);
  if (!p) {
    rc_sketch_free(S);
    free(lam);
    free(w);
    return;
  }
  gsl_matrix *K = gsl_matrix_alloc(M, M);
  gsl_vector *b = gsl_vector_alloc(M), *th = gsl_vector_alloc(M);
  gsl_permutation *perm = gsl_permutation_alloc(M);
  for (size_t k = 0; k < M; k++) {
    double bk = 0;
    for (size_t j = 0; j < d; j++)
      bk += S->S[k * d + j] * lam[j] * w[j];
    gsl_vector_set(b, k, bk);
    for (size_t l = 0; l < M; l++) {
      double kl = 0;
      for (size_t j = 0; j < d; j++)
        kl += S->S[k * d + j] * lam[j] * S->S[l * d + j];
      gsl_matrix_set(K, k, l, kl);
      CHECK_REL(p->feature_cov[k * M + l], kl, 1e-14);
    }
    CHECK_REL(p->lambda[k], gsl_matrix_get(K, k, k), 1e-14);
  }
  int sign;
  gsl_linalg_LU_decomp(K, perm, &sign);
  gsl_linalg_LU_solve(K, perm, b, th);
  for (size_t k = 0; k < M; k++)
    CHECK_REL(p->wstar[k], gsl_vector_get(th, k), 1e-12);
  CHECK_REL(p->approx + p->sigma2, brute_risk(S, lam, w, s.sigma2, p->wstar), 1e-13);
  /* theta* minimises: any move raises the risk by its quadratic form */
  double theta[3];
  for (size_t k = 0; k < M; k++)
    theta[k] = p->wstar[k] + 0.1 * (double)(k + 1);
  double q = 0;
  for (size_t k = 0; k < M; k++)
    for (size_t l = 0; l < M; l++)
      q += (theta[k] - p->wstar[k]) * p->feature_cov[k * M + l] * (theta[l] - p->wstar[l]);
  CHECK_REL(s.sigma2 + p->approx + q, brute_risk(S, lam, w, s.sigma2, theta), 1e-13);
  CHECK(q > 0);
  /* L L^T = K */
  for (size_t k = 0; k < M; k++)
    for (size_t l = 0; l <= k; l++) {
      double ll = 0;
      for (size_t j = 0; j <= l; j++)
        ll += p->feature_chol[k * M + j] * p->feature_chol[l * M + j];
      CHECK_REL(ll, p->feature_cov[k * M + l], 1e-13);
    }
  CHECK_REL(p->theta0[0], 0.09, 1e-15);
  gsl_matrix_free(K);
  gsl_vector_free(b);
  gsl_vector_free(th);
  gsl_permutation_free(perm);
  rc_quad_problem_free(p);
  rc_sketch_free(S);
  free(lam);
  free(w);
}

static void test_problem_brute_force(void) {
  brute_force_case(6);
  brute_force_case(2500);
}

/* The sketch [I_M 0] is the model on the first M coordinates: the same problem to rounding,
 * and (the draws come in the same order) the same Monte Carlo curve to rounding. */
static void test_identity_sketch_is_the_model(void) {
  const size_t M = 4, d = 10;
  rc_quad_spec s = small_spec();
  s.d = (double)d;
  double *values = calloc(M * d, sizeof *values);
  for (size_t k = 0; k < M; k++)
    values[k * d + k] = 1.0;
  rc_error err = {0};
  rc_sketch *S = rc_sketch_values_alloc(values, M, d, &err);
  rc_quad_problem *ps = rc_quad_problem_sketched_alloc(&s, S, &err);
  rc_quad_problem *pc = rc_quad_problem_alloc(&s, M, &err);
  rc_schedule *sch = rc_schedule_parse("twophase", 0.05, &err);
  CHECK(ps && pc && sch);
  if (ps && pc && sch) {
    CHECK_REL(ps->approx, pc->approx, 1e-13);
    for (size_t i = 0; i < M; i++) {
      CHECK_REL(ps->lambda[i], pc->lambda[i], 1e-15);
      CHECK_REL(ps->wstar[i], pc->wstar[i], 1e-14);
    }
    const uint64_t Ts[3] = {100, 1000, 5000};
    rc_quad_mc_row a[3], b[3];
    rc_quad_mc_options o = rc_quad_mc_options_default();
    o.runs = 40;
    o.seed = 3;
    CHECK_STATUS(rc_quad_mc_curve(ps, sch, Ts, 3, &o, a, &err), RC_SUCCESS);
    CHECK_STATUS(rc_quad_mc_curve(pc, sch, Ts, 3, &o, b, &err), RC_SUCCESS);
    for (size_t k = 0; k < 3; k++) {
      CHECK_REL(a[k].risk, b[k].risk, 1e-11);
      CHECK_REL(a[k].risk_se, b[k].risk_se, 1e-9);
      CHECK_REL(a[k].bias, b[k].bias, 1e-9);
      CHECK_REL(a[k].variance, b[k].variance, 1e-9);
      CHECK_REL(a[k].bias_se, b[k].bias_se, 1e-8);
      CHECK_REL(a[k].variance_se, b[k].variance_se, 1e-8);
    }
  }
  free(values);
  rc_schedule_free(sch);
  rc_quad_problem_free(ps);
  rc_quad_problem_free(pc);
  rc_sketch_free(S);
}

/* An independent simulation: draw x ~ N(0, diag(lambda)) in all d coordinates, compute S x and
 * y = <x, w*> + xi directly, run SGD on v, and take the exact risk of theta = v.v by brute
 * force. Its mean risk must agree with rc_quad_mc_curve's (a different random path, the same
 * law) within 4 combined standard errors; both decompositions add up. */
static void test_against_full_simulation(void) {
  const size_t M = 4, d = 8, R = 400;
  const double eta = 0.02;
  const uint64_t T = 600;
  rc_quad_spec s = small_spec();
  s.d = (double)d;
  double lam[8], w[8];
  spec_values(&s, d, lam, w);
  rc_sketch *S = gaussian_sketch(M, d, 5);
  rc_error err = {0};
  rc_quad_problem *p = rc_quad_problem_sketched_alloc(&s, S, &err);
  rc_schedule *sch = rc_schedule_parse("const", eta, &err);
  CHECK(p && sch);
  if (!p || !sch) {
    rc_schedule_free(sch);
    rc_sketch_free(S);
    return;
  }
  rc_quad_mc_row row;
  rc_quad_mc_options o = rc_quad_mc_options_default();
  o.runs = R;
  o.seed = 9;
  CHECK_STATUS(rc_quad_mc_curve(p, sch, &T, 1, &o, &row, &err), RC_SUCCESS);
  CHECK_REL(row.bias + row.variance + p->sigma2 + p->approx, row.risk, 1e-12);
  CHECK(row.variance > 0);

  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 12345);
  double sum = 0, sum2 = 0;
  for (size_t r = 0; r < R; r++) {
    double v[4], x[8], z[4], theta[4];
    for (size_t k = 0; k < M; k++)
      v[k] = s.v0;
    for (uint64_t t = 0; t < T; t++) {
      double y = sqrt(s.sigma2) * gsl_ran_gaussian(rng, 1.0), f = 0;
      for (size_t j = 0; j < d; j++) {
        x[j] = sqrt(lam[j]) * gsl_ran_gaussian(rng, 1.0);
        y += x[j] * w[j];
      }
      for (size_t k = 0; k < M; k++) {
        z[k] = 0;
        for (size_t j = 0; j < d; j++)
          z[k] += S->S[k * d + j] * x[j];
        f += z[k] * v[k] * v[k];
      }
      for (size_t k = 0; k < M; k++)
        v[k] -= 2.0 * eta * (f - y) * v[k] * z[k];
    }
    for (size_t k = 0; k < M; k++)
      theta[k] = v[k] * v[k];
    const double risk = brute_risk(S, lam, w, s.sigma2, theta);
    sum += risk;
    sum2 += risk * risk;
  }
  const double mean = sum / (double)R;
  const double se = sqrt((sum2 / (double)R - mean * mean) / (double)(R - 1));
  const double z = (mean - row.risk) / sqrt(se * se + row.risk_se * row.risk_se);
  printf("  # sketched M %zu d %zu T %llu: library %.6f +- %.6f, full simulation %.6f +- %.6f, "
         "z %.2f (approx %.6f)\n",
         M, d, (unsigned long long)T, row.risk, row.risk_se, mean, se, z, p->approx);
  CHECK(fabs(z) < 4.0);
  double start[4];
  for (size_t k = 0; k < M; k++)
    start[k] = s.v0 * s.v0;
  /* the training did something (theta* has entries of both signs on this sketch, so theta =
   * v.v >= 0 cannot reach it: the risk stays well above sigma2 + approx) */
  CHECK(brute_risk(S, lam, w, s.sigma2, start) - row.risk > 20.0 * row.risk_se);
  gsl_rng_free(rng);
  rc_schedule_free(sch);
  rc_quad_problem_free(p);
  rc_sketch_free(S);
}

/* What refuses the sketched variant, and the domain of its constructor. */
static void test_refusals(void) {
  const size_t M = 3, d = 6;
  rc_quad_spec s = small_spec();
  rc_sketch *S = gaussian_sketch(M, d, 2);
  rc_error err = {0};
  rc_quad_problem *p = rc_quad_problem_sketched_alloc(&s, S, &err);
  rc_schedule *sch = rc_schedule_parse("const", 0.01, &err);
  CHECK(p && sch);
  if (p && sch) {
    const uint64_t T = 100;
    rc_quad_row row;
    rc_quad_closed_row crow;
    rc_quad_eta_tuned tuned;
    double mean[3];
    CHECK_STATUS(rc_quad_analytic_curve(p, sch, &T, 1, NULL, &row, NULL, &err), RC_EINVAL);
    CHECK(strstr(err.message, "Monte Carlo") != NULL);
    CHECK_STATUS(rc_quad_analytic_trajectory(p, sch, T, &T, 1, NULL, mean, NULL, NULL, &err),
                 RC_EINVAL);
    CHECK_STATUS(rc_quad_closed_curve(p, 0.01, &T, 1, &crow, &err), RC_EINVAL);
    CHECK_STATUS(rc_quad_tune_eta(p, sch, T, NULL, &tuned, &err), RC_EINVAL);
    CHECK(rc_quad_linear_measure(p, &err) == NULL && err.status == RC_EINVAL);
    CHECK(isnan(rc_quad_activation_time(p, 0, 0.01)));
    /* the cost counts the sketch's extra work and memory */
    rc_cost a, b;
    CHECK_STATUS(rc_quad_mc_problem_cost(p, sch, &T, 1, NULL, &a, &err), RC_SUCCESS);
    CHECK_STATUS(rc_quad_mc_cost(M, 1, sch, &T, 1, NULL, &b, &err), RC_SUCCESS);
    CHECK(a.updates > b.updates && a.bytes > b.bytes);
  }
  /* d must match the sketch and be finite */
  rc_quad_spec s2 = s;
  s2.d = 7;
  CHECK(rc_quad_problem_sketched_alloc(&s2, S, &err) == NULL && err.status == RC_EINVAL);
  s2.d = INFINITY;
  CHECK(rc_quad_problem_sketched_alloc(&s2, S, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_quad_problem_sketched_alloc(&s, NULL, &err) == NULL && err.status == RC_EINVAL);
  /* two equal rows: K singular */
  double values[2 * 6] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6};
  rc_sketch *D = rc_sketch_values_alloc(values, 2, 6, &err);
  CHECK(rc_quad_problem_sketched_alloc(&s, D, &err) == NULL && err.status == RC_EDOMAIN);
  CHECK(strstr(err.message, "degenerate") != NULL);
  rc_sketch_free(D);
  rc_schedule_free(sch);
  rc_quad_problem_free(p);
  rc_sketch_free(S);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_problem_brute_force);
  RUN_TEST(test_identity_sketch_is_the_model);
  RUN_TEST(test_against_full_simulation);
  RUN_TEST(test_refusals);
  TEST_MAIN_END("test_quad_sketch");
}
