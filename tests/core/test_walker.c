/* tests/core/test_walker.c -- the schedule walker (src/core/walker.h) against a step-by-step
 * replay: every run has one step size, never crosses a stage end, a phase boundary or a
 * requested horizon; passes and records come in the documented order; max_run, progress,
 * cancellation and callback errors; rc_walk_together serves each pass the same runs as
 * rc_walk. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/walker.h"
#include "rc_test.h"

#define LOG_MAX 100000

/* A model that replays every run step by step and logs what it saw. */
typedef struct {
  const rc_schedule *s;
  const uint64_t *Ns;
  size_t count;
  uint64_t max_run;
  uint64_t horizon, t; /* current pass and position */
  size_t passes, records, violations;
  uint64_t last_N;
  size_t recorded[64]; /* per index: times recorded */
  uint64_t at[64];     /* per index: position when recorded */
  int fail_at_record;  /* >= 0: record number that fails with RC_EINVAL */
  /* the runs, for comparison: (pass horizon, gamma, count) */
  size_t nlog;
  uint64_t log_h[LOG_MAX], log_n[LOG_MAX];
  double log_g[LOG_MAX];
} replay;

static int r_start(void *ctx, uint64_t horizon, rc_error *err) {
  (void)err;
  replay *r = ctx;
  r->horizon = horizon;
  r->t = 0;
  r->passes++;
  return RC_SUCCESS;
}

static int r_advance(void *ctx, double g, uint64_t n, const rc_walk_pos *pos, rc_error *err) {
  (void)err;
  replay *r = ctx;
  const rc_schedule *s = r->s;
  if (pos->t != r->t || pos->horizon != r->horizon || n == 0 || (r->max_run && n > r->max_run) ||
      pos->phase != rc_schedule_phase(s, pos->t, pos->horizon))
    r->violations++;
  for (uint64_t u = pos->t; u < pos->t + n; u++) {
    if (u >= r->horizon || rc_schedule_gamma(s, u, r->horizon) != g ||
        rc_schedule_phase(s, u, r->horizon) != pos->phase)
      r->violations++;
  }
  /* a run may end only where the step, the phase or a requested horizon changes, or at
   * max_run */
  const uint64_t end = pos->t + n;
  if (end < r->horizon && rc_schedule_gamma(s, end, r->horizon) == g &&
      rc_schedule_phase(s, end, r->horizon) == pos->phase && !(r->max_run && n == r->max_run)) {
    int at_horizon = 0;
    for (size_t k = 0; k < r->count; k++)
      at_horizon |= r->Ns[k] == end;
    if (!at_horizon)
      r->violations++;
  }
  if (r->nlog < LOG_MAX) {
    r->log_h[r->nlog] = r->horizon;
    r->log_n[r->nlog] = n;
    r->log_g[r->nlog++] = g;
  }
  r->t = end;
  return RC_SUCCESS;
}

static int r_record(void *ctx, uint64_t N, size_t index, rc_error *err) {
  replay *r = ctx;
  if ((int)r->records == r->fail_at_record)
    return rc_error_set(err, RC_EINVAL, "record %zu refused", r->records);
  r->records++;
  if (index >= r->count || r->Ns[index] != N || N < r->last_N || r->t != N)
    r->violations++;
  if (index < 64) {
    r->recorded[index]++;
    r->at[index] = r->t;
  }
  r->last_N = rc_schedule_horizon_dependent(r->s) ? 0 : N;
  return RC_SUCCESS;
}

static const rc_walk_callbacks replay_cb = {r_start, r_advance, r_record};

static replay *replay_new(const rc_schedule *s, const uint64_t *Ns, size_t count,
                          uint64_t max_run) {
  replay *r = calloc(1, sizeof *r);
  r->s = s;
  r->Ns = Ns;
  r->count = count;
  r->max_run = max_run;
  r->fail_at_record = -1;
  return r;
}

