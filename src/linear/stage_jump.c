/* Stage jumps: K steps of the constant-step recursion in O(n^2) (see stage_jump.h and
 * docs/THEORY.md section 1, "Stage jumps"). */
#include "linear/stage_jump.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "core/root.h"
#include "core/util.h"

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
  free(w);
}

size_t rc_stage_jump_size(const rc_stage_jump *w) {
  return w->r;
}

rc_stage_jump *rc_stage_jump_alloc(const rc_sgd_measure *m, size_t batch, rc_error *err) {
  size_t r = 0;
  for (size_t j = 0; j < m->n; j++)
    r += m->mu[j] > 0;
  if (r == 0 || r > RC_STAGE_JUMP_MAX_ATOMS) {
    rc_error_set(err, RC_EINVAL, "stage jumps need 1 to %d moving atoms (measure has %zu)",
                 RC_STAGE_JUMP_MAX_ATOMS, r);
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
  /* Cache propagators for up to 64 step sizes within about 256 MiB. */
  size_t per = r * r * sizeof(double) + 4 * r * sizeof(double);
  w->ncache = (256u << 20) / per;
  w->ncache = w->ncache < 1 ? 1 : w->ncache > 64 ? 64 : w->ncache;
  w->cache = calloc(w->ncache, sizeof *w->cache);
  w->entries = malloc(r * sizeof *w->entries);
  w->sec = malloc(r * sizeof *w->sec);
  w->origin = malloc(r * sizeof *w->origin);
  w->rot = malloc(4 * r * sizeof *w->rot);
  w->uhat = rc_alloc_doubles(r, err);
  w->tau = rc_alloc_doubles(r, err);
  w->diff = rc_alloc_doubles(r, err);
  w->y1 = rc_alloc_doubles(r, err);
  w->y2 = rc_alloc_doubles(r, err);
  w->z1 = rc_alloc_doubles(r, err);
  w->z2 = rc_alloc_doubles(r, err);
  if (!w->cache || !w->entries || !w->sec || !w->origin || !w->rot || !w->uhat || !w->tau ||
      !w->diff || !w->y1 || !w->y2 || !w->z1 || !w->z2) {
    rc_stage_jump_free(w);
    rc_error_set(err, RC_ENOMEM, "out of memory for stage jumps on %zu atoms", r);
    return NULL;
  }
  return w;
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

int rc_stage_jump_apply_many(rc_stage_jump *w, double g, size_t count, const uint64_t *K, double s2,
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

int rc_stage_jump_apply(rc_stage_jump *w, double g, uint64_t K, double s2, double *bias,
                        double *var, rc_error *err) {
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
