/* Tests of parametric laws (src/core/law.c): the check, monotonicity, values, and the tail
 * moments against mpmath. GSL's error handler is left at its default (abort). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/law_tail.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

static rc_law law(rc_spectrum_kind kind, double a, double b, double d) {
  rc_law l = {kind, a, isnan(b) ? RC_PRIOR_ISOTROPIC : RC_PRIOR_SOURCE, b, d};
  return l;
}

static void test_law_check(void) {
  rc_error err = {0, ""};
  rc_law l = law(RC_SPECTRUM_POWER, 1.0, NAN, INFINITY);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL); /* trace diverges */
  CHECK(strstr(err.message, "a must be > 1") != NULL);
  l = law(RC_SPECTRUM_POWER, 1.5, 0.9, INFINITY);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL); /* signal diverges */
  l = law(RC_SPECTRUM_POWER, 1.5, NAN, 10.5);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_POWER, 1.5, NAN, 0);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_POWER, NAN, NAN, 100);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_POWER, -1, -1, 100);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_LOGPOWER, 0.5, NAN, INFINITY);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_VALUES, 1.5, NAN, 100);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_POWER, 1.5, INFINITY, 100);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  l = law(RC_SPECTRUM_POWER, 1.5, NAN, -INFINITY);
  CHECK_STATUS(rc_law_check(&l, &err), RC_EINVAL);
  /* finite d allows any exponent of the right sign */
  l = law(RC_SPECTRUM_POWER, 0.7, 0.3, 1000);
  CHECK_STATUS(rc_law_check(&l, &err), RC_SUCCESS);
  l = law(RC_SPECTRUM_LOGPOWER, -3.0, -2.0, 1000);
  CHECK_STATUS(rc_law_check(&l, &err), RC_SUCCESS);
  l = law(RC_SPECTRUM_LOGPOWER, 2.0, NAN, INFINITY);
  CHECK_STATUS(rc_law_check(&l, &err), RC_SUCCESS);
  CHECK_STATUS(rc_law_check(NULL, &err), RC_EINVAL);
}

/* rc_law_is_decreasing against a direct comparison of the first 10^5 eigenvalues (past
 * x = 10^5 the derivative argument holds for every a > -12). */
static void test_law_is_decreasing(void) {
  const double as[] = {-6,     -2.5, -1.7, -1.6, -1.55, -1.5, -1.45, -1.4,
                       -1.386, -1.0, -0.3, 0.0,  0.4,   1.5,  7};
  int seen0 = 0, seen1 = 0, ordered = 1;
  for (size_t k = 0; k < sizeof as / sizeof as[0]; k++) {
    for (int inf = 0; inf < 2; inf++) {
      rc_law l = law(RC_SPECTRUM_LOGPOWER, as[k], NAN, inf ? INFINITY : 1e6);
      if (rc_law_check(&l, NULL))
        continue;
      int direct = 1;
      for (double i = 1; i < 1e5 && direct; i++)
        direct = rc_law_lambda(&l, i + 1) < rc_law_lambda(&l, i);
      const int got = rc_law_is_decreasing(&l);
      CHECK(got == direct);
      if (got != direct)
        printf("    log-power a = %g: predicate %d, direct %d\n", as[k], got, direct);
      if (!inf) {
        ordered &= !(seen1 && !got); /* 0 below a threshold, 1 above it */
        seen0 |= !got;
        seen1 |= got;
      }
    }
  }
  CHECK(ordered && seen0 && seen1);
  rc_law p = law(RC_SPECTRUM_POWER, 0.01, 0.5, 1e9);
  CHECK(rc_law_is_decreasing(&p));
  p.a = -1; /* fails rc_law_check */
  CHECK(!rc_law_is_decreasing(&p));
  CHECK(!rc_law_is_decreasing(NULL));
  /* the plan of a law refuses exactly the laws the predicate rejects, and only with EINVAL */
  for (size_t k = 0; k < sizeof as / sizeof as[0]; k++) {
    rc_error err = {0, ""};
    rc_law l = law(RC_SPECTRUM_LOGPOWER, as[k], NAN, 2e5);
    rc_deteq *de = rc_deteq_alloc_law(&l, 10, &err);
    CHECK((de != NULL) == rc_law_is_decreasing(&l));
    if (!de)
      CHECK(err.status == RC_EINVAL && strstr(err.message, "rc_law_is_decreasing") != NULL);
    rc_deteq_free(de);
  }
  /* eigenvalues that decrease by less than an ulp tie in double precision: still a law */
  rc_law flat = law(RC_SPECTRUM_POWER, 1e-12, NAN, 1e5);
  CHECK(rc_law_is_decreasing(&flat));
  rc_deteq *de = rc_deteq_alloc_law(&flat, 10, NULL);
  CHECK(de != NULL);
  rc_deteq_free(de);
  rc_law one = law(RC_SPECTRUM_LOGPOWER, -20, NAN, 1);
  CHECK(rc_law_is_decreasing(&one)); /* a single eigenvalue */
  one.d = 2;
  CHECK(!rc_law_is_decreasing(&one));
}

