/* riskcalc linear: risk curves of one-pass SGD on sketched linear regression. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

static const cli_option linear_options[] = {
    {"method", "NAME",
     "exact (default): the exact expected risk for one fixed sketch, by the "
     "eigenbasis second-moment recursion; mc: Monte Carlo simulation of SGD, "
     "the mean risk over --runs runs with its standard error; de: the "
     "sketch-averaged deterministic equivalent, d = inf allowed "
     "(docs/DETEQ.md); closed: the leading-order closed forms with N_eff, "
     "k*, D_eff and the pure rates (geometric schedule)"},
    LINEAR_PROBLEM_OPTIONS,
    LINEAR_MC_OPTIONS,
};
#define N_LINEAR_OPTIONS (sizeof linear_options / sizeof linear_options[0])

const char *const linear_risk_columns[LINEAR_RISK_COLUMNS] = {
    "N", "M", "approx", "bias", "variance", "excess", "risk"};

static void risk_row(const rc_risk *r, double *row) {
  row[0] = (double)r->N;
  row[1] = r->M;
  row[2] = r->approx;
  row[3] = r->bias;
  row[4] = r->variance;
  row[5] = r->excess;
  row[6] = r->risk;
}

int linear_measure_rows(const linear_problem *p, rc_sgd_measure *measure, size_t m,
                        cli_progress *progress, rc_risk *rows, double *data) {
  rc_error err = {0, ""};
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = p->batch;
  opt.sigma2 = p->sigma2;
  opt.progress = cli_progress_update;
  opt.progress_context = progress;
  int rc = rc_sgd_risk_curve(measure, p->schedule, p->Ns, p->nN, &opt, rows, &err);
  rc_sgd_measure_free(measure);
  if (rc) {
    cli_progress_done(progress);
    cli_error("M = %llu: %s", (unsigned long long)p->Ms[m], err.message);
    return CLI_EXIT_BAD;
  }
  for (size_t n = 0; n < p->nN; n++)
    risk_row(&rows[n], data + (m * p->nN + n) * LINEAR_RISK_COLUMNS);
  return 0;
}

/* Draws the figure of the table (heat map for a grid, curves otherwise). The first seven
 * columns are those of linear_risk_columns; methods may append more. */
static int plot_risk_table(const linear_problem *p, const char *const *columns, size_t ncols,
                           const double *data, size_t nrows, const char *title) {
  if (p->nM > 1 && p->nN > 1)
    return cli_plot_heatmap(p->plot, title, 1, 2, 7, "N (SGD steps)", "M (model size)", "risk",
                            &p->meta, columns, ncols, data, nrows);
  cli_plot_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.title = title;
  spec.xcol = p->nN > 1 || p->nM == 1 ? 1 : 2;
  spec.xlabel = spec.xcol == 1 ? "N (SGD steps)" : "M (model size)";
  spec.ylabel = "risk and its parts";
  const size_t cols[] = {7, 3, 4, 5};
  const char *labels[] = {"risk", "approximation", "bias", "variance"};
  for (size_t k = 0; k < 4; k++) {
    spec.ycol[spec.ncurves] = cols[k];
    spec.label[spec.ncurves++] = labels[k];
  }
  if (p->sigma2 > 0) {
    spec.ycol[spec.ncurves] = 0;
    spec.yconst[spec.ncurves] = p->sigma2;
    spec.label[spec.ncurves++] = "noise sigma^2";
  }
  return cli_plot_lines(p->plot, &spec, &p->meta, columns, ncols, data, nrows);
}

/* Writes the table and the figure for a grid of rows ordered M-major. The output file is
 * opened (its temporary created) first and committed last, and the figure is drawn before
 * the table is written, so a failing plot leaves neither a table file nor partial output on
 * standard output. */
int linear_risk_table(const linear_problem *p, const char *const *columns, size_t ncols,
                      const double *data, size_t nrows, const char *title) {
  cli_output out;
  if (cli_output_open(&out, p->output))
    return CLI_EXIT_BAD;
  if (p->plot && plot_risk_table(p, columns, ncols, data, nrows, title)) {
    cli_output_abort(&out);
    return CLI_EXIT_BAD;
  }
  cli_table_write(out.f, p->format, &p->meta, columns, ncols, data, nrows);
  return cli_output_commit(&out);
}

/* Steps are iterated one by one when no stage jump applies: under a poly schedule (the step
 * changes every step) or for more moving atoms than the jumps take (4096, sgd.h). */
static int check_iterated_work(const linear_problem *p) {
  int iterated = rc_schedule_get_kind(p->schedule) == RC_SCHEDULE_POLY;
  for (size_t m = 0; m < p->nM; m++)
    iterated |= p->Ms[m] > 4096;
  return iterated ? linear_check_work(p, 1.0, 3.0,
                                      "--N or --M, or use a piecewise-constant "
                                      "schedule (whole stages are then jumped)")
                  : 0;
}

