/* src/linear/sketch_gram.h -- the measure of a sketch through its Gram matrix (internal).
 *
 * docs/THEORY.md section 1. With Y = S H^1/2 and Z = S H P^1/2 (both M x d), G = Y Y^T and
 * K = Z Z^T = S H P H S^T are accumulated by dsyrk over blocks of b columns of the sketch,
 * which a column source fills on demand, so neither S nor Y is ever stored whole: memory
 * O(M^2 + M b) for any d. The symmetric eigensolver (LAPACKE_dsyevr) gives G = U diag(mu) U^T;
 * then c_j(0) = u_j^T K u_j / mu_j^2 and Approx = tr(HP) - sum_j u_j^T K u_j / mu_j.
 *
 * Accuracy and the criterion. Forming G squares the singular values of Y: an eigenvalue mu_j
 * comes out with relative error about eps kappa, kappa = mu_max / mu_min (the SVD of Y:
 * eps sqrt(kappa)), and Approx, a difference, with relative error about
 *   e = eps kappa tr(HP) / Approx,
 * which is also the relative error measured on the risk (tests/linear/test_sketch.c:
 * test_gram_matches_svd measures error / e between 0.01 and 1). The Gram result is accepted
 * only when e <= RC_GRAM_MAX_ERROR = 2^-30 (9.3e-10); otherwise (a near-singular G, or Approx
 * lost in rounding: small eigenvalues need the SVD) the caller uses the thin SVD of S H^1/2
 * (sketch_svd.h), whose error is about eps sqrt(kappa). */
#ifndef RISKCALC_SKETCH_GRAM_H
#define RISKCALC_SKETCH_GRAM_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "riskcalc/error.h"
#include "riskcalc/measure.h"
#include "riskcalc/sketch.h"
#include "riskcalc/spectrum.h"

#define RC_GRAM_MAX_ERROR (1.0 / 1073741824.0)

/* Fills Sb (M x nb, row-major, row k at Sb + k nb) with columns i0 .. i0 + nb - 1 of the
 * sketch; columns are asked for in increasing order, each once. Returns a status. */
typedef int (*rc_sketch_columns_fn)(void *context, size_t i0, size_t nb, double *Sb, rc_error *err);

/* The measure of the M x d sketch that columns produces (d = spectrum->d == prior->d), by the
 * Gram path above, with column blocks of `block` columns (>= 1). On RC_SUCCESS *measure is a
 * new measure of M atoms (descending mu, nu = 1) when the criterion holds, or NULL when it
 * does not (the caller then takes the SVD path). Returns RC_SUCCESS, RC_EINVAL, RC_ENOMEM,
 * RC_ELINALG or the column source's status. */
int rc_sketch_gram_measure(const rc_spectrum *spectrum, const rc_prior *prior, size_t M,
                           size_t block, rc_sketch_columns_fn columns, void *context,
                           rc_measure **measure, rc_error *err);

/* A column source over a stored sketch (context: the const rc_sketch). */
int rc_sketch_stored_columns(void *context, size_t i0, size_t nb, double *Sb, rc_error *err);

/* A column source that draws the Gaussian sketch of rc_sketch_gaussian_alloc (iid N(0, 1/M),
 * row by row with gsl_ran_gaussian_ziggurat) column block by column block, keeping one
 * generator state per row: the same numbers for the same generator state, with O(M) states
 * instead of M x d values. */
typedef struct {
  size_t M, d;
  double scale;
  gsl_rng **rows; /* rows[k]: the generator positioned at the next column of row k */
} rc_sketch_stream;

/* Positions the row generators by drawing the whole sketch once from rng (which ends where
 * rc_sketch_gaussian_alloc leaves it). NULL + RC_EINVAL / RC_ENOMEM on failure. */
rc_sketch_stream *rc_sketch_stream_alloc(size_t M, size_t d, gsl_rng *rng, rc_error *err);
void rc_sketch_stream_free(rc_sketch_stream *stream);

/* The column source of a stream (context: the rc_sketch_stream). */
int rc_sketch_stream_columns(void *context, size_t i0, size_t nb, double *Sb, rc_error *err);

#endif
