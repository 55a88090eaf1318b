/* `riskcalc compare ridge` and `riskcalc compare rf`: the deterministic equivalent against the
 * Monte Carlo at the same points, part by part (test error and its split), as plug-ins of the
 * generic compare (compare.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "ridge_problem.h"

static const cli_group ridge_groups[] = {
    CLI_GROUP(cli_compare_options), CLI_GROUP(ridge_data_options),   CLI_GROUP(ridge_size_options),
    CLI_GROUP(ridge_mc_options),    CLI_GROUP(ridge_output_options), CLI_GROUP(cli_figure_options),
};
static const cli_group rf_groups[] = {
    CLI_GROUP(cli_compare_options), CLI_GROUP(ridge_data_options), CLI_GROUP(ridge_P_options),
    CLI_GROUP(ridge_size_options),  CLI_GROUP(ridge_mc_options),   CLI_GROUP(ridge_output_options),
    CLI_GROUP(cli_figure_options),
};

/* The compared test error and parts, and where they sit in a row's values (rc_*_row_values). */
static const char *const ridge_parts[] = {"bias", "var_x", "var_noise", "train", "gcv"};
static const size_t ridge_index[] = {9, 5, 6, 7, 10, 11}; /* test, then the parts */
static const char *const rf_parts[] = {"bias", "var_f", "var_x", "var_noise", "train"};
static const size_t rf_index[] = {11, 7, 10, 8, 9, 12};
#define NPARTS 5

/* A standard error below this fraction of the test error is the rounding of the fits, not
 * sampling noise (a part that is exactly 0, like the training error of an interpolator). */
#define SE_FLOOR 1e-12

typedef struct {
  ridge_problem p;
  rc_ridge *plan;
} ridge_job;

static int setup(const cli_args *args, const char *command_line, cli_compare_job *job, int rf) {
  ridge_job *j = calloc(1, sizeof *j);
  if (!j) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  job->state = j;
  ridge_problem *p = &j->p;
  if (ridge_problem_setup(args, command_line, rf, RIDGE_COMPARE, p))
    return CLI_EXIT_BAD;
  job->out = &p->base.out;
  job->meta = &p->base.meta;
  job->ncoord = rf ? 3 : 2;
  size_t c = 0;
  if (rf) {
    job->coord[c] = "P";
    job->axis[c] = "P (random features)";
    job->count[c++] = p->nP;
  }
  job->coord[c] = "n";
  job->axis[c] = "n (training samples)";
  job->count[c++] = p->nn;
  job->coord[c] = "lambda";
  job->axis[c] = "lambda (ridge)";
  job->format[c] = "%g";
  job->count[c++] = p->nl;
  /* the figure's axes: the varying coordinates, fastest first (lambda, n, P) */
  size_t k = 0;
  for (size_t q = c; q-- > 0 && k < 2;)
    if (job->count[q] > 1)
      job->figure_axes[k++] = q + 1;
  for (size_t q = c; q-- > 0 && k < 2;)
    if (job->count[q] <= 1)
      job->figure_axes[k++] = q + 1;
  job->quantity = "test";
  job->ylabel = "test error and its parts";
  job->nparts = NPARTS;
  memcpy(job->parts, rf ? rf_parts : ridge_parts, sizeof ridge_parts);
  /* the colours of the ridge figures */
  job->colour[0] = ridge_colour("test");
  for (size_t q = 0; q < NPARTS; q++)
    job->colour[q + 1] = ridge_colour(job->parts[q]);
  job->title = rf ? "linear random features: deterministic equivalent against Monte Carlo"
                  : "ridge regression: deterministic equivalent against Monte Carlo";
  job->columns =
      "theory mean se z: the test error, the deterministic equivalent against the Monte Carlo "
      "mean and its standard error, z = (mean - theory) / se; then the same four for each part "
      "(docs/RIDGE.md); standard errors are floored at 1e-12 times the test error (below it is "
      "the rounding of the fits); the equivalent leaves out O(1/n) (and O(1/P)) finite-size "
      "corrections, which enough runs resolve";
  cli_problem_caption(&p->base, job->figure);
  if (!(j->plan = ridge_problem_plan(p)))
    return CLI_EXIT_BAD;
  cli_meta_add(job->meta, "theory",
               "de: the deterministic equivalent (docs/RIDGE.md sections 2 and 3) on the same "
               "explicit spectrum and prior");
  cli_meta_add(job->meta, "simulation",
               rf ? "mc: each run draws F and two training sets and fits exactly (docs/RIDGE.md "
                    "section 4)"
                  : "mc: each run draws a training set and fits exactly (docs/RIDGE.md section "
                    "4)");
  return 0;
}

static int setup_ridge(const cli_args *args, const char *command_line, cli_compare_job *job) {
  return setup(args, command_line, job, 0);
}

static int setup_rf(const cli_args *args, const char *command_line, cli_compare_job *job) {
  return setup(args, command_line, job, 1);
}

