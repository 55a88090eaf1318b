/* Figures through gnuplot. Each figure keeps its data (<base>.dat) and script (<base>.gp)
 * next to it so a user can restyle and rerun it: gnuplot <base>.gp.
 *
 * No character of a path is ever interpreted by gnuplot: paths enter the scripts only as
 * string expressions built by gp_string (see there), and gnuplot runs on a copy of the script
 * that names the run's temporaries, fed on its standard input; its messages go to an unnamed
 * temporary file. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "figure.h"
#include "riskcalc/io.h"

extern char **environ;

int cli_plot_extension_ok(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  return dot && !(slash && dot < slash) &&
         (strcmp(dot, ".png") == 0 || strcmp(dot, ".svg") == 0 || strcmp(dot, ".pdf") == 0);
}

int cli_gnuplot_available(void) {
  const char *path = getenv("PATH");
  if (!path)
    return 1;
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    const size_t n = colon ? (size_t)(colon - p) : strlen(p);
    char file[4096];
    struct stat st;
    /* An empty entry is the current directory. */
    if (snprintf(file, sizeof file, "%.*s%sgnuplot", (int)n, n ? p : ".", "/") < (int)sizeof file &&
        stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
      return 1;
    if (!colon)
      return 0;
    p = colon + 1;
  }
}

/* Writes path as a gnuplot string expression whose value is exactly its bytes. gnuplot does
 * no substitution inside single quotes (no backquote command, no @macro, no backslash escape;
 * '' is a quote), but a single-quoted string cannot hold a line break: control characters go
 * into double-quoted octal escapes joined with '.'. A relative path whose first character
 * gnuplot would read as a command ('<' and '|' open pipes), a datablock ('$'), a home
 * directory ('~') or an option is written with a leading "./". */
static void gp_string(FILE *f, const char *path) {
  const unsigned char first = (unsigned char)path[0];
  const int plain = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                    (first >= '0' && first <= '9') || first == '.' || first == '_' || first == '/';
  int open = 0; /* inside a single-quoted run */
  if (!plain) {
    fputs("'./", f);
    open = 1;
  }
  for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
    if (*c < 0x20 || *c == 0x7f) {
      fprintf(f, "%s\"\\%03o\"", open ? "'." : (c == (const unsigned char *)path ? "" : "."), *c);
      open = 0;
      continue;
    }
    if (!open) {
      fputs(c == (const unsigned char *)path ? "'" : ".'", f);
      open = 1;
    }
    if (*c == '\'')
      fputs("''", f);
    else
      fputc(*c, f);
  }
  if (open)
    fputc('\'', f);
}

/* The rerun hint in the script's first comment line: the path as a shell word (quoted when
 * needed), with control characters shown as '?' so the comment stays one line. */
static void hint_word(FILE *f, const char *base, const char *ext) {
  char *word = cli_shell_word(base);
  if (!word)
    return;
  const char *lead = word[0] == '-' ? "./" : "";
  fputs(lead, f);
  for (const char *c = word; *c; c++)
    fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, f);
  fputs(ext, f);
  free(word);
}

/* ---- the script ------------------------------------------------------------------------ */

/* Text (a title, a label, a legend entry) as a gnuplot string expression: gp_string without
 * the "./" a path may need. Titles are set noenhanced, so no character is markup. */
static void gp_text(FILE *f, const char *text) {
  if (!text || !*text) {
    fputs("''", f);
    return;
  }
  int open = 0;
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    /* A leading quote too: gnuplot does not read a single-quoted string opening with two. */
    if (*c < 0x20 || *c == 0x7f || (*c == '\'' && c == (const unsigned char *)text)) {
      fprintf(f, "%s\"\\%03o\"", open ? "'." : (c == (const unsigned char *)text ? "" : "."), *c);
      open = 0;
      continue;
    }
    if (!open) {
      fputs(c == (const unsigned char *)text ? "'" : ".'", f);
      open = 1;
    }
    if (*c == '\'')
      fputs("''", f);
    else
      fputc(*c, f);
  }
  if (open)
    fputc('\'', f);
}

/* A number as the shortest text that reads back (gnuplot reads it as a double). */
static const char *num(double x, char *buf) {
  return rc_io_format_double(x, buf, RC_IO_DOUBLE_CHARS);
}

/* A coordinate's value in a legend: whole numbers written out (1000, not 1e3). */
static const char *value_text(double x, char *buf) {
  if (x == floor(x) && fabs(x) < 1e9) {
    snprintf(buf, RC_IO_DOUBLE_CHARS, "%.0f", x);
    return buf;
  }
  return num(x, buf);
}

/* An axis end: 6 digits are plenty for a range. */
static const char *end6(double x, char *buf) {
  snprintf(buf, RC_IO_DOUBLE_CHARS, "%.6g", x);
  return num(strtod(buf, NULL), buf);
}

/* ---- ticks: readable labels whatever the range ---- */

#define MAX_TICS 160
typedef struct {
  double v;
  char label[48];
  int minor;
} tic;

/* A tick label: 10^{k} for powers of ten on a log axis that spans decades, else the value
 * rounded to 12 digits as typed (a x 10^{k} outside [1e-3, 1e5)). */
static void tic_label(double v, int decade, char *buf, size_t n) {
  const int k = (int)lround(log10(fabs(v)));
  if (decade) {
    snprintf(buf, n, "10^{%d}", k);
    return;
  }
  char r[RC_IO_DOUBLE_CHARS];
  snprintf(r, sizeof r, "%.12g", v);
  const double rv = strtod(r, NULL);
  if (rv == 0 || (fabs(rv) >= 1e-3 && fabs(rv) < 1e5)) {
    snprintf(buf, n, "%s", r); /* plain: 1000, 0.002 */
    return;
  }
  const int e = (int)floor(log10(fabs(rv)) + 1e-12);
  char m[RC_IO_DOUBLE_CHARS];
  snprintf(m, sizeof m, "%.12g", rv / pow(10, e));
  num(strtod(m, NULL), m);
  if (strcmp(m, "1") == 0)
    snprintf(buf, n, "10^{%d}", e);
  else
    snprintf(buf, n, "%s×10^{%d}", m, e);
}

static size_t add_tic(tic *t, size_t n, double v, int minor, int decade) {
  if (n == MAX_TICS)
    return n;
  char r[RC_IO_DOUBLE_CHARS]; /* 12 digits: 3e-4, not 3.0000000000000003e-4; 0, not -0 */
  snprintf(r, sizeof r, "%.12g", v);
  v = strtod(r, NULL) + 0.0;
  t[n].v = v;
  t[n].minor = minor;
  if (minor)
    t[n].label[0] = '\0';
  else
    tic_label(v, decade, t[n].label, sizeof t[n].label);
  return n + 1;
}

/* Ticks of [lo, hi] (lo < hi): on a log axis decades (with minor ticks at 2..9 when they fit),
 * 1-2-5 within one to three decades, and linear steps of 1, 2, 2.5 or 5 times a power of ten
 * within a decade, always at least two labelled ticks; on a linear axis linear steps. */
