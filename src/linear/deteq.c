/* The sketch-averaged deterministic equivalent of G = S H S^T (docs/DETEQ.md, THEORY.md
 * section 2).
 *
 * Everything is written in the variable w = z (1 + delta(z)) = -1/m(z), in which the
 * resolvent equation is explicit: z = x(w) = w (1 - A1(w)/M), A1(w) = sum_i lambda_i /
 * (lambda_i - w), and dx/dw = 1 - A2(w)/M, A2(w) = sum_i lambda_i^2 / (lambda_i - w)^2.
 *
 * Spectral sums. The explicit eigenvalues are held in decreasing order (distinct values with
 * multiplicity cnt_j and signal sig_j = sum of lambda_i p_i over the group). For a sum at w
 * only the eigenvalues above 0.4 |w| are summed one by one: the others (the "tail" of a
 * level) enter through the geometric series 1/(lambda - w) = -(1/w) sum_k (lambda/w)^k with
 * the precomputed tail moments sum cnt lambda^m and sum sig lambda^m. Levels K_l = 64 2^l
 * give each |w| its own cutoff; the deepest level's tail (the eigenvalues past the explicit
 * cutoff, up to d or infinity) is summed analytically by Euler-Maclaurin. */
#include "riskcalc/deteq.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>

#include "core/root.h"
#include "core/util.h"

#define N_MOM 67        /* tail moments m = 0..66 */
#define SERIES_TERMS 64 /* at most this many terms of the tail series */
#define MAX_LEVELS 48
#define SERIES_RATIO 0.4 /* a level serves w when its largest tail eigenvalue <= 0.4 |w| */
#define SERIES_RATIO_MAX 0.5
#define JET 8 /* Taylor coefficients 0..7 for Euler-Maclaurin */
#define K_MIN 4096
#define K_LIMIT ((size_t)1 << 25)
#define MAX_DEPTH 52

struct rc_deteq {
  int is_law;
  rc_law law;
  double d; /* number of non-zero eigenvalues (INFINITY) */
  double M_max;
  size_t n; /* explicit distinct eigenvalues, decreasing */
  double *lam, *cnt, *sig;
  size_t nlev;
  size_t K[MAX_LEVELS];        /* level l sums lam[0..K_l-1] explicitly */
  double scale[MAX_LEVELS];    /* largest tail eigenvalue of level l (0: no tail) */
  double U[MAX_LEVELS][N_MOM]; /* sum over the tail of cnt (lambda/scale)^m (m >= 1) */
  double V[MAX_LEVELS][N_MOM]; /* sum over the tail of sig (lambda/scale)^m */
  double trace, trace2, signal;
  double tail_bound;
};

/* ---------------------------------------------------------------- laws */

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

/* lambda_i and lambda_i p_i at index i (the formulas of src/spectrum.c). */
static double law_lambda(const rc_law *l, double i) {
  if (l->kind == RC_SPECTRUM_POWER)
    return pow(i, -l->a);
  return 1.0 / (i * pow(log(i + 1.0), l->a));
}

static double law_signal(const rc_law *l, double i) {
  if (l->prior == RC_PRIOR_SOURCE)
    return pow(i, -l->b);
  return law_lambda(l, i);
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

/* ------------------------------------------------------------ the plan */

static rc_deteq *deteq_new(size_t n, rc_error *err) {
  rc_deteq *de = calloc(1, sizeof *de);
  if (!de) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a deterministic-equivalent plan");
    return NULL;
  }
  de->n = n;
  de->lam = rc_alloc_doubles(n, err);
  de->cnt = de->lam ? rc_alloc_doubles(n, err) : NULL;
  de->sig = de->cnt ? rc_alloc_doubles(n, err) : NULL;
  if (!de->sig) {
    rc_deteq_free(de);
    return NULL;
  }
  return de;
}

void rc_deteq_free(rc_deteq *de) {
  if (de) {
    free(de->lam);
    free(de->cnt);
    free(de->sig);
    free(de);
  }
}

/* Levels and their tail moments; the deepest tail (past lam[n-1]) is given by tail_scale,
 * tailU, tailV (tail_scale == 0: no tail). */
static void build_levels(rc_deteq *de, double tail_scale, const double *tailU,
                         const double *tailV) {
  size_t L = 0;
  size_t K = de->n < 64 ? de->n : 64;
  for (;;) {
    de->K[L++] = K;
    if (K == de->n || L == MAX_LEVELS - 1)
      break;
    K = K * 2 < de->n ? K * 2 : de->n;
  }
  if (de->K[L - 1] != de->n)
    de->K[L++] = de->n;
  de->nlev = L;
  /* deepest level */
  de->scale[L - 1] = tail_scale;
  for (int m = 0; m < N_MOM; m++) {
    de->U[L - 1][m] = tail_scale > 0 ? tailU[m] : 0;
    de->V[L - 1][m] = tail_scale > 0 ? tailV[m] : 0;
  }
  for (size_t l = L - 1; l-- > 0;) {
    const double sc = de->lam[de->K[l]];
    de->scale[l] = sc;
    double *U = de->U[l], *V = de->V[l];
    /* the deeper level's tail, rescaled */
    const double ratio = de->scale[l + 1] / sc;
    double p = 1.0;
    for (int m = 0; m < N_MOM; m++) {
      U[m] = p * de->U[l + 1][m];
      V[m] = p * de->V[l + 1][m];
      p *= ratio;
    }
    /* explicit eigenvalues between the two cutoffs, smallest first */
    for (size_t j = de->K[l + 1]; j-- > de->K[l];) {
      const double r = de->lam[j] / sc, c = de->cnt[j], s = de->sig[j];
      double q = 1.0;
      V[0] += s;
      for (int m = 1; m < N_MOM; m++) {
        q *= r;
        if (q < 1e-300)
          break;
        U[m] += c * q;
        V[m] += s * q;
      }
    }
  }
  /* totals */
  double tr = 0, tr2 = 0, sg = 0;
  for (size_t j = de->n; j-- > 0;) {
    tr += de->cnt[j] * de->lam[j];
    tr2 += de->cnt[j] * de->lam[j] * de->lam[j];
    sg += de->sig[j];
  }
  if (tail_scale > 0) {
    tr += tail_scale * tailU[1];
    tr2 += tail_scale * tail_scale * tailU[2];
    sg += tailV[0];
  }
  de->trace = tr;
  de->trace2 = tr2;
  de->signal = sg;
}

