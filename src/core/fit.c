/* Power-law fits with confidence intervals (docs/FIT.md sections 1 and 2, docs/THEORY.md section
 * 8). */
#include "riskcalc/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include "core/util.h"

/* Columns of the Jacobian are normalised before the rank decision of
 * gsl_multifit_nlinear_covar. An exactly dependent column (a design that does not identify a
 * parameter) leaves |R_kk| at rounding level, about n eps |R_11| (< 1e-12 for n < 4500);
 * anything larger is kept as an (ill-conditioned but) identified direction. */
#define RC_FIT_RANK_EPSREL 1e-11

/* Starting-value search: exponents log-spaced on [lo, hi] (docs/FIT.md section 2). */
#define RC_FIT_GRID 40
#define RC_FIT_GRID_LO 0.01
#define RC_FIT_GRID_HI 10.0

const char *rc_fit_interval_name(rc_fit_interval kind) {
  switch (kind) {
  case RC_FIT_INTERVAL_STUDENT:
    return "Student t";
  case RC_FIT_INTERVAL_NORMAL:
    return "normal";
  default:
    return "none";
  }
}

const char *rc_fit_param_name(int k) {
  static const char *const names[RC_FIT_NPARAM] = {"E", "A", "alpha", "B", "beta"};
  return k >= 0 && k < RC_FIT_NPARAM ? names[k] : "?";
}

rc_fit_options rc_fit_options_default(void) {
  rc_fit_options o;
  o.floor = 0;
  o.level = 0.95;
  o.se_relative = 0;
  o.drop_nonpositive = 0;
  return o;
}

rc_fit_joint_options rc_fit_joint_options_default(void) {
  rc_fit_joint_options o;
  o.fix_E = 0;
  o.E = 0;
  o.level = 0.95;
  o.se_relative = 0;
  o.max_iter = 500;
  o.xtol = 1e-13;
  o.gtol = 1e-13;
  o.ftol = 0;
  o.start = NULL;
  return o;
}

/* Two-sided quantile of the interval: normal, or Student t with dof degrees of freedom. */
static double interval_quantile(rc_fit_interval kind, double level, size_t dof) {
  const double upper = 1 - (1 - level) / 2;
  if (kind == RC_FIT_INTERVAL_NORMAL)
    return gsl_cdf_ugaussian_Pinv(upper);
  if (kind == RC_FIT_INTERVAL_STUDENT)
    return gsl_cdf_tdist_Pinv(upper, (double)dof);
  return NAN;
}

/* Interval kind for a fit with dof residual degrees of freedom. */
static rc_fit_interval interval_kind(int weighted, int se_relative, size_t dof) {
  if (weighted && !se_relative)
    return RC_FIT_INTERVAL_NORMAL;
  return dof > 0 ? RC_FIT_INTERVAL_STUDENT : RC_FIT_INTERVAL_NONE;
}

static int check_level(double level, rc_error *err) {
  if (!(level > 0 && level < 1))
    return rc_error_set(err, RC_EINVAL, "confidence level %.17g is not in (0, 1)", level);
  return RC_SUCCESS;
}

/* ---- single power law ------------------------------------------------------------------ */

