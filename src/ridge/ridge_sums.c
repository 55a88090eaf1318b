/* Spectral sums of ridge at w = -kappa (see ridge_sums.h).
 *
 * Explicit spectra: distinct non-zero eigenvalues with their multiplicity and signal, summed
 * from the smallest up (the small terms first). */
#include "ridge/ridge_sums.h"

#include <math.h>
#include <stdlib.h>

#include "core/util.h"

struct ridge_sums_plan {
  size_t m;                /* distinct non-zero eigenvalues, increasing */
  double *lam, *cnt, *sig; /* eigenvalue, multiplicity, sum of lambda_i p_i over the group */
  double dim, trace;
};

static int cmp_pair(const void *a, const void *b) {
  const double x = ((const double *)a)[0], y = ((const double *)b)[0];
  return (x > y) - (x < y);
}

ridge_sums_plan *ridge_sums_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior,
                                         rc_error *err) {
  if (!spectrum || !prior) {
    rc_error_set(err, RC_EINVAL, "spectrum and prior are required");
    return NULL;
  }
  if (spectrum->d != prior->d || spectrum->d == 0) {
    rc_error_set(err, RC_EINVAL, "spectrum (d = %zu) and prior (d = %zu) must have the same d >= 1",
                 spectrum->d, prior->d);
    return NULL;
  }
  const size_t d = spectrum->d;
  for (size_t i = 0; i < d; i++)
    if (!(isfinite(spectrum->lambda[i]) && spectrum->lambda[i] >= 0 && isfinite(prior->p[i]) &&
          prior->p[i] >= 0)) {
      rc_error_set(err, RC_EINVAL, "eigenvalue and prior %zu must be finite and >= 0 (got %g, %g)",
                   i + 1, spectrum->lambda[i], prior->p[i]);
      return NULL;
    }
  double *pairs = rc_alloc_doubles(rc_mul_size(2, d), err);
  ridge_sums_plan *p = pairs ? calloc(1, sizeof *p) : NULL;
  if (p) {
    p->lam = rc_alloc_doubles(d, err);
    p->cnt = p->lam ? rc_alloc_doubles(d, err) : NULL;
    p->sig = p->cnt ? rc_alloc_doubles(d, err) : NULL;
  }
  if (!p || !p->sig) {
    if (p && !pairs)
      rc_error_set(err, RC_ENOMEM, "out of memory for the ridge sums");
    free(pairs);
    ridge_sums_free(p);
    if (!pairs || !p)
      rc_error_set(err, RC_ENOMEM, "out of memory for the ridge sums");
    return NULL;
  }
  size_t k = 0;
  for (size_t i = 0; i < d; i++)
    if (spectrum->lambda[i] > 0) {
      pairs[2 * k] = spectrum->lambda[i];
      pairs[2 * k + 1] = spectrum->lambda[i] * prior->p[i];
      k++;
    }
  if (k == 0) {
    free(pairs);
    ridge_sums_free(p);
    rc_error_set(err, RC_EINVAL, "the spectrum has no positive eigenvalue");
    return NULL;
  }
  qsort(pairs, k, 2 * sizeof(double), cmp_pair);
  p->m = 0;
  for (size_t i = 0; i < k; i++) {
    if (p->m > 0 && p->lam[p->m - 1] == pairs[2 * i]) {
      p->cnt[p->m - 1] += 1;
      p->sig[p->m - 1] += pairs[2 * i + 1];
    } else {
      p->lam[p->m] = pairs[2 * i];
      p->cnt[p->m] = 1;
      p->sig[p->m] = pairs[2 * i + 1];
      p->m++;
    }
    p->trace += pairs[2 * i];
  }
  p->dim = (double)k;
  free(pairs);
  return p;
}

ridge_sums_plan *ridge_sums_alloc_law(const rc_law *law, rc_error *err) {
  int status = rc_law_check(law, err);
  if (status)
    return NULL;
  rc_error_set(err, RC_EINVAL, "laws need the shared spectral-sum engine (not yet available)");
  return NULL;
}

void ridge_sums_free(ridge_sums_plan *p) {
  if (!p)
    return;
  free(p->lam);
  free(p->cnt);
  free(p->sig);
  free(p);
}

double ridge_sums_dimension(const ridge_sums_plan *p) {
  return p->dim;
}

size_t ridge_sums_terms(const ridge_sums_plan *p) {
  return p->m;
}

double ridge_sums_trace(const ridge_sums_plan *p) {
  return p->trace;
}

void ridge_sums_eval(const ridge_sums_plan *p, double kappa, ridge_sums *o) {
  double df1 = 0, df2 = 0, dd = 0, t1 = 0, t2 = 0, b = 0;
  for (size_t j = 0; j < p->m; j++) {
    const double l = p->lam[j], c = p->cnt[j], s = p->sig[j];
    const double r = l / (l + kappa), q = 1.0 / (l + kappa);
    df1 += c * r;
    df2 += c * r * r;
    dd += c * kappa * l * q * q;
    t1 += s * q;
    t2 += s * r * q;
    b += s * q * q;
  }
  o->df1 = df1;
  o->df2 = df2;
  o->dd = dd;
  o->t1 = t1;
  o->t2 = t2;
  o->b0 = kappa * kappa * b;
}
