/* src/sketch_svd.h -- the thin SVD of Y = S H^1/2 (internal, not public API).
 *
 * docs/THEORY.md section 1. With Y = S H^1/2 = U diag(sigma) V^T (M x d, r = min(M, d)):
 * G = S H S^T = Y Y^T has eigenvalues mu_j = sigma_j^2 with eigenvectors U, and for a target
 * w* the (pseudo-inverse) projection v* = G^+ S H w* has eigen-coordinates
 * (U^T v*)_j = (1/sigma_j) sum_i V_ij sqrt(lambda_i) w*_i. Singular values at or below
 * threshold = max(M, d) eps sigma_1 count as zero (G singular: the pseudo-inverse applies).
 * Used by the exact engine (sgd.c) and the Monte Carlo verifier (mc.c). */
#ifndef RISKCALC_SKETCH_SVD_H
#define RISKCALC_SKETCH_SVD_H

#include <stddef.h>

#include "riskcalc/error.h"

/* A workspace sized for one M x d shape; reusable for any number of sketches of that shape. */
typedef struct {
  size_t M, d, r;   /* r = min(M, d) */
  double *Y;        /* M x d, row-major: S H^1/2 before the call, destroyed by LAPACK */
  double *sigma;    /* r singular values, descending */
  double *U;        /* M x r, row-major: eigenvectors of G */
  double *VT;       /* r x d, row-major: right singular vectors V^T */
  size_t rank;      /* number of sigma_j > threshold */
  double threshold; /* max(M, d) DBL_EPSILON sigma_1 */
} rc_sketch_svd;

/* Allocates the workspace for M x d (both >= 1). NULL + RC_EINVAL / RC_ENOMEM on failure. */
rc_sketch_svd *rc_sketch_svd_alloc(size_t M, size_t d, rc_error *err);

void rc_sketch_svd_free(rc_sketch_svd *svd);

/* The largest |S_ki| sqrt(lambda_i) accepted: the eigenvalues mu_j = sigma_j^2 of S H S^T are
 * at most M d 1e290, doubles for any M d below 1e18. */
#define RC_SKETCH_ENTRY_MAX 1e145

/* Forms Y = S H^1/2 from the row-major M x d sketch S and sqrt_lambda[i] = sqrt(lambda_i),
 * and computes its thin SVD with LAPACKE_dgesdd on Y scaled by a power of two to entries of
 * order 1, then rank and threshold. Returns RC_SUCCESS, RC_EDOMAIN (an entry of Y past
 * RC_SKETCH_ENTRY_MAX or not finite, naming it) or RC_ELINALG (the LAPACK info). */
int rc_sketch_svd_compute(rc_sketch_svd *svd, const double *S, const double *sqrt_lambda,
                          rc_error *err);

#endif