/* Explicit part 1..n of a law and the analytic tail n+1..d. */
static int law_fill(rc_deteq *de, rc_error *err) {
  const rc_law *l = &de->law;
  for (size_t j = 0; j < de->n; j++) {
    const double i = (double)(j + 1);
    de->lam[j] = law_lambda(l, i);
    de->cnt[j] = 1.0;
    de->sig[j] = law_signal(l, i);
  }
  for (size_t j = 1; j < de->n; j++)
    if (!(de->lam[j] < de->lam[j - 1]))
      return rc_error_set(err, RC_EINVAL,
                          "the spectrum is not decreasing at i = %zu (a law needs decreasing "
                          "eigenvalues)",
                          j + 1);
  if ((double)de->n >= l->d) {
    de->tail_bound = 0;
    build_levels(de, 0.0, NULL, NULL);
    return RC_SUCCESS;
  }
  double U[N_MOM], V[N_MOM], bU1 = 0, bV0 = 0;
  const double q0 = (double)de->n + 1.0;
  tail_fn f = {l, 0, 0, log(law_lambda(l, q0)), q0};
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
  if (!ws)
    return rc_error_set(err, RC_ENOMEM, "out of memory for a quadrature workspace");
  int status = RC_SUCCESS;
  U[0] = 0;
  for (int m = 0; m < N_MOM && !status; m++) {
    double b;
    f.m = m;
    if (m > 0) {
      f.q = 0;
      status = tail_sum(&f, l->d, ws, &U[m], &b, err);
      if (m == 1)
        bU1 = b;
    }
    if (!status) {
      f.q = 1;
      status = tail_sum(&f, l->d, ws, &V[m], &b, err);
      if (m == 0)
        bV0 = b;
    }
  }
  gsl_integration_workspace_free(ws);
  if (status)
    return status;
  const double scale = law_lambda(l, q0);
  build_levels(de, scale, U, V);
  const double r1 = scale * bU1 / de->trace, r2 = bV0 / de->signal;
  de->tail_bound = r1 > r2 ? r1 : r2;
  return RC_SUCCESS;
}

/* ------------------------------------------------------- spectral sums */

enum { S_A2 = 1, S_A3 = 2, S_B = 4 };

typedef struct {
  double a1r, a1i, a2r, a2i, a3r, a3i, b0r, b0i, b1r, b1i;
  double sim; /* sum sig lambda / |lambda - w|^2 */
} sums;

static int eval_sums(const rc_deteq *de, double wr, double wi, unsigned what, sums *s,
                     rc_error *err) {
  memset(s, 0, sizeof *s);
  const double aw = hypot(wr, wi);
  size_t l = 0;
  while (l + 1 < de->nlev && de->scale[l] > SERIES_RATIO * aw)
    l++;
  const double sc = de->scale[l];
  if (sc > SERIES_RATIO_MAX * aw)
    return rc_error_set(err, RC_ENOCONV,
                        "|w| = %.3g is below the range this plan was prepared for (explicit "
                        "cutoff K = %zu, lambda_{K+1} = %.3g): prepare it for a larger M",
                        aw, de->n, sc);
  const size_t K = de->K[l];
  const double *lam = de->lam, *cnt = de->cnt, *sig = de->sig;
  double a1r = 0, a1i = 0, a2r = 0, a2i = 0, a3r = 0, a3i = 0;
  double b0r = 0, b0i = 0, b1r = 0, b1i = 0, sim = 0;
  /* smallest terms first */
  for (size_t j = K; j-- > 0;) {
    const double lj = lam[j], dr = lj - wr;
    const double inv2 = 1.0 / (dr * dr + wi * wi);
    const double rr = dr * inv2, ri = wi * inv2; /* 1 / (lambda - w) */
    const double cl = cnt[j] * lj;
    a1r += cl * rr;
    a1i += cl * ri;
    if (what & (S_A2 | S_A3)) {
      const double qr = rr * rr - ri * ri, qi = 2 * rr * ri, cll = cl * lj;
      a2r += cll * qr;
      a2i += cll * qi;
      if (what & S_A3) {
        a3r += cll * (qr * rr - qi * ri);
        a3i += cll * (qr * ri + qi * rr);
      }
    }
    if (what & S_B) {
      const double sj = sig[j];
      b0r += sj * rr;
      b0i += sj * ri;
      b1r += sj * lj * rr;
      b1i += sj * lj * ri;
      sim += sj * lj * inv2;
    }
  }
  if (sc > 0) {
    /* tail: r = sc / w, terms in r^k */
    const double w2 = aw * aw;
    const double zr = sc * wr / w2, zi = -sc * wi / w2;
    const double rho = sc / aw;
    int kmax = (int)ceil(41.5 / -log(rho)) + 6;
    if (kmax > SERIES_TERMS)
      kmax = SERIES_TERMS;
    const double *U = de->U[l], *V = de->V[l];
    double pr = 1, pi = 0; /* r^k */
    double t1r = 0, t1i = 0, t2r = 0, t2i = 0, t3r = 0, t3i = 0, u0r = 0, u0i = 0, v1r = 0, v1i = 0;
    for (int k = 0; k <= kmax + 3; k++) {
      /* pr, pi = r^k */
      if (k >= 1 && k <= kmax + 1) {
        t1r += U[k] * pr;
        t1i += U[k] * pi;
        v1r += V[k] * pr;
        v1i += V[k] * pi;
      }
      if (k >= 2 && k <= kmax + 2) {
        t2r += (k - 1) * U[k] * pr;
        t2i += (k - 1) * U[k] * pi;
      }
      if (k >= 3 && k <= kmax + 3) {
        const double c = 0.5 * (k - 2) * (k - 1) * U[k - 1];
        t3r += c * pr;
        t3i += c * pi;
      }
      if (k >= 1 && k <= kmax + 2) {
        u0r += V[k - 1] * pr;
        u0i += V[k - 1] * pi;
      }
      const double nr = pr * zr - pi * zi, ni = pr * zi + pi * zr;
      pr = nr;
      pi = ni;
    }
    a1r -= t1r;
    a1i -= t1i;
    a2r += t2r;
    a2i += t2i;
    a3r -= t3r / sc;
    a3i -= t3i / sc;
    if (what & S_B) {
      b1r -= v1r;
      b1i -= v1i;
      b0r -= u0r / sc;
      b0i -= u0i / sc;
      /* sum sig lambda / |lambda - w|^2 = (sc/|w|^2) sum_n V_{n+1} rho^n U_n(cos phi) */
      const double c = wr / aw;
      double un1 = 0, un = 1, rp = 1, acc = 0;
      for (int k = 0; k <= kmax; k++) {
        acc += V[k + 1] * rp * un;
        const double next = 2 * c * un - un1;
        un1 = un;
        un = next;
        rp *= rho;
      }
      sim += sc / w2 * acc;
    }
  }
  s->a1r = a1r;
  s->a1i = a1i;
  s->a2r = a2r;
  s->a2i = a2i;
  s->a3r = a3r;
  s->a3i = a3i;
  s->b0r = b0r;
  s->b0i = b0i;
  s->b1r = b1r;
  s->b1i = b1i;
  s->sim = sim;
  return RC_SUCCESS;
}

