/* Tests of the spectral-sum engine (src/core/specsum.c) against direct summation. */
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/law_tail.h"
#include "core/specsum.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

#define ALL (RC_SPECSUM_A2 | RC_SPECSUM_A3 | RC_SPECSUM_B | RC_SPECSUM_B2 | RC_SPECSUM_C)
#define NSUMS 9

/* The nine sums by direct long double summation over i < d (zero eigenvalues skipped). */
static void direct(const double *lam, const double *p, size_t d, double wr, double wi,
                   long double complex out[NSUMS]) {
  const long double complex w = wr + wi * I;
  for (int k = 0; k < NSUMS; k++)
    out[k] = 0;
  for (size_t i = d; i-- > 0;) {
    if (!(lam[i] > 0))
      continue;
    const long double l = lam[i], s = l * (long double)p[i];
    const long double complex r = 1.0L / (l - w);
    out[0] += l * r;
    out[1] += l * l * r * r;
    out[2] += l * l * r * r * r;
    out[3] += s * r;
    out[4] += s * l * r;
    out[5] += s * l * r * r;
    out[6] += s * l * creall(r * conjl(r));
    out[7] += l * r * r;
    out[8] += s * r * r;
  }
}

/* Largest relative difference of the plan's sums from direct ones, relative to the size of
 * the terms (sum of |term|), so that cancelling sums are judged fairly. */
static double compare(const rc_specsum *ss, const double *lam, const double *p, size_t d, double wr,
                      double wi) {
  rc_specsum_sums s;
  rc_error err = {0, ""};
  if (rc_specsum_eval(ss, wr, wi, ALL, &s, &err)) {
    printf("    eval at %g + %g i: %s\n", wr, wi, err.message);
    return INFINITY;
  }
  long double complex want[NSUMS], mag[NSUMS];
  direct(lam, p, d, wr, wi, want);
  /* magnitudes: the same sums with |terms| */
  for (int k = 0; k < NSUMS; k++)
    mag[k] = 0;
  for (size_t i = 0; i < d; i++) {
    if (!(lam[i] > 0))
      continue;
    const long double l = lam[i], sg = fabsl(l * (long double)p[i]);
    const long double ar = 1.0L / cabsl(l - (wr + wi * I));
    const long double t[NSUMS] = {l * ar,           l * l * ar * ar, l * l * ar * ar * ar,
                                  sg * ar,          sg * l * ar,     sg * l * ar * ar,
                                  sg * l * ar * ar, l * ar * ar,     sg * ar * ar};
    for (int k = 0; k < NSUMS; k++)
      mag[k] += t[k];
  }
  const double got[NSUMS][2] = {{s.a1r, s.a1i}, {s.a2r, s.a2i}, {s.a3r, s.a3i},
                                {s.b0r, s.b0i}, {s.b1r, s.b1i}, {s.b2r, s.b2i},
                                {s.sim, 0},     {s.c1r, s.c1i}, {s.d1r, s.d1i}};
  double worst = 0;
  for (int k = 0; k < NSUMS; k++) {
    const double e = (double)(cabsl(want[k] - (got[k][0] + got[k][1] * I)) / creall(mag[k]));
    worst = e > worst ? e : worst;
  }
  return worst;
}

