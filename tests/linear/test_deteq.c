/* Tests of the deterministic equivalent (src/deteq.c, docs/DETEQ.md). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>

#include "rc_test.h"
#include "riskcalc/riskcalc.h"

static rc_law power_law(double a, double b, double d) {
  rc_law l = {RC_SPECTRUM_POWER, a, a == b ? RC_PRIOR_ISOTROPIC : RC_PRIOR_SOURCE, b, d};
  return l;
}

static rc_law logpower_law(double a, double b, double d) {
  rc_law l = {RC_SPECTRUM_LOGPOWER, a, isnan(b) ? RC_PRIOR_ISOTROPIC : RC_PRIOR_SOURCE, b, d};
  return l;
}

/* ------------------------------------------------------------ errors */

static void test_law_plan_arguments(void) {
  rc_error err = {0, ""};
  rc_law l = power_law(1.5, 1.5, INFINITY);
  CHECK(rc_deteq_alloc_law(&l, 0.5, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_deteq_alloc_law(&l, INFINITY, &err) == NULL && err.status == RC_EINVAL);
  l = power_law(1.0, 1.0, INFINITY); /* rc_law_check fails (tests/core/test_law.c) */
  CHECK(rc_deteq_alloc_law(&l, 10, &err) == NULL && err.status == RC_EINVAL);
}

static void test_argument_errors(void) {
  rc_error err = {0, ""};
  rc_law l = power_law(1.5, 1.5, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&l, 50, &err);
  CHECK(de != NULL);
  if (!de)
    return;
  double k, ap, mr, mi;
  CHECK_STATUS(rc_deteq_kappa(de, 51, &k, &ap, &err), RC_EINVAL);
  CHECK_STATUS(rc_deteq_kappa(de, 0.5, &k, &ap, &err), RC_EINVAL);
  CHECK(rc_deteq_measure(de, 60, NULL, NULL, &err) == NULL && err.status == RC_EINVAL);
  rc_deteq_options o = rc_deteq_options_default();
  o.nodes = 1;
  CHECK(rc_deteq_measure(de, 20, &o, NULL, &err) == NULL && err.status == RC_EINVAL);
  o = rc_deteq_options_default();
  o.max_ratio = 1;
  CHECK(rc_deteq_measure(de, 20, &o, NULL, &err) == NULL && err.status == RC_EINVAL);
  o = rc_deteq_options_default();
  o.max_atoms = 20; /* far too few: the discretisation must refuse, not truncate */
  CHECK(rc_deteq_measure(de, 20, &o, NULL, &err) == NULL && err.status == RC_ENOCONV);
  CHECK_STATUS(rc_deteq_stieltjes(de, 20, 0.0, 0.0, &mr, &mi, &err), RC_EINVAL);
  CHECK_STATUS(rc_deteq_stieltjes(de, 20, 0.1, -1.0, &mr, &mi, &err), RC_EINVAL);
  double lam[8], sig[8];
  CHECK_STATUS(rc_deteq_top(de, 8, lam, sig, &err), RC_SUCCESS);
  CHECK_REL(lam[7], pow(8.0, -1.5), 1e-15);
  CHECK_STATUS(rc_deteq_top(de, rc_deteq_cutoff(de) + 1, NULL, NULL, &err), RC_EINVAL);
  rc_deteq_free(de);
  rc_spectrum *s = rc_spectrum_power_alloc(10, 1.5, &err);
  rc_prior *p = rc_prior_isotropic_alloc(11, &err);
  CHECK(rc_deteq_alloc_values(s, p, 5, &err) == NULL && err.status == RC_EINVAL);
  rc_prior_free(p);
  rc_spectrum_free(s);
}

/* --------------------------------------------- kappa against mpmath */

/* Runs tests/helpers/mpmath_kappa.py and reads kappa and E Approx. A
 * missing python3 or mpmath makes the check fail: it is not skipped. */
static int mpmath_reference(const char *kind, double a, const char *b, double M, double guess,
                            double *kappa, double *approx) {
  char args[256];
  snprintf(args, sizeof args, "%s %.17g %s %.17g %.17g", kind, a, b, M, guess);
  FILE *f = rc_test_helper("mpmath_kappa.py", args);
  if (!f)
    return -1;
  int n = fscanf(f, "%lf %lf", kappa, approx);
  int rc = pclose(f);
  if (n != 2 || rc != 0) {
    printf("    reference failed (exit %d): mpmath_kappa.py %s\n", rc, args);
    return -1;
  }
  return 0;
}

static void check_kappa(rc_law law, const char *kind, const char *b, double M) {
  rc_error err = {0, ""};
  rc_deteq *de = rc_deteq_alloc_law(&law, M, &err);
  CHECK(de != NULL);
  if (!de)
    return;
  double kappa, approx, rk, ra;
  CHECK_STATUS(rc_deteq_kappa(de, M, &kappa, &approx, &err), RC_SUCCESS);
  int ok = mpmath_reference(kind, law.a, b, M, kappa, &rk, &ra) == 0;
  CHECK(ok);
  if (ok) {
    CHECK_REL(kappa, rk, 1e-12);
    CHECK_REL(approx, ra, 1e-12);
  }
  rc_deteq_free(de);
}

static void test_kappa_mpmath(void) {
  check_kappa(power_law(1.5, 1.5, INFINITY), "power", "iso", 10);
  check_kappa(power_law(1.5, 1.5, INFINITY), "power", "iso", 1000);
  check_kappa(power_law(2.0, 3.0, INFINITY), "power", "3", 100);
  check_kappa(power_law(3.0, 3.0, INFINITY), "power", "iso", 100);
  check_kappa(power_law(1.2, 2.5, INFINITY), "power", "2.5", 300);
  check_kappa(logpower_law(2.0, NAN, INFINITY), "logpower", "iso", 100);
  check_kappa(logpower_law(2.5, 2.0, INFINITY), "logpower", "2", 50);
}

/* ---------------------------------------------- the measure itself */

/* mass identities and the exact-separation counts of the isolated bumps, at the default
 * rtol and at a tight one */
static void check_measure_at(const rc_deteq *de, double M, const char *what, double rtol,
                             double tol) {
  rc_error err = {0, ""};
  rc_deteq_info info;
  rc_deteq_options o = rc_deteq_options_default();
  o.rtol = rtol;
  const int failed_before = rc_test_checks_failed_;
  rc_sgd_measure *m = rc_deteq_measure(de, M, &o, &info, &err);
  CHECK(m != NULL);
  if (!m) {
    printf("    %s: %s\n", what, err.message);
    return;
  }
  const double d = rc_deteq_dimension(de);
  double mass = 0, smass = 0;
  int sorted = 1, positive = 1;
  for (size_t k = 0; k < m->n; k++) {
    mass += m->nu[k];
    smass += m->mu[k] * m->nu[k] * m->c0[k];
    positive &= m->mu[k] > 0 && m->nu[k] > 0 && m->c0[k] >= 0;
    if (k > 0)
      sorted &= m->mu[k] > m->mu[k - 1];
  }
  CHECK(positive);
  CHECK(sorted);
  CHECK_REL(mass, M < d ? M : d, tol);
  CHECK_REL(mass, info.mass, 1e-14);
  CHECK_REL(smass, rc_deteq_signal(de) - info.approx, tol);
  CHECK_ABS(info.separated_mass_error, 0.0, tol);
  CHECK_REL(m->approx, info.approx, 0.0);
  CHECK(m->rank == (size_t)llround(M < d ? M : d));
  CHECK(m->pseudo_inverse == (d < M));
  CHECK(info.atoms == m->n && info.atoms < 20000);
  if (rc_test_checks_failed_ > failed_before)
    printf("    (%s, rtol %g: mass %.3g, signal %.3g, bumps %.3g)\n", what, rtol,
           mass / (M < d ? M : d) - 1, smass / (rc_deteq_signal(de) - info.approx) - 1,
           info.separated_mass_error);
  rc_sgd_measure_free(m);
}

static void check_measure(const rc_deteq *de, double M, const char *what) {
  /* Panels are accepted when their n- and 2n-node estimates agree to rtol; the emitted
   * 2n-node rule is far more accurate (measured: mass and bump-count errors up to ~2e-7 at
   * the default rtol 1e-5, ~1e-12 at 1e-9), hence tolerances 1e-6 and 1e-11. */
  check_measure_at(de, M, what, rc_deteq_options_default().rtol, 1e-6);
  check_measure_at(de, M, what, 1e-9, 1e-11);
}

static void test_measure_identities(void) {
  rc_error err = {0, ""};
  struct {
    rc_law law;
    double M;
    const char *what;
  } cases[] = {
      {power_law(1.5, 1.5, INFINITY), 100, "power 1.5 d=inf M=100"},
      {power_law(1.5, 1.5, INFINITY), 2000, "power 1.5 d=inf M=2000"},
      {power_law(1.5, 2.5, INFINITY), 300, "power 1.5 b=2.5 d=inf"},
      {power_law(1.1, 1.1, INFINITY), 64, "power 1.1 d=inf"},
      {logpower_law(2.0, NAN, INFINITY), 100, "log-power 2 d=inf"},
      {logpower_law(2.0, 3.0, 1e7), 200, "log-power 2 b=3 d=1e7"},
      {power_law(1.5, 1.5, 50), 100, "d < M"},
      {power_law(1.5, 1.5, 100), 100, "d == M (hard edge)"},
      {power_law(0.8, 0.8, 5000), 400, "power 0.8 d=5000"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    rc_deteq *de = rc_deteq_alloc_law(&cases[k].law, cases[k].M, &err);
    CHECK(de != NULL);
    if (!de) {
      printf("    %s: %s\n", cases[k].what, err.message);
      continue;
    }
    check_measure(de, cases[k].M, cases[k].what);
    rc_deteq_free(de);
  }
  /* explicit values with ties and zeros */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 3);
  double lam[300], pv[300];
  for (int i = 0; i < 300; i++) {
    lam[i] = i % 7 == 0 ? 0.25 : i % 11 == 0 ? 0.0 : pow(gsl_rng_uniform_pos(rng), 3);
    pv[i] = 0.5 + gsl_rng_uniform(rng);
  }
  gsl_rng_free(rng);
  rc_spectrum *s = rc_spectrum_values_alloc(lam, 300, &err);
  rc_prior *p = rc_prior_values_alloc(pv, 300, &err);
  rc_deteq *de = rc_deteq_alloc_values(s, p, 64, &err);
  CHECK(de != NULL);
  if (de) {
    CHECK_REL(rc_deteq_dimension(de), 300 - 300 / 11 + 300 / 77, 0); /* zeros dropped */
    CHECK_REL(rc_deteq_signal(de), rc_prior_signal(s, p), 1e-14);
    check_measure(de, 64, "values with ties");
    check_measure(de, 48.5, "values, non-integer M");
    rc_deteq_free(de);
  }
  rc_prior_free(p);
  rc_spectrum_free(s);
}

/* Rules GSL tabulates (n = 6, 32) and rules computed here (n = 25, 31) give the same measure
 * identities: mass M and signal tr(HP) - Approx to the quadrature's accuracy. */
static void test_measure_nodes(void) {
  rc_error err = {0, ""};
  rc_law l = power_law(1.5, 2.0, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&l, 100, &err);
  CHECK(de != NULL);
  const size_t nodes[] = {6, 25, 31, 32};
  for (size_t k = 0; k < 4 && de; k++) {
    rc_deteq_options o = rc_deteq_options_default();
    o.nodes = nodes[k];
    rc_deteq_info info;
    rc_sgd_measure *m = rc_deteq_measure(de, 100, &o, &info, &err);
    CHECK(m != NULL);
    if (!m)
      continue;
    /* measured: mass and signal within 3.1e-9 (n = 6), 5e-13 (25), 1.3e-9 (31), 4e-15 (32) */
    CHECK_REL(info.mass, 100, 1e-8);
    CHECK_REL(info.signal_mass, info.signal_expected, 1e-8);
    rc_sgd_measure_free(m);
  }
  rc_deteq_free(de);
}

/* The law at finite d and the same spectrum given as values are the same computation. */
static void test_law_matches_values(void) {
  rc_error err = {0, ""};
  const size_t d = 3000;
  rc_law law = power_law(1.5, 2.2, (double)d);
  rc_spectrum *s = rc_spectrum_power_alloc(d, 1.5, &err);
  rc_prior *p = rc_prior_source_alloc(s, 2.2, &err);
  rc_deteq *a = rc_deteq_alloc_law(&law, 128, &err);
  rc_deteq *b = rc_deteq_alloc_values(s, p, 128, &err);
  CHECK(a && b);
  if (a && b) {
    CHECK_REL(rc_deteq_signal(a), rc_prior_signal(s, p), 1e-13);
    CHECK_REL(rc_deteq_trace(a), rc_spectrum_trace(s), 1e-13);
    CHECK(rc_deteq_tail_bound(a) == 0);
    double ka, aa, kb, ab;
    CHECK_STATUS(rc_deteq_kappa(a, 128, &ka, &aa, &err), RC_SUCCESS);
    CHECK_STATUS(rc_deteq_kappa(b, 128, &kb, &ab, &err), RC_SUCCESS);
    CHECK_REL(ka, kb, 1e-13);
    CHECK_REL(aa, ab, 1e-13);
  }
  rc_deteq_free(a);
  rc_deteq_free(b);
  rc_prior_free(p);
  rc_spectrum_free(s);
}

/* ------------------------------------------------- Stieltjes checks */

/* Independent solution of THEORY.md's delta(z) = (1/M) sum lambda / (lambda/(1+delta) - z)
 * by damped fixed-point iteration; m = -1/(z (1 + delta)). */
static void fixed_point_m(const double *lam, size_t d, double M, double x, double eta, double *mr,
                          double *mi) {
  double dr = 0, di = 0;
  for (int it = 0; it < 20000; it++) {
    /* 1/(1+delta) */
    const double er = 1 + dr, ei = di, e2 = er * er + ei * ei;
    const double ir = er / e2, ii = -ei / e2;
    double sr = 0, si = 0;
    for (size_t i = 0; i < d; i++) {
      const double ar = lam[i] * ir - x, ai = lam[i] * ii - eta, a2 = ar * ar + ai * ai;
      sr += lam[i] * ar / a2;
      si -= lam[i] * ai / a2;
    }
    sr /= M;
    si /= M;
    const double nr = 0.5 * dr + 0.5 * sr, ni = 0.5 * di + 0.5 * si;
    const double change = hypot(nr - dr, ni - di);
    dr = nr;
    di = ni;
    if (change < 1e-15 * hypot(dr, di))
      break;
  }
  /* z (1 + delta) */
  const double wr = x * (1 + dr) - eta * di, wi = x * di + eta * (1 + dr), w2 = wr * wr + wi * wi;
  *mr = -wr / w2;
  *mi = wi / w2;
}

static void test_stieltjes(void) {
  rc_error err = {0, ""};
  const size_t d = 400;
  const double M = 64;
  rc_spectrum *s = rc_spectrum_power_alloc(d, 1.5, &err);
  rc_prior *p = rc_prior_isotropic_alloc(d, &err);
  rc_deteq *de = rc_deteq_alloc_values(s, p, M, &err);
  for (int pass = 0; pass < 2 && de; pass++) {
    /* pass 0: default rtol (1e-5); pass 1: rtol 1e-9 */
    rc_deteq_options opt = rc_deteq_options_default();
    if (pass)
      opt.rtol = 1e-9;
    rc_deteq_info info;
    rc_sgd_measure *m = rc_deteq_measure(de, M, &opt, &info, &err);
    CHECK(m != NULL);
    if (!m)
      break;
    double worst_fp = 0, worst_atoms = 0, worst_signal = 0;
    for (double x = 0.5 * info.x_min; x < 2 * info.x_max; x *= 1.7) {
      /* the resolvent equation solved two ways */
      double mr, mi, fr, fi;
      CHECK_STATUS(rc_deteq_stieltjes(de, M, x, 0.5 * x, &mr, &mi, &err), RC_SUCCESS);
      fixed_point_m(s->lambda, d, M, x, 0.5 * x, &fr, &fi);
      worst_fp = fmax(worst_fp, hypot(mr - fr, mi - fi) / hypot(fr, fi));
      /* the atoms against the equation: (1/M) sum nu / (mu - z) at eta = 0.3 x, where the
       * kernel is smooth on the scale of the atoms' spacing */
      const double eta = 0.3 * x;
      CHECK_STATUS(rc_deteq_stieltjes(de, M, x, eta, &mr, &mi, &err), RC_SUCCESS);
      double ar = 0, ai = 0, sr = 0, si = 0;
      for (size_t k = 0; k < m->n; k++) {
        const double t = m->mu[k] - x, q = t * t + eta * eta, sg = m->mu[k] * m->nu[k] * m->c0[k];
        ar += m->nu[k] * t / q;
        ai += m->nu[k] * eta / q;
        sr += sg * t / q;
        si += sg * eta / q;
      }
      worst_atoms = fmax(worst_atoms, hypot(ar / M - mr, ai / M - mi) / hypot(mr, mi));
      /* signal: sum signal / (mu - z) = (w/z) B0(w) + Approx/z with w = -1/m and
       * B0(w) = sum lambda p / (lambda - w), summed here directly */
      const double m2 = mr * mr + mi * mi, wr = -mr / m2, wi = mi / m2;
      double br = 0, bi = 0;
      for (size_t i = 0; i < d; i++) {
        const double ur = s->lambda[i] - wr, ui = -wi, u2 = ur * ur + ui * ui;
        br += s->lambda[i] * p->p[i] * ur / u2;
        bi -= s->lambda[i] * p->p[i] * ui / u2;
      }
      const double z2 = x * x + eta * eta, zr = x / z2, zi = -eta / z2; /* 1/z */
      const double qr = wr * br - wi * bi + info.approx, qi = wr * bi + wi * br;
      const double tr = qr * zr - qi * zi, ti = qr * zi + qi * zr;
      worst_signal = fmax(worst_signal, hypot(sr - tr, si - ti) / hypot(tr, ti));
    }
    CHECK_ABS(worst_fp, 0, 1e-10);
    /* quadrature error of a kernel of width 0.3 x on panels of ratio <= 2: measured 1.5e-6
     * (signal) at the default rtol, 8e-9 at rtol 1e-9 */
    CHECK_ABS(worst_atoms, 0, pass ? 1e-7 : 1e-5);
    CHECK_ABS(worst_signal, 0, pass ? 1e-7 : 1e-5);
    if (rc_test_checks_failed_)
      printf("    rtol %g: atoms %.3g, signal %.3g\n", opt.rtol, worst_atoms, worst_signal);
    rc_sgd_measure_free(m);
  }
  rc_deteq_free(de);
  rc_prior_free(p);
  rc_spectrum_free(s);
}

/* --------------------------------------------------- finite and infinite d */

static int de_curve(rc_law law, double M, const char *sched, const uint64_t *Ns, size_t n,
                    rc_risk *rows) {
  rc_error err = {0, ""};
  rc_deteq *de = rc_deteq_alloc_law(&law, M, &err);
  rc_sgd_measure *m = de ? rc_deteq_measure(de, M, NULL, NULL, &err) : NULL;
  rc_schedule *s = rc_schedule_parse(sched, 0.2, &err);
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.25;
  int st = m && s ? rc_sgd_risk_curve(m, s, Ns, n, &o, rows, &err) : -1;
  if (st)
    printf("    %s\n", err.message);
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
  return st;
}

static void test_inf_vs_1e7(void) {
  const uint64_t Ns[] = {10, 100, 1000, 10000};
  rc_risk a[4], b[4];
  int ok = de_curve(power_law(3, 3, INFINITY), 100, "geometric", Ns, 4, a) == 0 &&
           de_curve(power_law(3, 3, 1e7), 100, "geometric", Ns, 4, b) == 0;
  CHECK(ok);
  if (!ok)
    return;
  /* the tail past 1e7 holds ~1e7^-2 / 2 of the signal: the two agree to rounding */
  for (int k = 0; k < 4; k++) {
    CHECK_REL(b[k].risk, a[k].risk, 1e-8);
    CHECK_REL(b[k].approx, a[k].approx, 1e-8);
    CHECK_REL(b[k].bias, a[k].bias, 1e-8);
    CHECK_REL(b[k].variance, a[k].variance, 1e-8);
  }
}

/* Truncation to d drops sum_{i>d} i^-b ~ d^(1-b)/(b-1) of the signal and
 * sum_{i>d} i^-a ~ d^(1-a)/(a-1) of the trace (which moves kappa): results converge to
 * d = inf at the rate d^(1-min(a, b)). Checked for b = a (both d^(1-b)) and b < a (the
 * signal's d^(1-b)). */
static void check_d_rate(double a, double b, double tol_risk, double tol_approx) {
  const double M = 100;
  const uint64_t Ns[] = {1000};
  rc_risk inf, fin[4];
  const double ds[4] = {1e4, 1e5, 1e6, 1e7};
  int ok = de_curve(power_law(a, b, INFINITY), M, "geometric", Ns, 1, &inf) == 0;
  for (int k = 0; k < 4 && ok; k++)
    ok = de_curve(power_law(a, b, ds[k]), M, "geometric", Ns, 1, &fin[k]) == 0;
  CHECK(ok);
  if (!ok)
    return;
  double x[4], y[4], ya[4];
  for (int k = 0; k < 4; k++) {
    x[k] = log(ds[k]);
    y[k] = log(inf.risk - fin[k].risk);
    ya[k] = log(inf.approx - fin[k].approx);
  }
  double c0, c1, cov00, cov01, cov11, ss;
  gsl_fit_linear(x, 1, y, 1, 4, &c0, &c1, &cov00, &cov01, &cov11, &ss);
  printf("    a = %g, b = %g: risk(inf) - risk(d) ~ d^%.5f", a, b, c1);
  CHECK_ABS(c1, 1 - b, tol_risk);
  gsl_fit_linear(x, 1, ya, 1, 4, &c0, &c1, &cov00, &cov01, &cov11, &ss);
  printf(", Approx ~ d^%.5f (expected %g)\n", c1, 1 - b);
  CHECK_ABS(c1, 1 - b, tol_approx);
}

static void test_d_convergence(void) {
  /* measured over d = 1e4..1e7 (pre-asymptotic corrections, not noise): risk slopes within
   * 1e-4 and 2e-5 of 1 - b, Approx slopes within 1.9e-3 and 2.1e-3 */
  check_d_rate(1.5, 1.5, 3e-4, 3e-3);
  check_d_rate(2.5, 1.8, 3e-4, 3e-3);
}

static void test_tail_bound(void) {
  rc_error err = {0, ""};
  rc_law laws[] = {power_law(1.5, 1.5, INFINITY), logpower_law(2, NAN, INFINITY),
                   logpower_law(3, 2.5, 1e9)};
  for (int k = 0; k < 3; k++) {
    rc_deteq *de = rc_deteq_alloc_law(&laws[k], 100, &err);
    CHECK(de != NULL);
    if (!de)
      continue;
    CHECK(rc_deteq_tail_bound(de) > 0 && rc_deteq_tail_bound(de) < 1e-12);
    CHECK(rc_deteq_cutoff(de) >= 4096 && rc_deteq_cutoff(de) < 1000000);
    rc_deteq_free(de);
  }
  /* zeta(1.5) and zeta(3) */
  rc_law z = power_law(1.5, 1.5, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&z, 10, &err);
  CHECK(de && fabs(rc_deteq_trace(de) / 2.6123753486854883433 - 1) < 1e-14);
  rc_deteq_free(de);
  z = power_law(2, 3, INFINITY);
  de = rc_deteq_alloc_law(&z, 10, &err);
  CHECK(de && fabs(rc_deteq_signal(de) / 1.2020569031595942854 - 1) < 1e-14);
  CHECK(de && fabs(rc_deteq_trace(de) / 1.6449340668482264365 - 1) < 1e-14);
  rc_deteq_free(de);
}

/* ------------------------------------- against the average of exact runs */

static void test_against_exact_average(void) {
  rc_error err = {0, ""};
  const size_t d = 400, M = 32, R = 60;
  const uint64_t Ns[] = {10, 100, 1000};
  rc_spectrum *s = rc_spectrum_power_alloc(d, 1.5, &err);
  rc_prior *p = rc_prior_source_alloc(s, 2.0, &err);
  rc_deteq *de = rc_deteq_alloc_values(s, p, (double)M, &err);
  rc_sgd_measure *dm = de ? rc_deteq_measure(de, (double)M, NULL, NULL, &err) : NULL;
  rc_schedule *sched = rc_schedule_parse("geometric", 0.1, &err);
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.1;
  o.batch = 2;
  rc_risk dr[3], er[3];
  CHECK(dm && sched && rc_sgd_risk_curve(dm, sched, Ns, 3, &o, dr, &err) == 0);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 11);
  double sum[3][4] = {{0}}, sq[3][4] = {{0}};
  for (size_t r = 0; r < R && dm; r++) {
    rc_sketch *sk = rc_sketch_gaussian_alloc(M, d, rng, &err);
    rc_sgd_measure *em = sk ? rc_sgd_measure_from_sketch(s, p, sk, &err) : NULL;
    CHECK(em && rc_sgd_risk_curve(em, sched, Ns, 3, &o, er, &err) == 0);
    for (int k = 0; k < 3 && em; k++) {
      const double v[4] = {er[k].risk, er[k].approx, er[k].bias, er[k].variance};
      for (int c = 0; c < 4; c++) {
        sum[k][c] += v[c];
        sq[k][c] += v[c] * v[c];
      }
    }
    rc_sgd_measure_free(em);
    rc_sketch_free(sk);
  }
  double worst[4] = {0};
  for (int k = 0; k < 3 && dm; k++) {
    const double v[4] = {dr[k].risk, dr[k].approx, dr[k].bias, dr[k].variance};
    for (int c = 0; c < 4; c++) {
      const double mean = sum[k][c] / R;
      const double se = sqrt(fmax(sq[k][c] / R - mean * mean, 0) / (R - 1.0));
      /* the accuracy claim of docs/DETEQ.md (2% risk and Approx, 5% bias and variance at
       * M >= 32) plus 3 standard errors of the 60-sketch mean */
      const double tol = (c < 2 ? 0.02 : 0.05) * mean + 3 * se;
      worst[c] = fmax(worst[c], fabs(v[c] / mean - 1));
      CHECK_ABS(v[c], mean, tol);
    }
  }
  printf("    DE vs mean of %zu exact runs (M = %zu): worst relative difference risk %.2g%%, "
         "Approx %.2g%%, bias %.2g%%, variance %.2g%%\n",
         R, M, 100 * worst[0], 100 * worst[1], 100 * worst[2], 100 * worst[3]);
  gsl_rng_free(rng);
  rc_schedule_free(sched);
  rc_sgd_measure_free(dm);
  rc_deteq_free(de);
  rc_prior_free(p);
  rc_spectrum_free(s);
}

