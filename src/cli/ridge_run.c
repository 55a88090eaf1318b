/* The runners of `riskcalc ridge` and `riskcalc rf`: the deterministic equivalent, the Monte
 * Carlo, and the optimal ridge of either (docs/RIDGE.md). Every table goes through the one
 * emit path; no value is printed that is not finite (the interpolation peak is refused by the
 * library with its reason). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ridge_problem.h"

/* The decomposition the columns are, in the header (docs/RIDGE.md sections 2 and 3). */
static void describe_columns(ridge_problem *p) {
  cli_meta *meta = &p->base.meta;
  cli_meta_add(meta, "df",
               "df1 = sum lambda_i/(lambda_i + kappa), df2 = sum lambda_i^2/(lambda_i + kappa)^2: "
               "effective dimensions, not normalised by n");
  if (!p->rf) {
    cli_meta_add(meta, "columns",
                 "test = sigma2 + bias + variance, variance = var_x + var_noise (law of total "
                 "variance given the inputs X): bias = |E b - w*|_H^2 of the predictor averaged "
                 "over training sets; var_x = E_X |E[b|X] - E b|_H^2 from the sampled inputs; "
                 "var_noise = E |b - E[b|X]|_H^2 from the label noise; train = expected "
                 "(1/n)|y - X b|^2; gcv = train / (1 - df1_hat/n)^2");
    return;
  }
  cli_meta_add(meta, "columns",
               "test = sigma2 + bias + var_f + var_x + var_noise, conditioning on the features F "
               "first, then on the inputs X: bias = |E b - w*|_H^2; var_f = Var_F of E[b|F] "
               "(the features' main effect, V_F of the symmetric ANOVA split); var_x = E_F "
               "Var_X of E[b|X,F] (the inputs' main effect V_X = bias df2/(n - df2) plus their "
               "interaction with F, docs/RIDGE.md section 3); var_noise = E Var(b | X, F) from the "
               "label noise; "
               "kappa1 = the feature-space ridge; train = expected (1/n)|y - X F v|^2");
}

/* Column names: the model's, then "<name>_se" for every estimated column (se). */
typedef struct {
  const char *names[32];
  char buf[16][24];
  size_t ncols, first_se; /* the first estimated column (0-based): the coordinates before it */
} columns;

/* Refuses a table holding a result that is not finite (never printed); only a coordinate (P or
 * n of the random-feature limits) may be inf. */
static int check_finite(const double *data, size_t nrows, const columns *c) {
  for (size_t r = 0; r < nrows; r++)
    for (size_t k = 0; k < c->ncols; k++) {
      const double v = data[r * c->ncols + k];
      if (!isfinite(v) && !(k < c->first_se && v == INFINITY)) {
        cli_error("row %zu: %s = %g is not finite", r + 1, c->names[k], v);
        return CLI_EXIT_BAD;
      }
    }
  return 0;
}

static void make_columns(const ridge_problem *p, int se, columns *c) {
  size_t base;
  const char *const *names = p->rf ? rc_rf_columns(&base) : rc_ridge_columns(&base);
  c->first_se = p->rf ? 3 : 2;
  memcpy(c->names, names, base * sizeof *names);
  c->ncols = base;
  for (size_t k = c->first_se; se && k < base; k++) {
    snprintf(c->buf[k - c->first_se], sizeof c->buf[0], "%s_se", names[k]);
    c->names[c->ncols++] = c->buf[k - c->first_se];
  }
}

/* The lambda figure marks the optimum; its label names lambda (storage: labels). */
typedef struct {
  char text[CLI_MAX_MARKS][96];
} mark_labels;

/* A figure against lambda alone (the other coordinates at one value): the optimum is marked. */
static int against_lambda(const ridge_problem *p) {
  return p->nl > 1 && p->nn == 1 && (!p->rf || p->nP == 1);
}

static int emit_table(ridge_problem *p, const columns *c, const double *data, size_t nrows,
                      cli_figure *fig) {
  if (check_finite(data, nrows, c))
    return CLI_EXIT_BAD;
  const cli_table t = {c->names, c->ncols, NULL, data, nrows};
  return cli_emit(&p->base.out, &p->base.meta, &t, fig, NULL);
}

/* ---- the deterministic equivalent ------------------------------------------------------- */

