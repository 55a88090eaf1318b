/* Stage jumps: K steps of the constant-step recursion in O(n^2) (see stage_jump.h and
 * docs/THEORY.md section 1, "Stage jumps"). */
#include "linear/stage_jump.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/root.h"
#include "core/util.h"
#include "riskcalc/sketch.h"

#define RN_LANES 8 /* partial sums of the renewal path's node sums (fixed: reproducible) */

/* The eigen-decomposition of A_s for one step size. Rows of X follow `order` (atoms sorted by
 * delta), columns are modes; eps_k = 1 - theta_k. */
typedef struct {
  double g;
  int valid;
  uint64_t stamp; /* last use, for least-recently-used replacement */
  size_t *order;  /* position -> atom index */
  double *eps;    /* r */
  double *X;      /* r x r, row-major */
  double *Xtu;    /* X^T u */
} propagator;

/* The renewal path for one step size (see renewal_prepare): per moving atom delta_j = 1 - a_j,
 * log a_j, delta'_j = 1 - a_j / theta_max and the secular weights nu_j mu_j^2 divided by delta'
 * and by delta; per thread a table of 1 / (1 - a z_k) over the contour nodes. */
typedef struct {
  double g;
  int valid;
  size_t *atom;                                         /* r: moving atom of each position */
  double *delta, *log_a, *dprime, *wb, *wv, *numu, *mu; /* r each */
  double h, hp, log_theta, rb, rv;
  int threads;
  double *table; /* threads x (2 r RC_STAGE_JUMP_NODES / 2) */
} renewal;

/* A secular-equation entry, in sorted order. */
typedef struct {
  double delta, u;
  size_t atom;
} entry;

struct rc_stage_jump {
  const rc_sgd_measure *m;
  double batch;
  size_t r; /* moving atoms */
  size_t ncache;
  uint64_t clock;
  propagator *cache;
  entry *entries;            /* r */
  size_t *sec;               /* positions of non-deflated entries */
  double *uhat, *tau, *diff; /* r each */
  size_t *origin;            /* r: pole each root is measured from (position) */
  double *rot;               /* tie rotations: (p, k, c, s) quadruples, at most r */
  double *y1, *y2, *z1, *z2; /* r each */
  double *Y, *Z;             /* r x 2 count, for several states at once */
  size_t many_capacity;      /* columns pairs Y and Z can hold */
  rc_stage_jump_method method;
  renewal rn; /* the renewal path's step-size data and workspaces */
};

static void propagator_free(propagator *p) {
  free(p->order);
  free(p->eps);
  free(p->X);
  free(p->Xtu);
}

void rc_stage_jump_free(rc_stage_jump *w) {
  if (!w)
    return;
  for (size_t k = 0; w->cache && k < w->ncache; k++)
    propagator_free(&w->cache[k]);
  free(w->cache);
  free(w->entries);
  free(w->sec);
  free(w->uhat);
  free(w->tau);
  free(w->diff);
  free(w->origin);
  free(w->rot);
  free(w->y1);
  free(w->y2);
  free(w->z1);
  free(w->z2);
  free(w->Y);
  free(w->Z);
  free(w->rn.atom);
  free(w->rn.delta);
  free(w->rn.log_a);
  free(w->rn.dprime);
  free(w->rn.wb);
  free(w->rn.wv);
  free(w->rn.numu);
  free(w->rn.mu);
  free(w->rn.table);
  free(w);
}

size_t rc_stage_jump_size(const rc_stage_jump *w) {
  return w->r;
}

/* Allocates the renewal path's per-atom arrays (the node tables come with the first jump). */
static int renewal_alloc(rc_stage_jump *w, rc_error *err) {
  renewal *rn = &w->rn;
  const size_t r = w->r;
  rn->atom = malloc(r * sizeof *rn->atom);
  double **arrays[] = {&rn->delta, &rn->log_a, &rn->dprime, &rn->wb, &rn->wv, &rn->numu, &rn->mu};
  int ok = rn->atom != NULL;
  for (size_t k = 0; k < sizeof arrays / sizeof *arrays; k++)
    ok = (*arrays[k] = rc_alloc_doubles(r, err)) != NULL && ok;
  if (!ok)
    return rc_error_set(err, RC_ENOMEM, "out of memory for stage jumps on %zu atoms", r);
  size_t k = 0;
  for (size_t j = 0; j < w->m->n; j++)
    if (w->m->mu[j] > 0)
      rn->atom[k++] = j;
  return RC_SUCCESS;
}

/* The eigen path's propagator for one step size: the n x n matrix X plus a few vectors. */
static double eigen_bytes(size_t r) {
  return ((double)r * (double)r + 4.0 * (double)r) * sizeof(double);
}

