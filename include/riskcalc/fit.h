/* riskcalc/fit.h -- fitting power laws to risk curves: exponents with confidence intervals.
 *
 * docs/FIT.md. Two fits:
 *
 *  - Single power law  y - floor = c x^-e  with a fixed, known floor: ordinary (or weighted)
 *    linear least squares of log(y - floor) on log x (gsl_fit_wlinear). The slope is -e.
 *    Standard errors of y (optional) become standard errors of log(y - floor) by the delta
 *    method, se_log = se / (y - floor), and weights 1 / se_log^2.
 *
 *  - Joint scaling law  y = E + A x^-alpha + B x2^-beta  over a set of (x, x2) points (for
 *    example a grid of model sizes M and numbers of steps N), by nonlinear least squares
 *    with GSL's trust-region solver (gsl_multifit_nlinear, Levenberg-Marquardt). E may be
 *    fixed. Starting values come from a grid search over (alpha, beta) in which the model is
 *    linear in (E, A, B) (variable projection), so no user guess is needed.
 *
 * Confidence intervals: estimate +- q se with
 *  - q the Student t quantile with n - p degrees of freedom when the noise level is unknown
 *    (no standard errors, or standard errors taken as relative weights only): the covariance
 *    is then scaled by the residual variance chi2 / (n - p);
 *  - q the normal quantile when standard errors are given and taken as absolute (the noise
 *    variance is known; the covariance is not rescaled).
 * p = 2 for the single fit; 5 (4 with E fixed) for the joint fit, whose intervals are the
 * usual linearised (asymptotic) ones.
 *
 * All inputs are caller-owned arrays, results are plain structs; nothing is printed. */
#ifndef RISKCALC_FIT_H
#define RISKCALC_FIT_H

#include "riskcalc/api.h"

#include <stddef.h>

#include "riskcalc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a confidence interval was obtained. */
typedef enum {
  RC_FIT_INTERVAL_NONE = 0, /* no interval: unknown noise and n - p = 0 degrees of freedom */
  RC_FIT_INTERVAL_STUDENT,  /* noise variance estimated from the residuals: Student t, n - p */
  RC_FIT_INTERVAL_NORMAL    /* absolute standard errors given (known variance): normal */
} rc_fit_interval;

/* Short description of an interval kind ("Student t", "normal", "none"). */
RC_API const char *rc_fit_interval_name(rc_fit_interval kind);

/* Options of the single power-law fit. Obtain defaults from rc_fit_options_default. */
typedef struct {
  double floor;         /* subtracted from y before taking logs; finite (default 0) */
  double level;         /* confidence level in (0, 1) (default 0.95) */
  int se_relative;      /* 1: standard errors are relative weights only, so the covariance is
                           rescaled by chi2 / (n - 2) and the t quantile is used (default 0) */
  int drop_nonpositive; /* 1: skip points with x <= 0 or y - floor <= 0 instead of refusing
                           them; their count goes to result->dropped (default 0) */
} rc_fit_options;

RC_API rc_fit_options rc_fit_options_default(void);

/* Result of the single fit  y - floor = c x^-e  (logs are natural logs). */
typedef struct {
  size_t n;       /* points used */
  size_t dropped; /* points skipped by drop_nonpositive */
  size_t dof;     /* n - 2 */
  int weighted;   /* 1 when standard errors were given */
  rc_fit_interval interval;
  double level;    /* confidence level of the intervals */
  double quantile; /* q: the interval is estimate +- q se (NaN without interval) */
  double exponent; /* e */
  double exponent_se;
  double exponent_lo, exponent_hi; /* interval for e (NaN without interval) */
  double log_prefactor;            /* log c */
  double log_prefactor_se;
  double log_prefactor_lo, log_prefactor_hi;
  double prefactor;  /* c = exp(log c) */
  double cov_logc_e; /* covariance of (log c, e) */
  double chi2;       /* sum_i w_i r_i^2 of the residuals r on log axes (w_i = 1 unweighted) */
  double chi2_dof;   /* chi2 / dof (NaN when dof == 0) */
  double r2;         /* weighted coefficient of determination on log axes (NaN when all
                        log(y - floor) are equal) */
} rc_fit_power;

