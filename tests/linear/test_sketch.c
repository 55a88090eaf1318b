/* tests/test_sketch.c -- Gaussian sketches S (M x d, iid N(0, 1/M)): statistics of the entries,
 * reproducibility from a seed, the documented draw order, size overflow and memory refusal,
 * and explicit sketches. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "linear/sketch_gram.h"
#include "rc_test.h"
#include "riskcalc/sgd.h"
#include "riskcalc/sketch.h"

static rc_sketch *draw(size_t M, size_t d, unsigned long seed) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  rc_error err = {0, ""};
  rc_sketch *s = rc_sketch_gaussian_alloc(M, d, rng, &err);
  if (!s)
    printf("    %zu x %zu: %s\n", M, d, err.message);
  gsl_rng_free(rng);
  return s;
}

/* n = 64 x 500 = 32000 entries with variance v = 1/M, seed fixed. Each check allows 5
 * standard errors of its estimator:
 *   mean:          se = sqrt(v / n)
 *   mean square:   se = v sqrt(2 / n)                (Gaussian: Var x^2 = 2 v^2)
 *   P(|x| < sd):   se = sqrt(p (1 - p) / n), p = erf(1/sqrt 2) = 0.6827 (rules out a
 *                  non-Gaussian law with the right variance)
 *   lag-1 product: se = v / sqrt(n)                  (independence of neighbours) */
static void test_gaussian_moments(void) {
  const size_t M = 64, d = 500, n = M * d;
  rc_sketch *s = draw(M, d, 2385);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(s->M == M && s->d == d);
  const double v = 1.0 / (double)M, sd = sqrt(v);
  double sum = 0, sum2 = 0, lag = 0;
  size_t inside = 0;
  for (size_t k = 0; k < n; k++) {
    double x = s->S[k];
    sum += x;
    sum2 += x * x;
    inside += fabs(x) < sd;
    if (k + 1 < n)
      lag += x * s->S[k + 1];
  }
  const double nn = (double)n, p = erf(1.0 / sqrt(2.0));
  CHECK_ABS(sum / nn, 0.0, 5.0 * sqrt(v / nn));
  CHECK_ABS(sum2 / nn, v, 5.0 * v * sqrt(2.0 / nn));
  CHECK_ABS((double)inside / nn, p, 5.0 * sqrt(p * (1.0 - p) / nn));
  CHECK_ABS(lag / (nn - 1.0), 0.0, 5.0 * v / sqrt(nn - 1.0));
  rc_sketch_free(s);
}

/* E S^T S = I: every column has expected squared norm 1 (sum of M terms of variance 1/M).
 * The average over d = 500 columns of a chi-square(M)/M has se sqrt(2/M/d). */
static void test_column_norms(void) {
  const size_t M = 40, d = 500;
  rc_sketch *s = draw(M, d, 7);
  CHECK(s != NULL);
  if (!s)
    return;
  double mean_norm = 0;
  for (size_t i = 0; i < d; i++) {
    double norm = 0;
    for (size_t k = 0; k < M; k++)
      norm += s->S[k * d + i] * s->S[k * d + i];
    mean_norm += norm / (double)d;
  }
  CHECK_ABS(mean_norm, 1.0, 5.0 * sqrt(2.0 / (double)M / (double)d));
  rc_sketch_free(s);
}

static void test_reproducible(void) {
  rc_sketch *a = draw(13, 29, 2385), *b = draw(13, 29, 2385);
  CHECK(a && b);
  if (a && b)
    CHECK(memcmp(a->S, b->S, 13 * 29 * sizeof(double)) == 0);
  rc_sketch_free(a);
  rc_sketch_free(b);
}