/* ----------------------------------------------------------- exponents */

/* Exponents for b = a. In M: the N -> infinity limit of the risk (sigma2 = 0) is E Approx,
 * ~ M^(1-a). In N: at large M, approx + bias (the risk at sigma2 = 0) ~ (N_eff gamma)^((1-a)/a)
 * as long as (N_eff gamma)^(1/a) << M (bias alone is cut off by M: the signal past M sits in
 * Approx). */
static void test_exponents(void) {
  rc_error err = {0, ""};
  const double a = 1.5;
  rc_law law = power_law(a, a, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&law, 1e5, &err);
  CHECK(de != NULL);
  if (!de)
    return;
  double x[10], y[10];
  for (int k = 0; k < 10; k++) {
    const double M = 1e2 * pow(10, k / 3.0);
    double kappa, approx;
    CHECK_STATUS(rc_deteq_kappa(de, M, &kappa, &approx, &err), RC_SUCCESS);
    x[k] = log(M);
    y[k] = log(approx);
  }
  double c0, c1, cov00, cov01, cov11, ss;
  gsl_fit_linear(x, 1, y, 1, 10, &c0, &c1, &cov00, &cov01, &cov11, &ss);
  /* corrections are O(1/M): over M = 1e2..1e5 the fitted slope is 8e-4 from 1 - a (measured) */
  printf("    Approx ~ M^%.5f (expected %g)\n", c1, 1 - a);
  CHECK_ABS(c1, 1 - a, 1.2e-3);
  /* N: M = 4000, gamma = 0.5, N = 1e3..3e4, T^(1/a) <= 60 */
  rc_sgd_measure *m = rc_deteq_measure(de, 4000, NULL, NULL, &err);
  rc_schedule *s = rc_schedule_parse("geometric", 0.5, &err);
  const uint64_t Ns[] = {1000, 2300, 5300, 12000, 28000};
  rc_risk rows[5];
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0;
  CHECK(m && s && rc_sgd_risk_curve(m, s, Ns, 5, &o, rows, &err) == 0);
  if (m && s) {
    for (int k = 0; k < 5; k++) {
      x[k] = log(ceil((double)Ns[k] / log2((double)Ns[k])));
      y[k] = log(rows[k].risk);
    }
    gsl_fit_linear(x, 1, y, 1, 5, &c0, &c1, &cov00, &cov01, &cov11, &ss);
    /* pre-asymptotic curvature: local slopes run -0.36 .. -0.33 here (docs/DETEQ.md); the
     * fitted slope is 7.2e-3 from the rate (measured) */
    printf("    risk at sigma2 = 0 ~ N_eff^%.5f (expected %.5f)\n", c1, (1 - a) / a);
    CHECK_ABS(c1, (1 - a) / a, 0.01);
  }
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
}