rc_stage_jump *rc_stage_jump_alloc_method(const rc_sgd_measure *m, size_t batch,
                                          rc_stage_jump_method method, rc_error *err) {
  size_t r = 0;
  for (size_t j = 0; j < m->n; j++)
    r += m->mu[j] > 0;
  if (r == 0) {
    rc_error_set(err, RC_EINVAL, "stage jumps need at least one moving atom");
    return NULL;
  }
  if (method == RC_STAGE_JUMP_AUTO)
    method = r <= RC_STAGE_JUMP_EIGEN_MAX_ATOMS ? RC_STAGE_JUMP_EIGEN : RC_STAGE_JUMP_RENEWAL;
  if (method != RC_STAGE_JUMP_EIGEN && method != RC_STAGE_JUMP_RENEWAL) {
    rc_error_set(err, RC_EINVAL, "unknown stage jump method %d", (int)method);
    return NULL;
  }
  /* The eigen path holds at least one n x n propagator: refuse it beyond a quarter of the
   * machine's memory rather than swap (the renewal path needs O(n) memory). */
  const size_t physical = rc_physical_memory();
  if (method == RC_STAGE_JUMP_EIGEN && physical && eigen_bytes(r) > 0.25 * (double)physical) {
    rc_error_set(err, RC_ENOMEM,
                 "an eigen stage propagator on %zu atoms needs %.3g GiB, more than a quarter of "
                 "this machine's %.3g GiB",
                 r, eigen_bytes(r) / 1073741824.0, (double)physical / 1073741824.0);
    return NULL;
  }
  rc_stage_jump *w = calloc(1, sizeof *w);
  if (!w) {
    rc_error_set(err, RC_ENOMEM, "out of memory for stage jumps");
    return NULL;
  }
  w->m = m;
  w->batch = (double)batch;
  w->r = r;
  w->method = method;
  w->entries = malloc(r * sizeof *w->entries);
  w->sec = malloc(r * sizeof *w->sec);
  w->origin = malloc(r * sizeof *w->origin);
  w->uhat = rc_alloc_doubles(r, err);
  w->tau = rc_alloc_doubles(r, err);
  w->diff = rc_alloc_doubles(r, err);
  w->y1 = rc_alloc_doubles(r, err);
  w->y2 = rc_alloc_doubles(r, err);
  if (!w->entries || !w->sec || !w->origin || !w->uhat || !w->tau || !w->diff || !w->y1 || !w->y2) {
    rc_stage_jump_free(w);
    rc_error_set(err, RC_ENOMEM, "out of memory for stage jumps on %zu atoms", r);
    return NULL;
  }
  if (method == RC_STAGE_JUMP_RENEWAL) {
    if (renewal_alloc(w, err)) {
      rc_stage_jump_free(w);
      return NULL;
    }
    return w;
  }
  /* Cache propagators for up to 64 step sizes within about 256 MiB. */
  const double per = eigen_bytes(r);
  const double fit = floor((256.0 * 1048576) / per);
  w->ncache = fit < 1 ? 1 : fit > 64 ? 64 : (size_t)fit;
  w->cache = calloc(w->ncache, sizeof *w->cache);
  w->rot = malloc(4 * r * sizeof *w->rot);
  w->z1 = rc_alloc_doubles(r, err);
  w->z2 = rc_alloc_doubles(r, err);
  if (!w->cache || !w->rot || !w->z1 || !w->z2) {
    rc_stage_jump_free(w);
    rc_error_set(err, RC_ENOMEM, "out of memory for stage jumps on %zu atoms", r);
    return NULL;
  }
  return w;
}

rc_stage_jump *rc_stage_jump_alloc(const rc_sgd_measure *m, size_t batch, rc_error *err) {
  return rc_stage_jump_alloc_method(m, batch, RC_STAGE_JUMP_AUTO, err);
}

rc_stage_jump_method rc_stage_jump_get_method(const rc_stage_jump *w) {
  return w->method;
}

uint64_t rc_stage_jump_threshold(const rc_stage_jump *w) {
  return w->method == RC_STAGE_JUMP_EIGEN ? 8 * (uint64_t)w->r + 16 : RC_STAGE_JUMP_RENEWAL_MIN;
}

uint64_t rc_stage_jump_group_threshold(const rc_stage_jump *w) {
  return w->method == RC_STAGE_JUMP_EIGEN ? (uint64_t)w->r / 4 + 16 : RC_STAGE_JUMP_RENEWAL_MIN;
}

double rc_stage_jump_cost(size_t atoms, int eigen) {
  const double n = (double)atoms;
  return eigen ? 64 * n * n : 60.0 * RC_STAGE_JUMP_NODES * n;
}

