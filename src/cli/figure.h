/* src/cli/figure.h -- private to the tool's figure code (figure.c, plot.c): what a figure
 * description and the user's figure options resolve to. */
#ifndef RISKCALC_CLI_FIGURE_H
#define RISKCALC_CLI_FIGURE_H

#include "emit.h"

typedef enum {
  FIGURE_CURVES, /* quantities against one axis (the other, if any, takes one value) */
  FIGURE_FAMILY, /* quantities against one axis, one curve per value of the other */
  FIGURE_HEATMAP /* one quantity over both axes */
} figure_kind;

typedef struct {
  figure_kind kind;
  int x;      /* the axis drawn as abscissa (0 or 1) */
  int member; /* FIGURE_FAMILY: the axis whose values make the curves; else -1 */
  size_t sel[CLI_MAX_QUANTITIES]; /* indices into fig->q, in drawing order */
  size_t nsel;
  int excess_for_risk; /* the default drew excess instead of risk (the noise dominates) */
  int noise;           /* draw the noise floor */
} figure_plan;

/* Resolves --plot-kind and --y against fig. With data (the figure's table) the axis counts
 * and the noise test come from its rows; without, from fig->axis[k].count (the check before
 * the run, when "risk" stays "risk"). Prints the error and returns CLI_EXIT_BAD, or 0. */
int figure_plan_make(const cli_plot_style *style, const cli_figure *fig, const cli_table *data,
                     figure_plan *plan);

/* The sorted distinct values of column col (1-based) of t, malloc'd into *values; NULL and 0
 * when out of memory or empty. */
size_t figure_distinct(const cli_table *t, size_t col, double **values);

/* The value of column col (1-based) in row r (the table has no label column). */
double figure_cell(const cli_table *t, size_t r, size_t col);

#endif
