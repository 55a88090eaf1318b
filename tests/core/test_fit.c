/* Unit tests of the fit module: exact power laws recovered to rounding, the weighted fit
 * against its closed form, coverage of the 95% intervals over many seeded noisy repetitions,
 * the joint scaling-law fit (exact and noisy, E free and fixed), non-convergence and every
 * error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "rc_test.h"
#include "riskcalc/riskcalc.h"

/* An exact power law goes through logs and a 2 x 2 solve: the slope carries a few eps of
 * relative rounding per log (|log y| < 10 here), far below 1e-12. */
#define EXACT_RTOL 1e-12
/* The joint fit stops on the step test xtol = 1e-13 (relative); the remaining error on exact
 * data is the rounding of the residuals (eps |y| / |dy/dparam|) amplified by the condition
 * number of the Jacobian (about 1e4 for these grids): 1e-8 bounds it with margin. */
#define JOINT_RTOL 1e-8

/* Coverage experiments: T independent trials, each interval covering the truth with
 * probability 0.95 when the method is right. The count is Binomial(T, 0.95): mean 0.95 T,
 * sd sqrt(T 0.95 0.05). The band is mean +- 3 sd (two-sided false alarm 0.3%; the seeds are
 * fixed, so the outcome is deterministic anyway). For T = 400: sd 4.36, band [367, 393]; a
 * normal quantile used in place of the t quantile with 3 degrees of freedom would cover only
 * 85.5% (342 of 400) and fails the band. */
#define COVER_TRIALS 400
#define COVER_LO 367
#define COVER_HI 393

static const double X7[7] = {3.7, 11.2, 45.9, 130.4, 777.7, 2391.5, 10007.3};

static void test_power_exact(void) {
  const double e = 0.7351, c = 2.385, floor_ = 0.1234;
  double y[7];
  for (int i = 0; i < 7; i++)
    y[i] = floor_ + c * pow(X7[i], -e);
  rc_fit_options opt = rc_fit_options_default();
  opt.floor = floor_;
  rc_fit_power r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_fit_power_law(X7, y, NULL, 7, &opt, &r, &err), RC_SUCCESS);
  CHECK_REL(r.exponent, e, EXACT_RTOL);
  CHECK_REL(r.prefactor, c, EXACT_RTOL);
  CHECK_REL(r.log_prefactor, log(c), EXACT_RTOL);
  CHECK(r.n == 7 && r.dof == 5 && r.dropped == 0 && !r.weighted);
  CHECK(r.interval == RC_FIT_INTERVAL_STUDENT);
  CHECK_ABS(r.exponent_se, 0, 1e-12);
  CHECK_ABS(r.chi2, 0, 1e-24);
  CHECK_REL(r.r2, 1, 1e-14);
  CHECK(r.exponent_lo <= r.exponent && r.exponent <= r.exponent_hi);
  CHECK_REL(r.quantile, gsl_cdf_tdist_Pinv(0.975, 5), 1e-15);
  /* The same curve without its floor is not a power law: the fit must see it. */
  opt.floor = 0;
  CHECK_STATUS(rc_fit_power_law(X7, y, NULL, 7, &opt, &r, &err), RC_SUCCESS);
  CHECK(fabs(r.exponent - e) > 0.1);
  CHECK(r.chi2 > 1e-3);
}

static void test_power_two_points(void) {
  const double x[2] = {17.3, 901.1}, e = 1.237, c = 0.481;
  const double y[2] = {c * pow(x[0], -e), c * pow(x[1], -e)};
  rc_fit_power r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 2, NULL, &r, &err), RC_SUCCESS);
  CHECK_REL(r.exponent, e, EXACT_RTOL);
  CHECK_REL(r.prefactor, c, EXACT_RTOL);
  CHECK(r.dof == 0 && r.interval == RC_FIT_INTERVAL_NONE);
  CHECK(isnan(r.exponent_lo) && isnan(r.exponent_hi) && isnan(r.exponent_se));
  CHECK(isnan(r.chi2_dof));
  /* Known standard errors: an interval exists; var(slope) = (s1^2 + s2^2) / (log x2/x1)^2
   * with s_i = se_i / y_i. */
  const double se[2] = {0.031 * y[0], 0.017 * y[1]};
  CHECK_STATUS(rc_fit_power_law(x, y, se, 2, NULL, &r, &err), RC_SUCCESS);
  CHECK(r.interval == RC_FIT_INTERVAL_NORMAL);
  CHECK_REL(r.exponent, e, EXACT_RTOL);
  const double want = sqrt(0.031 * 0.031 + 0.017 * 0.017) / log(x[1] / x[0]);
  CHECK_REL(r.exponent_se, want, 1e-13);
  CHECK_REL(r.exponent_hi - r.exponent, 1.959963984540054 * want, 1e-13);
}