static int run(cli_compare_job *job, cli_progress *bar, double *data) {
  rc_error err = {0, ""};
  ridge_job *j = job->state;
  ridge_problem *p = &j->p;
  cli_problem *b = &p->base;
  const int rf = p->rf;
  const size_t nrows = ridge_problem_points(p),
               row_size = rf ? sizeof(rc_rf_row) : sizeof(rc_ridge_row);
  void *de = malloc(nrows * row_size), *mean = malloc(nrows * row_size),
       *se = malloc(nrows * row_size);
  int status = CLI_EXIT_BAD;
  if (!de || !mean || !se) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  int rc =
      rf ? rc_rf_curve(j->plan, p->P, p->nP, p->n, p->nn, p->lambda, p->nl, b->sigma2, de, &err)
         : rc_ridge_curve(j->plan, p->n, p->nn, p->lambda, p->nl, b->sigma2, de, &err);
  if (rc) {
    cli_error("%s", err.message);
    goto done;
  }
  rc_ridge_mc_options o = p->mc;
  o.progress = cli_progress_update;
  o.progress_context = bar;
  rc = rf ? rc_rf_mc(b->spectrum, b->prior, p->P, p->nP, p->n, p->nn, p->lambda, p->nl, b->sigma2,
                     &o, mean, se, &err)
          : rc_ridge_mc(b->spectrum, b->prior, p->n, p->nn, p->lambda, p->nl, b->sigma2, &o, mean,
                        se, &err);
  if (rc) {
    cli_progress_done(bar);
    cli_error("%s", err.message);
    goto done;
  }
  const size_t *index = rf ? rf_index : ridge_index, nc = job->ncoord;
  for (size_t r = 0; r < nrows; r++) {
    double t[16], m[16], s[16];
    if (rf) {
      rc_rf_row_values((const rc_rf_row *)de + r, t);
      rc_rf_row_values((const rc_rf_row *)mean + r, m);
      rc_rf_row_values((const rc_rf_row *)se + r, s);
    } else {
      rc_ridge_row_values((const rc_ridge_row *)de + r, t);
      rc_ridge_row_values((const rc_ridge_row *)mean + r, m);
      rc_ridge_row_values((const rc_ridge_row *)se + r, s);
    }
    double *row = data + r * CLI_COMPARE_ROW_N(nc, NPARTS);
    memcpy(row, t, nc * sizeof *row);
    const double floor = SE_FLOOR * t[index[0]];
    for (size_t k = 0; k <= NPARTS; k++) {
      row[nc + 3 * k] = t[index[k]];
      row[nc + 3 * k + 1] = m[index[k]];
      row[nc + 3 * k + 2] = s[index[k]] > floor ? s[index[k]] : floor;
    }
  }
  status = 0;
done:
  free(de);
  free(mean);
  free(se);
  return status;
}

static void release(cli_compare_job *job) {
  ridge_job *j = job->state;
  if (j) {
    rc_ridge_free(j->plan);
    ridge_problem_free(&j->p);
    free(j);
  }
  job->state = NULL;
}

const cli_compare_model ridge_compare_model = {
    "ridge",
    ridge_groups,
    sizeof ridge_groups / sizeof ridge_groups[0],
    "riskcalc compare ridge [--a A | --log-a A | --spectrum FILE] --d D [--b B | --prior FILE] "
    "--n LIST --lambda LIST [--sigma2 S] [--runs R] [--seed K] [--z-max Z] "
    "[--format tsv|csv|json] [--output FILE] [--plot FILE [--y LIST]]",
    "Checks the deterministic equivalent of ridge regression against its Monte Carlo at the\n"
    "same points: for each (n, lambda) the columns n lambda theory mean se z of the test error\n"
    "(z = (mean - theory) / se), then for each part of bias var_x var_noise train gcv the\n"
    "four columns <part>_theory <part>_mean <part>_se <part>_z, a '# parts: ...' line and the\n"
    "verdict line ('# verdict: ...', also on standard error). The problem options are those\n"
    "of `riskcalc ridge`; d must be finite (the simulation draws d coordinates). The\n"
    "equivalent leaves out O(1/n) corrections that enough runs resolve (docs/RIDGE.md section\n"
    "9). --plot draws the test error (--y: the parts too), theory as a line and the simulation\n"
    "as points with 2-se error bars, z-scores below. Exit status: 0 when every |z| <= --z-max\n"
    "(the test error and every part), 1 when not, 2 on bad input.",
    setup_ridge,
    run,
    release,
    NULL, /* theory against simulation: the generic compare */
};

const cli_compare_model rf_compare_model = {
    "rf",
    rf_groups,
    sizeof rf_groups / sizeof rf_groups[0],
    "riskcalc compare rf [--a A | --log-a A | --spectrum FILE] --d D [--b B | --prior FILE] "
    "--P LIST --n LIST --lambda LIST [--sigma2 S] [--runs R] [--seed K] [--z-max Z] "
    "[--format tsv|csv|json] [--output FILE] [--plot FILE [--y LIST]]",
    "Checks the deterministic equivalent of linear random features against its Monte Carlo at\n"
    "the same points: for each (P, n, lambda) the columns P n lambda theory mean se z of the\n"
    "test error, then for each part of bias var_f var_x var_noise train the four columns\n"
    "<part>_theory <part>_mean <part>_se <part>_z, a '# parts: ...' line and the verdict\n"
    "line. The problem options are those of `riskcalc rf`; d must be finite. --plot draws\n"
    "against the varying ones of P, n, lambda (at most two). Exit status: 0 when every |z| <=\n"
    "--z-max, 1 when not, 2 on bad input.",
    setup_rf,
    run,
    release,
    NULL, /* theory against simulation: the generic compare */
};
