/* riskcalc/closed.h -- leading-order closed forms of the risk of sketched linear SGD with the
 * geometric schedule, and the compute-optimal allocation (docs/DETEQ.md, THEORY.md section 2).
 *
 * With N_eff = ceil(N / log2 N) (the length of the first stage of the geometric schedule) and
 * the effective time T = N_eff gamma:
 *   Approx   = E Approx from kappa (rc_deteq_kappa),
 *   Bias     = sum_{i <= min(M, d)} lambda_i p_i exp(-2 T lambda_i)   (gradient flow to T),
 *   Variance = (sigma2 + Approx) D_eff / (N_eff B),
 *   D_eff    = k* + T^2 sum_{k* < i <= min(M, d)} lambda_i^2,  k* = #{i <= M : lambda_i >= 1/T},
 * and, for the power law lambda_i = i^-a with source exponent b (b = a for the isotropic
 * prior), the pure rates M^(1-b), T^((1-b)/a) and min(M, T^(1/a)) / N_eff. These are the
 * orders of Lin et al. with unit constants: they give the exponents, not the constants. */
#ifndef RISKCALC_CLOSED_H
#define RISKCALC_CLOSED_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/deteq.h"
#include "riskcalc/error.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sgd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ceil(N / log2 N), and 1 for N <= 1: the first stage of the geometric schedule. */
RC_API double rc_closed_effective_steps(uint64_t N);

/* One row of the closed-form risk. */
typedef struct {
  uint64_t N;
  double M;
  double N_eff, T_eff; /* N_eff and N_eff gamma */
  double k_star, D_eff;
  double sigma2, approx, bias, variance, excess, risk;
  double rate_approx, rate_bias, rate_variance; /* NaN unless the plan is a power law */
} rc_closed_row;

/* The closed forms above at model size M for every N in Ns[0..count-1] (each >= 1).
 * Domain: 1 <= M <= M_max of the plan and min(M, d) <= rc_deteq_cutoff(de) (always true for
 * laws), gamma > 0 finite, batch >= 1, sigma2 >= 0 finite. out[k] receives the row of Ns[k].
 * Returns RC_SUCCESS, RC_EINVAL, RC_ENOMEM or RC_ENOCONV (kappa). */
RC_API int rc_closed_curve(const rc_deteq *de, double M, const uint64_t *Ns, size_t count,
                           double gamma, size_t batch, double sigma2, rc_closed_row *out,
                           rc_error *err);

/* Closed-form compute-optimal allocation for compute C = M N (THEORY.md section 2):
 * M* = (C / log2 C)^(1/(a+1)), N* = C / M* (leading order, unit constants). Domain: a > 0,
 * C >= 4. Returns RC_SUCCESS or RC_EINVAL. */
RC_API int rc_optimal_closed(double a, double C, double *M_star, double *N_star, rc_error *err);

/* The numerical optimum of the deterministic-equivalent risk. */
typedef struct {
  double C;
  double M, N; /* integers: the best M found and N = round(C / M) */
  double risk, approx, bias, variance;
  size_t evaluations; /* deterministic-equivalent risks computed */
  double gamma;       /* the base step of the schedule used (tuned by the _tuned variants) */
} rc_optimum;

/* Minimises over whole M in [M_lo, M_hi] the deterministic-equivalent risk
 * (rc_deteq_measure + rc_sgd_risk_curve) after N = max(1, round(C / M)) steps of schedule
 * with the options sgd (NULL: defaults): a log-spaced grid of 9 points, then golden-section
 * search on whole M between the neighbours of the best grid point. A model size whose
 * step is not mean-square stable counts as infinite risk. Domain: 1 <= M_lo <= M_hi <= C,
 * M_hi <= M_max of the plan. deteq_options may be NULL. Returns RC_SUCCESS, RC_EINVAL,
 * RC_EUNSTABLE (no stable M in the range), RC_ENOMEM, RC_ENOCONV. */
RC_API int rc_optimal_deteq(const rc_deteq *de, double C, double M_lo, double M_hi,
                            const rc_schedule *schedule, const rc_sgd_options *sgd,
                            const rc_deteq_options *deteq_options, rc_optimum *out, rc_error *err);

/* The deterministic-equivalent risk at one (M, N): fills out (C = M N). Same domain and codes
 * as rc_optimal_deteq; RC_EUNSTABLE when the step is not stable at this M. */
RC_API int rc_optimal_evaluate(const rc_deteq *de, double M, uint64_t N,
                               const rc_schedule *schedule, const rc_sgd_options *sgd,
                               const rc_deteq_options *deteq_options, rc_optimum *out,
                               rc_error *err);

/* The same two with the base step of the schedule's shape tuned at every (M, N) it evaluates
 * (rc_sgd_tune_gamma, riskcalc/tune.h): the compute-optimal allocation when the step size is
 * chosen well for each model size. out->gamma holds the tuned base step. The schedule needs a
 * base step (not file: or stages:, RC_EINVAL). */
RC_API int rc_optimal_deteq_tuned(const rc_deteq *de, double C, double M_lo, double M_hi,
                                  const rc_schedule *schedule, const rc_sgd_options *sgd,
                                  const rc_deteq_options *deteq_options, rc_optimum *out,
                                  rc_error *err);
RC_API int rc_optimal_evaluate_tuned(const rc_deteq *de, double M, uint64_t N,
                                     const rc_schedule *schedule, const rc_sgd_options *sgd,
                                     const rc_deteq_options *deteq_options, rc_optimum *out,
                                     rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