/* The law's values are those of the spectrum and prior allocators. */
static void test_law_values(void) {
  rc_error err = {0, ""};
  const size_t d = 50;
  rc_spectrum *s = rc_spectrum_logpower_alloc(d, 1.7, &err);
  rc_prior *iso = rc_prior_isotropic_alloc(d, &err);
  rc_prior *src = s ? rc_prior_source_alloc(s, 2.3, &err) : NULL;
  CHECK(s && iso && src);
  if (s && iso && src) {
    rc_law li = law(RC_SPECTRUM_LOGPOWER, 1.7, NAN, (double)d);
    rc_law ls = law(RC_SPECTRUM_LOGPOWER, 1.7, 2.3, (double)d);
    for (size_t i = 0; i < d; i++) {
      CHECK_REL(rc_law_lambda(&li, (double)(i + 1)), s->lambda[i], 2e-16);
      CHECK_REL(rc_law_signal(&li, (double)(i + 1)), s->lambda[i] * iso->p[i], 2e-16);
      CHECK_REL(rc_law_signal(&ls, (double)(i + 1)), s->lambda[i] * src->p[i], 4e-16);
    }
  }
  rc_prior_free(src);
  rc_prior_free(iso);
  rc_spectrum_free(s);
}

/* Runs tests/helpers/mpmath_tail.py for the moments `pairs` ("m:q ...") of a law past n and
 * reads one value per pair. A missing python3 or mpmath makes the check fail, not skip. */
static int mpmath_tail(const char *args, const char *pairs, double *out, int count) {
  char all[256];
  snprintf(all, sizeof all, "%s %s", args, pairs);
  FILE *f = rc_test_helper("mpmath_tail.py", all);
  if (!f)
    return -1;
  int n = 0;
  while (n < count && fscanf(f, "%lf", &out[n]) == 1)
    n++;
  int rc = pclose(f);
  if (n != count || rc != 0) {
    printf("    reference failed (exit %d, %d values): mpmath_tail.py %s\n", rc, n, all);
    return -1;
  }
  return 0;
}

/* The tail moments U_m, V_m past n = 4096 of power and log-power laws, d finite and infinite:
 * the pure power (V_0 of a source prior), the slowly decaying lambda itself (U_1, and V_0 of
 * the isotropic prior: the log-power case that made adaptive quadrature on [0, inf) fail and
 * abort), and the fast-decaying rest up to m = 66. */
static void test_law_tails(void) {
  struct {
    rc_law law;
    const char *args;
    double tol;
  } cases[] = {
      {{RC_SPECTRUM_LOGPOWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY}, "logpower 1.5 iso", 2e-13},
      {{RC_SPECTRUM_LOGPOWER, 1.05, RC_PRIOR_ISOTROPIC, NAN, INFINITY}, "logpower 1.05 iso", 2e-13},
      {{RC_SPECTRUM_LOGPOWER, 3, RC_PRIOR_SOURCE, 1.3, INFINITY}, "logpower 3 1.3", 2e-13},
      {{RC_SPECTRUM_LOGPOWER, 2, RC_PRIOR_ISOTROPIC, NAN, 1e7}, "logpower 2 iso", 2e-13},
      {{RC_SPECTRUM_LOGPOWER, -0.5, RC_PRIOR_SOURCE, 0.8, 1e6}, "logpower -0.5 0.8", 2e-13},
      {{RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 2.5, INFINITY}, "power 1.5 2.5", 5e-15},
  };
  const char *pairs = "0:1 1:0 7:1 66:0";
  const int mq[4][2] = {{0, 1}, {1, 0}, {7, 1}, {66, 0}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    rc_error err = {0, ""};
    double U[67], V[67], bu, bv, want[4];
    CHECK_STATUS(rc_law_tail_moments(&cases[k].law, 4096, 67, U, V, &bu, &bv, &err), RC_SUCCESS);
    char args[128];
    if (isinf(cases[k].law.d))
      snprintf(args, sizeof args, "%s 4096 inf", cases[k].args);
    else
      snprintf(args, sizeof args, "%s 4096 %.0f", cases[k].args, cases[k].law.d);
    const int ok = mpmath_tail(args, pairs, want, 4) == 0;
    CHECK(ok);
    if (!ok)
      continue;
    double worst = 0;
    for (int j = 0; j < 4; j++) {
      const double got = mq[j][1] ? V[mq[j][0]] : U[mq[j][0]];
      const double e = fabs(got / want[j] - 1);
      worst = e > worst ? e : worst;
      /* U_1 and V_0 (the trace and the signal) to 1e-15; the others are formed as
       * exp(m (log lambda - log lambda_{n+1})), which costs m roundings of a log: measured up
       * to 9e-14 at m = 66, where they enter the sums with weight below 0.4^66 */
      CHECK_REL(got, want[j], j < 2 ? 2e-15 : cases[k].tol);
    }
    printf("    %-18s d = %-6g worst relative error %.2g (bounds %.2g, %.2g)\n", cases[k].args,
           cases[k].law.d, worst, bu, bv);
  }
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_law_check);
  RUN_TEST(test_law_is_decreasing);
  RUN_TEST(test_law_values);
  RUN_TEST(test_law_tails);
  TEST_MAIN_END("test_law");
}