/* On a figure against lambda: the optimum over the interval of the list. */
static int mark_de_optimum(ridge_problem *p, const rc_ridge *plan, cli_figure *fig,
                           mark_labels *labels) {
  /* (n = inf: the population limit has no finite-sample optimum to mark) */
  if (!(p->lambda_lo < p->lambda_hi) || isinf(p->n[0]))
    return 0;
  rc_error err = {0, ""};
  const double P = p->rf ? p->P[0] : INFINITY;
  double lopt;
  int edge;
  if (rc_ridge_optimal_lambda(plan, P, p->n[0], p->base.sigma2, p->lambda_lo, p->lambda_hi, &lopt,
                              &edge, &err)) {
    cli_error("optimal lambda: %s", err.message);
    return CLI_EXIT_BAD;
  }
  double test = 0;
  if (p->rf) {
    rc_rf_row row;
    if (rc_rf_eval(plan, P, p->n[0], lopt, p->base.sigma2, &row, &err) == 0)
      test = row.test;
  } else {
    rc_ridge_row row;
    if (rc_ridge_eval(plan, p->n[0], lopt, p->base.sigma2, &row, &err) == 0)
      test = row.test;
  }
  if (err.status) {
    cli_error("optimal lambda: %s", err.message);
    return CLI_EXIT_BAD;
  }
  snprintf(labels->text[0], sizeof labels->text[0], "optimum (= GCV min) at %.3g%s", lopt,
           edge ? " (end)" : "");
  ridge_figure_mark(fig, lopt, test, labels->text[0]);
  cli_meta_add(&p->base.meta, "optimum",
               "lambda = %.17g minimises the test error over [%.17g, %.17g]%s, test = %.17g; the "
               "deterministic GCV equals the test error, so its minimiser is the same lambda",
               lopt, p->lambda_lo, p->lambda_hi,
               edge ? " (at an end: the optimum lies at or "
                      "beyond it)"
                    : "",
               test);
  return 0;
}

static int run_de(ridge_problem *p, cli_figure *fig) {
  rc_error err = {0, ""};
  rc_ridge *plan = ridge_problem_plan(p);
  if (!plan)
    return CLI_EXIT_BAD;
  cli_meta_add(&p->base.meta, "method",
               p->rf ? "de: deterministic equivalent of linear random features; kappa solves "
                       "kappa (1 - df1/n)(1 - df1/P) = lambda (GSL Brent, 4 eps relative), "
                       "kappa1 = kappa (1 - df1/P) (docs/RIDGE.md section 3)"
                     : "de: deterministic equivalent of ridge regression; kappa solves kappa (1 - "
                       "df1/n) = lambda (GSL Brent, 4 eps relative); the deterministic gcv "
                       "equals test (docs/RIDGE.md section 2)");
  describe_columns(p);
  columns c;
  make_columns(p, 0, &c);
  const size_t nrows = ridge_problem_points(p);
  double *data = malloc(nrows * c.ncols * sizeof *data);
  void *rows = malloc(nrows * (p->rf ? sizeof(rc_rf_row) : sizeof(rc_ridge_row)));
  int status = CLI_EXIT_BAD;
  if (!data || !rows) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  const int rc =
      p->rf ? rc_rf_curve(plan, p->P, p->nP, p->n, p->nn, p->lambda, p->nl, p->base.sigma2, rows,
                          &err)
            : rc_ridge_curve(plan, p->n, p->nn, p->lambda, p->nl, p->base.sigma2, rows, &err);
  if (rc) {
    cli_error("%s", err.message);
    goto done;
  }
  for (size_t r = 0; r < nrows; r++) {
    if (p->rf)
      rc_rf_row_values((const rc_rf_row *)rows + r, data + r * c.ncols);
    else
      rc_ridge_row_values((const rc_ridge_row *)rows + r, data + r * c.ncols);
  }
  mark_labels labels;
  if (p->base.out.plot && against_lambda(p) && mark_de_optimum(p, plan, fig, &labels))
    goto done;
  status = emit_table(p, &c, data, nrows, fig);
done:
  rc_ridge_free(plan);
  free(rows);
  free(data);
  return status;
}

/* ---- the Monte Carlo ----------------------------------------------------------------------- */