/* Weighted fit against the closed-form weighted least squares computed here; equal weights
 * reproduce the unweighted estimate; a point with a huge standard error loses its influence. */
static void test_power_weighted(void) {
  const double e = 0.4419, c = 3.17;
  const double s[7] = {0.05, 0.21, 0.013, 0.11, 0.07, 0.33, 0.02}; /* se of log y */
  const double bump[7] = {0.03, -0.08, 0.011, 0.12, -0.05, 0.2, -0.017};
  double y[7], se[7];
  for (int i = 0; i < 7; i++) {
    y[i] = c * pow(X7[i], -e) * exp(bump[i]);
    se[i] = s[i] * y[i];
  }
  rc_fit_power r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_fit_power_law(X7, y, se, 7, NULL, &r, &err), RC_SUCCESS);
  /* Normal equations of min sum w (ly - b0 - b1 lx)^2 with w = 1/s^2. */
  double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  for (int i = 0; i < 7; i++) {
    const double w = 1 / (s[i] * s[i]), lx = log(X7[i]), ly = log(y[i]);
    S += w, Sx += w * lx, Sy += w * ly, Sxx += w * lx * lx, Sxy += w * lx * ly;
  }
  const double det = S * Sxx - Sx * Sx, b1 = (S * Sxy - Sx * Sy) / det;
  const double b0 = (Sxx * Sy - Sx * Sxy) / det;
  double chi2 = 0;
  for (int i = 0; i < 7; i++) {
    const double res = log(y[i]) - b0 - b1 * log(X7[i]);
    chi2 += res * res / (s[i] * s[i]);
  }
  /* The normal equations lose up to cond(X^T W X) ~ 1e4 times eps: 1e-10. */
  CHECK_REL(r.exponent, -b1, 1e-10);
  CHECK_REL(r.log_prefactor, b0, 1e-10);
  CHECK_REL(r.exponent_se, sqrt(S / det), 1e-10);
  CHECK_REL(r.chi2, chi2, 1e-10);
  CHECK(r.interval == RC_FIT_INTERVAL_NORMAL && r.weighted);
  CHECK_REL(r.quantile, gsl_cdf_ugaussian_Pinv(0.975), 1e-15);
  /* Relative standard errors: same estimate, covariance scaled by chi2/dof, t quantile. */
  rc_fit_options opt = rc_fit_options_default();
  opt.se_relative = 1;
  rc_fit_power rr;
  CHECK_STATUS(rc_fit_power_law(X7, y, se, 7, &opt, &rr, &err), RC_SUCCESS);
  CHECK_REL(rr.exponent, r.exponent, 1e-15);
  CHECK_REL(rr.exponent_se, r.exponent_se * sqrt(chi2 / 5), 1e-10);
  CHECK(rr.interval == RC_FIT_INTERVAL_STUDENT);
  /* The unweighted fit of the same data differs (the weights matter). */
  rc_fit_power ru;
  CHECK_STATUS(rc_fit_power_law(X7, y, NULL, 7, NULL, &ru, &err), RC_SUCCESS);
  CHECK(fabs(ru.exponent - r.exponent) > 1e-3);
  /* Equal standard errors in log: the unweighted estimate, with se = s / sqrt(Sxx_c). */
  double eq[7], lxm = 0, sxx = 0;
  for (int i = 0; i < 7; i++) {
    eq[i] = 0.05 * y[i];
    lxm += log(X7[i]) / 7;
  }
  for (int i = 0; i < 7; i++)
    sxx += (log(X7[i]) - lxm) * (log(X7[i]) - lxm);
  CHECK_STATUS(rc_fit_power_law(X7, y, eq, 7, NULL, &r, &err), RC_SUCCESS);
  CHECK_REL(r.exponent, ru.exponent, 1e-13);
  CHECK_REL(r.exponent_se, 0.05 / sqrt(sxx), 1e-12);
  /* An outlier with a huge standard error has no influence on the weighted fit. */
  double yo[7], seo[7];
  for (int i = 0; i < 7; i++) {
    yo[i] = c * pow(X7[i], -e);
    seo[i] = 0.01 * yo[i];
  }
  yo[6] *= 1.5; /* the point of largest leverage */
  seo[6] = 1e6 * yo[6];
  CHECK_STATUS(rc_fit_power_law(X7, yo, seo, 7, NULL, &r, &err), RC_SUCCESS);
  CHECK_REL(r.exponent, e, 1e-9); /* residual influence ~ weight ratio 1e-12 */
  CHECK_STATUS(rc_fit_power_law(X7, yo, NULL, 7, NULL, &ru, &err), RC_SUCCESS);
  CHECK(fabs(ru.exponent - e) > 1e-2);
}

