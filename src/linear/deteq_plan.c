/* The deterministic-equivalent plan: creation from a law or from values, accessors, kappa and
 * the lower edge of the spectrum of G (docs/DETEQ.md; the module is described in
 * deteq_internal.h). */
#include <math.h>
#include <stdlib.h>

#include "core/root.h"
#include "linear/deteq_internal.h"

/* Explicit eigenvalues of a law: at least K_MIN, grown by 4 up to K_LIMIT until the tail is
 * small against |w| at the lower edge (rc_deteq_alloc_law). */
#define K_MIN 4096
#define K_LIMIT ((size_t)1 << 25)

void rc_deteq_free(rc_deteq *de) {
  if (de) {
    rc_specsum_free(de->ss);
    free(de);
  }
}

int deteq_sums(const rc_deteq *de, double wr, double wi, unsigned what, sums *s, rc_error *err) {
  /* SIMD lanes where the explicit sums are long (large M; small M keeps its ordered sums) */
  return rc_specsum_eval(de->ss, wr, wi, what | RC_SPECSUM_LANES, s, err);
}

/* Real-axis helpers: h(w) = A2(w)/M, A3(w), x(w). */
int deteq_real_sums(const rc_deteq *de, double w, unsigned what, sums *s, rc_error *err) {
  return deteq_sums(de, w, 0.0, what, s, err);
}

int deteq_x_of_w_real(const rc_deteq *de, double M, double w, double *x, rc_error *err) {
  sums s;
  int st = deteq_real_sums(de, w, 0, &s, err);
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
  rc_deteq *de = calloc(1, sizeof *de);
  if (!de) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a deterministic-equivalent plan");
    return NULL;
  }
  de->ss = rc_specsum_alloc_values(spectrum->lambda, prior->p, spectrum->d, err);
  if (!de->ss) {
    free(de);
    return NULL;
  }
  de->is_law = 0;
  de->d = de->ss->d;
  de->M_max = M_max;
  return de;
}

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
    rc_deteq *de = calloc(1, sizeof *de);
    if (!de) {
      rc_error_set(err, RC_ENOMEM, "out of memory for a deterministic-equivalent plan");
      return NULL;
    }
    de->is_law = 1;
    de->law = *law;
    de->d = law->d;
    de->M_max = M_max;
    if (!(de->ss = rc_specsum_alloc_law(law, K, err))) {
      rc_deteq_free(de);
      return NULL;
    }
    if (rc_specsum_tail_scale(de->ss) == 0)
      return de; /* everything explicit */
    /* The deepest tail must stay below 0.2 |w| wherever the measure at M_max is evaluated:
     * check at kappa and at the lower edge w_c of the spectrum of G. */
    double kappa, approx, wc = 0;
    rc_error local = {0, ""};
    int ok = deteq_find_kappa(de, M_max, &kappa, &approx, &local) == RC_SUCCESS &&
             deteq_lower_edge(de, M_max, kappa, &wc, &local) == RC_SUCCESS;
    if (ok && rc_specsum_tail_scale(de->ss) <= 0.2 * fabs(wc))
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
  return de->ss->trace;
}
double rc_deteq_signal(const rc_deteq *de) {
  return de->ss->signal;
}
size_t rc_deteq_cutoff(const rc_deteq *de) {
  return rc_specsum_explicit_count(de->ss);
}
double rc_deteq_tail_bound(const rc_deteq *de) {
  return rc_specsum_tail_bound(de->ss);
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
  for (size_t j = 0; j < de->ss->n && i < k; j++)
    for (size_t c = 0; c < (size_t)de->ss->cnt[j] && i < k; c++, i++) {
      lambda[i] = de->ss->lam[j];
      signal[i] = de->ss->sig[j] / de->ss->cnt[j];
    }
  if (i < k)
    return rc_error_set(err, RC_EINVAL,
                        "asked for the %zu largest eigenvalues but the plan holds %zu explicitly",
                        k, i);
  return RC_SUCCESS;
}

/* ---------------------------------------------------- roots and kappa */

static int fn_kappa(double kappa, void *vp, double *value) {
  deteq_root_params *p = vp;
  sums s;
  int st = deteq_real_sums(p->de, -kappa, 0, &s, p->err);
  *value = s.a1r - p->M;
  return st;
}

int deteq_fn_h(double w, void *vp, double *value) { /* A2(w)/M - 1 */
  deteq_root_params *p = vp;
  sums s;
  int st = deteq_real_sums(p->de, w, S_A2, &s, p->err);
  *value = s.a2r / p->M - 1.0;
  return st;
}

int deteq_fn_a3(double w, void *vp, double *value) {
  deteq_root_params *p = vp;
  sums s;
  int st = deteq_real_sums(p->de, w, S_A3, &s, p->err);
  *value = s.a3r;
  return st;
}