static size_t nice_tics(double lo, double hi, int logscale, tic *t) {
  size_t n = 0;
  const double span = logscale ? log10(hi / lo) : 0;
  if (logscale && span >= 2.5) {
    const int k0 = (int)ceil(log10(lo) - 1e-9), k1 = (int)floor(log10(hi) + 1e-9);
    const int step = span > 30 ? 10 : span > 15 ? 5 : span > 10 ? 2 : 1;
    for (int k = (int)floor(log10(lo)); k <= k1; k++) {
      const double d = pow(10, k);
      if (k >= k0 && (k % step) == 0)
        n = add_tic(t, n, d, 0, 1);
      else if (k >= k0)
        n = add_tic(t, n, d, 1, 1);
      for (int m = 2; m <= 9 && step == 1 && span <= 8; m++)
        if (m * d >= lo && m * d <= hi)
          n = add_tic(t, n, m * d, 1, 1);
    }
    return n;
  }
  if (logscale && span >= 1) {
    static const int major[] = {1, 2, 5};
    for (int k = (int)floor(log10(lo)); k <= (int)floor(log10(hi)); k++)
      for (int m = 1; m <= 9; m++) {
        const double v = m * pow(10, k);
        if (v < lo * (1 - 1e-12) || v > hi * (1 + 1e-12))
          continue;
        int is_major = 0;
        for (size_t j = 0; j < 3; j++)
          is_major |= m == major[j];
        n = add_tic(t, n, v, !is_major, 0);
      }
    return n;
  }
  /* Linear steps: about five labelled ticks. */
  double range = hi - lo;
  for (int tries = 0; tries < 4; tries++) {
    const double raw = range / 5, p = pow(10, floor(log10(raw))), r = raw / p;
    const double step = (r < 1.5    ? 1
                         : r < 2.25 ? 2
                         : r < 3.5  ? 2.5
                         : r < 7.5  ? 5
                                    : 10) *
                        p / (1 << tries);
    n = 0;
    for (double k = ceil(lo / step - 1e-9); k * step <= hi * (1 + 1e-12) + 1e-300; k++)
      n = add_tic(t, n, k * step, 0, 0);
    if (n >= 3)
      break;
  }
  return n;
}

/* set <axis>tics (...) with the ticks of [lo, hi]. */
static void write_tics_labelled(FILE *f, const char *axis, double lo, double hi, int logscale,
                                int labels) {
  tic t[MAX_TICS];
  const size_t n = nice_tics(lo, hi, logscale, t);
  char b[RC_IO_DOUBLE_CHARS];
  fprintf(f, "set %stics (", axis);
  for (size_t k = 0; k < n; k++)
    fprintf(f, "%s\"%s\" %s%s", k ? ", " : "", labels ? t[k].label : "", num(t[k].v, b),
            t[k].minor ? " 1" : "");
  fputs(")\n", f);
}

static void write_tics(FILE *f, const char *axis, double lo, double hi, int logscale) {
  write_tics_labelled(f, axis, lo, hi, logscale, 1);
}

/* ---- colours ---- */

/* Colours per quantity name, the same in every figure (Okabe-Ito, readable by colour-blind
 * readers); other names take the rest in order. */
static const char *quantity_colour(const char *name, size_t position) {
  static const struct {
    const char *name, *colour;
  } fixed[] = {{"risk", "#000000"},
               {"excess", "#009E73"},
               {"approx", "#E69F00"},
               {"bias", "#0072B2"},
               {"variance", "#D55E00"}};
  static const char *const others[] = {"#CC79A7", "#56B4E9", "#7F7F7F", "#8C564B", "#17BECF"};
  for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
    if (strcmp(name, fixed[k].name) == 0)
      return fixed[k].colour;
  return others[position % (sizeof others / sizeof others[0])];
}

/* A lighter tint of colour (#RRGGBB), for a theory line under the simulated points. */
static void tint(const char *colour, char *buf) {
  unsigned c[3];
  sscanf(colour + 1, "%2x%2x%2x", &c[0], &c[1], &c[2]);
  snprintf(buf, 8, "#%02X%02X%02X", (unsigned)(0.55 * c[0] + 0.45 * 255),
           (unsigned)(0.55 * c[1] + 0.45 * 255), (unsigned)(0.55 * c[2] + 0.45 * 255));
}

/* The colour of quantity q, drawn j-th. */
static const char *qcolour(const cli_quantity *q, size_t j) {
  return q->colour ? q->colour : quantity_colour(q->name, j);
}

/* Viridis (perceptually uniform, readable in grey), as gnuplot palette stops. */
static const char *const viridis[] = {"#440154", "#482878", "#3E4A89", "#31688E", "#26828E",
                                      "#1F9E89", "#35B779", "#6DCD59", "#B4DE2C", "#FDE725"};
#define N_VIRIDIS (sizeof viridis / sizeof viridis[0])

/* The colour of member k of n in a family: viridis from dark to green (the yellow end is
 * unreadable on white). */
static void member_colour(size_t k, size_t n, char *buf) {
  const double t = n > 1 ? 0.82 * (double)k / (double)(n - 1) : 0;
  const double pos = t * (N_VIRIDIS - 1);
  const size_t i = (size_t)pos < N_VIRIDIS - 1 ? (size_t)pos : N_VIRIDIS - 2;
  const double w = pos - (double)i;
  unsigned a[3], b[3];
  sscanf(viridis[i] + 1, "%2x%2x%2x", &a[0], &a[1], &a[2]);
  sscanf(viridis[i + 1] + 1, "%2x%2x%2x", &b[0], &b[1], &b[2]);
  snprintf(buf, 8, "#%02X%02X%02X", (unsigned)lround(a[0] + w * ((double)b[0] - a[0])),
           (unsigned)lround(a[1] + w * ((double)b[1] - a[1])),
           (unsigned)lround(a[2] + w * ((double)b[2] - a[2])));
}

/* ---- what is drawn, from the rows ---- */

typedef struct {
  const cli_figure *fig;
  const cli_table *t;
  const cli_plot_style *style;
  figure_plan plan;
  double *xs, *ms; /* distinct values of the abscissa and of the members' axis */
  size_t nx, nm;
  int grid;        /* rows are the grid, axis 0 fastest: members are row ranges or strides */
  int logx;        /* the abscissa is logarithmic (every value > 0) */
  double ylo, yhi; /* the value axis */
  char note[CLI_MAX_QUANTITIES][160];
} scene;

static size_t col_x(const scene *s) {
  return s->fig->axis[s->plan.x].col;
}

/* The abscissa: the data's range with a 3% margin (in log on a log axis). */
static void x_range(const scene *s, double *lo, double *hi) {
  double xlo = s->nx ? s->xs[0] : 1, xhi = s->nx ? s->xs[s->nx - 1] : 10;
  if (s->logx) {
    const double span = xhi > xlo ? log10(xhi / xlo) : 0.3;
    xlo /= pow(10, 0.03 * span);
    xhi *= pow(10, 0.03 * span);
  } else {
    const double span = xhi > xlo ? xhi - xlo : fmax(fabs(xhi), 1) * 0.2;
    xlo -= 0.03 * span;
    xhi += 0.03 * span;
  }
  *lo = xlo;
  *hi = xhi;
}

/* Extends [*lo, *hi] by v when it can be drawn (positive on a log axis). */
static void extend(double v, int logscale, double *lo, double *hi) {
  if (!isfinite(v) || (logscale && !(v > 0)))
    return;
  *lo = fmin(*lo, v);
  *hi = fmax(*hi, v);
}

/* The value axis: every drawn value (error bars, bands, theories, the noise line), clipped to
 * six decades below the largest on a log axis; --ymin/--ymax override. Returns 0 when nothing
 * can be drawn. */
