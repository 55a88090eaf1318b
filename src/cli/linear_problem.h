/* src/cli/linear_problem.h -- the problem of `riskcalc linear` and `riskcalc compare linear`:
 * the shared problem (problem.h) plus the model sizes and the sketch, and the pieces the
 * methods share (risk rows, figures, emit, the Monte Carlo options). */
#ifndef RISKCALC_CLI_LINEAR_PROBLEM_H
#define RISKCALC_CLI_LINEAR_PROBLEM_H

#include "problem.h"

/* The problem options, in --help order: the spectrum (--a, --log-a, --spectrum), the dimension
 * (--d: linear_d_option, which takes inf with the analytic methods, or
 * linear_d_option_simulated, compare's, which does not), then the prior, sketch, sizes,
 * training and output. */
extern const cli_option linear_spectrum_options[3];
extern const cli_option linear_d_option[1];
extern const cli_option linear_d_option_simulated[1];
#define LINEAR_PROBLEM_NOPTIONS 14
extern const cli_option linear_problem_options[LINEAR_PROBLEM_NOPTIONS];
/* The Monte Carlo options (--runs, --mc-mode, --resketch, and --per-run, --band of
 * `linear --method mc` only), of `linear --method mc` and `compare linear`. */
#define LINEAR_MC_NOPTIONS 6
extern const cli_option linear_mc_options[LINEAR_MC_NOPTIONS];

/* How a method uses the problem. */
typedef enum {
  LINEAR_FIXED_SKETCH, /* exact: one sketch per M, from --sketch or drawn from --seed */
  LINEAR_SIMULATED,    /* mc, compare: as exact, and --seed also seeds the runs (so it may come
                        * with --sketch) */
  LINEAR_ANALYTIC      /* de, closed: no sketch; --d inf and huge d kept as a law */
} linear_use;

/* Above this dimension (and at --d inf) the analytic methods never hold d eigenvalues. */
#define LINEAR_LAW_MIN_D 1048576.0

typedef struct {
  cli_problem base; /* spectrum, prior, schedule, Ns, batch, sigma2, seed, output, meta */
  const cli_args *args;
  linear_use use;
  uint64_t *Ms;
  size_t nM;
  const char *sketch_file;
  double *sketch_values; /* --sketch FILE contents (rows x d), or NULL */
  size_t sketch_rows;
  /* --gamma opt: what the tuner did (linear_describe_tuning) */
  size_t tuned_rows, tuned_at_edge, tuned_unconverged, tuned_evaluations;
} linear_problem;

/* Parses every option, checks them (library objects built) and writes the header metadata up
 * to sigma2. Prints the error and returns CLI_EXIT_BAD, or 0. Free with linear_problem_free in
 * either case. */
int linear_problem_setup(const cli_args *args, const char *command_line, linear_use use,
                         linear_problem *p);
/* The same for `riskcalc linear`, whose --gamma, --batch and --sigma2 take lists (and --gamma
 * opt): one row per (M, gamma, batch, sigma2, N), in that order (N fastest), each ending in the
 * columns gamma batch sigma2 (linear_sweep_cells). linear_problem_setup (compare,
 * schedule-opt) refuses lists by name. */
int linear_problem_setup_sweeps(const cli_args *args, const char *command_line, linear_use use,
                                linear_problem *p);
void linear_problem_free(linear_problem *p);

/* The trailing columns of every row of `riskcalc linear`. */
#define LINEAR_SWEEP_COLUMNS 3
/* The index of the row of model size m, combination c (cli_problem_sweep_set) and horizon n. */
size_t linear_row(const linear_problem *p, size_t m, size_t c, size_t n);
/* The sweep columns of the current combination, with the step gamma (the tuned one with
 * --gamma opt; nan for a file: or stages: schedule, which has no base step): gamma, batch,
 * sigma2. */
