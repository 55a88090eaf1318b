/* The figures of `riskcalc ridge`, `riskcalc rf` and their --optimal-lambda tables: all the
 * plotting of the ridge commands, on the shared figure API (emit.h). */
#include <math.h>
#include <string.h>

#include "ridge_problem.h"

/* A coordinate of the table: its column (1-based), values and axis label. */
typedef struct {
  size_t col;
  const char *name;
  const double *values;
  size_t count;
  const char *axis;
} coordinate;

static size_t coordinates(const ridge_problem *p, int with_lambda, coordinate *c) {
  size_t k = 0;
  if (p->rf) {
    c[k] = (coordinate){k + 1, "P", p->P, p->nP, "P (random features)"};
    k++;
  }
  c[k] = (coordinate){k + 1, "n", p->n, p->nn, "n (training samples)"};
  k++;
  if (with_lambda) {
    c[k] = (coordinate){k + 1, "lambda", p->lambda, p->nl, "lambda (ridge)"};
    k++;
  }
  return k;
}

/* The first value that cannot sit on a log axis (0 or inf), or NULL. */
static const double *unloggable(const coordinate *c) {
  for (size_t k = 0; k < c->count; k++)
    if (!(c->values[k] > 0 && isfinite(c->values[k])))
      return c->values + k;
  return NULL;
}

/* One colour per quantity in every ridge figure. */
static const char *colour(const char *label) {
  static const char *const table[][2] = {{"test", "#9400d3"},    {"bias", "#009e73"},
                                         {"var_{x}", "#56b4e9"}, {"var_{noise}", "#e69f00"},
                                         {"var_{f}", "#c8a800"}, {"train", "#0072b2"},
                                         {"gcv", "#e51e10"}};
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    if (strncmp(label, table[k][0], strlen(table[k][0])) == 0)
      return table[k][1];
  return NULL;
}

static void curve(cli_figure *fig, size_t ycol, size_t errcol, const char *label) {
  fig->color[fig->ncurves] = ycol ? colour(label) : NULL;
  fig->ycol[fig->ncurves] = ycol;
  fig->errcol[fig->ncurves] = errcol;
  fig->label[fig->ncurves++] = label;
}

/* The title: what, how, and the coordinates that stay fixed ("P = 100, lambda = 0.001"). */
static void title(ridge_problem *p, const coordinate *c, size_t nc, const char *what, int se,
                  cli_figure *fig) {
  int len = snprintf(p->title, sizeof p->title, "%s: %s (%s",
                     p->rf ? "linear random features" : "ridge regression", what,
                     se ? "Monte Carlo" : "deterministic equivalent");
  for (size_t k = 0; k < nc && len > 0 && (size_t)len < sizeof p->title; k++)
    if (c[k].count == 1)
      len += snprintf(p->title + len, sizeof p->title - (size_t)len, ", %s = %g", c[k].name,
                      c[k].values[0]);
  if (len > 0 && (size_t)len < sizeof p->title)
    snprintf(p->title + len, sizeof p->title - (size_t)len, ")");
  fig->title = p->title;
}

/* Chooses the figure's axes: curves against the one coordinate that varies (the first when none
 * does), or a heat map of zcol over the two that vary. Prints the error and returns
 * CLI_EXIT_BAD when the table cannot be drawn. */
static int axes(const coordinate *c, size_t nc, size_t zcol, const char *zlabel, cli_figure *fig) {
  size_t vary[3], nv = 0;
  for (size_t k = 0; k < nc; k++)
    if (c[k].count > 1)
      vary[nv++] = k;
  if (nv > 2) {
    cli_error("--plot: a figure shows curves against one of P, n and lambda, or a heat map over "
              "two of them; give a single value of the third");
    return CLI_EXIT_BAD;
  }
  if (nv == 2) {
    /* the heat map's scans run along x at fixed y: the table's faster coordinate is x */
    const coordinate *x = &c[vary[1]], *y = &c[vary[0]];
    const coordinate *bad = unloggable(x) ? x : unloggable(y) ? y : NULL;
    if (bad) {
      cli_error("--plot: the heat map has logarithmic axes and cannot show %s = %g; draw it "
                "against %s alone",
                bad->name, *unloggable(bad), bad == x ? y->name : x->name);
      return CLI_EXIT_BAD;
    }
    fig->kind = CLI_FIGURE_HEATMAP;
    fig->xcol = x->col;
    fig->ycol_map = y->col;
    fig->xlabel = x->axis;
    fig->ylabel = y->axis;
    fig->zcol = zcol;
    fig->zlabel = zlabel;
    return 0;
  }
  const coordinate *x = &c[nv ? vary[0] : 0];
  fig->kind = CLI_FIGURE_LINES;
  fig->xcol = x->col;
  fig->xlabel = x->axis;
  return 0;
}

