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
 * (coordinate 1, coordinate 2[, coordinate 3]), for example (N, M). */
#define CLI_COMPARE_MAX_PARTS 6
#define CLI_COMPARE_MAX_COORDS 3

typedef struct {
  cli_outputs *out;                          /* the checked --output, --plot and format */
  cli_meta *meta;                            /* the header, to which compare adds its own entries */
  size_t ncoord;                             /* coordinates of a point, 2 (0 is read as 2) or 3 */
  const char *coord[CLI_COMPARE_MAX_COORDS]; /* column names of the coordinates ("N", "M") */
  const char *axis[CLI_COMPARE_MAX_COORDS];  /* their axis labels */
  size_t count[CLI_COMPARE_MAX_COORDS];      /* how many values each takes: the rows are their
                                                grid */
  const char *format[CLI_COMPARE_MAX_COORDS]; /* printf format of a coordinate in the verdict
                                                 (NULL: "%.0f") */
  /* The figure's axes, fastest-varying first: coordinate indices plus one (0 0: coordinates 1
   * and 2 as for (N, M)). A coordinate that is not among them must take one value to plot. */
  size_t figure_axes[2];
  const char *title; /* the figure's title */
  /* The compared quantity (columns theory mean se z): its --y name and the figure's value
   * axis (NULL: "risk", "risk and its parts"), and the header's description of the columns
   * (NULL: the risk's). */
  const char *quantity, *ylabel, *columns;
  /* The parts of the risk compared beside it (for example approx, bias, variance), when the
   * theory and the simulation both have them: columns <part>_theory <part>_mean <part>_se
   * <part>_z are appended to the table, and --y can draw them. */
  const char *parts[CLI_COMPARE_MAX_PARTS];
  size_t nparts;
  const char *colour[1 + CLI_COMPARE_MAX_PARTS]; /* optional "#RRGGBB" of the compared
                                                  * quantity and of each part (NULL: by name) */
  cli_figure *figure; /* set by compare before setup: the model adds its caption
                       * (cli_problem_caption, cli_figure_caption_add) */
  void *state;        /* the model's */
} cli_compare_job;

typedef struct {
  const char *name;
  const cli_group *groups;
  size_t ngroups;
  const char *synopsis, *description; /* --help */
  /* Parses and checks the options, writes the header up to the theory's description. Prints
   * the error and returns CLI_EXIT_BAD, or 0 (release is called in either case). */
  int (*setup)(const cli_args *args, const char *command_line, cli_compare_job *job);
  /* Fills the rows (the product of the counts) of CLI_COMPARE_ROW_N(ncoord, nparts) values
   * {the coordinates, theory, mean of the simulation, its standard error, then theory, mean
   * and standard error of every part} (linear: coordinate 2 major); progress through bar.
   * Prints the error and returns CLI_EXIT_BAD, or 0. */
  int (*run)(cli_compare_job *job, cli_progress *bar, double *rows);
  void (*release)(cli_compare_job *job);
  /* A comparison of another kind (not theory against simulation): when set, it replaces
   * setup, run and release and does all the work after the options are parsed (--help is
   * answered before). Returns the exit status. */
  int (*command)(const cli_args *args, const char *command_line);
} cli_compare_model;

#define CLI_COMPARE_ROW(nparts) (5 + 3 * (nparts))
#define CLI_COMPARE_ROW_N(ncoord, nparts) ((ncoord) + 3 + 3 * (nparts))

/* The models: linear (linear_compare.c), ridge and rf (ridge_compare.c). */
extern const cli_compare_model linear_compare_model;
/* The quadratic model: analytic against Monte Carlo, and against linear SGD with tuned steps
 * (quad_compare.c). */
extern const cli_compare_model quad_compare_model;
extern const cli_compare_model quad_vs_linear_compare_model;
extern const cli_compare_model ridge_compare_model;
extern const cli_compare_model rf_compare_model;

#endif