/* Unknown noise: log-normal multiplicative noise makes log y exactly Gaussian, so the t
 * interval with n - 2 = 3 degrees of freedom has exact 95% coverage. */
/* Coverage of the 95% interval of the exponent over COVER_TRIALS noisy data sets, one table
 * row per design:
 *  - unweighted: log-normal noise of one unknown level, Student t interval;
 *  - weighted: known heteroscedastic noise, se_i / y_i is exactly the sd of log y_i, so the
 *    weighted normal interval has exact 95% coverage. */
typedef struct {
  const char *name;
  size_t n;
  double x[8], sd[8]; /* sd of log y_i */
  double e, c;
  int weighted;
  unsigned long seed;
} coverage_case;

static const coverage_case coverage_cases[] = {
    {"unweighted",
     5,
     {10, 31.6, 100, 316, 1000},
     {0.1, 0.1, 0.1, 0.1, 0.1},
     0.8124,
     1.93,
     0,
     20240611},
    {"weighted",
     6,
     {8, 20, 55, 150, 400, 1100},
     {0.02, 0.3, 0.05, 0.15, 0.01, 0.08},
     0.3571,
     0.77,
     1,
     777},
};

static void test_power_coverage(void) {
  for (size_t k = 0; k < sizeof coverage_cases / sizeof coverage_cases[0]; k++) {
    const coverage_case *cc = &coverage_cases[k];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, cc->seed);
    int covered = 0, failures = 0;
    for (int t = 0; t < COVER_TRIALS; t++) {
      double y[8], se[8];
      for (size_t i = 0; i < cc->n; i++) {
        y[i] = cc->c * pow(cc->x[i], -cc->e) * exp(gsl_ran_gaussian(rng, cc->sd[i]));
        se[i] = cc->sd[i] * y[i];
      }
      rc_fit_power r;
      if (rc_fit_power_law(cc->x, y, cc->weighted ? se : NULL, cc->n, NULL, &r, NULL)) {
        failures++;
        continue;
      }
      covered += r.exponent_lo <= cc->e && cc->e <= r.exponent_hi;
    }
    gsl_rng_free(rng);
    printf("    %s coverage %d of %d (binomial band %d..%d)\n", cc->name, covered, COVER_TRIALS,
           COVER_LO, COVER_HI);
    CHECK(failures == 0);
    CHECK(covered >= COVER_LO && covered <= COVER_HI);
  }
}

static void test_power_level_and_drop(void) {
  const double e = 0.6, c = 1.1;
  double y[7];
  const double bump[7] = {0.01, -0.02, 0.015, 0.0, -0.01, 0.02, -0.005};
  for (int i = 0; i < 7; i++)
    y[i] = c * pow(X7[i], -e) * exp(bump[i]);
  rc_fit_options opt = rc_fit_options_default();
  rc_fit_power r95, r99;
  CHECK_STATUS(rc_fit_power_law(X7, y, NULL, 7, &opt, &r95, NULL), RC_SUCCESS);
  opt.level = 0.99;
  CHECK_STATUS(rc_fit_power_law(X7, y, NULL, 7, &opt, &r99, NULL), RC_SUCCESS);
  CHECK_REL((r99.exponent_hi - r99.exponent_lo) / (r95.exponent_hi - r95.exponent_lo),
            gsl_cdf_tdist_Pinv(0.995, 5) / gsl_cdf_tdist_Pinv(0.975, 5), 1e-12);
  /* Dropping: two unusable points (x <= 0, y - floor <= 0) are skipped and counted; the fit
   * equals the fit of the remaining points. */
  double xd[9], yd[9];
  memcpy(xd, X7, sizeof X7);
  memcpy(yd, y, sizeof y);
  xd[7] = 0, yd[7] = 1;
  xd[8] = 5, yd[8] = -0.5;
  opt = rc_fit_options_default();
  rc_error err = {0, ""};
  rc_fit_power rd;
  CHECK_STATUS(rc_fit_power_law(xd, yd, NULL, 9, &opt, &rd, &err), RC_EINVAL);
  CHECK(strstr(err.message, "point 7") != NULL);
  opt.drop_nonpositive = 1;
  CHECK_STATUS(rc_fit_power_law(xd, yd, NULL, 9, &opt, &rd, &err), RC_SUCCESS);
  CHECK(rd.dropped == 2 && rd.n == 7);
  CHECK_REL(rd.exponent, r95.exponent, 1e-15);
  CHECK_REL(rd.exponent_hi, r95.exponent_hi, 1e-15);
}