/* The secular function multiplied by the distance to its origin pole, which keeps it finite
 * on the whole bracket: h(tau) = -tau (1 - rho sum_{j != o} u_j^2 / (diff_j - tau)) - rho u_o^2,
 * where diff_j = delta_j - delta_o. Its sign change brackets the root tau = eps - delta_o. */
typedef struct {
  const double *diff, *u2; /* over secular entries */
  size_t n, o;
  double rho;
} secular_params;

static int secular_scaled(double tau, void *params, double *value) {
  const secular_params *p = params;
  double sum = 0;
  for (size_t j = 0; j < p->n; j++)
    if (j != p->o)
      sum += p->u2[j] / (p->diff[j] - tau);
  *value = -tau * (1.0 - p->rho * sum) - p->rho * p->u2[p->o];
  return RC_SUCCESS;
}

/* Secular roots to the last bits (2 eps relative, DBL_MIN absolute for roots at 0): the
 * eigenvectors come from them through Loewner's formula. Brent needs a few tens of iterations;
 * 300 is a safety cap. */
static const rc_root_options secular_root = {DBL_MIN, 2 * DBL_EPSILON, 300, RC_ROOT_BEST};

static int solve_root(secular_params *sp, double lo, double hi, double *tau, rc_error *err) {
  return rc_root_brent(secular_scaled, sp, lo, hi, &secular_root, "stage jump: secular root", tau,
                       err);
}

static int compare_entries(const void *a, const void *b) {
  const entry *x = a, *y = b;
  return x->delta < y->delta ? -1 : x->delta > y->delta;
}

