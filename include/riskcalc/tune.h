/* riskcalc/tune.h -- step sizes tuned to minimise the final risk (docs/THEORY.md, "Tuning").
 *
 * A schedule's shape is fixed by its kind and parameters; its base step gamma scales every
 * step. For a measure (a drawn sketch, or the deterministic equivalent), a horizon N and the
 * options of the recursion, rc_sgd_tune_gamma finds the base step that minimises the expected
 * risk after N steps over the mean-square-stable range: a scan of the excess risk on a
 * logarithmic grid, then GSL's Brent minimiser on log gamma around the best grid point. */
#ifndef RISKCALC_TUNE_H
#define RISKCALC_TUNE_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"
#include "riskcalc/measure.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sgd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Points of the logarithmic scan, and its span below the stability edge (a factor). */
#define RC_TUNE_GRID 25
#define RC_TUNE_SPAN 1e6

typedef struct {
  double gamma;       /* the tuned base step */
  double gamma_max;   /* the stable base steps of this shape at N are those below gamma_max */
  rc_risk row;        /* the risk and its parts at the tuned step */
  int at_edge;        /* 1: the risk still fell at the top of the stable range, so gamma is the
                         top grid point (1 - 1e-6) gamma_max, not an interior minimum */
  size_t evaluations; /* risk curves computed */
} rc_gamma_tuned;

/* The base step of schedule's shape (its own base is not used, and schedule is not modified)
 * that minimises the risk after N steps on the measure, with the recursion options o (NULL:
 * defaults; progress is not reported). The scan covers RC_TUNE_GRID log-spaced points on
 * [gamma_max / RC_TUNE_SPAN, (1 - 1e-6) gamma_max]; an interior best point is refined by Brent
 * to 1e-6 relative in gamma. Domain: a schedule with a base step (not file: or stages:),
 * N >= 1 within its capacity, a measure with a moving atom. Returns RC_SUCCESS, RC_EINVAL,
 * RC_ENOMEM, RC_ENOCONV (the minimiser did not converge: out holds the best point found). */
RC_API int rc_sgd_tune_gamma(const rc_measure *measure, const rc_schedule *schedule, uint64_t N,
                             const rc_sgd_options *o, rc_gamma_tuned *out, rc_error *err);

/* The excess risk after the stages (length[k] steps at gamma[k], k < K; each length >= 1 and
 * gamma > 0) and its exact gradient with respect to every stage's step, by the adjoint
 * (reverse) recursion of the per-step map of the total moment bias + variance (docs/THEORY.md,
 * "Tuning"): time about three forward passes, memory O(n (K + sqrt(longest stage))). The
 * caller chooses stable steps (RC_EUNSTABLE when the risk is not finite). grad has K entries.
 * Returns RC_SUCCESS, RC_EINVAL, RC_ENOMEM, RC_EUNSTABLE. */
RC_API int rc_sgd_stage_gradient(const rc_measure *measure, const uint64_t *length,
                                 const double *gamma, size_t K, const rc_sgd_options *options,
                                 double *excess, double *grad, rc_error *err);

/* Largest number of stages, and of steps with a free step at every step. */
#define RC_SCHEDULE_OPT_MAX_PER_STEP 100000

typedef struct {
  size_t stages;   /* K stages of equal length (the first N mod K one step longer),
                      1 <= K <= min(N, RC_SCHEDULE_OPT_MAX_PER_STEP) (default 32) */
  int per_step;    /* 1: a free step at every step (K = N <= RC_SCHEDULE_OPT_MAX_PER_STEP) */
  size_t max_iter; /* minimiser iterations (default 500) */
  double rtol;     /* stop when an iteration lowers the excess by no more than rtol relative
                      (default 1e-12) */
} rc_schedule_opt_options;

RC_API rc_schedule_opt_options rc_schedule_opt_options_default(void);

typedef struct {
  size_t count;     /* stages */
  uint64_t *length; /* count lengths (malloc'd: rc_schedule_opt_result_free) */
  double *gamma;    /* count steps */
  rc_risk row;      /* the risk at N under the optimal stages, split into its parts */
  double gamma_max; /* the bound every step stays below (the constant-step stability edge) */
  size_t iterations, evaluations;
  int converged; /* 1: stopped on the rtol test or for lack of progress, 0: max_iter reached */
} rc_schedule_opt_result;

RC_API void rc_schedule_opt_result_free(rc_schedule_opt_result *result);

/* The piecewise-constant schedule on the stage layout of opt (NULL: defaults) that minimises
 * the risk after N steps on the measure: GSL's vector BFGS (multimin) on z_k, with the steps
 * g_k = g_max s(z_k) (s the logistic function, g_max just below the constant-step stability
 * edge, so every step is stable and z_k is log g_k up to a constant for steps well below
 * it), exact gradients from rc_sgd_stage_gradient, restarted from its best point while that
 * improves, started from the best of the const, cosine and geometric schedules with their base
 * step tuned (rc_sgd_tune_gamma) written on the stages (each stage takes the step at its
 * middle), so the result is never worse than that start. Returns RC_SUCCESS, RC_EINVAL,
 * RC_ENOMEM, RC_EUNSTABLE or RC_ENOCONV (the starting step); the result is the caller's to
 * free. */
RC_API int rc_sgd_schedule_opt(const rc_measure *measure, uint64_t N, const rc_sgd_options *options,
                               const rc_schedule_opt_options *opt, rc_schedule_opt_result *out,
                               rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