/* Real-axis helpers: h(w) = A2(w)/M, A3(w), x(w). */
static int real_sums(const rc_deteq *de, double w, unsigned what, sums *s, rc_error *err) {
  return eval_sums(de, w, 0.0, what, s, err);
}

static int x_of_w_real(const rc_deteq *de, double M, double w, double *x, rc_error *err) {
  sums s;
  int st = real_sums(de, w, 0, &s, err);
  if (st)
    return st;
  *x = w * (1.0 - s.a1r / M);
  return RC_SUCCESS;
}

/* ------------------------------------------------------------ creation */

rc_deteq *rc_deteq_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior, double M_max,
                                rc_error *err) {
  if (!spectrum || !prior) {
    rc_error_set(err, RC_EINVAL, "spectrum and prior are required");
    return NULL;
  }
  if (spectrum->d != prior->d) {
    rc_error_set(err, RC_EINVAL, "dimensions disagree: spectrum d = %zu, prior d = %zu",
                 spectrum->d, prior->d);
    return NULL;
  }
  if (!(M_max >= 1 && isfinite(M_max))) {
    rc_error_set(err, RC_EINVAL, "model size M must be finite and >= 1 (got %g)", M_max);
    return NULL;
  }
  const size_t d = spectrum->d;
  size_t *order = malloc((d ? d : 1) * sizeof *order);
  if (!order) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a spectrum of dimension %zu", d);
    return NULL;
  }
  size_t nz = 0;
  for (size_t i = 0; i < d; i++)
    if (spectrum->lambda[i] > 0)
      order[nz++] = i;
  if (nz == 0) {
    free(order);
    rc_error_set(err, RC_EINVAL, "every eigenvalue is zero");
    return NULL;
  }
  /* indices by decreasing eigenvalue: bottom-up merge sort (stable, O(d log d)) */
  size_t *tmp = malloc(nz * sizeof *tmp);
  if (!tmp) {
    free(order);
    rc_error_set(err, RC_ENOMEM, "out of memory for a spectrum of dimension %zu", d);
    return NULL;
  }
  const double *lv = spectrum->lambda;
  for (size_t width = 1; width < nz; width *= 2) {
    for (size_t lo = 0; lo < nz; lo += 2 * width) {
      size_t mid = lo + width < nz ? lo + width : nz,
             hi = lo + 2 * width < nz ? lo + 2 * width : nz;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = lv[order[i]] >= lv[order[j]] ? order[i++] : order[j++];
      while (i < mid)
        tmp[k++] = order[i++];
      while (j < hi)
        tmp[k++] = order[j++];
    }
    memcpy(order, tmp, nz * sizeof *order);
  }
  free(tmp);
  size_t distinct = 0;
  for (size_t k = 0; k < nz; k++)
    if (k == 0 || lv[order[k]] != lv[order[k - 1]])
      distinct++;
  rc_deteq *de = deteq_new(distinct, err);
  if (!de) {
    free(order);
    return NULL;
  }
  size_t j = 0;
  for (size_t k = 0; k < nz; k++) {
    const size_t i = order[k];
    if (k > 0 && lv[i] != lv[order[k - 1]])
      j++;
    if (k == 0 || lv[i] != lv[order[k - 1]]) {
      de->lam[j] = lv[i];
      de->cnt[j] = 0;
      de->sig[j] = 0;
    }
    de->cnt[j] += 1.0;
    de->sig[j] += lv[i] * prior->p[i];
  }
  free(order);
  de->is_law = 0;
  de->d = (double)nz;
  de->M_max = M_max;
  de->tail_bound = 0;
  build_levels(de, 0.0, NULL, NULL);
  return de;
}

static int find_kappa(const rc_deteq *de, double M, double *kappa, double *approx, rc_error *err);
static int lower_edge(const rc_deteq *de, double M, double kappa, double *wc, rc_error *err);

