/* riskcalc compare: a theory curve against the Monte Carlo simulation at the same points,
 * with z-scores and a verdict (docs/mc.md). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

/* Test hook (docs/mc.md, deliberately not in --help): multiplies every theory value by this
 * factor so the tests can check that a wrong theory is caught. */
#define PERTURB_ENV "RISKCALC_TEST_PERTURB_THEORY"

static const cli_option compare_options[] = {
    {"method", "NAME",
     "theory to check: exact (default), the exact expected risk for the "
     "fixed sketch; de, the sketch-averaged deterministic equivalent (needs --resketch)"},
    {"z-max", "Z",
     "agreement threshold: every |z| = |mean - theory| / se must be <= Z "
     "(default 4)"},
    LINEAR_PROBLEM_OPTIONS,
    LINEAR_MC_OPTIONS,
};
#define N_COMPARE_OPTIONS (sizeof compare_options / sizeof compare_options[0])

static const char *const compare_columns[] = {"N", "M", "theory", "mean", "se", "z"};
#define N_COMPARE_COLUMNS 6

/* A theory method: fills theory[k] for every N of p at model size M. sketch is the fixed
 * sketch (NULL with --resketch). Prints the error and returns CLI_EXIT_BAD, or 0. */
typedef struct {
  const char *name;
  int resketch; /* 1: a sketch-averaged theory, compared with --resketch simulations */
  int (*theory)(linear_problem *p, size_t M, const rc_sketch *sketch, double *theory);
  const char *description;
} theory_method;