/* Distinct values of Ns. */
static size_t distinct(const uint64_t *Ns, size_t count) {
  size_t H = 0;
  for (size_t k = 0; k < count; k++) {
    int seen = 0;
    for (size_t q = 0; q < k; q++)
      seen |= Ns[q] == Ns[k];
    H += !seen;
  }
  return H;
}

static void check_walk(const char *spec, const uint64_t *Ns, size_t count, uint64_t max_run) {
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse(spec, 0.3, &err);
  CHECK(s != NULL);
  if (!s)
    return;
  replay *r = replay_new(s, Ns, count, max_run);
  rc_walk_options o = {max_run, NULL, NULL};
  CHECK(rc_walk(s, Ns, count, &replay_cb, r, &o, &err) == RC_SUCCESS);
  CHECK(r->violations == 0);
  CHECK(r->records == count);
  for (size_t k = 0; k < count; k++)
    CHECK(r->recorded[k] == 1 && r->at[k] == Ns[k]);
  const size_t want_passes = rc_schedule_horizon_dependent(s) ? distinct(Ns, count) : 1;
  CHECK(r->passes == want_passes);
  if (r->violations || r->passes != want_passes)
    printf("    %s: %zu violations, %zu passes (expected %zu)\n", spec, r->violations, r->passes,
           want_passes);
  free(r);
  rc_schedule_free(s);
}

static void test_runs_and_records(void) {
  const uint64_t a[] = {37, 5, 200, 5, 1, 64};
  const uint64_t b[] = {1000};
  const char *specs[] = {"const",    "geometric",   "step:7:0.5", "poly:3:0.5",
                         "twophase", "twophase:13", "step:4:1",   "twophase:5000"};
  for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
    check_walk(specs[k], a, 6, 0);
    check_walk(specs[k], b, 1, 0);
    check_walk(specs[k], a, 6, 9); /* cut at 9 steps */
  }
}

/* rc_walk_steps: max N, or the sum of the distinct N for horizon-dependent schedules. */
static void test_steps(void) {
  const uint64_t Ns[] = {10, 30, 10, 20};
  rc_schedule *c = rc_schedule_parse("const", 1, NULL),
              *g = rc_schedule_parse("geometric", 1, NULL);
  CHECK(rc_walk_steps(c, Ns, 4) == 30.0);
  CHECK(rc_walk_steps(g, Ns, 4) == 60.0);
  rc_schedule_free(c);
  rc_schedule_free(g);
}

/* Progress reaches 1 and is monotone; a non-zero return cancels with RC_ECANCEL. */
typedef struct {
  double last;
  int calls, stop_at, monotone;
} progress_log;

static int on_progress(void *ctx, double f) {
  progress_log *p = ctx;
  p->monotone &= f >= p->last && f <= 1.0;
  p->last = f;
  return ++p->calls == p->stop_at;
}

static void test_progress_cancel_errors(void) {
  const uint64_t Ns[] = {100, 50};
  rc_schedule *s = rc_schedule_parse("geometric", 0.2, NULL);
  replay *r = replay_new(s, Ns, 2, 0);
  progress_log p = {0, 0, -1, 1};
  rc_walk_options o = {3, on_progress, &p};
  rc_error err = {0, ""};
  CHECK(rc_walk(s, Ns, 2, &replay_cb, r, &o, &err) == RC_SUCCESS);
  CHECK(p.monotone && p.last == 1.0 && p.calls > 10);
  free(r);
  r = replay_new(s, Ns, 2, 0);
  progress_log q = {0, 0, 5, 1};
  o.progress_context = &q;
  CHECK(rc_walk(s, Ns, 2, &replay_cb, r, &o, &err) == RC_ECANCEL);
  CHECK(q.calls == 5 && r->records == 0);
  free(r);
  /* a failing callback stops the walk with its status and message */
  r = replay_new(s, Ns, 2, 0);
  r->fail_at_record = 1;
  CHECK(rc_walk(s, Ns, 2, &replay_cb, r, NULL, &err) == RC_EINVAL);
  CHECK(strcmp(err.message, "record 1 refused") == 0);
  free(r);
  /* bad arguments */
  rc_walk_callbacks none = {NULL, NULL, NULL};
  CHECK(rc_walk(s, Ns, 2, &none, NULL, NULL, &err) == RC_EINVAL);
  const uint64_t zero[] = {0};
  r = replay_new(s, zero, 1, 0);
  CHECK(rc_walk(s, zero, 1, &replay_cb, r, NULL, &err) == RC_EINVAL);
  CHECK(rc_walk(s, Ns, 0, &replay_cb, r, NULL, &err) == RC_EINVAL);
  free(r);
  rc_schedule_free(s);
}