static void test_seeds_differ(void) {
  rc_sketch *a = draw(13, 29, 2385), *b = draw(13, 29, 2386);
  CHECK(a && b);
  if (a && b) {
    size_t same = 0;
    for (size_t k = 0; k < 13 * 29; k++)
      same += a->S[k] == b->S[k];
    CHECK(same == 0);
  }
  rc_sketch_free(a);
  rc_sketch_free(b);
  /* Two sketches from one generator differ: the state advances. */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 5);
  a = rc_sketch_gaussian_alloc(4, 6, rng, NULL);
  b = rc_sketch_gaussian_alloc(4, 6, rng, NULL);
  CHECK(a && b);
  if (a && b)
    CHECK(memcmp(a->S, b->S, 24 * sizeof(double)) != 0);
  rc_sketch_free(a);
  rc_sketch_free(b);
  gsl_rng_free(rng);
}

/* The documented order: row by row, S[k d + i] is the (k d + i)-th ziggurat draw with
 * standard deviation 1/sqrt(M). */
static void test_draw_order(void) {
  const size_t M = 3, d = 5;
  rc_sketch *s = draw(M, d, 11);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 11);
  CHECK(s != NULL);
  for (size_t k = 0; s && k < M * d; k++)
    CHECK(s->S[k] == gsl_ran_gaussian_ziggurat(rng, 1.0 / sqrt((double)M)));
  gsl_rng_free(rng);
  rc_sketch_free(s);
}

static void test_bytes(void) {
  CHECK(rc_sketch_bytes(3, 5) == 120);
  CHECK(rc_sketch_bytes(1, 1) == 8);
  CHECK(rc_sketch_bytes(SIZE_MAX / 8, 1) == (SIZE_MAX / 8) * 8);
  CHECK(rc_sketch_bytes(SIZE_MAX / 8 + 1, 1) == 0); /* the bytes overflow */
  CHECK(rc_sketch_bytes(SIZE_MAX / 2, 3) == 0);     /* the count overflows */
  CHECK(rc_sketch_bytes((size_t)1 << 40, (size_t)1 << 30) == 0);
  CHECK(rc_sketch_bytes(1000000, 10000000) == (size_t)80000000000000ULL);
}

/* Sizes beyond physical memory are refused before allocating; overflowing ones too. */
static void test_too_large(void) {
  size_t physical = rc_physical_memory();
  CHECK(physical >= ((size_t)1 << 20));
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  const size_t sizes[][2] = {{1000000, 10000000},
                             {(size_t)1 << 20, (size_t)1 << 20},
                             {SIZE_MAX / 2, 4},
                             {SIZE_MAX, SIZE_MAX},
                             {physical / 8 + 1, 1}};
  for (size_t k = 0; k < 5; k++) {
    rc_error err = {0, ""};
    rc_sketch *s = rc_sketch_gaussian_alloc(sizes[k][0], sizes[k][1], rng, &err);
    CHECK(s == NULL);
    CHECK(err.status == RC_ENOMEM && err.message[0] != '\0');
    rc_sketch_free(s);
  }
  gsl_rng_free(rng);
}

static void test_errors(void) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  rc_error err = {0, ""};
  CHECK(rc_sketch_gaussian_alloc(0, 5, rng, &err) == NULL && err.status == RC_EINVAL);
  rc_error_clear(&err);
  CHECK(rc_sketch_gaussian_alloc(5, 0, rng, &err) == NULL && err.status == RC_EINVAL);
  rc_error_clear(&err);
  CHECK(rc_sketch_gaussian_alloc(5, 5, NULL, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_sketch_gaussian_alloc(0, 0, rng, NULL) == NULL);
  rc_sketch_free(NULL);
  gsl_rng_free(rng);
}

static void test_values(void) {
  double S[6] = {0.5, -2.385, 1e-3, 0, 7, -0.25};
  rc_sketch *s = rc_sketch_values_alloc(S, 2, 3, NULL);
  CHECK(s != NULL);
  if (s) {
    S[1] = 99; /* copied */
    CHECK(s->M == 2 && s->d == 3);
    CHECK(s->S[1] == -2.385 && s->S[4] == 7);
    rc_sketch_free(s);
  }
}

