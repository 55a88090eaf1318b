/* `riskcalc linear --method mc`: one-pass SGD on sketched linear regression simulated run by
 * run (riskcalc/mc.h), and the Monte Carlo options shared with `riskcalc compare linear`. */
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

const cli_option linear_mc_options[] = {
    {"runs", "R", "Monte Carlo: number of independent runs, >= 2 (default 100)", CLI_ROLE_NONE},
    {"mc-mode", "MODE",
     "Monte Carlo: raw (x ~ N(0, H) in d dimensions, z = S x, O(B M d) per step) or reduced "
     "(default: the exact shortcut in the eigenbasis of G, O(B M) per step)",
     CLI_ROLE_NONE},
    {"resketch", NULL,
     "Monte Carlo: every run draws its own sketch (from its own stream) instead of the fixed "
     "--seed/--sketch one",
     CLI_ROLE_NONE},
};

int linear_mc_check_args(const cli_args *args, const char *method) {
  if (method && strcmp(method, "mc") != 0) {
    for (size_t k = 0; k < LINEAR_MC_NOPTIONS; k++)
      if (cli_has(args, linear_mc_options[k].name)) {
        cli_error("--%s belongs to the Monte Carlo method: use it with --method mc",
                  linear_mc_options[k].name);
        return CLI_EXIT_BAD;
      }
    return 0;
  }
  if (cli_has(args, "resketch") && cli_has(args, "sketch")) {
    cli_error("--resketch draws a new sketch for every run: it cannot be combined with --sketch");
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* The library decides which values are valid (rc_mc_options_check); each option is checked
 * alone so that the message names it. */
static int check_option(const char *name, const rc_mc_options *alone) {
  rc_error err = {0, ""};
  if (rc_mc_options_check(alone, &err)) {
    cli_error("--%s: %s", name, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

int linear_mc_setup(linear_problem *p, rc_mc_options *o) {
  const cli_args *args = p->args;
  cli_problem *b = &p->base;
  rc_error err = {0, ""};
  *o = rc_mc_options_default();
  uint64_t runs;
  if (cli_get_uint(args, "runs", 0, (uint64_t)1 << 40, 100, &runs))
    return CLI_EXIT_BAD;
  if (cli_has(args, "mc-mode") && rc_mc_mode_parse(cli_get(args, "mc-mode"), &o->mode, &err)) {
    cli_error("--mc-mode: %s", err.message);
    return CLI_EXIT_BAD;
  }
  o->runs = (size_t)runs;
  o->seed = b->seed;
  o->resketch = cli_has(args, "resketch");
  o->batch = b->batch;
  o->sigma2 = b->sigma2;
  o->threads = 0; /* OpenMP's default; the output does not depend on it */
  rc_mc_options runs_alone = rc_mc_options_default(), batch_alone = runs_alone;
  runs_alone.runs = o->runs;
  batch_alone.batch = o->batch;
  if (check_option("runs", &runs_alone) ||
      check_option(cli_role_name(args, CLI_ROLE_BATCH), &batch_alone) ||
      check_option("runs, --mc-mode, --batch, --sigma2", o) || linear_check_mc(p, o))
    return CLI_EXIT_BAD;
  if (o->mode == RC_MC_RAW)
    cli_meta_add(&b->meta, "mc mode",
                 "raw: every step draws x ~ N(0, H) in d dimensions, y = <x, w*> + xi, z = S x; "
                 "the risk of v is evaluated exactly from v, w*, S and H");
  else
    cli_meta_add(&b->meta, "mc mode",
                 "reduced: in the eigenbasis of G = S H S^T, z ~ N(0, diag(mu)) and residual "
                 "noise of variance sigma2 + Approx(S, w*) for each run's own w*; the risk is "
                 "evaluated exactly");
  cli_meta_add(&b->meta, "runs", "%zu independent runs, each drawing w* from the prior", o->runs);
  cli_meta_add(&b->meta, "mc seed",
               "%llu: run r uses gsl_rng_mt19937 seeded with rc_mc_run_seed(%llu, r); the output "
               "is the same for any number of threads",
               (unsigned long long)o->seed, (unsigned long long)o->seed);
  if (o->resketch)
    cli_meta_add(&b->meta, "resketch",
                 "every run draws its own sketch S (iid N(0, 1/M)) first from its own stream; "
                 "the fixed sketch above is not used");
  return 0;
}

typedef struct {
  cli_progress *bar;
  double done, share;
} progress_slice;

static int slice_update(void *context, double fraction) {
  const progress_slice *s = context;
  return cli_progress_update(s->bar, s->done + s->share * fraction);
}

int linear_mc_simulate(const linear_problem *p, const rc_mc_options *o, size_t M,
                       const rc_sketch *sketch, rc_mc_risk *rows, cli_progress *bar, double done,
                       double share) {
  rc_error err = {0, ""};
  const cli_problem *b = &p->base;
  rc_mc_plan *plan = rc_mc_plan_alloc(b->spectrum, b->prior, sketch, M, o, &err);
  if (!plan) {
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  progress_slice slice = {bar, done, share};
  rc_mc_options opt = *o;
  opt.progress = bar ? slice_update : NULL;
  opt.progress_context = &slice;
  int rc = rc_mc_plan_run(plan, b->schedule, b->Ns, b->nN, &opt, rows, NULL, &err);
  rc_mc_plan_free(plan);
  if (rc) {
    if (bar)
      cli_progress_done(bar);
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

static const char *const mc_columns[] = {"N", "M", "risk", "risk_se", "runs"};
#define N_MC_COLUMNS 5

int linear_mc_run(linear_problem *p) {
  cli_problem *b = &p->base;
  rc_mc_options o;
  if (linear_mc_setup(p, &o))
    return CLI_EXIT_BAD;
  cli_meta_add(&b->meta, "method",
               "mc: Monte Carlo simulation of one-pass SGD; risk is the mean over the runs and "
               "risk_se its standard error (sample standard deviation / sqrt(runs))");
  const size_t nrows = p->nM * b->nN;
  double *data = malloc(nrows * N_MC_COLUMNS * sizeof *data);
  rc_mc_risk *rows = malloc(b->nN * sizeof *rows);
  int status = CLI_EXIT_BAD;
  if (!data || !rows) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, o.mode == RC_MC_RAW ? "linear mc raw" : "linear mc reduced");
  for (size_t m = 0; m < p->nM; m++) {
    const size_t M = (size_t)p->Ms[m];
    rc_sketch *sketch = NULL;
    if (!o.resketch && !(sketch = linear_problem_sketch(p, M)))
      goto done;
    int rc = linear_mc_simulate(p, &o, M, sketch, rows, &bar, (double)m / (double)p->nM,
                                1.0 / (double)p->nM);
    rc_sketch_free(sketch);
    if (rc)
      goto done;
    for (size_t n = 0; n < b->nN; n++) {
      double *row = data + (m * b->nN + n) * N_MC_COLUMNS;
      row[0] = (double)rows[n].N;
      row[1] = rows[n].M;
      row[2] = rows[n].mean;
      row[3] = rows[n].se;
      row[4] = (double)rows[n].runs;
    }
  }
  cli_progress_done(&bar);
  cli_figure fig;
  linear_figure(p, &fig, "sketched linear regression, one-pass SGD (Monte Carlo)", "risk", 3,
                "mean simulated risk");
  if (fig.kind == CLI_FIGURE_LINES) {
    linear_figure_curve(&fig, 3, 4, "simulated risk (mean +- standard error)");
    linear_figure_noise(p, &fig);
  }
  const cli_table t = {mc_columns, N_MC_COLUMNS, NULL, data, nrows};
  status = cli_emit(&b->out, &b->meta, &t, &fig, NULL);
done:
  free(data);
  free(rows);
  return status;
}
