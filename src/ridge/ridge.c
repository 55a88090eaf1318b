/* Deterministic equivalents of ridge regression and linear random features (docs/RIDGE.md
 * sections 2 and 3).
 *
 * Everything is a function of one renormalised ridge kappa, the root of
 *   kappa (1 - df1(kappa)/n) (1 - df1(kappa)/P) = lambda          (P = inf: ridge),
 * and of six spectral sums at kappa (ridge_sums). The left side increases from 0 at kappa0
 * (df1(kappa0) = min(n, P), or 0 when min(n, P) >= the dimension) to infinity, so kappa is
 * kappa0 at lambda = 0 and otherwise the root bracketed by kappa0 and an expanding upper end. */
#include "riskcalc/ridge.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/root.h"
#include "ridge/ridge_min.h"
#include "ridge/ridge_sums.h"

struct rc_ridge {
  ridge_sums_plan *sums;
  double dim; /* non-zero eigenvalues (INFINITY for d = inf) */
};

/* ---------------------------------------------------------------- columns */

static const char *const ridge_names[] = {"n",     "lambda",    "kappa",    "df1",  "df2",   "bias",
                                          "var_x", "var_noise", "variance", "test", "train", "gcv"};
static const char *const rf_names[] = {"P",     "n",    "lambda", "kappa", "kappa1",
                                       "df1",   "df2",  "bias",   "var_x", "var_noise",
                                       "var_f", "test", "train"};

#define RIDGE_NCOL (sizeof ridge_names / sizeof ridge_names[0])
#define RF_NCOL (sizeof rf_names / sizeof rf_names[0])

const char *const *rc_ridge_columns(size_t *count) {
  if (count)
    *count = RIDGE_NCOL;
  return ridge_names;
}

const char *const *rc_rf_columns(size_t *count) {
  if (count)
    *count = RF_NCOL;
  return rf_names;
}

void rc_ridge_row_values(const rc_ridge_row *r, double *v) {
  const double x[RIDGE_NCOL] = {r->n,     r->lambda,    r->kappa,    r->df1,  r->df2,   r->bias,
                                r->var_x, r->var_noise, r->variance, r->test, r->train, r->gcv};
  memcpy(v, x, sizeof x);
}

void rc_rf_row_values(const rc_rf_row *r, double *v) {
  const double x[RF_NCOL] = {r->P,    r->n,     r->lambda,    r->kappa, r->kappa1, r->df1,  r->df2,
                             r->bias, r->var_x, r->var_noise, r->var_f, r->test,   r->train};
  memcpy(v, x, sizeof x);
}

/* ---------------------------------------------------------------- plans */

static rc_ridge *plan_wrap(ridge_sums_plan *s, rc_error *err) {
  if (!s)
    return NULL;
  rc_ridge *r = malloc(sizeof *r);
  if (!r) {
    ridge_sums_free(s);
    rc_error_set(err, RC_ENOMEM, "out of memory for a ridge plan");
    return NULL;
  }
  r->sums = s;
  r->dim = ridge_sums_dimension(s);
  return r;
}

rc_ridge *rc_ridge_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior, rc_error *err) {
  return plan_wrap(ridge_sums_alloc_values(spectrum, prior, err), err);
}

rc_ridge *rc_ridge_alloc_law(const rc_law *law, rc_error *err) {
  return plan_wrap(ridge_sums_alloc_law(law, err), err);
}

void rc_ridge_free(rc_ridge *plan) {
  if (!plan)
    return;
  ridge_sums_free(plan->sums);
  free(plan);
}

double rc_ridge_dimension(const rc_ridge *plan) {
  return plan ? plan->dim : NAN;
}

double rc_ridge_signal(const rc_ridge *plan) {
  return plan ? ridge_sums_signal(plan->sums) : NAN;
}

size_t rc_ridge_explicit_count(const rc_ridge *plan) {
  return plan ? ridge_sums_explicit(plan->sums) : 0;
}

