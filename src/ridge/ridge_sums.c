/* Spectral sums of ridge at w = -kappa (see ridge_sums.h): the shared engine core/specsum.h
 * evaluated at the real negative point, with kappa C1 and kappa^2 D1 for the two differences
 * that would cancel. */
#include "ridge/ridge_sums.h"

#include <math.h>
#include <stdlib.h>

#include "core/specsum.h"

struct ridge_sums_plan {
  rc_specsum *ss;
};

static ridge_sums_plan *wrap(rc_specsum *ss, rc_error *err) {
  if (!ss)
    return NULL;
  ridge_sums_plan *p = malloc(sizeof *p);
  if (!p) {
    rc_specsum_free(ss);
    rc_error_set(err, RC_ENOMEM, "out of memory for the ridge sums");
    return NULL;
  }
  p->ss = ss;
  return p;
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
  for (size_t i = 0; i < spectrum->d; i++)
    if (!(isfinite(spectrum->lambda[i]) && spectrum->lambda[i] >= 0 && isfinite(prior->p[i]) &&
          prior->p[i] >= 0)) {
      rc_error_set(err, RC_EINVAL, "eigenvalue and prior %zu must be finite and >= 0 (got %g, %g)",
                   i + 1, spectrum->lambda[i], prior->p[i]);
      return NULL;
    }
  rc_error e = {0, ""};
  rc_specsum *ss = rc_specsum_alloc_values(spectrum->lambda, prior->p, spectrum->d, &e);
  if (!ss) {
    if (e.status == RC_EINVAL)
      rc_error_set(err, RC_EINVAL, "the spectrum has no positive eigenvalue");
    else
      rc_error_set(err, e.status, "%s", e.message);
  }
  return wrap(ss, err);
}

ridge_sums_plan *ridge_sums_alloc_law(const rc_law *law, rc_error *err) {
  if (!law) {
    rc_error_set(err, RC_EINVAL, "a law is required");
    return NULL;
  }
  if (rc_law_check(law, err))
    return NULL;
  return wrap(rc_specsum_alloc_law(law, RIDGE_LAW_EXPLICIT, err), err);
}

void ridge_sums_free(ridge_sums_plan *p) {
  if (p) {
    rc_specsum_free(p->ss);
    free(p);
  }
}

double ridge_sums_dimension(const ridge_sums_plan *p) {
  return p->ss->d;
}

double ridge_sums_trace(const ridge_sums_plan *p) {
  return p->ss->trace;
}

double ridge_sums_signal(const ridge_sums_plan *p) {
  return p->ss->signal;
}

double ridge_sums_kappa_min(const ridge_sums_plan *p) {
  return rc_specsum_min_abs_w(p->ss);
}

double ridge_sums_tail_bound(const ridge_sums_plan *p) {
  return rc_specsum_tail_bound(p->ss);
}

size_t ridge_sums_terms(const ridge_sums_plan *p) {
  return p->ss->n;
}

size_t ridge_sums_explicit(const ridge_sums_plan *p) {
  return rc_specsum_explicit_count(p->ss);
}

int ridge_sums_eval(const ridge_sums_plan *p, double kappa, ridge_sums *o, rc_error *err) {
  rc_specsum_sums s;
  const int status = rc_specsum_eval(
      p->ss, -kappa, 0.0, RC_SPECSUM_A2 | RC_SPECSUM_B | RC_SPECSUM_B2 | RC_SPECSUM_C, &s, NULL);
  if (status)
    return rc_error_set(err, RC_ENOCONV,
                        "kappa = %.3g is below the %.3g the plan serves (its %zu explicit "
                        "eigenvalues; the rest is its analytic tail)",
                        kappa, ridge_sums_kappa_min(p), rc_specsum_explicit_count(p->ss));
  o->df1 = s.a1r;
  o->df2 = s.a2r;
  o->dd = kappa * s.c1r;
  o->t1 = s.b0r;
  o->t2 = s.b2r;
  o->b0 = kappa * kappa * s.d1r;
  return RC_SUCCESS;
}