int rc_fit_power_law(const double *x, const double *y, const double *se, size_t n,
                     const rc_fit_options *options, rc_fit_power *result, rc_error *err) {
  const rc_fit_options opt = options ? *options : rc_fit_options_default();
  if (!result)
    return rc_error_set(err, RC_EINVAL, "power-law fit: result is NULL");
  memset(result, 0, sizeof *result);
  if (n > 0 && (!x || !y))
    return rc_error_set(err, RC_EINVAL, "power-law fit: x or y is NULL");
  if (!isfinite(opt.floor))
    return rc_error_set(err, RC_EINVAL, "power-law fit: floor %.17g is not finite", opt.floor);
  int status = check_level(opt.level, err);
  if (status)
    return status;

  size_t used = 0, dropped = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]) || !isfinite(y[i]))
      return rc_error_set(err, RC_EINVAL, "power-law fit: point %zu (x = %g, y = %g) is not finite",
                          i, x[i], y[i]);
    if (se && !(isfinite(se[i]) && se[i] > 0))
      return rc_error_set(err, RC_EINVAL,
                          "power-law fit: point %zu has standard error %g (must be finite and > 0)",
                          i, se[i]);
    if (x[i] > 0 && y[i] - opt.floor > 0) {
      used++;
    } else if (opt.drop_nonpositive) {
      dropped++;
    } else {
      return rc_error_set(err, RC_EINVAL,
                          "power-law fit: point %zu has x = %.17g, y - floor = %.17g; both must be "
                          "> 0 on log axes",
                          i, x[i], y[i] - opt.floor);
    }
  }
  if (used < 2)
    return rc_error_set(err, RC_EINVAL,
                        "power-law fit needs at least 2 points with x > 0 and y - floor > 0 "
                        "(got %zu of %zu)",
                        used, n);

  double *buf = rc_alloc_doubles(3 * used, err);
  if (!buf)
    return RC_ENOMEM;
  double *lx = buf, *ly = buf + used, *w = buf + 2 * used;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    const double r = y[i] - opt.floor;
    if (!(x[i] > 0 && r > 0))
      continue;
    lx[m] = log(x[i]);
    ly[m] = log(r);
    /* Delta method: se(log(y - floor)) = se(y) / (y - floor). */
    w[m] = se ? (r / se[i]) * (r / se[i]) : 1.0;
    m++;
  }
  int distinct = 0;
  for (size_t i = 1; i < m && !distinct; i++)
    distinct = lx[i] != lx[0];
  if (!distinct) {
    const double x0 = exp(lx[0]);
    free(buf);
    return rc_error_set(err, RC_EINVAL,
                        "power-law fit: all %zu points have the same x = %.17g; the exponent is "
                        "undetermined",
                        m, x0);
  }

  double c0, c1, cov00, cov01, cov11, chi2;
  gsl_fit_wlinear(lx, 1, w, 1, ly, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &chi2);

  /* Weighted total sum of squares about the weighted mean, for R^2. */
  double sw = 0, swy = 0;
  for (size_t i = 0; i < m; i++) {
    sw += w[i];
    swy += w[i] * ly[i];
  }
  const double mean = swy / sw;
  double tss = 0;
  for (size_t i = 0; i < m; i++)
    tss += w[i] * (ly[i] - mean) * (ly[i] - mean);
  free(buf);

  rc_fit_power *r = result;
  r->n = m;
  r->dropped = dropped;
  r->dof = m - 2;
  r->weighted = se != NULL;
  r->level = opt.level;
  r->interval = interval_kind(r->weighted, opt.se_relative, r->dof);
  r->chi2 = chi2;
  r->chi2_dof = r->dof > 0 ? chi2 / (double)r->dof : NAN;
  r->r2 = tss > 0 ? 1 - chi2 / tss : NAN;
  r->exponent = -c1;
  r->log_prefactor = c0;
  r->prefactor = exp(c0);
  /* gsl_fit_wlinear returns (X^T W X)^-1: the covariance for absolute standard errors. With
   * unknown noise it is scaled by the residual variance chi2 / (n - 2). */
  double scale = 1;
  if (r->interval == RC_FIT_INTERVAL_STUDENT)
    scale = r->chi2_dof;
  else if (r->interval == RC_FIT_INTERVAL_NONE)
    scale = NAN;
  r->exponent_se = sqrt(cov11 * scale);
  r->log_prefactor_se = sqrt(cov00 * scale);
  r->cov_logc_e = -cov01 * scale;
  r->quantile = interval_quantile(r->interval, opt.level, r->dof);
  r->exponent_lo = r->exponent - r->quantile * r->exponent_se;
  r->exponent_hi = r->exponent + r->quantile * r->exponent_se;
  r->log_prefactor_lo = r->log_prefactor - r->quantile * r->log_prefactor_se;
  r->log_prefactor_hi = r->log_prefactor + r->quantile * r->log_prefactor_se;
  return RC_SUCCESS;
}

