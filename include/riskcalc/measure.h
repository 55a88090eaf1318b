/* riskcalc/measure.h -- a spectral measure with the signal it carries.
 *
 * The exact recursions of riskcalc run on a measure of atoms: locations mu_j (eigenvalues of a
 * feature covariance, such as G = S H S^T for sketched linear SGD), multiplicities nu_j and the
 * initial second moment c_j(0) per unit multiplicity. A measure comes from a drawn sketch
 * (rc_sgd_measure_from_sketch), from a deterministic equivalent (rc_deteq_measure), or from
 * the caller (for example the linearised phase of the quadratic model); every schedule, batch
 * size and stability check then runs on it unchanged (riskcalc/sgd.h). */
#ifndef RISKCALC_MEASURE_H
#define RISKCALC_MEASURE_H

#include "riskcalc/api.h"

#include <stddef.h>

#include "riskcalc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caller-owned plain struct; rc_measure_alloc makes one with zeroed arrays. */
typedef struct {
  size_t n;           /* number of atoms */
  double *mu;         /* atom locations (eigenvalues), >= 0 */
  double *nu;         /* multiplicities (eigen-counts), > 0; they sum to at most M: zero
                         eigenvalues may be left out (they carry no signal and never move),
                         so a sketch with M > d stores min(M, d) atoms */
  double *c0;         /* initial bias moment c_j(0) per unit multiplicity, >= 0 */
  double M;           /* the model size M (reported in every row) */
  double approx;      /* approximation error E_w Approx (>= 0) */
  double signal;      /* total signal tr(H P) */
  size_t rank;        /* number of atoms with mu_j > 0 (counted with multiplicity, rounded) */
  int pseudo_inverse; /* 1 when G is singular and its pseudo-inverse defines v* */
} rc_measure;

/* Allocates a measure of n atoms (n >= 1) with every field zero. Returns NULL and sets err
 * (RC_EINVAL for n = 0, RC_ENOMEM). Free with rc_measure_free. */
RC_API rc_measure *rc_measure_alloc(size_t n, rc_error *err);
RC_API void rc_measure_free(rc_measure *measure);

#ifdef __cplusplus
}
#endif
#endif
