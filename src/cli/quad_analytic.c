/* `riskcalc quad --method analytic`: the three-moment recursion with its Pearson III closure
 * (docs/QUAD.md sections 3 and 4), as a risk table or, with --phases, the trajectory of every
 * coordinate (the picture of the two phases). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quad_problem.h"

static const char *const risk_columns[] = {"T",        "M",      "approx", "bias",
                                           "variance", "excess", "risk",   "active"};
#define N_RISK_COLUMNS 8

static void describe_method(quad_problem *p, const rc_quad_analytic_options *o) {
  cli_meta_add(&p->base.meta, "method",
               "analytic: the mean, variance and third central moment of every theta_i, "
               "advanced by the exact conditional moments of one SGD step (coordinates coupled "
               "through the mean risk), closed by a Pearson type III law; long constant-step "
               "runs in Richardson-extrapolated blocks (relative tolerance %g per block); "
               "docs/QUAD.md sections 3-4",
               o->tol);
  cli_meta_add(&p->base.meta, "domain",
               "the closure holds while every coordinate's sd(theta_i) / max(E theta_i, w*_i) "
               "<= %g; beyond (eta too large: multiplicative noise rivals the drift) the run "
               "stops with exit status 2: use --method mc there",
               o->domain_limit);
}

/* The analytic curve of p at model size M over every T into rows, progress through tick.
 * Writes the error (naming M and the regime, pointing to --method mc) into message and returns
 * CLI_EXIT_BAD, or 0. */
