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
    {"z-max", "Z",
     "agreement threshold: every |z| = |mean - theory| / se, of the risk and of its parts, "
     "must be <= Z (default 4)",
     CLI_ROLE_NONE},
};

static const cli_compare_model *const models[] = {&linear_compare_model, &quad_compare_model,
                                                  &quad_vs_linear_compare_model,
                                                  &ridge_compare_model, &rf_compare_model};
#define N_MODELS (sizeof models / sizeof models[0])

/* Columns: the coordinates, then theory mean se z of the risk, then the same four of every
 * part (appended after the contract's first ones). */
#define MAX_COLUMNS (CLI_COMPARE_MAX_COORDS + 4 + 4 * CLI_COMPARE_MAX_PARTS)

/* Reads the test hook; 1 when unset. */
static int read_perturbation(double *factor) {
  const char *text = getenv(PERTURB_ENV);
  *factor = 1.0;
  if (!text)
    return 0;
  rc_error err = {0, ""};
  if (rc_io_parse_double(text, factor, &err) || !(*factor > 0)) {
    cli_error("%s='%s': expected a finite factor > 0", PERTURB_ENV, CLI_EXCERPT(text));
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

/* The verdict over the z columns zcols[0..nz) (0-based) into text; returns the number of
 * values beyond zmax. what names the values: NULL for the risk ("points"), else the parts. */
static size_t verdict(const cli_compare_job *job, const double *data, size_t width, size_t nrows,
                      const size_t *zcols, size_t nz, double zmax, char *text, size_t n) {
  double worst = 0;
  size_t worst_row = 0, worst_z = 0, beyond = 0;
  for (size_t r = 0; r < nrows; r++)
    for (size_t k = 0; k < nz; k++) {
      const double az = fabs(data[r * width + zcols[k]]);
      if (!(az <= zmax))
        beyond++;
      if (!(az <= worst)) {
        worst = az;
        worst_row = r;
        worst_z = k;
      }
    }
  const double *wr = data + worst_row * width;
  char where[200];
  size_t len = 0;
  where[0] = '\0';
  if (nz > 1)
    len += (size_t)snprintf(where, sizeof where, "%s at ", job->parts[worst_z]);
  for (size_t c = 0; c < job->ncoord && len < sizeof where; c++) {
    len +=
        (size_t)snprintf(where + len, sizeof where - len, "%s%s = ", c ? ", " : "", job->coord[c]);
    if (len < sizeof where)
      len += (size_t)snprintf(where + len, sizeof where - len,
                              job->format[c] ? job->format[c] : "%.0f", wr[c]);
  }
  const char *unit = nz == 1 ? "points" : "values";
  if (beyond == 0)
    snprintf(text, n, "agree, max |z| = %.3g <= %g over %zu %s (worst%s %s)", worst, zmax,
             nrows * nz, unit, nz == 1 ? " at" : ":", where);
  else
    snprintf(text, n, "disagree, max |z| = %.3g > %g at %s (%zu of %zu %s beyond)", worst, zmax,
             where, beyond, nrows * nz, unit);
  return beyond;
}

/* The figure: theory as a line, the simulation as points with 2-se error bars, the z-scores
 * below; the parts by --y. */
static void figure(const cli_compare_job *job, cli_figure *fig, double zmax,
                   const char *const *columns, size_t ncols) {
  (void)ncols;
  fig->mode = CLI_FIGURE_COMPARE;
  fig->title = job->title;
  fig->ylabel = job->ylabel ? job->ylabel : "risk and its parts";
  fig->zmax = zmax;
  for (int k = 0; k < 2; k++) {
    const size_t c = job->figure_axes[0] ? job->figure_axes[k] - 1 : (size_t)k;
    cli_figure_axis(fig, k, job->coord[c], job->axis[c], c + 1, job->count[c]);
  }
  const size_t nc = job->ncoord;
  static char risk_label[64];
  const char *name = job->quantity ? job->quantity : "risk";
  snprintf(risk_label, sizeof risk_label, "%s: Monte Carlo ± 2 se", name);
  cli_quantity *q = cli_figure_quantity(fig, name, risk_label, nc + 2, nc + 3);
  q->theory_col = nc + 1;
  q->z_col = nc + 4;
  q->colour = job->colour[0];
  for (size_t k = 0; k < job->nparts; k++) {
    const size_t base = nc + 4 + 4 * k; /* 0-based column of <part>_theory */
    static char labels[CLI_COMPARE_MAX_PARTS][64];
    snprintf(labels[k], sizeof labels[k], "%s: Monte Carlo ± 2 se", job->parts[k]);
    q = cli_figure_quantity(fig, job->parts[k], labels[k], base + 2, base + 3);
    q->theory_col = base + 1;
    q->z_col = base + 4;
    q->colour = job->colour[k + 1];
    (void)columns;
  }
  fig->default_y = name;
}

/* A coordinate that is not an axis of the figure must take one value. */
static int check_plot(const cli_compare_job *job) {
  if (!job->out->plot || job->ncoord <= 2)
    return 0;
  for (size_t c = 0; c < job->ncoord; c++)
    if (job->count[c] > 1 && c + 1 != job->figure_axes[0] && c + 1 != job->figure_axes[1]) {
      cli_error("--plot: the figure has two axes (%s, %s); give a single value of %s (the grid "
                "itself is in the table)",
                job->coord[job->figure_axes[0] - 1], job->coord[job->figure_axes[1] - 1],
                job->coord[c]);
      return CLI_EXIT_BAD;
    }
  return 0;
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
  cli_figure fig;
  cli_figure_init(&fig, CLI_FIGURE_COMPARE, NULL, NULL);
  job.figure = &fig;
  double *data = NULL;
  char names[MAX_COLUMNS][48];
  const char *columns[MAX_COLUMNS];
  int status = CLI_EXIT_BAD;
  if (model->setup(args, command_line, &job))
    goto done;
  if (job.ncoord == 0)
    job.ncoord = 2;
  const size_t nc = job.ncoord, np = job.nparts, risk_cols = nc + 4;
  const size_t width = risk_cols + 4 * np, in = CLI_COMPARE_ROW_N(nc, np);
  static const char *const after[] = {"theory", "mean", "se", "z"};
  for (size_t c = 0; c < width; c++) {
    if (c < nc)
      snprintf(names[c], sizeof names[c], "%s", job.coord[c]);
    else if (c < risk_cols)
      snprintf(names[c], sizeof names[c], "%s", after[c - nc]);
    else
      snprintf(names[c], sizeof names[c], "%s_%s", job.parts[(c - risk_cols) / 4],
               after[(c - risk_cols) % 4]);
    columns[c] = names[c];
  }
  figure(&job, &fig, zmax, columns, width);
  if (check_plot(&job) || cli_figure_check(job.out, &fig))
    goto done;
  cli_meta_add(job.meta, "columns", "%s",
               job.columns ? job.columns
                           : "theory: the expected risk; mean, se: Monte Carlo mean risk and its "
                             "standard error; z = (mean - theory) / se");
  if (np) {
    char list[160] = "";
    for (size_t k = 0; k < np; k++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
               job.parts[k]);
    cli_meta_add(job.meta, "parts",
                 "%s: <part>_theory, <part>_mean, <part>_se, <part>_z the same for each part of "
                 "the risk",
                 list);
  }
  char num[RC_IO_DOUBLE_CHARS];
  cli_meta_add(job.meta, "z-max", "%s", rc_io_format_double(zmax, num, sizeof num));
  cli_meta_param_number(job.meta, "z-max", zmax);
  if (factor != 1.0)
    cli_meta_add(job.meta, "test hook", "%s = %s: the theory column is multiplied by it",
                 PERTURB_ENV, rc_io_format_double(factor, num, sizeof num));
  size_t nrows = 1;
  for (size_t c = 0; c < nc; c++)
    nrows *= job.count[c];
  data = malloc(nrows * width * sizeof *data);
  if (!data) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  char label[64];
  snprintf(label, sizeof label, "compare %s", model->name);
  cli_progress bar;
  cli_progress_init(&bar, label);
  /* The model writes `in` values per row; spread them to the table's width. */
  if (model->run(&job, &bar, data))
    goto done;
  cli_progress_done(&bar);
  for (size_t r = nrows; r-- > 0;) {
    double v[CLI_COMPARE_ROW_N(CLI_COMPARE_MAX_COORDS, CLI_COMPARE_MAX_PARTS)];
    memcpy(v, data + r * in, in * sizeof *v);
    double *row = data + r * width;
    memcpy(row, v, (nc + 3) * sizeof *row);
    row[nc] *= factor;
    row[nc + 3] = z_score(row[nc], row[nc + 1], row[nc + 2]);
    for (size_t k = 0; k < np; k++) {
      double *part = row + risk_cols + 4 * k;
      const double *got = v + nc + 3 + 3 * k;
      part[0] = got[0] * factor;
      part[1] = got[1];
      part[2] = got[2];
      part[3] = z_score(part[0], part[1], part[2]);
    }
  }
  char text[512], parts_text[512] = "", trailer[1200];
  const size_t zrisk = nc + 3;
  size_t zparts[CLI_COMPARE_MAX_PARTS];
  for (size_t k = 0; k < np; k++)
    zparts[k] = risk_cols + 4 * k + 3;
  size_t beyond = verdict(&job, data, width, nrows, &zrisk, 1, zmax, text, sizeof text);
  if (np)
    beyond += verdict(&job, data, width, nrows, zparts, np, zmax, parts_text, sizeof parts_text);
  if (job.out->format == CLI_FORMAT_JSON) {
    cli_meta_add(job.meta, "verdict", "%s", text);
    if (np)
      cli_meta_add(job.meta, "parts verdict", "%s", parts_text);
  }
  /* The parts' line first: the verdict stays the last line. */
  snprintf(trailer, sizeof trailer, "%s%s%s# verdict: %s", np ? "# parts: " : "", parts_text,
           np ? "\n" : "", text);
  const cli_table t = {columns, width, NULL, data, nrows};
  if (cli_emit(job.out, job.meta, &t, &fig, trailer))
    goto done;
  if (factor != 1.0)
    fprintf(stderr, "riskcalc: warning: test hook %s=%s multiplied the theory\n", PERTURB_ENV,
            rc_io_format_double(factor, num, sizeof num));
  if (np)
    fprintf(stderr, "riskcalc compare: parts: %s\n", parts_text);
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
  cli_error("compare: unknown model '%s' (available: %s)", CLI_EXCERPT(name), list);
  return CLI_EXIT_BAD;
}

int cmd_compare(int argc, char **argv, const char *command_line) {
  /* The options depend on the model, named by the first positional argument: it is usually
   * the first argument (riskcalc compare MODEL [options]); otherwise parse with the first
   * model's options to find it, then again with its own. */
  const cli_compare_model *model = models[0];
  /* a model named first (riskcalc compare ridge ...) is parsed with its own options at once;
   * a first word that names no model is refused as such */
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
