/* The figures of `riskcalc ridge`, `riskcalc rf` and their --optimal-lambda tables: all the
 * plotting of the ridge commands, as descriptions for the shared figure machinery (emit.h):
 * the table's coordinates, its quantities and their colours, the noise floor, the caption. */
#include <math.h>
#include <string.h>

#include "ridge_problem.h"

/* A coordinate of the table: its column (1-based), name, values and axis label. */
typedef struct {
  size_t col;
  const char *name;
  const double *values;
  size_t count;
  const char *axis;
} coordinate;

/* The table's coordinates in column order ((P,) n (, lambda)); lambda varies fastest. */
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

/* One colour per quantity in every ridge figure. */
static const char *colour(const char *name) {
  static const char *const table[][2] = {
      {"test", "#9400d3"},      {"bias", "#009e73"},       {"var_x", "#56b4e9"},
      {"var_noise", "#e69f00"}, {"var_f", "#8c564b"},      {"train", "#0072b2"},
      {"gcv", "#e51e10"},       {"variance", "#666666"},   {"test_opt", "#9400d3"},
      {"test_gcv", "#e51e10"},  {"lambda_opt", "#56b4e9"}, {"lambda_gcv", "#e69f00"}};
  for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
    if (strcmp(name, table[k][0]) == 0)
      return table[k][1];
  return NULL;
}

static void quantity(cli_figure *fig, const char *name, const char *label, size_t col,
                     size_t se_col) {
  cli_quantity *q = cli_figure_quantity(fig, name, label, col, se_col);
  if (q)
    q->colour = colour(name);
}

/* The figure's two axes: the coordinates that vary, fastest first (lambda, n, P), completed by
 * one that does not. With --plot, refuses a third varying coordinate and an inf (the P = inf
 * and n = inf limits) on an axis that varies. Returns the number of varying coordinates on
 * the axes, or -1 (message printed). */
static int axes(ridge_problem *p, const coordinate *c, size_t nc, cli_figure *fig) {
  size_t axis[2], k = 0, varying = 0;
  const int plot = p->base.out.plot != NULL;
  for (size_t q = nc; q-- > 0;)
    if (c[q].count > 1) {
      if (k == 2 && !plot)
        continue;
      if (k == 2) {
        cli_error("--plot: a figure shows curves against one of %s, or a heat map over two of "
                  "them; give a single value of %s",
                  nc == 3 ? "P, n and lambda" : "n and lambda", c[q].name);
        return -1;
      }
      for (size_t v = 0; plot && v < c[q].count; v++)
        if (isinf(c[q].values[v])) {
          cli_error("--plot: %s = inf (a limit) cannot sit on the figure's %s axis; draw the "
                    "finite values",
                    c[q].name, c[q].name);
          return -1;
        }
      axis[k++] = q;
    }
  varying = k;
  for (size_t q = nc; q-- > 0 && k < 2;)
    if (c[q].count <= 1)
      axis[k++] = q;
  for (size_t a = 0; a < k; a++)
    cli_figure_axis(fig, (int)a, c[axis[a]].name, c[axis[a]].axis, c[axis[a]].col,
                    c[axis[a]].count);
  cli_problem_caption(&p->base, fig);
  /* a coordinate off the axes takes one value: the caption says which (the axes' own are
   * added by the machinery) */
  for (size_t q = 0; q < nc; q++)
    if (q != axis[0] && (k < 2 || q != axis[1]))
      cli_figure_caption_add(fig, "%s = %g", c[q].name, c[q].values[0]);
  fig->noise = p->base.sigma2;
  fig->noise_of = "test";
  return (int)varying;
}

