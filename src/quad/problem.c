/* The quadratic model's problem: eigenvalues, target and the approximation error
 * (docs/QUAD.md section 1). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_zeta.h>

#include <lapacke.h>

#include "core/util.h"
#include "riskcalc/quad.h"

rc_quad_spec rc_quad_spec_default(void) {
  rc_quad_spec s = {0};
  s.spectrum = RC_SPECTRUM_POWER;
  s.alpha = 2.0;
  s.target = RC_QUAD_TARGET_POWER;
  s.beta = 1.5;
  s.d = INFINITY;
  s.v0 = 0.1;
  s.sigma2 = 0.1;
  s.batch = 1;
  return s;
}

void rc_quad_problem_free(rc_quad_problem *p) {
  if (p) {
    free(p->lambda);
    free(p->wstar);
    free(p->theta0);
    free(p->feature_cov);
    free(p->feature_chol);
    free(p);
  }
}

/* lambda_i of a parametric law, i >= 1. */
static double law_lambda(rc_spectrum_kind kind, double alpha, double i) {
  return kind == RC_SPECTRUM_POWER ? pow(i, -alpha) : 1.0 / (i * pow(log(i + 1.0), alpha));
}

/* zeta(s, q) without GSL's error handler. The _e form still calls the handler (its DOMAIN_,
 * UNDERFLOW_ and OVERFLOW_ERROR go through GSL_ERROR, which aborts by default), so the cases in
 * which gsl_sf_hzeta_e raises are decided here first, with its own test on -s log q: s <= 1 or
 * q <= 0 is RC_EINVAL; q^-s below e^-707 gives 0 (zeta(s, q) <= q^-s (1 + q/(s-1)) is then
 * below 1e-290 for q <= 2^53); overflow needs q < 1. */
static int hzeta(double s, double q, double *out, rc_error *err) {
  if (!(s > 1 && q > 0))
    return rc_error_set(err, RC_EINVAL, "Hurwitz zeta(%g, %g): need s > 1 and q > 0", s, q);
  const double ln_term0 = -s * log(q);
  if (ln_term0 < GSL_LOG_DBL_MIN + 1.0) {
    *out = 0.0;
    return RC_SUCCESS;
  }
  if (ln_term0 > GSL_LOG_DBL_MAX - 1.0)
    return rc_error_set(err, RC_EINVAL, "Hurwitz zeta(%g, %g) overflows", s, q);
  gsl_sf_result r;
  int st = gsl_sf_hzeta_e(s, q, &r);
  if (st != GSL_SUCCESS || !isfinite(r.val))
    return rc_error_set(err, RC_EINVAL, "Hurwitz zeta(%g, %g) failed: %s", s, q, gsl_strerror(st));
  *out = r.val;
  return RC_SUCCESS;
}

/* sum_{i=M+1}^{d} i^-beta for the power target (d may be +inf). */
static int power_tail(double beta, size_t M, double d, double *out, rc_error *err) {
  if (isinf(d))
    return hzeta(beta, (double)M + 1.0, out, err);
  if (d - (double)M > 1048576.0 && beta > 1.0) {
    double a, b;
    int st = hzeta(beta, (double)M + 1.0, &a, err);
    if (!st)
      st = hzeta(beta, d + 1.0, &b, err);
    if (!st)
      *out = a - b > 0 ? a - b : 0.0;
    return st;
  }
  double s = 0;
  for (double i = d; i > (double)M; i -= 1.0) /* smallest terms first */
    s += pow(i, -beta);
  *out = s;
  return RC_SUCCESS;
}

/* The scalar fields both kinds of problem copy from the spec. */
static void describe_problem(rc_quad_problem *p, const rc_quad_spec *s, size_t M) {
  p->M = M;
  p->d = s->d;
  p->sigma2 = s->sigma2;
  p->batch = s->batch;
  p->spectrum = s->spectrum;
  p->alpha = s->spectrum == RC_SPECTRUM_VALUES ? NAN : s->alpha;
  p->target = s->target;
  p->beta = s->target == RC_QUAD_TARGET_POWER ? s->beta : NAN;
}

