/* Cost queries of the quadratic model (include/riskcalc/quad.h): what an analytic curve or a
 * Monte Carlo simulation will cost, from the same walk over the schedule the engines make. */
#include <math.h>
#include <string.h>

#include "core/walker.h"
#include "riskcalc/quad.h"

/* Work per coordinate, in elementary updates (about 1 ns each): one exact step of the moment
 * recursion (the increment needs the Pearson III moments to order 9), and one multi-step block
 * (three linearisations of four increments each, the doubling of 3 x 3 matrices, the
 * comparison). Measured: about 0.5 and 8 microseconds per 1000 coordinates on this machine. */
#define UPDATES_STEP 500.0
#define UPDATES_BLOCK 8000.0
/* Blocks start at 2^5 steps (src/quad/analytic.c): shorter runs are iterated, and a pass starts
 * with up to QUAD_COST_START exact steps while the first probes are rejected. */
#define BLOCK_MIN 32.0
#define QUAD_COST_START 1024.0

/* The walk stops after this many runs; the steps left count as iterated (schedules that
 * change at every step, such as cosine, are iterated step by step anyway). */
#define MAX_RUNS 1048576.0

typedef struct {
  double exact, blocks;
  double runs, walked;
  uint64_t t; /* steps into the current pass */
} cost_walk;

static int c_start(void *model, uint64_t horizon, rc_error *err) {
  (void)horizon;
  (void)err;
  ((cost_walk *)model)->t = 0;
  return RC_SUCCESS;
}

/* A run of count steps: iterated when short, else a start-up of exact steps at the beginning
 * of the pass and about two blocks per doubling of the run (the block length grows by one
 * level per accepted block well inside the tolerance, and shrinks on rejection). */
static int c_advance(void *model, double gamma, uint64_t count, const rc_walk_pos *pos,
                     rc_error *err) {
  (void)gamma;
  (void)pos;
  (void)err;
  cost_walk *c = model;
  if (c->runs >= MAX_RUNS)
    return RC_ECANCEL; /* the rest is counted as iterated */
  c->runs += 1.0;
  const double n = (double)count;
  c->walked += n;
  double exact = 0;
  if (c->t < (uint64_t)QUAD_COST_START)
    exact = fmin(n, QUAD_COST_START - (double)c->t);
  if (n - exact < BLOCK_MIN)
    exact = n;
  c->exact += exact;
  if (n > exact)
    c->blocks += 2.0 * log2((n - exact) / BLOCK_MIN) + 4.0;
  c->t += count;
  return RC_SUCCESS;
}

static int c_record(void *model, uint64_t N, size_t index, rc_error *err) {
  (void)model;
  (void)N;
  (void)index;
  (void)err;
  return RC_SUCCESS;
}

int rc_quad_analytic_cost(size_t M, const rc_schedule *schedule, const uint64_t *Ts, size_t count,
                          rc_cost *cost, rc_error *err) {
  if (!schedule || !Ts || !cost)
    return rc_error_set(err, RC_EINVAL, "schedule, horizons and output are required");
  if (M == 0)
    return rc_error_set(err, RC_EINVAL, "model size M must be at least 1");
  cost_walk c = {0, 0, 0, 0, 0};
  const rc_walk_callbacks cb = {c_start, c_advance, c_record};
  const int status = rc_walk(schedule, Ts, count, &cb, &c, NULL, err);
  if (status == RC_ECANCEL && c.runs >= MAX_RUNS) {
    rc_error_clear(err);
    c.exact += rc_walk_steps(schedule, Ts, count) - c.walked;
  } else if (status) {
    return status;
  }
  const double m = (double)M;
  cost->updates = m * (UPDATES_STEP * c.exact + UPDATES_BLOCK * c.blocks);
  /* the state and the block workspace: 48 numbers per coordinate, and the coordinates' data */
  cost->bytes = 8.0 * 48.0 * m + 32.0 * m;
  return RC_SUCCESS;
}

int rc_quad_mc_cost(size_t M, size_t batch, const rc_schedule *schedule, const uint64_t *Ts,
                    size_t count, const rc_quad_mc_options *options, rc_cost *cost, rc_error *err) {
  if (!schedule || !Ts || !cost)
    return rc_error_set(err, RC_EINVAL, "schedule, horizons and output are required");
  if (M == 0 || batch == 0)
    return rc_error_set(err, RC_EINVAL, "model size M and batch must be at least 1 (got %zu, %zu)",
                        M, batch);
  const rc_quad_mc_options o = options ? *options : rc_quad_mc_options_default();
  if (o.runs < 2)
    return rc_error_set(err, RC_EINVAL, "at least 2 runs are needed (got %zu)", o.runs);
  const int status = rc_schedule_check_horizons(schedule, Ts, count, NULL, err);
  if (status)
    return status;
  const double m = (double)M, B = (double)batch, R = (double)o.runs;
  /* per sample: M normals and the residual (about 4 updates per coordinate, a normal counted as
   * two), the gradient and the update of v */
  cost->updates = R * rc_walk_steps(schedule, Ts, count) * (B * (4.0 * m + 2.0) + 2.0 * m);
  const double threads = o.threads > 0 ? (double)o.threads : 1.0;
  /* every run's theta at every T (the runner keeps them for the bias and variance), their
   * mean and standard error, and per thread a workspace of (B + 2) M + B numbers */
  cost->bytes = 8.0 * ((R + 2.0) * (double)count * (m + 1.0) + m + threads * ((B + 2.0) * m + B));
  return RC_SUCCESS;
}

int rc_quad_mc_problem_cost(const rc_quad_problem *problem, const rc_schedule *schedule,
                            const uint64_t *Ts, size_t count, const rc_quad_mc_options *options,
                            rc_cost *cost, rc_error *err) {
  if (!problem)
    return rc_error_set(err, RC_EINVAL, "a problem is required");
  const int status =
      rc_quad_mc_cost(problem->M, problem->batch, schedule, Ts, count, options, cost, err);
  if (status || !problem->feature_cov)
    return status;
  const rc_quad_mc_options o = options ? *options : rc_quad_mc_options_default();
  const double m = (double)problem->M, B = (double)problem->batch, R = (double)o.runs;
  /* z = L u: M (M + 1) / 2 multiply-adds per sample; the risk's quadratic form per record and
   * the estimators' M^2 per run and horizon */
  cost->updates += R * rc_walk_steps(schedule, Ts, count) * B * m * (m + 1.0) / 2.0 +
                   3.0 * R * (double)count * m * m;
  cost->bytes += 8.0 * 2.0 * m * m;
  return RC_SUCCESS;
}
