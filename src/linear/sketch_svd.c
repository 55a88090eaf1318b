/* The thin SVD of S H^1/2 shared by the exact engine and the Monte Carlo verifier
 * (docs/THEORY.md section 1). */
#include "linear/sketch_svd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <lapacke.h>

#include "core/util.h"

rc_sketch_svd *rc_sketch_svd_alloc(size_t M, size_t d, rc_error *err) {
  if (M == 0 || d == 0) {
    rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu: both must be at least 1", M, d);
    return NULL;
  }
  rc_sketch_svd *w = calloc(1, sizeof *w);
  if (!w) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a singular value decomposition");
    return NULL;
  }
  const size_t r = M < d ? M : d;
  w->M = M;
  w->d = d;
  w->r = r;
  w->Y = rc_alloc_doubles(rc_mul_size(M, d), err);
  w->sigma = w->Y ? rc_alloc_doubles(r, err) : NULL;
  w->U = w->sigma ? rc_alloc_doubles(rc_mul_size(M, r), err) : NULL;
  w->VT = w->U ? rc_alloc_doubles(rc_mul_size(r, d), err) : NULL;
  if (!w->VT) {
    rc_sketch_svd_free(w);
    return NULL;
  }
  return w;
}

void rc_sketch_svd_free(rc_sketch_svd *w) {
  if (w) {
    free(w->Y);
    free(w->sigma);
    free(w->U);
    free(w->VT);
    free(w);
  }
}

int rc_sketch_svd_compute(rc_sketch_svd *w, const double *S, const double *sqrt_lambda,
                          rc_error *err) {
  const size_t M = w->M, d = w->d, r = w->r;
  /* Y is decomposed divided by its largest entry (a power of two, exact): LAPACK's SVD then
   * works on entries of order 1 whatever the scale of S and H (entries 1e200, eigenvalues
   * 1e308 or 1e-320), and sigma is scaled back. The eigenvalues mu = sigma^2 of S H S^T must
   * be doubles: an entry |S_ki| sqrt(lambda_i) past 1e150 (or a product that overflows) is
   * refused. */
  double ymax = 0;
  for (size_t k = 0; k < M; k++)
    for (size_t i = 0; i < d; i++) {
      const double y = S[k * d + i] * sqrt_lambda[i];
      if (!isfinite(y) || fabs(y) > RC_SKETCH_ENTRY_MAX)
        return rc_error_set(err, RC_EDOMAIN,
                            "sketch entry (%zu, %zu) times sqrt(lambda_%zu) is %g: |S_ki| "
                            "sqrt(lambda_i) must stay below %g so that the eigenvalues of S H S^T "
                            "are doubles",
                            k + 1, i + 1, i + 1, y, RC_SKETCH_ENTRY_MAX);
      w->Y[k * d + i] = y;
      ymax = fmax(ymax, fabs(y));
    }
  int e2 = 0;
  if (ymax > 0)
    frexp(ymax, &e2);
  for (size_t k = 0; k < M * d; k++)
    w->Y[k] = ldexp(w->Y[k], -e2);
  lapack_int info =
      LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)M, (lapack_int)d, w->Y, (lapack_int)d,
                     w->sigma, w->U, (lapack_int)r, w->VT, (lapack_int)d);
  if (info != 0)
    return rc_error_set(err, RC_ELINALG, "singular value decomposition of S H^1/2 failed (info %d)",
                        (int)info);
  for (size_t j = 0; j < r; j++)
    w->sigma[j] = ldexp(w->sigma[j], e2);
  w->threshold = (double)(M > d ? M : d) * DBL_EPSILON * w->sigma[0];
  w->rank = 0;
  for (size_t j = 0; j < r; j++)
    w->rank += w->sigma[j] > w->threshold;
  return RC_SUCCESS;
}