double rc_ridge_tail_bound(const rc_ridge *plan) {
  return plan ? ridge_sums_tail_bound(plan->sums) : NAN;
}

double rc_ridge_kappa_min(const rc_ridge *plan) {
  return plan ? ridge_sums_kappa_min(plan->sums) : NAN;
}

/* ---------------------------------------------------------------- kappa */

typedef struct {
  const rc_ridge *plan;
  double target; /* df1 = target (lambda = 0), or unused */
  double n, P, lambda;
  rc_error *err;
} kappa_ctx;

/* df1(kappa) - target: decreasing in kappa. */
static int df_gap(double kappa, void *vp, double *value) {
  const kappa_ctx *c = vp;
  ridge_sums s;
  const int status = ridge_sums_eval(c->plan->sums, kappa, &s, c->err);
  *value = s.df1 - c->target;
  return status;
}

/* kappa (1 - df1/n)(1 - df1/P) - lambda: increasing in kappa above kappa0. */
static int kappa_gap(double kappa, void *vp, double *value) {
  const kappa_ctx *c = vp;
  ridge_sums s;
  const int status = ridge_sums_eval(c->plan->sums, kappa, &s, c->err);
  if (status)
    return status;
  /* 1 - df1/n as (n - df1)/n: exact for n = inf */
  const double fn = isinf(c->n) ? 1.0 : (c->n - s.df1) / c->n;
  const double fp = isinf(c->P) ? 1.0 : (c->P - s.df1) / c->P;
  *value = kappa * fn * fp - c->lambda;
  return RC_SUCCESS;
}

/* Spectral sums one evaluation takes at most, for the cost query (bracket searches and Brent;
 * measured 0 to 37 over n = 1..1e5, lambda = 0..100, d = 400 and 1e5, ridge and features). */
#define RIDGE_EVALS_PER_POINT 100

static const rc_root_options KAPPA_ROOT = {0.0, 4 * DBL_EPSILON, 400, RC_ROOT_BEST};

/* kappa0: the root of df1 = D (D < dim), else 0. */
static int kappa_floor(const rc_ridge *plan, double D, double *kappa0, rc_error *err) {
  if (!(D < plan->dim)) {
    *kappa0 = 0.0;
    return RC_SUCCESS;
  }
  kappa_ctx c = {plan, D, INFINITY, INFINITY, 0.0, err};
  /* df1 < tr(H) / kappa, so df1(tr H / D) < D: the root is below tr H / D; search downward */
  const double hi = ridge_sums_trace(plan->sums) / D;
  double x, prev;
  int status = rc_root_search(df_gap, &c, 0.0, hi, 0.25, 1, 2000, hi, "kappa (df1 = min(n, P))", &x,
                              &prev, err);
  if (status)
    return status;
  return rc_root_brent(df_gap, &c, x, prev, &KAPPA_ROOT, "kappa (df1 = min(n, P))", kappa0, err);
}

static int solve_kappa(const rc_ridge *plan, double P, double n, double lambda, double *kappa,
                       rc_error *err) {
  const double D = n < P ? n : P;
  double k0;
  int status;
  /* lambda > 0: kappa = lambda is a lower end when df1(lambda) <= min(n, P) (then kappa0 <=
   * lambda and the gap there is lambda (f - 1) < 0), so kappa0 -- which may lie below what a
   * law's plan serves when n is huge -- is only needed when lambda < kappa0 */
  ridge_sums s;
  if (lambda > 0 && ridge_sums_eval(plan->sums, lambda, &s, NULL) == RC_SUCCESS && s.df1 <= D) {
    k0 = lambda;
  } else {
    status = kappa_floor(plan, D, &k0, err);
    if (status || lambda == 0) {
      *kappa = k0;
      return status;
    }
  }
  kappa_ctx c = {plan, 0.0, n, P, lambda, err};
  /* the gap is -lambda at kappa0: expand kappa0 + lambda 2^k upward until it is positive */
  double x, prev;
  status = rc_root_search(kappa_gap, &c, k0, lambda, 2.0, 1, 2000, k0, "kappa", &x, &prev, err);
  if (status)
    return status;
  return rc_root_brent(kappa_gap, &c, prev, x, &KAPPA_ROOT, "kappa", kappa, err);
}

