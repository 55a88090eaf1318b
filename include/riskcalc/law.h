/* riskcalc/law.h -- a spectrum and prior given by their laws rather than by d numbers
 * (docs/DETEQ.md; THEORY.md section 1).
 *
 * A law describes lambda_i and lambda_i p_i by formulas in the index i, so d may be infinite:
 * the deterministic equivalent (riskcalc/deteq.h) sums the largest eigenvalues explicitly and
 * the rest through tail sums of the law. */
#ifndef RISKCALC_LAW_H
#define RISKCALC_LAW_H

#include "riskcalc/api.h"

#include "riskcalc/error.h"
#include "riskcalc/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  rc_spectrum_kind kind; /* RC_SPECTRUM_POWER (lambda_i = i^-a) or RC_SPECTRUM_LOGPOWER
                            (lambda_i = i^-1 log(i+1)^-a) */
  double a;
  rc_prior_kind prior; /* RC_PRIOR_ISOTROPIC (p_i = 1) or RC_PRIOR_SOURCE (lambda_i p_i = i^-b) */
  double b;            /* source exponent (ignored unless RC_PRIOR_SOURCE) */
  double d;            /* dimension: a whole number >= 1, or INFINITY */
} rc_law;

/* Checks a law: kind and prior known; a finite (and > 0 for the power law); b finite; d a
 * whole number >= 1 or +inf. At d = inf the trace and the signal must be finite: a > 1 for
 * both laws and, with a source prior, b > 1. Returns RC_SUCCESS or RC_EINVAL naming the
 * problem. */
RC_API int rc_law_check(const rc_law *law, rc_error *err);

/* 1 when the eigenvalues of a law decrease strictly, lambda_{i+1} < lambda_i for 1 <= i < d,
 * which the deterministic equivalent of a law needs (rc_deteq_alloc_law); 0 otherwise. Power
 * laws (a > 0) and log-power laws with a >= 0 decrease; a log-power law with a < 0 first
 * rises when a is below about -1.4 (lambda_2 > lambda_1 from a = -1.6 on). Decided exactly:
 * lambda(x) = 1 / (x log(1+x)^a) decreases on [x, inf) once (1+x) log(1+x) / x > -a, and the
 * few indices before that are compared directly. Returns 0 for a law that fails
 * rc_law_check. */
RC_API int rc_law_is_decreasing(const rc_law *law);

#ifdef __cplusplus
}
#endif
#endif