/* rc_walk_together: per pass, the concatenation of its runs equals the runs rc_walk makes,
 * every round groups passes of one step size, and records carry the right pass. */
typedef struct {
  const rc_schedule *s;
  uint64_t hN[16], pos[16];
  size_t H, bad, records;
  /* per pass: runs as (gamma, count) */
  size_t nrun[16];
  double run_g[16][256];
  uint64_t run_n[16][256];
} together_log;

static int t_start(void *ctx, size_t pass, uint64_t horizon, rc_error *err) {
  (void)err;
  together_log *l = ctx;
  l->hN[pass] = horizon;
  l->pos[pass] = 0;
  l->H = pass + 1 > l->H ? pass + 1 : l->H;
  return RC_SUCCESS;
}

static int t_group(void *ctx, double g, size_t n, const size_t *ids, const uint64_t *counts,
                   rc_error *err) {
  (void)err;
  together_log *l = ctx;
  for (size_t k = 0; k < n; k++) {
    const size_t h = ids[k];
    if ((k > 0 && ids[k] <= ids[k - 1]) || rc_schedule_gamma(l->s, l->pos[h], l->hN[h]) != g)
      l->bad++;
    if (l->nrun[h] < 256) {
      l->run_g[h][l->nrun[h]] = g;
      l->run_n[h][l->nrun[h]++] = counts[k];
    }
    l->pos[h] += counts[k];
  }
  return RC_SUCCESS;
}

static int t_record(void *ctx, size_t pass, uint64_t N, size_t index, rc_error *err) {
  (void)index;
  (void)err;
  together_log *l = ctx;
  l->records++;
  if (l->hN[pass] != N || l->pos[pass] != N)
    l->bad++;
  return RC_SUCCESS;
}

static void test_together(void) {
  const uint64_t Ns[] = {150, 37, 1000, 37, 8};
  const char *specs[] = {"geometric", "twophase", "twophase:20"};
  for (size_t c = 0; c < 3; c++) {
    rc_schedule *s = rc_schedule_parse(specs[c], 0.4, NULL);
    together_log *l = calloc(1, sizeof *l);
    l->s = s;
    const rc_walk_group_callbacks cb = {t_start, t_group, t_record};
    rc_error err = {0, ""};
    CHECK(rc_walk_together(s, Ns, 5, &cb, l, NULL, &err) == RC_SUCCESS);
    CHECK(l->bad == 0 && l->records == 5 && l->H == 4);
    /* the same runs as rc_walk, pass by pass */
    replay *r = replay_new(s, Ns, 5, 0);
    CHECK(rc_walk(s, Ns, 5, &replay_cb, r, NULL, &err) == RC_SUCCESS);
    size_t i = 0, mismatches = 0;
    for (size_t h = 0; h < l->H; h++)
      for (size_t k = 0; k < l->nrun[h]; k++, i++)
        mismatches += i >= r->nlog || r->log_h[i] != l->hN[h] || r->log_g[i] != l->run_g[h][k] ||
                      r->log_n[i] != l->run_n[h][k];
    CHECK(mismatches == 0 && i == r->nlog);
    free(r);
    free(l);
    rc_schedule_free(s);
  }
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_runs_and_records);
  RUN_TEST(test_steps);
  RUN_TEST(test_progress_cancel_errors);
  RUN_TEST(test_together);
  TEST_MAIN_END("test_walker");
}
