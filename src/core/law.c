/* Parametric laws of a spectrum and prior: check, values and tail sums (riskcalc/law.h,
 * core/law_tail.h; docs/DETEQ.md). */
#include "riskcalc/law.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "core/law_tail.h"

#define JET 8 /* Taylor coefficients 0..7 for Euler-Maclaurin */

int rc_law_check(const rc_law *law, rc_error *err) {
  if (!law)
    return rc_error_set(err, RC_EINVAL, "law is required");
  if (law->kind != RC_SPECTRUM_POWER && law->kind != RC_SPECTRUM_LOGPOWER)
    return rc_error_set(err, RC_EINVAL, "a law is a power or a log-power spectrum");
  if (law->prior != RC_PRIOR_ISOTROPIC && law->prior != RC_PRIOR_SOURCE)
    return rc_error_set(err, RC_EINVAL, "a law's prior is isotropic or a source condition");
  if (!isfinite(law->a) || (law->kind == RC_SPECTRUM_POWER && !(law->a > 0)))
    return rc_error_set(err, RC_EINVAL, "spectrum exponent a must be finite%s (got %g)",
                        law->kind == RC_SPECTRUM_POWER ? " and > 0" : "", law->a);
  if (law->prior == RC_PRIOR_SOURCE && !isfinite(law->b))
    return rc_error_set(err, RC_EINVAL, "source exponent b must be finite (got %g)", law->b);
  if (isinf(law->d) && law->d > 0) {
    if (!(law->a > 1))
      return rc_error_set(err, RC_EINVAL,
                          "d = inf needs a finite trace: the spectrum exponent a must be > 1 "
                          "(got %g)",
                          law->a);
    if (law->prior == RC_PRIOR_SOURCE && !(law->b > 1))
      return rc_error_set(err, RC_EINVAL,
                          "d = inf needs a finite signal tr(H P): the source exponent b must be "
                          "> 1 (got %g)",
                          law->b);
    return RC_SUCCESS;
  }
  if (!(law->d >= 1 && law->d == floor(law->d) && law->d <= 9007199254740992.0))
    return rc_error_set(err, RC_EINVAL, "d must be a whole number >= 1 or inf (got %g)", law->d);
  return RC_SUCCESS;
}

int rc_law_is_decreasing(const rc_law *law) {
  if (rc_law_check(law, NULL))
    return 0;
  if (law->kind == RC_SPECTRUM_POWER || law->a >= 0)
    return 1;
  /* log-power, a < 0: lambda(x) = 1 / (x log(1+x)^a) has d log(lambda)/dx < 0 exactly when
   * (1+x) log(1+x) / x > -a, and that ratio increases with x; compare the indices before. */
  for (double i = 1; i < law->d; i++) {
    if ((1 + i) * log1p(i) / i > -law->a)
      return 1;
    if (!(rc_law_lambda(law, i + 1) < rc_law_lambda(law, i)))
      return 0;
  }
  return 1;
}

double rc_law_lambda(const rc_law *l, double i) {
  if (l->kind == RC_SPECTRUM_POWER)
    return pow(i, -l->a);
  return 1.0 / (i * pow(log(i + 1.0), l->a));
}

double rc_law_signal(const rc_law *l, double i) {
  if (l->prior == RC_PRIOR_SOURCE)
    return pow(i, -l->b);
  return rc_law_lambda(l, i);
}

/* Taylor coefficients of log(t0 + h) in h. */
static void jet_log_shift(double t0, double *c) {
  c[0] = log(t0);
  double p = 1.0;
  for (int k = 1; k < JET; k++) {
    p /= t0;
    c[k] = (k % 2 ? 1.0 : -1.0) * p / k;
  }
}

/* u = log(v) for a series with v[0] > 0. */
static void jet_log(const double *v, double *u) {
  double vh[JET];
  for (int k = 0; k < JET; k++)
    vh[k] = v[k] / v[0];
  u[0] = log(v[0]);
  for (int k = 1; k < JET; k++) {
    double s = 0;
    for (int j = 1; j < k; j++)
      s += j * u[j] * vh[k - j];
    u[k] = vh[k] - s / k;
  }
}

/* e = exp(p). */
static void jet_exp(const double *p, double *e) {
  e[0] = exp(p[0]);
  for (int k = 1; k < JET; k++) {
    double s = 0;
    for (int j = 1; j <= k; j++)
      s += j * p[j] * e[k - j];
    e[k] = s / k;
  }
}

/* Taylor coefficients of log lambda(t) and log(lambda p)(t) at t0. */
static void law_jets(const rc_law *l, double t0, double *ll, double *ls) {
  double lt[JET];
  jet_log_shift(t0, lt);
  if (l->kind == RC_SPECTRUM_POWER) {
    for (int k = 0; k < JET; k++)
      ll[k] = -l->a * lt[k];
  } else {
    double l1[JET], ll1[JET];
    jet_log_shift(t0 + 1.0, l1);
    jet_log(l1, ll1);
    for (int k = 0; k < JET; k++)
      ll[k] = -lt[k] - l->a * ll1[k];
  }
  for (int k = 0; k < JET; k++)
    ls[k] = l->prior == RC_PRIOR_SOURCE ? -l->b * lt[k] : ll[k];
}

/* The summand g(t) = (lambda(t)/lambda(q0))^m (lambda p)(t)^q of a tail moment. */
typedef struct {
  const rc_law *law;
  double m, q, log_lambda_q0, q0;
} tail_fn;

