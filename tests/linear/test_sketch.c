/* tests/test_sketch.c -- Gaussian sketches S (M x d, iid N(0, 1/M)): statistics of the entries,
 * reproducibility from a seed, the documented draw order, size overflow and memory refusal,
 * and explicit sketches. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "rc_test.h"
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
  TEST_MAIN_END("test_sketch");
}
