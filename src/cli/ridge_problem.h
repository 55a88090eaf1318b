/* src/cli/ridge_problem.h -- the problem of `riskcalc ridge`, `riskcalc rf` and `riskcalc
 * compare ridge|rf`: the shared problem (problem.h: spectrum, prior, noise, seed, outputs)
 * plus the sample sizes, ridges and feature counts, the Monte Carlo options, and the pieces
 * the runners share (the plan, the tables, the figures). docs/RIDGE.md. */
#ifndef RISKCALC_CLI_RIDGE_PROBLEM_H
#define RISKCALC_CLI_RIDGE_PROBLEM_H

#include "problem.h"

/* Option groups, in --help order. */
#define RIDGE_METHOD_NOPTIONS 2 /* --method, --optimal-lambda */
extern const cli_option ridge_method_options[RIDGE_METHOD_NOPTIONS];
#define RIDGE_DATA_NOPTIONS 7 /* spectrum, prior, noise */
extern const cli_option ridge_data_options[RIDGE_DATA_NOPTIONS];
#define RIDGE_P_NOPTIONS 1 /* --P (random features) */
extern const cli_option ridge_P_options[RIDGE_P_NOPTIONS];
#define RIDGE_SIZE_NOPTIONS 2 /* --n, --lambda */
extern const cli_option ridge_size_options[RIDGE_SIZE_NOPTIONS];
#define RIDGE_MC_NOPTIONS 2 /* --runs, --seed */
extern const cli_option ridge_mc_options[RIDGE_MC_NOPTIONS];
#define RIDGE_OUTPUT_NOPTIONS 3 /* --format, --output, --plot */
extern const cli_option ridge_output_options[RIDGE_OUTPUT_NOPTIONS];

/* Above this dimension (and at --d inf) the deterministic equivalent keeps the law. */
#define RIDGE_LAW_MIN_D 1048576.0

typedef enum {
  RIDGE_DE,      /* the deterministic equivalent */
  RIDGE_MC,      /* the Monte Carlo simulation */
  RIDGE_COMPARE, /* both (riskcalc compare) */
} ridge_use;

typedef struct {
  cli_problem base; /* spectrum, prior, sigma2, seed, outputs, meta */
  const cli_args *args;
  int rf; /* random features (riskcalc rf): --P */
  ridge_use use;
  int optimal; /* --optimal-lambda */
  double *P, *n, *lambda;
  size_t nP, nn, nl;
  double lambda_lo, lambda_hi; /* --optimal-lambda and the lambda figure: the search interval */
  rc_ridge_mc_options mc;      /* runs and seed (RIDGE_MC, RIDGE_COMPARE) */
  char title[256];             /* the figure's title */
} ridge_problem;

/* Parses every option, checks it (library objects built, the Monte Carlo options and the
 * cost of the job asked of the library) and writes the header up to the method. Prints the
 * error and returns CLI_EXIT_BAD, or 0. Free with ridge_problem_free in either case. */
int ridge_problem_setup(const cli_args *args, const char *command_line, int rf, ridge_use use,
                        ridge_problem *p);
void ridge_problem_free(ridge_problem *p);

/* The deterministic equivalent's plan (its law at --d inf or a huge d, else the explicit
 * values), recorded in the header. Prints the error and returns NULL on failure. */
rc_ridge *ridge_problem_plan(ridge_problem *p);

/* The points of the table: (P,) n, lambda, lambda fastest. */
size_t ridge_problem_points(const ridge_problem *p);

/* Runners (ridge_run.c): the table of `riskcalc ridge` / `riskcalc rf` for the method of p,
 * or, with --optimal-lambda, the table of optimal ridges. */
int ridge_run(ridge_problem *p);

/* ---- figures (ridge_plot.c) -------------------------------------------------------------- */

/* The figure description of a table of p (columns of rc_ridge_columns / rc_rf_columns, then
 * with se the standard error of every column from the third (ridge) or fourth (rf) on): its
 * axes (the varying coordinates, fastest first), quantities (by --y name), noise floor and
 * caption; the machinery draws the test error and its parts against the coordinate that
 * varies, or a heat map when two vary. With --plot, prints the error and returns CLI_EXIT_BAD
 * when the table cannot be drawn (three coordinates varying, inf on an axis), else 0. */
int ridge_figure(ridge_problem *p, int se, cli_figure *fig);

/* Marks on a figure against lambda: a point (lambda, test) with its label (kept by the caller
 * until the figure is drawn). */
void ridge_figure_mark(cli_figure *fig, double lambda, double test, const char *label);

/* The figure description of an --optimal-lambda table ((P) n lambda_opt test_opt lambda_gcv
 * test_gcv gcv, then with se their standard errors). */
int ridge_optimal_figure(ridge_problem *p, int se, cli_figure *fig);

#endif