/* log g at t = e^lt (written in lt so that huge t cannot overflow). */
static double tail_log_g_log(const tail_fn *f, double lt) {
  /* log(1 + t) = lt + log1p(e^-lt) */
  const double l1 = lt > 0 ? lt + log1p(exp(-lt)) : log1p(exp(lt));
  const double ll = f->law->kind == RC_SPECTRUM_POWER ? -f->law->a * lt : -lt - f->law->a * log(l1);
  const double ls = f->law->prior == RC_PRIOR_SOURCE ? -f->law->b * lt : ll;
  return f->m * (ll - f->log_lambda_q0) + f->q * ls;
}

static double tail_log_g(const tail_fn *f, double t) {
  return tail_log_g_log(f, log(t));
}

/* Integrand in u = log(t / q0): g(q0 e^u) q0 e^u. */
static double tail_integrand(double u, void *params) {
  const tail_fn *f = params;
  const double lt = log(f->q0) + u;
  return exp(tail_log_g_log(f, lt) + lt);
}

static void tail_jet(const tail_fn *f, double t0, double *e) {
  double ll[JET], ls[JET], p[JET];
  law_jets(f->law, t0, ll, ls);
  for (int k = 0; k < JET; k++)
    p[k] = f->m * ll[k] + f->q * ls[k];
  p[0] = tail_log_g(f, t0);
  jet_exp(p, e);
}

/* sum_{t = q0}^{D} g(t) (D = +inf allowed) by Euler-Maclaurin with four correction terms.
 * *bound receives the remainder bound |B_8/8| |g'''''''(D)/7! - g'''''''(q0)/7!| plus the
 * quadrature error estimate; the remainder bound is rigorous when g^(8) keeps one sign
 * (completely monotone summands: the power law, and the log-power law with a >= 0). */
static int tail_sum(tail_fn *f, double D, gsl_integration_workspace *ws, double *sum, double *bound,
                    rc_error *err) {
  const double q0 = f->q0;
  const int finite = isfinite(D);
  const double L = finite ? log(D / q0) : INFINITY;
  double integral, abserr = 0;
  if (f->law->kind == RC_SPECTRUM_POWER) {
    /* g(t) = q0^(a m) t^-s with s = a m + beta q */
    const double beta = f->law->prior == RC_PRIOR_SOURCE ? f->law->b : f->law->a;
    const double s = f->law->a * f->m + beta * f->q;
    const double front = exp((1.0 - beta * f->q) * log(q0));
    if (!finite) {
      if (!(s > 1))
        return rc_error_set(err, RC_EINVAL, "tail sum diverges (exponent %g <= 1)", s);
      integral = front / (s - 1.0);
    } else if (fabs(s - 1.0) < 1e-12) {
      integral = front * L;
    } else {
      integral = front * (-expm1((1.0 - s) * L)) / (s - 1.0);
    }
  } else {
    gsl_function F = {tail_integrand, f};
    int st = finite ? gsl_integration_qag(&F, 0.0, L, 0.0, 1e-13, ws->limit, GSL_INTEG_GAUSS21, ws,
                                          &integral, &abserr)
                    : gsl_integration_qagiu(&F, 0.0, 0.0, 1e-13, ws->limit, ws, &integral, &abserr);
    if (st && !(abserr <= 1e-8 * fabs(integral)))
      return rc_error_set(err, RC_ENOCONV,
                          "tail integral of the log-power law did not converge (%s, estimated "
                          "error %g of %g)",
                          gsl_strerror(st), abserr, integral);
  }
  double ea[JET], eb[JET] = {0};
  tail_jet(f, q0, ea);
  if (finite)
    tail_jet(f, D, eb);
  /* B_2/2, B_4/4, B_6/6, B_8/8 */
  static const double coef[4] = {1.0 / 12.0, -1.0 / 120.0, 1.0 / 252.0, -1.0 / 240.0};
  double s = integral + 0.5 * (ea[0] + eb[0]);
  for (int p = 1; p <= 4; p++)
    s += coef[p - 1] * (eb[2 * p - 1] - ea[2 * p - 1]);
  *sum = s;
  *bound = fabs(coef[3] * (eb[7] - ea[7])) + abserr;
  return RC_SUCCESS;
}

int rc_law_tail_moments(const rc_law *law, double n, size_t nmom, double *U, double *V,
                        double *bound_U1, double *bound_V0, rc_error *err) {
  const double q0 = n + 1.0;
  tail_fn f = {law, 0, 0, log(rc_law_lambda(law, q0)), q0};
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
  if (!ws)
    return rc_error_set(err, RC_ENOMEM, "out of memory for a quadrature workspace");
  int status = RC_SUCCESS;
  *bound_U1 = *bound_V0 = 0;
  U[0] = 0;
  for (size_t m = 0; m < nmom && !status; m++) {
    double b;
    f.m = (double)m;
    if (m > 0) {
      f.q = 0;
      status = tail_sum(&f, law->d, ws, &U[m], &b, err);
      if (m == 1)
        *bound_U1 = b;
    }
    if (!status) {
      f.q = 1;
      status = tail_sum(&f, law->d, ws, &V[m], &b, err);
      if (m == 0)
        *bound_V0 = b;
    }
  }
  gsl_integration_workspace_free(ws);
  return status;
}
