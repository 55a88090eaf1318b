/* `riskcalc linear --method mc`: one-pass SGD on sketched linear regression simulated run by
 * run (riskcalc/mc.h), and the Monte Carlo options shared with `riskcalc compare linear`. */
#include <math.h>
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
    {"generator", "GEN",
     "Monte Carlo: the runs' random streams, philox (default: counter-based Philox4x32-10 "
     "streams of (seed, run) with a ziggurat, vectorised) or mt19937 (gsl_rng_mt19937 + "
     "gsl_ran_gaussian_ziggurat, the outputs of riskcalc 0.1)",
     CLI_ROLE_NONE},
    {"per-run", "FILE",
     "--method mc: also write every run's risk at every N to FILE (TSV: N M run risk gamma "
     "batch sigma2), for quantiles and histograms",
     CLI_ROLE_NONE},
    {"band", NULL,
     "--method mc: add the columns risk_q10 risk_q90 (10% and 90% quantiles of the runs' "
     "risks) and draw them as a band",
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
  if (!method) /* compare: the options after the first four (--per-run, --band) are mc's own */
    for (size_t k = 4; k < LINEAR_MC_NOPTIONS; k++)
      if (cli_has(args, linear_mc_options[k].name)) {
        cli_error("--%s belongs to riskcalc linear --method mc (compare writes the means it "
                  "compares)",
                  linear_mc_options[k].name);
        return CLI_EXIT_BAD;
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
  if (cli_has(args, "generator") &&
      rc_mc_generator_parse(cli_get(args, "generator"), &o->generator, &err)) {
    cli_error("--generator: %s", err.message);
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
  if (check_option("runs", &runs_alone))
    return CLI_EXIT_BAD;
  for (size_t k = 0; k < b->nbatch; k++) {
    batch_alone.batch = b->batches[k];
    if (check_option(cli_role_name(args, CLI_ROLE_BATCH), &batch_alone))
      return CLI_EXIT_BAD;
  }
  if (check_option("runs, --mc-mode, --batch, --sigma2", o) || linear_check_mc(p, o))
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
  cli_meta_param_number(&b->meta, "runs", (double)o->runs);
  cli_meta_param_string(&b->meta, "mc-mode", rc_mc_mode_name(o->mode));
  cli_meta_param_number(&b->meta, "resketch", o->resketch);
  cli_meta_param_string(&b->meta, "generator", rc_mc_generator_name(o->generator));
  if (o->generator == RC_MC_GENERATOR_PHILOX)
    cli_meta_add(&b->meta, "mc seed",
                 "%llu: run r draws from the Philox4x32-10 stream of (%llu, r) through a "
                 "256-layer ziggurat (--generator philox, docs/mc.md); the output is the same for "
                 "any number of threads",
                 (unsigned long long)o->seed, (unsigned long long)o->seed);
  else
    cli_meta_add(&b->meta, "mc seed",
                 "%llu: run r uses gsl_rng_mt19937 seeded with rc_mc_run_seed(%llu, r) "
                 "(--generator mt19937); the output is the same for any number of threads",
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
                       const rc_sketch *sketch, rc_mc_risk *rows, double *run_risks,
                       cli_progress *bar, double done, double share) {
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
  int rc = rc_mc_plan_run(plan, b->schedule, b->Ns, b->nN, &opt, rows, run_risks, &err);
  rc_mc_plan_free(plan);
  if (rc) {
    if (bar)
      cli_progress_done(bar);
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* The columns: the contract's first five, then (appended, issue 10) the parts with their
 * standard errors, then with --band the quantiles. */
static const char *const mc_columns[] = {"N",           "M",         "risk",  "risk_se", "runs",
                                         "approx",      "approx_se", "bias",  "bias_se", "variance",
                                         "variance_se", "gamma",     "batch", "sigma2"};
static const char *const mc_band_columns[] = {
    "N",       "M",        "risk",        "risk_se",  "runs",     "approx", "approx_se", "bias",
    "bias_se", "variance", "variance_se", "risk_q10", "risk_q90", "gamma",  "batch",     "sigma2"};
#define N_MC_COLUMNS 11
#define N_MC_BAND_COLUMNS 13
static const char *const per_run_columns[] = {"N", "M", "run", "risk", "gamma", "batch", "sigma2"};
#define N_PER_RUN_COLUMNS 7

void linear_mc_figure(const linear_problem *p, cli_figure *fig) {
  linear_figure(p, fig, CLI_FIGURE_RESULT, "sketched linear regression, one-pass SGD (Monte Carlo)",
                "risk and its parts", cli_has(p->args, "band") ? N_MC_BAND_COLUMNS : N_MC_COLUMNS);
  cli_quantity *risk = cli_figure_quantity(fig, "risk", "risk (mean ± 2 se)", 3, 4);
  cli_figure_quantity(fig, "approx", "approximation", 6, 7);
  cli_figure_quantity(fig, "bias", "bias (noise-free path)", 8, 9);
  cli_figure_quantity(fig, "variance", "variance (noisy - noise-free path)", 10, 11);
  if (cli_has(p->args, "band")) {
    risk->lo_col = 12;
    risk->hi_col = 13;
    risk->band_label = "risk: 10% to 90% of runs";
  }
  fig->default_y = "risk,approx,bias,variance";
  char runs[64];
  snprintf(runs, sizeof runs, "%s runs",
           cli_has(p->args, "runs") ? cli_get(p->args, "runs") : "100");
  cli_figure_caption_add(fig, "%s", runs);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The q-quantile of v[0..n-1] (sorted in place): linear interpolation between order
 * statistics at position q (n - 1), the usual definition (numpy's default). */
static double quantile(double *v, size_t n, double q) {
  qsort(v, n, sizeof *v, cmp_double);
  const double pos = q * (double)(n - 1);
  const size_t i = (size_t)floor(pos);
  return i + 1 < n ? v[i] + (pos - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

int linear_mc_run(linear_problem *p) {
  cli_problem *b = &p->base;
  rc_mc_options o;
  if (linear_mc_setup(p, &o))
    return CLI_EXIT_BAD;
  const int band = cli_has(p->args, "band"), per_run = cli_has(p->args, "per-run");
  const size_t nmc = band ? N_MC_BAND_COLUMNS : N_MC_COLUMNS, ncols = nmc + LINEAR_SWEEP_COLUMNS;
  const size_t ncombo = cli_problem_sweep_count(b), nblocks = p->nM * ncombo;
  cli_meta_add(&b->meta, "method",
               "mc: Monte Carlo simulation of one-pass SGD; risk is the mean over the runs and "
               "risk_se its standard error (sample standard deviation / sqrt(runs))");
  cli_meta_add(&b->meta, "parts",
               "every run also follows the noise-free path from the same start on the same "
               "samples: approx is Approx(S, w*) of each run, bias the G-norm of the noise-free "
               "error, variance that of the difference of the two paths (the cross term has mean "
               "zero), each with its standard error");
  if (band)
    cli_meta_add(&b->meta, "band",
                 "risk_q10, risk_q90: the 10%% and 90%% quantiles of the runs' risks (linear "
                 "interpolation between order statistics)");
  const size_t nrows = nblocks * b->nN;
  double *data = malloc(nrows * ncols * sizeof *data);
  rc_mc_risk *rows = malloc(b->nN * sizeof *rows);
  double *runs = band || per_run ? malloc(o.runs * b->nN * sizeof *runs) : NULL;
  double *column = band ? malloc(o.runs * sizeof *column) : NULL;
  double *per = per_run ? malloc(nblocks * o.runs * b->nN * N_PER_RUN_COLUMNS * sizeof *per) : NULL;
  int status = CLI_EXIT_BAD;
  if (!data || !rows || ((band || per_run) && !runs) || (band && !column) || (per_run && !per)) {
    cli_error("out of memory for %zu rows%s", nrows, per_run ? " and the per-run table" : "");
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, o.mode == RC_MC_RAW ? "linear mc raw" : "linear mc reduced");
  for (size_t m = 0; m < p->nM; m++) {
    const size_t M = (size_t)p->Ms[m];
    rc_sketch *sketch = NULL;
    if (!o.resketch && !(sketch = linear_problem_sketch(p, M)))
      goto done;
    for (size_t c = 0; c < ncombo; c++) {
      const size_t block = m * ncombo + c;
      cli_problem_sweep_set(b, c);
      o.batch = b->batch;
      o.sigma2 = b->sigma2;
      if (linear_mc_simulate(p, &o, M, sketch, rows, runs, &bar, (double)block / (double)nblocks,
                             1.0 / (double)nblocks)) {
        rc_sketch_free(sketch);
        goto done;
      }
      for (size_t n = 0; n < b->nN; n++) {
        const rc_mc_risk *r = &rows[n];
        double *row = data + linear_row(p, m, c, n) * ncols;
        const double v[N_MC_COLUMNS] = {(double)r->N,    r->M,        r->mean,       r->se,
                                        (double)r->runs, r->approx,   r->approx_se,  r->bias,
                                        r->bias_se,      r->variance, r->variance_se};
        memcpy(row, v, sizeof v);
        if (band) {
          for (size_t k = 0; k < o.runs; k++)
            column[k] = runs[k * b->nN + n];
          row[11] = quantile(column, o.runs, 0.1);
          row[12] = quantile(column, o.runs, 0.9);
        }
        linear_sweep_cells(p, b->gamma, row + nmc);
        for (size_t k = 0; per_run && k < o.runs; k++) {
          double *pr = per + ((block * o.runs + k) * b->nN + n) * N_PER_RUN_COLUMNS;
          pr[0] = (double)r->N;
          pr[1] = r->M;
          pr[2] = (double)k;
          pr[3] = runs[k * b->nN + n];
          linear_sweep_cells(p, b->gamma, pr + 4);
        }
      }
    }
    rc_sketch_free(sketch);
  }
  cli_progress_done(&bar);
  cli_figure fig;
  linear_mc_figure(p, &fig);
  const cli_table t = {band ? mc_band_columns : mc_columns, ncols, NULL, data, nrows};
  const cli_table pr = {per_run_columns, N_PER_RUN_COLUMNS, NULL, per, nblocks * o.runs * b->nN};
  cli_emission e;
  memset(&e, 0, sizeof e);
  e.meta = &b->meta;
  e.table = &t;
  e.figure = &fig;
  e.side[0] = per_run ? &pr : NULL;
  status = cli_emit_all(&b->out, &e);
done:
  free(data);
  free(rows);
  free(runs);
  free(column);
  free(per);
  return status;
}