int ridge_figure(ridge_problem *p, int se, cli_figure *fig) {
  memset(fig, 0, sizeof *fig);
  coordinate c[3];
  const size_t nc = coordinates(p, 1, c);
  /* columns (1-based): ridge n lambda kappa df1 df2 bias var_x var_noise variance test train gcv;
   * rf P n lambda kappa kappa1 df1 df2 bias var_x var_noise var_f test train; the standard
   * error of column k sits 10 columns after it */
  const size_t test = p->rf ? 12 : 10, bias = p->rf ? 8 : 6, train = p->rf ? 13 : 11;
  if (axes(c, nc, test, "test error", fig))
    return CLI_EXIT_BAD;
  title(p, c, nc, fig->kind == CLI_FIGURE_HEATMAP ? "test error" : "test error and its parts", se,
        fig);
  if (fig->kind == CLI_FIGURE_HEATMAP)
    return 0;
  fig->ylabel = "error";
  fig->errlines = se;
  const int against_lambda = fig->xcol == (p->rf ? 3u : 2u);
  /* against lambda the test error is drawn last, over gcv and train that come close to it */
  if (!against_lambda)
    curve(fig, test, se ? test + 10 : 0, "test");
  curve(fig, bias, se ? bias + 10 : 0, "bias");
  curve(fig, bias + 1, se ? bias + 11 : 0, "var_{x} (inputs)");
  curve(fig, bias + 2, se ? bias + 12 : 0, "var_{noise} (label noise)");
  if (p->rf)
    curve(fig, 11, se ? 21 : 0, "var_{f} (features)");
  if (against_lambda) {
    curve(fig, train, se ? train + 10 : 0, "train");
    if (se && !p->rf)
      curve(fig, 12, 22, "gcv");
    curve(fig, test, se ? test + 10 : 0, "test");
  }
  if (p->base.sigma2 > 0) {
    fig->yconst[fig->ncurves] = p->base.sigma2;
    curve(fig, 0, 0, "noise sigma^2");
  }
  return 0;
}

void ridge_figure_mark(cli_figure *fig, double lambda, double test, const char *label) {
  if (fig->nmarks < CLI_MAX_MARKS) {
    fig->mark_x[fig->nmarks] = lambda;
    fig->mark_y[fig->nmarks] = test;
    fig->mark_label[fig->nmarks++] = label;
  }
}

int ridge_optimal_figure(ridge_problem *p, int se, cli_figure *fig) {
  memset(fig, 0, sizeof *fig);
  coordinate c[2];
  const size_t nc = coordinates(p, 0, c);
  /* columns: (P) n lambda_opt test_opt lambda_gcv test_gcv gcv, then the standard errors */
  const size_t first = p->rf ? 3 : 2;
  title(p, c, nc,
        se ? "the optimal lambda of each training set and the GCV choice" : "the optimal lambda",
        se, fig);
  if (axes(c, nc, first + 1, "test error at the optimal lambda", fig))
    return CLI_EXIT_BAD;
  if (fig->kind == CLI_FIGURE_HEATMAP)
    return 0;
  fig->ylabel = "lambda and test error";
  fig->errlines = se;
  curve(fig, first + 1, se ? first + 6 : 0, se ? "test at the oracle lambda" : "test");
  if (se) {
    curve(fig, first + 3, first + 8, "test at the GCV lambda");
    fig->color[fig->ncurves - 1] = "#e51e10";
  }
  curve(fig, first, se ? first + 5 : 0, se ? "oracle lambda" : "optimal lambda");
  fig->color[fig->ncurves - 1] = "#56b4e9";
  if (se) {
    curve(fig, first + 2, first + 7, "GCV lambda");
    fig->color[fig->ncurves - 1] = "#e69f00";
  }
  if (p->base.sigma2 > 0) {
    fig->yconst[fig->ncurves] = p->base.sigma2;
    curve(fig, 0, 0, "noise sigma^2");
  }
  return 0;
}
