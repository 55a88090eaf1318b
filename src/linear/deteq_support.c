/* The support of the eigenvalue density of G: top edge, the gaps that separate isolated top
 * eigenvalues, lower edge (docs/DETEQ.md; see deteq_internal.h). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/root.h"
#include "linear/deteq_internal.h"

/* Gaps between consecutive explicit eigenvalues lam[j+1] < w < lam[j] where h < 1. */
typedef struct {
  size_t j;
  double wa, wb;
} gap;

static int find_gap(const rc_deteq *de, double M, size_t j, gap *g, int *found, rc_error *err) {
  *found = 0;
  const double hi = de->ss->lam[j], lo = de->ss->lam[j + 1], s = hi - lo;
  const double bound =
      pow(cbrt(de->ss->cnt[j] * hi * hi) + cbrt(de->ss->cnt[j + 1] * lo * lo), 3) / (M * s * s);
  if (bound >= 1)
    return RC_SUCCESS;
  deteq_root_params p = {de, M, err};
  /* minimum of the convex h: root of A3, which increases from -inf to +inf; its bracket ends
   * close in on the poles lo and hi */
  double a, b, unused, wmin, hmin;
  int st = rc_root_search(deteq_fn_a3, &p, lo, 0.25 * s, 0.5, -1, DETEQ_SEARCH_STEPS, lo,
                          "gap between eigenvalues (lower end)", &a, &unused, err);
  if (!st)
    st = rc_root_search(deteq_fn_a3, &p, hi, -(0.25 * s), 0.5, +1, DETEQ_SEARCH_STEPS, hi,
                        "gap between eigenvalues (upper end)", &b, &unused, err);
  if (!st)
    st = deteq_brent(deteq_fn_a3, &p, a, b, &wmin, "gap between eigenvalues");
  if (!st)
    st = deteq_fn_h(wmin, &p, &hmin);
  if (st)
    return st;
  if (!(hmin < 0))
    return RC_SUCCESS;
  /* edges: h = 1 on each side of the minimum */
  double wa_lo, wb_hi;
  st = rc_root_search(deteq_fn_h, &p, lo, 0.5 * (wmin - lo), 0.5, +1, DETEQ_SEARCH_STEPS, wmin,
                      "edge of a gap (bracket)", &wa_lo, &unused, err);
  if (!st)
    st = deteq_brent(deteq_fn_h, &p, wa_lo, wmin, &g->wa, "edge of a gap");
  if (!st)
    st = rc_root_search(deteq_fn_h, &p, hi, -(0.5 * (hi - wmin)), 0.5, +1, DETEQ_SEARCH_STEPS, wmin,
                        "edge of a gap (bracket)", &wb_hi, &unused, err);
  if (!st)
    st = deteq_brent(deteq_fn_h, &p, wmin, wb_hi, &g->wb, "edge of a gap");
  if (st)
    return st;
  g->j = j;
  *found = 1;
  return RC_SUCCESS;
}

/* Support intervals in increasing x. *out is malloc'd. */
int deteq_find_support(const rc_deteq *de, double M, double kappa, deteq_support **out,
                       size_t *nout, rc_error *err) {
  deteq_root_params p = {de, M, err};
  int st;
  double wc;
  if ((st = deteq_lower_edge(de, M, kappa, &wc, err)))
    return st;
  /* top edge: h(w) = 1 above lambda_1 */
  const double l1 = de->ss->lam[0];
  double wlo = l1 + 0.5 * l1 * sqrt(de->ss->cnt[0] / M);
  double whi = l1 + 1.01 * sqrt(de->ss->trace2 / M) + 4 * DBL_EPSILON * l1;
  double wtop;
  if ((st = deteq_brent(deteq_fn_h, &p, wlo, whi, &wtop, "top edge of the spectrum")))
    return st;
  /* gaps, from the smallest eigenvalues up */
  size_t ng = 0, capg = 16;
  gap *gaps = malloc(capg * sizeof *gaps);
  if (!gaps)
    return rc_error_set(err, RC_ENOMEM, "out of memory for the deteq_support");
  for (size_t j = de->ss->n - 1; j-- > 0;) {
    gap g;
    int found;
    if ((st = find_gap(de, M, j, &g, &found, err))) {
      free(gaps);
      return st;
    }
    if (!found)
      continue;
    if (rc_specsum_tail_scale(de->ss) > 0 && j + 2 >= de->ss->n) {
      free(gaps);
      return rc_error_set(err, RC_ENOCONV,
                          "a gap in the spectrum of G at the explicit cutoff K = %zu", de->ss->n);
    }
    if (ng == capg) {
      capg *= 2;
      gap *ng2 = realloc(gaps, capg * sizeof *gaps);
      if (!ng2) {
        free(gaps);
        return rc_error_set(err, RC_ENOMEM, "out of memory for the deteq_support");
      }
      gaps = ng2;
    }
    gaps[ng++] = g;
  }
  deteq_support *iv = malloc((ng + 1) * sizeof *iv);
  if (!iv) {
    free(gaps);
    return rc_error_set(err, RC_ENOMEM, "out of memory for the deteq_support");
  }
  double wl = wc, xl;
  if ((st = deteq_x_of_w_real(de, M, wc, &xl, err)))
    goto fail;
  if (wc == 0)
    xl = 0;
  size_t prev_j = SIZE_MAX; /* index of the gap below (SIZE_MAX: none) */
  for (size_t k = 0; k <= ng; k++) {
    double wr = k < ng ? gaps[k].wa : wtop, xr;
    if ((st = deteq_x_of_w_real(de, M, wr, &xr, err)))
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
        c += de->ss->cnt[j];
      iv[k].expected = c;
    }
    if (!(xr > xl)) {
      st = rc_error_set(err, RC_ENOCONV, "empty deteq_support interval [%.17g, %.17g]", xl, xr);
      goto fail;
    }
    if (k < ng) {
      wl = gaps[k].wb;
      if ((st = deteq_x_of_w_real(de, M, wl, &xl, err)))
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