rc_deteq *rc_deteq_alloc_law(const rc_law *law, double M_max, rc_error *err) {
  int st = rc_law_check(law, err);
  if (st)
    return NULL;
  if (!(M_max >= 1 && isfinite(M_max))) {
    rc_error_set(err, RC_EINVAL, "model size M must be finite and >= 1 (got %g)", M_max);
    return NULL;
  }
  size_t K = K_MIN;
  while ((double)K < 8 * M_max && K < K_LIMIT)
    K *= 2;
  for (;;) {
    const size_t n = law->d <= (double)K ? (size_t)law->d : K;
    rc_deteq *de = deteq_new(n, err);
    if (!de)
      return NULL;
    de->is_law = 1;
    de->law = *law;
    de->d = law->d;
    de->M_max = M_max;
    if (law_fill(de, err)) {
      rc_deteq_free(de);
      return NULL;
    }
    if (de->scale[de->nlev - 1] == 0)
      return de; /* everything explicit */
    /* The deepest tail must stay below 0.2 |w| wherever the measure at M_max is evaluated:
     * check at kappa and at the lower edge w_c of the spectrum of G. */
    double kappa, approx, wc = 0;
    rc_error local = {0, ""};
    int ok = find_kappa(de, M_max, &kappa, &approx, &local) == RC_SUCCESS &&
             lower_edge(de, M_max, kappa, &wc, &local) == RC_SUCCESS;
    if (ok && de->scale[de->nlev - 1] <= 0.2 * fabs(wc))
      return de;
    rc_deteq_free(de);
    if (K >= K_LIMIT || (double)K >= law->d) {
      rc_error_set(err, RC_ENOCONV,
                   "M = %g needs more than %zu explicit eigenvalues for this law%s%s", M_max,
                   K_LIMIT, local.status ? ": " : "", local.status ? local.message : "");
      return NULL;
    }
    K *= 4;
    if (K > K_LIMIT)
      K = K_LIMIT;
  }
}

double rc_deteq_dimension(const rc_deteq *de) {
  return de->d;
}
double rc_deteq_trace(const rc_deteq *de) {
  return de->trace;
}
double rc_deteq_signal(const rc_deteq *de) {
  return de->signal;
}
size_t rc_deteq_cutoff(const rc_deteq *de) {
  size_t total = 0;
  for (size_t j = 0; j < de->n; j++)
    total += (size_t)de->cnt[j];
  return total;
}
double rc_deteq_tail_bound(const rc_deteq *de) {
  return de->tail_bound;
}

int rc_deteq_get_law(const rc_deteq *de, rc_law *law) {
  if (de && de->is_law && law)
    *law = de->law;
  return de && de->is_law;
}

int rc_deteq_top(const rc_deteq *de, size_t k, double *lambda, double *signal, rc_error *err) {
  if (!de || (k > 0 && (!lambda || !signal)))
    return rc_error_set(err, RC_EINVAL, "plan and output arrays are required");
  size_t i = 0;
  for (size_t j = 0; j < de->n && i < k; j++)
    for (size_t c = 0; c < (size_t)de->cnt[j] && i < k; c++, i++) {
      lambda[i] = de->lam[j];
      signal[i] = de->sig[j] / de->cnt[j];
    }
  if (i < k)
    return rc_error_set(err, RC_EINVAL,
                        "asked for the %zu largest eigenvalues but the plan holds %zu explicitly",
                        k, i);
  return RC_SUCCESS;
}

/* ---------------------------------------------------------------- roots */

typedef struct {
  const rc_deteq *de;
  double M;
  rc_error *err;
} root_params;

static int fn_kappa(double kappa, void *vp, double *value) {
  root_params *p = vp;
  sums s;
  int st = real_sums(p->de, -kappa, 0, &s, p->err);
  *value = s.a1r - p->M;
  return st;
}

static int fn_h(double w, void *vp, double *value) { /* A2(w)/M - 1 */
  root_params *p = vp;
  sums s;
  int st = real_sums(p->de, w, S_A2, &s, p->err);
  *value = s.a2r / p->M - 1.0;
  return st;
}

static int fn_a3(double w, void *vp, double *value) {
  root_params *p = vp;
  sums s;
  int st = real_sums(p->de, w, S_A3, &s, p->err);
  *value = s.a3r;
  return st;
}

/* Every root of the plan to 1e-15 relative (or to adjacent doubles); Brent needs a few tens of
 * iterations, 300 is a safety cap. */
static const rc_root_options deteq_root = {0.0, 1e-15, 300, RC_ROOT_BEST};

/* Bracket searches halve (or quarter) the distance to a limit point; 2000 steps reach any
 * double from any start. */
#define SEARCH_STEPS 2000

static int brent(rc_root_fn fn, root_params *p, double lo, double hi, double *root,
                 const char *what) {
  return rc_root_brent(fn, p, lo, hi, &deteq_root, what, root, p->err);
}

static int find_kappa(const rc_deteq *de, double M, double *kappa, double *approx, rc_error *err) {
  if (!(M < de->d)) {
    *kappa = 0;
    *approx = 0;
    return RC_SUCCESS;
  }
  root_params p = {de, M, err};
  /* sum lambda/(lambda + kappa) < tr(H)/kappa: negative at tr(H)/M; quarter toward 0 until
   * positive */
  const double top = de->trace / M;
  double lo, hi;
  int st = rc_root_search(fn_kappa, &p, 0.0, top * 0.25, 0.25, +1, SEARCH_STEPS, top,
                          "kappa (bracket)", &lo, &hi, err);
  if (!st)
    st = brent(fn_kappa, &p, lo, hi, kappa, "kappa");
  if (st)
    return st;
  sums s;
  st = real_sums(de, -*kappa, S_B, &s, err);
  if (st)
    return st;
  *approx = *kappa * s.b0r;
  return RC_SUCCESS;
}

int rc_deteq_kappa(const rc_deteq *de, double M, double *kappa, double *approx, rc_error *err) {
  if (!de || !kappa || !approx)
    return rc_error_set(err, RC_EINVAL, "plan and outputs are required");
  if (!(M >= 1 && M <= de->M_max))
    return rc_error_set(err, RC_EINVAL, "M = %g is outside [1, %g], the range of this plan", M,
                        de->M_max);
  return find_kappa(de, M, kappa, approx, err);
}

/* Lower edge of the support in w: h(w_c) = 1 with w_c in (-kappa, 0) when d > M, in
 * (0, lambda_min) when d < M, and w_c = 0 (a hard edge at x = 0) when d == M. */
