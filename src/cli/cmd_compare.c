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

static const cli_compare_model *const models[] = {&linear_compare_model, &ridge_compare_model,
                                                  &rf_compare_model};
#define N_MODELS (sizeof models / sizeof models[0])

/* The table: the coordinates, then theory mean se z per part. */
#define MAX_COLUMNS (CLI_COMPARE_MAX_COORDS + 4 * CLI_COMPARE_MAX_PARTS)
static const char *const columns_after[] = {"theory", "mean", "se", "z"};

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

/* "N = 1000, M = 8" (with the part first when named) for the verdict. */
static void where(const cli_compare_job *job, const double *row, size_t part, char *text,
                  size_t n) {
  size_t len = 0;
  text[0] = '\0';
  if (job->part[0])
    len += (size_t)snprintf(text, n, "%s, ", job->part[part]);
  for (size_t c = 0; c < job->ncoord && len < n; c++) {
    len += (size_t)snprintf(text + len, n - len, "%s%s = ", c ? ", " : "", job->coord[c]);
    if (len < n)
      len +=
          (size_t)snprintf(text + len, n - len, job->format[c] ? job->format[c] : "%.0f", row[c]);
  }
}

/* The verdict (every |z| <= zmax) into text; returns the number of values beyond. */
static size_t verdict(const cli_compare_job *job, const double *data, size_t nrows, size_t width,
                      double zmax, char *text, size_t n) {
  double worst = 0;
  size_t worst_row = 0, worst_part = 0, beyond = 0;
  for (size_t r = 0; r < nrows; r++)
    for (size_t k = 0; k < job->nparts; k++) {
      const double az = fabs(data[r * width + job->ncoord + 4 * k + 3]);
      if (!(az <= zmax))
        beyond++;
      if (!(az <= worst)) {
        worst = az;
        worst_row = r;
        worst_part = k;
      }
    }
  char at[256];
  where(job, data + worst_row * width, worst_part, at, sizeof at);
  char parts[48] = "";
  if (job->part[0])
    snprintf(parts, sizeof parts, " x %zu parts", job->nparts);
  if (beyond == 0)
    snprintf(text, n, "agree, max |z| = %.3g <= %g over %zu points%s (worst at %s)", worst, zmax,
             nrows, parts, at);
  else
    snprintf(text, n, "disagree, max |z| = %.3g > %g at %s (%zu of %zu %s beyond)", worst, zmax, at,
             beyond, nrows * job->nparts, job->part[0] ? "values" : "points");
  return beyond;
}

/* Theory as lines and the simulation as points with error bars, against the coordinate that
 * varies; with named parts the first job->drawn of them, one colour each. */
static void figure(const cli_compare_job *job, cli_figure *fig) {
  static const char *const palette[] = {"#9400d3", "#009e73", "#56b4e9", "#e69f00"};
  memset(fig, 0, sizeof *fig);
  fig->kind = CLI_FIGURE_LINES;
  fig->title = job->title;
  fig->xcol = 1;
  for (size_t c = 0; c < job->ncoord; c++)
    if (job->count[c] > 1) {
      fig->xcol = c + 1;
      break;
    }
  fig->xlabel = job->axis[fig->xcol - 1];
  fig->ylabel = job->ylabel ? job->ylabel : "risk";
  if (!job->part[0]) {
    fig->ncurves = 2;
    fig->ycol[0] = job->ncoord + 1;
    fig->label[0] = "theory";
    fig->ycol[1] = job->ncoord + 2;
    fig->errcol[1] = job->ncoord + 3;
    fig->label[1] = "simulation (mean +- standard error)";
    return;
  }
  static char labels[CLI_MAX_CURVES][64];
  size_t drawn = job->drawn && job->drawn < job->nparts ? job->drawn : job->nparts;
  drawn = drawn > 4 ? 4 : drawn;
  for (size_t k = 0; k < drawn; k++) {
    const size_t col = job->ncoord + 4 * k + 1;
    /* a column name such as var_x is shown with its subscript: var_{x} */
    const char *name = job->part[k], *bar = strchr(name, '_');
    char shown[40];
    if (bar)
      snprintf(shown, sizeof shown, "%.*s_{%s}", (int)(bar - name), name, bar + 1);
    else
      snprintf(shown, sizeof shown, "%s", name);
    snprintf(labels[2 * k], sizeof labels[0], "%s theory", shown);
    snprintf(labels[2 * k + 1], sizeof labels[0], "%s simulation", shown);
    fig->ycol[fig->ncurves] = col;
    fig->color[fig->ncurves] = palette[k];
    fig->label[fig->ncurves++] = labels[2 * k];
    fig->ycol[fig->ncurves] = col + 1;
    fig->errcol[fig->ncurves] = col + 2;
    fig->color[fig->ncurves] = palette[k];
    fig->label[fig->ncurves++] = labels[2 * k + 1];
  }
}