/* Explicit values with ties and zeros: every sum at real negative and complex w. */
static void test_values_against_direct(void) {
  rc_error err = {0, ""};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 5);
  const size_t d = 3000;
  double *lam = malloc(d * sizeof *lam), *p = malloc(d * sizeof *p);
  for (size_t i = 0; i < d; i++) {
    lam[i] = i % 9 == 0 ? 0.125 : i % 13 == 0 ? 0.0 : pow(gsl_rng_uniform_pos(rng), 4);
    p[i] = 0.3 + 2 * gsl_rng_uniform(rng);
  }
  gsl_rng_free(rng);
  rc_specsum *ss = rc_specsum_alloc_values(lam, p, d, &err);
  CHECK(ss != NULL);
  if (ss) {
    size_t nz = 0;
    double tr = 0, sg = 0;
    for (size_t i = 0; i < d; i++) {
      nz += lam[i] > 0;
      tr += lam[i];
      sg += lam[i] * p[i];
    }
    CHECK(ss->d == (double)nz && rc_specsum_explicit_count(ss) == nz);
    CHECK_REL(ss->trace, tr, 1e-13);
    CHECK_REL(ss->signal, sg, 1e-13);
    CHECK(rc_specsum_min_abs_w(ss) == 0 && rc_specsum_tail_scale(ss) == 0);
    double worst = 0;
    for (double kappa = 1e-6; kappa < 1e3; kappa *= 3.7) {
      worst = fmax(worst, compare(ss, lam, p, d, -kappa, 0));          /* ridge: w = -kappa */
      worst = fmax(worst, compare(ss, lam, p, d, 0.3 * kappa, kappa)); /* complex w */
      worst = fmax(worst, compare(ss, lam, p, d, -kappa, 0.01 * kappa));
    }
    /* measured 4.1e-15: rounding of 3000-term sums, and the levels' series cut below 1e-16 */
    printf("    explicit values: largest relative error %.2g\n", worst);
    CHECK(worst < 8e-15);
  }
  rc_specsum_free(ss);
  free(lam);
  free(p);
  CHECK(rc_specsum_alloc_values((double[]){0, 0}, (double[]){1, 1}, 2, &err) == NULL &&
        err.status == RC_EINVAL);
}

/* A law at finite d = 40000 with 4096 explicit eigenvalues (the tail by Euler-Maclaurin)
 * against all 40000 explicit. */
static void test_law_tail_against_values(void) {
  rc_error err = {0, ""};
  const size_t d = 40000;
  const rc_law laws[] = {{RC_SPECTRUM_POWER, 1.3, RC_PRIOR_SOURCE, 1.9, (double)d},
                         {RC_SPECTRUM_LOGPOWER, 2.0, RC_PRIOR_ISOTROPIC, NAN, (double)d}};
  for (int k = 0; k < 2; k++) {
    double *lam = malloc(d * sizeof *lam), *p = malloc(d * sizeof *p);
    for (size_t i = 0; i < d; i++) {
      lam[i] = rc_law_lambda(&laws[k], (double)(i + 1));
      p[i] = rc_law_signal(&laws[k], (double)(i + 1)) / lam[i];
    }
    rc_specsum *tail = rc_specsum_alloc_law(&laws[k], 4096, &err);
    rc_specsum *all = rc_specsum_alloc_values(lam, p, d, &err);
    CHECK(tail && all);
    if (tail && all) {
      CHECK(rc_specsum_explicit_count(tail) == 4096);
      CHECK(rc_specsum_tail_scale(tail) == lam[4096]);
      CHECK(rc_specsum_tail_bound(tail) > 0 && rc_specsum_tail_bound(tail) < 1e-12);
      CHECK_REL(tail->trace, all->trace, 1e-13);
      CHECK_REL(tail->signal, all->signal, 1e-13);
      double worst = 0;
      const double wmin = rc_specsum_min_abs_w(tail);
      for (double x = wmin; x < 10; x *= 2.9) {
        worst = fmax(worst, compare(tail, lam, p, d, -x, 0));
        worst = fmax(worst, compare(tail, lam, p, d, 0.5 * x, x));
      }
      printf("    law %d with its tail: largest relative error %.2g\n", k, worst);
      CHECK(worst < 5e-15); /* measured 2.2e-15 */
      rc_specsum_sums s;
      CHECK_STATUS(rc_specsum_eval(tail, -0.9 * wmin, 0, ALL, &s, &err), RC_ENOCONV);
      CHECK(strstr(err.message, "below the range") != NULL);
    }
    rc_specsum_free(tail);
    rc_specsum_free(all);
    free(lam);
    free(p);
  }
}