static int value_range(scene *s) {
  const cli_figure *fig = s->fig;
  const int lg = fig->log_y;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t j = 0; j < s->plan.nsel; j++) {
    const cli_quantity *q = &fig->q[s->plan.sel[j]];
    for (size_t r = 0; r < s->t->nrows; r++) {
      const double v = figure_cell(s->t, r, q->col);
      extend(v, lg, &lo, &hi);
      if (q->se_col) {
        const double se = figure_cell(s->t, r, q->se_col);
        extend(v + 2 * se, lg, &lo, &hi);
        extend(v - 2 * se, lg, &lo, &hi);
      }
      if (q->lo_col && q->hi_col) {
        extend(figure_cell(s->t, r, q->lo_col), lg, &lo, &hi);
        extend(figure_cell(s->t, r, q->hi_col), lg, &lo, &hi);
      }
      if (q->theory_col)
        extend(figure_cell(s->t, r, q->theory_col), lg, &lo, &hi);
    }
  }
  if (s->plan.noise)
    extend(fig->noise, lg, &lo, &hi);
  for (size_t k = 0; fig->mode == CLI_FIGURE_RESULT && k < fig->nhlines; k++)
    extend(fig->hline[k], lg, &lo, &hi);
  for (size_t k = 0; fig->mode == CLI_FIGURE_RESULT && k < fig->nmarks; k++)
    extend(fig->mark_y[k], lg, &lo, &hi);
  if (!(lo <= hi))
    return 0;
  if (lg)
    lo = fmax(lo, hi * 1e-6);
  /* A margin: 4% of the span below, 6% above (the points at the ends stay whole). */
  if (lg) {
    const double span = hi > lo ? log10(hi / lo) : 0.1;
    lo /= pow(10, 0.04 * span);
    hi *= pow(10, 0.06 * span);
  } else {
    const double span = hi > lo ? hi - lo : fmax(fabs(hi), 1) * 0.1;
    lo -= 0.04 * span;
    hi += 0.06 * span;
  }
  if (!isnan(s->style->ymin))
    lo = s->style->ymin;
  if (!isnan(s->style->ymax))
    hi = s->style->ymax;
  if (lg && !(lo > 0))
    lo = hi * 1e-6;
  s->ylo = lo;
  s->yhi = hi;
  return lo < hi;
}

/* The legend's note on a quantity whose values leave the value axis. */
static void range_notes(scene *s) {
  const cli_figure *fig = s->fig;
  const size_t xc = col_x(s);
  for (size_t j = 0; j < s->plan.nsel; j++) {
    const cli_quantity *q = &fig->q[s->plan.sel[j]];
    double first_out = INFINITY, last_in = -INFINITY;
    size_t below = 0, above = 0, in = 0;
    for (size_t r = 0; r < s->t->nrows; r++) {
      const double v = figure_cell(s->t, r, q->col), x = figure_cell(s->t, r, xc);
      if (!isfinite(v))
        continue;
      if (v < s->ylo || (fig->log_y && !(v > 0))) {
        below++;
        first_out = fmin(first_out, x);
      } else if (v > s->yhi) {
        above++;
        first_out = fmin(first_out, x);
      } else {
        in++;
        last_in = fmax(last_in, x);
      }
    }
    char *note = s->note[j], b[RC_IO_DOUBLE_CHARS], lim[48];
    const size_t n = sizeof s->note[j];
    /* Two digits, plain text (legends are not enhanced): 4e-7. */
    snprintf(lim, sizeof lim, "%.2g", below ? s->ylo : s->yhi);
    num(strtod(lim, NULL), lim);
    const char *side = below ? "below" : "above";
    if (below + above == 0)
      note[0] = '\0';
    else if (in == 0)
      snprintf(note, n, " (%s the axis everywhere)", side);
    else if (below && above)
      snprintf(note, n, " (partly outside the axis)");
    else if (first_out > last_in && s->plan.kind != FIGURE_FAMILY)
      snprintf(note, n, " (%s %s from %s = %s on)", side, lim, fig->axis[s->plan.x].name,
               value_text(first_out, b));
    else
      snprintf(note, n, " (partly %s the axis)", side);
  }
}

/* Rows are the grid with axis 0 fastest: row r has the axis-0 value of row r % n0 and the
 * axis-1 value of row r - r % n0. */
static int grid_ordered(const scene *s, size_t n0) {
  const cli_figure *fig = s->fig;
  if (!fig->axis[1].col || n0 == 0 || s->t->nrows % n0)
    return 0;
  for (size_t r = 0; r < s->t->nrows; r++)
    if (figure_cell(s->t, r, fig->axis[0].col) != figure_cell(s->t, r % n0, fig->axis[0].col) ||
        figure_cell(s->t, r, fig->axis[1].col) != figure_cell(s->t, r - r % n0, fig->axis[1].col))
      return 0;
  return 1;
}

/* The rows of member k: a gnuplot "every" clause, or a filter on the member's column (then
 * *filter is set and the caller wraps the value in it). */
static void member_rows(const scene *s, size_t k, char *every, size_t n, char *filter, size_t fn) {
  char b[RC_IO_DOUBLE_CHARS];
  every[0] = filter[0] = '\0';
  if (s->grid && s->plan.member == 1) {
    const size_t n0 = s->t->nrows / s->nm;
    /* members are consecutive blocks of n0 rows, in the order of the table */
    const double v = s->ms[k];
    for (size_t b0 = 0; b0 < s->nm; b0++)
      if (figure_cell(s->t, b0 * n0, s->fig->axis[1].col) == v) {
        snprintf(every, n, " every ::%zu::%zu", b0 * n0, b0 * n0 + n0 - 1);
        return;
      }
  } else if (s->grid && s->plan.member == 0) {
    const size_t n0 = s->nm;
    for (size_t r = 0; r < n0; r++)
      if (figure_cell(s->t, r, s->fig->axis[0].col) == s->ms[k]) {
        snprintf(every, n, " every %zu::%zu", n0, r);
        return;
      }
  }
  snprintf(filter, fn, "$%zu == %s", s->fig->axis[s->plan.member].col, num(s->ms[k], b));
}

/* The y expression of column col, kept to the rows of a filter: ($c == v ? $col : NaN). */
static void y_expr(char *buf, size_t n, size_t col, const char *filter, const char *scale) {
  if (filter[0])
    snprintf(buf, n, "(%s ? %s$%zu : NaN)", filter, scale, col);
  else if (scale[0])
    snprintf(buf, n, "(%s$%zu)", scale, col);
  else
    snprintf(buf, n, "%zu", col);
}

/* Legend text of quantity j (with its range note) and member k ("M = 16"). */
static void legend(FILE *f, const scene *s, size_t j, long member) {
  const cli_quantity *q = &s->fig->q[s->plan.sel[j]];
  char text[400], b[RC_IO_DOUBLE_CHARS];
  if (member >= 0)
    snprintf(text, sizeof text, "%s = %s", s->fig->axis[s->plan.member].name,
             value_text(s->ms[member], b));
  else
    snprintf(text, sizeof text, "%s%s", q->label, s->note[j]);
  fputs(" title ", f);
  gp_text(f, text);
}

/* One quantity of one member (member < 0: every row) as plot elements. */
static void series(FILE *f, const scene *s, size_t j, long member, const char *colour, int dash,
                   int labelled, int *first) {
  const cli_quantity *q = &s->fig->q[s->plan.sel[j]];
  char every[64] = "", filter[96] = "", y[160], lo[160], hi[160], se[160];
  if (member >= 0)
    member_rows(s, (size_t)member, every, sizeof every, filter, sizeof filter);
  const size_t xc = col_x(s);
  const int family = member >= 0;
  y_expr(y, sizeof y, q->col, filter, "");
  if (q->lo_col && q->hi_col) {
    y_expr(lo, sizeof lo, q->lo_col, filter, "");
    y_expr(hi, sizeof hi, q->hi_col, filter, "");
    fprintf(f,
            "%s  datafile using %zu:%s:%s%s with filledcurves fc rgb '%s' fs transparent "
            "solid 0.18 noborder",
            *first ? "" : ", \\\n", xc, lo, hi, every, colour);
    *first = 0;
    if (labelled && q->band_label && !family) {
      fputs(" title ", f);
      gp_text(f, q->band_label);
    } else {
      fputs(" notitle", f);
    }
  }
  if (q->se_col) {
    /* A simulation: points with 2-se error bars, joined by a thin line unless a theory line
     * runs through them. */
    y_expr(se, sizeof se, q->se_col, filter, "2*");
    if (!q->theory_col) {
      fprintf(f, "%s  datafile using %zu:%s%s%s with lines lw 1 dt %d lc rgb '%s' notitle",
              *first ? "" : ", \\\n", xc, y, every, filter[0] ? "" : " smooth unique", dash,
              colour);
      *first = 0;
    }
    fprintf(f, "%s  datafile using %zu:%s:%s%s with yerrorbars pt %d ps 0.75 lw 1.5 lc rgb '%s'",
            *first ? "" : ", \\\n", xc, y, se, every, 5 + 2 * dash, colour);
    *first = 0;
  } else {
    /* A theory: a line through its points. */
    fprintf(f, "%s  datafile using %zu:%s%s%s with linespoints lw 2 dt %d pt 7 ps 0.45 lc rgb '%s'",
            *first ? "" : ", \\\n", xc, y, every, filter[0] ? "" : " smooth unique", dash, colour);
    *first = 0;
  }
  if (labelled)
    legend(f, s, j, member);
  else
    fputs(" notitle", f);
}

