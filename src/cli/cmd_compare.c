/* riskcalc compare: a model's theory curve against its Monte Carlo simulation at the same
 * points, with z-scores and a verdict (docs/mc.md). The model-independent part. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "riskcalc/io.h"

/* Test hook (docs/mc.md, deliberately not in --help): multiplies every theory value by this
 * factor so the tests can check that a wrong theory is caught. */
#define PERTURB_ENV "RISKCALC_TEST_PERTURB_THEORY"

const cli_option cli_compare_options[] = {
    {"z-max", "Z", "agreement threshold: every |z| = |mean - theory| / se must be <= Z (default 4)",
     CLI_ROLE_NONE},
};

static const cli_compare_model *const models[] = {&linear_compare_model, &quad_compare_model,
                                                  &quad_vs_linear_compare_model};
#define N_MODELS (sizeof models / sizeof models[0])

static const char *const columns_after[] = {"theory", "mean", "se", "z"};
#define N_COLUMNS 6

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

/* The verdict (every |z| <= zmax) into text; returns the number of points beyond. */
static size_t verdict(const cli_compare_job *job, const double *data, size_t nrows, double zmax,
                      char *text, size_t n) {
  double worst = 0;
  size_t worst_row = 0, beyond = 0;
  for (size_t r = 0; r < nrows; r++) {
    const double az = fabs(data[r * N_COLUMNS + 5]);
    if (!(az <= zmax))
      beyond++;
    if (!(az <= worst)) {
      worst = az;
      worst_row = r;
    }
  }
  const double *wr = data + worst_row * N_COLUMNS;
  if (beyond == 0)
    snprintf(text, n, "agree, max |z| = %.3g <= %g over %zu points (worst at %s = %.0f, %s = %.0f)",
             worst, zmax, nrows, job->coord[0], wr[0], job->coord[1], wr[1]);
  else
    snprintf(text, n,
             "disagree, max |z| = %.3g > %g at %s = %.0f, %s = %.0f (%zu of %zu points "
             "beyond)",
             worst, zmax, job->coord[0], wr[0], job->coord[1], wr[1], beyond, nrows);
  return beyond;
}

/* Theory as a line and the simulation as points with error bars, against the coordinate
 * that varies. */
static void figure(const cli_compare_job *job, cli_figure *fig) {
  memset(fig, 0, sizeof *fig);
  fig->kind = CLI_FIGURE_LINES;
  fig->title = job->title;
  fig->xcol = job->count[0] > 1 || job->count[1] == 1 ? 1 : 2;
  fig->xlabel = job->axis[fig->xcol - 1];
  fig->ylabel = "risk";
  fig->ncurves = 2;
  fig->ycol[0] = 3;
  fig->label[0] = "theory";
  fig->ycol[1] = 4;
  fig->errcol[1] = 5;
  fig->label[1] = "simulation (mean +- standard error)";
}

