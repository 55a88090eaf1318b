/* Figure descriptions and the figure options: what a model says its table holds, what the
 * user asks to see, and what the two resolve to (the drawing is plot.c's). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "riskcalc/io.h"

const cli_option cli_figure_options[CLI_FIGURE_NOPTIONS] = {
    {"plot-kind", "KIND",
     "with a list of both coordinates: heatmap (default), or curves-N (against N, one curve "
     "per M) / curves-M (against M, one curve per N); the names are the coordinates' own",
     CLI_ROLE_FIGURE_KIND},
    {"y", "LIST",
     "what --plot draws: quantity names, comma-separated (for example risk, excess, or "
     "bias,variance); default: risk and its parts, excess instead of risk when the noise is "
     "at least half of the risk",
     CLI_ROLE_FIGURE_Y},
    {"ymin", "Y",
     "lower end of the figure's value axis (default: the data, at most six decades "
     "below the largest value)",
     CLI_ROLE_FIGURE_YMIN},
    {"ymax", "Y", "upper end of the figure's value axis (default: the data)", CLI_ROLE_FIGURE_YMAX},
    {"size", "W,H",
     "figure size: pixels for .png and .svg (default 960,640), inches for .pdf (default 5,3.5)",
     CLI_ROLE_FIGURE_SIZE},
    {"contours", NULL, "heat map: draw contour lines at the colour bar's labelled values",
     CLI_ROLE_FIGURE_CONTOURS},
};

static int is_pdf(const char *path) {
  const char *dot = path ? strrchr(path, '.') : NULL;
  return dot && strcmp(dot, ".pdf") == 0;
}

int cli_plot_style_parse(const cli_args *args, cli_outputs *o) {
  cli_plot_style *s = &o->style;
  memset(s, 0, sizeof *s);
  s->ymin = s->ymax = NAN;
  static const cli_role roles[] = {CLI_ROLE_FIGURE_KIND, CLI_ROLE_FIGURE_Y,
                                   CLI_ROLE_FIGURE_YMIN, CLI_ROLE_FIGURE_YMAX,
                                   CLI_ROLE_FIGURE_SIZE, CLI_ROLE_FIGURE_CONTOURS};
  for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
    if (cli_role_value(args, roles[k]) && !o->plot) {
      cli_error("--%s shapes the figure: it needs --plot FILE", cli_role_name(args, roles[k]));
      return CLI_EXIT_BAD;
    }
  s->kind = cli_role_value(args, CLI_ROLE_FIGURE_KIND);
  s->y = cli_role_value(args, CLI_ROLE_FIGURE_Y);
  s->contours = cli_role_value(args, CLI_ROLE_FIGURE_CONTOURS) != NULL;
  rc_error err = {0, ""};
  const cli_role lim[2] = {CLI_ROLE_FIGURE_YMIN, CLI_ROLE_FIGURE_YMAX};
  double *dst[2] = {&s->ymin, &s->ymax};
  for (int k = 0; k < 2; k++) {
    const char *v = cli_role_value(args, lim[k]);
    if (!v)
      continue;
    if (rc_io_parse_double(v, dst[k], &err)) {
      cli_error("--%s: %s", cli_role_name(args, lim[k]), err.message);
      return CLI_EXIT_BAD;
    }
  }
  if (!isnan(s->ymin) && !isnan(s->ymax) && !(s->ymin < s->ymax)) {
    cli_error("--ymin %s must be below --ymax %s", cli_role_value(args, CLI_ROLE_FIGURE_YMIN),
              cli_role_value(args, CLI_ROLE_FIGURE_YMAX));
    return CLI_EXIT_BAD;
  }
  const char *size = cli_role_value(args, CLI_ROLE_FIGURE_SIZE);
  if (size) {
    const char *name = cli_role_name(args, CLI_ROLE_FIGURE_SIZE);
    const char *comma = strchr(size, ',');
    char w[64];
    const int pdf = is_pdf(o->plot);
    const double lo = pdf ? 1 : 100, hi = pdf ? 50 : 10000;
    if (!comma || (size_t)(comma - size) >= sizeof w) {
      cli_error("--%s: expected W,H (for example %s), got '%s'", name, pdf ? "5,3.5" : "960,640",
                CLI_EXCERPT(size));
      return CLI_EXIT_BAD;
    }
    memcpy(w, size, (size_t)(comma - size));
    w[comma - size] = '\0';
    if (rc_io_parse_double(w, &s->width, &err) || rc_io_parse_double(comma + 1, &s->height, &err) ||
        !(s->width >= lo && s->width <= hi && s->height >= lo && s->height <= hi)) {
      cli_error("--%s: '%s' is not W,H with both in [%g, %g] %s", name, CLI_EXCERPT(size), lo, hi,
                pdf ? "inches (a .pdf figure)" : "pixels");
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

/* ---- descriptions ---------------------------------------------------------------------- */