static void describe_mc(ridge_problem *p) {
  cli_meta_add(
      &p->base.meta, "method",
      p->rf ? "mc: each run draws F (d x P_max, iid N(0, 1/P) on its first P columns) and two "
              "independent training sets X ~ N(0, H), fits v exactly from one thin SVD of X F "
              "(LAPACKE dgesdd; minimum norm at lambda = 0) with the label noise integrated out "
              "given the inputs, and evaluates the test error exactly from H; target w*_i = "
              "sqrt(E w*_i^2) (equal in expectation to any prior with these variances); bias from "
              "the run-averaged predictor with its finite-runs correction, var_x from the two "
              "training sets of one F, var_f = Var(pair mean) - var_x/2; kappa1 from the feature "
              "matrix, kappa = P / tr(F^T H F/P + kappa1)^-1, df1 in feature space, df2 = sum "
              "lambda^2/(lambda + kappa)^2 at each run's kappa (docs/RIDGE.md section 4)"
            : "mc: each run draws X ~ N(0, H) (n_max x d; smaller n use its first rows), fits b "
              "exactly from one thin SVD per n (LAPACKE dgesdd; minimum norm at lambda = 0) with "
              "the label noise integrated out given X, and evaluates the test error exactly "
              "from H; target w*_i = sqrt(E w*_i^2) (equal in expectation to any prior with these "
              "variances); bias from the run-averaged predictor with its finite-runs correction "
              "|mean u|^2 - S/(R (R-1)), var_x = S/(R-1); kappa = 1/((1/n) tr (X X^T/n + "
              "lambda)^-1), df1 = tr of the hat matrix, df2 = n v/(1 + v) with v = var_noise per "
              "unit noise; gcv from each run's own training error (docs/RIDGE.md section 4)");
  cli_meta_add(&p->base.meta, "se",
               "standard errors over the runs: sample formula for run means, delete-one "
               "jackknife for bias, var_x%s and variance, delta method for df2",
               p->rf ? ", var_f" : "");
  describe_columns(p);
}

/* On a figure against lambda: the per-run minimisers of the test error and of the GCV over the
 * interval of the list, averaged (rc_ridge_mc_tune, the same runs' seeds). */
static int mark_mc_optimum(ridge_problem *p, cli_figure *fig, mark_labels *labels) {
  if (!(p->lambda_lo < p->lambda_hi))
    return 0;
  rc_error err = {0, ""};
  cli_problem *b = &p->base;
  rc_ridge_tuned_row mean, se;
  if (rc_ridge_mc_tune(b->spectrum, b->prior, p->rf ? p->P : NULL, 1, p->n, 1, b->sigma2,
                       p->lambda_lo, p->lambda_hi, &p->mc, &mean, &se, &err)) {
    cli_error("optimal lambda: %s", err.message);
    return CLI_EXIT_BAD;
  }
  snprintf(labels->text[0], sizeof labels->text[0], "oracle optimum (mean) at %.3g",
           mean.lambda_opt);
  snprintf(labels->text[1], sizeof labels->text[1], "GCV choice (mean) at %.3g", mean.lambda_gcv);
  ridge_figure_mark(fig, mean.lambda_opt, mean.test_opt, labels->text[0]);
  ridge_figure_mark(fig, mean.lambda_gcv, mean.test_gcv, labels->text[1]);
  cli_meta_add(&b->meta, "optimum",
               "over [%.17g, %.17g], averaged over the runs (rc_ridge_mc_tune, the same seeds): "
               "each training set's test-error minimiser lambda = %.17g (se %.3g), test = %.17g "
               "(se %.3g); its GCV minimiser lambda = %.17g (se %.3g), test there = %.17g (se "
               "%.3g); runs with a minimum at an end: %.3g (test), %.3g (GCV)",
               p->lambda_lo, p->lambda_hi, mean.lambda_opt, se.lambda_opt, mean.test_opt,
               se.test_opt, mean.lambda_gcv, se.lambda_gcv, mean.test_gcv, se.test_gcv,
               mean.edge_opt, mean.edge_gcv);
  return 0;
}

static int run_mc(ridge_problem *p, cli_figure *fig) {
  rc_error err = {0, ""};
  cli_problem *b = &p->base;
  describe_mc(p);
  columns c;
  make_columns(p, 1, &c);
  const size_t nrows = ridge_problem_points(p), base = c.ncols - (c.ncols - c.first_se) / 2;
  const size_t row_size = p->rf ? sizeof(rc_rf_row) : sizeof(rc_ridge_row);
  double *data = malloc(nrows * c.ncols * sizeof *data);
  void *mean = malloc(nrows * row_size), *se = malloc(nrows * row_size);
  int status = CLI_EXIT_BAD;
  if (!data || !mean || !se) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, p->rf ? "rf mc" : "ridge mc");
  rc_ridge_mc_options o = p->mc;
  o.progress = cli_progress_update;
  o.progress_context = &bar;
  const int rc = p->rf ? rc_rf_mc(b->spectrum, b->prior, p->P, p->nP, p->n, p->nn, p->lambda, p->nl,
                                  b->sigma2, &o, mean, se, &err)
                       : rc_ridge_mc(b->spectrum, b->prior, p->n, p->nn, p->lambda, p->nl,
                                     b->sigma2, &o, mean, se, &err);
  cli_progress_done(&bar);
  if (rc) {
    cli_error("%s", err.message);
    goto done;
  }
  double values[2][16];
  for (size_t r = 0; r < nrows; r++) {
    if (p->rf) {
      rc_rf_row_values((const rc_rf_row *)mean + r, values[0]);
      rc_rf_row_values((const rc_rf_row *)se + r, values[1]);
    } else {
      rc_ridge_row_values((const rc_ridge_row *)mean + r, values[0]);
      rc_ridge_row_values((const rc_ridge_row *)se + r, values[1]);
    }
    double *row = data + r * c.ncols;
    memcpy(row, values[0], base * sizeof *row);
    memcpy(row + base, values[1] + c.first_se, (base - c.first_se) * sizeof *row);
  }
  mark_labels labels;
  if (b->out.plot && against_lambda(p) && mark_mc_optimum(p, fig, &labels))
    goto done;
  status = emit_table(p, &c, data, nrows, fig);