static int curve(const quad_problem *p, size_t M, cli_grid_tick *tick, rc_quad_row *rows,
                 char *message, size_t n) {
  rc_error err = {0, ""};
  rc_quad_problem *q = quad_problem_at_quiet(p, M, &err);
  int rc = q ? RC_SUCCESS : err.status;
  if (q) {
    rc_quad_analytic_options o = rc_quad_analytic_options_default();
    o.progress = cli_grid_report;
    o.progress_context = tick;
    rc = rc_quad_analytic_curve(q, p->base.schedule, p->base.Ns, p->base.nN, &o, rows, NULL, &err);
    rc_quad_problem_free(q);
  }
  if (rc) {
    snprintf(message, n, "M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* The error of one model size's curve, printed after the region. */
typedef struct {
  char message[RC_ERROR_MESSAGE_SIZE + 64];
} quad_cell;

int quad_analytic_run(quad_problem *p) {
  cli_problem *b = &p->base;
  if (quad_check_analytic(p, 1.0, "--T or --M"))
    return CLI_EXIT_BAD;
  const rc_quad_analytic_options o = rc_quad_analytic_options_default();
  describe_method(p, &o);
  cli_meta_add(&b->meta, "columns",
               "approx, bias, variance, excess, risk as above; active = #{i <= M : E theta_i >= "
               "w*_i / 2} (the coordinates the adaptation phase has picked up)");
  const size_t nrows = p->nM * b->nN;
  double *data = malloc(nrows * N_RISK_COLUMNS * sizeof *data);
  quad_cell *cells = calloc(p->nM, sizeof *cells);
  int status = CLI_EXIT_BAD;
  if (!data || !cells) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, "quad analytic");
  /* The model sizes are independent curves (O(M) memory each; the sketched variant is Monte
   * Carlo only): on OpenMP threads, each writing its own rows, the same bytes for any thread
   * count. */
  cli_grid g;
  cli_grid_init(&g, &bar, p->nM);
#pragma omp parallel num_threads(cli_grid_threads(p->nM))
  {
    rc_quad_row *rows = malloc(b->nN * sizeof *rows);
    cli_grid_tick tick;
    cli_grid_tick_init(&tick, &g);
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < p->nM; i++) {
      const size_t m = p->nM - 1 - i; /* last first: a list usually ends with its largest M */
      if (cli_grid_skip(&g, m))
        continue;
      tick.last = 0.0;
      if (!rows) {
        snprintf(cells[m].message, sizeof cells[m].message, "out of memory for %zu rows", b->nN);
        cli_grid_fail(&g, m);
        continue;
      }
      if (curve(p, (size_t)p->Ms[m], &tick, rows, cells[m].message, sizeof cells[m].message)) {
        cli_grid_fail(&g, m);
        continue;
      }
      for (size_t n = 0; n < b->nN; n++) {
        const rc_quad_row *r = &rows[n];
        double *row = data + (m * b->nN + n) * N_RISK_COLUMNS;
        row[0] = (double)r->T;
        row[1] = r->M;
        row[2] = r->approx;
        row[3] = r->bias;
        row[4] = r->variance;
        row[5] = r->excess;
        row[6] = r->risk;
        row[7] = r->active;
      }
      cli_grid_report(&tick, 1.0);
    }
    free(rows);
  }
  cli_progress_done(&bar);
  if (g.cancelled) {
    cli_error("cancelled");
    goto done;
  }
  if (g.fail_min < p->nM) {
    cli_error("%s", cells[g.fail_min].message);
    goto done;
  }
  cli_figure fig;
  quad_figure_risk(p, &fig);
  const cli_table t = {risk_columns, N_RISK_COLUMNS, NULL, data, nrows};
  status = cli_emit(&b->out, &b->meta, &t, &fig, NULL);
done:
  free(data);
  free(cells);
  return status;
}

/* ---- the two phases ---------------------------------------------------------------------- */

#define PHASE_TIMES 96  /* log-spaced times in [1, T] (fewer when T is small) */
#define PHASE_COORDS 96 /* coordinates shown: all up to this M, else log-spaced indices */

static const char *const phase_columns[] = {"t", "i", "theta", "wstar", "ratio", "front"};
#define N_PHASE_COLUMNS 6

/* Up to n distinct integers log-spaced over [lo, hi] (both included), increasing. Returns how
 * many. */
static size_t log_grid(uint64_t lo, uint64_t hi, size_t n, uint64_t *out) {
  size_t k = 0;
  for (size_t j = 0; j < n; j++) {
    const double x = n > 1 ? (double)j / (double)(n - 1) : 1.0;
    uint64_t v = (uint64_t)llround(exp(log((double)lo) + x * (log((double)hi) - log((double)lo))));
    v = v < lo ? lo : v > hi ? hi : v;
    if (k == 0 || v > out[k - 1])
      out[k++] = v;
  }
  return k;
}

/* The noise-free activation front at each time: #{i : s(t) >= a_i}, with s(t) the schedule's
 * cumulative step over the first t steps of horizon T and a_i coordinate i's activation time
 * at unit step (the logistic Phase I in the variable s). */
static void front(const rc_quad_problem *q, const rc_schedule *s, uint64_t T, const uint64_t *times,
                  size_t nt, double *out) {
  double cum = 0;
  uint64_t t = 0;
  for (size_t k = 0; k < nt; k++) {
    while (t < times[k]) {
      uint64_t end = rc_schedule_stage_end(s, t, T);
      end = end > times[k] ? times[k] : end;
      cum += rc_schedule_gamma(s, t, T) * (double)(end - t);
      t = end;
    }
    double D = 0;
    for (size_t i = 0; i < q->M; i++)
      D += rc_quad_activation_time(q, i, 1.0) <= cum;
    out[k] = D;
  }
}

void quad_phases_shape(const quad_problem *p, uint64_t *T, size_t *times, size_t *coords) {
  uint64_t t[PHASE_TIMES], c[PHASE_COORDS];
  *T = 0;
  for (size_t n = 0; n < p->base.nN; n++)
    *T = p->base.Ns[n] > *T ? p->base.Ns[n] : *T;
  *times = log_grid(1, *T, PHASE_TIMES, t);
  *coords = log_grid(1, p->Ms[0], PHASE_COORDS, c);
}

int quad_phases_run(quad_problem *p) {
  cli_problem *b = &p->base;
  const size_t M = (size_t)p->Ms[0];
  uint64_t T = 0;
  for (size_t n = 0; n < b->nN; n++)
    T = b->Ns[n] > T ? b->Ns[n] : T;
  rc_error err = {0, ""};
  rc_cost cost;
  if (rc_quad_analytic_cost(M, b->schedule, &T, 1, &cost, &err)) {
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  if (cli_check_work(cost.updates + (double)T, "--T or --M"))
    return CLI_EXIT_BAD;
  uint64_t times[PHASE_TIMES], coords[PHASE_COORDS];
  const size_t nt = log_grid(1, T, PHASE_TIMES, times);
  const size_t nc = log_grid(1, M, PHASE_COORDS, coords);
  rc_quad_problem *q = quad_problem_at(p, M);
  double *theta = malloc(nt * M * sizeof *theta);
  double *data = malloc(nt * nc * N_PHASE_COLUMNS * sizeof *data);
  double fr[PHASE_TIMES];
  int status = CLI_EXIT_BAD;
  if (!q || !theta || !data) {
    if (q)
      cli_error("out of memory for %zu times x %zu coordinates", nt, M);
    goto done;
  }
  const rc_quad_analytic_options o = rc_quad_analytic_options_default();
  describe_method(p, &o);
  if (rc_quad_analytic_trajectory(q, b->schedule, T, times, nt, &o, theta, NULL, NULL, &err)) {
    cli_error("M = %zu: %s", M, err.message);
    goto done;
  }
  front(q, b->schedule, T, times, nt, fr);
  cli_meta_add(&b->meta, "phases",
               "the run of horizon T = %llu at %zu log-spaced times t in [1, %llu]; coordinates "
               "%s (%zu shown)",
               (unsigned long long)T, nt, (unsigned long long)T,
               nc == M ? "i = 1..M, all" : "i log-spaced in 1..M", nc);
  cli_meta_add(&b->meta, "columns",
               "theta = E theta_i(t) (analytic); wstar = w*_i; ratio = theta / wstar (NaN when "
               "w*_i = 0); front = D(t), the noise-free activation front: #{i <= M : "
               "sum_{tau<t} eta_tau >= log(w*_i / theta_i(0) - 1) / (4 lambda_i w*_i)} (the "
               "logistic Phase I solution reaching w*_i / 2)");
  for (size_t c = 0; c < nc; c++) {
    const size_t i = (size_t)coords[c] - 1;
    for (size_t k = 0; k < nt; k++) {
      double *row = data + (c * nt + k) * N_PHASE_COLUMNS;
      const double th = theta[k * M + i], w = q->wstar[i];
      row[0] = (double)times[k];
      row[1] = (double)(i + 1);
      row[2] = th;
      row[3] = w;
      row[4] = w > 0 ? th / w : NAN;
      row[5] = fr[k];
    }
  }
  cli_figure fig;
  quad_figure_phases(p, &fig, T, nt, nc);
  const cli_table t = {phase_columns, N_PHASE_COLUMNS, NULL, data, nt * nc};
  status = cli_emit(&b->out, &b->meta, &t, &fig, NULL);
done:
  rc_quad_problem_free(q);
  free(theta);
  free(data);
  return status;
}
