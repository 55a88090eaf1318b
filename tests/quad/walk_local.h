/* tests/quad/walk_local.h -- THROWAWAY: serial stand-ins for rc_walk and rc_mc_runner_run
 * until src/core/walker.c and src/core/mc_runner.c land on main (then delete this file and its
 * includes). Test-only: the library never contains these. */
#ifndef RC_TEST_WALK_LOCAL_H
#define RC_TEST_WALK_LOCAL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mc_runner.h"
#include "core/walker.h"
#include "riskcalc/mc.h"

/* One pass to N, recording every Ns[k] in (lo, N] (lo = N - 1: only N). */
static int walk_pass_(const rc_schedule *s, uint64_t N, uint64_t lo, const uint64_t *Ns,
                      size_t count, const rc_walk_callbacks *cb, void *model, rc_error *err) {
  int st = cb->start(model, N, err);
  uint64_t t = 0;
  while (!st && t < N) {
    uint64_t next = N; /* the next record point after t */
    for (size_t k = 0; k < count; k++)
      if (Ns[k] > t && Ns[k] > lo && Ns[k] < next)
        next = Ns[k];
    while (!st && t < next) {
      uint64_t end = rc_schedule_stage_end(s, t, N), pe = rc_schedule_phase_end(s, t, N);
      end = pe < end ? pe : end;
      end = next < end ? next : end;
      rc_walk_pos pos = {t, N, rc_schedule_phase(s, t, N)};
      st = cb->advance(model, rc_schedule_gamma(s, t, N), end - t, &pos, err);
      t = end;
    }
    for (size_t k = 0; k < count && !st; k++)
      if (Ns[k] == next)
        st = cb->record(model, next, k, err);
  }
  return st;
}

double rc_walk_steps(const rc_schedule *schedule, const uint64_t *Ns, size_t count) {
  double s = 0, mx = 0;
  for (size_t k = 0; k < count; k++) {
    int dup = 0;
    for (size_t j = 0; j < k; j++)
      dup |= Ns[j] == Ns[k];
    if (!dup)
      s += (double)Ns[k];
    mx = (double)Ns[k] > mx ? (double)Ns[k] : mx;
  }
  return rc_schedule_horizon_dependent(schedule) ? s : mx;
}

int rc_walk(const rc_schedule *schedule, const uint64_t *Ns, size_t count,
            const rc_walk_callbacks *cb, void *model, const rc_walk_options *options,
            rc_error *err) {
  (void)options;
  uint64_t Nmax;
  int st = rc_schedule_check_horizons(schedule, Ns, count, &Nmax, err);
  if (st)
    return st;
  if (!rc_schedule_horizon_dependent(schedule))
    return walk_pass_(schedule, Nmax, 0, Ns, count, cb, model, err);
  uint64_t last = 0;
  for (;;) {
    uint64_t N = UINT64_MAX;
    for (size_t k = 0; k < count; k++)
      if (Ns[k] > last && Ns[k] < N)
        N = Ns[k];
    if (N == UINT64_MAX)
      return RC_SUCCESS;
    if ((st = walk_pass_(schedule, N, N - 1, Ns, count, cb, model, err)))
      return st;
    last = N;
  }
}

struct rc_mc_tick {
  int dummy;
};

int rc_mc_tick_add(rc_mc_tick *tick, double units) {
  (void)tick;
  (void)units;
  return 0;
}

int rc_mc_runner_run(const rc_mc_runner_callbacks *cb, const void *model,
                     const rc_mc_runner_options *o, double *run_values, double *mean, double *se,
                     rc_error *err) {
  const size_t R = o->runs, V = o->values;
  double *all = run_values ? run_values : malloc(R * V * sizeof(double));
  void *ws = cb->workspace_alloc ? cb->workspace_alloc(model, err) : NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  int st = RC_SUCCESS;
  rc_mc_tick tick = {0};
  for (size_t r = 0; r < R && !st; r++) {
    gsl_rng_set(rng, rc_mc_run_seed(o->seed, r));
    st = cb->simulate(model, ws, r, rng, all + r * V, &tick, err);
  }
  if (!st)
    for (size_t k = 0; k < V; k++) {
      double m = 0, s = 0;
      for (size_t r = 0; r < R; r++)
        m += all[r * V + k];
      m /= (double)R;
      for (size_t r = 0; r < R; r++)
        s += (all[r * V + k] - m) * (all[r * V + k] - m);
      mean[k] = m;
      se[k] = sqrt(s / (double)(R - 1) / (double)R);
    }
  gsl_rng_free(rng);
  if (cb->workspace_free)
    cb->workspace_free(ws);
  if (!run_values)
    free(all);
  return st;
}

#endif
