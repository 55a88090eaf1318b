/* tests/test_spectrum.c -- spectra H = diag(lambda) and priors E w* w*^T = diag(p):
 * values, trace, signal, the source condition, and every refused input. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_sf_zeta.h>

#include "rc_test.h"
#include "riskcalc/spectrum.h"

/* The refused call must return NULL and leave a one-line message with this status. */
static int refused(const void *result, const rc_error *err, int status) {
  int ok = result == NULL && err->status == status && err->message[0] != '\0' &&
           strchr(err->message, '\n') == NULL;
  if (!ok)
    printf("    %s, status %d, message '%s' (want status %d)\n", result ? "accepted" : "refused",
           err->status, err->message, status);
  return ok;
}

/* lambda_i = i^-a, compared with exp(-a log i): a few ulps apart at most. */
static void test_power_values(void) {
  const double a = 2.385;
  rc_error err = {0, ""};
  rc_spectrum *s = rc_spectrum_power_alloc(7, a, &err);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(s->kind == RC_SPECTRUM_POWER && s->d == 7 && s->a == a);
  CHECK(s->lambda[0] == 1.0);
  for (size_t i = 1; i <= 7; i++)
    CHECK_REL(s->lambda[i - 1], exp(-a * log((double)i)), 4e-16);
  rc_spectrum_free(s);
}

/* tr(H) = sum_{i<=d} i^-a = zeta(a) - zeta(a, d + 1) (Hurwitz). Summing d = 1000 positive
 * terms errs by at most (d - 1) u ~ 1.1e-13 relative (u = 2^-53), and GSL's zeta functions
 * are accurate to a few u: tolerance 2e-13. Dropping the last term would err by 7e-8. */
static void test_power_trace(void) {
  const double a = 2.385;
  const size_t d = 1000;
  rc_spectrum *s = rc_spectrum_power_alloc(d, a, NULL);
  CHECK(s != NULL);
  if (!s)
    return;
  double want = gsl_sf_zeta(a) - gsl_sf_hzeta(a, (double)d + 1.0);
  CHECK_REL(rc_spectrum_trace(s), want, 2e-13);
  rc_spectrum_free(s);
}

/* lambda_i = i^-1 log(i+1)^-a for a of either sign. */
static void test_logpower_values(void) {
  const double as[] = {2.385, 0.0, -1.25};
  for (size_t k = 0; k < 3; k++) {
    const double a = as[k];
    rc_spectrum *s = rc_spectrum_logpower_alloc(9, a, NULL);
    CHECK(s != NULL);
    if (!s)
      continue;
    CHECK(s->kind == RC_SPECTRUM_LOGPOWER && s->d == 9);
    for (size_t i = 1; i <= 9; i++)
      CHECK_REL(s->lambda[i - 1], exp(-log((double)i) - a * log(log((double)i + 1.0))), 1e-15);
    rc_spectrum_free(s);
  }
  /* a = 0 is the harmonic spectrum 1/i: trace of 4 terms is 25/12. */
  rc_spectrum *h = rc_spectrum_logpower_alloc(4, 0.0, NULL);
  CHECK(h != NULL);
  if (h) {
    CHECK_REL(rc_spectrum_trace(h), 25.0 / 12.0, 1e-15);
    rc_spectrum_free(h);
  }
}

/* Extreme exponents: log(2)^a underflows (a = 5000) or log(3)^a does (a = -5000), which
 * would make an eigenvalue infinite. */
static void test_logpower_overflow(void) {
  rc_error err = {0, ""};
  CHECK(refused(rc_spectrum_logpower_alloc(10, 5000, &err), &err, RC_EINVAL));
  CHECK(refused(rc_spectrum_logpower_alloc(10, -5000, &err), &err, RC_EINVAL));
  CHECK(refused(rc_spectrum_logpower_alloc(10, NAN, &err), &err, RC_EINVAL));
  CHECK(refused(rc_spectrum_logpower_alloc(10, INFINITY, &err), &err, RC_EINVAL));
  CHECK(refused(rc_spectrum_logpower_alloc(0, 2.385, &err), &err, RC_EINVAL));
}