/* The curves of a result or compare figure (upper panel). */
static void plot_curves(FILE *f, const scene *s) {
  const cli_figure *fig = s->fig;
  char b[RC_IO_DOUBLE_CHARS];
  int first = 1;
  for (size_t k = 0; fig->mode == CLI_FIGURE_RESULT && k < fig->nmarks; k++)
    fprintf(f, "set arrow from %s, graph 0 to %s, graph 1 nohead dt 3 lc rgb '#888888'\n",
            num(fig->mark_x[k], b), b);
  fputs("plot \\\n", f);
  if (s->plan.kind == FIGURE_FAMILY) {
    for (size_t k = 0; k < s->nm; k++) {
      char colour[8];
      member_colour(k, s->nm, colour);
      for (size_t j = 0; j < s->plan.nsel; j++) {
        const cli_quantity *q = &fig->q[s->plan.sel[j]];
        if (q->theory_col) { /* compare: the theory as a line of the member's colour */
          char every[64], filter[96], y[160], light[8];
          member_rows(s, k, every, sizeof every, filter, sizeof filter);
          y_expr(y, sizeof y, q->theory_col, filter, "");
          tint(colour, light);
          fprintf(f, "%s  datafile using %zu:%s%s%s with lines lw 2.5 dt %d lc rgb '%s' notitle",
                  first ? "" : ", \\\n", col_x(s), y, every, filter[0] ? "" : " smooth unique",
                  (int)j + 1, light);
          first = 0;
        }
        series(f, s, j, (long)k, colour, (int)j + 1, j == 0, &first);
      }
    }
    /* With several quantities, the line style of each (in black). */
    for (size_t j = 0; s->plan.nsel > 1 && j < s->plan.nsel; j++) {
      const cli_quantity *q = &fig->q[s->plan.sel[j]];
      if (q->se_col && q->theory_col)
        fprintf(f, ", \\\n  NaN with linespoints lw 2 dt %zu pt %zu lc rgb '#000000' title ", j + 1,
                5 + 2 * (j + 1));
      else if (q->se_col)
        fprintf(f, ", \\\n  NaN with yerrorbars pt %zu lw 1.5 lc rgb '#000000' title ",
                5 + 2 * (j + 1));
      else
        fprintf(f, ", \\\n  NaN with lines lw 2 dt %zu lc rgb '#000000' title ", j + 1);
      char text[200];
      /* A compare figure names the quantity (its theory dashed, its simulation by the point). */
      snprintf(text, sizeof text, "%s%s", fig->mode == CLI_FIGURE_COMPARE ? q->name : q->label,
               s->note[j]);
      gp_text(f, text);
    }
  } else {
    for (size_t j = 0; j < s->plan.nsel; j++) {
      const cli_quantity *q = &fig->q[s->plan.sel[j]];
      const char *colour = qcolour(q, j);
      if (q->theory_col) {
        char light[8];
        tint(colour, light);
        fprintf(f, "%s  datafile using %zu:%zu smooth unique with lines lw 2.5 lc rgb '%s' title ",
                first ? "" : ", \\\n", col_x(s), q->theory_col, light);
        char text[200];
        snprintf(text, sizeof text, "%s: theory", q->name);
        gp_text(f, text);
        first = 0;
      }
      series(f, s, j, -1, colour, 1, 1, &first);
    }
  }
  if (s->plan.noise) {
    char text[64];
    snprintf(text, sizeof text, "noise σ² = %s", num(fig->noise, b));
    fprintf(f, ", \\\n  %s with lines lw 1.5 dt 2 lc rgb '#777777' title ", b);
    gp_text(f, text);
  }
  for (size_t k = 0; fig->mode == CLI_FIGURE_RESULT && k < fig->nhlines; k++) {
    fprintf(f, ", \\\n  %s with lines lw 1.5 dt 4 lc rgb '#555555' title ", num(fig->hline[k], b));
    gp_text(f, fig->hline_label[k]);
  }
  for (size_t k = 0; fig->mode == CLI_FIGURE_RESULT && k < fig->nmarks; k++) {
    char c[RC_IO_DOUBLE_CHARS];
    fprintf(f,
            ", \\\n  '+' using (%s):(%s) every ::0::0 with points pt 6 ps 2 lw 2 lc rgb '#000000' "
            "title ",
            num(fig->mark_x[k], b), num(fig->mark_y[k], c));
    gp_text(f, fig->mark_label[k]);
  }
  fputc('\n', f);
}

/* Cell edges of sorted values v[0..n-1] (n >= 2), geometric midpoints, the end cells as wide
 * (in log) as their neighbours' halves: gnuplot functions lo(x) and hi(x). */
static void cell_functions(FILE *f, const char *name, const double *v, size_t n, int logscale,
                           double *first, double *last) {
  double *e = malloc((n + 1) * sizeof *e);
  if (!e)
    return;
  /* Edges at the midpoints (geometric on a log axis), the end cells as wide as their
   * neighbours' halves: every value owns one cell centred on it when the grid is uniform. */
  for (size_t i = 1; i < n; i++)
    e[i] = logscale ? sqrt(v[i - 1] * v[i]) : (v[i - 1] + v[i]) / 2;
  e[0] = logscale ? v[0] * v[0] / e[1] : 2 * v[0] - e[1];
  e[n] = logscale ? v[n - 1] * v[n - 1] / e[n - 1] : 2 * v[n - 1] - e[n - 1];
  char b[RC_IO_DOUBLE_CHARS];
  for (int side = 0; side < 2; side++) {
    fprintf(f, "%s%s(x) = ", name, side ? "hi" : "lo");
    for (size_t i = 1; i < n; i++) {
      fprintf(f, "x < %s ? ", num(e[i], b));
      fprintf(f, "%s : ", num(e[side ? i : i - 1], b));
    }
    fprintf(f, "%s\n", num(e[side ? n : n - 1], b));
  }
  *first = e[0];
  *last = e[n];
  free(e);
}

/* Axis tics at the grid values when they are few, else readable ticks. */
static void grid_tics(FILE *f, const char *axis, const double *v, size_t n, double lo, double hi,
                      int logscale) {
  if (n > 12) {
    write_tics(f, axis, lo, hi, logscale);
    return;
  }
  char b[RC_IO_DOUBLE_CHARS], l[48];
  fprintf(f, "set %stics (", axis);
  for (size_t k = 0; k < n; k++) {
    tic_label(v[k], 0, l, sizeof l);
    fprintf(f, "%s\"%s\" %s", k ? ", " : "", l, num(v[k], b));
  }
  fputs(")\n", f);
}