/* rc_deteq_alloc_problem: a power law with a source prior goes through the law (tail summed
 * analytically: a cutoff below d), explicit values through the values (every eigenvalue), an
 * invalid law's error is reported, and missing inputs are refused. */
static void test_alloc_problem(void) {
  rc_error err = {0, ""};
  const size_t d = 100000;
  rc_spectrum *s = rc_spectrum_power_alloc(d, 1.5, &err);
  rc_prior *p = rc_prior_source_alloc(s, 1.2, &err);
  const rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_SOURCE, 1.2, (double)d};
  rc_deteq *a = rc_deteq_alloc_problem(s, p, 64, &err);
  rc_deteq *b = rc_deteq_alloc_law(&law, 64, &err);
  CHECK(a && b);
  if (a && b) {
    CHECK(rc_deteq_cutoff(a) == rc_deteq_cutoff(b) && rc_deteq_cutoff(a) < d);
    CHECK(rc_deteq_signal(a) == rc_deteq_signal(b));
  }
  rc_deteq_free(a);
  rc_deteq_free(b);
  double lam[3] = {1.0, 0.5, 0.25};
  rc_spectrum *v = rc_spectrum_values_alloc(lam, 3, &err);
  rc_prior *pv = rc_prior_isotropic_alloc(3, &err);
  a = rc_deteq_alloc_problem(v, pv, 2, &err);
  b = rc_deteq_alloc_values(v, pv, 2, &err);
  CHECK(a && b);
  if (a && b)
    CHECK(rc_deteq_cutoff(a) == 3 && rc_deteq_signal(a) == rc_deteq_signal(b));
  rc_deteq_free(a);
  rc_deteq_free(b);
  CHECK(rc_deteq_alloc_problem(NULL, pv, 2, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_deteq_alloc_problem(v, pv, 0.5, &err) == NULL && err.status == RC_EINVAL);
  rc_prior_free(pv);
  rc_spectrum_free(v);
  rc_prior_free(p);
  rc_spectrum_free(s);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_law_plan_arguments);
  RUN_TEST(test_argument_errors);
  RUN_TEST(test_alloc_problem);
  RUN_TEST(test_kappa_mpmath);
  RUN_TEST(test_measure_identities);
  RUN_TEST(test_measure_nodes);
  RUN_TEST(test_law_matches_values);
  RUN_TEST(test_stieltjes);
  RUN_TEST(test_inf_vs_1e7);
  RUN_TEST(test_d_convergence);
  RUN_TEST(test_tail_bound);
  RUN_TEST(test_against_exact_average);
  RUN_TEST(test_exponents);
  TEST_MAIN_END("test_deteq");
}