static int lower_edge(const rc_deteq *de, double M, double kappa, double *wc, rc_error *err) {
  root_params p = {de, M, err};
  if (M == de->d) {
    *wc = 0;
    return RC_SUCCESS;
  }
  double lo, hi;
  int st;
  if (M < de->d) {
    /* from -kappa halfway toward 0 until h > 1 */
    st = rc_root_search(fn_h, &p, 0.0, -kappa * 0.5, 0.5, +1, SEARCH_STEPS, -kappa,
                        "lower edge of the spectrum (bracket)", &hi, &lo, err);
    return st ? st : brent(fn_h, &p, lo, hi, wc, "lower edge of the spectrum");
  }
  /* d < M: h(0) = d/M < 1, h -> inf at the smallest eigenvalue */
  const double lmin = de->lam[de->n - 1];
  st = rc_root_search(fn_h, &p, lmin, -(lmin / 2), 0.5, +1, SEARCH_STEPS, 0.0,
                      "lower edge of the spectrum (bracket)", &hi, &lo, err);
  return st ? st : brent(fn_h, &p, 0.0, hi, wc, "lower edge of the spectrum");
}

/* -------------------------------------------------------- w(x) solvers */

/* Damped Newton for x(w) = x + i eta keeping Im w > 0. Returns 1 when converged. */
static int newton_w(const rc_deteq *de, double M, double x, double eta, double *wr, double *wi,
                    int *status, rc_error *err) {
  double r = *wr, i = *wi;
  sums s;
  for (int it = 0; it < 80; it++) {
    if ((*status = eval_sums(de, r, i, S_A2, &s, err)))
      return 0;
    /* F = w (1 - A1/M) - z */
    const double gr = 1.0 - s.a1r / M, gi = -s.a1i / M;
    const double Fr = r * gr - i * gi - x, Fi = r * gi + i * gr - eta;
    const double Fn = hypot(Fr, Fi);
    const double scale = hypot(r, i) * (1.0 + hypot(s.a1r, s.a1i) / M) + hypot(x, eta);
    if (Fn <= 4 * DBL_EPSILON * scale) {
      *wr = r;
      *wi = i;
      return 1;
    }
    const double Dr = 1.0 - s.a2r / M, Di = -s.a2i / M; /* F' = 1 - A2/M */
    const double dd = Dr * Dr + Di * Di;
    if (!(dd > 0))
      return 0;
    const double dr = -(Fr * Dr + Fi * Di) / dd, di = -(Fi * Dr - Fr * Di) / dd;
    double t = 1.0;
    int accepted = 0;
    for (int h = 0; h < 60; h++, t *= 0.5) {
      const double nr = r + t * dr, ni = i + t * di;
      if (!(ni > 0))
        continue;
      sums s2;
      if ((*status = eval_sums(de, nr, ni, 0, &s2, err)))
        return 0;
      const double g2r = 1.0 - s2.a1r / M, g2i = -s2.a1i / M;
      const double F2 = hypot(nr * g2r - ni * g2i - x, nr * g2i + ni * g2r - eta);
      if (F2 < Fn || t * hypot(dr, di) <= 2 * DBL_EPSILON * hypot(r, i)) {
        r = nr;
        i = ni;
        accepted = 1;
        break;
      }
    }
    if (!accepted)
      return 0;
    if (t * hypot(dr, di) <= 2 * DBL_EPSILON * hypot(r, i)) {
      /* stagnated at rounding level: accept if the residual is small */
      if (Fn <= 1e-11 * scale) {
        *wr = r;
        *wi = i;
        return 1;
      }
      return 0;
    }
  }
  return 0;
}

/* Imaginary part at which real-axis roots are first solved: for Im z > 0 the root with
 * Im w > 0 is unique (the Stieltjes transform), so Newton there cannot settle on one of the
 * real roots that x(w) = x also has on the real axis. */
static double eta_small(double x) {
  return 1e-12 * x;
}

/* From the root at z = x + i eta_small(x), the limit eta -> 0: a Newton step at eta = 0 is
 * kept only when it stays within 1e-6 |w| of the start (the two differ by about
 * eta / |x'(w)|); otherwise the eta_small root is kept, whose density is within about
 * 1e-12 x / |x - x_edge| of the limit. */
static int polish_real(const rc_deteq *de, double M, double x, double *wr, double *wi,
                       rc_error *err) {
  double r = *wr, i = *wi;
  int status = RC_SUCCESS;
  if (newton_w(de, M, x, 0.0, &r, &i, &status, err) && i > 0 &&
      hypot(r - *wr, i - *wi) <= 1e-6 * hypot(*wr, *wi)) {
    *wr = r;
    *wi = i;
  }
  return status;
}

/* w at z = x + i eta by continuation from large Im z down to eta (eta = 0: down to
 * eta_small(x), then polish_real). */
static int continuation_w(const rc_deteq *de, double M, double x, double eta, double *wr,
                          double *wi, rc_error *err) {
  const double top = fabs(x) + de->lam[0] + de->trace / M;
  double e = 4 * top;
  if (e < eta)
    e = eta;
  double r = x + de->trace / M, i = e;
  const double floor_eta = eta > 0 ? eta : eta_small(x);
  int status = RC_SUCCESS;
  for (;;) {
    if (!newton_w(de, M, x, e, &r, &i, &status, err)) {
      if (status)
        return status;
      return rc_error_set(err, RC_ENOCONV,
                          "resolvent equation: Newton did not converge at z = %.17g + %.3g i", x,
                          e);
    }
    if (e <= floor_eta)
      break;
    e /= 3;
    if (e < floor_eta)
      e = floor_eta;
  }
  if (eta == 0 && (status = polish_real(de, M, x, &r, &i, err)))
    return status;
  *wr = r;
  *wi = i;
  return RC_SUCCESS;
}