static void plot_heatmap(FILE *f, const scene *s, const char *data_expr) {
  const cli_figure *fig = s->fig;
  const cli_quantity *q = &fig->q[s->plan.sel[0]];
  double *v0, *v1;
  const size_t n0 = figure_distinct(s->t, fig->axis[0].col, &v0);
  const size_t n1 = figure_distinct(s->t, fig->axis[1].col, &v1);
  /* An axis is logarithmic unless a value cannot sit on one (0, a ridge lambda). */
  const int logx = n0 && v0[0] > 0, logy = n1 && v1[0] > 0, logz = !fig->linear_z;
  double x0 = 1, x1 = 10, y0 = 1, y1 = 10, zlo = INFINITY, zhi = -INFINITY;
  char b[RC_IO_DOUBLE_CHARS], c[RC_IO_DOUBLE_CHARS];
  if (n0 >= 2 && n1 >= 2) {
    cell_functions(f, "x", v0, n0, logx, &x0, &x1);
    cell_functions(f, "y", v1, n1, logy, &y0, &y1);
  }
  for (size_t r = 0; r < s->t->nrows; r++)
    extend(figure_cell(s->t, r, q->col), logz, &zlo, &zhi);
  int below = 0;
  if (zlo <= zhi) {
    if (logz && zlo < zhi * 1e-6) {
      zlo = zhi * 1e-6;
      below = 1;
    }
    if (!logz && zlo > 0)
      zlo = 0; /* a linear scale from 0 */
    if (!isnan(s->style->ymin))
      zlo = s->style->ymin, below = 1;
    if (!isnan(s->style->ymax))
      zhi = s->style->ymax;
    if (zlo == zhi)
      zlo = logz ? zlo / 1.1 : zlo - 1, zhi = logz ? zhi * 1.1 : zhi + 1;
  } else {
    zlo = logz ? 1 : 0, zhi = 10;
  }
  const char *lx = logx ? "log10($%zu)" : "$%zu", *ly = logy ? "log10($%zu)" : "$%zu";
  if (s->style->contours) {
    tic t[MAX_TICS];
    const size_t nt = nice_tics(zlo, zhi, logz, t);
    fputs("# contour lines at the labelled values of the colour bar, computed on the grid (in "
          "log coordinates on log axes)\nset contour base\nunset surface\nset cntrparam linear\n"
          "set cntrparam levels discrete ",
          f);
    size_t written = 0;
    for (size_t k = 0; k < nt; k++)
      if (!t[k].minor)
        fprintf(f, "%s%s", written++ ? ", " : "", num(t[k].v, b));
    if (!written)
      fputs(num(logz ? sqrt(zlo * zhi) : (zlo + zhi) / 2, b), f);
    fputs("\nunset logscale\nset table $contour_lines\nsplot ", f);
    fprintf(f, "%s using (", data_expr);
    fprintf(f, lx, fig->axis[0].col);
    fputs("):(", f);
    fprintf(f, ly, fig->axis[1].col);
    fprintf(f, "):%zu with lines\nunset table\n", q->col);
    /* A header line first: the data are read with columnheaders. */
    fputs("set print $contours\nprint 'x y level'\n"
          "do for [i = 1:|$contour_lines|] { print $contour_lines[i] }\nset print\n",
          f);
    fputs("unset contour\nif (exists(\"tablefile\")) set table tablefile\n", f);
  }
  fprintf(f, "%sset logscale x\n%sset logscale y\n", logx ? "" : "un", logy ? "" : "un");
  fprintf(f, "set xrange [%s:%s]\n", num(x0, b), num(x1, c));
  fprintf(f, "set yrange [%s:%s]\n", num(y0, b), num(y1, c));
  grid_tics(f, "x", v0, n0, x0, x1, logx);
  grid_tics(f, "y", v1, n1, y0, y1, logy);
  fprintf(f, "%sset logscale cb\nset cbrange [%s:%s]\n", logz ? "" : "un", num(zlo, b),
          num(zhi, c));
  write_tics(f, "cb", zlo, zhi, logz);
  fputs("set palette defined (", f);
  for (size_t k = 0; k < N_VIRIDIS; k++)
    fprintf(f, "%s%zu '%s'", k ? ", " : "", k, viridis[k]);
  fputs(")\nset cblabel ", f);
  char text[300];
  snprintf(text, sizeof text, "%s%s", q->label,
           below ? " (values below the colour bar drawn in its lowest colour)" : "");
  gp_text(f, text);
  fprintf(f, " noenhanced\n%s\nunset grid\nset tics out\nset xtics nomirror\nset ytics nomirror\n",
          fig->noverlays ? "set key top left opaque box noenhanced" : "unset key");
  /* Cells overlap by about two pixels (two thousandths of the axis' span) so that no seam of
   * the background shows between them. */
  char ox[64], oy[64];
  if (logx)
    snprintf(ox, sizeof ox, "($%zu)/%.4f):(xhi($%zu)*%.4f", fig->axis[0].col, pow(x1 / x0, 0.002),
             fig->axis[0].col, pow(x1 / x0, 0.002));
  else
    snprintf(ox, sizeof ox, "($%zu)-%.4g):(xhi($%zu)+%.4g", fig->axis[0].col, 0.002 * (x1 - x0),
             fig->axis[0].col, 0.002 * (x1 - x0));
  if (logy)
    snprintf(oy, sizeof oy, "($%zu)/%.4f):(yhi($%zu)*%.4f", fig->axis[1].col, pow(y1 / y0, 0.003),
             fig->axis[1].col, pow(y1 / y0, 0.003));
  else
    snprintf(oy, sizeof oy, "($%zu)-%.4g):(yhi($%zu)+%.4g", fig->axis[1].col, 0.003 * (y1 - y0),
             fig->axis[1].col, 0.003 * (y1 - y0));
  fprintf(f,
          "plot %s using %zu:%zu:(xlo%s):(ylo%s):%zu with boxxyerror fs solid 1.0 noborder lc "
          "palette notitle",
          data_expr, fig->axis[0].col, fig->axis[1].col, ox, oy, q->col);
  if (s->style->contours) {
    fprintf(f, ", \\\n  $contours using (%s):(%s) with lines lw 1.2 lc rgb '#FFFFFF' notitle",
            logx ? "10**$1" : "$1", logy ? "10**$2" : "$2");
    fprintf(f,
            ", \\\n  $contours using (%s):(%s):(sprintf('%%g', $3)) every 12::6 with labels "
            "font ',8' tc rgb '#FFFFFF' notitle",
            logx ? "10**$1" : "$1", logy ? "10**$2" : "$2");
  }
  /* Overlays: curves of the first block (the rows of the first value of axis 1; the data of
   * a heat map are written in blocks). On a log axis a value <= 0 (a count still at 0) has no
   * place: it is left out rather than drawn outside the range. */
  for (size_t k = 0; k < fig->noverlays; k++) {
    if (logy)
      fprintf(f,
              ", \\\n  %s using %zu:($%zu > 0 ? $%zu : NaN) every :::0::0 with lines lw 3 lc "
              "rgb '#000000' title ",
              data_expr, fig->axis[0].col, fig->overlay_col[k], fig->overlay_col[k]);
    else
      fprintf(f, ", \\\n  %s using %zu:%zu every :::0::0 with lines lw 3 lc rgb '#000000' title ",
              data_expr, fig->axis[0].col, fig->overlay_col[k]);
    gp_text(f, fig->overlay_label[k]);
  }
  fputc('\n', f);
  free(v0);
  free(v1);
}

/* The lower panel of a compare figure: the z-score of every point, the band |z| <= 2 shaded
 * and the threshold dashed. */