/* Builds the propagator for step g into p. */
static int build(rc_stage_jump *w, double g, propagator *p, rc_error *err) {
  const rc_sgd_measure *m = w->m;
  const size_t r = w->r;
  const double B = w->batch, rho = g * g / B;
  if (!p->X) {
    p->order = malloc(r * sizeof *p->order);
    p->eps = rc_alloc_doubles(r, err);
    p->X = rc_alloc_doubles(rc_mul_size(r, r), err);
    p->Xtu = rc_alloc_doubles(r, err);
    if (!p->order || !p->eps || !p->X || !p->Xtu) {
      propagator_free(p);
      memset(p, 0, sizeof *p);
      return rc_error_set(err, RC_ENOMEM, "out of memory for a stage propagator");
    }
  }
  p->valid = 0;
  size_t n = 0;
  for (size_t j = 0; j < m->n; j++) {
    if (!(m->mu[j] > 0))
      continue;
    const double x = g * m->mu[j];
    w->entries[n].delta = x * (2.0 - (1.0 + 1.0 / B) * x); /* 1 - a_j without cancellation */
    w->entries[n].u = sqrt(m->nu[j]) * m->mu[j];
    w->entries[n].atom = j;
    n++;
  }
  qsort(w->entries, r, sizeof *w->entries, compare_entries);
  for (size_t k = 0; k < r; k++)
    p->order[k] = w->entries[k].atom;
  memset(p->X, 0, r * r * sizeof(double));

  /* Deflation: exact ties of delta are rotated so that one member carries all of u; a zero
   * u component is an eigenvector already. */
  size_t ns = 0, nrot = 0;
  double *u = w->uhat; /* working copy of u in the rotated basis */
  for (size_t k = 0; k < r; k++)
    u[k] = w->entries[k].u;
  for (size_t k = 0; k < r; k++) {
    const double dk = w->entries[k].delta;
    if (u[k] == 0 || rho * u[k] * u[k] == 0) {
      p->eps[k] = dk;
      p->X[k * r + k] = 1.0;
      continue;
    }
    if (ns > 0) {
      size_t q = w->sec[ns - 1];
      if (dk - w->entries[q].delta <= 4 * DBL_EPSILON * dk) {
        double h = hypot(u[q], u[k]), c = u[q] / h, s = u[k] / h;
        u[q] = h;
        u[k] = 0;
        w->rot[4 * nrot] = (double)q;
        w->rot[4 * nrot + 1] = (double)k;
        w->rot[4 * nrot + 2] = c;
        w->rot[4 * nrot + 3] = s;
        nrot++;
        p->eps[k] = dk;
        p->X[k * r + k] = 1.0;
        continue;
      }
    }
    w->sec[ns++] = k;
  }

  /* Secular roots: one in (delta_{k-1}, delta_k) for k >= 1 and one below delta_0. */
  double *delta_s = w->y1, *u2 = w->y2, usum = 0;
  for (size_t a = 0; a < ns; a++) {
    delta_s[a] = w->entries[w->sec[a]].delta;
    u2[a] = u[w->sec[a]] * u[w->sec[a]];
    usum += u2[a];
  }
  secular_params sp = {w->diff, u2, ns, 0, rho};
  for (size_t k = 0; k < ns; k++) {
    size_t o;
    double lo, hi;
    if (k == 0) {
      o = 0;
      lo = -rho * usum * (1.0 + 4 * DBL_EPSILON);
      hi = 0;
    } else {
      const double mid = 0.5 * (delta_s[k - 1] + delta_s[k]);
      double f = 1.0;
      for (size_t j = 0; j < ns; j++)
        f -= rho * u2[j] / (delta_s[j] - mid);
      if (f > 0) { /* root in (mid, delta_k): measure from delta_k */
        o = k;
        lo = mid - delta_s[k];
        hi = 0;
      } else {
        o = k - 1;
        lo = 0;
        hi = mid - delta_s[k - 1];
      }
    }
    for (size_t j = 0; j < ns; j++)
      w->diff[j] = delta_s[j] - delta_s[o];
    sp.o = o;
    int status = solve_root(&sp, lo, hi, &w->tau[k], err);
    if (status)
      return status;
    w->origin[k] = o;
  }
  /* Loewner: the u for which the computed roots are exact, so eigenvectors stay orthogonal:
   * uhat_j^2 = (eps_j - delta_j)/(-rho) prod_{k != j} (eps_k - delta_j)/(delta_k - delta_j). */
  double *uh = w->z1;
  for (size_t j = 0; j < ns; j++) {
    double prod = -((delta_s[w->origin[j]] - delta_s[j]) + w->tau[j]) / rho;
    for (size_t k = 0; k < ns; k++) {
      if (k == j)
        continue;
      const double eps_minus_delta = (delta_s[w->origin[k]] - delta_s[j]) + w->tau[k];
      prod *= eps_minus_delta / (delta_s[k] - delta_s[j]);
    }
    uh[j] = copysign(sqrt(fabs(prod)), u[w->sec[j]]);
  }
  for (size_t k = 0; k < ns; k++) {
    double norm = 0;
    double *col = w->z2;
    for (size_t j = 0; j < ns; j++) {
      const double gap = (delta_s[j] - delta_s[w->origin[k]]) - w->tau[k];
      col[j] = uh[j] / gap;
      norm += col[j] * col[j];
    }
    norm = sqrt(norm);
    const size_t mode = w->sec[k]; /* a free column: secular modes reuse their entry's slot */
    for (size_t j = 0; j < ns; j++)
      p->X[w->sec[j] * r + mode] = col[j] / norm;
    p->eps[mode] = delta_s[w->origin[k]] + w->tau[k];
  }
  /* Undo the tie rotations, last first: rows q and k of X. */
  for (size_t t = nrot; t-- > 0;) {
    const size_t q = (size_t)w->rot[4 * t], k = (size_t)w->rot[4 * t + 1];
    const double c = w->rot[4 * t + 2], s = w->rot[4 * t + 3];
    for (size_t col = 0; col < r; col++) {
      const double xq = p->X[q * r + col], xk = p->X[k * r + col];
      p->X[q * r + col] = c * xq - s * xk;
      p->X[k * r + col] = s * xq + c * xk;
    }
  }
  for (size_t k = 0; k < r; k++)
    w->y1[k] = w->entries[k].u;
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)r, (int)r, 1.0, p->X, (int)r, w->y1, 1, 0.0, p->Xtu,
              1);
  p->g = g;
  p->valid = 1;
  return RC_SUCCESS;
}

static int lookup(rc_stage_jump *w, double g, propagator **out, rc_error *err) {
  propagator *victim = &w->cache[0];
  for (size_t k = 0; k < w->ncache; k++) {
    propagator *p = &w->cache[k];
    if (p->valid && p->g == g) {
      p->stamp = ++w->clock;
      *out = p;
      return RC_SUCCESS;
    }
    if (!p->valid || p->stamp < victim->stamp)
      victim = p;
  }
  int status = build(w, g, victim, err);
  if (status)
    return status;
  victim->stamp = ++w->clock;
  *out = victim;
  return RC_SUCCESS;
}