void cli_figure_init(cli_figure *fig, cli_figure_mode mode, const char *title, const char *ylabel) {
  memset(fig, 0, sizeof *fig);
  fig->mode = mode;
  fig->title = title;
  fig->ylabel = ylabel;
  fig->log_y = 1;
  fig->zmax = NAN;
}

void cli_figure_axis(cli_figure *fig, int k, const char *name, const char *label, size_t col,
                     size_t count) {
  fig->axis[k].name = name;
  fig->axis[k].label = label;
  fig->axis[k].col = col;
  fig->axis[k].count = count;
}

cli_quantity *cli_figure_quantity(cli_figure *fig, const char *name, const char *label, size_t col,
                                  size_t se_col) {
  if (fig->nq == CLI_MAX_QUANTITIES)
    return NULL;
  cli_quantity *q = &fig->q[fig->nq++];
  memset(q, 0, sizeof *q);
  q->name = name;
  q->label = label;
  q->col = col;
  q->se_col = se_col;
  return q;
}

void cli_figure_hline(cli_figure *fig, double y, const char *label) {
  if (fig->nhlines < CLI_MAX_MARKS) {
    fig->hline[fig->nhlines] = y;
    fig->hline_label[fig->nhlines++] = label;
  }
}

void cli_figure_mark(cli_figure *fig, double x, double y, const char *label) {
  if (fig->nmarks < CLI_MAX_MARKS) {
    fig->mark_x[fig->nmarks] = x;
    fig->mark_y[fig->nmarks] = y;
    fig->mark_label[fig->nmarks++] = label;
  }
}

void cli_figure_overlay(cli_figure *fig, size_t col, const char *label) {
  if (fig->noverlays < CLI_MAX_MARKS) {
    fig->overlay_col[fig->noverlays] = col;
    fig->overlay_label[fig->noverlays++] = label;
  }
}