/* ---- joint scaling law ----------------------------------------------------------------- */

/* The model in internal parameters: x and x2 are divided by their geometric means, so
 * y = E + a exp(-alpha lx) + b exp(-beta lx2) with lx = log(x / x0), a = A x0^-alpha. */
typedef struct {
  size_t n;
  const double *lx, *lx2, *y;
  int fix_E;
  double E;
} joint_data;

/* Internal parameter vector -> (E, a, alpha, b, beta). */
static void joint_unpack(const gsl_vector *p, const joint_data *d, double v[RC_FIT_NPARAM]) {
  const size_t off = d->fix_E ? 1 : 0;
  v[RC_FIT_E] = d->fix_E ? d->E : gsl_vector_get(p, 0);
  for (size_t k = 1; k < RC_FIT_NPARAM; k++)
    v[k] = gsl_vector_get(p, k - off);
}

static int joint_f(const gsl_vector *p, void *params, gsl_vector *f) {
  const joint_data *d = params;
  double v[RC_FIT_NPARAM];
  joint_unpack(p, d, v);
  for (size_t i = 0; i < d->n; i++) {
    const double model = v[RC_FIT_E] + v[RC_FIT_A] * exp(-v[RC_FIT_ALPHA] * d->lx[i]) +
                         v[RC_FIT_B] * exp(-v[RC_FIT_BETA] * d->lx2[i]);
    gsl_vector_set(f, i, model - d->y[i]);
  }
  return GSL_SUCCESS;
}

static int joint_df(const gsl_vector *p, void *params, gsl_matrix *J) {
  const joint_data *d = params;
  double v[RC_FIT_NPARAM];
  joint_unpack(p, d, v);
  const size_t off = d->fix_E ? 1 : 0;
  for (size_t i = 0; i < d->n; i++) {
    const double ex = exp(-v[RC_FIT_ALPHA] * d->lx[i]), ex2 = exp(-v[RC_FIT_BETA] * d->lx2[i]);
    if (!d->fix_E)
      gsl_matrix_set(J, i, 0, 1.0);
    gsl_matrix_set(J, i, RC_FIT_A - off, ex);
    gsl_matrix_set(J, i, RC_FIT_ALPHA - off, -v[RC_FIT_A] * d->lx[i] * ex);
    gsl_matrix_set(J, i, RC_FIT_B - off, ex2);
    gsl_matrix_set(J, i, RC_FIT_BETA - off, -v[RC_FIT_B] * d->lx2[i] * ex2);
  }
  return GSL_SUCCESS;
}

/* Weighted chi2 and R^2 of internal parameters v. */
static void joint_chi2(const joint_data *d, const double *w, const double v[RC_FIT_NPARAM],
                       double *chi2, double *r2) {
  double c = 0, sw = 0, swy = 0, tss = 0;
  for (size_t i = 0; i < d->n; i++) {
    const double model = v[RC_FIT_E] + v[RC_FIT_A] * exp(-v[RC_FIT_ALPHA] * d->lx[i]) +
                         v[RC_FIT_B] * exp(-v[RC_FIT_BETA] * d->lx2[i]);
    c += w[i] * (d->y[i] - model) * (d->y[i] - model);
    sw += w[i];
    swy += w[i] * d->y[i];
  }
  const double mean = swy / sw;
  for (size_t i = 0; i < d->n; i++)
    tss += w[i] * (d->y[i] - mean) * (d->y[i] - mean);
  *chi2 = c;
  *r2 = tss > 0 ? 1 - c / tss : NAN;
}

/* Starting values: for each (alpha, beta) of a log-spaced grid the model is linear in
 * (E, a, b) (or (a, b) with E fixed); keep the pair whose weighted linear least-squares fit
 * has the smallest chi2. Fills v (internal parameters). */