static int check_spec(const rc_quad_spec *s, size_t M, rc_error *err) {
  if (!s)
    return rc_error_set(err, RC_EINVAL, "a problem specification is required");
  if (M == 0)
    return rc_error_set(err, RC_EINVAL, "model size M must be at least 1");
  const double d = s->d;
  if (!(isinf(d) && d > 0) &&
      !(isfinite(d) && d >= 1 && d == floor(d) && d <= 9.007199254740992e15))
    return rc_error_set(err, RC_EINVAL, "d must be a whole number >= 1 or inf (got %g)", d);
  if ((double)M > d)
    return rc_error_set(err, RC_EINVAL, "model size M = %zu exceeds the dimension d = %.17g", M, d);
  switch (s->spectrum) {
  case RC_SPECTRUM_POWER:
    if (!(isfinite(s->alpha) && s->alpha > 0))
      return rc_error_set(err, RC_EINVAL, "spectrum exponent alpha must be finite and > 0 (got %g)",
                          s->alpha);
    break;
  case RC_SPECTRUM_LOGPOWER:
    if (!isfinite(s->alpha))
      return rc_error_set(err, RC_EINVAL, "log-power exponent alpha must be finite (got %g)",
                          s->alpha);
    break;
  case RC_SPECTRUM_VALUES:
    if (!s->lambda)
      return rc_error_set(err, RC_EINVAL, "spectrum values are required");
    if (isinf(d))
      return rc_error_set(err, RC_EINVAL, "an explicit spectrum has finite d (its length)");
    for (size_t i = 0; i < (size_t)d; i++)
      if (!(isfinite(s->lambda[i]) && s->lambda[i] > 0))
        return rc_error_set(err, RC_EINVAL, "eigenvalue %zu is %g: each must be finite and > 0",
                            i + 1, s->lambda[i]);
    break;
  default:
    return rc_error_set(err, RC_EINVAL, "unknown spectrum kind %d", (int)s->spectrum);
  }
  switch (s->target) {
  case RC_QUAD_TARGET_POWER:
    if (!isfinite(s->beta))
      return rc_error_set(err, RC_EINVAL, "signal exponent beta must be finite (got %g)", s->beta);
    if (isinf(d) && !(s->beta > 1))
      return rc_error_set(err, RC_EINVAL,
                          "d = inf needs a finite total signal sum i^-beta: beta must be > 1 "
                          "(got %g)",
                          s->beta);
    break;
  case RC_QUAD_TARGET_VALUES:
    if (!s->wstar)
      return rc_error_set(err, RC_EINVAL, "target values are required");
    if (isinf(d))
      return rc_error_set(err, RC_EINVAL, "an explicit target has finite d (its length)");
    for (size_t i = 0; i < (size_t)d; i++)
      if (!(isfinite(s->wstar[i]) && s->wstar[i] >= 0))
        return rc_error_set(err, RC_EINVAL,
                            "target value w*_%zu is %g: each must be finite and >= 0", i + 1,
                            s->wstar[i]);
    break;
  default:
    return rc_error_set(err, RC_EINVAL, "unknown target kind %d", (int)s->target);
  }
  if (s->v0_values) {
    for (size_t i = 0; i < M; i++)
      if (!(isfinite(s->v0_values[i]) && s->v0_values[i] > 0))
        return rc_error_set(err, RC_EINVAL, "initial v_%zu is %g: each must be finite and > 0",
                            i + 1, s->v0_values[i]);
  } else if (!(isfinite(s->v0) && s->v0 > 0)) {
    return rc_error_set(err, RC_EINVAL, "initial v0 must be finite and > 0 (got %g)", s->v0);
  }
  if (!(isfinite(s->sigma2) && s->sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        s->sigma2);
  if (s->batch == 0)
    return rc_error_set(err, RC_EINVAL, "batch size must be at least 1");
  return RC_SUCCESS;
}

rc_quad_problem *rc_quad_problem_alloc(const rc_quad_spec *s, size_t M, rc_error *err) {
  if (check_spec(s, M, err))
    return NULL;
  rc_quad_problem *p = calloc(1, sizeof *p);
  if (!p) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a problem");
    return NULL;
  }
  p->lambda = rc_alloc_doubles(M, err);
  p->wstar = p->lambda ? rc_alloc_doubles(M, err) : NULL;
  p->theta0 = p->wstar ? rc_alloc_doubles(M, err) : NULL;
  if (!p->theta0)
    goto fail;
  describe_problem(p, s, M);
  for (size_t i = 0; i < M; i++) {
    const double lam = s->spectrum == RC_SPECTRUM_VALUES
                           ? s->lambda[i]
                           : law_lambda(s->spectrum, s->alpha, (double)(i + 1));
    if (!(isfinite(lam) && lam > 0)) {
      rc_error_set(err, RC_EINVAL, "eigenvalue %zu is %g (under- or overflow of the law)", i + 1,
                   lam);
      goto fail;
    }
    p->lambda[i] = lam;
    p->wstar[i] = s->target == RC_QUAD_TARGET_VALUES ? s->wstar[i]
                                                     : sqrt(pow((double)(i + 1), -s->beta) / lam);
    if (!isfinite(p->wstar[i])) {
      rc_error_set(err, RC_EINVAL, "target w*_%zu overflows", i + 1);
      goto fail;
    }
    const double v = s->v0_values ? s->v0_values[i] : s->v0;
    p->theta0[i] = v * v;
  }
  double signal = 0;
  for (size_t i = M; i-- > 0;)
    signal += p->lambda[i] * p->wstar[i] * p->wstar[i];
  p->signal = signal;
  if (s->target == RC_QUAD_TARGET_POWER) {
    if (power_tail(s->beta, M, s->d, &p->approx, err))
      goto fail;
  } else {
    double a = 0;
    const size_t d = (size_t)s->d;
    for (size_t i = d; i-- > M;) {
      const double lam = s->spectrum == RC_SPECTRUM_VALUES
                             ? s->lambda[i]
                             : law_lambda(s->spectrum, s->alpha, (double)(i + 1));
      a += lam * s->wstar[i] * s->wstar[i];
    }
    p->approx = a;
  }
  if (!isfinite(p->approx)) {
    rc_error_set(err, RC_EINVAL, "the approximation error is not finite");
    goto fail;
  }
  return p;
fail:
  rc_quad_problem_free(p);
  return NULL;
}