static void test_power_errors(void) {
  const double x[4] = {1, 2, 4, 8}, y[4] = {1, 0.5, 0.25, 0.125};
  rc_fit_power r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 4, NULL, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_fit_power_law(NULL, y, NULL, 4, NULL, &r, &err), RC_EINVAL);
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 0, NULL, &r, &err), RC_EINVAL);
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 1, NULL, &r, &err), RC_EINVAL); /* too few */
  CHECK(strstr(err.message, "at least 2") != NULL);
  const double xneg[4] = {1, -2, 4, 8};
  CHECK_STATUS(rc_fit_power_law(xneg, y, NULL, 4, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "point 1") != NULL);
  rc_fit_options opt = rc_fit_options_default();
  opt.floor = 0.25; /* y - floor = 0 at point 2 */
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 4, &opt, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "point 2") != NULL);
  const double ynan[4] = {1, NAN, 0.25, 0.125};
  CHECK_STATUS(rc_fit_power_law(x, ynan, NULL, 4, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "not finite") != NULL);
  opt.drop_nonpositive = 1; /* NaN is refused even when dropping */
  opt.floor = 0;
  CHECK_STATUS(rc_fit_power_law(x, ynan, NULL, 4, &opt, &r, &err), RC_EINVAL);
  const double xeq[4] = {3, 3, 3, 3};
  CHECK_STATUS(rc_fit_power_law(xeq, y, NULL, 4, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "same x") != NULL);
  const double se0[4] = {0.1, 0, 0.1, 0.1}, seinf[4] = {0.1, 0.1, INFINITY, 0.1};
  CHECK_STATUS(rc_fit_power_law(x, y, se0, 4, NULL, &r, &err), RC_EINVAL);
  CHECK_STATUS(rc_fit_power_law(x, y, seinf, 4, NULL, &r, &err), RC_EINVAL);
  opt = rc_fit_options_default();
  opt.level = 1;
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 4, &opt, &r, &err), RC_EINVAL);
  opt.level = 0.95;
  opt.floor = INFINITY;
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 4, &opt, &r, &err), RC_EINVAL);
  /* A null error record is allowed. */
  CHECK_STATUS(rc_fit_power_law(xeq, y, NULL, 4, NULL, &r, NULL), RC_EINVAL);
  CHECK(strcmp(rc_fit_interval_name(RC_FIT_INTERVAL_STUDENT), "Student t") == 0);
  CHECK(strcmp(rc_fit_param_name(RC_FIT_BETA), "beta") == 0);
  CHECK(strcmp(rc_fit_param_name(7), "?") == 0);
}

/* ---- joint fit ---- */

static const double TRUTH[RC_FIT_NPARAM] = {0.1234, 2.385, 0.5123, 1.732, 0.3377};

/* A 6 x 6 grid: x log-spaced on [1e2, 1e5], x2 on [10, 1e4]; y from the truth. */
static void joint_grid(double *x, double *x2, double *y, const double *p) {
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) {
      const int k = 6 * i + j;
      x[k] = 100 * pow(10, 0.6 * i);
      x2[k] = 10 * pow(10, 0.6 * j);
      y[k] = p[0] + p[1] * pow(x[k], -p[2]) + p[3] * pow(x2[k], -p[4]);
    }
}