static int theory_exact(linear_problem *p, size_t M, const rc_sketch *sketch, double *theory) {
  rc_error err = {0, ""};
  rc_sgd_measure *measure = rc_sgd_measure_from_sketch(p->spectrum, p->prior, sketch, &err);
  rc_risk *rows = measure ? malloc(p->nN * sizeof *rows) : NULL;
  if (!rows) {
    rc_sgd_measure_free(measure);
    cli_error("M = %zu: %s", M, measure ? "out of memory" : err.message);
    return CLI_EXIT_BAD;
  }
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = p->batch;
  opt.sigma2 = p->sigma2;
  int rc = rc_sgd_risk_curve(measure, p->schedule, p->Ns, p->nN, &opt, rows, &err);
  if (rc == 0) {
    char key[32];
    snprintf(key, sizeof key, "G (M = %zu)", M);
    cli_meta_add(&p->meta, key, "rank %zu%s; Approx = %.17g", measure->rank,
                 measure->pseudo_inverse ? " (singular: v* uses the pseudo-inverse of G)" : "",
                 measure->approx);
    for (size_t n = 0; n < p->nN; n++)
      theory[n] = rows[n].risk;
  }
  rc_sgd_measure_free(measure);
  free(rows);
  if (rc) {
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

static const theory_method theory_methods[] = {
    {"exact", 0, theory_exact,
     "exact: second-moment recursion in the eigenbasis of G = S H S^T for the fixed sketch"},
    {"de", 1, linear_de_theory,
     "de: sketch-averaged deterministic equivalent (docs/DETEQ.md); its O(1/M) bias against "
     "the average over sketches is measured there"},
};
#define N_THEORY_METHODS (sizeof theory_methods / sizeof theory_methods[0])

/* Reads the test hook; 1 when unset. */
static int read_perturbation(double *factor) {
  const char *text = getenv(PERTURB_ENV);
  *factor = 1.0;
  if (!text)
    return 0;
  rc_error err = {0, ""};
  if (rc_io_parse_double(text, factor, &err) || !(*factor > 0)) {
    cli_error("%s='%s': expected a finite factor > 0", PERTURB_ENV, text);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* z = (mean - theory) / se; a zero standard error gives 0 for an exact match, else +-inf. */
static double z_score(double theory, double mean, double se) {
  if (se > 0)
    return (mean - theory) / se;
  if (mean == theory)
    return 0.0;
  return mean > theory ? INFINITY : -INFINITY;
}

static int plot_compare(const linear_problem *p, const double *data, size_t nrows) {
  cli_plot_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.title = "sketched linear regression: theory against Monte Carlo";
  spec.xcol = p->nN > 1 || p->nM == 1 ? 1 : 2;
  spec.xlabel = spec.xcol == 1 ? "N (SGD steps)" : "M (model size)";
  spec.ylabel = "risk";
  spec.ycol[0] = 3;
  spec.label[0] = "theory";
  spec.ycol[1] = 4;
  spec.errcol[1] = 5;
  spec.label[1] = "simulation (mean +- standard error)";
  spec.ncurves = 2;
  return cli_plot_lines(p->plot, &spec, &p->meta, compare_columns, N_COMPARE_COLUMNS, data, nrows);
}

static int compare_linear(const cli_args *args, const char *command_line) {
  const char *method = cli_has(args, "method") ? cli_get(args, "method") : "exact";
  const theory_method *chosen = NULL;
  for (size_t k = 0; k < N_THEORY_METHODS; k++)
    if (strcmp(theory_methods[k].name, method) == 0)
      chosen = &theory_methods[k];
  if (!chosen) {
    cli_error("--method: unknown theory method '%s' (available: exact, de)", method);
    return CLI_EXIT_BAD;
  }
  if (cli_has(args, "resketch") != chosen->resketch) {
    cli_error(chosen->resketch ? "--method %s is a sketch-averaged theory: add --resketch"
                               : "--resketch averages over sketches, but --method %s is the "
                                 "theory of one fixed sketch (the sketch-averaged theory is "
                                 "--method de)",
              chosen->name);
    return CLI_EXIT_BAD;
  }
  double zmax, factor;
  if (cli_get_double(args, "z-max", 4.0, &zmax))
    return CLI_EXIT_BAD;
  if (!(zmax > 0)) {
    cli_error("--z-max must be > 0 (got %g)", zmax);
    return CLI_EXIT_BAD;
  }
  if (read_perturbation(&factor))
    return CLI_EXIT_BAD;
  cli_args problem_args;
  if (linear_mc_args(args, "mc", &problem_args))
    return CLI_EXIT_BAD;
  linear_problem p;
  int status = linear_problem_setup(&problem_args, command_line, &p);
  p.args = args;
  if (status) {
    linear_problem_free(&p);
    return status;
  }
  status = CLI_EXIT_BAD;
  double *data = NULL, *theory = NULL;
  rc_mc_risk *sim = NULL;
  if (p.plot && p.nM > 1 && p.nN > 1) {
    cli_error("--plot: compare draws curves against N or against M; give a single M or a "
              "single N (the grid itself is in the table)");
    goto done;
  }
  rc_mc_options o;
  if (linear_mc_options(&p, &o))
    goto done;
  cli_meta_add(&p.meta, "theory", "%s", chosen->description);
  cli_meta_add(&p.meta, "columns",
               "theory: the expected risk; mean, se: Monte Carlo mean risk "
               "and its standard error; z = (mean - theory) / se");
  cli_meta_add(&p.meta, "z-max", "%.17g", zmax);
  if (factor != 1.0) {
    cli_meta_add(&p.meta, "test hook", "%s = %.17g: the theory column is multiplied by it",
                 PERTURB_ENV, factor);
  }
  const size_t nrows = p.nM * p.nN;
  data = malloc(nrows * N_COMPARE_COLUMNS * sizeof *data);
  theory = malloc(p.nN * sizeof *theory);
  sim = malloc(p.nN * sizeof *sim);
  if (!data || !theory || !sim) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, "compare linear");
  for (size_t m = 0; m < p.nM; m++) {
    const size_t M = (size_t)p.Ms[m];
    rc_sketch *sketch = NULL;
    if (!o.resketch && !(sketch = linear_problem_sketch(&p, M)))
      goto done;
    int rc = chosen->theory(&p, M, sketch, theory) ||
             linear_mc_simulate(&p, &o, M, sketch, sim, &bar, (double)m / (double)p.nM,
                                1.0 / (double)p.nM);
    rc_sketch_free(sketch);
    if (rc)
      goto done;
    for (size_t n = 0; n < p.nN; n++) {
      double *row = data + (m * p.nN + n) * N_COMPARE_COLUMNS;
      row[0] = (double)sim[n].N;
      row[1] = sim[n].M;
      row[2] = theory[n] * factor;
      row[3] = sim[n].mean;
      row[4] = sim[n].se;
      row[5] = z_score(row[2], row[3], row[4]);
    }
  }
  cli_progress_done(&bar);

  /* The verdict: every |z| <= z-max. */
  double worst = 0;
  size_t worst_row = 0, beyond = 0;
  for (size_t r = 0; r < nrows; r++) {
    const double az = fabs(data[r * N_COMPARE_COLUMNS + 5]);
    if (!(az <= zmax))
      beyond++;
    if (!(az <= worst)) {
      worst = az;
      worst_row = r;
    }
  }
  char verdict[512];
  const double *wr = data + worst_row * N_COMPARE_COLUMNS;
  if (beyond == 0)
    snprintf(verdict, sizeof verdict,
             "agree, max |z| = %.3g <= %g over %zu points (worst at N = "
             "%.0f, M = %.0f)",
             worst, zmax, nrows, wr[0], wr[1]);
  else
    snprintf(verdict, sizeof verdict,
             "disagree, max |z| = %.3g > %g at N = %.0f, M = %.0f (%zu "
             "of %zu points beyond)",
             worst, zmax, wr[0], wr[1], beyond, nrows);
  if (p.format == CLI_FORMAT_JSON)
    cli_meta_add(&p.meta, "verdict", "%s", verdict);

  cli_output out;
  if (cli_output_open(&out, p.output))
    goto done;
  if (p.plot && plot_compare(&p, data, nrows)) {
    cli_output_abort(&out);
    goto done;
  }
  cli_table_write(out.f, p.format, &p.meta, compare_columns, N_COMPARE_COLUMNS, data, nrows);
  if (p.format != CLI_FORMAT_JSON)
    fprintf(out.f, "# verdict: %s\n", verdict);
  if (cli_output_commit(&out))
    goto done;
  if (factor != 1.0)
    fprintf(stderr, "riskcalc: warning: test hook %s=%.17g multiplied the theory\n", PERTURB_ENV,
            factor);
  fprintf(stderr, "riskcalc compare: %s\n", verdict);
  status = beyond == 0 ? CLI_EXIT_OK : CLI_EXIT_DISAGREE;
done:
  free(data);
  free(theory);
  free(sim);
  linear_problem_free(&p);
  return status;
}

typedef struct {
  const char *name;
  int (*run)(const cli_args *args, const char *command_line);
} compare_model;

static const compare_model compare_models[] = {
    {"linear", compare_linear},
};
#define N_COMPARE_MODELS (sizeof compare_models / sizeof compare_models[0])

int cmd_compare(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(compare_options, N_COMPARE_OPTIONS, 1, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc compare linear [--method exact|de] [--a A | --log-a A | --spectrum FILE] --d D "
        "[--b B | --prior FILE] [--sketch FILE | --seed K] --M LIST --N LIST [--gamma G] "
        "[--batch B] [--schedule SPEC] [--sigma2 S] [--runs R] [--mc-mode raw|reduced] "
        "[--z-max Z] [--format tsv|csv|json] [--output FILE] [--plot FILE]",
        "Checks a theory curve against the Monte Carlo simulation of SGD at the same points:\n"
        "for each (M, N) the columns N M theory mean se z, with z = (mean - theory) / se,\n"
        "then a verdict line ('# verdict: ...', also on standard error). The problem options\n"
        "are those of `riskcalc linear`; the simulation uses the same sketch as the theory.\n"
        "--plot draws the theory as a line and the simulation as points with error bars\n"
        "(against N, or against M when M is the list). Exit status: 0 when every\n"
        "|z| <= --z-max, 1 when not, 2 on bad input.",
        compare_options, N_COMPARE_OPTIONS);
    return CLI_EXIT_OK;
  }
  if (args.npositional == 0) {
    cli_error("compare: which model? (usage: riskcalc compare linear [options]; try --help)");
    return CLI_EXIT_BAD;
  }
  for (size_t k = 0; k < N_COMPARE_MODELS; k++)
    if (strcmp(args.positional[0], compare_models[k].name) == 0)
      return compare_models[k].run(&args, command_line);
  cli_error("compare: unknown model '%s' (available: linear)", args.positional[0]);
  return CLI_EXIT_BAD;
}