/* Fits y_i - floor = c x_i^-e for i < n by least squares on log-log axes (docs/FIT.md
 * section 1). se (may be NULL) holds standard errors of y_i, each finite and > 0; with se the
 * fit is weighted by ((y_i - floor) / se_i)^2. Domain: n >= 2 usable points, x_i and y_i
 * finite, x_i > 0 and y_i - floor > 0 (unless drop_nonpositive), at least two distinct x.
 * options may be NULL (defaults). With n == 2 and no standard errors the exponent is exact
 * but there is no interval (RC_FIT_INTERVAL_NONE, NaN bounds); with absolute standard errors
 * an interval exists for any n >= 2. Returns RC_SUCCESS, RC_EINVAL (message names the first
 * offending point, 0-based) or RC_ENOMEM. */
RC_API int rc_fit_power_law(const double *x, const double *y, const double *se, size_t n,
                            const rc_fit_options *options, rc_fit_power *result, rc_error *err);

/* Parameters of the joint fit, in this order in every array below. */
enum { RC_FIT_E = 0, RC_FIT_A, RC_FIT_ALPHA, RC_FIT_B, RC_FIT_BETA, RC_FIT_NPARAM };

/* Name of parameter k ("E", "A", "alpha", "B", "beta"); "?" out of range. */
RC_API const char *rc_fit_param_name(int k);

/* Options of the joint fit. Obtain defaults from rc_fit_joint_options_default. */
typedef struct {
  int fix_E;           /* 1: E is held at the value E below (default 0: E is fitted) */
  double E;            /* the fixed E when fix_E (finite) */
  double level;        /* confidence level in (0, 1) (default 0.95) */
  int se_relative;     /* as in rc_fit_options (default 0) */
  size_t max_iter;     /* trust-region iterations (default 500) */
  double xtol;         /* step test |dx_i| <= xtol (|x_i| + xtol) (default 1e-13) */
  double gtol;         /* scaled-gradient test (default 1e-13) */
  double ftol;         /* residual-change test (default 0: off) */
  const double *start; /* NULL (default): automatic starting values; else RC_FIT_NPARAM
                          values E, A, alpha, B, beta (E ignored when fix_E) */
} rc_fit_joint_options;

RC_API rc_fit_joint_options rc_fit_joint_options_default(void);

/* Result of the joint fit y = E + A x^-alpha + B x2^-beta. */
typedef struct {
  size_t n;      /* points */
  size_t nparam; /* fitted parameters: 5, or 4 with E fixed */
  size_t dof;    /* n - nparam */
  int weighted;
  rc_fit_interval interval;
  double level, quantile;
  double value[RC_FIT_NPARAM]; /* estimates (E is the fixed value when fix_E) */
  double se[RC_FIT_NPARAM];    /* standard errors (0 for a fixed E; NaN when not converged) */
  double lo[RC_FIT_NPARAM], hi[RC_FIT_NPARAM]; /* intervals (NaN without interval) */
  double cov[RC_FIT_NPARAM][RC_FIT_NPARAM];    /* covariance (zero row/column for fixed E) */
  double start[RC_FIT_NPARAM];                 /* starting values used */
  double chi2;     /* sum_i w_i (y_i - model_i)^2 (w_i = 1 unweighted) */
  double chi2_dof; /* chi2 / dof (NaN when dof == 0) */
  double r2;       /* weighted coefficient of determination */
  int converged;   /* 1 when a convergence test was met */
  int stop_test;   /* which test stopped the solver: 1 step (xtol), 2 gradient (gtol),
                      3 residual change (ftol), 0 none */
  size_t iterations;
} rc_fit_joint;

/* Fits y_i = E + A x_i^-alpha + B x2_i^-beta, i < n, by (weighted) nonlinear least squares
 * (docs/FIT.md section 2). se (may be NULL): standard errors of y_i, weights 1 / se_i^2.
 * Domain: x_i, x2_i finite and > 0; y_i finite; se_i finite and > 0; n >= nparam; at least two
 * distinct values of x and of x2. options may be NULL. Internally x and x2 are divided by
 * their geometric means (better conditioning); A, B and the covariance are transformed back.
 * Returns RC_SUCCESS; RC_EINVAL for bad input or a design that does not identify every
 * parameter (the Jacobian at the solution is rank deficient, or a fitted power-law term is
 * constant to rounding over the data so its exponent is undetermined); RC_ENOCONV when no
 * convergence test is met within max_iter iterations or the solver stalls -- result then holds the
 * last iterate and its chi2 (se and intervals NaN, converged = 0) and the message gives the
 * residual; RC_ENOMEM. */
RC_API int rc_fit_joint_power_law(const double *x, const double *x2, const double *y,
                                  const double *se, size_t n, const rc_fit_joint_options *options,
                                  rc_fit_joint *result, rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