static int run_exact(linear_problem *p) {
  if (check_iterated_work(p))
    return CLI_EXIT_BAD;
  const size_t nrows = p->nM * p->nN;
  double *data = malloc(nrows * LINEAR_RISK_COLUMNS * sizeof *data);
  rc_risk *rows = malloc(p->nN * sizeof *rows);
  int status = CLI_EXIT_BAD;
  if (!data || !rows) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_meta_add(&p->meta, "method",
               "exact: second-moment recursion in the eigenbasis of G = S H S^T for this sketch");
  cli_progress progress;
  cli_progress_init(&progress, "linear exact");
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_sketch *sketch = linear_problem_sketch(p, (size_t)p->Ms[m]);
    if (!sketch)
      goto done;
    rc_sgd_measure *measure = rc_sgd_measure_from_sketch(p->spectrum, p->prior, sketch, &err);
    rc_sketch_free(sketch);
    if (!measure) {
      cli_error("%s", err.message);
      goto done;
    }
    double g_stable = 0;
    if (rc_sgd_stable_gamma(measure, p->batch, &g_stable, &err)) {
      rc_sgd_measure_free(measure);
      cli_progress_done(&progress);
      cli_error("M = %llu: %s", (unsigned long long)p->Ms[m], err.message);
      goto done;
    }
    char key[32]; /* one key per M: JSON metadata must not repeat a key */
    snprintf(key, sizeof key, "G (M = %llu)", (unsigned long long)p->Ms[m]);
    cli_meta_add(&p->meta, key,
                 "rank %zu%s; largest mean-square stable constant step "
                 "%.6g (batch %zu); Approx = %.17g",
                 measure->rank,
                 measure->pseudo_inverse ? " (singular: v* uses the pseudo-inverse of G)" : "",
                 g_stable, p->batch, measure->approx);
    if (linear_measure_rows(p, measure, m, &progress, rows, data))
      goto done;
  }
  cli_progress_done(&progress);
  status = linear_risk_table(p, linear_risk_columns, LINEAR_RISK_COLUMNS, data, nrows,
                             "sketched linear regression, one-pass SGD (exact)");
done:
  free(data);
  free(rows);
  return status;
}

typedef struct {
  const char *name;
  int (*run)(linear_problem *p);
} linear_method;

static const linear_method linear_methods[] = {
    {"exact", run_exact},
    {"mc", linear_mc_run},
    {"de", linear_de_run},
    {"closed", linear_closed_run},
};

int cmd_linear(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(linear_options, N_LINEAR_OPTIONS, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc linear [--method exact|mc|de|closed] [--a A | --log-a A | "
        "--spectrum FILE] --d D|inf [--b B | --prior FILE] [--sketch FILE | --seed K] --M LIST --N "
        "LIST "
        "[--gamma G] [--batch B] [--schedule SPEC] [--sigma2 S] [--format tsv|csv|json] "
        "[--output FILE] [--plot FILE] [--runs R] [--mc-mode raw|reduced] [--resketch]",
        "Risk of one-pass SGD on sketched linear regression: for each (M, N) the "
        "columns\nN M approx bias variance excess risk, with excess = bias + variance "
        "and\nrisk = sigma2 + approx + excess (docs/THEORY.md section 1). N counts SGD "
        "steps;\neach step uses --batch fresh samples. --method mc simulates SGD instead "
        "and prints\nN M risk risk_se runs (mean risk over the runs and its standard "
        "error).\n--method de gives the same columns for the sketch-averaged deterministic "
        "equivalent;\nit accepts --d inf (and any large d) for --a and --log-a at the "
        "cost of a moderate d\nand reports the bound on the analytically summed tail in "
        "the header. --method closed\nadds N_eff T_eff k_star D_eff rate_approx "
        "rate_bias rate_variance (geometric schedule).\nExit status: 0 success, 2 bad "
        "input (including a step size that is not\nmean-square stable).",
        linear_options, N_LINEAR_OPTIONS);
    return CLI_EXIT_OK;
  }
  const char *method = cli_has(&args, "method") ? cli_get(&args, "method") : "exact";
  const linear_method *chosen = NULL;
  for (size_t k = 0; k < sizeof linear_methods / sizeof linear_methods[0]; k++)
    if (strcmp(linear_methods[k].name, method) == 0)
      chosen = &linear_methods[k];
  if (!chosen) {
    cli_error("--method: unknown method '%s' (available: exact, mc, de, closed)", method);
    return CLI_EXIT_BAD;
  }
  cli_args problem_args; /* the Monte Carlo options belong to --method mc only */
  if (linear_mc_args(&args, method, &problem_args))
    return CLI_EXIT_BAD;
  linear_problem p;
  const int analytic = chosen->run == linear_de_run || chosen->run == linear_closed_run;
  int status = (analytic ? linear_problem_setup_analytic : linear_problem_setup)(&problem_args,
                                                                                 command_line, &p);
  p.args = &args;
  if (status == 0)
    status = chosen->run(&p);
  linear_problem_free(&p);
  return status;
}