static void test_joint_exact(void) {
  double x[36], x2[36], y[36];
  joint_grid(x, x2, y, TRUTH);
  rc_fit_joint r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, NULL, &r, &err), RC_SUCCESS);
  if (err.message[0])
    printf("    %s\n", err.message);
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    CHECK_REL(r.value[k], TRUTH[k], JOINT_RTOL);
  CHECK(r.converged && r.nparam == 5 && r.dof == 31 && r.interval == RC_FIT_INTERVAL_STUDENT);
  CHECK_ABS(r.chi2, 0, 1e-24);
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    CHECK(r.lo[k] <= r.value[k] && r.value[k] <= r.hi[k]);
  /* The automatic start lies within one grid cell (factor 1.19) of the exponents. */
  CHECK(fabs(log(r.start[RC_FIT_ALPHA] / TRUTH[RC_FIT_ALPHA])) < 0.2);
  CHECK(fabs(log(r.start[RC_FIT_BETA] / TRUTH[RC_FIT_BETA])) < 0.2);
  /* E fixed at its true value: 4 parameters, E reported with se 0. */
  rc_fit_joint_options opt = rc_fit_joint_options_default();
  opt.fix_E = 1;
  opt.E = TRUTH[RC_FIT_E];
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &r, &err), RC_SUCCESS);
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    CHECK_REL(r.value[k], TRUTH[k], JOINT_RTOL);
  CHECK(r.nparam == 4 && r.dof == 32 && r.se[RC_FIT_E] == 0 && r.cov[RC_FIT_E][RC_FIT_A] == 0);
  /* E fixed at a wrong value: the other parameters absorb it and chi2 > 0. */
  opt.E = 0;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &r, &err), RC_SUCCESS);
  CHECK(r.chi2 > 1e-6);
}

/* Known Gaussian noise on y: the normal intervals (weighted by se) and the Student intervals
 * (unweighted, noise estimated) both cover the truth about 95% of the time. Linearised
 * intervals are asymptotic; the noise (0.2% of the smallest y) keeps the fit in its linear
 * regime. 200 trials, started at the truth to keep the test fast (the minimum reached does
 * not depend on the start here; the automatic start is tested above): Binomial(200, 0.95) has
 * sd 3.08, band mean +- 3 sd = [181, 199]. */
static void test_joint_coverage(void) {
  double x[36], x2[36], y0[36], y[36], se[36];
  joint_grid(x, x2, y0, TRUTH);
  const double sd = 3e-4;
  for (int i = 0; i < 36; i++)
    se[i] = sd;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 4242);
  rc_fit_joint_options opt = rc_fit_joint_options_default();
  opt.start = TRUTH;
  int cover_w[RC_FIT_NPARAM] = {0}, cover_u[RC_FIT_NPARAM] = {0}, failures = 0;
  const int trials = 200;
  for (int t = 0; t < trials; t++) {
    for (int i = 0; i < 36; i++)
      y[i] = y0[i] + gsl_ran_gaussian(rng, sd);
    rc_fit_joint rw, ru;
    if (rc_fit_joint_power_law(x, x2, y, se, 36, &opt, &rw, NULL) ||
        rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &ru, NULL)) {
      failures++;
      continue;
    }
    for (int k = 0; k < RC_FIT_NPARAM; k++) {
      cover_w[k] += rw.lo[k] <= TRUTH[k] && TRUTH[k] <= rw.hi[k];
      cover_u[k] += ru.lo[k] <= TRUTH[k] && TRUTH[k] <= ru.hi[k];
    }
  }
  gsl_rng_free(rng);
  CHECK(failures == 0);
  for (int k = 0; k < RC_FIT_NPARAM; k++) {
    if (cover_w[k] < 181 || cover_w[k] > 199 || cover_u[k] < 181 || cover_u[k] > 199)
      printf("    %s: coverage %d (known se), %d (estimated) of %d\n", rc_fit_param_name(k),
             cover_w[k], cover_u[k], trials);
    CHECK(cover_w[k] >= 181 && cover_w[k] <= 199);
    CHECK(cover_u[k] >= 181 && cover_u[k] <= 199);
  }
}

/* One noisy data set: the estimates lie within their intervals of the truth, and the
 * weighted chi2 per degree of freedom is near 1 (chi2_31 / 31 lies in [0.5, 1.6] with
 * probability > 0.99). */
static void test_joint_noisy(void) {
  double x[36], x2[36], y[36], se[36];
  joint_grid(x, x2, y, TRUTH);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 99);
  for (int i = 0; i < 36; i++) {
    se[i] = 1e-3 * y[i]; /* heteroscedastic, 0.1% of y */
    y[i] += gsl_ran_gaussian(rng, se[i]);
  }
  gsl_rng_free(rng);
  rc_fit_joint r;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, se, 36, NULL, &r, &err), RC_SUCCESS);
  CHECK(r.interval == RC_FIT_INTERVAL_NORMAL && r.weighted);
  for (int k = 0; k < RC_FIT_NPARAM; k++) {
    CHECK(r.lo[k] <= TRUTH[k] && TRUTH[k] <= r.hi[k]);
    CHECK(r.se[k] > 0 && r.se[k] < 0.2 * fabs(TRUTH[k]));
  }
  CHECK(r.chi2_dof > 0.5 && r.chi2_dof < 1.6);
}