void linear_sweep_cells(const linear_problem *p, double gamma, double *cells);
/* ", gamma = 0.1, batch = 4" for the swept quantities of the current combination (messages);
 * "" without sweeps. Returns buf. */
const char *linear_sweep_text(const linear_problem *p, char *buf, size_t n);
/* With --plot, at most one of M and the swept quantities may take several values (the figure
 * draws one curve per value of it against N). Prints the error and returns CLI_EXIT_BAD, or 0. */
int linear_sweep_plot_check(const linear_problem *p);

/* The sketch for model size M: from --sketch, or drawn from --seed (the same seed for every
 * M). Prints the error and returns NULL on failure. */
rc_sketch *linear_problem_sketch(const linear_problem *p, size_t M);

/* The exact engine's measure of model size M: from --sketch's values, or that of the sketch
 * --seed draws, generated block by block and never stored where that pays
 * (rc_sgd_measure_gaussian: the same numbers as drawing and storing it). Prints nothing;
 * NULL and err on failure. */
rc_sgd_measure *linear_problem_measure(const linear_problem *p, size_t M, rc_error *err);
/* What the set-up of model size M costs (d: the dimension): rc_sgd_measure_gaussian_cost for the
 * exact engine on a drawn sketch (linear_problem_measure), rc_sgd_measure_from_sketch_cost
 * where the sketch is stored (--sketch, and the Monte Carlo, which needs S). */
int linear_setup_cost(const linear_problem *p, size_t M, size_t d, rc_cost *cost, rc_error *err);

/* What a job costs, asked of the library (riskcalc/cost.h) before it runs (linear_cost.c);
 * each refuses what cannot run (message printed, CLI_EXIT_BAD), else returns 0. */
/* The set-up of every M of p (linear_setup_cost) must fit in the machine's memory (d: the
 * dimension). */
int linear_check_memory(const linear_problem *p, uint64_t d);
/* How many of those set-ups may run at once on threads (at most `threads`, at least 1): the
 * largest count whose largest set-ups together still fit in the machine's memory with
 * RC_COST_BYTES_MARGIN, so the estimate linear_check_memory made stays true in parallel. */
int linear_build_threads(const linear_problem *p, uint64_t d, int threads);
/* The SVDs and the risk curves (rc_sgd_curve_cost, which knows which stages are jumped) within
 * RC_WORK_LIMIT; what names the knobs to turn. */
int linear_check_iterated(const linear_problem *p, const char *what);
/* The Monte Carlo simulation of every (M, N) of p with options o (rc_mc_cost) within
 * RC_WORK_LIMIT. */
int linear_check_mc(const linear_problem *p, const rc_mc_options *o);

/* The columns of a risk table: N M approx bias variance excess risk (LINEAR_RISK_COLUMNS),
 * then the sweep columns gamma batch sigma2. */
#define LINEAR_RISK_COLUMNS 7
/* --method closed: the risk columns, then N_eff T_eff k_star D_eff and the three rates. */
#define LINEAR_CLOSED_COLUMNS 14
extern const char *const linear_risk_columns[LINEAR_RISK_COLUMNS + LINEAR_SWEEP_COLUMNS];

/* Runs the risk curves of the model sizes 0..nm-1 of p (measures[m] the measure of the m-th)
 * for every combination of the sweep lists, and writes their rows into data
 * (LINEAR_RISK_COLUMNS + LINEAR_SWEEP_COLUMNS per row, at linear_row); with --gamma opt every
 * row's step is tuned (rc_sgd_tune_gamma, counted in p). The curves (the tuned rows) are
 * independent cells run on OpenMP threads (cli_grid_threads), each writing its own rows, so
 * data is the same for any thread count; progress is drawn by one thread. On failure the
 * error of the first failing cell in row order is printed (progress closed) and CLI_EXIT_BAD
 * returned, else 0. */
int linear_grid_run(linear_problem *p, const rc_sgd_measure *const *measures, size_t nm,
                    cli_progress *progress, double *data);
