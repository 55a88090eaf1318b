/* src/cli/linear_problem.h -- the problem options shared by every method of
 * `riskcalc linear` and by `riskcalc compare linear`: spectrum, prior, sketch source,
 * schedule, sizes, noise, batch, output. */
#ifndef RISKCALC_CLI_LINEAR_PROBLEM_H
#define RISKCALC_CLI_LINEAR_PROBLEM_H

#include "cli.h"
#include "riskcalc/riskcalc.h"

/* The option table entries of the problem (used by linear and compare). */
#define LINEAR_PROBLEM_OPTIONS                                                                     \
  {"a", "A", "power-law spectrum lambda_i = i^-A (default: --a 1.5)"},                             \
      {"log-a", "A", "log-power-law spectrum lambda_i = i^-1 log(i+1)^-A"},                        \
      {"spectrum", "FILE", "eigenvalues of H, one per line ('#' comments); d = their count"},      \
      {"d", "D",                                                                                   \
       "dimension of the data (required with --a and --log-a); --method de and "                   \
       "closed also take inf or any large D at the cost of a moderate one"},                       \
      {"b", "B",                                                                                   \
       "source prior lambda_i E w*_i^2 = i^-B (default: isotropic E w*_i^2 = 1, "                  \
       "which is B = A for the power law)"},                                                       \
      {"prior", "FILE", "prior variances E w*_i^2, one per line"},                                 \
      {"sketch", "FILE", "the sketch S: M lines of d numbers"},                                    \
      {"seed", "K",                                                                                \
       "seed of the Gaussian sketch S, iid N(0, 1/M) from GSL's mt19937, "                         \
       "and of the Monte Carlo runs (default 1)"},                                                 \
      {"M", "LIST", "model sizes: integers and/or log-spaced ranges lo:hi:count"},                 \
      {"N", "LIST", "numbers of SGD steps (samples / batch): e.g. 100,1000 or 1e2:1e6:9"},         \
      {"gamma", "G", "base step size (default 0.1)"},                                              \
      {"batch", "B", "mini-batch size (default 1)"},                                               \
      {"schedule", "SPEC",                                                                         \
       "const | geometric (default) | step:K:F | poly:T0:P | file:PATH "                           \
       "(absolute steps, one per line)"},                                                          \
      {"sigma2", "S", "label noise variance (default 1)"},                                         \
      {"format", "FMT", "output format: tsv (default), csv or json"},                              \
      {"output", "FILE", "write the table to FILE atomically instead of standard output"}, {       \
    "plot", "FILE",                                                                                \
        "also draw a figure (.png or .svg) with gnuplot; keeps FILE's .gp "                        \
        "script and .dat data next to it"                                                          \
  }

typedef struct {
  rc_spectrum *spectrum;
  rc_prior *prior;
  rc_schedule *schedule;
  uint64_t *Ns, *Ms;
  size_t nN, nM;
  double *sketch_values; /* --sketch FILE contents (rows x d), or NULL */
  size_t sketch_rows;
  const char *sketch_file;
  uint64_t seed;
  size_t batch;
  double sigma2;
  double gamma;
  cli_format format;
  const char *output;
  const char *plot;
  cli_meta meta;        /* parameters recorded in every output */
  const cli_args *args; /* the whole command line, for method-specific options (set by the
                         * command after linear_problem_setup) */
  int analytic;         /* set up by linear_problem_setup_analytic (methods de and closed) */
  int use_law; /* analytic with --d inf or d > LINEAR_LAW_MIN_D: spectrum and prior are NULL,
                * law describes them */
  rc_law law;
} linear_problem;

/* Above this dimension (and at --d inf) the analytic methods never hold d eigenvalues. */
#define LINEAR_LAW_MIN_D 1048576.0

/* Reads and validates the problem options (printing any error); fills meta with the
 * version, the command line and every parameter. Returns 0 or CLI_EXIT_BAD. */
int linear_problem_setup(const cli_args *args, const char *command_line, linear_problem *p);
void linear_problem_free(linear_problem *p);

/* The same for the analytic methods (de, closed; src/cli/linear_de.c): no sketch is drawn
 * (--sketch is refused, --seed unused), and with --a or --log-a a dimension --d inf or above
 * LINEAR_LAW_MIN_D is kept as a law (p->use_law) instead of d explicit eigenvalues. */
int linear_problem_setup_analytic(const cli_args *args, const char *command_line,
                                  linear_problem *p);

/* Runners of `riskcalc linear --method de` and `--method closed` (src/cli/linear_de.c). */
int linear_de_run(linear_problem *p);
int linear_closed_run(linear_problem *p);