/* ------------------------------------------------------------ the renewal path
 *
 * Within a stage at constant g the excess e_s = sum_j nu_j mu_j c_j(s) obeys the renewal
 * equation c_j(s+1) = a_j c_j(s) + h mu_j (e_s + s2). In generating functions (z^s):
 *   G(z) = h (F(z) + s2 / (1 - z)) / (1 - h z K(z)),  F = sum nu mu c(0) / (1 - a z),
 *   K = sum nu mu^2 / (1 - a z),  c_j(T) = a_j^T c_j(0) + mu_j [z^(T-1)] G(z) / (1 - a_j z).
 * The coefficient [z^t] f = (1/2 pi i) int f(e^-s) e^(s t) ds is a Bromwich integral whose
 * integrand is singular only where e^-s = 1/theta (theta an eigenvalue of the stage map, all
 * in (0, 1]): on the real axis s <= 0, repeated every 2 pi i. Talbot's contour, scaled by
 * 1/t, wraps that half-line; with Weideman's optimised parameters the midpoint rule on N
 * nodes converges like exp(-1.36 N), and conjugate symmetry halves the nodes. For t >= 63
 * the contour stays within |Im s| < 0.83 N / t < pi, away from the periodic copies.
 *
 * Accuracy: the rule's error is relative to the integrand near the contour's crossing of
 * the real axis, about theta_max^t. The bias is shifted by the slowest mode theta_max (the
 * largest eigenvalue, one secular root, solved to full relative accuracy), so a bias that
 * decays exponentially keeps its relative digits; the variance, held up by the noise, is not
 * shifted. 1 - h z K(z) vanishes at the shift: it is evaluated as
 * (1 - h K(1)) + (1 - z) h sum nu mu^2 / (delta' (1 - a' z)), free of cancellation, with
 * 1 - a' z = delta' + (1 - delta') omega and omega = 1 - z = -expm1(-s).
 * Cost: O(atoms x nodes) per stage, O(atoms) memory, whatever the stage length. */

/* Weideman's optimised Talbot contour: s(th) = (N/t)(SIG + MU th cot(ALPHA th) + i NU th). */
#define TALBOT_SIG (-0.6122)
#define TALBOT_MU 0.5017
#define TALBOT_ALPHA 0.6407
#define TALBOT_NU 0.2645
#define HALF_NODES (RC_STAGE_JUMP_NODES / 2)

/* Per step size: the coefficients, the slowest mode and the secular weights. */
static int renewal_prepare(rc_stage_jump *w, double g, rc_error *err) {
  renewal *rn = &w->rn;
  if (rn->valid && rn->g == g)
    return RC_SUCCESS;
  rn->valid = 0;
  const rc_sgd_measure *m = w->m;
  const size_t r = w->r;
  const double B = w->batch, h = g * g / B;
  /* delta_min over atoms that carry weight: the slowest mode's pole */
  size_t o = r;
  double q = 0, zero_weight_min = INFINITY;
  for (size_t k = 0; k < r; k++) {
    const size_t j = rn->atom[k];
    const double x = g * m->mu[j];
    rn->mu[k] = m->mu[j];
    rn->numu[k] = m->nu[j] * m->mu[j];
    rn->delta[k] = x * (2.0 - (1.0 + 1.0 / B) * x); /* 1 - a_j without cancellation */
    rn->log_a[k] = log1p(-rn->delta[k]);
    const double wt = rn->numu[k] * m->mu[j];
    rn->wv[k] = wt / rn->delta[k];
    q += h * rn->wv[k];
    if (wt > 0 && h * wt > 0) {
      if (o == r || rn->delta[k] < rn->delta[o])
        o = k;
    } else if (rn->delta[k] < zero_weight_min) {
      zero_weight_min = rn->delta[k];
    }
  }
  rn->rv = 1.0 - q;
  /* eps_max = 1 - theta_max = delta_o + tau: the secular root below delta_o */
  double tau = 0, eps_max = zero_weight_min;
  if (o < r) {
    size_t ns = 0, os = 0;
    double usum = 0;
    for (size_t k = 0; k < r; k++) {
      const double wt = rn->numu[k] * rn->mu[k];
      if (!(wt > 0 && h * wt > 0))
        continue;
      if (k == o)
        os = ns;
      w->diff[ns] = rn->delta[k] - rn->delta[o];
      w->y2[ns] = wt;
      usum += wt;
      ns++;
    }
    secular_params sp = {w->diff, w->y2, ns, os, h};
    int status = solve_root(&sp, -h * usum * (1.0 + 4 * DBL_EPSILON), 0, &tau, err);
    if (status)
      return status;
    if (rn->delta[o] + tau < eps_max)
      eps_max = rn->delta[o] + tau;
    else
      o = r; /* a weightless atom is slower than every coupled mode */
  }
  const double theta = 1.0 - eps_max;
  double rb = 0;
  for (size_t k = 0; k < r; k++) {
    /* 1 - a_k / theta_max = (delta_k - eps_max) / theta_max, the difference exact relative
     * to the secular root */
    const double num = o < r ? (rn->delta[k] - rn->delta[o]) - tau : rn->delta[k] - eps_max;
    rn->dprime[k] = num / theta;
    const double wt = rn->numu[k] * rn->mu[k];
    rn->wb[k] = wt > 0 ? wt / rn->dprime[k] : 0;
    rb += rn->wb[k];
  }
  rn->h = h;
  rn->hp = h / theta;
  rn->log_theta = log1p(-eps_max);
  /* 1 - h' K'(1) = 0 at a secular root (taken exact, as Loewner takes the roots exact); when
   * a weightless atom sets the shift, it is evaluated */
  rn->rb = o < r ? 0.0 : 1.0 - rn->hp * rb;
  rn->g = g;
  rn->valid = 1;
  return RC_SUCCESS;
}

