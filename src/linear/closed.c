/* Leading-order closed forms and the compute-optimal allocation (docs/DETEQ.md). */
#include "riskcalc/closed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "riskcalc/tune.h"

double rc_closed_effective_steps(uint64_t N) {
  if (N <= 1)
    return 1.0;
  const double K = ceil((double)N / log2((double)N));
  return K < 1 ? 1.0 : K;
}

/* See docs/THEORY.md section 2.4 (the orders) and docs/DETEQ.md section 5. */
int rc_closed_curve(const rc_deteq *de, double M, const uint64_t *Ns, size_t count, double gamma,
                    size_t batch, double sigma2, rc_closed_row *out, rc_error *err) {
  if (!de || !Ns || !out || count == 0)
    return rc_error_set(err, RC_EINVAL, "plan, a non-empty list of N and the output are required");
  if (!(isfinite(gamma) && gamma > 0))
    return rc_error_set(err, RC_EINVAL, "step size gamma must be finite and > 0 (got %g)", gamma);
  if (batch == 0)
    return rc_error_set(err, RC_EINVAL, "batch size must be at least 1");
  if (!(isfinite(sigma2) && sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        sigma2);
  for (size_t k = 0; k < count; k++)
    if (Ns[k] == 0)
      return rc_error_set(err, RC_EINVAL, "N must be at least 1");
  double kappa, approx;
  int st = rc_deteq_kappa(de, M, &kappa, &approx, err);
  if (st)
    return st;
  const double d = rc_deteq_dimension(de);
  const size_t m = (size_t)floor(M < d ? M : d);
  double *lambda = rc_alloc_doubles(m, err);
  double *signal = lambda ? rc_alloc_doubles(m, err) : NULL;
  if (!signal) {
    free(lambda);
    return RC_ENOMEM;
  }
  if ((st = rc_deteq_top(de, m, lambda, signal, err))) {
    free(lambda);
    free(signal);
    return st;
  }
  rc_law law;
  const int power = rc_deteq_get_law(de, &law) && law.kind == RC_SPECTRUM_POWER;
  const double a = power ? law.a : NAN;
  const double b = !power ? NAN : law.prior == RC_PRIOR_SOURCE ? law.b : law.a;
  for (size_t k = 0; k < count; k++) {
    rc_closed_row *r = &out[k];
    const double N_eff = rc_closed_effective_steps(Ns[k]), T = N_eff * gamma;
    double bias = 0, kstar = 0, tail2 = 0;
    for (size_t i = m; i-- > 0;) { /* smallest terms first */
      bias += signal[i] * exp(-2.0 * T * lambda[i]);
      if (lambda[i] * T >= 1.0)
        kstar += 1.0;
      else
        tail2 += lambda[i] * lambda[i];
    }
    r->N = Ns[k];
    r->M = M;
    r->N_eff = N_eff;
    r->T_eff = T;
    r->k_star = kstar;
    r->D_eff = kstar + T * T * tail2;
    r->sigma2 = sigma2;
    r->approx = approx;
    r->bias = bias;
    r->variance = (sigma2 + approx) * r->D_eff / (N_eff * (double)batch);
    r->excess = r->bias + r->variance;
    r->risk = sigma2 + approx + r->excess;
    r->rate_approx = pow(M, 1.0 - b);
    r->rate_bias = pow(T, (1.0 - b) / a);
    const double cap = pow(T, 1.0 / a);
    r->rate_variance = (M < cap ? M : cap) / N_eff;
    if (!power)
      r->rate_variance = NAN;
  }
  free(lambda);
  free(signal);
  return RC_SUCCESS;
}

int rc_optimal_closed(double a, double C, double *M_star, double *N_star, rc_error *err) {
  if (!M_star || !N_star)
    return rc_error_set(err, RC_EINVAL, "outputs are required");
  if (!(isfinite(a) && a > 0))
    return rc_error_set(err, RC_EINVAL, "spectrum exponent a must be finite and > 0 (got %g)", a);
  if (!(isfinite(C) && C >= 4))
    return rc_error_set(err, RC_EINVAL, "compute C must be finite and >= 4 (got %g)", C);
  *M_star = pow(C / log2(C), 1.0 / (a + 1.0));
  *N_star = C / *M_star;
  return RC_SUCCESS;
}

/* The risk at (M, N) on the plan's measure at M: with the schedule as given, or with its base
 * step tuned (rc_sgd_tune_gamma). */
static int evaluate(const rc_deteq *de, double M, uint64_t N, const rc_schedule *schedule,
                    const rc_sgd_options *sgd, const rc_deteq_options *deteq_options, int tuned,
                    rc_optimum *out, rc_error *err) {
  if (!de || !schedule || !out)
    return rc_error_set(err, RC_EINVAL, "plan, schedule and output are required");
  if (N == 0)
    return rc_error_set(err, RC_EINVAL, "N must be at least 1");
  rc_sgd_measure *m = rc_deteq_measure(de, M, deteq_options, NULL, err);
  if (!m)
    return err ? err->status : RC_ENOCONV;
  rc_gamma_tuned t;
  t.evaluations = 1;
  t.gamma = rc_schedule_base(schedule);
  const int st = tuned ? rc_sgd_tune_gamma(m, schedule, N, sgd, &t, err)
                       : rc_sgd_risk_curve(m, schedule, &N, 1, sgd, &t.row, err);
  rc_sgd_measure_free(m);
  if (st)
    return st;
  out->C = M * (double)N;
  out->M = M;
  out->N = (double)N;
  out->risk = t.row.risk;
  out->approx = t.row.approx;
  out->bias = t.row.bias;
  out->variance = t.row.variance;
  out->evaluations = t.evaluations;
  out->gamma = t.gamma;
  return RC_SUCCESS;
}

int rc_optimal_evaluate(const rc_deteq *de, double M, uint64_t N, const rc_schedule *schedule,
                        const rc_sgd_options *sgd, const rc_deteq_options *deteq_options,
                        rc_optimum *out, rc_error *err) {
  return evaluate(de, M, N, schedule, sgd, deteq_options, 0, out, err);
}

int rc_optimal_evaluate_tuned(const rc_deteq *de, double M, uint64_t N, const rc_schedule *schedule,
                              const rc_sgd_options *sgd, const rc_deteq_options *deteq_options,
                              rc_optimum *out, rc_error *err) {
  return evaluate(de, M, N, schedule, sgd, deteq_options, 1, out, err);
}

/* Risk at whole M with N = round(C/M), cached. Unstable: +inf. */
typedef struct {
  const rc_deteq *de;
  double C;
  const rc_schedule *schedule;
  const rc_sgd_options *sgd;
  const rc_deteq_options *dopt;
  int tuned; /* tune the base step at every M */
  rc_optimum best;
  int have_best;
  double cacheM[96], cacheR[96];
  size_t ncache, evaluations;
} search;

static int risk_at(search *s, double M, double *risk, rc_error *err) {
  for (size_t k = 0; k < s->ncache; k++)
    if (s->cacheM[k] == M) {
      *risk = s->cacheR[k];
      return RC_SUCCESS;
    }
  double Nd = floor(s->C / M + 0.5);
  const uint64_t N = Nd < 1 ? 1 : (uint64_t)Nd;
  rc_optimum o;
  rc_error local = {0, ""};
  int st = (s->tuned ? rc_optimal_evaluate_tuned
                     : rc_optimal_evaluate)(s->de, M, N, s->schedule, s->sgd, s->dopt, &o, &local);
  s->evaluations += st ? 1 : o.evaluations;
  if (st == RC_EUNSTABLE) {
    *risk = INFINITY;
  } else if (st) {
    return rc_error_set(err, st, "M = %.17g: %s", M, local.message);
  } else {
    *risk = o.risk;
    if (!s->have_best || o.risk < s->best.risk) {
      s->best = o;
      s->have_best = 1;
    }
  }
  if (s->ncache < sizeof s->cacheM / sizeof s->cacheM[0]) {
    s->cacheM[s->ncache] = M;
    s->cacheR[s->ncache++] = *risk;
  }
  return RC_SUCCESS;
}

static int optimal_search(const rc_deteq *de, double C, double M_lo, double M_hi,
                          const rc_schedule *schedule, const rc_sgd_options *sgd,
                          const rc_deteq_options *deteq_options, int tuned, rc_optimum *out,
                          rc_error *err) {
  if (!de || !schedule || !out)
    return rc_error_set(err, RC_EINVAL, "plan, schedule and output are required");
  if (!(isfinite(C) && C >= 1))
    return rc_error_set(err, RC_EINVAL, "compute C must be finite and >= 1 (got %g)", C);
  M_lo = ceil(M_lo);
  M_hi = floor(M_hi);
  if (!(M_lo >= 1 && M_lo <= M_hi && M_hi <= C))
    return rc_error_set(err, RC_EINVAL,
                        "need whole M with 1 <= M_lo <= M_hi <= C (got [%g, %g], C = %g)", M_lo,
                        M_hi, C);
  search s;
  memset(&s, 0, sizeof s);
  s.de = de;
  s.C = C;
  s.schedule = schedule;
  s.sgd = sgd;
  s.dopt = deteq_options;
  s.tuned = tuned;
  enum { GRID = 9 };
  double grid[GRID], risk[GRID];
  size_t ng = 0;
  for (int k = 0; k < GRID; k++) {
    double M = floor(M_lo * pow(M_hi / M_lo, k / (GRID - 1.0)) + 0.5);
    if (M < M_lo)
      M = M_lo;
    if (M > M_hi)
      M = M_hi;
    if (ng > 0 && M == grid[ng - 1])
      continue;
    grid[ng] = M;
    int st = risk_at(&s, M, &risk[ng], err);
    if (st)
      return st;
    ng++;
  }
  size_t ib = 0;
  for (size_t k = 1; k < ng; k++)
    if (risk[k] < risk[ib])
      ib = k;
  if (!isfinite(risk[ib]))
    return rc_error_set(err, RC_EUNSTABLE,
                        "C = %g: the step is not mean-square stable for any M in [%g, %g]", C, M_lo,
                        M_hi);
  /* golden section on whole M in [lo, hi] */
  double lo = ib > 0 ? grid[ib - 1] : grid[0], hi = ib + 1 < ng ? grid[ib + 1] : grid[ng - 1];
  const double g = (sqrt(5.0) - 1.0) / 2.0;
  double x1 = floor(hi - g * (hi - lo) + 0.5), x2 = floor(lo + g * (hi - lo) + 0.5), f1, f2;
  int st = risk_at(&s, x1, &f1, err);
  if (!st)
    st = risk_at(&s, x2, &f2, err);
  while (!st && hi - lo > 3) {
    if (f1 <= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = floor(hi - g * (hi - lo) + 0.5);
      st = risk_at(&s, x1, &f1, err);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = floor(lo + g * (hi - lo) + 0.5);
      st = risk_at(&s, x2, &f2, err);
    }
  }
  for (double M = lo; !st && M <= hi; M += 1.0) {
    double f;
    st = risk_at(&s, M, &f, err);
  }
  if (st)
    return st;
  *out = s.best;
  out->C = C;
  out->evaluations = s.evaluations;
  return RC_SUCCESS;
}

/* See docs/DETEQ.md section 6. */
int rc_optimal_deteq(const rc_deteq *de, double C, double M_lo, double M_hi,
                     const rc_schedule *schedule, const rc_sgd_options *sgd,
                     const rc_deteq_options *deteq_options, rc_optimum *out, rc_error *err) {
  return optimal_search(de, C, M_lo, M_hi, schedule, sgd, deteq_options, 0, out, err);
}

int rc_optimal_deteq_tuned(const rc_deteq *de, double C, double M_lo, double M_hi,
                           const rc_schedule *schedule, const rc_sgd_options *sgd,
                           const rc_deteq_options *deteq_options, rc_optimum *out, rc_error *err) {
  return optimal_search(de, C, M_lo, M_hi, schedule, sgd, deteq_options, 1, out, err);
}