/* Non-finite entries are refused with their (row, column). */
static void test_values_errors(void) {
  rc_error err = {0, ""};
  double S[6] = {0.5, -2.385, 1e-3, 0, 7, NAN};
  CHECK(rc_sketch_values_alloc(S, 2, 3, &err) == NULL);
  CHECK(err.status == RC_EINVAL && strstr(err.message, "(2, 3)") != NULL);
  S[5] = 1;
  S[2] = -INFINITY;
  rc_error_clear(&err);
  CHECK(rc_sketch_values_alloc(S, 2, 3, &err) == NULL);
  CHECK(err.status == RC_EINVAL && strstr(err.message, "(1, 3)") != NULL);
  rc_error_clear(&err);
  CHECK(rc_sketch_values_alloc(NULL, 2, 3, &err) == NULL && err.status == RC_EINVAL);
  rc_error_clear(&err);
  CHECK(rc_sketch_values_alloc(S, 0, 3, &err) == NULL && err.status == RC_EINVAL);
  /* Impossible sizes are refused before the values are read. */
  rc_error_clear(&err);
  CHECK(rc_sketch_values_alloc(S, SIZE_MAX / 2, 4, &err) == NULL && err.status == RC_ENOMEM);
}

/* ---- the Gram path (src/linear/sketch_gram.h) against the SVD path ---- */

/* The two measures of one small wide sketch (d = 8 M: below the size where
 * rc_sgd_measure_from_sketch itself takes the Gram path, so that call is the SVD), the Gram
 * one in blocks of 5 columns (the last one partial). *gram is NULL when the criterion refuses. */