static void plot_z_panel(FILE *f, const scene *s) {
  const cli_figure *fig = s->fig;
  double zmax = 0;
  for (size_t j = 0; j < s->plan.nsel; j++) {
    const cli_quantity *q = &fig->q[s->plan.sel[j]];
    for (size_t r = 0; q->z_col && r < s->t->nrows; r++) {
      const double z = figure_cell(s->t, r, q->z_col);
      if (isfinite(z))
        zmax = fmax(zmax, fabs(z));
    }
  }
  const double thr = isfinite(fig->zmax) ? fig->zmax : 4;
  const double top = fmax(fmax(2.5, 1.15 * zmax), 1.12 * thr);
  char b[RC_IO_DOUBLE_CHARS], c[RC_IO_DOUBLE_CHARS];
  fprintf(f, "unset logscale y\nset yrange [-%s:%s]\n", num(top, b), num(top, c));
  write_tics(f, "y", -top, top, 0);
  fputs("set format y '%g'\nset ylabel 'z = (mean - theory) / se'\nunset title\nunset key\n", f);
  fprintf(f,
          "plot \\\n  2 with filledcurves y=-2 fc rgb '#E8E8E8' fs solid 1.0 noborder notitle, "
          "\\\n  0 with lines lw 1 lc rgb '#777777' notitle, \\\n"
          "  %s with lines lw 1 dt 2 lc rgb '#B22222' notitle, \\\n"
          "  -%s with lines lw 1 dt 2 lc rgb '#B22222' notitle",
          num(thr, b), b);
  for (size_t j = 0; j < s->plan.nsel; j++) {
    const cli_quantity *q = &fig->q[s->plan.sel[j]];
    if (!q->z_col)
      continue;
    const size_t members = s->plan.kind == FIGURE_FAMILY ? s->nm : 1;
    for (size_t k = 0; k < members; k++) {
      char colour[8], every[64] = "", filter[96] = "", y[160];
      if (s->plan.kind == FIGURE_FAMILY) {
        member_colour(k, s->nm, colour);
        member_rows(s, k, every, sizeof every, filter, sizeof filter);
      } else {
        snprintf(colour, sizeof colour, "%s", qcolour(q, j));
      }
      y_expr(y, sizeof y, q->z_col, filter, "");
      fprintf(f, ", \\\n  datafile using %zu:%s%s with points pt %zu ps 0.9 lc rgb '%s' notitle",
              col_x(s), y, every, 7 + 2 * j, colour);
    }
  }
  fputc('\n', f);
}

/* The lower panel of a fit figure: residuals and the band of the fitted curve. */
static void plot_resid_panel(FILE *f, const scene *s) {
  const cli_figure *fig = s->fig;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t r = 0; r < s->t->nrows; r++)
    extend(figure_cell(s->t, r, fig->resid_col), 0, &lo, &hi);
  const double top = fmax(fmax(fabs(lo), fabs(hi)) * 1.2, 1e-3);
  char b[RC_IO_DOUBLE_CHARS], c[RC_IO_DOUBLE_CHARS];
  fprintf(f, "unset logscale y\nset yrange [-%s:%s]\n", num(top, b), num(top, c));
  write_tics(f, "y", -top, top, 0);
  fputs("set format y '%g'\nset ylabel ", f);
  gp_text(f, fig->resid_label);
  fputs(" noenhanced\nunset title\nunset key\nset samples 300\nplot \\\n", f);
  const size_t members = s->plan.kind == FIGURE_FAMILY ? s->nm : 1;
  char in[2 * RC_IO_DOUBLE_CHARS + 32], d[RC_IO_DOUBLE_CHARS];
  snprintf(in, sizeof in, "($1 >= %s && $1 <= %s)", num(s->nx ? s->xs[0] : 0, b),
           num(s->nx ? s->xs[s->nx - 1] : 0, d));
  for (size_t k = 0; k < members; k++) {
    char colour[8] = "#0072B2", value[RC_IO_DOUBLE_CHARS] = "0", lo_e[200], hi_e[200];
    if (s->plan.kind == FIGURE_FAMILY) {
      member_colour(k, s->nm, colour);
      num(s->ms[k], value);
    }
    snprintf(lo_e, sizeof lo_e, fig->resid_lo_expr, value);
    snprintf(hi_e, sizeof hi_e, fig->resid_hi_expr, value);
    fprintf(f,
            "%s  '+' using 1:(%s ? %s : NaN):(%s) with filledcurves fc rgb '%s' fs transparent "
            "solid 0.15 noborder notitle",
            k ? ", \\\n" : "", in, lo_e, hi_e, colour);
  }
  fputs(", \\\n  0 with lines lw 1 lc rgb '#777777' notitle", f);
  for (size_t k = 0; k < members; k++) {
    char colour[8] = "#000000", every[64] = "", filter[96] = "", y[160];
    if (s->plan.kind == FIGURE_FAMILY) {
      member_colour(k, s->nm, colour);
      member_rows(s, k, every, sizeof every, filter, sizeof filter);
    }
    y_expr(y, sizeof y, fig->resid_col, filter, "");
    fprintf(f, ", \\\n  datafile using %zu:%s%s with points pt 7 ps 0.8 lc rgb '%s' notitle",
            col_x(s), y, every, colour);
  }
  fputc('\n', f);
}

/* The upper panel of a fit figure: the data (with 2-se bars), the fitted curve and its band. */
static void plot_fit(FILE *f, const scene *s) {
  const cli_figure *fig = s->fig;
  const cli_quantity *q = &fig->q[s->plan.sel[0]];
  const size_t members = s->plan.kind == FIGURE_FAMILY ? s->nm : 1;
  char in[2 * RC_IO_DOUBLE_CHARS + 32], b[RC_IO_DOUBLE_CHARS], d[RC_IO_DOUBLE_CHARS];
  snprintf(in, sizeof in, "($1 >= %s && $1 <= %s)", num(s->nx ? s->xs[0] : 0, b),
           num(s->nx ? s->xs[s->nx - 1] : 0, d));
  fputs("set samples 300\nplot \\\n", f);
  for (size_t k = 0; k < members; k++) {
    char colour[8] = "#0072B2", value[RC_IO_DOUBLE_CHARS] = "0", lo_e[200], hi_e[200], c[200];
    if (s->plan.kind == FIGURE_FAMILY) {
      member_colour(k, s->nm, colour);
      num(s->ms[k], value);
    }
    snprintf(lo_e, sizeof lo_e, fig->band_lo_expr, value);
    snprintf(hi_e, sizeof hi_e, fig->band_hi_expr, value);
    snprintf(c, sizeof c, fig->curve_expr, value);
    /* The curve over the data's range only. */
    fprintf(f,
            "%s  '+' using 1:(%s ? %s : NaN):(%s) with filledcurves fc rgb '%s' fs transparent "
            "solid 0.18 noborder notitle, \\\n"
            "  '+' using 1:(%s ? %s : NaN) with lines lw 2 lc rgb '%s'",
            k ? ", \\\n" : "", in, lo_e, hi_e, colour, in, c, colour);
    char text[200];
    char shown[RC_IO_DOUBLE_CHARS];
    if (s->plan.kind == FIGURE_FAMILY)
      snprintf(text, sizeof text, "%s = %s", fig->axis[1].name, value_text(s->ms[k], shown));
    else
      snprintf(text, sizeof text, "%s", fig->curve_label);
    fputs(" title ", f);
    gp_text(f, text);
  }
  for (size_t k = 0; k < members; k++) {
    char colour[8] = "#000000", every[64] = "", filter[96] = "", y[160], se[160];
    if (s->plan.kind == FIGURE_FAMILY) {
      member_colour(k, s->nm, colour);
      member_rows(s, k, every, sizeof every, filter, sizeof filter);
    }
    y_expr(y, sizeof y, q->col, filter, "");
    if (q->se_col) {
      y_expr(se, sizeof se, q->se_col, filter, "2*");
      fprintf(f,
              ", \\\n  datafile using %zu:%s:%s%s with yerrorbars pt 7 ps 0.8 lw 1.2 lc rgb '%s'",
              col_x(s), y, se, every, colour);
    } else {
      fprintf(f, ", \\\n  datafile using %zu:%s%s with points pt 7 ps 0.8 lc rgb '%s'", col_x(s), y,
              every, colour);
    }
    if (k == 0 && s->plan.kind != FIGURE_FAMILY) {
      fputs(" title ", f);
      gp_text(f, q->label);
    } else {
      fputs(" notitle", f);
    }
  }
  if (s->plan.kind == FIGURE_FAMILY) {
    fputs(", \\\n  NaN with lines lw 2 lc rgb '#000000' title ", f);
    gp_text(f, fig->curve_label);
    fputs(", \\\n  NaN with points pt 7 lc rgb '#000000' title ", f);
    gp_text(f, q->label);
  }
  fputc('\n', f);
}