done:
  free(data);
  free(mean);
  free(se);
  return status;
}

/* ---- optimal lambda ------------------------------------------------------------------------ */

static const char *const optimal_names[] = {
    "P",           "n",     "lambda_opt",    "test_opt",    "lambda_gcv",
    "test_gcv",    "gcv",   "lambda_opt_se", "test_opt_se", "lambda_gcv_se",
    "test_gcv_se", "gcv_se"};
#define OPTIMAL_VALUES 5 /* lambda_opt .. gcv */

static void describe_optimal(ridge_problem *p) {
  cli_meta_add(&p->base.meta, "lambda interval",
               "[%.17g, %.17g]: the smallest positive and the largest --lambda", p->lambda_lo,
               p->lambda_hi);
  if (p->use == RIDGE_DE)
    cli_meta_add(&p->base.meta, "columns",
                 "lambda_opt minimises the deterministic test error over the interval (64 "
                 "log-spaced points, then GSL Brent on log lambda to 1e-6), test_opt is the test "
                 "error there; the deterministic GCV equals the test error at every lambda, so "
                 "lambda_gcv = lambda_opt and test_gcv = gcv = test_opt (the per-training-set "
                 "GCV is in --method mc)");
  else
    cli_meta_add(&p->base.meta, "columns",
                 "run averages over training sets: lambda_opt minimises that training set's "
                 "exact test error (an oracle: it knows H and w*), test_opt is that minimum; "
                 "lambda_gcv minimises its GCV (what the data alone can choose), test_gcv is the "
                 "test error of the fit at lambda_gcv, gcv the GCV minimum; each minimum by 64 "
                 "log-spaced points, then GSL Brent on log lambda to 1e-6; *_se are standard "
                 "errors over the runs; E min <= min E: test_opt is not above the deterministic "
                 "optimum's test error");
}

static void warn_edge(const ridge_problem *p, double P, double n, double fraction,
                      const char *what) {
  char where[64] = "";
  if (p->rf)
    snprintf(where, sizeof where, "P = %.0f, ", P);
  if (p->use == RIDGE_DE)
    fprintf(stderr,
            "riskcalc: warning: %sn = %.0f: the %s is smallest at an end of [%g, %g]: the "
            "optimum lies at or beyond it\n",
            where, n, what, p->lambda_lo, p->lambda_hi);
  else
    fprintf(stderr,
            "riskcalc: warning: %sn = %.0f: in %.0f%% of the runs the %s is smallest at an end "
            "of [%g, %g]\n",
            where, n, 100 * fraction, what, p->lambda_lo, p->lambda_hi);
}

static int optimal_de(ridge_problem *p, double *data) {
  rc_error err = {0, ""};
  rc_ridge *plan = ridge_problem_plan(p);
  if (!plan)
    return CLI_EXIT_BAD;
  cli_meta_add(&p->base.meta, "method", "de: deterministic equivalent (docs/RIDGE.md)");
  describe_optimal(p);
  const size_t nP = p->rf ? p->nP : 1;
  for (size_t k = 0; k < nP; k++)
    for (size_t i = 0; i < p->nn; i++) {
      const double P = p->rf ? p->P[k] : INFINITY, n = p->n[i];
      double lopt, test = 0;
      int edge;
      int rc = rc_ridge_optimal_lambda(plan, P, n, p->base.sigma2, p->lambda_lo, p->lambda_hi,
                                       &lopt, &edge, &err);
      if (rc == 0 && p->rf) {
        rc_rf_row row;
        rc = rc_rf_eval(plan, P, n, lopt, p->base.sigma2, &row, &err);
        test = row.test;
      } else if (rc == 0) {
        rc_ridge_row row;
        rc = rc_ridge_eval(plan, n, lopt, p->base.sigma2, &row, &err);
        test = row.test;
      }
      if (rc) {
        rc_ridge_free(plan);
        if (p->rf)
          cli_error("P = %g, n = %g: %s", P, n, err.message);
        else
          cli_error("n = %g: %s", n, err.message);
        return CLI_EXIT_BAD;
      }
      if (edge)
        warn_edge(p, P, n, 1, "test error");
      double *row = data + (k * p->nn + i) * (2 + OPTIMAL_VALUES);
      const double v[2 + OPTIMAL_VALUES] = {P, n, lopt, test, lopt, test, test};
      memcpy(row, v, sizeof v);
    }
  rc_ridge_free(plan);
  return 0;
}