int rc_deteq_stieltjes(const rc_deteq *de, double M, double x, double eta, double *m_re,
                       double *m_im, rc_error *err) {
  if (!de || !m_re || !m_im)
    return rc_error_set(err, RC_EINVAL, "plan and outputs are required");
  if (!(M >= 1 && M <= de->M_max))
    return rc_error_set(err, RC_EINVAL, "M = %g is outside [1, %g], the range of this plan", M,
                        de->M_max);
  if (!(isfinite(x) && isfinite(eta) && eta >= 0 && (eta > 0 || x > 0)))
    return rc_error_set(err, RC_EINVAL, "z = %g + %g i: need eta >= 0 and x > 0 when eta = 0", x,
                        eta);
  double wr, wi;
  int st = continuation_w(de, M, x, eta, &wr, &wi, err);
  if (st)
    return st;
  const double w2 = wr * wr + wi * wi;
  *m_re = -wr / w2;
  *m_im = wi / w2;
  return RC_SUCCESS;
}

/* ---------------------------------------------------------- the measure */

rc_deteq_options rc_deteq_options_default(void) {
  rc_deteq_options o = {1e-5, 6, 2.0, 100000};
  return o;
}

typedef struct {
  double lo_x, hi_x; /* support interval */
  double lo_w, hi_w; /* real w at its edges */
  double expected;   /* eigenvalue count (< 0: the bulk, whose count is the remainder) */
} support;

typedef struct {
  const rc_deteq *de;
  double M;
  rc_deteq_options opt;
  rc_error *err;
  const support *iv;
  double *gx, *gw; /* Gauss-Legendre nodes and weights on [0, 1] */
  /* continuation cache of this interval */
  double *ct, *cwr, *cwi;
  size_t cn, ccap;
  /* atoms */
  double *mu, *nu, *sg;
  size_t na, cap;
  double atol_r, atol_s;
  size_t fallbacks;
} quad;

typedef struct {
  double x, rw, sw;
} qnode;

static double theta_x(const support *iv, double th) {
  const double s = sin(0.5 * th);
  return iv->lo_x + (iv->hi_x - iv->lo_x) * s * s;
}

static int grow(double **p, size_t cap) {
  double *q = realloc(*p, cap * sizeof *q);
  if (!q)
    return -1;
  *p = q;
  return 0;
}

static int solve_node(quad *q, double th, double x, double *wr, double *wi) {
  const rc_deteq *de = q->de;
  const double M = q->M;
  int status = RC_SUCCESS, have = 0;
  double r = 0, i = 0;
  if (q->cn > 0) {
    size_t best = 0;
    for (size_t k = 1; k < q->cn; k++)
      if (fabs(q->ct[k] - th) < fabs(q->ct[best] - th))
        best = k;
    r = q->cwr[best];
    i = q->cwi[best];
    have = 1;
  } else {
    /* square-root behaviour at the nearer edge: x - x_e ~ x''(w_e) (w - w_e)^2 / 2 */
    const int left = th < M_PI / 2;
    const double we = left ? q->iv->lo_w : q->iv->hi_w, xe = left ? q->iv->lo_x : q->iv->hi_x;
    sums s;
    if ((status = real_sums(de, we, S_A3, &s, q->err)))
      return status;
    const double xpp = -2.0 * s.a3r / M;
    if (we != 0 && isfinite(xpp) && xpp != 0) {
      r = we;
      i = sqrt(2.0 * fabs(x - xe) / fabs(xpp));
      have = i > 0;
    }
  }
  if (have && newton_w(de, M, x, eta_small(x), &r, &i, &status, q->err)) {
    if ((status = polish_real(de, M, x, &r, &i, q->err)))
      return status;
  } else {
    if (status)
      return status;
    q->fallbacks++;
    if ((status = continuation_w(de, M, x, 0.0, &r, &i, q->err)))
      return status;
  }
  if (q->cn == q->ccap) {
    size_t nc = q->ccap ? 2 * q->ccap : 256;
    if (grow(&q->ct, nc) || grow(&q->cwr, nc) || grow(&q->cwi, nc))
      return rc_error_set(q->err, RC_ENOMEM, "out of memory for the continuation cache");
    q->ccap = nc;
  }
  q->ct[q->cn] = th;
  q->cwr[q->cn] = r;
  q->cwi[q->cn] = i;
  q->cn++;
  *wr = r;
  *wi = i;
  return RC_SUCCESS;
}

/* n-node Gauss-Legendre rule on [s0, s1] in theta. */
static int eval_panel(quad *q, double s0, double s1, qnode *nodes, double *Ir, double *Is) {
  const size_t n = q->opt.nodes;
  const support *iv = q->iv;
  const double h = s1 - s0, width = iv->hi_x - iv->lo_x;
  double ir = 0, is = 0;
  for (size_t k = 0; k < n; k++) {
    const double th = s0 + h * q->gx[k], wq = h * q->gw[k];
    const double x = theta_x(iv, th);
    const double dx = 0.5 * width * sin(th) * wq;
    double wr = 0, wi = 0;
    int st = solve_node(q, th, x, &wr, &wi);
    if (st)
      return st;
    sums s;
    if ((st = eval_sums(q->de, wr, wi, S_B, &s, q->err)))
      return st;
    const double w2 = wr * wr + wi * wi;
    const double rho = q->M / M_PI * wi / w2;
    const double sig = wi / (M_PI * x) * s.sim;
    nodes[k].x = x;
    nodes[k].rw = rho * dx;
    nodes[k].sw = sig * dx;
    ir += nodes[k].rw;
    is += nodes[k].sw;
  }
  *Ir = ir;
  *Is = is;
  return RC_SUCCESS;
}

static int emit(quad *q, const qnode *nodes, size_t n) {
  if (q->na + n > q->opt.max_atoms)
    return rc_error_set(q->err, RC_ENOCONV,
                        "the measure needs more than %zu atoms (raise max_atoms or rtol)",
                        q->opt.max_atoms);
  if (q->na + n > q->cap) {
    size_t nc = q->cap ? 2 * q->cap : 1024;
    while (nc < q->na + n)
      nc *= 2;
    if (grow(&q->mu, nc) || grow(&q->nu, nc) || grow(&q->sg, nc))
      return rc_error_set(q->err, RC_ENOMEM, "out of memory for the measure's atoms");
    q->cap = nc;
  }
  for (size_t k = 0; k < n; k++) {
    q->mu[q->na] = nodes[k].x;
    q->nu[q->na] = nodes[k].rw;
    q->sg[q->na] = nodes[k].sw;
    q->na++;
  }
  return RC_SUCCESS;
}

