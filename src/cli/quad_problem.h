/* src/cli/quad_problem.h -- the problem of `riskcalc quad`, `riskcalc compare quad` and
 * `riskcalc compare quad-vs-linear`: the shared problem (problem.h) plus the target w*, the
 * initialisation and the model sizes, turned into one rc_quad_problem per M (riskcalc/quad.h);
 * and the pieces the methods share (Monte Carlo options, cost checks). The figures of the
 * quadratic model are all in quad_plot.c. */
#ifndef RISKCALC_CLI_QUAD_PROBLEM_H
#define RISKCALC_CLI_QUAD_PROBLEM_H

#include "problem.h"

/* The problem options (spectrum, target, init, sizes, training, output), in --help order. */
#define QUAD_PROBLEM_NOPTIONS 18
extern const cli_option quad_problem_options[QUAD_PROBLEM_NOPTIONS];
/* The Monte Carlo option (--runs) of `quad --method mc` and `compare quad`. */
#define QUAD_MC_NOPTIONS 1
extern const cli_option quad_mc_options[QUAD_MC_NOPTIONS];
/* The sketched variant's option (--sketch gaussian) of `quad --method mc`. */
#define QUAD_SKETCH_NOPTIONS 1
extern const cli_option quad_sketch_options[QUAD_SKETCH_NOPTIONS];

/* Defaults (the library's, docs/QUAD.md). */
#define QUAD_DEFAULT_ALPHA 2.0
#define QUAD_DEFAULT_BETA 1.5
#define QUAD_DEFAULT_ETA 0.01
#define QUAD_DEFAULT_SIGMA2 0.1
#define QUAD_DEFAULT_SCHEDULE "twophase"

typedef struct {
  cli_problem base; /* spectrum, schedule, Ts (base.Ns), batch, sigma2, seed, output, meta */
  const cli_args *args;
  rc_quad_spec spec; /* everything but M; its arrays point into the fields below */
  double *target;    /* --target FILE values (w*_i), or NULL */
  uint64_t *Ms;
  size_t nM;
  int sketched; /* --sketch gaussian: f(x) = <S x, v.v> (quad --method mc only) */
} quad_problem;

/* Parses every option, checks them (every model size's problem is built once, so the library
 * refuses what it cannot do before any work) and writes the header metadata up to the
 * training. Prints the error and returns CLI_EXIT_BAD, or 0. Free with quad_problem_free in
 * either case. */
int quad_problem_setup(const cli_args *args, const char *command_line, quad_problem *p);
void quad_problem_free(quad_problem *p);

/* The problem at model size M. Prints the error and returns NULL on failure. */
rc_quad_problem *quad_problem_at(const quad_problem *p, size_t M);
/* The same without printing: NULL with the library's error in err (callable on threads: a
 * sketch has its own generator). */
rc_quad_problem *quad_problem_at_quiet(const quad_problem *p, size_t M, rc_error *err);

/* 1 when the spectrum and the target are the power laws (the published rates are stated for
 * them). */
int quad_problem_power_laws(const quad_problem *p);

/* The published exponent of the quadratic model's error T^-e (THEORY.md section 3):
 * 1 - 1/beta (alpha <= beta), (2 beta - 2)/(alpha + beta) (alpha > beta). */
double quad_published_exponent(double alpha, double beta);

/* Refuses (message printed, CLI_EXIT_BAD) an analytic job (every M of p, the curves of `per_T`
 * evaluations each; 1 for a plain curve) beyond RC_WORK_LIMIT (rc_quad_analytic_cost). */
int quad_check_analytic(const quad_problem *p, double per_T, const char *what);

/* The Monte Carlo options belong to method "mc" (or compare, method NULL). Prints the error
 * and returns CLI_EXIT_BAD, or 0. */
int quad_mc_check_args(const cli_args *args, const char *method);
/* Reads --runs and the seed into o, refuses a job beyond the work limit (rc_quad_mc_cost) and
 * records the options in the metadata. Prints the error and returns CLI_EXIT_BAD, or 0. */
int quad_mc_setup(quad_problem *p, rc_quad_mc_options *o);

/* Runners of `riskcalc quad --method ...` (quad_analytic.c, quad_closed.c, quad_mc.c). */
int quad_analytic_run(quad_problem *p);
int quad_phases_run(quad_problem *p);
int quad_closed_run(quad_problem *p);
int quad_mc_run(quad_problem *p);

/* ---- figures (quad_plot.c) --------------------------------------------------------------- */

/* The problem's parameters in a figure's caption (cli_problem_caption, with beta always and v0
 * when given). */
void quad_caption(const quad_problem *p, cli_figure *fig);
/* The analytic risk table's figure (columns T M approx bias variance excess risk active):
 * risk and its parts against T, or over (T, M). */
void quad_figure_risk(const quad_problem *p, cli_figure *fig);
/* The Monte Carlo table's figure (columns T M risk risk_se bias bias_se variance ...). */
void quad_figure_mc(const quad_problem *p, cli_figure *fig);
/* The closed table's figure (columns T M D_eff t_adapt approx rate_bias rate_variance
 * rate_risk): the published orders. */
void quad_figure_closed(const quad_problem *p, cli_figure *fig);
/* The two phases (columns t i theta wstar ratio front; times x coords rows, coordinate-major,
 * of the run of horizon T): a heat map of E theta_i(t) / w*_i over (t, i) on a linear colour
 * scale, the activation front D(t) over it. */
void quad_figure_phases(const quad_problem *p, cli_figure *fig, uint64_t T, size_t times,
                        size_t coords);
/* The shape of the --phases table: the largest T, the number of times and of coordinates. */
void quad_phases_shape(const quad_problem *p, uint64_t *T, size_t *times, size_t *coords);
/* Quadratic against linear (columns T M quad_eta quad_risk quad_error linear_gamma linear_risk
 * linear_error ...): both errors against T with the slopes in their labels (kept by the
 * caller), the approximation error (their common floor) as a reference line. */
void quad_figure_vs_linear(const quad_problem *p, cli_figure *fig, const char *quad_label,
                           const char *linear_label, double approx);

#endif
