/* `riskcalc linear --method mc`: one-pass SGD on sketched linear regression simulated run by
 * run (riskcalc/mc.h), and the Monte Carlo options shared with `riskcalc compare linear`. */
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

#define MAX_INTEGER ((uint64_t)1 << 53)

static const char *const mc_only_options[] = {"runs", "mc-mode", "resketch"};

static int option_index(const cli_args *args, const char *name) {
  for (size_t i = 0; i < args->count; i++)
    if (strcmp(args->options[i].name, name) == 0)
      return (int)i;
  return -1;
}

int linear_mc_args(const cli_args *args, const char *method, cli_args *problem_args) {
  *problem_args = *args;
  if (strcmp(method, "mc") != 0) {
    for (size_t k = 0; k < sizeof mc_only_options / sizeof mc_only_options[0]; k++)
      if (option_index(args, mc_only_options[k]) >= 0 && cli_has(args, mc_only_options[k])) {
        cli_error("--%s belongs to the Monte Carlo method: use it with --method mc",
                  mc_only_options[k]);
        return CLI_EXIT_BAD;
      }
    return 0;
  }
  if (cli_has(args, "resketch") && cli_has(args, "sketch")) {
    cli_error("--resketch draws a new sketch for every run: it cannot be combined with --sketch");
    return CLI_EXIT_BAD;
  }
  /* With --sketch FILE the seed still drives the runs: keep it away from the problem setup,
   * which reads --seed as the seed of a drawn sketch only. */
  if (cli_has(args, "sketch") && cli_has(args, "seed"))
    problem_args->value[option_index(args, "seed")] = NULL;
  return 0;
}

int linear_mc_options(linear_problem *p, rc_mc_options *o) {
  const cli_args *args = p->args;
  rc_error err = {0, ""};
  *o = rc_mc_options_default();
  uint64_t runs, seed;
  if (cli_get_uint(args, "runs", 2, (uint64_t)1 << 40, 100, &runs) ||
      cli_get_uint(args, "seed", 0, MAX_INTEGER, 1, &seed))
    return CLI_EXIT_BAD;
  if (cli_has(args, "mc-mode") && rc_mc_mode_parse(cli_get(args, "mc-mode"), &o->mode, &err)) {
    cli_error("--mc-mode: %s", err.message);
    return CLI_EXIT_BAD;
  }
  o->runs = (size_t)runs;
  o->seed = seed;
  o->resketch = cli_has(args, "resketch");
  o->batch = p->batch;
  o->sigma2 = p->sigma2;
  o->threads = 0; /* OpenMP's default; the output does not depend on it */
  if (o->mode == RC_MC_RAW)
    cli_meta_add(&p->meta, "mc mode",
                 "raw: every step draws x ~ N(0, H) in d dimensions, y = <x, w*> + xi, z = S x; "
                 "the risk of v is evaluated exactly from v, w*, S and H");
  else
    cli_meta_add(&p->meta, "mc mode",
                 "reduced: in the eigenbasis of G = S H S^T, z ~ N(0, diag(mu)) and residual "
                 "noise of variance sigma2 + Approx(S, w*) for each run's own w*; the risk is "
                 "evaluated exactly");
  cli_meta_add(&p->meta, "runs", "%zu independent runs, each drawing w* from the prior", o->runs);
  cli_meta_add(&p->meta, "mc seed",
               "%llu: run r uses gsl_rng_mt19937 seeded with rc_mc_run_seed(%llu, r); the output "
               "is the same for any number of threads",
               (unsigned long long)seed, (unsigned long long)seed);
  /* Every simulated sample costs about M updates in reduced mode and (M + 1) d in raw mode
   * (drawing x, then S x): refuse what cannot finish instead of running for years. */
  const double per_M = o->mode == RC_MC_RAW ? (double)p->spectrum->d * 1.5 : 2.0;
  if (linear_check_work(p, (double)o->runs, per_M, "--N, --runs, --M or --batch"))
    return CLI_EXIT_BAD;
  if (o->resketch)
    cli_meta_add(&p->meta, "resketch",
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
  rc_mc_plan *plan = rc_mc_plan_alloc(p->spectrum, p->prior, sketch, M, o, &err);
  if (!plan) {
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  progress_slice slice = {bar, done, share};
  rc_mc_options opt = *o;
  opt.progress = bar ? slice_update : NULL;
  opt.progress_context = &slice;
  int rc = rc_mc_plan_run(plan, p->schedule, p->Ns, p->nN, &opt, rows, NULL, &err);
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

static int plot_mc_table(const linear_problem *p, const double *data, size_t nrows,
                         const char *title) {
  if (p->nM > 1 && p->nN > 1)
    return cli_plot_heatmap(p->plot, title, 1, 2, 3, "N (SGD steps)", "M (model size)",
                            "mean simulated risk", &p->meta, mc_columns, N_MC_COLUMNS, data, nrows);
  cli_plot_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.title = title;
  spec.xcol = p->nN > 1 || p->nM == 1 ? 1 : 2;
  spec.xlabel = spec.xcol == 1 ? "N (SGD steps)" : "M (model size)";
  spec.ylabel = "risk";
  spec.ycol[0] = 3;
  spec.errcol[0] = 4;
  spec.label[0] = "simulated risk (mean +- standard error)";
  spec.ncurves = 1;
  if (p->sigma2 > 0) {
    spec.ycol[1] = 0;
    spec.yconst[1] = p->sigma2;
    spec.label[1] = "noise sigma^2";
    spec.ncurves = 2;
  }
  return cli_plot_lines(p->plot, &spec, &p->meta, mc_columns, N_MC_COLUMNS, data, nrows);
}

int linear_mc_run(linear_problem *p) {
  rc_mc_options o;
  if (linear_mc_options(p, &o))
    return CLI_EXIT_BAD;
  cli_meta_add(&p->meta, "method",
               "mc: Monte Carlo simulation of one-pass SGD; risk is the mean over the runs and "
               "risk_se its standard error (sample standard deviation / sqrt(runs))");
  const size_t nrows = p->nM * p->nN;
  double *data = malloc(nrows * N_MC_COLUMNS * sizeof *data);
  rc_mc_risk *rows = malloc(p->nN * sizeof *rows);
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
    for (size_t n = 0; n < p->nN; n++) {
      double *row = data + (m * p->nN + n) * N_MC_COLUMNS;
      row[0] = (double)rows[n].N;
      row[1] = rows[n].M;
      row[2] = rows[n].mean;
      row[3] = rows[n].se;
      row[4] = (double)rows[n].runs;
    }
  }
  cli_progress_done(&bar);
  /* Output opened first, figure drawn before the table: a failure leaves no partial output. */
  cli_output out;
  if (cli_output_open(&out, p->output))
    goto done;
  if (p->plot &&
      plot_mc_table(p, data, nrows, "sketched linear regression, one-pass SGD (Monte Carlo)")) {
    cli_output_abort(&out);
    goto done;
  }
  cli_table_write(out.f, p->format, &p->meta, mc_columns, N_MC_COLUMNS, data, nrows);
  status = cli_output_commit(&out);
done:
  free(data);
  free(rows);
  return status;
}
