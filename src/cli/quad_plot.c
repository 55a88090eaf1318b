/* Every figure of the quadratic model, in one place (quad_problem.h): what each table holds,
 * described for the figure machinery (emit.h, figure.c, plot.c), which chooses and draws. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quad_problem.h"

void quad_caption(const quad_problem *p, cli_figure *fig) {
  char v[RC_IO_DOUBLE_CHARS];
  cli_problem_caption(&p->base, fig);
  /* the shared caption names the signal only when given; the quadratic model always has one */
  if (!p->base.b_given && !p->base.prior_file)
    cli_figure_caption_add(fig, "β = %s", rc_io_format_double(p->spec.beta, v, sizeof v));
  if (cli_has(p->args, "v0"))
    cli_figure_caption_add(fig, "v0 = %s", rc_io_format_double(p->spec.v0, v, sizeof v));
}

/* Columns 1 and 2 are T and M. */
static void base(const quad_problem *p, cli_figure *fig, cli_figure_mode mode, const char *title,
                 const char *ylabel) {
  cli_figure_init(fig, mode, title, ylabel);
  cli_figure_axis(fig, 0, "T", "T (SGD steps)", 1, p->base.nN);
  cli_figure_axis(fig, 1, "M", "M (model size)", 2, p->nM);
  quad_caption(p, fig);
  fig->noise = p->base.sigma2;
}

void quad_figure_risk(const quad_problem *p, cli_figure *fig) {
  base(p, fig, CLI_FIGURE_RESULT, "quadratic model, one-pass SGD (analytic)", "risk and its parts");
  cli_figure_quantity(fig, "risk", "risk", 7, 0);
  cli_figure_quantity(fig, "excess", "excess = bias + variance", 6, 0);
  cli_figure_quantity(fig, "approx", "approximation", 3, 0);
  cli_figure_quantity(fig, "bias", "bias (mean trajectory)", 4, 0);
  cli_figure_quantity(fig, "variance", "variance", 5, 0);
  fig->default_y = "risk,approx,bias,variance";
}

void quad_figure_mc(const quad_problem *p, cli_figure *fig) {
  base(p, fig, CLI_FIGURE_RESULT,
       p->sketched ? "sketched quadratic model f(x) = <Sx, v.v> (riskcalc extension), one-pass "
                     "SGD (Monte Carlo)"
                   : "quadratic model, one-pass SGD (Monte Carlo)",
       "risk and its parts");
  cli_figure_quantity(fig, "risk", "risk (mean ± 2 se)", 3, 4);
  cli_figure_quantity(fig, "bias", "bias (mean of the runs)", 5, 6);
  cli_figure_quantity(fig, "variance", "variance (spread of the runs)", 7, 8);
  fig->default_y = "risk,bias,variance";
}

void quad_figure_closed(const quad_problem *p, cli_figure *fig) {
  base(p, fig, CLI_FIGURE_RESULT, "quadratic model: the published orders (unit constants)",
       "published orders");
  cli_figure_quantity(fig, "rate_risk", "rate risk", 8, 0)->colour = "#000000";
  cli_figure_quantity(fig, "approx", "approximation", 5, 0);
  cli_figure_quantity(fig, "rate_bias", "rate bias", 6, 0)->colour = "#0072B2";
  cli_figure_quantity(fig, "rate_variance", "rate variance", 7, 0)->colour = "#D55E00";
  cli_figure_quantity(fig, "D_eff", "effective dimension D_eff", 3, 0);
  cli_figure_quantity(fig, "t_adapt", "adaptation time t_adapt", 4, 0);
  fig->default_y = "rate_risk,approx,rate_bias,rate_variance";
  fig->noise_of = "rate_risk";
}

void quad_figure_phases(const quad_problem *p, cli_figure *fig, uint64_t T, size_t times,
                        size_t coords) {
  cli_figure_init(fig, CLI_FIGURE_RESULT,
                  "quadratic model: the two phases (analytic E theta_i(t) / w*_i)",
                  "E theta_i(t) / w*_i");
  cli_figure_axis(fig, 0, "t", "t (SGD steps)", 1, times);
  cli_figure_axis(fig, 1, "i", "coordinate i", 2, coords);
  quad_caption(p, fig);
  cli_figure_caption_add(fig, "M = %llu, T = %llu", (unsigned long long)p->Ms[0],
                         (unsigned long long)T);
  cli_figure_quantity(fig, "ratio", "E theta_i(t) / w*_i", 5, 0);
  cli_figure_quantity(fig, "theta", "E theta_i(t)", 3, 0);
  fig->default_y = "ratio";
  fig->linear_z = 1;
  cli_figure_overlay(fig, 6, "activation front D(t) (noise-free Phase I)");
}

void quad_figure_vs_linear(const quad_problem *p, cli_figure *fig, const char *quad_label,
                           const char *linear_label, double approx) {
  cli_figure_init(fig, CLI_FIGURE_RESULT,
                  "quadratic model against linear SGD, each with its tuned step",
                  "risk - σ² (approx + bias + variance)");
  cli_figure_axis(fig, 0, "T", "T (SGD steps = samples / batch)", 1, p->base.nN);
  cli_figure_axis(fig, 1, "M", "M (model size)", 2, 1);
  quad_caption(p, fig);
  /* --eta only starts the search here: the caption names the tuning, not that step */
  char *step = strstr(fig->caption, " schedule η = ");
  if (step) {
    const char *rest = strstr(step, ", ");
    char tail[CLI_CAPTION_CHARS];
    snprintf(tail, sizeof tail, " schedule, steps tuned per T%s", rest ? rest : "");
    snprintf(step, sizeof fig->caption - (size_t)(step - fig->caption), "%s", tail);
  }
  cli_figure_quantity(fig, "quad_error", quad_label, 5, 0)->colour = "#CC0000";
  cli_figure_quantity(fig, "linear_error", linear_label, 8, 0)->colour = "#0072B2";
  cli_figure_quantity(fig, "quad_eta", "tuned eta (quadratic)", 3, 0);
  cli_figure_quantity(fig, "linear_gamma", "tuned gamma (linear)", 6, 0);
  fig->default_y = "quad_error,linear_error";
  if (approx > 0)
    cli_figure_hline(fig, approx, "approx: the floor of both at this M");
}