static void both_measures(double a, size_t M, int source_prior, rc_measure **svd, rc_measure **gram,
                          double *kappa) {
  const size_t d = 8 * M;
  rc_error err = {0, ""};
  rc_spectrum *sp = rc_spectrum_power_alloc(d, a, &err);
  rc_prior *pr =
      source_prior ? rc_prior_source_alloc(sp, a + 0.5, &err) : rc_prior_isotropic_alloc(d, &err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  rc_sketch *sk = rc_sketch_gaussian_alloc(M, d, rng, &err);
  *svd = rc_sgd_measure_from_sketch(sp, pr, sk, &err);
  CHECK(*svd != NULL);
  CHECK_STATUS(rc_sketch_gram_measure(sp, pr, M, 5, rc_sketch_stored_columns, sk, gram, &err),
               RC_SUCCESS);
  *kappa = (*svd)->mu[0] / (*svd)->mu[M - 1];
  rc_sketch_free(sk);
  gsl_rng_free(rng);
  rc_prior_free(pr);
  rc_spectrum_free(sp);
}

/* Where the criterion accepts, the Gram measure matches the SVD one: eigenvalues to
 * 2 eps kappa relative (measured <= 0.06 eps kappa), c_j(0) mu_j to 1e-12 of the signal
 * (measured 2.8e-13), Approx and the risk of a constant-step curve to N = 1e7 (stage jumps) to
 * 2e-10 relative (measured 3e-11 at kappa 3e4). */
static void test_gram_matches_svd(void) {
  const double as[] = {1.2, 1.5, 2.0};
  const size_t Ms[] = {8, 32, 128};
  double worst_risk = 0, worst_ratio = 0;
  size_t accepted = 0;
  for (size_t ia = 0; ia < 3; ia++)
    for (size_t im = 0; im < 3; im++)
      for (int source = 0; source < 2; source++) {
        rc_measure *ms = NULL, *mg = NULL;
        double kappa;
        both_measures(as[ia], Ms[im], source, &ms, &mg, &kappa);
        if (!ms) {
          rc_measure_free(mg);
          continue;
        }
        /* the criterion's estimate, from the SVD measure */
        const double e = DBL_EPSILON * kappa * ms->signal / ms->approx;
        CHECK((mg != NULL) == (e <= RC_GRAM_MAX_ERROR));
        if (!mg) {
          rc_measure_free(ms);
          continue;
        }
        accepted++;
        const size_t M = Ms[im];
        CHECK(mg->n == M && mg->rank == M && !mg->pseudo_inverse);
        CHECK_REL(mg->signal, ms->signal, 1e-15);
        for (size_t j = 0; j < M; j++) {
          CHECK_REL(mg->mu[j], ms->mu[j], 2 * DBL_EPSILON * kappa);
          CHECK_ABS(mg->c0[j] * ms->mu[j], ms->c0[j] * ms->mu[j], 1e-12 * ms->signal);
          CHECK(mg->nu[j] == 1.0);
        }
        CHECK_REL(mg->approx, ms->approx, e);
        worst_ratio = fmax(worst_ratio, fabs(mg->approx / ms->approx - 1) / e);
        rc_error err = {0, ""};
        rc_schedule *sc = rc_schedule_parse("const", 0.1, &err);
        const uint64_t Ns[4] = {10, 1000, 100000, 10000000};
        rc_risk r1[4], r2[4];
        rc_sgd_options o = rc_sgd_options_default();
        o.sigma2 = 0;
        CHECK_STATUS(rc_sgd_risk_curve(ms, sc, Ns, 4, &o, r1, &err), RC_SUCCESS);
        CHECK_STATUS(rc_sgd_risk_curve(mg, sc, Ns, 4, &o, r2, &err), RC_SUCCESS);
        for (int k = 0; k < 4; k++) {
          CHECK_REL(r2[k].risk, r1[k].risk, e);
          worst_risk = fmax(worst_risk, fabs(r2[k].risk / r1[k].risk - 1));
          worst_ratio = fmax(worst_ratio, fabs(r2[k].risk / r1[k].risk - 1) / e);
        }
        rc_schedule_free(sc);
        rc_measure_free(ms);
        rc_measure_free(mg);
      }
  CHECK(accepted >= 12);
  printf("    Gram vs SVD: %zu of 18 accepted, max relative risk difference %.2g, max error / "
         "estimate %.2g\n",
         accepted, worst_risk, worst_ratio);
}

/* The criterion both ways: kappa too large for the Gram path (a = 3, M = 32: kappa 8.2e4,
 * estimate 2e-7) and Approx lost in rounding (a square sketch, d = M: Approx = 0 exactly, the
 * Gram difference is rounding) are refused; a well-conditioned wide sketch is accepted. */
static void test_gram_criterion(void) {
  rc_measure *ms = NULL, *mg = NULL;
  double kappa;
  both_measures(3.0, 32, 0, &ms, &mg, &kappa);
  CHECK(DBL_EPSILON * kappa * ms->signal / ms->approx > RC_GRAM_MAX_ERROR && mg == NULL);
  rc_measure_free(ms);
  rc_measure_free(mg);
  both_measures(1.5, 32, 0, &ms, &mg, &kappa);
  CHECK(DBL_EPSILON * kappa * ms->signal / ms->approx < RC_GRAM_MAX_ERROR && mg != NULL);
  rc_measure_free(ms);
  rc_measure_free(mg);

  const size_t M = 8, d = 8;
  rc_error err = {0, ""};
  rc_spectrum *sp = rc_spectrum_power_alloc(d, 1.5, &err);
  rc_prior *pr = rc_prior_isotropic_alloc(d, &err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 3);
  rc_sketch *sk = rc_sketch_gaussian_alloc(M, d, rng, &err);
  CHECK(pr && sk);
  mg = NULL;
  CHECK_STATUS(rc_sketch_gram_measure(sp, pr, M, 16, rc_sketch_stored_columns, sk, &mg, &err),
               RC_SUCCESS);
  CHECK(mg == NULL);
  rc_sketch_free(sk);
  gsl_rng_free(rng);
  rc_prior_free(pr);
  rc_spectrum_free(sp);
}

/* rc_sgd_measure_gaussian draws the same sketch as rc_sketch_gaussian_alloc, column block by
 * column block, and leaves the generator where that call does: at M = 16, d = 65536
 * (M d = 2^20, so both calls take the Gram path when the criterion holds) the measures are
 * bit-identical; when it does not (a = 4), both fall back to the SVD of the same sketch. */
static void test_gram_stream_same_sketch(void) {
  const double as[] = {1.5, 4.0};
  for (size_t k = 0; k < 2; k++) {
    const size_t M = 16, d = 65536;
    rc_error err = {0, ""};
    rc_spectrum *sp = rc_spectrum_power_alloc(d, as[k], &err);
    rc_prior *pr = rc_prior_isotropic_alloc(d, &err);
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r1, 11);
    gsl_rng_set(r2, 11);
    rc_sketch *sk = rc_sketch_gaussian_alloc(M, d, r1, &err);
    rc_measure *stored = rc_sgd_measure_from_sketch(sp, pr, sk, &err);
    rc_measure *streamed = rc_sgd_measure_gaussian(sp, pr, M, r2, &err);
    CHECK(stored && streamed);
    if (stored && streamed) {
      CHECK(stored->n == streamed->n);
      CHECK(memcmp(stored->mu, streamed->mu, M * sizeof(double)) == 0);
      CHECK(memcmp(stored->c0, streamed->c0, M * sizeof(double)) == 0);
      CHECK(stored->approx == streamed->approx);
      /* the Gram path (a = 1.5) returns exactly M atoms, the SVD too here */
      CHECK(stored->rank == M);
    }
    CHECK(gsl_rng_get(r1) == gsl_rng_get(r2));
    /* which path this was: the Gram path accepts a = 1.5 and refuses a = 4 */
    rc_measure *gram = NULL;
    CHECK_STATUS(rc_sketch_gram_measure(sp, pr, M, 256, rc_sketch_stored_columns, sk, &gram, &err),
                 RC_SUCCESS);
    CHECK((gram != NULL) == (k == 0));
    rc_measure_free(gram);
    rc_measure_free(stored);
    rc_measure_free(streamed);
    rc_sketch_free(sk);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    rc_prior_free(pr);
    rc_spectrum_free(sp);
  }
}