/* Fields not asked for are zero; a const plan evaluated from several threads gives the same
 * bits as one thread. */
static void test_flags_and_threads(void) {
  rc_error err = {0, ""};
  const rc_law l = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  rc_specsum *ss = rc_specsum_alloc_law(&l, 4096, &err);
  CHECK(ss != NULL);
  if (!ss)
    return;
  rc_specsum_sums s;
  CHECK_STATUS(rc_specsum_eval(ss, -0.01, 0.002, 0, &s, &err), RC_SUCCESS);
  CHECK(s.a2r == 0 && s.a3r == 0 && s.b0r == 0 && s.b2r == 0 && s.sim == 0 && s.c1r == 0 &&
        s.d1r == 0 && s.a1r != 0);
  enum { NPT = 64 };
  double seq[NPT], par[NPT];
  for (int k = 0; k < NPT; k++) {
    rc_specsum_eval(ss, -1e-3 * (k + 1), 1e-4 * k, ALL, &s, NULL);
    seq[k] = s.a1r + s.a2i + s.a3r + s.b0r + s.b1i + s.b2r + s.sim + s.c1r + s.d1i;
  }
#pragma omp parallel for num_threads(4)
  for (int k = 0; k < NPT; k++) {
    rc_specsum_sums t;
    rc_specsum_eval(ss, -1e-3 * (k + 1), 1e-4 * k, ALL, &t, NULL);
    par[k] = t.a1r + t.a2i + t.a3r + t.b0r + t.b1i + t.b2r + t.sim + t.c1r + t.d1i;
  }
  CHECK(memcmp(seq, par, sizeof seq) == 0);
  rc_specsum_free(ss);
}

/* RC_SPECSUM_LANES sums long explicit parts (here up to 131072 terms) in SIMD lanes: the same
 * values as the ordered sums to rounding (measured worst 1.4e-13 of the largest sum at a
 * point, both orders rounding ~1e5 terms of both signs near w; tolerance 3e-13), and ignored
 * for other combinations (bit-identical there). */
static void test_lanes(void) {
  rc_error err = {0, ""};
  const rc_law l = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 2.0, INFINITY};
  rc_specsum *ss = rc_specsum_alloc_law(&l, 1 << 17, &err);
  CHECK(ss != NULL);
  if (!ss)
    return;
  const double ws[][2] = {{-1e-7, 0}, {3e-7, 2e-8}, {1e-6, 1e-9}, {-2e-5, 1e-5}, {0.3, 1e-3}};
  const unsigned whats[] = {RC_SPECSUM_A2, RC_SPECSUM_B, RC_SPECSUM_A3};
  double worst = 0;
  for (size_t k = 0; k < sizeof ws / sizeof *ws; k++)
    for (size_t q = 0; q < 3; q++) {
      rc_specsum_sums a, b;
      CHECK_STATUS(rc_specsum_eval(ss, ws[k][0], ws[k][1], whats[q], &a, &err), RC_SUCCESS);
      CHECK_STATUS(rc_specsum_eval(ss, ws[k][0], ws[k][1], whats[q] | RC_SPECSUM_LANES, &b, &err),
                   RC_SUCCESS);
      const double *x = &a.a1r, *y = &b.a1r;
      const size_t nf = sizeof a / sizeof(double);
      double scale = 0;
      for (size_t f = 0; f < nf; f++)
        scale = fmax(scale, fabs(x[f]));
      for (size_t f = 0; f < nf; f++)
        worst = fmax(worst, fabs(x[f] - y[f]) / scale);
      if (q == 2) /* A3: not a lane combination, the ordered sums themselves */
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    }
  printf("    lanes against ordered sums: worst %.3g relative to the largest sum\n", worst);
  CHECK(worst <= 3e-13);
  rc_specsum_free(ss);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_values_against_direct);
  RUN_TEST(test_law_tail_against_values);
  RUN_TEST(test_flags_and_threads);
  RUN_TEST(test_lanes);
  TEST_MAIN_END("test_specsum");
}
