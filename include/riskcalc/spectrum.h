/* riskcalc/spectrum.h -- the data covariance H = diag(lambda) and the prior on w*.
 *
 * docs/THEORY.md section 1: x ~ N(0, H), H = diag(lambda_1..lambda_d), and a Gaussian prior
 * E w* w*^T = diag(p_1..p_d). Both are plain caller-owned structs (fields read-only by
 * convention) made by the _alloc functions below and released with the matching _free. */
#ifndef RISKCALC_SPECTRUM_H
#define RISKCALC_SPECTRUM_H

#include "riskcalc/api.h"

#include <stddef.h>

#include "riskcalc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RC_SPECTRUM_POWER,    /* lambda_i = i^-a */
  RC_SPECTRUM_LOGPOWER, /* lambda_i = i^-1 log(i+1)^-a */
  RC_SPECTRUM_VALUES    /* explicit list (for example read from a file) */
} rc_spectrum_kind;

typedef struct {
  rc_spectrum_kind kind;
  double a;       /* exponent of the power / log-power law (NaN for VALUES) */
  size_t d;       /* dimension */
  double *lambda; /* d eigenvalues, lambda_i >= 0, finite */
} rc_spectrum;

/* Power law lambda_i = i^-a, i = 1..d. Domain: d >= 1, a finite and > 0.
 * Returns NULL and sets err (RC_EINVAL, RC_ENOMEM) on failure. Free with rc_spectrum_free. */
RC_API rc_spectrum *rc_spectrum_power_alloc(size_t d, double a, rc_error *err);

/* Log power law lambda_i = i^-1 log(i+1)^-a, i = 1..d. Domain: d >= 1, a finite. */
RC_API rc_spectrum *rc_spectrum_logpower_alloc(size_t d, double a, rc_error *err);

/* Copies d explicit eigenvalues (each finite and >= 0, at least one > 0). */
RC_API rc_spectrum *rc_spectrum_values_alloc(const double *lambda, size_t d, rc_error *err);

RC_API void rc_spectrum_free(rc_spectrum *spectrum);

/* tr(H) = sum_i lambda_i. */
RC_API double rc_spectrum_trace(const rc_spectrum *spectrum);

typedef enum {
  RC_PRIOR_ISOTROPIC, /* p_i = 1 (the source condition b = a of a power law) */
  RC_PRIOR_SOURCE,    /* lambda_i p_i = i^-b */
  RC_PRIOR_VALUES     /* explicit list of E w*_i^2 */
} rc_prior_kind;

typedef struct {
  rc_prior_kind kind;
  double b; /* source exponent (NaN unless SOURCE) */
  size_t d;
  double *p; /* d prior variances E w*_i^2 >= 0 */
} rc_prior;

/* Isotropic prior p_i = 1, i = 1..d (d >= 1). */
RC_API rc_prior *rc_prior_isotropic_alloc(size_t d, rc_error *err);

/* Source condition lambda_i p_i = i^-b, i.e. p_i = i^-b / lambda_i. Domain: b finite; every
 * lambda_i > 0 (a zero eigenvalue has no finite p_i: RC_EINVAL). */
RC_API rc_prior *rc_prior_source_alloc(const rc_spectrum *spectrum, double b, rc_error *err);

/* Copies d explicit prior variances (each finite and >= 0). */
RC_API rc_prior *rc_prior_values_alloc(const double *p, size_t d, rc_error *err);

RC_API void rc_prior_free(rc_prior *prior);

/* The total signal tr(H P) = sum_i lambda_i p_i. Domain: spectrum->d == prior->d. */
RC_API double rc_prior_signal(const rc_spectrum *spectrum, const rc_prior *prior);

#ifdef __cplusplus
}
#endif
#endif