static void test_power_errors(void) {
  rc_error err = {0, ""};
  const double bad[] = {0.0, -2.385, NAN, INFINITY, -INFINITY};
  for (size_t k = 0; k < 5; k++) {
    rc_error_clear(&err);
    CHECK(refused(rc_spectrum_power_alloc(10, bad[k], &err), &err, RC_EINVAL));
  }
  CHECK(refused(rc_spectrum_power_alloc(0, 2.385, &err), &err, RC_EINVAL));
  CHECK(rc_spectrum_power_alloc(0, 2.385, NULL) == NULL);
  /* A dimension that cannot be allocated is refused, not attempted. */
  CHECK(refused(rc_spectrum_power_alloc(SIZE_MAX / 4, 2.385, &err), &err, RC_ENOMEM));
  CHECK(refused(rc_spectrum_power_alloc(SIZE_MAX, 2.385, &err), &err, RC_ENOMEM));
}

/* Explicit eigenvalues are copied (zeros allowed). */
static void test_values(void) {
  double lambda[4] = {2.385, 0.0, 0.5, 1e-300};
  rc_spectrum *s = rc_spectrum_values_alloc(lambda, 4, NULL);
  CHECK(s != NULL);
  if (!s)
    return;
  lambda[0] = 99;
  CHECK(s->kind == RC_SPECTRUM_VALUES && s->d == 4 && isnan(s->a));
  CHECK(s->lambda[0] == 2.385 && s->lambda[1] == 0.0 && s->lambda[3] == 1e-300);
  CHECK(rc_spectrum_trace(s) == 2.885 + 1e-300);
  rc_spectrum_free(s);
  rc_spectrum_free(NULL);
}

static void test_values_errors(void) {
  rc_error err = {0, ""};
  const double negative[3] = {1, -0.5, 0.25};
  CHECK(refused(rc_spectrum_values_alloc(negative, 3, &err), &err, RC_EINVAL));
  CHECK(strstr(err.message, "2") != NULL); /* names the eigenvalue */
  const double with_nan[3] = {1, 0.5, NAN};
  CHECK(refused(rc_spectrum_values_alloc(with_nan, 3, &err), &err, RC_EINVAL));
  CHECK(strstr(err.message, "3") != NULL);
  const double with_inf[2] = {INFINITY, 0.5};
  CHECK(refused(rc_spectrum_values_alloc(with_inf, 2, &err), &err, RC_EINVAL));
  const double zeros[3] = {0, 0, -0.0};
  CHECK(refused(rc_spectrum_values_alloc(zeros, 3, &err), &err, RC_EINVAL));
  CHECK(refused(rc_spectrum_values_alloc(zeros, 0, &err), &err, RC_EINVAL));
  CHECK(refused(rc_spectrum_values_alloc(NULL, 3, &err), &err, RC_EINVAL));
  CHECK(rc_spectrum_values_alloc(NULL, 3, NULL) == NULL);
}

static void test_prior_isotropic(void) {
  rc_spectrum *s = rc_spectrum_power_alloc(50, 1.5, NULL);
  rc_prior *p = rc_prior_isotropic_alloc(50, NULL);
  CHECK(s && p);
  if (s && p) {
    CHECK(p->kind == RC_PRIOR_ISOTROPIC && p->d == 50 && isnan(p->b));
    for (size_t i = 0; i < 50; i++)
      CHECK(p->p[i] == 1.0);
    CHECK(rc_prior_signal(s, p) == rc_spectrum_trace(s));
  }
  rc_prior_free(p);
  rc_spectrum_free(s);
  rc_error err = {0, ""};
  CHECK(refused(rc_prior_isotropic_alloc(0, &err), &err, RC_EINVAL));
  CHECK(refused(rc_prior_isotropic_alloc(SIZE_MAX / 2, &err), &err, RC_ENOMEM));
  rc_prior_free(NULL);
}

