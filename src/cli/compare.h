/* src/cli/compare.h -- `riskcalc compare MODEL`: a model's theory against its Monte Carlo
 * simulation at the same points, with z-scores and a verdict (docs/mc.md). cmd_compare.c does
 * everything that does not depend on the model (the options --z-max and the test hook, the
 * z-scores, the verdict, the table and its figure); a model plugs in through cli_compare_model. */
#ifndef RISKCALC_CLI_COMPARE_H
#define RISKCALC_CLI_COMPARE_H

#include "emit.h"

/* The generic options (--z-max), for the models' option lists. */
#define CLI_COMPARE_NOPTIONS 1
extern const cli_option cli_compare_options[CLI_COMPARE_NOPTIONS];

/* What a model's setup tells the generic part. Every row of the comparison is a point
 * (coordinate 1, coordinate 2[, coordinate 3]), for example (N, M), with one or more compared
 * parts (for example test, bias, ...). */
#define CLI_COMPARE_MAX_COORDS 3
#define CLI_COMPARE_MAX_PARTS 8
typedef struct {
  cli_outputs *out;                          /* the checked --output, --plot and format */
  cli_meta *meta;                            /* the header, to which compare adds its own entries */
  size_t ncoord;                             /* 2 or 3 (0 is read as 2) */
  const char *coord[CLI_COMPARE_MAX_COORDS]; /* column names of the coordinates ("N", "M") */
  const char *axis[CLI_COMPARE_MAX_COORDS];  /* their axis labels */
  size_t count[CLI_COMPARE_MAX_COORDS];      /* how many values each takes: the rows are their
                                                grid */
  const char *format[CLI_COMPARE_MAX_COORDS]; /* printf format of a coordinate in the verdict
                                                 (NULL: "%.0f") */
  size_t nparts;                              /* compared quantities, 0 is read as 1 */
  const char *part[CLI_COMPARE_MAX_PARTS];    /* their names (columns <part>_theory, ...); NULL
                                                 with one part: the columns theory mean se z */
  size_t drawn;        /* parts drawn by --plot, the first ones (0: all, at most 4 when
                          named) */
  const char *title;   /* the figure's title */
  const char *ylabel;  /* the figure's y axis (NULL: "risk") */
  const char *columns; /* the header's description of the columns (NULL: the risk's) */
  void *state;         /* the model's */
} cli_compare_job;

typedef struct {
  const char *name;
  const cli_group *groups;
  size_t ngroups;
  const char *synopsis, *description; /* --help */
  /* Parses and checks the options, writes the header up to the theory's description. Prints
   * the error and returns CLI_EXIT_BAD, or 0 (release is called in either case). */
  int (*setup)(const cli_args *args, const char *command_line, cli_compare_job *job);
  /* Fills the rows (the product of the counts), each ncoord coordinates then, for every part,
   * {theory, mean of the simulation, its standard error}; progress through bar. Prints the
   * error and returns CLI_EXIT_BAD, or 0. */
  int (*run)(cli_compare_job *job, cli_progress *bar, double *rows);
  void (*release)(cli_compare_job *job);
} cli_compare_model;

/* The models: linear (linear_compare.c), ridge and rf (ridge_compare.c). */
extern const cli_compare_model linear_compare_model;
extern const cli_compare_model ridge_compare_model;
extern const cli_compare_model rf_compare_model;

#endif
