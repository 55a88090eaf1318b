/* riskcalc fit: power-law exponents with confidence intervals from a table (docs/FIT.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "fit_table.h"
#include "riskcalc/riskcalc.h"

static const cli_option fit_options[] = {
    {"x", "COLUMN", "the abscissa (for example N or M): a header name or a 1-based index",
     CLI_ROLE_NONE},
    {"y", "COLUMN", "the quantity fitted (for example risk or excess)", CLI_ROLE_NONE},
    {"se", "COLUMN",
     "standard errors of y (for example risk_se of a Monte Carlo table): "
     "weighted fit, and intervals from the normal quantile (known noise)",
     CLI_ROLE_NONE},
    {"se-relative", NULL,
     "take --se as relative weights only: rescale by the residual "
     "variance and use the Student t quantile",
     CLI_ROLE_NONE},
    {"floor", "VALUE",
     "single fit: the known floor subtracted from y (default 0); with "
     "--joint: hold E at VALUE instead of fitting it",
     CLI_ROLE_NONE},
    {"expect", "E",
     "expected exponent (e, or alpha with --joint): report whether it lies "
     "in the interval; exit status 1 when it does not",
     CLI_ROLE_NONE},
    {"level", "L", "confidence level of the intervals, in (0, 1) (default 0.95)", CLI_ROLE_NONE},
    {"where", "COLUMN=VALUE",
     "use only the rows whose COLUMN equals VALUE (for example "
     "M=64 to fit one curve of a grid)",
     CLI_ROLE_NONE},
    {"drop-nonpositive", NULL,
     "skip rows that cannot be fitted on log axes (x <= 0, "
     "x2 <= 0, or y - floor <= 0 for the single fit) instead of "
     "refusing them; their number is reported",
     CLI_ROLE_NONE},
    {"joint", NULL, "fit y = E + A x^-alpha + B x2^-beta by nonlinear least squares",
     CLI_ROLE_NONE},
    {"x2", "COLUMN", "with --joint: the second abscissa", CLI_ROLE_NONE},
    {"expect2", "E", "with --joint: expected beta (like --expect for alpha)", CLI_ROLE_NONE},
    {"max-iter", "K", "with --joint: trust-region iterations allowed (default 500)", CLI_ROLE_NONE},
    {"format", "FMT", "output format: tsv (default), csv or json", CLI_ROLE_FORMAT},
    {"output", "FILE", CLI_OUTPUT_HELP, CLI_ROLE_OUTPUT},
    {"plot", "FILE",
     "also draw the data (with 2-se error bars), the fitted curve with its confidence band and "
     "the relative residuals (.png, .svg or .pdf; keeps FILE's .gp and .dat, the points used)",
     CLI_ROLE_PLOT},
};
static const cli_group fit_groups[] = {CLI_GROUP(fit_options), CLI_GROUP(cli_figure_options)};
#define N_FIT_GROUPS (sizeof fit_groups / sizeof fit_groups[0])

/* ---- output ------------------------------------------------------------------------------ */

#define FIT_COLUMNS 5
#define FIT_MAX_ROWS RC_FIT_NPARAM

typedef struct {
  size_t count;
  const char *name[FIT_MAX_ROWS];
  double value[FIT_MAX_ROWS][FIT_COLUMNS - 1]; /* estimate se lo hi */
} fit_rows;

static void fit_row(fit_rows *rows, const char *name, double estimate, double se, double lo,
                    double hi) {
  const size_t k = rows->count++;
  rows->name[k] = name;
  rows->value[k][0] = estimate;
  rows->value[k][1] = se;
  rows->value[k][2] = lo;
  rows->value[k][3] = hi;
}

/* A result that exits 0 holds no nan or inf (issue 13): a value outside the range of a double
 * (a prefactor exp(log c) past 1.8e308, a bound at a level too close to 1) is refused, naming
 * it. Prints the error and returns CLI_EXIT_BAD, or 0. */
static int rows_finite(const fit_rows *rows) {
  static const char *const column[] = {"estimate", "standard error", "lower bound", "upper bound"};
  for (size_t k = 0; k < rows->count; k++)
    for (int c = 0; c < 4; c++)
      if (!isfinite(rows->value[k][c])) {
        cli_error(
            "the %s of %s is %s, outside the range of a double%s", column[c], rows->name[k],
            isnan(rows->value[k][c]) ? "undefined" : "infinite",
            strcmp(rows->name[k], "prefactor") == 0
                ? " (log_prefactor and its interval are finite: exp of them is not; rescale y, or "
                  "lower --level)"
                : " (rescale x or y)");
        return CLI_EXIT_BAD;
      }
  return 0;
}

/* No interval without a degree of freedom or with an infinite quantile: refused, since the
 * standard errors and bounds would be nan or inf. Prints the error; returns CLI_EXIT_BAD or 0. */