/* Talbot nodes for t: omega_k = 1 - e^-s_k and weights (2/N) e^(s_k t) s'_k (theta > 0 half). */
static void talbot_nodes(double t, double *om_re, double *om_im, double *wt_re, double *wt_im) {
  const double scale = RC_STAGE_JUMP_NODES / t;
  for (size_t k = 0; k < HALF_NODES; k++) {
    const double th = 3.14159265358979323846 * (2.0 * (double)k + 1.0) / RC_STAGE_JUMP_NODES;
    const double at = TALBOT_ALPHA * th, cot = cos(at) / sin(at), sn = sin(at);
    const double sr = scale * (TALBOT_SIG + TALBOT_MU * th * cot), si = scale * TALBOT_NU * th;
    const double dr = scale * TALBOT_MU * (cot - at / (sn * sn)), di = scale * TALBOT_NU;
    /* omega = -expm1(-s) = -(expm1(-sr) cos si - 2 sin^2(si/2)) + i e^-sr sin si */
    const double half = sin(0.5 * si);
    om_re[k] = -(expm1(-sr) * cos(si) - 2.0 * half * half);
    om_im[k] = exp(-sr) * sin(si);
    /* (2/N) e^(s t) s' */
    const double mag = 2.0 / RC_STAGE_JUMP_NODES * exp(sr * t);
    const double er = mag * cos(si * t), ei = mag * sin(si * t);
    wt_re[k] = er * dr - ei * di;
    wt_im[k] = er * di + ei * dr;
  }
}

/* One state through T >= RC_STAGE_JUMP_RENEWAL_MIN steps: c <- the map's T-th power applied,
 * with forcing s2 (0 for the bias). shift: use theta_max. table: (2 HALF_NODES + 1) r doubles. */
static void renewal_state(const rc_stage_jump *w, double *c, uint64_t T, double s2, int shift,
                          double *table) {
  const renewal *rn = &w->rn;
  const size_t r = w->r;
  const double *dp = shift ? rn->dprime : rn->delta, *wq = shift ? rn->wb : rn->wv;
  const double hh = shift ? rn->hp : rn->h, r0 = shift ? rn->rb : rn->rv;
  double om_re[HALF_NODES], om_im[HALF_NODES], wt_re[HALF_NODES], wt_im[HALF_NODES];
  talbot_nodes((double)(T - 1), om_re, om_im, wt_re, wt_im);
  double *tr = table, *ti = table + r * HALF_NODES, *f = table + 2 * r * HALF_NODES;
  for (size_t j = 0; j < r; j++)
    f[j] = rn->numu[j] * c[rn->atom[j]];
  /* 1 / (1 - a z_k) per atom and node; F and the secular sum of the denominator */
  double F_re[HALF_NODES], F_im[HALF_NODES], W_re[HALF_NODES], W_im[HALF_NODES];
  for (size_t k = 0; k < HALF_NODES; k++) {
    const double orr = om_re[k], oi = om_im[k];
    double *rr = tr + k * r, *ri = ti + k * r;
    /* RN_LANES interleaved partial sums joined in a fixed order: the same bytes at any
     * optimisation level (an omp simd reduction leaves the order to the compiler) */
    double acc[4][RN_LANES];
    memset(acc, 0, sizeof acc);
    size_t j = 0;
    for (; j + RN_LANES <= r; j += RN_LANES) {
#pragma omp simd
      for (size_t u = 0; u < RN_LANES; u++) {
        const size_t jj = j + u;
        const double a = 1.0 - dp[jj];
        const double dr = dp[jj] + a * orr, di = a * oi;
        const double inv = 1.0 / (dr * dr + di * di);
        const double xr = dr * inv, xi = -di * inv;
        rr[jj] = xr;
        ri[jj] = xi;
        acc[0][u] += f[jj] * xr;
        acc[1][u] += f[jj] * xi;
        acc[2][u] += wq[jj] * xr;
        acc[3][u] += wq[jj] * xi;
      }
    }
    for (; j < r; j++) {
      const double a = 1.0 - dp[j];
      const double dr = dp[j] + a * orr, di = a * oi;
      const double inv = 1.0 / (dr * dr + di * di);
      const double xr = dr * inv, xi = -di * inv;
      rr[j] = xr;
      ri[j] = xi;
      acc[0][0] += f[j] * xr;
      acc[1][0] += f[j] * xi;
      acc[2][0] += wq[j] * xr;
      acc[3][0] += wq[j] * xi;
    }
    double fr = 0, fi = 0, qr = 0, qi = 0;
    for (size_t u = 0; u < RN_LANES; u++) {
      fr += acc[0][u];
      fi += acc[1][u];
      qr += acc[2][u];
      qi += acc[3][u];
    }
    /* denominator r0 + omega h sum wq / (1 - a z); G = h (F + s2 / omega) / den */
    const double den_r = r0 + hh * (orr * qr - oi * qi), den_i = hh * (orr * qi + oi * qr);
    F_re[k] = fr;
    F_im[k] = fi;
    if (s2 != 0) {
      const double inv = 1.0 / (orr * orr + oi * oi);
      F_re[k] += s2 * orr * inv;
      F_im[k] -= s2 * oi * inv;
    }
    const double dd = 1.0 / (den_r * den_r + den_i * den_i);
    const double gr = hh * (F_re[k] * den_r + F_im[k] * den_i) * dd;
    const double gi = hh * (F_im[k] * den_r - F_re[k] * den_i) * dd;
    W_re[k] = wt_re[k] * gr - wt_im[k] * gi;
    W_im[k] = wt_re[k] * gi + wt_im[k] * gr;
  }
  /* c_j(T) = a_j^T c_j(0) + theta^T mu_j sum_k Im(W_k / (1 - a_j z_k)) */
  const double steps = (double)T, lift = shift ? exp(steps * rn->log_theta) : 1.0;
  for (size_t j = 0; j < r; j++) {
    double conv = 0;
    for (size_t k = 0; k < HALF_NODES; k++)
      conv += W_re[k] * ti[k * r + j] + W_im[k] * tr[k * r + j];
    const size_t atom = rn->atom[j];
    c[atom] = exp(steps * rn->log_a[j]) * c[atom] + lift * rn->mu[j] * conv;
  }
}