static int joint_start(const joint_data *d, const double *w, double v[RC_FIT_NPARAM],
                       rc_error *err) {
  const size_t n = d->n, ncol = d->fix_E ? 2 : 3;
  /* Matrices and vectors are views on memory allocated here (gsl_matrix_alloc would raise on
   * ENOMEM). The linear workspace's own allocation is GSL's (include/riskcalc/error.h). */
  double *buf = rc_alloc_doubles(n * (ncol + 1) + ncol * (ncol + 1), err);
  if (!buf)
    return RC_ENOMEM;
  gsl_matrix_view Xv = gsl_matrix_view_array(buf, n, ncol),
                  covv = gsl_matrix_view_array(buf + n * ncol, ncol, ncol);
  gsl_vector_view yvv = gsl_vector_view_array(buf + n * ncol + ncol * ncol, n),
                  cv = gsl_vector_view_array(buf + n * (ncol + 1) + ncol * ncol, ncol);
  gsl_matrix *X = &Xv.matrix, *cov = &covv.matrix;
  gsl_vector *yv = &yvv.vector, *c = &cv.vector;
  gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, ncol);
  int status = RC_SUCCESS;
  if (!ws) {
    status = rc_error_set(err, RC_ENOMEM, "joint fit: out of memory (%zu points)", n);
    goto done;
  }
  const gsl_vector_const_view wv = gsl_vector_const_view_array(w, n);
  for (size_t i = 0; i < n; i++)
    gsl_vector_set(yv, i, d->y[i] - (d->fix_E ? d->E : 0));
  double best = INFINITY, span = 0, span2 = 0;
  for (size_t i = 0; i < n; i++) {
    span = fmax(span, fabs(d->lx[i]));
    span2 = fmax(span2, fabs(d->lx2[i]));
  }
  const double step = log(RC_FIT_GRID_HI / RC_FIT_GRID_LO) / (RC_FIT_GRID - 1);
  for (size_t ia = 0; ia < RC_FIT_GRID; ia++) {
    const double alpha = RC_FIT_GRID_LO * exp(step * (double)ia);
    for (size_t ib = 0; ib < RC_FIT_GRID; ib++) {
      const double beta = RC_FIT_GRID_LO * exp(step * (double)ib);
      if (alpha * span > 700 || beta * span2 > 700)
        continue; /* exp would overflow: x ranges over more than ~1e30 */
      for (size_t i = 0; i < n; i++) {
        size_t col = 0;
        if (!d->fix_E)
          gsl_matrix_set(X, i, col++, 1.0);
        gsl_matrix_set(X, i, col++, exp(-alpha * d->lx[i]));
        gsl_matrix_set(X, i, col, exp(-beta * d->lx2[i]));
      }
      double chi2;
      if (gsl_multifit_wlinear(X, &wv.vector, yv, c, cov, &chi2, ws) != GSL_SUCCESS ||
          !(chi2 < best))
        continue;
      best = chi2;
      size_t col = 0;
      v[RC_FIT_E] = d->fix_E ? d->E : gsl_vector_get(c, col++);
      v[RC_FIT_A] = gsl_vector_get(c, col++);
      v[RC_FIT_ALPHA] = alpha;
      v[RC_FIT_B] = gsl_vector_get(c, col);
      v[RC_FIT_BETA] = beta;
    }
  }
  if (!isfinite(best))
    status = rc_error_set(err, RC_ENOCONV,
                          "joint fit: no starting values found on the "
                          "(alpha, beta) grid");
done:
  free(buf);
  if (ws)
    gsl_multifit_linear_free(ws);
  return status;
}

/* Geometric mean of positive values: exp(mean(log v)); stores the centred logs in lv and
 * whether at least two values differ in *distinct. */
static double centre_logs(const double *v, size_t n, double *lv, int *distinct) {
  double s = 0;
  *distinct = 0;
  for (size_t i = 0; i < n; i++) {
    lv[i] = log(v[i]);
    s += lv[i];
    if (v[i] != v[0])
      *distinct = 1;
  }
  s /= (double)n;
  for (size_t i = 0; i < n; i++)
    lv[i] -= s;
  return s;
}

