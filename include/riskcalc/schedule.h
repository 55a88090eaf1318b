/* riskcalc/schedule.h -- step-size schedules gamma_t, t = 0..N-1 (docs/THEORY.md section 1).
 *
 * Kinds and their text specification (parsed by rc_schedule_parse):
 *   const          gamma_t = gamma
 *   geometric      K = ceil(N / log2 N) (K = 1 when N = 1), gamma_t = gamma 2^-floor(t/K)
 *   step:K:F       gamma_t = gamma F^floor(t/K)        (K >= 1 integer, F > 0)
 *   poly:T0:P      gamma_t = gamma (1 + t/T0)^-P        (T0 > 0, P >= 0)
 *   file:PATH      gamma_t = value on line t+1 of PATH  (absolute steps; gamma unused)
 *   twophase[:T1]  two phases (the quadratic model's adaptation and estimation): gamma_t = gamma
 *                  for t < T1 (default T1 = floor(N/2); T1 >= N leaves phase one only), then
 *                  the geometric schedule over the remaining L = N - T1 steps:
 *                  gamma 2^-floor((t - T1)/K), K = ceil(L / log2 L) (K = 1 when L = 1)
 * geometric and twophase are horizon-dependent: their steps depend on N, so every N of a
 * curve is its own run. Schedules are piecewise constant (poly changes every step);
 * rc_schedule_stage_end exposes the constant stages so a whole stage can be evaluated at
 * once, and rc_schedule_phase_end the phases (two for twophase, one for the others). */
#ifndef RISKCALC_SCHEDULE_H
#define RISKCALC_SCHEDULE_H

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
  RC_SCHEDULE_TWOPHASE
} rc_schedule_kind;

typedef struct rc_schedule rc_schedule; /* opaque */

/* Parses spec (see above) with base step gamma (finite, > 0; ignored by file:). file:PATH
 * reads the steps now (one finite positive value per line, '#' comments and blank lines
 * allowed). Returns NULL and sets err (RC_EINVAL, RC_EPARSE, RC_EIO, RC_ENOMEM). */
rc_schedule *rc_schedule_parse(const char *spec, double gamma, rc_error *err);

void rc_schedule_free(rc_schedule *schedule);

rc_schedule_kind rc_schedule_get_kind(const rc_schedule *schedule);
double rc_schedule_base(const rc_schedule *schedule);

/* 1 when the steps depend on the horizon N (geometric, twophase), else 0. */
int rc_schedule_horizon_dependent(const rc_schedule *schedule);

/* Number of steps a file schedule holds (SIZE_MAX for the other kinds): the largest N it
 * supports. */
uint64_t rc_schedule_capacity(const rc_schedule *schedule);

/* gamma_t for horizon N. Domain: t < N <= rc_schedule_capacity. */
double rc_schedule_gamma(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* The first step index after t whose step differs from gamma_t, or N if none: steps
 * t..end-1 share one value. Domain: t < N <= rc_schedule_capacity. */
uint64_t rc_schedule_stage_end(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* Number of phases of the schedule (2 for twophase, 1 otherwise). */
size_t rc_schedule_phase_count(const rc_schedule *schedule);

/* The phase (0-based) holding step t of horizon N. Domain: t < N. */
size_t rc_schedule_phase(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* The first step index after t that lies in another phase, or N if none. Domain: t < N. */
uint64_t rc_schedule_phase_end(const rc_schedule *schedule, uint64_t t, uint64_t N);

/* Checks horizons against the schedule: count >= 1 and every Ns[k] in [1,
 * rc_schedule_capacity]. Stores the largest in *N_max when N_max is not NULL.
 * Returns RC_SUCCESS or RC_EINVAL (the message names the offending N). */
int rc_schedule_check_horizons(const rc_schedule *schedule, const uint64_t *Ns, size_t count,
                               uint64_t *N_max, rc_error *err);

/* max over t < N of gamma_t. */
double rc_schedule_max(const rc_schedule *schedule, uint64_t N);

/* Writes a canonical one-line description (for output headers) into buf (size n). */
void rc_schedule_describe(const rc_schedule *schedule, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