/* lambda_j or w*_j of the spec at coordinate j (0-based) for the sketched variant (finite d). */
static int spec_coordinate(const rc_quad_spec *s, size_t j, double *lam, double *w, rc_error *err) {
  *lam = s->spectrum == RC_SPECTRUM_VALUES ? s->lambda[j]
                                           : law_lambda(s->spectrum, s->alpha, (double)(j + 1));
  if (!(isfinite(*lam) && *lam > 0))
    return rc_error_set(err, RC_EINVAL, "eigenvalue %zu is %g (under- or overflow of the law)",
                        j + 1, *lam);
  *w = s->target == RC_QUAD_TARGET_VALUES ? s->wstar[j]
                                          : sqrt(pow((double)(j + 1), -s->beta) / *lam);
  if (!isfinite(*w))
    return rc_error_set(err, RC_EINVAL, "target w*_%zu overflows", j + 1);
  return RC_SUCCESS;
}

rc_quad_problem *rc_quad_problem_sketched_alloc(const rc_quad_spec *s, const rc_sketch *sketch,
                                                rc_error *err) {
  if (!sketch || !sketch->S) {
    rc_error_set(err, RC_EINVAL, "a sketch is required");
    return NULL;
  }
  const size_t M = sketch->M, d = sketch->d;
  if (check_spec(s, M, err))
    return NULL;
  if (!(isfinite(s->d) && (size_t)s->d == d)) {
    rc_error_set(err, RC_EINVAL, "the sketch has d = %zu columns but the problem's d is %g", d,
                 s->d);
    return NULL;
  }
  if (M > (size_t)INT32_MAX || d > (size_t)INT32_MAX) {
    rc_error_set(err, RC_EINVAL, "a sketch of %zu x %zu exceeds the BLAS's 32-bit sizes", M, d);
    return NULL;
  }
  rc_quad_problem *p = calloc(1, sizeof *p);
  double *scaled = NULL, *lam = NULL, *wst = NULL, *resid = NULL;
  if (!p) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a problem");
    return NULL;
  }
  p->lambda = rc_alloc_doubles(M, err);
  p->wstar = p->lambda ? rc_alloc_doubles(M, err) : NULL;
  p->theta0 = p->wstar ? rc_alloc_doubles(M, err) : NULL;
  p->feature_cov = p->theta0 ? rc_alloc_doubles(rc_mul_size(M, M), err) : NULL;
  p->feature_chol = p->feature_cov ? rc_alloc_doubles(rc_mul_size(M, M), err) : NULL;
  lam = p->feature_chol ? rc_alloc_doubles(d, err) : NULL;
  wst = lam ? rc_alloc_doubles(d, err) : NULL;
  resid = wst ? rc_alloc_doubles(d, err) : NULL;
  /* K is accumulated over blocks of columns, so the scaled copy holds M x block numbers */
  const size_t block = d < 1024 ? d : 1024;
  scaled = resid ? rc_alloc_doubles(rc_mul_size(M, block), err) : NULL;
  if (!scaled)
    goto fail;
  describe_problem(p, s, M);
  double total = 0; /* w*^T H w*: refused when it overflows */
  for (size_t j = 0; j < d; j++) {
    if (spec_coordinate(s, j, &lam[j], &wst[j], err))
      goto fail;
    total += lam[j] * wst[j] * wst[j];
  }
  if (!isfinite(total)) {
    rc_error_set(err, RC_EINVAL, "the signal w*^T H w* overflows");
    goto fail;
  }
  /* K = (S H^1/2)(S H^1/2)^T by symmetric rank-k updates over column blocks, b = S H w* */
  double *K = p->feature_cov, *L = p->feature_chol, *theta = p->wstar;
  for (size_t j0 = 0; j0 < d; j0 += block) {
    const size_t nb = d - j0 < block ? d - j0 : block;
    for (size_t k = 0; k < M; k++)
      for (size_t j = 0; j < nb; j++)
        scaled[k * nb + j] = sketch->S[k * d + j0 + j] * sqrt(lam[j0 + j]);
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)M, (int)nb, 1.0, scaled, (int)nb,
                j0 == 0 ? 0.0 : 1.0, K, (int)M);
  }
  for (size_t k = 0; k < M; k++)
    for (size_t l = 0; l < k; l++)
      K[l * M + k] = K[k * M + l];
  for (size_t j = 0; j < d; j++)
    resid[j] = lam[j] * wst[j];
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)d, 1.0, sketch->S, (int)d, resid, 1, 0.0,
              theta, 1);
  for (size_t k = 0; k < M; k++)
    for (size_t l = 0; l < M; l++)
      L[k * M + l] = l <= k ? K[k * M + l] : 0.0;
  for (size_t k = 0; k < M * M; k++)
    if (!isfinite(K[k])) {
      rc_error_set(err, RC_EINVAL, "the features' covariance S H S^T overflows");
      goto fail;
    }
  /* Cholesky and theta* = K^-1 b. The row-major lower triangle is the column-major upper one,
   * so LAPACK works in place: no transposed copy that LAPACKE would allocate (and complain
   * about on stderr if that failed). A non-positive pivot comes back as info > 0. */
  lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)M, L, (lapack_int)M);
  if (info == 0)
    info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', (lapack_int)M, 1, L, (lapack_int)M, theta,
                          (lapack_int)M);
  if (info < 0) {
    rc_error_set(err, info <= LAPACK_WORK_MEMORY_ERROR ? RC_ENOMEM : RC_EINVAL,
                 "LAPACK's Cholesky failed (LAPACKE status %d)", (int)info);
    goto fail;
  }
  if (info > 0) {
    rc_error_set(err, RC_EDOMAIN,
                 "the sketched features are degenerate: S H S^T is not positive definite "
                 "(Cholesky pivot %d)",
                 (int)info);
    goto fail;
  }
  /* approx from the residual w* - S^T theta*, not as total - b^T theta* (no cancellation) */
  for (size_t j = 0; j < d; j++)
    resid[j] = wst[j];
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)M, (int)d, -1.0, sketch->S, (int)d, theta, 1, 1.0,
              resid, 1);
  double a = 0;
  for (size_t j = d; j-- > 0;)
    a += lam[j] * resid[j] * resid[j];
  double signal = 0;
  for (size_t k = 0; k < M; k++) {
    double kt = 0;
    for (size_t l = 0; l < M; l++)
      kt += K[k * M + l] * theta[l];
    signal += theta[k] * kt;
    p->lambda[k] = K[k * M + k];
    const double v = s->v0_values ? s->v0_values[k] : s->v0;
    p->theta0[k] = v * v;
  }
  p->approx = a;
  p->signal = signal;
  if (!(isfinite(a) && isfinite(signal))) {
    rc_error_set(err, RC_EINVAL, "the approximation error of the sketch is not finite");
    goto fail;
  }
  free(scaled);
  free(lam);
  free(wst);
  free(resid);
  return p;
fail:
  free(scaled);
  free(lam);
  free(wst);
  free(resid);
  rc_quad_problem_free(p);
  return NULL;
}