static void test_joint_noconv_and_errors(void) {
  double x[36], x2[36], y[36];
  joint_grid(x, x2, y, TRUTH);
  rc_fit_joint r;
  rc_error err = {0, ""};
  /* One iteration from a poor start: not converged, reported with its residual. */
  rc_fit_joint_options opt = rc_fit_joint_options_default();
  const double start[RC_FIT_NPARAM] = {1, 1, 2, 1, 2};
  opt.start = start;
  opt.max_iter = 1;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &r, &err), RC_ENOCONV);
  CHECK(strstr(err.message, "did not converge") != NULL && strstr(err.message, "chi2") != NULL);
  CHECK(!r.converged && r.chi2 > 0 && isfinite(r.chi2) && isnan(r.se[RC_FIT_ALPHA]));
  CHECK(r.start[RC_FIT_ALPHA] == 2);
  /* The same start converges with the default iteration budget. */
  opt.max_iter = rc_fit_joint_options_default().max_iter;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &r, &err), RC_SUCCESS);
  CHECK_REL(r.value[RC_FIT_ALPHA], TRUTH[RC_FIT_ALPHA], JOINT_RTOL);

  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 4, NULL, &r, &err), RC_EINVAL); /* < 5 */
  CHECK(strstr(err.message, "at least 5") != NULL);
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, NULL, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_fit_joint_power_law(x, NULL, y, NULL, 36, NULL, &r, &err), RC_EINVAL);
  double bad[36];
  memcpy(bad, x2, sizeof bad);
  bad[17] = 0;
  CHECK_STATUS(rc_fit_joint_power_law(x, bad, y, NULL, 36, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "point 17") != NULL);
  memcpy(bad, y, sizeof bad);
  bad[5] = NAN;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, bad, NULL, 36, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "not finite") != NULL);
  double se[36];
  for (int i = 0; i < 36; i++)
    se[i] = 0.01;
  se[3] = -1;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, se, 36, NULL, &r, &err), RC_EINVAL);
  /* Issue 13: E held at or above every y was fitted with negative terms and exit 0. */
  rc_fit_joint_options high = rc_fit_joint_options_default();
  high.fix_E = 1;
  high.E = 1e3;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &high, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "not below the largest y") != NULL);
  /* Singular designs: all x2 equal; only two distinct x values (A and alpha not separable
   * from E). */
  double same[36], two[36];
  for (int i = 0; i < 36; i++) {
    same[i] = 77;
    two[i] = i % 2 ? 10 : 1000;
  }
  CHECK_STATUS(rc_fit_joint_power_law(x, same, y, NULL, 36, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "same x2") != NULL);
  for (int i = 0; i < 36; i++)
    y[i] = TRUTH[0] + TRUTH[1] * pow(two[i], -TRUTH[2]) + TRUTH[3] * pow(x2[i], -TRUTH[4]);
  CHECK_STATUS(rc_fit_joint_power_law(two, x2, y, NULL, 36, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "rank deficient") != NULL);
  /* Data without an x term: A = 0 leaves alpha undetermined even though chi2 = 0. */
  for (int i = 0; i < 36; i++)
    y[i] = TRUTH[0] + TRUTH[3] * pow(x2[i], -TRUTH[4]);
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, NULL, &r, &err), RC_EINVAL);
  CHECK(strstr(err.message, "alpha is not identified") != NULL);
  opt = rc_fit_joint_options_default();
  opt.level = 0;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &r, &err), RC_EINVAL);
  opt = rc_fit_joint_options_default();
  opt.fix_E = 1;
  opt.E = NAN;
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, 36, &opt, &r, &err), RC_EINVAL);
}

int main(void) {
  TEST_MAIN_BEGIN();
  /* A GSL error inside the library would abort here: the library must never raise one. */
  RUN_TEST(test_power_exact);
  RUN_TEST(test_power_two_points);
  RUN_TEST(test_power_weighted);
  RUN_TEST(test_power_coverage);
  RUN_TEST(test_power_level_and_drop);
  RUN_TEST(test_power_errors);
  RUN_TEST(test_joint_exact);
  RUN_TEST(test_joint_coverage);
  RUN_TEST(test_joint_noisy);
  RUN_TEST(test_joint_noconv_and_errors);
  TEST_MAIN_END("test_fit");
}