/* Every root of the plan to 1e-15 relative (or to adjacent doubles); Brent needs a few tens of
 * iterations, 300 is a safety cap. */
static const rc_root_options deteq_root = {0.0, 1e-15, 300, RC_ROOT_BEST};

int deteq_brent(rc_root_fn fn, deteq_root_params *p, double lo, double hi, double *root,
                const char *what) {
  return rc_root_brent(fn, p, lo, hi, &deteq_root, what, root, p->err);
}

int deteq_find_kappa(const rc_deteq *de, double M, double *kappa, double *approx, rc_error *err) {
  if (!(M < de->d)) {
    *kappa = 0;
    *approx = 0;
    return RC_SUCCESS;
  }
  deteq_root_params p = {de, M, err};
  /* sum lambda/(lambda + kappa) < tr(H)/kappa: negative at tr(H)/M; quarter toward 0 until
   * positive */
  const double top = de->ss->trace / M;
  double lo, hi;
  int st = rc_root_search(fn_kappa, &p, 0.0, top * 0.25, 0.25, +1, DETEQ_SEARCH_STEPS, top,
                          "kappa (bracket)", &lo, &hi, err);
  if (!st)
    st = deteq_brent(fn_kappa, &p, lo, hi, kappa, "kappa");
  if (st)
    return st;
  sums s;
  st = deteq_real_sums(de, -*kappa, S_B, &s, err);
  if (st)
    return st;
  *approx = *kappa * s.b0r;
  return RC_SUCCESS;
}

/* See docs/THEORY.md section 2.2 (df1(kappa) = M, E Approx) and docs/DETEQ.md section 1. */
int rc_deteq_kappa(const rc_deteq *de, double M, double *kappa, double *approx, rc_error *err) {
  if (!de || !kappa || !approx)
    return rc_error_set(err, RC_EINVAL, "plan and outputs are required");
  if (!(M >= 1 && M <= de->M_max))
    return rc_error_set(err, RC_EINVAL, "M = %g is outside [1, %g], the range of this plan", M,
                        de->M_max);
  return deteq_find_kappa(de, M, kappa, approx, err);
}

/* Lower edge of the support in w: h(w_c) = 1 with w_c in (-kappa, 0) when d > M, in
 * (0, lambda_min) when d < M, and w_c = 0 (a hard edge at x = 0) when d == M. */
int deteq_lower_edge(const rc_deteq *de, double M, double kappa, double *wc, rc_error *err) {
  deteq_root_params p = {de, M, err};
  if (M == de->d) {
    *wc = 0;
    return RC_SUCCESS;
  }
  double lo, hi;
  int st;
  if (M < de->d) {
    /* from -kappa halfway toward 0 until h > 1 */
    st = rc_root_search(deteq_fn_h, &p, 0.0, -kappa * 0.5, 0.5, +1, DETEQ_SEARCH_STEPS, -kappa,
                        "lower edge of the spectrum (bracket)", &hi, &lo, err);
    return st ? st : deteq_brent(deteq_fn_h, &p, lo, hi, wc, "lower edge of the spectrum");
  }
  /* d < M: h(0) = d/M < 1, h -> inf at the smallest eigenvalue */
  const double lmin = de->ss->lam[de->ss->n - 1];
  st = rc_root_search(deteq_fn_h, &p, lmin, -(lmin / 2), 0.5, +1, DETEQ_SEARCH_STEPS, 0.0,
                      "lower edge of the spectrum (bracket)", &hi, &lo, err);
  return st ? st : deteq_brent(deteq_fn_h, &p, 0.0, hi, wc, "lower edge of the spectrum");
}

rc_deteq *rc_deteq_alloc_problem(const rc_spectrum *spectrum, const rc_prior *prior, double M_max,
                                 rc_error *err) {
  if (!spectrum || !prior)
    return rc_deteq_alloc_values(spectrum, prior, M_max, err); /* refuses them */
  const rc_law law = {spectrum->kind, spectrum->a, prior->kind, prior->b, (double)spectrum->d};
  if ((spectrum->kind == RC_SPECTRUM_POWER || spectrum->kind == RC_SPECTRUM_LOGPOWER) &&
      (prior->kind == RC_PRIOR_ISOTROPIC || prior->kind == RC_PRIOR_SOURCE) &&
      (rc_law_check(&law, NULL) || rc_law_is_decreasing(&law)))
    return rc_deteq_alloc_law(&law, M_max, err);
  /* explicit values: no law, or one whose eigenvalues do not decrease */
  return rc_deteq_alloc_values(spectrum, prior, M_max, err);
}
