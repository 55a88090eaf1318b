/* Tests of the root-finding helper (src/core/root.c). GSL's error handler is left at its
 * default (abort): no case may reach it. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "core/root.h"
#include "rc_test.h"

/* f(x) = x^3 - c, with a call counter and optional trouble: NaN inside (nan_lo, nan_hi), an
 * error status from call number fail_at on. */
typedef struct {
  double c;
  double nan_lo, nan_hi;
  int calls, fail_at;
  double last;
  rc_error *err;
} cubic;

static int cubic_fn(double x, void *vp, double *value) {
  cubic *p = vp;
  p->calls++;
  p->last = x;
  if (p->fail_at && p->calls >= p->fail_at)
    return rc_error_set(p->err, RC_EINVAL, "cubic: refused x = %g", x);
  *value = x > p->nan_lo && x < p->nan_hi ? NAN : x * x * x - p->c;
  return RC_SUCCESS;
}

static double cubic_plain(double x, void *vp) {
  const cubic *p = vp;
  return x * x * x - p->c;
}

static void test_brent_converges(void) {
  rc_error err = {0, ""};
  cubic p = {2.385, 1, 0, 0, 0, 0, &err};
  const double truth = cbrt(2.385);
  const double tols[] = {1e-3, 1e-8, 1e-14};
  for (int k = 0; k < 3; k++) {
    rc_root_options lower = {0, tols[k], 100, RC_ROOT_LOWER}, upper = lower, best = lower;
    upper.end = RC_ROOT_UPPER;
    best.end = RC_ROOT_BEST;
    double a, b, r;
    CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &lower, "cubic", &a, &err), RC_SUCCESS);
    CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &upper, "cubic", &b, &err), RC_SUCCESS);
    CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &best, "cubic", &r, &err), RC_SUCCESS);
    /* the final bracket holds the root and meets the tolerance; the estimate lies in it */
    CHECK(a <= truth && truth <= b);
    CHECK(b - a < tols[k] * a);
    CHECK(a <= r && r <= b);
    CHECK(cubic_plain(a, &p) <= 0 && cubic_plain(b, &p) >= 0);
  }
  /* tolerance 0: stops at adjacent doubles */
  rc_root_options exact = {0, 0, 200, RC_ROOT_LOWER};
  double a, b;
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &exact, "cubic", &a, &err), RC_SUCCESS);
  exact.end = RC_ROOT_UPPER;
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &exact, "cubic", &b, &err), RC_SUCCESS);
  CHECK(b == a || b == nextafter(a, INFINITY));
  CHECK_REL(a, truth, 2 * DBL_EPSILON);
}

/* The helper runs GSL's Brent on the same bracket with the same test: its iterates, and so
 * its result, are GSL's to the last bit (the golden outputs depend on it). */
static void test_brent_matches_gsl(void) {
  rc_error err = {0, ""};
  cubic p = {7.3, 1, 0, 0, 0, 0, &err};
  const double eps[] = {1e-14, 1e-15, 2 * DBL_EPSILON};
  for (int k = 0; k < 3; k++) {
    gsl_function F = {cubic_plain, &p};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver_set(s, &F, 0.5, 4.0);
    int st = GSL_CONTINUE;
    for (int it = 0; it < 300 && st == GSL_CONTINUE; it++) {
      gsl_root_fsolver_iterate(s);
      st = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0.0,
                                  eps[k]);
    }
    const double want_root = gsl_root_fsolver_root(s), want_lo = gsl_root_fsolver_x_lower(s);
    gsl_root_fsolver_free(s);
    rc_root_options o = {0.0, eps[k], 300, RC_ROOT_BEST};
    double r, lo;
    CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.5, 4.0, &o, "cubic", &r, &err), RC_SUCCESS);
    o.end = RC_ROOT_LOWER;
    CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.5, 4.0, &o, "cubic", &lo, &err), RC_SUCCESS);
    CHECK(r == want_root);
    CHECK(lo == want_lo);
  }
}

static void test_brent_ends_and_errors(void) {
  rc_error err = {0, ""};
  cubic p = {8, 1, 0, 0, 0, 0, &err};
  rc_root_options o = {0, 1e-12, 100, RC_ROOT_BEST};
  double r = -1;
  /* a zero at an end is returned at once */
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 2.0, 5.0, &o, "cubic", &r, &err), RC_SUCCESS);
  CHECK(r == 2.0);
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, -1.0, 2.0, &o, "cubic", &r, &err), RC_SUCCESS);
  CHECK(r == 2.0);
  /* no sign change */
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 3.0, 5.0, &o, "cubic", &r, &err), RC_ENOCONV);
  CHECK(strstr(err.message, "no sign change") != NULL);
  /* bad bracket and options */
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 5.0, 1.0, &o, "cubic", &r, &err), RC_EINVAL);
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, NAN, 1.0, &o, "cubic", &r, &err), RC_EINVAL);
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, INFINITY, &o, "cubic", &r, &err), RC_EINVAL);
  rc_root_options bad = o;
  bad.epsrel = -1;
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &bad, "cubic", &r, &err), RC_EINVAL);
  bad = o;
  bad.epsabs = NAN;
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &bad, "cubic", &r, &err), RC_EINVAL);
  bad = o;
  bad.max_iter = 0;
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 3.0, &bad, "cubic", &r, &err), RC_EINVAL);
  CHECK_STATUS(rc_root_brent(NULL, &p, 0.0, 3.0, &o, "cubic", &r, &err), RC_EINVAL);
}