void cli_figure_caption_add(cli_figure *fig, const char *fmt, ...) {
  size_t used = strlen(fig->caption);
  if (used + 3 >= sizeof fig->caption)
    return;
  if (used) {
    strcpy(fig->caption + used, ", ");
    used += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(fig->caption + used, sizeof fig->caption - used, fmt, ap);
  va_end(ap);
}

/* ---- what a figure shows ----------------------------------------------------------------- */

double figure_cell(const cli_table *t, size_t r, size_t col) {
  return t->data[r * t->ncols + (col - 1)];
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

size_t figure_distinct(const cli_table *t, size_t col, double **values) {
  *values = NULL;
  if (t->nrows == 0 || col == 0)
    return 0;
  double *v = malloc(t->nrows * sizeof *v);
  if (!v)
    return 0;
  for (size_t r = 0; r < t->nrows; r++)
    v[r] = figure_cell(t, r, col);
  qsort(v, t->nrows, sizeof *v, cmp_double);
  size_t n = 0;
  for (size_t r = 0; r < t->nrows; r++)
    if (n == 0 || v[r] != v[n - 1])
      v[n++] = v[r];
  *values = v;
  return n;
}

static size_t axis_count(const cli_figure *fig, const cli_table *data, int k) {
  if (!fig->axis[k].col)
    return 1;
  if (!data)
    return fig->axis[k].count;
  double *v;
  const size_t n = figure_distinct(data, fig->axis[k].col, &v);
  free(v);
  return n;
}

/* The kinds a figure accepts, for messages: "auto, curves-N, curves-M, heatmap". */
static void kinds_text(const cli_figure *fig, char *text, size_t n) {
  snprintf(text, n, "auto");
  for (int k = 0; k < 2; k++)
    if (fig->axis[k].col)
      snprintf(text + strlen(text), n - strlen(text), ", curves-%s", fig->axis[k].name);
  if (fig->mode == CLI_FIGURE_RESULT && fig->axis[1].col)
    snprintf(text + strlen(text), n - strlen(text), ", heatmap");
}

static int make_kind(const cli_plot_style *style, const cli_figure *fig, const size_t count[2],
                     figure_plan *plan) {
  const char *kind = style->kind;
  const int grid = count[0] > 1 && count[1] > 1;
  plan->member = -1;
  plan->x = 0;
  if (!kind || strcmp(kind, "auto") == 0) {
    if (grid && fig->mode == CLI_FIGURE_RESULT && !fig->family) {
      plan->kind = FIGURE_HEATMAP;
    } else if (grid) {
      plan->kind = FIGURE_FAMILY;
      plan->member = 1;
    } else {
      plan->kind = FIGURE_CURVES;
      plan->x = count[0] > 1 || count[1] <= 1 ? 0 : 1;
    }
    return 0;
  }
  char choices[160];
  kinds_text(fig, choices, sizeof choices);
  if (strcmp(kind, "heatmap") == 0 && fig->mode == CLI_FIGURE_RESULT && fig->axis[1].col) {
    if (!grid) {
      cli_error("--plot-kind heatmap needs a list of both %s and %s (the grid)", fig->axis[0].name,
                fig->axis[1].name);
      return CLI_EXIT_BAD;
    }
    plan->kind = FIGURE_HEATMAP;
    return 0;
  }
  for (int k = 0; k < 2; k++)
    if (fig->axis[k].col && strncmp(kind, "curves-", 7) == 0 &&
        strcmp(kind + 7, fig->axis[k].name) == 0) {
      plan->x = k;
      plan->kind = count[1 - k] > 1 ? FIGURE_FAMILY : FIGURE_CURVES;
      plan->member = plan->kind == FIGURE_FAMILY ? 1 - k : -1;
      return 0;
    }
  cli_error("--plot-kind: '%s' is not one of %s", CLI_EXCERPT(kind), choices);
  return CLI_EXIT_BAD;
}

static int has_name(const cli_figure *fig, const char *name, size_t len) {
  for (size_t k = 0; k < fig->nq; k++)
    if (strlen(fig->q[k].name) == len && strncmp(fig->q[k].name, name, len) == 0)
      return 1;
  return 0;
}

/* Adds every quantity called name[0..len) to the selection (once). */
static void select_name(const cli_figure *fig, const char *name, size_t len, figure_plan *plan) {
  for (size_t k = 0; k < fig->nq; k++) {
    if (strlen(fig->q[k].name) != len || strncmp(fig->q[k].name, name, len) != 0)
      continue;
    int seen = 0;
    for (size_t j = 0; j < plan->nsel; j++)
      seen |= plan->sel[j] == k;
    if (!seen && plan->nsel < CLI_MAX_QUANTITIES)
      plan->sel[plan->nsel++] = k;
  }
}

/* The noise is at least half of the risk (the first quantity called "risk") at some row. */
static int noise_dominates(const cli_figure *fig, const cli_table *data) {
  if (!data || !(fig->noise > 0))
    return 0;
  for (size_t k = 0; k < fig->nq; k++)
    if (strcmp(fig->q[k].name, "risk") == 0) {
      for (size_t r = 0; r < data->nrows; r++)
        if (fig->noise >= 0.5 * figure_cell(data, r, fig->q[k].col))
          return 1;
      return 0;
    }
  return 0;
}

int figure_plan_make(const cli_plot_style *style, const cli_figure *fig, const cli_table *data,
                     figure_plan *plan) {
  memset(plan, 0, sizeof *plan);
  const size_t count[2] = {axis_count(fig, data, 0), axis_count(fig, data, 1)};
  if (fig->mode == CLI_FIGURE_FIT) {
    if (style->kind && strcmp(style->kind, "auto") != 0) {
      cli_error("--plot-kind: fit draws its data against --x (one curve per --x2 value with "
                "--joint); there is no other kind");
      return CLI_EXIT_BAD;
    }
    if (style->y) {
      cli_error("--y: fit draws the column it fits (--y of fit names it)");
      return CLI_EXIT_BAD;
    }
  } else if (make_kind(style, fig, count, plan)) {
    return CLI_EXIT_BAD;
  }
  if (fig->mode == CLI_FIGURE_FIT) {
    plan->member = count[1] > 1 ? 1 : -1;
    plan->kind = count[1] > 1 ? FIGURE_FAMILY : FIGURE_CURVES;
  }
  /* The names drawn. */
  const char *list = style->y ? style->y : fig->default_y;
  const int dominated = !style->y && fig->mode == CLI_FIGURE_RESULT && noise_dominates(fig, data);
  if (!list) {
    for (size_t k = 0; k < fig->nq; k++)
      select_name(fig, fig->q[k].name, strlen(fig->q[k].name), plan);
  } else {
    for (const char *p = list; *p;) {
      const char *comma = strchr(p, ',');
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      if (!has_name(fig, p, len)) {
        char names[400] = "";
        for (size_t k = 0; k < fig->nq; k++) {
          int seen = 0;
          for (size_t j = 0; j < k; j++)
            seen |= strcmp(fig->q[j].name, fig->q[k].name) == 0;
          if (!seen)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", fig->q[k].name);
        }
        cli_error("--y: '%.*s' is not one of %s", (int)len, p, names);
        return CLI_EXIT_BAD;
      }
      if (dominated && len == 4 && strncmp(p, "risk", 4) == 0 && has_name(fig, "excess", 6)) {
        select_name(fig, "excess", 6, plan);
        plan->excess_for_risk = 1;
      } else {
        select_name(fig, p, len, plan);
      }
      p += len + (comma != NULL);
    }
  }
  if (plan->nsel == 0) {
    cli_error("--y: nothing to draw");
    return CLI_EXIT_BAD;
  }
  if (plan->kind == FIGURE_HEATMAP) {
    const char *first = fig->q[plan->sel[0]].name;
    for (size_t j = 1; j < plan->nsel && style->y; j++)
      if (strcmp(fig->q[plan->sel[j]].name, first) != 0) {
        cli_error("--y: a heat map draws one quantity (give one name, or --plot-kind curves-%s "
                  "for a family of curves)",
                  fig->axis[0].name);
        return CLI_EXIT_BAD;
      }
    plan->nsel = 1;
  }
  const char *floor_of = fig->noise_of ? fig->noise_of : "risk";
  if (fig->mode == CLI_FIGURE_RESULT && plan->kind != FIGURE_HEATMAP && fig->noise > 0)
    for (size_t j = 0; j < plan->nsel; j++)
      plan->noise |= strcmp(fig->q[plan->sel[j]].name, floor_of) == 0;
  return 0;
}

int cli_figure_check(const cli_outputs *o, const cli_figure *fig) {
  if (!o->plot)
    return 0;
  figure_plan plan;
  return figure_plan_make(&o->style, fig, NULL, &plan);
}
