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

double rc_law_first_rise(const rc_law *law) {
  if (law->kind == RC_SPECTRUM_POWER || law->a >= 0)
    return 0;
  /* log-power, a < 0: lambda(x) = 1 / (x log(1+x)^a) has d log(lambda)/dx < 0 exactly when
   * (1+x) log(1+x) / x > -a, and that ratio increases with x; compare the indices before. */
  for (double i = 1; i < law->d; i++) {
    if ((1 + i) * log1p(i) / i > -law->a)
      return 0;
    if (!(rc_law_lambda(law, i + 1) < rc_law_lambda(law, i)))
      return i;
  }
  return 0;
}

int rc_law_is_decreasing(const rc_law *law) {
  return rc_law_check(law, NULL) == RC_SUCCESS && rc_law_first_rise(law) == 0;
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

static void tail_jet(const tail_fn *f, double t0, double *e) {
  double ll[JET], ls[JET], p[JET];
  law_jets(f->law, t0, ll, ls);
  for (int k = 0; k < JET; k++)
    p[k] = f->m * ll[k] + f->q * ls[k];
  p[0] = tail_log_g(f, t0);
  jet_exp(p, e);
}

/* The integral over [q0, D] of a pure power, front (t/q0)^-s / q0 (front = the integrand at
 * q0 times q0), with L = log(D/q0): front (1 - e^((1-s) L)) / (s - 1), front / (s - 1) at
 * D = inf. */
static int power_integral(double front, double s, double L, double *integral, rc_error *err) {
  if (isinf(L)) {
    if (!(s > 1))
      return rc_error_set(err, RC_EINVAL, "tail sum diverges (exponent %g <= 1)", s);
    *integral = front / (s - 1.0);
  } else if (fabs(s - 1.0) < 1e-12) {
    *integral = front * L;
  } else {
    *integral = front * (-expm1((1.0 - s) * L)) / (s - 1.0);
  }
  return RC_SUCCESS;
}

/* Numerical integrals of the log-power tails, by GSL's CQUAD (doubly adaptive Clenshaw-Curtis;
 * it never raises for valid tolerances and a workspace, and it survives non-finite values) on
 * a workspace the library allocates. [x0, inf) is mapped onto [0, 1) by x = x0 + c s/(1-s):
 * the integrands decay exponentially (rate 1/c), so the mapped one and all its derivatives
 * vanish at s = 1 (no singularity, no truncation). */
#define CQUAD_INTERVALS 200
#define TAIL_EPSREL 1e-13 /* requested relative accuracy of a tail integral (as before) */
#define TAIL_ACCEPT 1e-10 /* refuse (RC_ENOCONV) when the error estimate is larger */

typedef struct {
  double (*h)(double x, const tail_fn *f);
  const tail_fn *f;
  double x0, c; /* map (c = 0: no map) */
} integrand;

static double integrand_eval(double s, void *params) {
  const integrand *g = params;
  if (g->c == 0)
    return g->h(s, g->f);
  if (!(s < 1))
    return 0.0; /* the limit at infinity */
  const double t = 1.0 - s;
  return g->h(g->x0 + g->c * s / t, g->f) * g->c / (t * t);
}

/* h(u) = g(q0 e^u) q0 e^u: the summand in u = log(t / q0). */
static double h_u(double u, const tail_fn *f) {
  const double lt = log(f->q0) + u;
  return exp(tail_log_g_log(f, lt) + lt);
}

/* l^-a / (e^l - 1): what remains of lambda(t) dt = l^-a (1 + 1/(e^l - 1)) dl, l = log(1+t),
 * once the l^-a part is integrated in closed form. */
static double h_rest(double l, const tail_fn *f) {
  return exp(-f->law->a * log(l)) / expm1(l);
}

static int cquad(integrand *g, double a, double b, gsl_integration_cquad_workspace *ws,
                 double *result, double *abserr, rc_error *err) {
  gsl_function F = {integrand_eval, g};
  const int st = gsl_integration_cquad(&F, a, b, 0.0, TAIL_EPSREL, ws, result, abserr, NULL);
  if (st || !isfinite(*result) || !(*abserr <= TAIL_ACCEPT * fabs(*result)))
    return rc_error_set(err, RC_ENOCONV,
                        "tail integral of the log-power law did not converge (%s, estimated "
                        "error %g of %g)",
                        st ? gsl_strerror(st) : "error estimate too large", *abserr, *result);
  return RC_SUCCESS;
}

/* The integral of g over [q0, D] for the log-power law. Three kinds of summand:
 *  - i^-b (the signal of a source prior, m = 0): a pure power, in closed form;
 *  - lambda(t) / lambda(q0)^m (m + q = 1, or m = 1 without signal): with l = log(1+t),
 *    lambda dt = l^-a dl + l^-a/(e^l - 1) dl; the first part in closed form (it decays only
 *    algebraically, which is what defeated adaptive quadrature on [0, inf)), the second,
 *    smaller by e^-l0, by CQUAD;
 *  - the rest decay like e^-(r u) (u^-alpha), r >= 1 at d = inf: CQUAD in u = log(t/q0). */
static int logpower_integral(const tail_fn *f, double D, gsl_integration_cquad_workspace *ws,
                             double *integral, double *abserr, rc_error *err) {
  const rc_law *l = f->law;
  const int source = l->prior == RC_PRIOR_SOURCE, finite = isfinite(D);
  const double q0 = f->q0;
  *abserr = 0;
  if (source && f->m == 0)
    return power_integral(exp((1.0 - l->b) * log(q0)), l->b, finite ? log(D / q0) : INFINITY,
                          integral, err);
  if (source ? (f->m == 1 && f->q == 0) : (f->m + f->q == 1)) {
    const double l0 = log1p(q0), lD = finite ? log1p(D) : INFINITY;
    /* int_{l0}^{lD} l^-a dl */
    double head;
    if (l->a == 1) {
      head = log(lD / l0);
    } else {
      if (!finite && !(l->a > 1))
        return rc_error_set(err, RC_EINVAL, "tail sum diverges (log-power exponent %g <= 1)", l->a);
      head = exp((1.0 - l->a) * log(l0)) * (-expm1((1.0 - l->a) * log(lD / l0))) / (l->a - 1.0);
    }
    integrand g = {h_rest, f, l0, finite ? 0.0 : 1.0 / (1.0 + fmax(l->a, 0.0) / l0)};
    double rest;
    int st = finite ? cquad(&g, l0, lD, ws, &rest, abserr, err)
                    : cquad(&g, 0.0, 1.0, ws, &rest, abserr, err);
    if (st)
      return st;
    const double front = exp(-f->m * f->log_lambda_q0);
    *integral = front * (head + rest);
    *abserr *= front;
    return RC_SUCCESS;
  }
  /* h(u) ~ e^-(r u) (u/l0)^-alpha */
  const double r = source ? f->m + l->b * f->q - 1.0 : f->m + f->q - 1.0;
  const double alpha = l->a * (source ? f->m : f->m + f->q);
  if (!finite && !(r > 0))
    return rc_error_set(err, RC_EINVAL, "tail sum diverges (exponent %g <= 1)", r + 1.0);
  integrand g = {h_u, f, 0.0, finite ? 0.0 : 1.0 / (r + fmax(alpha, 0.0) / log1p(q0))};
  return finite ? cquad(&g, 0.0, log(D / q0), ws, integral, abserr, err)
                : cquad(&g, 0.0, 1.0, ws, integral, abserr, err);
}

/* sum_{t = q0}^{D} g(t) (D = +inf allowed) by Euler-Maclaurin with four correction terms.
 * *bound receives the remainder bound |B_8/8| |g'(D)/7! - g'(q0)/7!| plus the
 * quadrature error estimate; the remainder bound is rigorous when g^(8) keeps one sign
 * (completely monotone summands: the power law, and the log-power law with a >= 0). */
static int tail_sum(tail_fn *f, double D, gsl_integration_cquad_workspace *ws, double *sum,
                    double *bound, rc_error *err) {
  const double q0 = f->q0;
  const int finite = isfinite(D);
  double integral, abserr = 0;
  int st;
  if (f->law->kind == RC_SPECTRUM_POWER) {
    /* g(t) = q0^(a m) t^-s with s = a m + beta q */
    const double beta = f->law->prior == RC_PRIOR_SOURCE ? f->law->b : f->law->a;
    const double s = f->law->a * f->m + beta * f->q;
    st = power_integral(exp((1.0 - beta * f->q) * log(q0)), s, finite ? log(D / q0) : INFINITY,
                        &integral, err);
  } else {
    st = logpower_integral(f, D, ws, &integral, &abserr, err);
  }
  if (st)
    return st;
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
  /* gsl_integration_cquad_workspace is a public struct: built here so that running out of
   * memory is RC_ENOMEM, not a raise in gsl_integration_cquad_workspace_alloc. */
  gsl_integration_cquad_workspace ws;
  ws.size = CQUAD_INTERVALS;
  ws.ivals = malloc(CQUAD_INTERVALS * sizeof *ws.ivals);
  ws.heap = malloc(CQUAD_INTERVALS * sizeof *ws.heap);
  if (!ws.ivals || !ws.heap) {
    free(ws.ivals);
    free(ws.heap);
    return rc_error_set(err, RC_ENOMEM, "out of memory for a quadrature workspace");
  }
  int status = RC_SUCCESS;
  *bound_U1 = *bound_V0 = 0;
  U[0] = 0;
  for (size_t m = 0; m < nmom && !status; m++) {
    double b;
    f.m = (double)m;
    if (m > 0) {
      f.q = 0;
      status = tail_sum(&f, law->d, &ws, &U[m], &b, err);
      if (m == 1)
        *bound_U1 = b;
    }
    if (!status) {
      f.q = 1;
      status = tail_sum(&f, law->d, &ws, &V[m], &b, err);
      if (m == 0)
        *bound_V0 = b;
    }
  }
  free(ws.ivals);
  free(ws.heap);
  return status;
}
