/* src/core/walker.h -- walks a step-size schedule over the requested horizons (internal).
 *
 * Every model of riskcalc evolves a state step by step under a schedule gamma_t, t = 0..N-1
 * (the second-moment recursion of linear SGD, the moment recursion of the quadratic model, the
 * simulated SGD of the Monte Carlo verifiers). The walker owns the bookkeeping they share: it
 * cuts the steps into runs of constant step size (the schedule's stages), never crossing a
 * phase boundary of the schedule (rc_schedule_phase_end) or a requested horizon, and calls
 * the model's callbacks:
 *   start(horizon)             reset the state to its initial value (start of a pass)
 *   advance(gamma, count, pos) apply count steps at step size gamma
 *   record(N, index)           the state now is the result after N steps, for Ns[index]
 * Horizon-independent schedules make one pass up to max N and record every N on the way;
 * horizon-dependent ones (geometric, twophase) make one pass per distinct N. Ns may come in
 * any order and repeat: record is called once per index, in increasing N (ties in index
 * order). A callback returning non-zero stops the walk with that status (its err filled).
 *
 * rc_walk_together advances the passes of a horizon-dependent schedule side by side instead of
 * one after the other, so models that pay once per step size (a stage-jump propagator) can
 * serve every horizon sharing that step in one call. */
#ifndef RISKCALC_CORE_WALKER_H
#define RISKCALC_CORE_WALKER_H

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"
#include "riskcalc/schedule.h"

/* Where a run of steps sits. */
typedef struct {
  uint64_t t;       /* index of the first step of the run */
  uint64_t horizon; /* the horizon N the schedule is evaluated for */
  size_t phase;     /* phase of the schedule holding the run (0 for single-phase kinds) */
} rc_walk_pos;

typedef struct {
  int (*start)(void *model, uint64_t horizon, rc_error *err);
  int (*advance)(void *model, double gamma, uint64_t count, const rc_walk_pos *pos, rc_error *err);
  int (*record)(void *model, uint64_t N, size_t index, rc_error *err);
} rc_walk_callbacks;

typedef struct {
  uint64_t max_run;        /* runs are cut to at most this many steps, so progress and
                              cancellation stay responsive (0: no cut) */
  rc_progress_fn progress; /* optional: fraction of all steps of all passes done; non-zero
                              cancels the walk (RC_ECANCEL) */
  void *progress_context;
} rc_walk_options;

/* Steps in one walk: max N for horizon-independent schedules, the sum of the distinct N for
 * horizon-dependent ones (as a double: it may exceed 2^64). */
double rc_walk_steps(const rc_schedule *schedule, const uint64_t *Ns, size_t count);

/* Walks schedule over Ns[0..count-1] (checked with rc_schedule_check_horizons), calling cb on
 * model. options may be NULL. Allocates O(count) once. Returns RC_SUCCESS, RC_EINVAL,
 * RC_ENOMEM, RC_ECANCEL or the first non-zero status a callback returned. */
int rc_walk(const rc_schedule *schedule, const uint64_t *Ns, size_t count,
            const rc_walk_callbacks *cb, void *model, const rc_walk_options *options,
            rc_error *err);

/* Side by side: the H distinct horizons of Ns are passes h = 0..H-1 (increasing N). Each round
 * takes the lowest unfinished pass h0 and its current step size g; every unfinished pass whose
 * current step is also g advances to the end of its current run. group receives those passes
 * (ids[k], counts[k] steps each, k < n, ids increasing) in one call. start(horizon) is called
 * once per pass before the first round (with the pass id in pos-less form: horizon = its N),
 * record after all rounds. Runs are cut at phase boundaries and horizons as in rc_walk, but
 * not by max_run. */
typedef struct {
  int (*start)(void *model, size_t pass, uint64_t horizon, rc_error *err);
  int (*group)(void *model, double gamma, size_t n, const size_t *ids, const uint64_t *counts,
               rc_error *err);
  int (*record)(void *model, size_t pass, uint64_t N, size_t index, rc_error *err);
} rc_walk_group_callbacks;

int rc_walk_together(const rc_schedule *schedule, const uint64_t *Ns, size_t count,
                     const rc_walk_group_callbacks *cb, void *model, const rc_walk_options *options,
                     rc_error *err);

#endif