/* The key below the plot, in as many columns as its longest entry lets fit in the figure's
 * width, and a bottom margin that holds its rows (a long key would run over the axis). */
static void key_below(FILE *f, const scene *s, const cli_outputs *o) {
  const cli_figure *fig = s->fig;
  size_t items = 0, longest = 0;
  char b[RC_IO_DOUBLE_CHARS];
#define ENTRY(len)                                                                                 \
  do {                                                                                             \
    items++;                                                                                       \
    longest = (len) > longest ? (len) : longest;                                                   \
  } while (0)
  if (s->plan.kind == FIGURE_FAMILY) {
    for (size_t k = 0; k < s->nm; k++)
      ENTRY(strlen(fig->axis[s->plan.member].name) + 3 + strlen(value_text(s->ms[k], b)));
    for (size_t j = 0; s->plan.nsel > 1 && j < s->plan.nsel; j++)
      ENTRY(strlen(fig->q[s->plan.sel[j]].label) + strlen(s->note[j]));
  } else {
    for (size_t j = 0; j < s->plan.nsel; j++) {
      const cli_quantity *q = &fig->q[s->plan.sel[j]];
      ENTRY(strlen(q->label) + strlen(s->note[j]));
      if (q->lo_col && q->hi_col && q->band_label)
        ENTRY(strlen(q->band_label));
    }
  }
  if (s->plan.noise)
    ENTRY((size_t)16);
  for (size_t k = 0; k < fig->nhlines; k++)
    ENTRY(strlen(fig->hline_label[k]));
  for (size_t k = 0; k < fig->nmarks; k++)
    ENTRY(strlen(fig->mark_label[k]));
#undef ENTRY
  /* The width in characters, counted generously (8.5 pixels a character at 11 points for png
   * and svg, 6 points at 9 points for pdf): an entry takes its text and its sample, and the
   * columns are a maximum gnuplot keeps to, so the margin always holds the rows. */
  const char *dot = strrchr(o->figure.path, '.');
  const int pdf = dot && strcmp(dot, ".pdf") == 0;
  const double width = pdf ? 72 * (o->style.width > 0 ? o->style.width : 5) / 6.0
                           : (o->style.width > 0 ? o->style.width : 960) / 8.5;
  size_t columns = (size_t)(0.9 * width / (double)(longest + 10));
  columns = columns < 1 ? 1 : columns > 4 ? 4 : columns;
  const size_t rows = (items + columns - 1) / columns;
  fprintf(f,
          "set key outside below center horizontal box noenhanced maxcols %zu\nset bmargin %zu\n",
          columns, rows + 4);
}

/* The terminal of the figure's extension and size. */
static void terminal(FILE *f, const char *figure_path, const cli_plot_style *style) {
  const char *dot = strrchr(figure_path, '.');
  char w[RC_IO_DOUBLE_CHARS], h[RC_IO_DOUBLE_CHARS];
  if (dot && strcmp(dot, ".pdf") == 0)
    fprintf(f, "set terminal pdfcairo size %sin,%sin enhanced font 'sans,9' linewidth 1\n",
            num(style->width > 0 ? style->width : 5, w),
            num(style->height > 0 ? style->height : 3.5, h));
  else
    fprintf(f, "set terminal %s size %s,%s %senhanced font 'sans,11'\n",
            dot && strcmp(dot, ".svg") == 0 ? "svg" : "pngcairo",
            num(style->width > 0 ? style->width : 960, w),
            num(style->height > 0 ? style->height : 640, h),
            dot && strcmp(dot, ".svg") == 0 ? "dynamic " : "");
}

/* The script: output figure_path, data data_path; base is the final <base> for the hint. */
static void script_write(FILE *f, const cli_outputs *o, const cli_figure *fig, const cli_table *t,
                         const char *base, const char *figure_path, const char *data_path) {
  scene s;
  memset(&s, 0, sizeof s);
  s.fig = fig;
  s.t = t;
  s.style = &o->style;
  /* The plan was checked before the run; from the rows it can only change risk to excess. */
  if (figure_plan_make(&o->style, fig, t, &s.plan))
    figure_plan_make(&o->style, fig, NULL, &s.plan);
  s.nx = figure_distinct(t, col_x(&s), &s.xs);
  s.logx = s.nx == 0 || s.xs[0] > 0;
  if (s.plan.member >= 0)
    s.nm = figure_distinct(t, fig->axis[s.plan.member].col, &s.ms);
  if (fig->axis[1].col) {
    double *v0;
    const size_t n0 = figure_distinct(t, fig->axis[0].col, &v0);
    free(v0);
    s.grid = grid_ordered(&s, n0);
  }
  const int have_range = s.plan.kind != FIGURE_HEATMAP && value_range(&s);
  if (have_range)
    range_notes(&s);

  fputs("# riskcalc figure: rerun with  gnuplot ", f);
  hint_word(f, base, ".gp");
  fputs("  (data in ", f);
  hint_word(f, base, ".dat");
  fputs(")\n# gnuplot -e 'tablefile=\"points.txt\"' ", f);
  hint_word(f, base, ".gp");
  fputs(" writes the points it draws instead\n", f);
  fputs("if (!exists(\"outfile\")) outfile = ", f);
  gp_string(f, figure_path);
  fputs("\nif (exists(\"tablefile\")) {\n  set table tablefile\n} else {\n  ", f);
  terminal(f, o->figure.path, &o->style);
  fputs("  set output outfile\n}\nset encoding utf8\n", f);
  fputs("set datafile columnheaders\ndatafile = ", f);
  gp_string(f, data_path);
  if (fig->mode == CLI_FIGURE_FIT && fig->functions) {
    fputc('\n', f);
    fputs(fig->functions, f);
  }
  fputs("\nset title ", f);
  /* The caption: the model's parameters, the coordinate held fixed, and why excess is shown. */
  char fixed[96] = "";
  const int other = 1 - s.plan.x;
  if (s.plan.kind == FIGURE_CURVES && fig->axis[other].col && t->nrows) {
    double *v;
    char b[RC_IO_DOUBLE_CHARS];
    if (figure_distinct(t, fig->axis[other].col, &v) == 1)
      snprintf(fixed, sizeof fixed, ", %s = %s", fig->axis[other].name, value_text(v[0], b));
    free(v);
  }
  if (fig->caption[0] || fixed[0]) {
    char caption[CLI_CAPTION_CHARS + 160];
    snprintf(caption, sizeof caption, "%s%s%s", fig->caption[0] ? fig->caption : fixed + 2,
             fig->caption[0] ? fixed : "",
             s.plan.excess_for_risk ? "; excess shown: σ² is at least half of the risk" : "");
    char *text = malloc(strlen(fig->title) + strlen(caption) + 2);
    if (text) {
      sprintf(text, "%s\n%s", fig->title, caption);
      gp_text(f, text);
      free(text);
    } else {
      gp_text(f, fig->title);
    }
  } else {
    gp_text(f, fig->title);
  }
  fputs(" noenhanced\nset xlabel ", f);
  gp_text(f, fig->axis[s.plan.x].label);
  fputs(" noenhanced\nset ylabel ", f);
  if (s.plan.kind == FIGURE_HEATMAP) {
    gp_text(f, fig->axis[1].label);
  } else {
    /* One quantity: its name (a compare figure) or label; several: the figure's label. */
    const cli_quantity *q0 = &fig->q[s.plan.sel[0]];
    const char *one = fig->mode == CLI_FIGURE_COMPARE ? q0->name : q0->label;
    gp_text(f, s.plan.nsel == 1 || !fig->ylabel ? one : fig->ylabel);
  }
  fputs(" noenhanced\nset grid xtics ytics mxtics mytics lc rgb '#E0E0E0'\n", f);
  if (s.plan.kind == FIGURE_HEATMAP) {
    plot_heatmap(f, &s, "datafile");
    goto done;
  }
  /* The abscissa: the data's range with a margin, readable ticks. */
  double xlo, xhi;
  x_range(&s, &xlo, &xhi);
  if (s.logx)
    fputs("set logscale x\n", f);
  {
    char b[RC_IO_DOUBLE_CHARS], c[RC_IO_DOUBLE_CHARS];
    fprintf(f, "set xrange [%s:%s]\n", end6(xlo, b), end6(xhi, c));
    write_tics(f, "x", xlo, xhi, s.logx);
    if (have_range) {
      fprintf(f, "set yrange [%s:%s]\n", end6(s.ylo, b), end6(s.yhi, c));
      if (fig->log_y)
        fputs("set logscale y\n", f);
      write_tics(f, "y", s.ylo, s.yhi, fig->log_y);
    } else if (fig->log_y) {
      fputs("set logscale y\n", f);
    }
  }
  if (fig->mode == CLI_FIGURE_RESULT) {
    key_below(f, &s, o);
    plot_curves(f, &s);
    goto done;
  }
  /* Two panels sharing the abscissa: values above, z-scores or residuals below. */
  fputs("set key at screen 0.67, screen 0.87 left top Left reverse box samplen 2.5 noenhanced\n"
        "if (!exists(\"tablefile\")) set multiplot\n"
        "set lmargin at screen 0.11\nset rmargin at screen 0.64\n"
        "set tmargin at screen 0.87\nset bmargin at screen 0.38\nset xlabel ''\n",
        f);
  /* The upper panel's abscissa ticks without labels (the lower panel's carry them). */
  write_tics_labelled(f, "x", xlo, xhi, s.logx, 0);
  if (fig->mode == CLI_FIGURE_COMPARE)
    plot_curves(f, &s);
  else
    plot_fit(f, &s);
  fputs("set tmargin at screen 0.34\nset bmargin at screen 0.10\nset xlabel ", f);
  gp_text(f, fig->axis[s.plan.x].label);
  fputs(" noenhanced\n", f);
  write_tics(f, "x", xlo, xhi, s.logx);
  if (fig->mode == CLI_FIGURE_COMPARE)
    plot_z_panel(f, &s);
  else
    plot_resid_panel(f, &s);
  fputs("if (!exists(\"tablefile\")) unset multiplot\n", f);
done:
  free(s.xs);
  free(s.ms);
}