/* ---------------------------------------------------------------- evaluation */

static int check_common(const rc_ridge *plan, double n, double lambda, double sigma2,
                        const void *row, rc_error *err) {
  if (!plan || !row)
    return rc_error_set(err, RC_EINVAL, "plan and output row are required");
  if (!(n >= 1))
    return rc_error_set(err, RC_EINVAL, "sample size n must be >= 1 (got %g)", n);
  if (!(isfinite(lambda) && lambda >= 0))
    return rc_error_set(err, RC_EINVAL, "ridge lambda must be finite and >= 0 (got %g)", lambda);
  if (!(isfinite(sigma2) && sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        sigma2);
  return RC_SUCCESS;
}

/* See docs/THEORY.md section 4.1 and docs/RIDGE.md section 2. */
int rc_ridge_eval(const rc_ridge *plan, double n, double lambda, double sigma2, rc_ridge_row *row,
                  rc_error *err) {
  int status = check_common(plan, n, lambda, sigma2, row, err);
  if (status)
    return status;
  if (isinf(n))
    return rc_error_set(err, RC_EINVAL, "sample size n must be finite for ridge");
  if (lambda == 0 && n == plan->dim)
    return rc_error_set(err, RC_EINVAL,
                        "lambda = 0 at n = d = %g: the expected test error is infinite "
                        "(the interpolation peak)",
                        n);
  double kappa;
  status = solve_kappa(plan, INFINITY, n, lambda, &kappa, err);
  if (status)
    return status;
  ridge_sums s;
  if ((status = ridge_sums_eval(plan->sums, kappa, &s, err)))
    return status;
  const double gamma = s.df2 / n;
  if (!(gamma < 1))
    return rc_error_set(err, RC_ENOCONV, "gamma = df2/n = %.17g >= 1 at n = %g, lambda = %g", gamma,
                        n, lambda);
  const double infl = gamma / (1 - gamma);
  row->n = n;
  row->lambda = lambda;
  row->kappa = kappa;
  row->df1 = s.df1;
  row->df2 = s.df2;
  row->bias = s.b0;
  row->var_x = s.b0 * infl;
  row->var_noise = sigma2 * infl;
  row->variance = row->var_x + row->var_noise;
  row->test = sigma2 + row->bias + row->variance;
  /* train = (lambda/kappa)^2 test; at kappa = 0 (n > d, lambda = 0) lambda/kappa = 1 - d/n */
  const double shrink = kappa > 0 ? lambda / kappa : (n - s.df1) / n;
  row->train = shrink * shrink * row->test;
  row->gcv = row->test;
  return RC_SUCCESS;
}

/* See docs/THEORY.md section 4.2 and docs/RIDGE.md section 3. */
int rc_rf_eval(const rc_ridge *plan, double P, double n, double lambda, double sigma2,
               rc_rf_row *row, rc_error *err) {
  int status = check_common(plan, n, lambda, sigma2, row, err);
  if (status)
    return status;
  if (!(P >= 1))
    return rc_error_set(err, RC_EINVAL, "number of features P must be >= 1 (got %g)", P);
  const double rank = P < plan->dim ? P : plan->dim;
  if (lambda == 0 && n == rank)
    return rc_error_set(err, RC_EINVAL,
                        "lambda = 0 at n = min(P, d) = %g: the expected test error is infinite "
                        "(the interpolation peak)",
                        n);
  double kappa;
  status = solve_kappa(plan, P, n, lambda, &kappa, err);
  if (status)
    return status;
  ridge_sums s;
  if ((status = ridge_sums_eval(plan->sums, kappa, &s, err)))
    return status;
  const double inv_n = isinf(n) ? 0.0 : 1.0 / n, inv_P = isinf(P) ? 0.0 : 1.0 / P;
  double kappa1, var_f, gamma1;
  if (kappa > 0) {
    const double gamma2 = s.df2 * inv_P;
    /* lambda > 0: kappa1 = lambda / (1 - df1/n); lambda = 0: df1 = min(n, P) */
    if (lambda > 0)
      kappa1 = lambda / (1 - s.df1 * inv_n);
    else
      kappa1 = !(n < P) ? 0.0 : isinf(P) ? kappa : kappa * (P - n) * inv_P;
    var_f = kappa * s.t2 * s.dd * inv_P / (1 - gamma2);
    /* df2 - 2 df1 df2/P + df1^2/P written as a sum of non-negative terms */
    gamma1 = (s.df2 * (1 - s.df1 * inv_P) + s.df1 * s.dd * inv_P) * inv_n / (1 - gamma2);
  } else { /* min(n, P) >= d, lambda = 0: least squares on the full-rank features */
    kappa1 = 0.0;
    var_f = 0.0;
    gamma1 = plan->dim * inv_n;
  }
  if (!(gamma1 < 1))
    return rc_error_set(err, RC_ENOCONV, "gamma1 = %.17g >= 1 at P = %g, n = %g, lambda = %g",
                        gamma1, P, n, lambda);
  const double infl = gamma1 / (1 - gamma1);
  row->P = P;
  row->n = n;
  row->lambda = lambda;
  row->kappa = kappa;
  row->kappa1 = kappa1;
  row->df1 = s.df1;
  row->df2 = s.df2;
  row->bias = s.b0;
  row->var_f = var_f;
  row->var_x = (s.b0 + var_f) * infl;
  row->var_noise = sigma2 * infl;
  row->test = sigma2 + row->bias + row->var_f + row->var_x + row->var_noise;
  double shrink;
  if (kappa1 > 0)
    shrink = lambda / kappa1;
  else
    shrink = 1 - s.df1 * inv_n; /* lambda = 0 with P <= n (least squares in the features) */
  row->train = shrink * shrink * row->test;
  return RC_SUCCESS;
}

int rc_ridge_curve(const rc_ridge *plan, const double *n, size_t nn, const double *lambda,
                   size_t nl, double sigma2, rc_ridge_row *rows, rc_error *err) {
  if (!n || !lambda || !rows || nn == 0 || nl == 0)
    return rc_error_set(err, RC_EINVAL,
                        "non-empty lists of n and lambda and the rows are required");
  for (size_t i = 0; i < nn; i++)
    for (size_t j = 0; j < nl; j++) {
      rc_error e = {0, ""};
      const int status = rc_ridge_eval(plan, n[i], lambda[j], sigma2, rows + i * nl + j, &e);
      if (status)
        return rc_error_set(err, status, "n = %g, lambda = %g: %s", n[i], lambda[j], e.message);
    }
  return RC_SUCCESS;
}

int rc_rf_curve(const rc_ridge *plan, const double *P, size_t nP, const double *n, size_t nn,
                const double *lambda, size_t nl, double sigma2, rc_rf_row *rows, rc_error *err) {
  if (!P || !n || !lambda || !rows || nP == 0 || nn == 0 || nl == 0)
    return rc_error_set(err, RC_EINVAL,
                        "non-empty lists of P, n and lambda and the rows are required");
  for (size_t k = 0; k < nP; k++)
    for (size_t i = 0; i < nn; i++)
      for (size_t j = 0; j < nl; j++) {
        rc_error e = {0, ""};
        const int status =
            rc_rf_eval(plan, P[k], n[i], lambda[j], sigma2, rows + (k * nn + i) * nl + j, &e);
        if (status)
          return rc_error_set(err, status, "P = %g, n = %g, lambda = %g: %s", P[k], n[i], lambda[j],
                              e.message);
      }
  return RC_SUCCESS;
}

/* ---------------------------------------------------------------- optimal lambda */

typedef struct {
  const rc_ridge *plan;
  double P, n, sigma2;
  rc_error *err;
} opt_ctx;

/* The deterministic test error at lambda = e^u. */
static int test_at(double u, void *vp, double *value) {
  const opt_ctx *c = vp;
  const double lambda = exp(u);
  if (isinf(c->P)) {
    rc_ridge_row row;
    const int status = rc_ridge_eval(c->plan, c->n, lambda, c->sigma2, &row, c->err);
    *value = row.test;
    return status;
  }
  rc_rf_row row;
  const int status = rc_rf_eval(c->plan, c->P, c->n, lambda, c->sigma2, &row, c->err);
  *value = row.test;
  return status;
}

int ridge_log_minimize(rc_min_fn fn, void *ctx, double ulo, double uhi, double *umin, double *fmin,
                       int *at_edge, const char *what, rc_error *err) {
  double u[RIDGE_MIN_GRID], f[RIDGE_MIN_GRID];
  size_t best = 0;
  for (size_t k = 0; k < RIDGE_MIN_GRID; k++) {
    u[k] = k == RIDGE_MIN_GRID - 1 ? uhi : ulo + (uhi - ulo) * (double)k / (RIDGE_MIN_GRID - 1);
    const int status = fn(u[k], ctx, f + k);
    if (status)
      return status;
    if (f[k] < f[best])
      best = k;
  }
  *umin = u[best];
  *fmin = f[best];
  *at_edge = best == 0 || best == RIDGE_MIN_GRID - 1;
  /* f[best] is the strict minimum of the grid among the earlier points and <= the later
   * ones; a flat triple (equal neighbours) keeps the grid point */
  if (*at_edge || !(f[best] < f[best - 1] && f[best] < f[best + 1]))
    return RC_SUCCESS;
  const rc_min_options mo = {1e-6, 0.0, RIDGE_MIN_ITER};
  return rc_min_brent(fn, ctx, u[best - 1], f[best - 1], u[best], f[best], u[best + 1], f[best + 1],
                      &mo, what, umin, fmin, err);
}

int rc_ridge_optimal_lambda(const rc_ridge *plan, double P, double n, double sigma2,
                            double lambda_lo, double lambda_hi, double *lambda_opt, int *at_edge,
                            rc_error *err) {
  if (!plan || !lambda_opt || !at_edge)
    return rc_error_set(err, RC_EINVAL, "plan and outputs are required");
  if (!(isfinite(lambda_lo) && isfinite(lambda_hi) && lambda_lo > 0 && lambda_lo < lambda_hi))
    return rc_error_set(err, RC_EINVAL,
                        "the lambda interval must satisfy 0 < lo < hi, both finite (got [%g, %g])",
                        lambda_lo, lambda_hi);
  if (!(P >= 1) || !(n >= 1) || isinf(n))
    return rc_error_set(err, RC_EINVAL,
                        "P must be >= 1 (or inf) and n finite and >= 1 (got %g, %g)", P, n);
  opt_ctx c = {plan, P, n, sigma2, err};
  double u, f;
  const int status = ridge_log_minimize(test_at, &c, log(lambda_lo), log(lambda_hi), &u, &f,
                                        at_edge, "optimal lambda", err);
  if (status)
    return status;
  /* the ends exactly, not exp(log(end)) */
  *lambda_opt = *at_edge ? (u == log(lambda_lo) ? lambda_lo : lambda_hi) : exp(u);
  return RC_SUCCESS;
}

int rc_ridge_eval_cost(const rc_ridge *plan, double points, rc_cost *cost, rc_error *err) {
  if (!plan || !cost || !(points >= 0))
    return rc_error_set(err, RC_EINVAL, "plan, a point count >= 0 and the output are required");
  /* the root searches take well under RIDGE_EVALS_PER_POINT sums of about 12 multiply-adds
   * per term */
  cost->updates = points * RIDGE_EVALS_PER_POINT * 12.0 * (double)ridge_sums_terms(plan->sums);
  cost->bytes = 0;
  return RC_SUCCESS;
}