/* The sketch-averaged risk of the deterministic equivalent at model size M for every N of p
 * (p->nN values into risk), a theory method of `compare linear --method de` (sketch is
 * ignored: the theory averages over sketches). Prints the error and returns CLI_EXIT_BAD,
 * or 0. */
int linear_de_theory(linear_problem *p, size_t M, const rc_sketch *sketch, double *risk);

/* Writes the table N M approx bias variance excess risk (rows ordered M-major) and its figure
 * exactly as `linear --method exact` does (src/cli/cmd_linear.c). */
/* Refuses (message printed, CLI_EXIT_BAD) a job whose cost cannot finish in reasonable time:
 * `runs` repetitions of every SGD step that must be iterated one by one, each costing
 * cost_per_step_per_M * M elementary updates, summed over the --M list, above
 * LINEAR_WORK_LIMIT (about a day at 1e9 updates per second). `what` names the knobs to turn. */
#define LINEAR_WORK_LIMIT 1e14
int linear_check_work(const linear_problem *p, double runs, double cost_per_step_per_M,
                      const char *what);

/* The columns of a risk table: N M approx bias variance excess risk. */
#define LINEAR_RISK_COLUMNS 7
extern const char *const linear_risk_columns[LINEAR_RISK_COLUMNS];

/* Runs the risk curve of `measure` (consumed: freed here) for the m-th model size of the
 * problem and writes its rows into data (LINEAR_RISK_COLUMNS per row, M-major); rows is
 * scratch of nN entries. Returns 0 or CLI_EXIT_BAD (message printed, progress closed). */
int linear_measure_rows(const linear_problem *p, rc_sgd_measure *measure, size_t m,
                        cli_progress *progress, rc_risk *rows, double *data);

/* Writes a risk table whose first LINEAR_RISK_COLUMNS columns are linear_risk_columns (a method
 * may append more) to --output and its figure to --plot. Returns 0 or CLI_EXIT_BAD. */
int linear_risk_table(const linear_problem *p, const char *const *columns, size_t ncols,
                      const double *data, size_t nrows, const char *title);

/* The sketch for model size M: from --sketch, or drawn from --seed (the same seed for
 * every M). Prints the error and returns NULL on failure. */
rc_sketch *linear_problem_sketch(const linear_problem *p, size_t M);

/* The Monte Carlo options (src/cli/linear_mc.c), shared by `linear --method mc` and
 * `compare linear`. */
#define LINEAR_MC_OPTIONS                                                                          \
  {"runs", "R", "Monte Carlo: number of independent runs, >= 2 (default 100)"},                    \
      {"mc-mode", "MODE",                                                                          \
       "Monte Carlo: raw (x ~ N(0, H) in d dimensions, z = S x, O(B M d) "                         \
       "per step) or reduced (default: the exact shortcut in the "                                 \
       "eigenbasis of G, O(B M) per step)"},                                                       \
  {                                                                                                \
    "resketch", NULL,                                                                              \
        "Monte Carlo: every run draws its own sketch (from its own stream) "                       \
        "instead of the fixed --seed/--sketch one"                                                 \
  }

/* Checks the Monte Carlo options against the method (they belong to method "mc" only) and
 * copies args into problem_args for linear_problem_setup: with --method mc, --seed may come
 * with --sketch (it then seeds the runs only), so it is hidden from the problem setup.
 * Prints the error and returns CLI_EXIT_BAD, or 0. */
int linear_mc_args(const cli_args *args, const char *method, cli_args *problem_args);

/* `riskcalc linear --method mc`: the simulated risk for every (M, N), columns
 * N M risk risk_se runs. Reads --runs, --mc-mode, --resketch and --seed from p->args. */
int linear_mc_run(linear_problem *p);

/* Reads --runs, --mc-mode, --resketch, --seed (and --batch, --sigma2 from p) into o and
 * records them in p->meta. Prints the error and returns CLI_EXIT_BAD, or 0. */
int linear_mc_options(linear_problem *p, rc_mc_options *o);

/* Simulates model size M (sketch: the fixed sketch, or NULL with o->resketch) for every N
 * of p into rows (p->nN entries); progress over [done, done + share) of bar. Prints the
 * error and returns CLI_EXIT_BAD, or 0. */
int linear_mc_simulate(const linear_problem *p, const rc_mc_options *o, size_t M,
                       const rc_sketch *sketch, rc_mc_risk *rows, cli_progress *bar, double done,
                       double share);

#endif
