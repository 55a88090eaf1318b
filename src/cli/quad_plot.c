/* Every figure of the quadratic model, in one place (quad_problem.h): which columns each table's
 * figure draws and how. The drawing itself is the emit path's (emit.h, plot.c). */
#include <string.h>

#include "quad_problem.h"

static void curve(cli_figure *fig, size_t ycol, size_t errcol, const char *label) {
  fig->ycol[fig->ncurves] = ycol;
  fig->errcol[fig->ncurves] = errcol;
  fig->label[fig->ncurves++] = label;
}

static void noise(const quad_problem *p, cli_figure *fig) {
  if (p->base.sigma2 > 0) {
    fig->yconst[fig->ncurves] = p->base.sigma2;
    curve(fig, 0, 0, "noise sigma^2");
  }
}

/* Columns 1 and 2 are T and M: a heat map of zcol when both vary (returns 0), else curves
 * against T, or against M when only M varies (returns 1: the caller adds them). */
static int base(const quad_problem *p, cli_figure *fig, const char *title, const char *ylabel,
                size_t zcol, const char *zlabel) {
  memset(fig, 0, sizeof *fig);
  fig->title = title;
  const size_t nT = p->base.nN;
  if (p->nM > 1 && nT > 1) {
    fig->kind = CLI_FIGURE_HEATMAP;
    fig->xcol = 1;
    fig->ycol_map = 2;
    fig->zcol = zcol;
    fig->xlabel = "T (SGD steps)";
    fig->ylabel = "M (model size)";
    fig->zlabel = zlabel;
    return 0;
  }
  fig->kind = CLI_FIGURE_LINES;
  fig->xcol = nT > 1 || p->nM == 1 ? 1 : 2;
  fig->xlabel = fig->xcol == 1 ? "T (SGD steps)" : "M (model size)";
  fig->ylabel = ylabel;
  return 1;
}

void quad_figure_risk(const quad_problem *p, cli_figure *fig, const char *title) {
  if (!base(p, fig, title, "risk and its parts", 7, "risk"))
    return;
  curve(fig, 7, 0, "risk");
  curve(fig, 3, 0, "approximation");
  curve(fig, 4, 0, "bias");
  curve(fig, 5, 0, "variance");
  noise(p, fig);
}

void quad_figure_mc(const quad_problem *p, cli_figure *fig, const char *title) {
  if (!base(p, fig, title, "risk and its parts (mean +- standard error)", 3, "mean simulated risk"))
    return;
  curve(fig, 3, 4, "simulated risk");
  curve(fig, 5, 6, "bias");
  curve(fig, 7, 8, "variance");
  noise(p, fig);
}

void quad_figure_closed(const quad_problem *p, cli_figure *fig, const char *title) {
  if (!base(p, fig, title, "published orders (unit constants)", 8, "rate_risk"))
    return;
  curve(fig, 8, 0, "rate risk");
  curve(fig, 5, 0, "approximation");
  curve(fig, 6, 0, "rate bias");
  curve(fig, 7, 0, "rate variance");
  noise(p, fig);
}

void quad_figure_phases(cli_figure *fig, const char *title) {
  memset(fig, 0, sizeof *fig);
  fig->kind = CLI_FIGURE_HEATMAP;
  fig->title = title;
  fig->xcol = 1;
  fig->ycol_map = 2;
  fig->zcol = 5;
  fig->zlinear = 1;
  fig->xlabel = "t (SGD steps)";
  fig->ylabel = "coordinate i";
  fig->zlabel = "E theta_i(t) / w*_i";
  curve(fig, 6, 0, "activation front D(t) (noise-free Phase I)");
}

void quad_figure_vs_linear(cli_figure *fig, const char *quad_label, const char *linear_label,
                           double approx) {
  memset(fig, 0, sizeof *fig);
  fig->kind = CLI_FIGURE_LINES;
  fig->title = "quadratic model against linear SGD, each with its tuned step";
  fig->xcol = 1;
  fig->xlabel = "T (SGD steps = samples / batch)";
  fig->ylabel = "risk - sigma^2";
  curve(fig, 5, 0, quad_label);
  curve(fig, 8, 0, linear_label);
  if (approx > 0) {
    fig->yconst[fig->ncurves] = approx;
    curve(fig, 0, 0, "approx: the floor of both at this M");
  }
}