int ridge_figure(ridge_problem *p, int se, cli_figure *fig) {
  coordinate c[3];
  const size_t nc = coordinates(p, 1, c);
  cli_figure_init(fig, CLI_FIGURE_RESULT, p->title, "error");
  const int varying = axes(p, c, nc, fig);
  if (varying < 0)
    return CLI_EXIT_BAD;
  snprintf(p->title, sizeof p->title, "%s: %s (%s)",
           p->rf ? "linear random features" : "ridge regression",
           varying == 2 ? "test error" : "test error and its parts",
           se ? "Monte Carlo" : "deterministic equivalent");
  /* columns (1-based): ridge n lambda kappa df1 df2 bias var_x var_noise variance test train
   * gcv; rf P n lambda kappa kappa1 df1 df2 bias var_x var_noise var_f test train; the
   * standard error of column k sits 10 columns after it */
  const size_t o = p->rf ? 1 : 0;
  const size_t test = 10 + 2 * o, bias = 6 + 2 * o, train = 11 + 2 * o;
#define SE(col) (se ? (col) + 10 : 0)
  quantity(fig, "test", "test", test, SE(test));
  quantity(fig, "bias", "bias", bias, SE(bias));
  quantity(fig, "var_x", "var_x (inputs)", bias + 1, SE(bias + 1));
  quantity(fig, "var_noise", "var_noise (label noise)", bias + 2, SE(bias + 2));
  if (p->rf)
    quantity(fig, "var_f", "var_f (features)", 11, SE(11));
  else
    quantity(fig, "variance", "variance = var_x + var_noise", 9, SE(9));
  quantity(fig, "train", "train", train, SE(train));
  if (!p->rf)
    quantity(fig, "gcv", se ? "gcv (each run's)" : "gcv (= test)", 12, SE(12));
  quantity(fig, "kappa", "kappa", 3 + o, SE(3 + o));
  quantity(fig, "df1", "df1", 4 + 2 * o, SE(4 + 2 * o));
  quantity(fig, "df2", "df2", 5 + 2 * o, SE(5 + 2 * o));
#undef SE
  /* against lambda the training error (and the simulation's own GCV) belong to the picture */
  const int against_lambda = varying == 1 && p->nl > 1;
  if (p->rf)
    fig->default_y = against_lambda ? "test,bias,var_x,var_noise,var_f,train"
                                    : "test,bias,var_x,var_noise,var_f";
  else
    fig->default_y = against_lambda ? (se ? "test,bias,var_x,var_noise,train,gcv"
                                          : "test,bias,var_x,var_noise,train")
                                    : "test,bias,var_x,var_noise";
  return 0;
}

void ridge_figure_mark(cli_figure *fig, double lambda, double test, const char *label) {
  cli_figure_mark(fig, lambda, test, label);
}

int ridge_optimal_figure(ridge_problem *p, int se, cli_figure *fig) {
  coordinate c[2];
  const size_t nc = coordinates(p, 0, c);
  snprintf(p->title, sizeof p->title, "%s: %s (%s)",
           p->rf ? "linear random features" : "ridge regression",
           se ? "the optimal lambda of each training set and the GCV choice" : "the optimal lambda",
           se ? "Monte Carlo" : "deterministic equivalent");
  cli_figure_init(fig, CLI_FIGURE_RESULT, p->title, "lambda and test error");
  if (axes(p, c, nc, fig) < 0)
    return CLI_EXIT_BAD;
  /* columns: (P) n lambda_opt test_opt lambda_gcv test_gcv gcv, then the standard errors */
  const size_t first = p->rf ? 3 : 2;
#define SE(col) (se ? (col) + 5 : 0)
  quantity(fig, "test_opt", se ? "test at the oracle lambda" : "test at the optimum", first + 1,
           SE(first + 1));
  quantity(fig, "lambda_opt", se ? "oracle lambda" : "optimal lambda", first, SE(first));
  quantity(fig, "test_gcv", "test at the GCV lambda", first + 3, SE(first + 3));
  quantity(fig, "lambda_gcv", "GCV lambda", first + 2, SE(first + 2));
  quantity(fig, "gcv", "GCV minimum", first + 4, SE(first + 4));
#undef SE
  fig->noise_of = "test_opt";
  fig->default_y = se ? "test_opt,test_gcv,lambda_opt,lambda_gcv" : "test_opt,lambda_opt";
  return 0;
}