static int adapt(quad *q, double s0, double s1, double Ir, double Is, int depth) {
  enum { NMAX = 32 };
  qnode left[NMAX], right[NMAX];
  const double sm = 0.5 * (s0 + s1);
  double lr, ls, rr, rs;
  int st = eval_panel(q, s0, sm, left, &lr, &ls);
  if (!st)
    st = eval_panel(q, sm, s1, right, &rr, &rs);
  if (st)
    return st;
  const double fr = lr + rr, fs = ls + rs;
  int ok = fabs(Ir - fr) <= q->opt.rtol * fabs(fr) + q->atol_r &&
           fabs(Is - fs) <= q->opt.rtol * fabs(fs) + q->atol_s;
  const double x0 = theta_x(q->iv, s0), x1 = theta_x(q->iv, s1);
  if (x0 > 0 && x1 > q->opt.max_ratio * x0)
    ok = 0;
  if (ok || depth >= MAX_DEPTH) {
    st = emit(q, left, q->opt.nodes);
    if (!st)
      st = emit(q, right, q->opt.nodes);
    return st;
  }
  st = adapt(q, s0, sm, lr, ls, depth + 1);
  if (!st)
    st = adapt(q, sm, s1, rr, rs, depth + 1);
  return st;
}

/* Gaps between consecutive explicit eigenvalues lam[j+1] < w < lam[j] where h < 1. */
typedef struct {
  size_t j;
  double wa, wb;
} gap;

static int find_gap(const rc_deteq *de, double M, size_t j, gap *g, int *found, rc_error *err) {
  *found = 0;
  const double hi = de->lam[j], lo = de->lam[j + 1], s = hi - lo;
  const double bound =
      pow(cbrt(de->cnt[j] * hi * hi) + cbrt(de->cnt[j + 1] * lo * lo), 3) / (M * s * s);
  if (bound >= 1)
    return RC_SUCCESS;
  root_params p = {de, M, err};
  /* minimum of the convex h: root of A3, which increases from -inf to +inf; its bracket ends
   * close in on the poles lo and hi */
  double a, b, unused, wmin, hmin;
  int st = rc_root_search(fn_a3, &p, lo, 0.25 * s, 0.5, -1, SEARCH_STEPS, lo,
                          "gap between eigenvalues (lower end)", &a, &unused, err);
  if (!st)
    st = rc_root_search(fn_a3, &p, hi, -(0.25 * s), 0.5, +1, SEARCH_STEPS, hi,
                        "gap between eigenvalues (upper end)", &b, &unused, err);
  if (!st)
    st = brent(fn_a3, &p, a, b, &wmin, "gap between eigenvalues");
  if (!st)
    st = fn_h(wmin, &p, &hmin);
  if (st)
    return st;
  if (!(hmin < 0))
    return RC_SUCCESS;
  /* edges: h = 1 on each side of the minimum */
  double wa_lo, wb_hi;
  st = rc_root_search(fn_h, &p, lo, 0.5 * (wmin - lo), 0.5, +1, SEARCH_STEPS, wmin,
                      "edge of a gap (bracket)", &wa_lo, &unused, err);
  if (!st)
    st = brent(fn_h, &p, wa_lo, wmin, &g->wa, "edge of a gap");
  if (!st)
    st = rc_root_search(fn_h, &p, hi, -(0.5 * (hi - wmin)), 0.5, +1, SEARCH_STEPS, wmin,
                        "edge of a gap (bracket)", &wb_hi, &unused, err);
  if (!st)
    st = brent(fn_h, &p, wmin, wb_hi, &g->wb, "edge of a gap");
  if (st)
    return st;
  g->j = j;
  *found = 1;
  return RC_SUCCESS;
}

/* Support intervals in increasing x. *out is malloc'd. */
static int find_support(const rc_deteq *de, double M, double kappa, support **out, size_t *nout,
                        rc_error *err) {
  root_params p = {de, M, err};
  int st;
  double wc;
  if ((st = lower_edge(de, M, kappa, &wc, err)))
    return st;
  /* top edge: h(w) = 1 above lambda_1 */
  const double l1 = de->lam[0];
  double wlo = l1 + 0.5 * l1 * sqrt(de->cnt[0] / M);
  double whi = l1 + 1.01 * sqrt(de->trace2 / M) + 4 * DBL_EPSILON * l1;
  double wtop;
  if ((st = brent(fn_h, &p, wlo, whi, &wtop, "top edge of the spectrum")))
    return st;
  /* gaps, from the smallest eigenvalues up */
  size_t ng = 0, capg = 16;
  gap *gaps = malloc(capg * sizeof *gaps);
  if (!gaps)
    return rc_error_set(err, RC_ENOMEM, "out of memory for the support");
  for (size_t j = de->n - 1; j-- > 0;) {
    gap g;
    int found;
    if ((st = find_gap(de, M, j, &g, &found, err))) {
      free(gaps);
      return st;
    }
    if (!found)
      continue;
    if (de->scale[de->nlev - 1] > 0 && j + 2 >= de->n) {
      free(gaps);
      return rc_error_set(err, RC_ENOCONV,
                          "a gap in the spectrum of G at the explicit cutoff K = %zu", de->n);
    }
    if (ng == capg) {
      capg *= 2;
      gap *ng2 = realloc(gaps, capg * sizeof *gaps);
      if (!ng2) {
        free(gaps);
        return rc_error_set(err, RC_ENOMEM, "out of memory for the support");
      }
      gaps = ng2;
    }
    gaps[ng++] = g;
  }
  support *iv = malloc((ng + 1) * sizeof *iv);
  if (!iv) {
    free(gaps);
    return rc_error_set(err, RC_ENOMEM, "out of memory for the support");
  }
  double wl = wc, xl;
  if ((st = x_of_w_real(de, M, wc, &xl, err)))
    goto fail;
  if (wc == 0)
    xl = 0;
  size_t prev_j = SIZE_MAX; /* index of the gap below (SIZE_MAX: none) */
  for (size_t k = 0; k <= ng; k++) {
    double wr = k < ng ? gaps[k].wa : wtop, xr;
    if ((st = x_of_w_real(de, M, wr, &xr, err)))
      goto fail;
    iv[k].lo_x = xl;
    iv[k].hi_x = xr;
    iv[k].lo_w = wl;
    iv[k].hi_w = wr;
    if (prev_j == SIZE_MAX) {
      iv[k].expected = -1;
    } else {
      /* eigenvalues lam[j_above+1 .. prev_j] */
      const size_t top = k < ng ? gaps[k].j + 1 : 0;
      double c = 0;
      for (size_t j = top; j <= prev_j; j++)
        c += de->cnt[j];
      iv[k].expected = c;
    }
    if (!(xr > xl)) {
      st = rc_error_set(err, RC_ENOCONV, "empty support interval [%.17g, %.17g]", xl, xr);
      goto fail;
    }
    if (k < ng) {
      wl = gaps[k].wb;
      if ((st = x_of_w_real(de, M, wl, &xl, err)))
        goto fail;
      prev_j = gaps[k].j;
    }
  }
  free(gaps);
  *out = iv;
  *nout = ng + 1;
  return RC_SUCCESS;
fail:
  free(gaps);
  free(iv);
  return st;
}