static int interval_defined(int kind, double quantile, size_t n, size_t nparam, double level) {
  if (kind == RC_FIT_INTERVAL_NONE) {
    cli_error("%zu points for %zu parameters and no --se leave no degree of freedom: the standard "
              "errors and the interval are undefined (give --se, or more points)",
              n, nparam);
    return CLI_EXIT_BAD;
  }
  if (!isfinite(quantile)) {
    char l[RC_IO_DOUBLE_CHARS];
    cli_error("--level %s: the quantile of the interval is infinite in double precision (give a "
              "level further from 1, at most 0.9999999999999998)",
              rc_io_format_double(level, l, sizeof l));
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* "key: value suffix", or "key: undefined (why)" for a statistic that is nan or inf. */
static void meta_stat(cli_meta *meta, const char *key, double value, const char *suffix,
                      const char *why) {
  if (isfinite(value))
    cli_meta_add(meta, key, "%.17g%s", value, suffix);
  else
    cli_meta_add(meta, key, "undefined (%s)", why);
}

/* ---- the command --------------------------------------------------------------------------- */

typedef struct {
  const char *path;
  const char *where; /* --where as typed, or NULL */
  fit_table t;
  long cx, cy, cse, cx2; /* columns (-1: not used) */
  double *x, *y, *se, *x2;
  size_t n, dropped, total;
  cli_meta meta;
  cli_outputs out;
  double level;
} fit_job;

static void job_free(fit_job *j) {
  cli_meta_free(&j->meta);
  cli_outputs_free(&j->out);
  fit_table_free(&j->t);
  free(j->x);
  free(j->y);
  free(j->se);
  free(j->x2);
}

/* The --where filter: *col = -1 when absent. */
static int parse_where(const cli_args *args, fit_job *j, long *col, double *value) {
  *col = -1;
  const char *w = cli_get(args, "where");
  if (!w)
    return 0;
  const char *eq = strrchr(w, '=');
  if (!eq || eq == w) {
    cli_error("--where: expected COLUMN=VALUE, got '%s'", CLI_EXCERPT(w));
    return CLI_EXIT_BAD;
  }
  char name[256];
  if ((size_t)(eq - w) >= sizeof name) {
    cli_error("--where: column name too long");
    return CLI_EXIT_BAD;
  }
  memcpy(name, w, (size_t)(eq - w));
  name[eq - w] = '\0';
  rc_error err = {0, ""};
  if (rc_io_parse_double(eq + 1, value, &err)) {
    cli_error("--where: %s", err.message);
    return CLI_EXIT_BAD;
  }
  *col = fit_table_column(&j->t, j->path, "where", name);
  return *col < 0 ? CLI_EXIT_BAD : 0;
}

/* Reads the columns, applies --where and the positivity rules. floor is subtracted from y
 * for the positivity test of the single fit (pass NAN to skip that test). */
static int load_points(const cli_args *args, fit_job *j, int joint, double floor_, int drop) {
  long wcol;
  double wval;
  if (parse_where(args, j, &wcol, &wval))
    return CLI_EXIT_BAD;
  const size_t rows = j->t.nrows;
  j->x = malloc(rows * sizeof *j->x);
  j->y = malloc(rows * sizeof *j->y);
  j->se = j->cse >= 0 ? malloc(rows * sizeof *j->se) : NULL;
  j->x2 = joint ? malloc(rows * sizeof *j->x2) : NULL;
  if (!j->x || !j->y || (j->cse >= 0 && !j->se) || (joint && !j->x2)) {
    cli_error("out of memory for %zu rows", rows);
    return CLI_EXIT_BAD;
  }
  char lx[300], lx2[300], ly[300];
  for (size_t r = 0; r < rows; r++) {
    double x, y, se = 1, x2 = 1;
    if (wcol >= 0) {
      double v;
      if (fit_table_value(&j->t, j->path, r, wcol, &v))
        return CLI_EXIT_BAD;
      if (v != wval)
        continue;
    }
    j->total++;
    if (fit_table_value(&j->t, j->path, r, j->cx, &x) ||
        fit_table_value(&j->t, j->path, r, j->cy, &y) ||
        (j->cse >= 0 && fit_table_value(&j->t, j->path, r, j->cse, &se)) ||
        (joint && fit_table_value(&j->t, j->path, r, j->cx2, &x2)))
      return CLI_EXIT_BAD;
    if (!(se > 0)) {
      cli_error("%s:%zu: standard error %.17g in column %s is not > 0", j->path, j->t.lineno[r], se,
                fit_table_label(&j->t, j->cse, lx, sizeof lx));
      return CLI_EXIT_BAD;
    }
    const int x_bad = !(x > 0), x2_bad = joint && !(x2 > 0);
    const int y_bad = !joint && !(y - floor_ > 0);
    if (x_bad || x2_bad || y_bad) {
      if (drop) {
        j->dropped++;
        continue;
      }
      if (x_bad || x2_bad)
        cli_error("%s:%zu: %s = %.17g is not > 0, so this row cannot be fitted on log axes "
                  "(--drop-nonpositive skips such rows)",
                  j->path, j->t.lineno[r],
                  x_bad ? fit_table_label(&j->t, j->cx, lx, sizeof lx)
                        : fit_table_label(&j->t, j->cx2, lx2, sizeof lx2),
                  x_bad ? x : x2);
      else
        cli_error("%s:%zu: %s - floor = %.17g is not > 0, so this row cannot be fitted on log "
                  "axes (--drop-nonpositive skips such rows)",
                  j->path, j->t.lineno[r], fit_table_label(&j->t, j->cy, ly, sizeof ly),
                  y - floor_);
      return CLI_EXIT_BAD;
    }
    j->x[j->n] = x;
    j->y[j->n] = y;
    if (j->se)
      j->se[j->n] = se;
    if (joint)
      j->x2[j->n] = x2;
    j->n++;
  }
  if (wcol >= 0 && j->total == 0) {
    cli_error("--where %s: no row of '%s' matches", cli_get(args, "where"), j->path);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* "inside"/"outside" verdict line; returns 1 when outside. */
static int verdict(cli_meta *meta, const cli_args *args, const char *key, const char *param,
                   double expected, double lo, double hi, double level) {
  const int inside = lo <= expected && expected <= hi;
  const char *text = cli_get(args, key); /* as typed */
  cli_meta_add(meta, key, "%s = %s is %s the %.10g%% interval [%.17g, %.17g]", param, text,
               inside ? "inside" : "outside", 100 * level, lo, hi);
  if (!inside)
    cli_error("expected %s = %s lies outside the %.10g%% interval [%.10g, %.10g]", param, text,
              100 * level, lo, hi);
  return !inside;
}

static void meta_weights(fit_job *j, const cli_args *args, int joint) {
  char buf[300];
  if (j->cse < 0)
    cli_meta_add(&j->meta, "weights",
                 "none (unweighted); noise variance estimated from the "
                 "residuals");
  else if (joint)
    cli_meta_add(&j->meta, "weights", "1/se^2 with se from column %s (%s)",
                 fit_table_label(&j->t, j->cse, buf, sizeof buf),
                 cli_has(args, "se-relative") ? "relative: rescaled by the residual variance"
                                              : "absolute: known noise");
  else
    cli_meta_add(&j->meta, "weights",
                 "((y - floor)/se)^2 with se from column %s, the delta-method variance of "
                 "log(y - floor) (%s)",
                 fit_table_label(&j->t, j->cse, buf, sizeof buf),
                 cli_has(args, "se-relative") ? "relative: rescaled by the residual variance"
                                              : "absolute: known noise");
}

static void meta_interval(cli_meta *meta, rc_fit_interval kind, double q, size_t dof, double level,
                          int joint) {
  if (kind == RC_FIT_INTERVAL_STUDENT)
    cli_meta_add(meta, "interval",
                 "%.10g%%: estimate +- q se, q = %.17g the Student t quantile with %zu degrees "
                 "of freedom (noise variance estimated)%s",
                 100 * level, q, dof, joint ? "; linearised at the solution" : "");
  else if (kind == RC_FIT_INTERVAL_NORMAL)
    cli_meta_add(meta, "interval",
                 "%.10g%%: estimate +- q se, q = %.17g the normal quantile (standard errors "
                 "taken as known)%s",
                 100 * level, q, joint ? "; linearised at the solution" : "");
  else
    cli_meta_add(meta, "interval",
                 "none: %zu degrees of freedom and no standard errors, so "
                 "the noise cannot be estimated",
                 dof);
}

/* ---- the figure: data, fitted curve and band, residuals ----------------------------------- */

/* The fitted curve f(x, v) (v: the x2 of the member, unused by the single fit), its band
 * flo/fhi (estimate +- q se of the curve by the delta method with the fit's covariance) and
 * the band of the relative residuals rlo/rhi, as gnuplot definitions. */
typedef struct {
  char functions[2048];
  double *points; /* x y se x2 fit fit_lo fit_hi residual, per used point */
  size_t n;
} fit_figure;

static double single_curve(const void *fit, double floor_, double x, double k) {
  const rc_fit_power *r = fit;
  const double lx = log(x);
  const double var = r->log_prefactor_se * r->log_prefactor_se +
                     lx * lx * r->exponent_se * r->exponent_se - 2 * lx * r->cov_logc_e;
  const double q = isnan(r->quantile) ? 0 : r->quantile;
  return floor_ + r->prefactor * pow(x, -r->exponent) * exp(k * q * sqrt(fmax(var, 0)));
}

static void single_functions(fit_figure *ff, const rc_fit_power *r, double floor_) {
  char c[RC_IO_DOUBLE_CHARS], e[RC_IO_DOUBLE_CHARS], fl[RC_IO_DOUBLE_CHARS], q[RC_IO_DOUBLE_CHARS],
      vl[RC_IO_DOUBLE_CHARS], ve[RC_IO_DOUBLE_CHARS], cv[RC_IO_DOUBLE_CHARS];
  snprintf(ff->functions, sizeof ff->functions,
           "# the fit y - floor = c x^-e and its %s band (delta method on log c - e log x)\n"
           "c = %s\ne = %s\nfloor = %s\nq = %s\n"
           "var_logc = %s\nvar_e = %s\ncov_logc_e = %s\n"
           "sd(x) = sqrt(abs(var_logc + log(x)**2 * var_e - 2 * log(x) * cov_logc_e))\n"
           "f(x, v) = floor + c * x**(-e)\n"
           "flo(x, v) = floor + c * x**(-e) * exp(-q * sd(x))\n"
           "fhi(x, v) = floor + c * x**(-e) * exp(q * sd(x))\n"
           "rlo(x, v) = flo(x, v) / f(x, v) - 1\nrhi(x, v) = fhi(x, v) / f(x, v) - 1\n",
           isnan(r->quantile) ? "(no: two points without standard errors)" : "confidence",
           rc_io_format_double(r->prefactor, c, sizeof c),
           rc_io_format_double(r->exponent, e, sizeof e),
           rc_io_format_double(floor_, fl, sizeof fl),
           rc_io_format_double(isnan(r->quantile) ? 0 : r->quantile, q, sizeof q),
           rc_io_format_double(r->log_prefactor_se * r->log_prefactor_se, vl, sizeof vl),
           rc_io_format_double(r->exponent_se * r->exponent_se, ve, sizeof ve),
           rc_io_format_double(r->cov_logc_e, cv, sizeof cv));
}

/* The gradient of E + A x^-alpha + B v^-beta with respect to (E, A, alpha, B, beta). */
static void joint_gradient(const rc_fit_joint *r, double x, double v, double g[RC_FIT_NPARAM]) {
  const double xa = pow(x, -r->value[RC_FIT_ALPHA]), vb = pow(v, -r->value[RC_FIT_BETA]);
  g[RC_FIT_E] = 1;
  g[RC_FIT_A] = xa;
  g[RC_FIT_ALPHA] = -r->value[RC_FIT_A] * xa * log(x);
  g[RC_FIT_B] = vb;
  g[RC_FIT_BETA] = -r->value[RC_FIT_B] * vb * log(v);
}

static double joint_curve(const void *fit, double x, double v, double k) {
  const rc_fit_joint *r = fit;
  double g[RC_FIT_NPARAM], var = 0;
  joint_gradient(r, x, v, g);
  for (int a = 0; a < RC_FIT_NPARAM; a++)
    for (int b = 0; b < RC_FIT_NPARAM; b++)
      var += g[a] * r->cov[a][b] * g[b];
  const double q = isnan(r->quantile) ? 0 : r->quantile;
  return r->value[RC_FIT_E] + r->value[RC_FIT_A] * pow(x, -r->value[RC_FIT_ALPHA]) +
         r->value[RC_FIT_B] * pow(v, -r->value[RC_FIT_BETA]) + k * q * sqrt(fmax(var, 0));
}

static void joint_functions(fit_figure *ff, const rc_fit_joint *r) {
  char v[RC_FIT_NPARAM][RC_IO_DOUBLE_CHARS], q[RC_IO_DOUBLE_CHARS];
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    rc_io_format_double(r->value[k], v[k], sizeof v[k]);
  size_t used = (size_t)snprintf(
      ff->functions, sizeof ff->functions,
      "# the fit y = E + A x^-alpha + B x2^-beta and its confidence band (delta method with the "
      "fit's covariance C)\nE = %s\nA = %s\nalpha = %s\nB = %s\nbeta = %s\nq = %s\n",
      v[0], v[1], v[2], v[3], v[4],
      rc_io_format_double(isnan(r->quantile) ? 0 : r->quantile, q, sizeof q));
  for (int a = 0; a < RC_FIT_NPARAM && used < sizeof ff->functions; a++)
    for (int b = 0; b < RC_FIT_NPARAM && used < sizeof ff->functions; b++) {
      char c[RC_IO_DOUBLE_CHARS];
      used += (size_t)snprintf(ff->functions + used, sizeof ff->functions - used, "C%d%d = %s\n", a,
                               b, rc_io_format_double(r->cov[a][b], c, sizeof c));
    }
  if (used < sizeof ff->functions)
    used += (size_t)snprintf(
        ff->functions + used, sizeof ff->functions - used,
        "g0(x, v) = 1\ng1(x, v) = x**(-alpha)\ng2(x, v) = -A * x**(-alpha) * log(x)\n"
        "g3(x, v) = v**(-beta)\ng4(x, v) = -B * v**(-beta) * log(v)\nvar(x, v) = 0");
  for (int a = 0; a < RC_FIT_NPARAM && used < sizeof ff->functions; a++)
    for (int b = 0; b < RC_FIT_NPARAM && used < sizeof ff->functions; b++)
      if (r->cov[a][b] != 0)
        used += (size_t)snprintf(ff->functions + used, sizeof ff->functions - used,
                                 " + C%d%d * g%d(x, v) * g%d(x, v)", a, b, a, b);
  if (used < sizeof ff->functions)
    snprintf(ff->functions + used, sizeof ff->functions - used,
             "\nf(x, v) = E + A * x**(-alpha) + B * v**(-beta)\n"
             "flo(x, v) = f(x, v) - q * sqrt(abs(var(x, v)))\n"
             "fhi(x, v) = f(x, v) + q * sqrt(abs(var(x, v)))\n"
             "rlo(x, v) = flo(x, v) / f(x, v) - 1\nrhi(x, v) = fhi(x, v) / f(x, v) - 1\n");
}

/* Writes the parameter fit_table (a missing value is nan in TSV/CSV and null in JSON), and
 * the figure with --plot. */
static int write_result(const fit_job *j, const fit_rows *rows, const cli_figure *fig,
                        const fit_figure *ff) {
  char lo[32], hi[32];
  snprintf(lo, sizeof lo, "lo%.10g", 100 * j->level);
  snprintf(hi, sizeof hi, "hi%.10g", 100 * j->level);
  const char *columns[FIT_COLUMNS] = {"parameter", "estimate", "se", lo, hi};
  const cli_table t = {columns, FIT_COLUMNS, rows->name, &rows->value[0][0], rows->count};
  static const char *const point_columns[] = {"x",   "y",      "se",     "x2",
                                              "fit", "fit_lo", "fit_hi", "residual"};
  const cli_table points = {point_columns, 8, NULL, ff ? ff->points : NULL, ff ? ff->n : 0};
  cli_emission e;
  memset(&e, 0, sizeof e);
  e.meta = &j->meta;
  e.table = &t;
  e.figure = fig;
  e.figure_table = ff ? &points : NULL;
  return cli_emit_all(&j->out, &e);
}

/* The figure of a fit and its points (x y se x2 fit fit_lo fit_hi residual). curve(k) gives
 * the fitted value (k = 0) and its band (k = -1, +1) at point i. Returns 0 or CLI_EXIT_BAD. */
typedef double (*fit_curve_fn)(const void *r, double floor_, double x, double v, double k);

static double single_at(const void *r, double floor_, double x, double v, double k) {
  (void)v;
  return single_curve(r, floor_, x, k);
}

static double joint_at(const void *r, double floor_, double x, double v, double k) {
  (void)floor_;
  return joint_curve(r, x, v, k);
}

/* Column c as the figure names it: its header name, else "column K". */
static void column_name(const fit_job *j, long c, char *buf, size_t n) {
  if (j->t.name)
    snprintf(buf, n, "%s", j->t.name[c]);
  else
    snprintf(buf, n, "column %ld", c + 1);
}

static int fit_figure_make(fit_job *j, cli_figure *fig, fit_figure *ff, int joint,
                           fit_curve_fn curve, const void *r, double floor_, const char *title,
                           const char *curve_label) {
  ff->points = malloc(j->n * 8 * sizeof *ff->points);
  if (!ff->points) {
    cli_error("out of memory for the figure's points");
    return CLI_EXIT_BAD;
  }
  ff->n = j->n;
  for (size_t i = 0; i < j->n; i++) {
    double *p = ff->points + 8 * i;
    const double v = joint ? j->x2[i] : 0;
    p[0] = j->x[i];
    p[1] = j->y[i];
    p[2] = j->se ? j->se[i] : 0;
    p[3] = v;
    p[4] = curve(r, floor_, j->x[i], v, 0);
    p[5] = curve(r, floor_, j->x[i], v, -1);
    p[6] = curve(r, floor_, j->x[i], v, 1);
    p[7] = (j->y[i] - p[4]) / p[4];
  }
  static char xl[300], yl[300], x2l[300], data_label[320];
  column_name(j, j->cx, xl, sizeof xl);
  column_name(j, j->cy, yl, sizeof yl);
  cli_figure_init(fig, CLI_FIGURE_FIT, title, yl);
  cli_figure_axis(fig, 0, xl, xl, 1, j->n);
  if (joint) {
    column_name(j, j->cx2, x2l, sizeof x2l);
    cli_figure_axis(fig, 1, x2l, x2l, 4, j->n);
  }
  snprintf(data_label, sizeof data_label, "%s%s", yl, j->se ? " ± 2 se" : "");
  cli_figure_quantity(fig, "y", data_label, 2, j->se ? 3 : 0);
  cli_quantity *fit = cli_figure_quantity(fig, "fit", "fit", 5, 0);
  fit->lo_col = 6;
  fit->hi_col = 7;
  fig->functions = ff->functions;
  fig->curve_expr = "f(x, %s)";
  fig->band_lo_expr = "flo(x, %s)";
  fig->band_hi_expr = "fhi(x, %s)";
  fig->curve_label = curve_label;
  fig->resid_col = 8;
  fig->resid_lo_expr = "rlo(x, %s)";
  fig->resid_hi_expr = "rhi(x, %s)";
  fig->resid_label = "(y - fit) / fit";
  cli_figure_caption_add(fig, "%s, %zu points", j->path, j->n);
  if (j->where)
    cli_figure_caption_add(fig, "where %s", j->where);
  return 0;
}

static int run_single(fit_job *j, const cli_args *args) {
  rc_fit_options opt = rc_fit_options_default();
  opt.level = j->level;
  opt.se_relative = cli_has(args, "se-relative");
  if (cli_get_double(args, "floor", 0, &opt.floor))
    return CLI_EXIT_BAD;
  if (load_points(args, j, 0, opt.floor, cli_has(args, "drop-nonpositive")))
    return CLI_EXIT_BAD;
  rc_fit_power r;
  rc_error err = {0, ""};
  if (rc_fit_power_law(j->x, j->y, j->se, j->n, &opt, &r, &err)) {
    cli_error("%s: %s", j->path, err.message);
    return CLI_EXIT_BAD;
  }
  double expect = NAN;
  if (cli_has(args, "expect") && cli_get_double(args, "expect", 0, &expect))
    return CLI_EXIT_BAD;
  if (interval_defined(r.interval, r.quantile, r.n, 2, r.level))
    return CLI_EXIT_BAD;
  char bx[300], by[300], fl[RC_IO_DOUBLE_CHARS];
  cli_meta_add(&j->meta, "model",
               "y - floor = c x^-e by least squares of log(y - floor) on log x; x = column %s, "
               "y = column %s, floor = %s",
               fit_table_label(&j->t, j->cx, bx, sizeof bx),
               fit_table_label(&j->t, j->cy, by, sizeof by),
               rc_io_format_double(opt.floor, fl, sizeof fl));
  meta_weights(j, args, 0);
  meta_interval(&j->meta, r.interval, r.quantile, r.dof, r.level, 0);
  cli_meta_add(&j->meta, "points", "%zu used, %zu dropped (x <= 0 or y - floor <= 0)", r.n,
               j->dropped);
  cli_meta_add(&j->meta, "dof", "%zu", r.dof);
  cli_meta_add(&j->meta, "chi2", "%.17g (sum of %ssquared residuals on log axes)", r.chi2,
               r.weighted ? "weighted " : "");
  meta_stat(&j->meta, "chi2_dof", r.chi2_dof, "", "no degree of freedom");
  meta_stat(&j->meta, "R2", r.r2, " (log axes)",
            "log(y - floor) is constant over the points: no variation to explain");
  cli_meta_add(&j->meta, "cov_logc_e", "%.17g", r.cov_logc_e);
  int outside = 0;
  if (!isnan(expect))
    outside = verdict(&j->meta, args, "expect", "e", expect, r.exponent_lo, r.exponent_hi, r.level);
  fit_rows rows = {0};
  fit_row(&rows, "exponent", r.exponent, r.exponent_se, r.exponent_lo, r.exponent_hi);
  fit_row(&rows, "prefactor", r.prefactor, r.prefactor * r.log_prefactor_se,
          exp(r.log_prefactor_lo), exp(r.log_prefactor_hi));
  fit_row(&rows, "log_prefactor", r.log_prefactor, r.log_prefactor_se, r.log_prefactor_lo,
          r.log_prefactor_hi);
  if (rows_finite(&rows))
    return CLI_EXIT_BAD;
  cli_figure fig;
  fit_figure ff = {"", NULL, 0};
  /* the figure keeps pointers to its texts until it is written: they live as long as it */
  char label[200], title[700], xn[300], yn[300];
  if (j->out.plot) {
    if (r.interval == RC_FIT_INTERVAL_NONE)
      snprintf(label, sizeof label, "fit: e = %.4g (no interval)", r.exponent);
    else
      snprintf(label, sizeof label, "fit: e = %.4g ± %.2g", r.exponent, r.exponent_hi - r.exponent);
    single_functions(&ff, &r, opt.floor);
    column_name(j, j->cx, xn, sizeof xn);
    column_name(j, j->cy, yn, sizeof yn);
    snprintf(title, sizeof title, "power-law fit %s%s = c %s^-e with its %.10g%% confidence band",
             yn, opt.floor != 0 ? " - floor" : "", xn, 100 * r.level);
    if (fit_figure_make(j, &fig, &ff, 0, single_at, &r, opt.floor, title, label))
      return CLI_EXIT_BAD;
  }
  const int st = write_result(j, &rows, j->out.plot ? &fig : NULL, j->out.plot ? &ff : NULL);
  free(ff.points);
  if (st)
    return CLI_EXIT_BAD;
  return outside ? CLI_EXIT_DISAGREE : CLI_EXIT_OK;
}

static int run_joint(fit_job *j, const cli_args *args) {
  rc_fit_joint_options opt = rc_fit_joint_options_default();
  opt.level = j->level;
  opt.se_relative = cli_has(args, "se-relative");
  opt.fix_E = cli_has(args, "floor");
  uint64_t max_iter;
  if (cli_get_double(args, "floor", 0, &opt.E) ||
      cli_get_uint(args, "max-iter", 1, 1000000, opt.max_iter, &max_iter))
    return CLI_EXIT_BAD;
  opt.max_iter = (size_t)max_iter;
  double expect = NAN, expect2 = NAN;
  if (cli_get_double(args, "expect", NAN, &expect) ||
      cli_get_double(args, "expect2", NAN, &expect2))
    return CLI_EXIT_BAD;
  if (load_points(args, j, 1, NAN, cli_has(args, "drop-nonpositive")))
    return CLI_EXIT_BAD;
  rc_fit_joint r;
  rc_error err = {0, ""};
  if (rc_fit_joint_power_law(j->x, j->x2, j->y, j->se, j->n, &opt, &r, &err)) {
    cli_error("%s: %s", j->path, err.message);
    return CLI_EXIT_BAD;
  }
  if (interval_defined(r.interval, r.quantile, r.n, r.nparam, r.level))
    return CLI_EXIT_BAD;
  char bx[300], bx2[300], by[300];
  cli_meta_add(&j->meta, "model",
               "y = E + A x^-alpha + B x2^-beta by nonlinear least squares (GSL trust region, "
               "Levenberg-Marquardt); x = column %s, x2 = column %s, y = column %s",
               fit_table_label(&j->t, j->cx, bx, sizeof bx),
               fit_table_label(&j->t, j->cx2, bx2, sizeof bx2),
               fit_table_label(&j->t, j->cy, by, sizeof by));
  if (opt.fix_E)
    cli_meta_add(&j->meta, "E", "fixed at %s by --floor",
                 rc_io_format_double(opt.E, bx, sizeof bx));
  meta_weights(j, args, 1);
  meta_interval(&j->meta, r.interval, r.quantile, r.dof, r.level, 1);
  cli_meta_add(&j->meta, "points", "%zu used, %zu dropped (x <= 0 or x2 <= 0)", r.n, j->dropped);
  cli_meta_add(&j->meta, "dof", "%zu (%zu points, %zu parameters)", r.dof, r.n, r.nparam);
  cli_meta_add(&j->meta, "chi2", "%.17g (sum of %ssquared residuals)", r.chi2,
               r.weighted ? "weighted " : "");
  meta_stat(&j->meta, "chi2_dof", r.chi2_dof, "", "no degree of freedom");
  meta_stat(&j->meta, "R2", r.r2, "", "y is constant over the points: no variation to explain");
  static const char *const tests[] = {"none", "step size (xtol)", "gradient (gtol)",
                                      "residual change (ftol)"};
  cli_meta_add(&j->meta, "converged", "after %zu iterations, %s test", r.iterations,
               tests[r.stop_test]);
  cli_meta_add(&j->meta, "start",
               "E = %.10g, A = %.10g, alpha = %.10g, B = %.10g, beta = %.10g (grid search over "
               "(alpha, beta), linear in E, A, B)",
               r.start[0], r.start[1], r.start[2], r.start[3], r.start[4]);
  meta_stat(&j->meta, "corr_A_alpha",
            r.cov[RC_FIT_A][RC_FIT_ALPHA] / (r.se[RC_FIT_A] * r.se[RC_FIT_ALPHA]), "",
            "a standard error of A or alpha is 0");
  meta_stat(&j->meta, "corr_B_beta",
            r.cov[RC_FIT_B][RC_FIT_BETA] / (r.se[RC_FIT_B] * r.se[RC_FIT_BETA]), "",
            "a standard error of B or beta is 0");
  int outside = 0;
  if (!isnan(expect))
    outside |= verdict(&j->meta, args, "expect", "alpha", expect, r.lo[RC_FIT_ALPHA],
                       r.hi[RC_FIT_ALPHA], r.level);
  if (!isnan(expect2))
    outside |= verdict(&j->meta, args, "expect2", "beta", expect2, r.lo[RC_FIT_BETA],
                       r.hi[RC_FIT_BETA], r.level);
  fit_rows rows = {0};
  for (int k = 0; k < RC_FIT_NPARAM; k++)
    fit_row(&rows, rc_fit_param_name(k), r.value[k], r.se[k], r.lo[k], r.hi[k]);
  if (rows_finite(&rows))
    return CLI_EXIT_BAD;
  cli_figure fig;
  fit_figure ff = {"", NULL, 0};
  /* the figure keeps pointers to its texts until it is written: they live as long as it */
  char label[200], title[1100], xn[300], yn[300], x2n[300];
  if (j->out.plot) {
    snprintf(label, sizeof label, "fit: α = %.3g, β = %.3g", r.value[RC_FIT_ALPHA],
             r.value[RC_FIT_BETA]);
    column_name(j, j->cx, xn, sizeof xn);
    column_name(j, j->cy, yn, sizeof yn);
    column_name(j, j->cx2, x2n, sizeof x2n);
    snprintf(title, sizeof title,
             "joint fit %s = E + A %s^-alpha + B %s^-beta with its %.10g%% confidence band", yn, xn,
             x2n, 100 * r.level);
    joint_functions(&ff, &r);
    if (fit_figure_make(j, &fig, &ff, 1, joint_at, &r, 0, title, label))
      return CLI_EXIT_BAD;
  }
  const int st = write_result(j, &rows, j->out.plot ? &fig : NULL, j->out.plot ? &ff : NULL);
  free(ff.points);
  if (st)
    return CLI_EXIT_BAD;
  return outside ? CLI_EXIT_DISAGREE : CLI_EXIT_OK;
}

int cmd_fit(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(fit_groups, N_FIT_GROUPS, 1, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc fit FILE --x COLUMN --y COLUMN [--floor VALUE] [--se COLUMN [--se-relative]] "
        "[--expect E] [--level L] [--where COLUMN=VALUE] [--drop-nonpositive] "
        "[--format tsv|csv|json] [--output FILE] [--plot FILE]\n"
        "       riskcalc fit FILE --joint --x COLUMN --x2 COLUMN --y COLUMN [--floor E] "
        "[--se COLUMN [--se-relative]] [--expect ALPHA] [--expect2 BETA] [--max-iter K] ...",
        "Fits a power law to two columns of a table (TSV or CSV as riskcalc writes it: '#'\n"
        "comment lines, one header row, numeric rows; a file without header is addressed by\n"
        "column index). Single fit: y - floor = c x^-e by least squares on log-log axes.\n"
        "Joint fit (--joint): y = E + A x^-alpha + B x2^-beta, e.g. risk over a grid of M and\n"
        "N. Output: rows parameter estimate se lo95 hi95 (interval at --level), with the fit\n"
        "statistics in the '#' header. Intervals use the Student t quantile when the noise is\n"
        "estimated from the residuals, the normal quantile when --se gives known standard\n"
        "errors. docs/FIT.md has the details. Exit status: 0 success, 1 an --expect/--expect2\n"
        "value lies outside its interval (the table is still written), 2 bad input or a fit\n"
        "that failed (including non-convergence, reported with its residual).",
        fit_groups, N_FIT_GROUPS);
    return CLI_EXIT_OK;
  }
  if (args.npositional != 1) {
    cli_error("fit needs the input FILE (try riskcalc fit --help)");
    return CLI_EXIT_BAD;
  }
  const int joint = cli_has(&args, "joint");
  if (!cli_has(&args, "x") || !cli_has(&args, "y")) {
    cli_error("--x and --y are required");
    return CLI_EXIT_BAD;
  }
  if (joint && !cli_has(&args, "x2")) {
    cli_error("--joint needs --x2, the second abscissa");
    return CLI_EXIT_BAD;
  }
  static const char *const joint_only[] = {"x2", "expect2", "max-iter"};
  for (size_t k = 0; !joint && k < sizeof joint_only / sizeof joint_only[0]; k++)
    if (cli_has(&args, joint_only[k])) {
      cli_error("--%s needs --joint", joint_only[k]);
      return CLI_EXIT_BAD;
    }
  if (cli_has(&args, "se-relative") && !cli_has(&args, "se")) {
    cli_error("--se-relative needs --se");
    return CLI_EXIT_BAD;
  }
  fit_job j;
  memset(&j, 0, sizeof j);
  j.path = args.positional[0];
  j.cse = j.cx2 = -1;
  int status = CLI_EXIT_BAD;
  j.out.output = cli_get(&args, "output");
  j.out.plot = cli_get(&args, "plot");
  j.where = cli_get(&args, "where");
  cli_outputs_add_input(&j.out, NULL, j.path);
  if (cli_plot_style_parse(&args, &j.out))
    goto done;
  if (cli_parse_format(cli_get(&args, "format"), &j.out.format) ||
      cli_get_double(&args, "level", 0.95, &j.level))
    goto done;
  if (!(j.level > 0 && j.level < 1)) {
    cli_error("--level: %s is not in (0, 1)", cli_get(&args, "level"));
    goto done;
  }
  if (cli_outputs_check(&j.out) || fit_table_read(j.path, &j.t))
    goto done;
  if ((j.cx = fit_table_column(&j.t, j.path, "x", cli_get(&args, "x"))) < 0 ||
      (j.cy = fit_table_column(&j.t, j.path, "y", cli_get(&args, "y"))) < 0 ||
      (cli_has(&args, "se") &&
       (j.cse = fit_table_column(&j.t, j.path, "se", cli_get(&args, "se"))) < 0) ||
      (joint && (j.cx2 = fit_table_column(&j.t, j.path, "x2", cli_get(&args, "x2"))) < 0))
    goto done;
  cli_meta_add(&j.meta, "riskcalc", "%s", rc_version());
  cli_meta_add(&j.meta, "command", "%s", command_line);
  cli_meta_add(&j.meta, "input", "%s (%zu data rows)", j.path, j.t.nrows);
  if (cli_has(&args, "where"))
    cli_meta_add(&j.meta, "where", "%s", cli_get(&args, "where"));
  {
    char name[300];
    column_name(&j, j.cx, name, sizeof name);
    cli_meta_param_string(&j.meta, "x", name);
    column_name(&j, j.cy, name, sizeof name);
    cli_meta_param_string(&j.meta, "y", name);
    if (j.cse >= 0) {
      column_name(&j, j.cse, name, sizeof name);
      cli_meta_param_string(&j.meta, "se", name);
    }
    if (joint) {
      column_name(&j, j.cx2, name, sizeof name);
      cli_meta_param_string(&j.meta, "x2", name);
    }
    cli_meta_param_number(&j.meta, "level", j.level);
  }
  if (!cli_parse_only)
    status = joint ? run_joint(&j, &args) : run_single(&j, &args);
  else
    status = CLI_EXIT_OK;
done:
  job_free(&j);
  return status;
}