/* Writes a registered temporary for target through fill(f, ctx). */
static int write_file(const cli_target *t, int *slot, void (*fill)(FILE *, const void *),
                      const void *ctx) {
  int fd;
  if ((*slot = cli_temp_create(t->target, &fd)) < 0)
    return CLI_EXIT_BAD;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    cli_error("cannot write '%s': %s", t->path, strerror(errno));
    return CLI_EXIT_BAD;
  }
  fill(f, ctx);
  const int bad = ferror(f);
  if (fclose(f) != 0 || bad) {
    cli_error("cannot write '%s': %s", t->path, strerror(errno));
    return CLI_EXIT_BAD;
  }
  return 0;
}

typedef struct {
  const cli_outputs *o;
  const cli_meta *meta;
  const cli_table *table;
  const cli_figure *figure;
  size_t blockcol; /* a heat map's data is in scans (blank lines), for contours */
  char *base;
  const char *figure_path, *data_path;
} plot_job;

static void write_data(FILE *f, const void *ctx) {
  const plot_job *j = ctx;
  cli_table_write(f, CLI_FORMAT_TSV, j->meta, j->table, j->blockcol);
}

static void write_script(FILE *f, const void *ctx) {
  const plot_job *j = ctx;
  script_write(f, j->o, j->figure, j->table, j->base, j->figure_path, j->data_path);
}

/* The line of gnuplot's messages that says what went wrong: its "line N: ..." message when
 * there is one (after the echoed command and the caret), else the first line that says
 * something; one line. */
static void first_message(FILE *log, char *line, size_t n) {
  char buf[512];
  line[0] = '\0';
  rewind(log);
  while (fgets(buf, (int)sizeof buf, log)) {
    const char *text = buf + strspn(buf, " \t");
    if (strspn(buf, " \t\n^") == strlen(buf))
      continue;
    if (strncmp(text, "line ", 5) == 0 || strstr(text, "\", line ") || !line[0]) {
      snprintf(line, n, "%s", text);
      line[strcspn(line, "\n")] = '\0';
      if (strncmp(text, "line ", 5) == 0 || strstr(text, "\", line "))
        return;
    }
  }
}

/* Runs gnuplot on the script in the file script (its standard input). */
static int run_gnuplot(const plot_job *j, FILE *script) {
  FILE *log = tmpfile();
  if (!log) {
    cli_error("--plot: cannot create a temporary file for gnuplot's messages: %s", strerror(errno));
    return CLI_EXIT_BAD;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fileno(script), 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fileno(log), 2);
  char *argv[] = {"gnuplot", NULL};
  pid_t pid;
  const int rc = posix_spawnp(&pid, "gnuplot", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    fclose(log);
    cli_error("--plot: cannot run gnuplot: %s (install gnuplot-nox)", strerror(rc));
    return CLI_EXIT_BAD;
  }
  cli_child_set(pid);
  /* Wait without reaping, so the signal handler never kills a recycled pid. */
  siginfo_t info;
  memset(&info, 0, sizeof info);
  while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
    ;
  cli_child_set(0);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  int status = 0;
  if (info.si_code != CLD_EXITED || info.si_status != 0) {
    char line[512];
    first_message(log, line, sizeof line);
    if (info.si_code == CLD_EXITED)
      cli_error("--plot: gnuplot failed drawing '%s': %s", j->o->figure.path,
                line[0] ? line : "no message");
    else
      cli_error("--plot: gnuplot was killed by signal %d drawing '%s'", info.si_status,
                j->o->figure.path);
    status = CLI_EXIT_BAD;
  }
  fclose(log);
  return status;
}

int cli_plot_draw(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
                  const cli_figure *figure) {
  plot_job j = {o, meta, t, figure, 0, NULL, NULL, NULL};
  figure_plan plan;
  if (figure_plan_make(&o->style, figure, t, &plan))
    return CLI_EXIT_BAD;
  if (plan.kind == FIGURE_HEATMAP)
    j.blockcol = figure->axis[1].col;
  const char *dot = strrchr(o->figure.path, '.');
  j.base = malloc((size_t)(dot - o->figure.path) + 1);
  if (!j.base) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  memcpy(j.base, o->figure.path, (size_t)(dot - o->figure.path));
  j.base[dot - o->figure.path] = '\0';
  int data_slot, script_slot, figure_fd, status = CLI_EXIT_BAD;
  FILE *run = NULL;
  /* The kept files name the final paths ... */
  j.figure_path = o->figure.path;
  j.data_path = o->data.path;
  if (write_file(&o->data, &data_slot, write_data, &j) ||
      write_file(&o->script, &script_slot, write_script, &j))
    goto done;
  const int figure_slot = cli_temp_create(o->figure.target, &figure_fd);
  if (figure_slot < 0)
    goto done;
  close(figure_fd);
  /* ... the script gnuplot runs names the temporaries. */
  j.figure_path = cli_temp_path(figure_slot);
  j.data_path = cli_temp_path(data_slot);
  run = tmpfile();
  if (!run) {
    cli_error("--plot: cannot create a temporary file for gnuplot's script: %s", strerror(errno));
    goto done;
  }
  write_script(run, &j);
  if (fflush(run) != 0 || ferror(run) || lseek(fileno(run), 0, SEEK_SET) != 0) {
    cli_error("--plot: cannot write gnuplot's script: %s", strerror(errno));
    goto done;
  }
  status = run_gnuplot(&j, run);
done:
  if (run)
    fclose(run);
  free(j.base);
  return status;
}
