/* Spectra and priors (docs/THEORY.md section 1). */
#include "riskcalc/spectrum.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static rc_spectrum *spectrum_new(rc_spectrum_kind kind, double a, size_t d, rc_error *err) {
  if (d == 0) {
    rc_error_set(err, RC_EINVAL, "dimension d must be at least 1");
    return NULL;
  }
  rc_spectrum *s = malloc(sizeof *s);
  double *lambda = rc_alloc_doubles(d, err);
  if (!s || !lambda) {
    free(s);
    free(lambda);
    if (err && err->status == RC_SUCCESS)
      rc_error_set(err, RC_ENOMEM, "out of memory for a spectrum of dimension %zu", d);
    return NULL;
  }
  s->kind = kind;
  s->a = a;
  s->d = d;
  s->lambda = lambda;
  return s;
}

rc_spectrum *rc_spectrum_power_alloc(size_t d, double a, rc_error *err) {
  if (!(isfinite(a) && a > 0)) {
    rc_error_set(err, RC_EINVAL, "power-law exponent a must be finite and > 0 (got %g)", a);
    return NULL;
  }
  rc_spectrum *s = spectrum_new(RC_SPECTRUM_POWER, a, d, err);
  if (s)
    for (size_t i = 0; i < d; i++)
      s->lambda[i] = pow((double)(i + 1), -a);
  return s;
}

rc_spectrum *rc_spectrum_logpower_alloc(size_t d, double a, rc_error *err) {
  if (!isfinite(a)) {
    rc_error_set(err, RC_EINVAL, "log-power-law exponent a must be finite (got %g)", a);
    return NULL;
  }
  rc_spectrum *s = spectrum_new(RC_SPECTRUM_LOGPOWER, a, d, err);
  if (!s)
    return NULL;
  for (size_t i = 0; i < d; i++) {
    s->lambda[i] = 1.0 / ((double)(i + 1) * pow(log((double)(i + 2)), a));
    /* log(2)^a underflows for a >~ 1075, log(d+1)^a for very negative a: lambda = inf. */
    if (!isfinite(s->lambda[i])) {
      rc_error_set(err, RC_EINVAL,
                   "log-power-law exponent a = %g overflows: eigenvalue %zu is not finite", a,
                   i + 1);
      rc_spectrum_free(s);
      return NULL;
    }
  }
  return s;
}

rc_spectrum *rc_spectrum_values_alloc(const double *lambda, size_t d, rc_error *err) {
  if (!lambda && d > 0) {
    rc_error_set(err, RC_EINVAL, "spectrum values are NULL");
    return NULL;
  }
  int any_positive = 0;
  for (size_t i = 0; i < d; i++) {
    if (!(isfinite(lambda[i]) && lambda[i] >= 0)) {
      rc_error_set(err, RC_EINVAL, "eigenvalue %zu is %g: must be finite and >= 0", i + 1,
                   lambda[i]);
      return NULL;
    }
    any_positive |= lambda[i] > 0;
  }
  if (d > 0 && !any_positive) {
    rc_error_set(err, RC_EINVAL, "every eigenvalue is zero");
    return NULL;
  }
  rc_spectrum *s = spectrum_new(RC_SPECTRUM_VALUES, NAN, d, err);
  if (s)
    memcpy(s->lambda, lambda, d * sizeof *lambda);
  return s;
}

void rc_spectrum_free(rc_spectrum *spectrum) {
  if (spectrum) {
    free(spectrum->lambda);
    free(spectrum);
  }
}

double rc_spectrum_trace(const rc_spectrum *spectrum) {
  /* Summed from the smallest term up so the tail is not lost to rounding. */
  double sum = 0;
  for (size_t i = spectrum->d; i-- > 0;)
    sum += spectrum->lambda[i];
  return sum;
}

static rc_prior *prior_new(rc_prior_kind kind, double b, size_t d, rc_error *err) {
  if (d == 0) {
    rc_error_set(err, RC_EINVAL, "prior dimension d must be at least 1");
    return NULL;
  }
  rc_prior *p = malloc(sizeof *p);
  double *values = rc_alloc_doubles(d, err);
  if (!p || !values) {
    free(p);
    free(values);
    if (err && err->status == RC_SUCCESS)
      rc_error_set(err, RC_ENOMEM, "out of memory for a prior of dimension %zu", d);
    return NULL;
  }
  p->kind = kind;
  p->b = b;
  p->d = d;
  p->p = values;
  return p;
}

rc_prior *rc_prior_isotropic_alloc(size_t d, rc_error *err) {
  rc_prior *p = prior_new(RC_PRIOR_ISOTROPIC, NAN, d, err);
  if (p)
    for (size_t i = 0; i < d; i++)
      p->p[i] = 1.0;
  return p;
}

rc_prior *rc_prior_source_alloc(const rc_spectrum *spectrum, double b, rc_error *err) {
  if (!spectrum) {
    rc_error_set(err, RC_EINVAL, "source prior needs a spectrum");
    return NULL;
  }
  if (!isfinite(b)) {
    rc_error_set(err, RC_EINVAL, "source exponent b must be finite (got %g)", b);
    return NULL;
  }
  for (size_t i = 0; i < spectrum->d; i++)
    if (!(spectrum->lambda[i] > 0)) {
      rc_error_set(err, RC_EINVAL,
                   "source prior lambda_i p_i = i^-b needs every eigenvalue > 0 (eigenvalue %zu "
                   "is %g); give the prior as a file instead",
                   i + 1, spectrum->lambda[i]);
      return NULL;
    }
  rc_prior *p = prior_new(RC_PRIOR_SOURCE, b, spectrum->d, err);
  if (!p)
    return NULL;
  for (size_t i = 0; i < spectrum->d; i++) {
    p->p[i] = pow((double)(i + 1), -b) / spectrum->lambda[i];
    if (!isfinite(p->p[i])) {
      rc_error_set(err, RC_EINVAL, "prior variance p_%zu = i^-b / lambda_i overflows (b = %g)",
                   i + 1, b);
      rc_prior_free(p);
      return NULL;
    }
  }
  return p;
}

rc_prior *rc_prior_values_alloc(const double *values, size_t d, rc_error *err) {
  if (!values && d > 0) {
    rc_error_set(err, RC_EINVAL, "prior values are NULL");
    return NULL;
  }
  for (size_t i = 0; i < d; i++)
    if (!(isfinite(values[i]) && values[i] >= 0)) {
      rc_error_set(err, RC_EINVAL, "prior variance %zu is %g: must be finite and >= 0", i + 1,
                   values[i]);
      return NULL;
    }
  rc_prior *p = prior_new(RC_PRIOR_VALUES, NAN, d, err);
  if (p)
    memcpy(p->p, values, d * sizeof *values);
  return p;
}

void rc_prior_free(rc_prior *prior) {
  if (prior) {
    free(prior->p);
    free(prior);
  }
}

double rc_prior_signal(const rc_spectrum *spectrum, const rc_prior *prior) {
  double sum = 0;
  for (size_t i = spectrum->d; i-- > 0;)
    sum += spectrum->lambda[i] * prior->p[i];
  return sum;
}