static int joint_check(const double *x, const double *x2, const double *y, const double *se,
                       size_t n, const rc_fit_joint_options *opt, size_t np, rc_error *err) {
  if (n > 0 && (!x || !x2 || !y))
    return rc_error_set(err, RC_EINVAL, "joint fit: x, x2 or y is NULL");
  if (opt->fix_E && !isfinite(opt->E))
    return rc_error_set(err, RC_EINVAL, "joint fit: fixed E = %g is not finite", opt->E);
  int status = check_level(opt->level, err);
  if (status)
    return status;
  if (opt->max_iter < 1 || !(opt->xtol >= 0) || !(opt->gtol >= 0) || !(opt->ftol >= 0))
    return rc_error_set(err, RC_EINVAL, "joint fit: max_iter must be >= 1 and tolerances >= 0");
  if (opt->start)
    for (int k = 0; k < RC_FIT_NPARAM; k++)
      if (!isfinite(opt->start[k]) && !(k == RC_FIT_E && opt->fix_E))
        return rc_error_set(err, RC_EINVAL, "joint fit: starting value of %s is not finite",
                            rc_fit_param_name(k));
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]) || !isfinite(x2[i]) || !isfinite(y[i]))
      return rc_error_set(err, RC_EINVAL,
                          "joint fit: point %zu (x = %g, x2 = %g, y = %g) is not finite", i, x[i],
                          x2[i], y[i]);
    if (!(x[i] > 0 && x2[i] > 0))
      return rc_error_set(err, RC_EINVAL,
                          "joint fit: point %zu has x = %.17g, x2 = %.17g; both must be > 0", i,
                          x[i], x2[i]);
    if (se && !(isfinite(se[i]) && se[i] > 0))
      return rc_error_set(err, RC_EINVAL,
                          "joint fit: point %zu has standard error %g (must be finite and > 0)", i,
                          se[i]);
  }
  if (n < np)
    return rc_error_set(err, RC_EINVAL,
                        "joint fit needs at least %zu points for %zu parameters "
                        "(got %zu)",
                        np, np, n);
  return RC_SUCCESS;
}

/* A power-law term whose variation over the data is at rounding level of y carries no
 * information on its exponent (typically A = 0 fitted to data without that term); the
 * scale-free rank test cannot see this, and with chi2 = 0 the exponent would get se 0. The
 * threshold, 1000 eps max|y|, is a thousand roundings of the data. */
static int joint_identified(const joint_data *d, const double v[RC_FIT_NPARAM], rc_error *err) {
  double ymax = 0, lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (size_t i = 0; i < d->n; i++) {
    const double t[2] = {exp(-v[RC_FIT_ALPHA] * d->lx[i]), exp(-v[RC_FIT_BETA] * d->lx2[i])};
    for (int k = 0; k < 2; k++) {
      lo[k] = fmin(lo[k], t[k]);
      hi[k] = fmax(hi[k], t[k]);
    }
    ymax = fmax(ymax, fabs(d->y[i]));
  }
  const double tol = 1e3 * GSL_DBL_EPSILON * ymax;
  const double varA = fabs(v[RC_FIT_A]) * (hi[0] - lo[0]);
  const double varB = fabs(v[RC_FIT_B]) * (hi[1] - lo[1]);
  if (varA <= tol || varB <= tol)
    return rc_error_set(err, RC_EINVAL,
                        "joint fit: the fitted term %s varies by only %g over the data (max |y| "
                        "= %g), so %s is not identified; fit y against %s alone",
                        varA <= tol ? "A x^-alpha" : "B x2^-beta", varA <= tol ? varA : varB, ymax,
                        varA <= tol ? "alpha" : "beta", varA <= tol ? "x2" : "x");
  return RC_SUCCESS;
}