/* Non-finite function values would make GSL's Brent raise "function value is not finite"
 * (an abort under the default handler): the helper stops with RC_ENOCONV instead. */
static void test_brent_non_finite(void) {
  rc_error err = {0, ""};
  rc_root_options o = {0, 1e-12, 100, RC_ROOT_BEST};
  double r;
  cubic p = {8, 1.0, 3.0, 0, 0, 0, &err}; /* NaN on (1, 3), where Brent looks first */
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 4.0, &o, "cubic", &r, &err), RC_ENOCONV);
  CHECK(strstr(err.message, "not finite") != NULL);
  cubic q = {8, -1.0, 0.5, 0, 0, 0, &err}; /* NaN at the lower end */
  CHECK_STATUS(rc_root_brent(cubic_fn, &q, 0.0, 4.0, &o, "cubic", &r, &err), RC_ENOCONV);
  CHECK(strstr(err.message, "not finite") != NULL);
  /* the caller's error: its status and message come back unchanged, at once */
  for (int at = 1; at <= 4; at++) {
    cubic f = {8, 1, 0, 0, at, 0, &err};
    rc_error_clear(&err);
    CHECK_STATUS(rc_root_brent(cubic_fn, &f, 0.0, 4.0, &o, "cubic", &r, &err), RC_EINVAL);
    CHECK(strstr(err.message, "cubic: refused") != NULL);
    CHECK(f.calls == at);
  }
}

static void test_brent_iteration_cap(void) {
  rc_error err = {0, ""};
  cubic p = {2.385, 1, 0, 0, 0, 0, &err};
  rc_root_options o = {0, 1e-15, 3, RC_ROOT_BEST};
  double r;
  CHECK_STATUS(rc_root_brent(cubic_fn, &p, 0.0, 100.0, &o, "cubic", &r, &err), RC_ENOCONV);
  CHECK(strstr(err.message, "not converged in 3 Brent iterations") != NULL);
  CHECK(strstr(err.message, "bracket [") != NULL);
  printf("    %s\n", err.message);
}

static void test_search(void) {
  rc_error err = {0, ""};
  cubic p = {8, 1, 0, 0, 0, 0, &err};
  double x, prev;
  /* from 10 halving toward 0 until f < 0: 10, 5, 2.5, 1.25 */
  CHECK_STATUS(
      rc_root_search(cubic_fn, &p, 0.0, 10.0, 0.5, -1, 100, 20.0, "cubic", &x, &prev, &err),
      RC_SUCCESS);
  CHECK(x == 1.25 && prev == 2.5 && p.calls == 4);
  /* found at the first point: prev is prev0 */
  CHECK_STATUS(
      rc_root_search(cubic_fn, &p, 0.0, 10.0, 0.5, +1, 100, 20.0, "cubic", &x, &prev, &err),
      RC_SUCCESS);
  CHECK(x == 10.0 && prev == 20.0);
  /* outward: from 1 doubling until f > 0 */
  CHECK_STATUS(rc_root_search(cubic_fn, &p, 0.0, 1.0, 2.0, +1, 100, 0.0, "cubic", &x, &prev, &err),
               RC_SUCCESS);
  CHECK(x == 4.0 && prev == 2.0);
  /* closing in on a point where the sign never changes: stops before evaluating it */
  p.calls = 0;
  p.last = 0;
  CHECK_STATUS(
      rc_root_search(cubic_fn, &p, 3.0, 1.0, 0.5, -1, 10000, 3.0, "cubic", &x, &prev, &err),
      RC_ENOCONV);
  CHECK(p.last > 3.0 && p.calls < 60);
  CHECK(strstr(err.message, "no sign change") != NULL);
  /* the step cap */
  CHECK_STATUS(rc_root_search(cubic_fn, &p, 3.0, 1.0, 0.5, -1, 5, 3.0, "cubic", &x, &prev, &err),
               RC_ENOCONV);
  /* expanding into overflow */
  CHECK_STATUS(
      rc_root_search(cubic_fn, &p, 0.0, 3.0, 1e10, -1, 1000, 0.0, "cubic", &x, &prev, &err),
      RC_ENOCONV);
  /* non-finite values and bad arguments */
  cubic q = {8, 0.5, 20, 0, 0, 0, &err};
  CHECK_STATUS(
      rc_root_search(cubic_fn, &q, 0.0, 10.0, 0.5, -1, 100, 20.0, "cubic", &x, &prev, &err),
      RC_ENOCONV);
  CHECK(strstr(err.message, "not finite") != NULL);
  CHECK_STATUS(rc_root_search(cubic_fn, &p, 0.0, 1.0, 1.0, -1, 10, 0.0, "cubic", &x, &prev, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_root_search(cubic_fn, &p, 0.0, 0.0, 0.5, -1, 10, 0.0, "cubic", &x, &prev, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_root_search(cubic_fn, &p, 0.0, 1.0, 0.5, 0, 10, 0.0, "cubic", &x, &prev, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_root_search(cubic_fn, &p, NAN, 1.0, 0.5, 1, 10, 0.0, "cubic", &x, &prev, &err),
               RC_EINVAL);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_brent_converges);
  RUN_TEST(test_brent_matches_gsl);
  RUN_TEST(test_brent_ends_and_errors);
  RUN_TEST(test_brent_non_finite);
  RUN_TEST(test_brent_iteration_cap);
  RUN_TEST(test_search);
  TEST_MAIN_END("test_root");
}
