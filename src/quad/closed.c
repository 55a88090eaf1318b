/* Closed forms of the quadratic model: noise-free logistic Phase I, the linearised Phase II as
 * a linear SGD measure, and the published rates (docs/QUAD.md section 6). */
#include <math.h>
#include <stdlib.h>

#include "quad/sketched.h"
#include "riskcalc/quad.h"

double rc_quad_activation_time(const rc_quad_problem *p, size_t i, double eta) {
  if (!p || i >= p->M || !(eta > 0) || p->feature_cov)
    return NAN;
  const double w = p->wstar[i], th0 = p->theta0[i], rate = 4.0 * eta * p->lambda[i] * w;
  if (th0 >= 0.5 * w)
    return 0.0;
  if (!(rate > 0))
    return INFINITY;
  return log(w / th0 - 1.0) / rate;
}

int rc_quad_closed_curve(const rc_quad_problem *p, double eta, const uint64_t *Ts, size_t count,
                         rc_quad_closed_row *out, rc_error *err) {
  if (!p || !Ts || !out || count == 0)
    return rc_error_set(err, RC_EINVAL,
                        "problem, a non-empty list of T and the output are required");
  if (p->feature_cov)
    return rc_error_set(err, RC_EINVAL, "%s", QUAD_SKETCHED_REFUSAL);
  if (!(isfinite(eta) && eta > 0))
    return rc_error_set(err, RC_EINVAL, "step size eta must be finite and > 0 (got %g)", eta);
  for (size_t k = 0; k < count; k++)
    if (Ts[k] == 0)
      return rc_error_set(err, RC_EINVAL, "T must be at least 1");
  const int power = p->spectrum == RC_SPECTRUM_POWER && p->target == RC_QUAD_TARGET_POWER;
  const double a = p->alpha, b = p->beta, M = (double)p->M;
  for (size_t k = 0; k < count; k++) {
    const double T = (double)Ts[k];
    rc_quad_closed_row *r = &out[k];
    double Dt = 0;
    for (size_t i = 0; i < p->M; i++)
      if (rc_quad_activation_time(p, i, eta) <= T)
        Dt += 1.0;
    r->T = Ts[k];
    r->M = M;
    r->D_t = Dt;
    r->sigma2 = p->sigma2;
    r->approx = p->approx;
    if (power) {
      const double D = fmin(M, pow(T, 1.0 / fmax(b, 0.5 * (a + b))));
      r->D_eff = D;
      size_t idx = (size_t)ceil(D);
      idx = idx < 1 ? 1 : idx > p->M ? p->M : idx;
      r->t_adapt = rc_quad_activation_time(p, idx - 1, eta);
      r->rate_bias = pow(D, 1.0 - b) - pow(M, 1.0 - b);
      if (r->rate_bias < 0)
        r->rate_bias = 0;
      r->rate_variance = p->sigma2 * D / (T * (double)p->batch);
      r->rate_risk = p->sigma2 + p->approx + r->rate_bias + r->rate_variance;
    } else {
      r->D_eff = NAN;
      r->t_adapt = Dt >= 1 ? rc_quad_activation_time(p, (size_t)Dt - 1, eta) : NAN;
      r->rate_bias = r->rate_variance = r->rate_risk = NAN;
    }
  }
  return RC_SUCCESS;
}

/* See docs/THEORY.md section 3.4 (the linearised Phase II) and docs/QUAD.md section 6. */
rc_sgd_measure *rc_quad_linear_measure(const rc_quad_problem *p, rc_error *err) {
  if (!p) {
    rc_error_set(err, RC_EINVAL, "a problem is required");
    return NULL;
  }
  if (p->feature_cov) {
    rc_error_set(err, RC_EINVAL, "%s", QUAD_SKETCHED_REFUSAL);
    return NULL;
  }
  size_t n = 0;
  for (size_t i = 0; i < p->M; i++)
    n += p->wstar[i] > 0;
  if (n == 0) {
    rc_error_set(err, RC_EINVAL,
                 "every w*_i is 0: the linearised Phase II has no moving coordinate");
    return NULL;
  }
  rc_sgd_measure *m = rc_sgd_measure_alloc(n, err);
  if (!m)
    return NULL;
  size_t j = 0;
  double signal = 0;
  for (size_t i = p->M; i-- > 0;)
    signal += p->lambda[i] * p->wstar[i] * p->wstar[i];
  for (size_t i = 0; i < p->M; i++) {
    const double w = p->wstar[i];
    if (!(w > 0))
      continue;
    const double u = p->theta0[i] - w;
    m->mu[j] = 4.0 * p->lambda[i] * w;
    m->nu[j] = 1.0;
    m->c0[j] = u * u / (4.0 * w);
    j++;
  }
  m->M = (double)p->M;
  m->approx = p->approx;
  m->signal = signal;
  m->rank = n;
  m->pseudo_inverse = 0;
  return m;
}
