/* The measure of the deterministic equivalent: w(x) on and above the real axis (the Stieltjes
 * transform) and the adaptive Gauss-Legendre quadrature of the densities into atoms
 * (docs/DETEQ.md; see deteq_internal.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "core/gauss.h"
#include "core/util.h"
#include "linear/deteq_internal.h"

#define MAX_DEPTH 52 /* panel bisections */

/* -------------------------------------------------------- w(x) solvers */

/* Damped Newton for x(w) = x + i eta keeping Im w > 0. Returns 1 when converged. The sums
 * do not depend on eta: *known (when not NULL and *known_ok) holds those at the starting w,
 * and on convergence it receives those at the root, for a following solve from there. */
static int newton_w(const rc_deteq *de, double M, double x, double eta, double *wr, double *wi,
                    sums *known, int *known_ok, int *status, rc_error *err) {
  double r = *wr, i = *wi;
  sums s;
  int have = 0; /* s holds the sums at (r, i): the accepted trial point's, kept */
  if (known && *known_ok) {
    s = *known;
    have = 1;
  }
  if (known_ok)
    *known_ok = 0;
  for (int it = 0; it < 80; it++) {
    if (!have && (*status = deteq_sums(de, r, i, S_A2, &s, err)))
      return 0;
    have = 0;
    /* F = w (1 - A1/M) - z */
    const double gr = 1.0 - s.a1r / M, gi = -s.a1i / M;
    const double Fr = r * gr - i * gi - x, Fi = r * gi + i * gr - eta;
    const double Fn = hypot(Fr, Fi);
    const double scale = hypot(r, i) * (1.0 + hypot(s.a1r, s.a1i) / M) + hypot(x, eta);
    if (Fn <= 4 * DBL_EPSILON * scale) {
      *wr = r;
      *wi = i;
      if (known) {
        *known = s;
        *known_ok = 1;
      }
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
      /* A2 as well (A1 is the same either way): an accepted point's sums serve the next
       * iteration, halving the evaluations of a converging Newton */
      sums s2;
      if ((*status = deteq_sums(de, nr, ni, S_A2, &s2, err)))
        return 0;
      const double g2r = 1.0 - s2.a1r / M, g2i = -s2.a1i / M;
      const double F2 = hypot(nr * g2r - ni * g2i - x, nr * g2i + ni * g2r - eta);
      if (F2 < Fn || t * hypot(dr, di) <= 2 * DBL_EPSILON * hypot(r, i)) {
        r = nr;
        i = ni;
        s = s2;
        have = 1;
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
        if (known) {
          *known = s;
          *known_ok = 1;
        }
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
static int polish_real(const rc_deteq *de, double M, double x, double *wr, double *wi, sums *known,
                       int *known_ok, rc_error *err) {
  double r = *wr, i = *wi;
  int status = RC_SUCCESS;
  if (newton_w(de, M, x, 0.0, &r, &i, known, known_ok, &status, err) && i > 0 &&
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
  const double top = fabs(x) + de->ss->lam[0] + de->ss->trace / M;
  double e = 4 * top;
  if (e < eta)
    e = eta;
  double r = x + de->ss->trace / M, i = e;
  const double floor_eta = eta > 0 ? eta : eta_small(x);
  int status = RC_SUCCESS, known_ok = 0;
  sums known;
  for (;;) {
    if (!newton_w(de, M, x, e, &r, &i, &known, &known_ok, &status, err)) {
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
  if (eta == 0 && (status = polish_real(de, M, x, &r, &i, &known, &known_ok, err)))
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
  const rc_deteq *de;
  double M;
  rc_deteq_options opt;
  rc_error *err;
  const deteq_support *iv;
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

static double theta_x(const deteq_support *iv, double th) {
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
    if ((status = deteq_real_sums(de, we, S_A3, &s, q->err)))
      return status;
    const double xpp = -2.0 * s.a3r / M;
    if (we != 0 && isfinite(xpp) && xpp != 0) {
      r = we;
      i = sqrt(2.0 * fabs(x - xe) / fabs(xpp));
      have = i > 0;
    }
  }
  sums known;
  int known_ok = 0;
  if (have && newton_w(de, M, x, eta_small(x), &r, &i, &known, &known_ok, &status, q->err)) {
    if ((status = polish_real(de, M, x, &r, &i, &known, &known_ok, q->err)))
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
  const deteq_support *iv = q->iv;
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
    if ((st = deteq_sums(q->de, wr, wi, S_B, &s, q->err)))
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

/* See docs/THEORY.md section 2.3 (the densities of G) and docs/DETEQ.md section 1 (support,
 * quadrature). */
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
  if (deteq_find_kappa(de, M, &kappa, &approx, err))
    return NULL;
  deteq_support *iv = NULL;
  size_t niv = 0;
  if (deteq_find_support(de, M, kappa, &iv, &niv, err))
    return NULL;
  const double mass_expected = M < de->d ? M : de->d;
  const double signal_expected = de->ss->signal - approx;
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
  q.gx = rc_alloc_doubles(opt.nodes, err);
  q.gw = q.gx ? rc_alloc_doubles(opt.nodes, err) : NULL;
  if (!q.gw || rc_gauss_legendre(opt.nodes, q.gx, q.gw, err))
    goto done;
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
  m->signal = de->ss->signal;
  m->rank = (size_t)llround(mass_expected);
  m->pseudo_inverse = de->d < M;
  if (info) {
    info->M = M;
    info->kappa = kappa;
    info->approx = approx;
    info->signal = de->ss->signal;
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