static int failing_columns(void *context, size_t i0, size_t nb, double *Sb, rc_error *err) {
  if (i0 > 0)
    return rc_error_set(err, RC_ECANCEL, "column source stopped");
  return rc_sketch_stored_columns(context, i0, nb, Sb, err);
}

static void test_gram_errors(void) {
  rc_error err = {0, ""};
  rc_spectrum *sp = rc_spectrum_power_alloc(40, 1.5, &err);
  rc_prior *pr = rc_prior_isotropic_alloc(40, &err), *small = rc_prior_isotropic_alloc(30, &err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  rc_sketch *sk = rc_sketch_gaussian_alloc(4, 40, rng, &err);
  rc_measure *m = NULL;
  CHECK_STATUS(rc_sketch_gram_measure(sp, pr, 4, 8, failing_columns, sk, &m, &err), RC_ECANCEL);
  CHECK(m == NULL && strstr(err.message, "stopped") != NULL);
  CHECK_STATUS(rc_sketch_gram_measure(sp, small, 4, 8, rc_sketch_stored_columns, sk, &m, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_sketch_gram_measure(sp, pr, 4, 0, rc_sketch_stored_columns, sk, &m, &err),
               RC_EINVAL);
  CHECK(rc_sgd_measure_gaussian(sp, small, 4, rng, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_sgd_measure_gaussian(sp, pr, 4, NULL, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_sgd_measure_gaussian(sp, pr, 0, rng, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_sketch_stream_alloc(0, 40, rng, &err) == NULL && err.status == RC_EINVAL);
  rc_sketch_free(sk);
  gsl_rng_free(rng);
  rc_prior_free(pr);
  rc_prior_free(small);
  rc_spectrum_free(sp);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_gaussian_moments);
  RUN_TEST(test_column_norms);
  RUN_TEST(test_reproducible);
  RUN_TEST(test_seeds_differ);
  RUN_TEST(test_draw_order);
  RUN_TEST(test_bytes);
  RUN_TEST(test_too_large);
  RUN_TEST(test_errors);
  RUN_TEST(test_values);
  RUN_TEST(test_values_errors);
  RUN_TEST(test_gram_matches_svd);
  RUN_TEST(test_gram_criterion);
  RUN_TEST(test_gram_stream_same_sketch);
  RUN_TEST(test_gram_errors);
  TEST_MAIN_END("test_sketch");
}