/* Fills the covariance of the internal parameters (unscaled: (J^T W J)^-1) into C (np x np)
 * from the weighted Jacobian at p; RC_EINVAL when J is rank deficient. */
static int joint_covariance(const gsl_vector *p, joint_data *d, const double *w, gsl_matrix *J,
                            gsl_matrix *C, gsl_vector *colnorm, rc_error *err) {
  const size_t np = J->size2;
  joint_df(p, d, J);
  for (size_t i = 0; i < d->n; i++) {
    gsl_vector_view row = gsl_matrix_row(J, i);
    gsl_vector_scale(&row.vector, sqrt(w[i]));
  }
  for (size_t k = 0; k < np; k++) {
    gsl_vector_view col = gsl_matrix_column(J, k);
    double s = gsl_blas_dnrm2(&col.vector);
    if (!(s > 0) || !isfinite(s))
      s = 1; /* an all-zero column is caught by the rank test below */
    gsl_vector_set(colnorm, k, s);
    gsl_vector_scale(&col.vector, 1 / s);
  }
  gsl_multifit_nlinear_covar(J, RC_FIT_RANK_EPSREL, C);
  for (size_t k = 0; k < np; k++)
    if (!(gsl_matrix_get(C, k, k) > 0) || !isfinite(gsl_matrix_get(C, k, k)))
      return rc_error_set(err, RC_EINVAL,
                          "joint fit: the points do not identify every parameter (the Jacobian "
                          "at the solution is rank deficient in the direction of %s)",
                          rc_fit_param_name((int)(k + (d->fix_E ? 1 : 0))));
  for (size_t k = 0; k < np; k++)
    for (size_t l = 0; l < np; l++)
      gsl_matrix_set(C, k, l,
                     gsl_matrix_get(C, k, l) /
                         (gsl_vector_get(colnorm, k) * gsl_vector_get(colnorm, l)));
  return RC_SUCCESS;
}