rc_sgd_measure *rc_deteq_measure(const rc_deteq *de, double M, const rc_deteq_options *options,
                                 rc_deteq_info *info, rc_error *err) {
  if (!de) {
    rc_error_set(err, RC_EINVAL, "plan is required");
    return NULL;
  }
  if (!(M >= 1 && M <= de->M_max)) {
    rc_error_set(err, RC_EINVAL, "M = %g is outside [1, %g], the range of this plan", M, de->M_max);
    return NULL;
  }
  rc_deteq_options opt = options ? *options : rc_deteq_options_default();
  if (!(opt.rtol > 0 && opt.rtol < 1) || opt.nodes < 2 || opt.nodes > 32 || !(opt.max_ratio > 1) ||
      opt.max_atoms < 2 * opt.nodes) {
    rc_error_set(err, RC_EINVAL,
                 "options: need 0 < rtol < 1, 2 <= nodes <= 32, max_ratio > 1, max_atoms >= 2 "
                 "nodes");
    return NULL;
  }
  double kappa, approx;
  if (find_kappa(de, M, &kappa, &approx, err))
    return NULL;
  support *iv = NULL;
  size_t niv = 0;
  if (find_support(de, M, kappa, &iv, &niv, err))
    return NULL;
  const double mass_expected = M < de->d ? M : de->d;
  const double signal_expected = de->signal - approx;
  quad q;
  memset(&q, 0, sizeof q);
  q.de = de;
  q.M = M;
  q.opt = opt;
  q.err = err;
  q.atol_r = 1e-6 * opt.rtol * mass_expected;
  q.atol_s = 1e-6 * opt.rtol * signal_expected;
  rc_sgd_measure *m = NULL;
  double sep_err = 0;
  gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(opt.nodes);
  q.gx = rc_alloc_doubles(opt.nodes, err);
  q.gw = q.gx ? rc_alloc_doubles(opt.nodes, err) : NULL;
  if (!tab || !q.gw) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a quadrature rule");
    goto done;
  }
  for (size_t k = 0; k < opt.nodes; k++)
    gsl_integration_glfixed_point(0.0, 1.0, k, &q.gx[k], &q.gw[k], tab);
  for (size_t k = 0; k < niv; k++) {
    q.iv = &iv[k];
    q.cn = 0;
    const size_t before = q.na;
    const int init = 1;
    for (int p = 0; p < init; p++) {
      const double s0 = M_PI * p / init, s1 = M_PI * (p + 1) / init;
      qnode nodes[32];
      double Ir, Is;
      if (eval_panel(&q, s0, s1, nodes, &Ir, &Is) || adapt(&q, s0, s1, Ir, Is, 0))
        goto done;
    }
    if (iv[k].expected >= 0) {
      double mass = 0;
      for (size_t a = before; a < q.na; a++)
        mass += q.nu[a];
      if (fabs(mass - iv[k].expected) > sep_err)
        sep_err = fabs(mass - iv[k].expected);
    }
  }
  m = rc_sgd_measure_alloc(q.na, err);
  if (!m)
    goto done;
  double mass = 0, smass = 0;
  for (size_t a = 0; a < q.na; a++) {
    m->mu[a] = q.mu[a];
    m->nu[a] = q.nu[a];
    m->c0[a] = q.nu[a] > 0 ? q.sg[a] / (q.mu[a] * q.nu[a]) : 0;
    mass += q.nu[a];
    smass += q.sg[a];
  }
  m->M = M;
  m->approx = approx;
  m->signal = de->signal;
  m->rank = (size_t)llround(mass_expected);
  m->pseudo_inverse = de->d < M;
  if (info) {
    info->M = M;
    info->kappa = kappa;
    info->approx = approx;
    info->signal = de->signal;
    info->mass = mass;
    info->mass_expected = mass_expected;
    info->signal_mass = smass;
    info->signal_expected = signal_expected;
    info->separated_mass_error = sep_err;
    info->intervals = niv;
    info->atoms = q.na;
    info->x_min = iv[0].lo_x;
    info->x_max = iv[niv - 1].hi_x;
    info->fallbacks = q.fallbacks;
  }
done:
  if (tab)
    gsl_integration_glfixed_table_free(tab);
  free(q.gx);
  free(q.gw);
  free(q.ct);
  free(q.cwr);
  free(q.cwi);
  free(q.mu);
  free(q.nu);
  free(q.sg);
  free(iv);
  return m;
}
