/* riskcalc/schedule.h -- step-size schedules gamma_t, t = 0..N-1 (docs/THEORY.md section 1).
 *
 * Kinds and their text specification (parsed by rc_schedule_parse):
 *   const          gamma_t = gamma
 *   geometric      K = ceil(N / log2 N) (K = 1 when N = 1), gamma_t = gamma 2^-floor(t/K)
 *   step:K:F       gamma_t = gamma F^floor(t/K)        (K >= 1 integer, F > 0)
 *   poly:T0:P      gamma_t = gamma (1 + t/T0)^-P        (T0 > 0, P >= 0)
 *   file:PATH      gamma_t = value on line t+1 of PATH  (absolute steps; gamma unused)
 *   cosine[:FLOOR] gamma_t = f + (gamma - f)(1 + cos(pi t / N)) / 2, f = FLOOR gamma (default 0)
 *   linear[:FLOOR] gamma_t = gamma + (f - gamma) t / N, f = FLOOR gamma (default 0)
 *   wsd:FRAC[:SHAPE] warmup-stable-decay without the warm-up: D = ceil(FRAC N) decay steps,
 *                  t0 = N - D; gamma_t = gamma for t < t0, then with s = (t - t0) / D:
 *                  linear (default) gamma (1 - s), cosine gamma (1 + cos(pi s)) / 2,
 *                  sqrt gamma (1 - sqrt(s)); 0 < FRAC <= 1
 *   warmup:W:SPEC  gamma_t = gamma (t + 1) / W for t < W, then SPEC (any kind with a base
 *                  step) with horizon N - W at step t - W
 *   stages:PATH    lines "count gamma": piecewise constant absolute steps, count steps each;
 *                  the last stage continues for any larger N (gamma unused)
 *   twophase[:T1]  two phases (the quadratic model's adaptation and estimation): gamma_t = gamma
 *                  for t < T1 (default T1 = floor(N/2); T1 >= N leaves phase one only), then
 *                  the geometric schedule over the remaining L = N - T1 steps:
 *                  gamma 2^-floor((t - T1)/K), K = ceil(L / log2 L) (K = 1 when L = 1)
 * geometric, twophase, cosine, linear and wsd are horizon-dependent (a warm-up is when its SPEC
 * is): their steps depend on N, so every N of a curve is its own run. rc_schedule_stage_end
 * exposes the constant stages so a whole stage can be evaluated at once (poly, cosine, linear,
 * the decay of wsd and the warm-up ramp change every step, unless approximated with
 * rc_schedule_approximate), and rc_schedule_phase_end the phases (two for twophase, one for
 * the others). */
#ifndef RISKCALC_SCHEDULE_H
#define RISKCALC_SCHEDULE_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  RC_SCHEDULE_CONST,
  RC_SCHEDULE_GEOMETRIC,
  RC_SCHEDULE_STEP,
  RC_SCHEDULE_POLY,
  RC_SCHEDULE_FILE,
  RC_SCHEDULE_TWOPHASE,
  RC_SCHEDULE_COSINE,
  RC_SCHEDULE_LINEAR,
  RC_SCHEDULE_WSD,
  RC_SCHEDULE_WARMUP,
  RC_SCHEDULE_STAGES
} rc_schedule_kind;

typedef struct rc_schedule rc_schedule; /* opaque */

/* Parses spec (see above) with base step gamma (finite, > 0; ignored by file: and stages:).
 * file:PATH and stages:PATH read the file now (one finite positive value per line, or
 * "count gamma" per line; '#' comments and blank lines allowed). Returns NULL and sets err
 * (RC_EINVAL, RC_EPARSE, RC_EIO, RC_ENOMEM). */
RC_API rc_schedule *rc_schedule_parse(const char *spec, double gamma, rc_error *err);

RC_API void rc_schedule_free(rc_schedule *schedule);