/* Refuses a figure over a grid: at most one coordinate may vary. */
static int check_plot(const cli_compare_job *job) {
  size_t varying = 0;
  for (size_t c = 0; c < job->ncoord; c++)
    varying += job->count[c] > 1;
  if (!job->out->plot || varying <= 1)
    return 0;
  if (job->ncoord == 2)
    cli_error("--plot: compare draws curves against %s or against %s; give a single %s or a "
              "single %s (the grid itself is in the table)",
              job->coord[0], job->coord[1], job->coord[1], job->coord[0]);
  else
    cli_error("--plot: compare draws curves against one of %s, %s and %s; give single values of "
              "the other two (the grid itself is in the table)",
              job->coord[0], job->coord[1], job->coord[2]);
  return CLI_EXIT_BAD;
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
  if (job.ncoord == 0)
    job.ncoord = 2;
  if (job.nparts == 0)
    job.nparts = 1;
  if (check_plot(&job))
    goto done;
  cli_meta_add(job.meta, "columns", "%s",
               job.columns ? job.columns
                           : "theory: the expected risk; mean, se: Monte Carlo mean risk and its "
                             "standard error; z = (mean - theory) / se");
  cli_meta_add(job.meta, "z-max", "%.17g", zmax);
  if (factor != 1.0)
    cli_meta_add(job.meta, "test hook", "%s = %.17g: the theory column is multiplied by it",
                 PERTURB_ENV, factor);
  size_t nrows = 1;
  for (size_t c = 0; c < job.ncoord; c++)
    nrows *= job.count[c];
  const size_t in = job.ncoord + 3 * job.nparts, width = job.ncoord + 4 * job.nparts;
  data = malloc(nrows * width * sizeof *data);
  if (!data) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  char label[64];
  snprintf(label, sizeof label, "compare %s", model->name);
  cli_progress bar;
  cli_progress_init(&bar, label);
  /* The model writes ncoord + 3 values per part and row; spread them to the table's 4. */
  if (model->run(&job, &bar, data))
    goto done;
  cli_progress_done(&bar);
  for (size_t r = nrows; r-- > 0;) {
    double *row = data + r * width;
    const double *from = data + r * in;
    double v[MAX_COLUMNS];
    memcpy(v, from, in * sizeof *v);
    memcpy(row, v, job.ncoord * sizeof *row);
    for (size_t k = 0; k < job.nparts; k++) {
      double *out = row + job.ncoord + 4 * k;
      const double *src = v + job.ncoord + 3 * k;
      out[0] = src[0] * factor;
      out[1] = src[1];
      out[2] = src[2];
      out[3] = z_score(out[0], out[1], out[2]);
    }
  }
  char text[512], trailer[600];
  const size_t beyond = verdict(&job, data, nrows, width, zmax, text, sizeof text);
  if (job.out->format == CLI_FORMAT_JSON)
    cli_meta_add(job.meta, "verdict", "%s", text);
  snprintf(trailer, sizeof trailer, "# verdict: %s", text);
  const char *columns[MAX_COLUMNS];
  char names[4 * CLI_COMPARE_MAX_PARTS][48];
  for (size_t c = 0; c < job.ncoord; c++)
    columns[c] = job.coord[c];
  for (size_t k = 0; k < job.nparts; k++)
    for (size_t q = 0; q < 4; q++) {
      if (job.part[0]) {
        snprintf(names[4 * k + q], sizeof names[0], "%s_%s", job.part[k], columns_after[q]);
        columns[job.ncoord + 4 * k + q] = names[4 * k + q];
      } else {
        columns[job.ncoord + 4 * k + q] = columns_after[q];
      }
    }
  const cli_table t = {columns, width, NULL, data, nrows};
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

int cmd_compare(int argc, char **argv, const char *command_line) {
  /* The options depend on the model, named by the first positional argument: when it comes
   * first (riskcalc compare ridge ...) its options are known at once; otherwise parse with the
   * first model's options to find it, then again with its own. */
  const cli_compare_model *model = models[0];
  if (argc > 0 && argv[0][0] != '-' && find_model(argv[0]))
    model = find_model(argv[0]);
  cli_args args;
  if (cli_parse(model->groups, model->ngroups, 1, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.npositional == 1) {
    const cli_compare_model *named = find_model(args.positional[0]);
    if (!named) {
      char list[256] = "";
      for (size_t k = 0; k < N_MODELS; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                 models[k]->name);
      cli_error("compare: unknown model '%s' (available: %s)", args.positional[0], list);
      return CLI_EXIT_BAD;
    }
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
  return compare(model, &args, command_line);
}
