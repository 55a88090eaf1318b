/* The measure of a sketch through its Gram matrix (src/linear/sketch_gram.h). */
#include "linear/sketch_gram.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <lapacke.h>

#include "core/rng.h"
#include "core/util.h"

int rc_sketch_stored_columns(void *context, size_t i0, size_t nb, double *Sb, rc_error *err) {
  (void)err;
  const rc_sketch *s = context;
  for (size_t k = 0; k < s->M; k++)
    memcpy(Sb + k * nb, s->S + k * s->d + i0, nb * sizeof(double));
  return RC_SUCCESS;
}

void rc_sketch_stream_free(rc_sketch_stream *st) {
  if (!st)
    return;
  if (st->rows)
    for (size_t k = 0; k < st->M; k++)
      rc_rng_free(st->rows[k]);
  free(st->rows);
  free(st);
}

rc_sketch_stream *rc_sketch_stream_alloc(size_t M, size_t d, gsl_rng *rng, rc_error *err) {
  if (M == 0 || d == 0 || !rng) {
    rc_error_set(err, RC_EINVAL, "a %zu x %zu sketch stream needs M, d >= 1 and a generator", M, d);
    return NULL;
  }
  rc_sketch_stream *st = calloc(1, sizeof *st);
  gsl_rng **rows = st ? calloc(M, sizeof *rows) : NULL;
  if (!rows) {
    free(st);
    rc_error_set(err, RC_ENOMEM, "out of memory for %zu generator states", M);
    return NULL;
  }
  st->M = M;
  st->d = d;
  st->scale = 1.0 / sqrt((double)M);
  st->rows = rows;
  for (size_t k = 0; k < M; k++) {
    if (!(rows[k] = rc_rng_alloc_like(rng, err))) {
      rc_sketch_stream_free(st);
      return NULL;
    }
    /* the draws of row k, as rc_sketch_gaussian_alloc makes them, only to reach row k + 1 */
    for (size_t i = 0; i < d; i++)
      (void)gsl_ran_gaussian_ziggurat(rng, st->scale);
  }
  return st;
}

int rc_sketch_stream_columns(void *context, size_t i0, size_t nb, double *Sb, rc_error *err) {
  (void)i0;
  (void)err;
  rc_sketch_stream *st = context;
  for (size_t k = 0; k < st->M; k++)
    for (size_t i = 0; i < nb; i++)
      Sb[k * nb + i] = gsl_ran_gaussian_ziggurat(st->rows[k], st->scale);
  return RC_SUCCESS;
}

int rc_sketch_gram_measure(const rc_spectrum *spectrum, const rc_prior *prior, size_t M,
                           size_t block, rc_sketch_columns_fn columns, void *context,
                           rc_measure **measure, rc_error *err) {
  *measure = NULL;
  const size_t d = spectrum->d;
  if (M == 0 || block == 0 || prior->d != d)
    return rc_error_set(err, RC_EINVAL, "Gram path: M = %zu, block = %zu, d = %zu / %zu", M, block,
                        d, prior->d);
  const size_t b = block < d ? block : d;
  double *G = rc_alloc_doubles(rc_mul_size(M, M), err);
  double *K = G ? rc_alloc_doubles(rc_mul_size(M, M), err) : NULL;
  double *U = K ? rc_alloc_doubles(rc_mul_size(M, M), err) : NULL;
  double *Y = U ? rc_alloc_doubles(rc_mul_size(M, b), err) : NULL;
  double *mu = Y ? rc_alloc_doubles(M, err) : NULL;
  double *s = mu ? rc_alloc_doubles(M, err) : NULL;
  lapack_int *support = s ? malloc(2 * M * sizeof *support) : NULL;
  int status = RC_SUCCESS;
  if (!support) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for the %zu x %zu Gram matrices", M, M);
    goto done;
  }
  /* G = sum over blocks of Y_b Y_b^T, K = sum of Z_b Z_b^T (lower triangles, row-major) */
  for (size_t i0 = 0; i0 < d && !status; i0 += b) {
    const size_t nb = d - i0 < b ? d - i0 : b;
    if ((status = columns(context, i0, nb, Y, err)))
      break;
    for (size_t k = 0; k < M; k++)
      for (size_t i = 0; i < nb; i++)
        Y[k * nb + i] *= sqrt(spectrum->lambda[i0 + i]);
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)M, (int)nb, 1.0, Y, (int)nb,
                i0 ? 1.0 : 0.0, G, (int)M);
    for (size_t k = 0; k < M; k++)
      for (size_t i = 0; i < nb; i++)
        Y[k * nb + i] *= sqrt(spectrum->lambda[i0 + i] * prior->p[i0 + i]);
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)M, (int)nb, 1.0, Y, (int)nb,
                i0 ? 1.0 : 0.0, K, (int)M);
  }
  if (status)
    goto done;
  /* The row-major lower triangle is the column-major upper one. Eigenvalues ascending;
   * column j of U (column-major) is u_j. */
  lapack_int found = 0;
  lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'U', (lapack_int)M, G, (lapack_int)M,
                                   0.0, 0.0, 0, 0, 0.0, &found, mu, U, (lapack_int)M, support);
  if (info != 0 || (size_t)found != M) {
    status = rc_error_set(err, RC_ELINALG,
                          "symmetric eigensolver on the Gram matrix S H S^T failed (info %d)",
                          (int)info);
    goto done;
  }
  const double mu_max = mu[M - 1], mu_min = mu[0];
  if (!(mu_max > 0) || !(DBL_EPSILON * mu_max <= mu_min * RC_GRAM_MAX_ERROR))
    goto done; /* ill-conditioned: the SVD path */
  /* s_j = u_j^T K u_j: G (no longer needed) receives K U */
  cblas_dsymm(CblasColMajor, CblasLeft, CblasUpper, (int)M, (int)M, 1.0, K, (int)M, U, (int)M, 0.0,
              G, (int)M);
  for (size_t j = 0; j < M; j++)
    s[j] = cblas_ddot((int)M, U + j * M, 1, G + j * M, 1);
  const double signal = rc_prior_signal(spectrum, prior);
  double seen = 0;
  for (size_t j = 0; j < M; j++)
    seen += s[j] / mu[j];
  const double approx = signal - seen;
  if (!(approx > 0 && DBL_EPSILON * (mu_max / mu_min) * (signal / approx) <= RC_GRAM_MAX_ERROR))
    goto done; /* Approx too small for the subtraction: the SVD path */
  rc_measure *m = rc_measure_alloc(M, err);
  if (!m) {
    status = err ? err->status : RC_ENOMEM;
    goto done;
  }
  for (size_t j = 0; j < M; j++) { /* descending, as the singular values */
    const size_t q = M - 1 - j;
    m->mu[j] = mu[q];
    m->nu[j] = 1.0;
    m->c0[j] = s[q] / (mu[q] * mu[q]);
  }
  m->M = (double)M;
  m->rank = M;
  m->pseudo_inverse = 0;
  m->signal = signal;
  m->approx = approx;
  *measure = m;
done:
  free(G);
  free(K);
  free(U);
  free(Y);
  free(mu);
  free(s);
  free(support);
  return status;
}