/* Fewer steps than the contour takes: iterate them (at most RC_STAGE_JUMP_RENEWAL_MIN). */
static void renewal_step(const rc_stage_jump *w, double *bias, double *var, uint64_t T, double s2) {
  const renewal *rn = &w->rn;
  for (uint64_t t = 0; t < T; t++) {
    double eb = 0, ev = 0;
    for (size_t j = 0; j < w->r; j++) {
      eb += rn->numu[j] * bias[rn->atom[j]];
      ev += rn->numu[j] * var[rn->atom[j]];
    }
    const double fb = rn->h * eb, fv = rn->h * (ev + s2);
    for (size_t j = 0; j < w->r; j++) {
      const size_t atom = rn->atom[j];
      const double a = 1.0 - rn->delta[j];
      bias[atom] = a * bias[atom] + fb * rn->mu[j];
      var[atom] = a * var[atom] + fv * rn->mu[j];
    }
  }
}

static int renewal_apply_many(rc_stage_jump *w, double g, size_t count, const uint64_t *K,
                              double s2, double *const *bias, double *const *var, rc_error *err) {
  int status = renewal_prepare(w, g, err);
  if (status)
    return status;
  renewal *rn = &w->rn;
  int threads = 1;
#ifdef _OPENMP
  threads = count > 1 ? omp_get_max_threads() : 1;
  if ((size_t)threads > count)
    threads = (int)count;
#endif
  const size_t per = rc_mul_size(w->r, 2 * HALF_NODES + 1);
  if (threads > rn->threads) {
    double *table = rc_alloc_doubles(rc_mul_size(per, (size_t)threads), err);
    if (!table)
      return rc_error_set(err, RC_ENOMEM, "out of memory for %d stage jump tables", threads);
    free(rn->table);
    rn->table = table;
    rn->threads = threads;
  }
  /* States are independent and each is computed the same way on any thread: the result does
   * not depend on the number of threads. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (threads > 1)
  for (size_t c = 0; c < count; c++) {
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    double *table = rn->table + (size_t)tid * per;
    if (K[c] < RC_STAGE_JUMP_RENEWAL_MIN) {
      renewal_step(w, bias[c], var[c], K[c], s2);
    } else {
      renewal_state(w, bias[c], K[c], 0.0, 1, table);
      renewal_state(w, var[c], K[c], s2, 0, table);
    }
  }
  return RC_SUCCESS;
}

static int eigen_apply_many(rc_stage_jump *w, double g, size_t count, const uint64_t *K, double s2,
                            double *const *bias, double *const *var, rc_error *err) {
  propagator *p;
  int status = lookup(w, g, &p, err);
  if (status)
    return status;
  const size_t r = w->r, cols = 2 * count;
  if (count > w->many_capacity) {
    double *Y = rc_alloc_doubles(rc_mul_size(r, cols), err);
    double *Z = Y ? rc_alloc_doubles(rc_mul_size(r, cols), err) : NULL;
    if (!Z) {
      free(Y);
      return rc_error_set(err, RC_ENOMEM, "out of memory for %zu stage jumps at once", count);
    }
    free(w->Y);
    free(w->Z);
    w->Y = Y;
    w->Z = Z;
    w->many_capacity = count;
  }
  const rc_sgd_measure *m = w->m;
  const double rho = g * g / w->batch;
  /* Columns 0..count-1 hold the bias states, count..2count-1 the variance states, in the
   * symmetrised coordinates y = sqrt(nu) c of the sorted atoms. */
  for (size_t k = 0; k < r; k++) {
    const size_t atom = p->order[k];
    const double sq = sqrt(m->nu[atom]);
    double *row = w->Y + k * cols;
    for (size_t c = 0; c < count; c++) {
      row[c] = sq * bias[c][atom];
      row[count + c] = sq * var[c][atom];
    }
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)r, (int)cols, (int)r, 1.0, p->X, (int)r,
              w->Y, (int)cols, 0.0, w->Z, (int)cols);
  for (size_t k = 0; k < r; k++) {
    const double e = p->eps[k], log_theta = log1p(-e);
    double *row = w->Z + k * cols;
    for (size_t c = 0; c < count; c++) {
      const double steps = (double)K[c];
      const double power = exp(steps * log_theta);
      /* sum_{i<K} theta^i = (1 - theta^K) / (1 - theta), accurate for small eps. */
      const double geometric = e > 0 ? -expm1(steps * log_theta) / e : steps;
      row[c] *= power;
      row[count + c] = power * row[count + c] + geometric * rho * s2 * p->Xtu[k];
    }
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)cols, (int)r, 1.0, p->X,
              (int)r, w->Z, (int)cols, 0.0, w->Y, (int)cols);
  for (size_t k = 0; k < r; k++) {
    const size_t atom = p->order[k];
    const double sq = sqrt(m->nu[atom]);
    const double *row = w->Y + k * cols;
    for (size_t c = 0; c < count; c++) {
      bias[c][atom] = row[c] / sq;
      var[c][atom] = row[count + c] / sq;
    }
  }
  return RC_SUCCESS;
}