/* With --gamma opt, records in the header what the tuner did (after the rows). */
void linear_describe_tuning(linear_problem *p);

/* The largest mean-square stable constant step of measure for every batch of p, as text
 * ("0.5779 (batch 2), ..."). Returns CLI_EXIT_BAD with the error (naming M) in error (nerror
 * bytes; printed by the caller after the curves of the smaller M, the order of a run M after
 * M), or 0. */
#define LINEAR_ERROR_SIZE (RC_ERROR_MESSAGE_SIZE + 256)
int linear_stable_text(const linear_problem *p, const rc_sgd_measure *measure, double M, char *text,
                       size_t n, char *error, size_t nerror);

/* A figure of a table whose columns 1 and 2 are N and M: its axes, the problem's caption
 * (with the sketch seed when a sketch is drawn) and the noise floor; no quantity yet. */
/* ncols: the method's columns before the sweep columns (a swept quantity is the second
 * coordinate when M takes one value). */
void linear_figure(const linear_problem *p, cli_figure *fig, cli_figure_mode mode,
                   const char *title, const char *ylabel, size_t ncols);
/* The figure of a risk table (linear_risk_columns): risk and its parts. */
void linear_risk_figure(const linear_problem *p, cli_figure *fig, const char *title, size_t ncols);

/* Writes a risk table (columns: linear_risk_columns, which a method may extend before the
 * sweep columns, which are last) and its figure (linear_risk_figure). Returns 0 or
 * CLI_EXIT_BAD. */
int linear_risk_table(const linear_problem *p, const char *const *columns, size_t ncols,
                      const double *data, size_t nrows, const char *title);

/* Runners of `riskcalc linear --method ...` (exact: cmd_linear.c; de, closed: linear_de.c;
 * mc: linear_mc.c). */
int linear_exact_run(linear_problem *p);
int linear_de_run(linear_problem *p);
int linear_closed_run(linear_problem *p);
int linear_mc_run(linear_problem *p);

/* The sketch-averaged risk (and its parts) of the deterministic equivalent at model size M for
 * every N of p (p->base.nN rows), a theory of `compare linear --method de`. Prints the error
 * and returns CLI_EXIT_BAD, or 0. */
int linear_de_theory(linear_problem *p, size_t M, const rc_sketch *sketch, rc_risk *rows);

/* The sketch-averaged measure of the deterministic equivalent at model size M, its plan
 * described in the header (method and tail). Prints the error and returns NULL on failure. */
rc_sgd_measure *linear_de_measure(linear_problem *p, size_t M);

/* The Monte Carlo options belong to method "mc" (or compare, method NULL, which refuses
 * --per-run and --band): refuses them with another method, and --resketch with --sketch.
 * Prints the error and returns CLI_EXIT_BAD, or 0. */
int linear_mc_check_args(const cli_args *args, const char *method);
/* Reads --runs, --mc-mode, --resketch and the seed, batch and noise of p into o, refuses a job
 * beyond the work limit, and records the options in p's metadata. Prints the error and
 * returns CLI_EXIT_BAD, or 0. */
int linear_mc_setup(linear_problem *p, rc_mc_options *o);
/* Simulates model size M (sketch: the fixed sketch, or NULL with o->resketch) for every N
 * of p into rows (p->base.nN entries) and, when run_risks is not NULL, every run's risk
 * (run_risks[r * nN + n], o->runs x nN); progress over [done, done + share) of bar. Prints
 * the error and returns CLI_EXIT_BAD, or 0. */
int linear_mc_simulate(const linear_problem *p, const rc_mc_options *o, size_t M,
                       const rc_sketch *sketch, rc_mc_risk *rows, double *run_risks,
                       cli_progress *bar, double done, double share);
/* The figure of `linear --method mc` (its columns depend on --band). */
void linear_mc_figure(const linear_problem *p, cli_figure *fig);

#endif