static int compare(const cli_compare_model *model, const cli_args *args, const char *command_line) {
  double zmax, factor;
  if (cli_get_double(args, "z-max", 4.0, &zmax))
    return CLI_EXIT_BAD;
  if (!(zmax > 0)) {
    cli_error("--z-max must be > 0 (got %g)", zmax);
    return CLI_EXIT_BAD;
  }
  if (read_perturbation(&factor))
    return CLI_EXIT_BAD;
  cli_compare_job job;
  memset(&job, 0, sizeof job);
  double *data = NULL;
  int status = CLI_EXIT_BAD;
  if (model->setup(args, command_line, &job))
    goto done;
  if (job.out->plot && job.count[0] > 1 && job.count[1] > 1) {
    cli_error("--plot: compare draws curves against %s or against %s; give a single %s or a "
              "single %s (the grid itself is in the table)",
              job.coord[0], job.coord[1], job.coord[1], job.coord[0]);
    goto done;
  }
  cli_meta_add(job.meta, "columns",
               "theory: the expected risk; mean, se: Monte Carlo mean risk and its standard "
               "error; z = (mean - theory) / se");
  cli_meta_add(job.meta, "z-max", "%.17g", zmax);
  if (factor != 1.0)
    cli_meta_add(job.meta, "test hook", "%s = %.17g: the theory column is multiplied by it",
                 PERTURB_ENV, factor);
  const size_t nrows = job.count[0] * job.count[1];
  data = malloc(nrows * N_COLUMNS * sizeof *data);
  if (!data) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  char label[64];
  snprintf(label, sizeof label, "compare %s", model->name);
  cli_progress bar;
  cli_progress_init(&bar, label);
  /* The model writes 5 values per row; spread them to the table's 6. */
  if (model->run(&job, &bar, data))
    goto done;
  cli_progress_done(&bar);
  for (size_t r = nrows; r-- > 0;) {
    double *row = data + r * N_COLUMNS;
    memmove(row, data + r * 5, 5 * sizeof *row);
    row[2] *= factor;
    row[5] = z_score(row[2], row[3], row[4]);
  }
  char text[512], trailer[600];
  const size_t beyond = verdict(&job, data, nrows, zmax, text, sizeof text);
  if (job.out->format == CLI_FORMAT_JSON)
    cli_meta_add(job.meta, "verdict", "%s", text);
  snprintf(trailer, sizeof trailer, "# verdict: %s", text);
  const char *columns[N_COLUMNS] = {job.coord[0],     job.coord[1],     columns_after[0],
                                    columns_after[1], columns_after[2], columns_after[3]};
  const cli_table t = {columns, N_COLUMNS, NULL, data, nrows};
  cli_figure fig;
  figure(&job, &fig);
  if (cli_emit(job.out, job.meta, &t, &fig, trailer))
    goto done;
  if (factor != 1.0)
    fprintf(stderr, "riskcalc: warning: test hook %s=%.17g multiplied the theory\n", PERTURB_ENV,
            factor);
  fprintf(stderr, "riskcalc compare: %s\n", text);
  status = beyond == 0 ? CLI_EXIT_OK : CLI_EXIT_DISAGREE;
done:
  free(data);
  model->release(&job);
  return status;
}

static const cli_compare_model *find_model(const char *name) {
  for (size_t k = 0; k < N_MODELS; k++)
    if (strcmp(models[k]->name, name) == 0)
      return models[k];
  return NULL;
}

static int unknown_model(const char *name) {
  char list[256] = "";
  for (size_t k = 0; k < N_MODELS; k++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
             models[k]->name);
  cli_error("compare: unknown model '%s' (available: %s)", name, list);
  return CLI_EXIT_BAD;
}

int cmd_compare(int argc, char **argv, const char *command_line) {
  /* The options depend on the model, named by the first positional argument: it is usually
   * the first argument (riskcalc compare MODEL [options]); otherwise parse with the first
   * model's options to find it, then again with its own. */
  const cli_compare_model *model = models[0];
  if (argc > 0 && argv[0][0] != '-') {
    if (!(model = find_model(argv[0])))
      return unknown_model(argv[0]);
  }
  cli_args args;
  if (cli_parse(model->groups, model->ngroups, 1, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.npositional == 1) {
    const cli_compare_model *named = find_model(args.positional[0]);
    if (!named)
      return unknown_model(args.positional[0]);
    if (named != model) {
      model = named;
      if (cli_parse(model->groups, model->ngroups, 1, argc, argv, &args))
        return CLI_EXIT_BAD;
    }
  }
  if (args.help) {
    cli_print_help(stdout, model->synopsis, model->description, model->groups, model->ngroups);
    return CLI_EXIT_OK;
  }
  if (args.npositional == 0) {
    cli_error("compare: which model? (usage: riskcalc compare %s [options]; try --help)",
              model->name);
    return CLI_EXIT_BAD;
  }
  if (model->command)
    return model->command(&args, command_line);
  return compare(model, &args, command_line);
}
