/* riskcalc/sketch.h -- the sketch S (M x d) that maps x to the model's features z = S x.
 *
 * docs/THEORY.md section 1: S has iid N(0, 1/M) entries, so E S^T S = I. The struct is
 * caller-owned (fields read-only by convention); free with rc_sketch_free. */
#ifndef RISKCALC_SKETCH_H
#define RISKCALC_SKETCH_H

#include "riskcalc/api.h"

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "riskcalc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  size_t M;  /* rows: model parameters */
  size_t d;  /* columns: data dimension */
  double *S; /* row-major M x d: S[k * d + i] */
} rc_sketch;

/* Bytes needed to hold an M x d sketch, or 0 if the product overflows size_t. */
RC_API size_t rc_sketch_bytes(size_t M, size_t d);

/* Draws S with iid N(0, 1/M) entries from rng, row by row (row k, then column i), so a
 * given generator state always yields the same sketch. Domain: M >= 1, d >= 1, rng != NULL.
 * Refuses (RC_ENOMEM) a sketch larger than the machine's physical memory instead of letting
 * the operating system kill the process later. */
RC_API rc_sketch *rc_sketch_gaussian_alloc(size_t M, size_t d, gsl_rng *rng, rc_error *err);

/* Copies an explicit row-major M x d sketch (all entries finite). */
RC_API rc_sketch *rc_sketch_values_alloc(const double *S, size_t M, size_t d, rc_error *err);

RC_API void rc_sketch_free(rc_sketch *sketch);

/* Physical memory of this machine in bytes (0 when unknown). Used to refuse sizes that
 * cannot fit before allocating them. */
RC_API size_t rc_physical_memory(void);

#ifdef __cplusplus
}
#endif
#endif