int rc_stage_jump_apply_many(rc_stage_jump *w, double g, size_t count, const uint64_t *K, double s2,
                             double *const *bias, double *const *var, rc_error *err) {
  if (w->method == RC_STAGE_JUMP_RENEWAL)
    return renewal_apply_many(w, g, count, K, s2, bias, var, err);
  return eigen_apply_many(w, g, count, K, s2, bias, var, err);
}

int rc_stage_jump_apply(rc_stage_jump *w, double g, uint64_t K, double s2, double *bias,
                        double *var, rc_error *err) {
  if (w->method == RC_STAGE_JUMP_RENEWAL)
    return renewal_apply_many(w, g, 1, &K, s2, &bias, &var, err);
  propagator *p;
  int status = lookup(w, g, &p, err);
  if (status)
    return status;
  const size_t r = w->r;
  const rc_sgd_measure *m = w->m;
  const double rho = g * g / w->batch;
  for (size_t k = 0; k < r; k++) {
    const double sq = sqrt(m->nu[p->order[k]]);
    w->y1[k] = sq * bias[p->order[k]];
    w->y2[k] = sq * var[p->order[k]];
  }
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)r, (int)r, 1.0, p->X, (int)r, w->y1, 1, 0.0, w->z1,
              1);
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)r, (int)r, 1.0, p->X, (int)r, w->y2, 1, 0.0, w->z2,
              1);
  const double steps = (double)K;
  for (size_t k = 0; k < r; k++) {
    const double e = p->eps[k];
    const double log_theta = log1p(-e);
    const double power = exp(steps * log_theta);
    /* sum_{i<K} theta^i = (1 - theta^K) / (1 - theta), accurate for small eps. */
    const double geometric = e > 0 ? -expm1(steps * log_theta) / e : steps;
    w->z1[k] *= power;
    w->z2[k] = power * w->z2[k] + geometric * rho * s2 * p->Xtu[k];
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)r, (int)r, 1.0, p->X, (int)r, w->z1, 1, 0.0, w->y1,
              1);
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)r, (int)r, 1.0, p->X, (int)r, w->z2, 1, 0.0, w->y2,
              1);
  for (size_t k = 0; k < r; k++) {
    const double sq = sqrt(m->nu[p->order[k]]);
    bias[p->order[k]] = w->y1[k] / sq;
    var[p->order[k]] = w->y2[k] / sq;
  }
  return RC_SUCCESS;
}
