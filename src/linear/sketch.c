/* Gaussian sketches (docs/THEORY.md section 1). */
#include "riskcalc/sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/util.h"

size_t rc_sketch_bytes(size_t M, size_t d) {
  return rc_mul_size(rc_mul_size(M, d), sizeof(double));
}

static rc_sketch *sketch_new(size_t M, size_t d, rc_error *err) {
  if (M == 0 || d == 0) {
    rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu: both must be at least 1", M, d);
    return NULL;
  }
  size_t bytes = rc_sketch_bytes(M, d), physical = rc_physical_memory();
  if (bytes == 0 || (physical && bytes > physical)) {
    rc_error_set(err, RC_ENOMEM,
                 "a %zu x %zu sketch needs %.3g GiB, more than this machine's %.3g GiB of memory",
                 M, d, (double)M * (double)d * 8.0 / 1073741824.0, (double)physical / 1073741824.0);
    return NULL;
  }
  rc_sketch *s = malloc(sizeof *s);
  double *S = s ? malloc(bytes) : NULL;
  if (!S) {
    free(s);
    rc_error_set(err, RC_ENOMEM, "out of memory for a %zu x %zu sketch", M, d);
    return NULL;
  }
  s->M = M;
  s->d = d;
  s->S = S;
  return s;
}

rc_sketch *rc_sketch_gaussian_alloc(size_t M, size_t d, gsl_rng *rng, rc_error *err) {
  if (!rng) {
    rc_error_set(err, RC_EINVAL, "a Gaussian sketch needs a random number generator");
    return NULL;
  }
  rc_sketch *s = sketch_new(M, d, err);
  if (!s)
    return NULL;
  const double scale = 1.0 / sqrt((double)M);
  for (size_t k = 0; k < M * d; k++)
    s->S[k] = gsl_ran_gaussian_ziggurat(rng, scale);
  return s;
}

rc_sketch *rc_sketch_values_alloc(const double *S, size_t M, size_t d, rc_error *err) {
  if (!S) {
    rc_error_set(err, RC_EINVAL, "sketch values are NULL");
    return NULL;
  }
  /* Sizes are validated (and M * d known not to overflow) before S is read. */
  rc_sketch *s = sketch_new(M, d, err);
  if (!s)
    return NULL;
  for (size_t k = 0; k < M * d; k++)
    if (!isfinite(S[k])) {
      rc_error_set(err, RC_EINVAL, "sketch entry (%zu, %zu) is %g: must be finite", k / d + 1,
                   k % d + 1, S[k]);
      rc_sketch_free(s);
      return NULL;
    }
  memcpy(s->S, S, M * d * sizeof *S);
  return s;
}

void rc_sketch_free(rc_sketch *sketch) {
  if (sketch) {
    free(sketch->S);
    free(sketch);
  }
}