/* The stages: schedule of count[k] steps at the absolute step gamma[k], k < K (each count >= 1,
 * at most 2^53 steps in all, each step finite and > 0; the last stage continues for any larger
 * N), as read from a stages: file. Returns NULL and sets err (RC_EINVAL, RC_ENOMEM). */
RC_API rc_schedule *rc_schedule_stages_alloc(const uint64_t *count, const double *gamma, size_t K,
                                             rc_error *err);

/* A deep copy (NULL + RC_ENOMEM on failure). */
RC_API rc_schedule *rc_schedule_copy(const rc_schedule *schedule, rc_error *err);

/* Sets the base step gamma (finite, > 0) of a schedule that has one (not file: or stages:,
 * RC_EINVAL), including the SPEC of a warm-up: the step-size tuners scan it. */
RC_API int rc_schedule_set_base(rc_schedule *schedule, double gamma, rc_error *err);

/* Replaces the smooth parts of the schedule (poly, cosine, linear, the decay of wsd, warm-up
 * ramps) by constant stages so that whole stages can be jumped: a stage is a maximal run of
 * steps within one monotone piece whose exact steps lie in one level
 * [gamma (1 + rtol)^k, gamma (1 + rtol)^(k+1)), so they vary by less than the factor 1 + rtol,
 * and it takes the exact step of its middle. Piecewise-constant kinds are unchanged.
 * Domain: 0 < rtol < 1; not for file: or stages: (RC_EINVAL). The risk error this causes is
 * measured in docs/THEORY.md (section "Schedules"). */
RC_API int rc_schedule_approximate(rc_schedule *schedule, double rtol, rc_error *err);

/* The tolerance given to rc_schedule_approximate (0: exact). */
RC_API double rc_schedule_approximation(const rc_schedule *schedule);

/* The first step t0 from which every step of horizon N is below 1e-12 of the largest step:
 * training has effectively stopped for the last N - t0 steps (N when it never does). */
RC_API uint64_t rc_schedule_stall(const rc_schedule *schedule, uint64_t N);

RC_API rc_schedule_kind rc_schedule_get_kind(const rc_schedule *schedule);
RC_API double rc_schedule_base(const rc_schedule *schedule);

/* 1 when the steps depend on the horizon N (geometric, twophase), else 0. */
RC_API int rc_schedule_horizon_dependent(const rc_schedule *schedule);

/* Number of steps a file schedule holds (plus the warm-up of a warm-up before one;
 * UINT64_MAX for the other kinds): the largest N it supports. */
RC_API uint64_t rc_schedule_capacity(const rc_schedule *schedule);

/* gamma_t for horizon N. Domain: t < N <= rc_schedule_capacity. */
RC_API double rc_schedule_gamma(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* The first step index after t whose step differs from gamma_t, or N if none: steps
 * t..end-1 share one value. Domain: t < N <= rc_schedule_capacity. */
RC_API uint64_t rc_schedule_stage_end(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* Number of phases of the schedule (2 for twophase, 1 otherwise). */
RC_API size_t rc_schedule_phase_count(const rc_schedule *schedule);

/* The phase (0-based) holding step t of horizon N. Domain: t < N. */
RC_API size_t rc_schedule_phase(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* The first step index after t that lies in another phase, or N if none. Domain: t < N. */
RC_API uint64_t rc_schedule_phase_end(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* Checks horizons against the schedule: count >= 1 and every Ns[k] in [1,
 * rc_schedule_capacity]. Stores the largest in *N_max when N_max is not NULL.
 * Returns RC_SUCCESS or RC_EINVAL (the message names the offending N). */
RC_API int rc_schedule_check_horizons(const rc_schedule *schedule, const uint64_t *Ns, size_t count,
                                      uint64_t *N_max, rc_error *err);

/* max over t < N of gamma_t. */
RC_API double rc_schedule_max(const rc_schedule *schedule, uint64_t N);

/* Writes a canonical one-line description (for output headers) into buf (size n). */
RC_API void rc_schedule_describe(const rc_schedule *schedule, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