int rc_fit_joint_power_law(const double *x, const double *x2, const double *y, const double *se,
                           size_t n, const rc_fit_joint_options *options, rc_fit_joint *result,
                           rc_error *err) {
  const rc_fit_joint_options opt = options ? *options : rc_fit_joint_options_default();
  if (!result)
    return rc_error_set(err, RC_EINVAL, "joint fit: result is NULL");
  memset(result, 0, sizeof *result);
  const size_t np = opt.fix_E ? RC_FIT_NPARAM - 1 : RC_FIT_NPARAM;
  int status = joint_check(x, x2, y, se, n, &opt, np, err);
  if (status)
    return status;

  double *buf = rc_alloc_doubles(3 * n, err);
  if (!buf)
    return RC_ENOMEM;
  double *lx = buf, *lx2 = buf + n, *w = buf + 2 * n;
  int distinct, distinct2;
  const double lx0 = centre_logs(x, n, lx, &distinct);
  const double lx20 = centre_logs(x2, n, lx2, &distinct2);
  if (!distinct || !distinct2) {
    free(buf);
    return rc_error_set(err, RC_EINVAL,
                        "joint fit: all points have the same %s = %.17g; %s cannot be separated "
                        "from E",
                        distinct ? "x2" : "x", distinct ? x2[0] : x[0],
                        distinct ? "B and beta" : "A and alpha");
  }
  for (size_t i = 0; i < n; i++)
    w[i] = se ? 1 / (se[i] * se[i]) : 1.0;
  joint_data d = {n, lx, lx2, y, opt.fix_E, opt.E};

  /* p, colnorm, J and C are views on memory allocated here (see joint_start). */
  double *work = rc_alloc_doubles(np * (n + np + 2), err);
  if (!work) {
    free(buf);
    return RC_ENOMEM;
  }
  gsl_vector_view pv = gsl_vector_view_array(work, np),
                  colnormv = gsl_vector_view_array(work + np, np);
  gsl_matrix_view Jv = gsl_matrix_view_array(work + 2 * np, n, np),
                  Covv = gsl_matrix_view_array(work + 2 * np + n * np, np, np);
  gsl_vector *p = &pv.vector, *colnorm = &colnormv.vector;
  gsl_matrix *J = &Jv.matrix, *C = &Covv.matrix;
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  gsl_multifit_nlinear_workspace *ws =
      gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, np);
  if (!ws) {
    status = rc_error_set(err, RC_ENOMEM, "joint fit: out of memory (%zu points)", n);
    goto done;
  }

  /* Starting values (internal parametrisation). */
  double v[RC_FIT_NPARAM];
  if (opt.start) {
    memcpy(v, opt.start, sizeof v);
    v[RC_FIT_E] = opt.fix_E ? opt.E : v[RC_FIT_E];
    v[RC_FIT_A] *= exp(-v[RC_FIT_ALPHA] * lx0);
    v[RC_FIT_B] *= exp(-v[RC_FIT_BETA] * lx20);
  } else if ((status = joint_start(&d, w, v, err))) {
    goto done;
  }
  rc_fit_joint *r = result;
  r->start[RC_FIT_E] = v[RC_FIT_E];
  r->start[RC_FIT_A] = v[RC_FIT_A] * exp(v[RC_FIT_ALPHA] * lx0);
  r->start[RC_FIT_ALPHA] = v[RC_FIT_ALPHA];
  r->start[RC_FIT_B] = v[RC_FIT_B] * exp(v[RC_FIT_BETA] * lx20);
  r->start[RC_FIT_BETA] = v[RC_FIT_BETA];
  for (size_t k = 0; k < np; k++)
    gsl_vector_set(p, k, v[k + (opt.fix_E ? 1 : 0)]);

  gsl_multifit_nlinear_fdf fdf;
  memset(&fdf, 0, sizeof fdf);
  fdf.f = joint_f;
  fdf.df = joint_df;
  fdf.fvv = NULL;
  fdf.n = n;
  fdf.p = np;
  fdf.params = &d;
  int gi;
  if (se) {
    gsl_vector_view wv = gsl_vector_view_array(w, n);
    gi = gsl_multifit_nlinear_winit(p, &wv.vector, &fdf, ws);
  } else {
    gi = gsl_multifit_nlinear_init(p, &fdf, ws);
  }
  if (gi) {
    status = rc_error_set(err, RC_ENOCONV, "joint fit: the solver could not start (%s)",
                          gsl_strerror(gi));
    goto done;
  }
  int info = 0;
  const int gs = gsl_multifit_nlinear_driver(opt.max_iter, opt.xtol, opt.gtol, opt.ftol, NULL, NULL,
                                             &info, ws);
  const gsl_vector *pos = gsl_multifit_nlinear_position(ws);
  joint_unpack(pos, &d, v);
  r->n = n;
  r->nparam = np;
  r->dof = n - np;
  r->weighted = se != NULL;
  r->level = opt.level;
  r->iterations = gsl_multifit_nlinear_niter(ws);
  r->stop_test = info >= 1 && info <= 3 ? info : 0;
  r->converged = gs == GSL_SUCCESS;
  joint_chi2(&d, w, v, &r->chi2, &r->r2);
  r->chi2_dof = r->dof > 0 ? r->chi2 / (double)r->dof : NAN;
  /* Back to the original parametrisation: A = a x0^alpha, B = b x20^beta. */
  const double gA = exp(v[RC_FIT_ALPHA] * lx0), gB = exp(v[RC_FIT_BETA] * lx20);
  r->value[RC_FIT_E] = v[RC_FIT_E];
  r->value[RC_FIT_A] = v[RC_FIT_A] * gA;
  r->value[RC_FIT_ALPHA] = v[RC_FIT_ALPHA];
  r->value[RC_FIT_B] = v[RC_FIT_B] * gB;
  r->value[RC_FIT_BETA] = v[RC_FIT_BETA];
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    r->se[k] = r->lo[k] = r->hi[k] = NAN;
  r->interval = RC_FIT_INTERVAL_NONE;
  r->quantile = NAN;
  int finite = isfinite(r->chi2);
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    finite = finite && isfinite(r->value[k]);
  if (!r->converged || !finite) {
    r->converged = 0;
    status = rc_error_set(
        err, RC_ENOCONV,
        "joint fit did not converge in %zu iterations (%s): chi2 = %.6g at E = %.6g, A = %.6g, "
        "alpha = %.6g, B = %.6g, beta = %.6g",
        r->iterations, gs == GSL_SUCCESS ? "non-finite result" : gsl_strerror(gs), r->chi2,
        r->value[0], r->value[1], r->value[2], r->value[3], r->value[4]);
    goto done;
  }

  if ((status = joint_identified(&d, v, err)) ||
      (status = joint_covariance(pos, &d, w, J, C, colnorm, err)))
    goto done;
  r->interval = interval_kind(r->weighted, opt.se_relative, r->dof);
  const double scale = r->interval == RC_FIT_INTERVAL_STUDENT  ? r->chi2_dof
                       : r->interval == RC_FIT_INTERVAL_NORMAL ? 1.0
                                                               : NAN;
  /* cov = T C T^T with T the Jacobian of (E, A, alpha, B, beta) with respect to the internal
   * parameters (E, a, alpha, b, beta): dA/da = x0^alpha, dA/dalpha = A log x0, same for B. */
  double cin[RC_FIT_NPARAM * RC_FIT_NPARAM] = {0}, t[RC_FIT_NPARAM * RC_FIT_NPARAM] = {0},
                             tc[RC_FIT_NPARAM * RC_FIT_NPARAM], cov[RC_FIT_NPARAM * RC_FIT_NPARAM];
  const size_t off = opt.fix_E ? 1 : 0;
  for (size_t k = 0; k < np; k++)
    for (size_t l = 0; l < np; l++)
      cin[(k + off) * RC_FIT_NPARAM + l + off] = gsl_matrix_get(C, k, l) * scale;
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    t[k * RC_FIT_NPARAM + k] = 1;
  t[RC_FIT_A * RC_FIT_NPARAM + RC_FIT_A] = gA;
  t[RC_FIT_A * RC_FIT_NPARAM + RC_FIT_ALPHA] = r->value[RC_FIT_A] * lx0;
  t[RC_FIT_B * RC_FIT_NPARAM + RC_FIT_B] = gB;
  t[RC_FIT_B * RC_FIT_NPARAM + RC_FIT_BETA] = r->value[RC_FIT_B] * lx20;
  gsl_matrix_view Cv = gsl_matrix_view_array(cin, RC_FIT_NPARAM, RC_FIT_NPARAM),
                  Tv = gsl_matrix_view_array(t, RC_FIT_NPARAM, RC_FIT_NPARAM),
                  TCv = gsl_matrix_view_array(tc, RC_FIT_NPARAM, RC_FIT_NPARAM),
                  Ov = gsl_matrix_view_array(cov, RC_FIT_NPARAM, RC_FIT_NPARAM);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Tv.matrix, &Cv.matrix, 0.0, &TCv.matrix);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &TCv.matrix, &Tv.matrix, 0.0, &Ov.matrix);
  r->quantile = interval_quantile(r->interval, opt.level, r->dof);
  for (int k = 0; k < RC_FIT_NPARAM; k++) {
    for (int l = 0; l < RC_FIT_NPARAM; l++)
      r->cov[k][l] = cov[k * RC_FIT_NPARAM + l];
    r->se[k] = sqrt(r->cov[k][k]);
    r->lo[k] = r->value[k] - r->quantile * r->se[k];
    r->hi[k] = r->value[k] + r->quantile * r->se[k];
  }
  if (opt.fix_E)
    r->se[RC_FIT_E] = 0, r->lo[RC_FIT_E] = r->hi[RC_FIT_E] = opt.E;

done:
  free(buf);
  free(work);
  if (ws)
    gsl_multifit_nlinear_free(ws);
  return status;
}