/* p_i = i^-b / lambda_i, so lambda_i p_i = i^-b and the signal is sum_i i^-b. */
static void test_prior_source(void) {
  const double a = 1.75, b = 2.385;
  const size_t d = 200;
  rc_spectrum *s = rc_spectrum_power_alloc(d, a, NULL);
  rc_error err = {0, ""};
  rc_prior *p = s ? rc_prior_source_alloc(s, b, &err) : NULL;
  CHECK(p != NULL);
  if (p) {
    CHECK(p->kind == RC_PRIOR_SOURCE && p->b == b && p->d == d);
    for (size_t i = 1; i <= d; i++) {
      CHECK_REL(s->lambda[i - 1] * p->p[i - 1], pow((double)i, -b), 4e-16);
      CHECK_REL(p->p[i - 1], exp((a - b) * log((double)i)), 1e-14);
    }
    /* Same summation-rounding bound as test_power_trace: (d - 1) u ~ 2.2e-14 for d = 200,
     * plus the rounding of each product lambda_i p_i. */
    CHECK_REL(rc_prior_signal(s, p), gsl_sf_zeta(b) - gsl_sf_hzeta(b, (double)d + 1.0), 5e-14);
  }
  rc_prior_free(p);
  /* b = a is the isotropic prior. */
  p = s ? rc_prior_source_alloc(s, a, NULL) : NULL;
  CHECK(p != NULL);
  if (p)
    for (size_t i = 0; i < d; i++)
      CHECK(p->p[i] == 1.0);
  rc_prior_free(p);
  rc_spectrum_free(s);
}

static void test_prior_source_errors(void) {
  rc_error err = {0, ""};
  const double with_zero[4] = {1, 0.5, 0, 0.25};
  rc_spectrum *s = rc_spectrum_values_alloc(with_zero, 4, NULL);
  CHECK(refused(rc_prior_source_alloc(s, 2.385, &err), &err, RC_EINVAL));
  CHECK(strstr(err.message, "3") != NULL); /* names the zero eigenvalue */
  rc_spectrum_free(s);
  s = rc_spectrum_power_alloc(10, 1.5, NULL);
  CHECK(refused(rc_prior_source_alloc(s, NAN, &err), &err, RC_EINVAL));
  CHECK(refused(rc_prior_source_alloc(s, INFINITY, &err), &err, RC_EINVAL));
  CHECK(refused(rc_prior_source_alloc(NULL, 2.385, &err), &err, RC_EINVAL));
  rc_spectrum_free(s);
  /* p_2 = 2^700 / 1e-300 overflows. */
  const double tiny[2] = {1, 1e-300};
  s = rc_spectrum_values_alloc(tiny, 2, NULL);
  CHECK(refused(rc_prior_source_alloc(s, -700, &err), &err, RC_EINVAL));
  rc_spectrum_free(s);
}

static void test_prior_values(void) {
  double v[3] = {1.5, 4, 7};
  const double lambda[3] = {2.385, 0.5, 0};
  rc_spectrum *s = rc_spectrum_values_alloc(lambda, 3, NULL);
  rc_prior *p = rc_prior_values_alloc(v, 3, NULL);
  CHECK(s && p);
  if (s && p) {
    v[0] = -1; /* copied */
    CHECK(p->kind == RC_PRIOR_VALUES && p->d == 3 && p->p[0] == 1.5);
    CHECK_REL(rc_prior_signal(s, p), 2.385 * 1.5 + 2.0, 1e-15);
  }
  rc_prior_free(p);
  rc_spectrum_free(s);
  rc_error err = {0, ""};
  const double negative[2] = {1, -2.385};
  CHECK(refused(rc_prior_values_alloc(negative, 2, &err), &err, RC_EINVAL));
  const double with_nan[2] = {NAN, 1};
  CHECK(refused(rc_prior_values_alloc(with_nan, 2, &err), &err, RC_EINVAL));
  const double with_inf[2] = {1, INFINITY};
  CHECK(refused(rc_prior_values_alloc(with_inf, 2, &err), &err, RC_EINVAL));
  CHECK(refused(rc_prior_values_alloc(v, 0, &err), &err, RC_EINVAL));
  CHECK(refused(rc_prior_values_alloc(NULL, 2, &err), &err, RC_EINVAL));
  /* All-zero priors are allowed: no signal. */
  const double zeros[2] = {0, 0};
  p = rc_prior_values_alloc(zeros, 2, NULL);
  CHECK(p != NULL);
  rc_prior_free(p);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_power_values);
  RUN_TEST(test_power_trace);
  RUN_TEST(test_logpower_values);
  RUN_TEST(test_logpower_overflow);
  RUN_TEST(test_power_errors);
  RUN_TEST(test_values);
  RUN_TEST(test_values_errors);
  RUN_TEST(test_prior_isotropic);
  RUN_TEST(test_prior_source);
  RUN_TEST(test_prior_source_errors);
  RUN_TEST(test_prior_values);
  TEST_MAIN_END("test_spectrum");
}