static int optimal_mc(ridge_problem *p, double *data) {
  rc_error err = {0, ""};
  cli_problem *b = &p->base;
  cli_meta_add(&b->meta, "method",
               p->rf ? "mc: each run draws F and one training set, fits exactly from one thin "
                       "SVD of X F per (P, n) (docs/RIDGE.md section 4)"
                     : "mc: each run draws one training set X ~ N(0, H), fits exactly from one "
                       "thin SVD per n (docs/RIDGE.md section 4)");
  describe_optimal(p);
  const size_t nrows = ridge_problem_points(p);
  rc_ridge_tuned_row *mean = malloc(nrows * sizeof *mean), *se = malloc(nrows * sizeof *se);
  int status = CLI_EXIT_BAD;
  if (!mean || !se) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, p->rf ? "rf mc" : "ridge mc");
  rc_ridge_mc_options o = p->mc;
  o.progress = cli_progress_update;
  o.progress_context = &bar;
  const int rc = rc_ridge_mc_tune(b->spectrum, b->prior, p->rf ? p->P : NULL, p->nP, p->n, p->nn,
                                  b->sigma2, p->lambda_lo, p->lambda_hi, &o, mean, se, &err);
  cli_progress_done(&bar);
  if (rc) {
    cli_error("%s", err.message);
    goto done;
  }
  for (size_t r = 0; r < nrows; r++) {
    const rc_ridge_tuned_row *m = mean + r, *s = se + r;
    if (m->edge_opt > 0)
      warn_edge(p, m->P, m->n, m->edge_opt, "test error");
    if (m->edge_gcv > 0)
      warn_edge(p, m->P, m->n, m->edge_gcv, "GCV");
    const double v[2 + 2 * OPTIMAL_VALUES] = {
        m->P,   m->n,          m->lambda_opt, m->test_opt,   m->lambda_gcv, m->test_gcv,
        m->gcv, s->lambda_opt, s->test_opt,   s->lambda_gcv, s->test_gcv,   s->gcv};
    memcpy(data + r * (2 + 2 * OPTIMAL_VALUES), v, sizeof v);
  }
  status = 0;
done:
  free(mean);
  free(se);
  return status;
}

static int run_optimal(ridge_problem *p, cli_figure *fig) {
  const int mc = p->use == RIDGE_MC;
  const size_t width = 2 + (mc ? 2 : 1) * OPTIMAL_VALUES, nrows = ridge_problem_points(p);
  double *data = malloc(nrows * width * sizeof *data);
  if (!data) {
    cli_error("out of memory for %zu rows", nrows);
    return CLI_EXIT_BAD;
  }
  int status = mc ? optimal_mc(p, data) : optimal_de(p, data);
  if (status == 0 && !p->rf) /* ridge: drop the P column */
    for (size_t r = 0; r < nrows; r++)
      memmove(data + r * (width - 1), data + r * width + 1, (width - 1) * sizeof *data);
  if (status == 0) {
    columns c;
    c.ncols = width - !p->rf;
    c.first_se = p->rf ? 2 : 1;
    memcpy(c.names, optimal_names + !p->rf, c.ncols * sizeof *c.names);
    status = emit_table(p, &c, data, nrows, fig);
  }
  free(data);
  return status;
}

int ridge_run(ridge_problem *p) {
  /* the figure is described (and --y, --plot-kind checked) before any work */
  cli_figure fig;
  const int mc = p->use == RIDGE_MC;
  if ((p->optimal ? ridge_optimal_figure(p, mc, &fig) : ridge_figure(p, mc, &fig)) ||
      cli_figure_check(&p->base.out, &fig))
    return CLI_EXIT_BAD;
  if (p->optimal)
    return run_optimal(p, &fig);
  return mc ? run_mc(p, &fig) : run_de(p, &fig);
}
