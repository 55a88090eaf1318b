/* src/cli/problem.h -- the options every model shares: spectrum, prior, schedule, horizons,
 * batch, noise, seed and output. Data flows one way: cli_problem_parse turns the option texts
 * into values (nothing else), the cli_problem_check_* steps check them and build the library
 * objects, and cli_problem_describe_* write the header metadata from the finished problem.
 * The options are found by their role (cli_role), so a model names them as it likes; a model
 * adds its own steps between these (the linear model's sketch and model sizes). */
#ifndef RISKCALC_CLI_PROBLEM_H
#define RISKCALC_CLI_PROBLEM_H

#include "emit.h"
#include "riskcalc/riskcalc.h"

typedef struct {
  const cli_args *args; /* option names for messages */

  /* ---- parsed (cli_problem_parse) ---- */
  int spectrum_options;      /* how many of the a, log-a and spectrum roles were given */
  rc_spectrum_kind law_kind; /* RC_SPECTRUM_POWER or _LOGPOWER (the law roles) */
  int a_given;
  double a;                  /* default 1.5 */
  const char *spectrum_file; /* NULL: a law */
  const char *d_text;        /* as typed, NULL when not given */
  int d_inf;
  uint64_t d;
  int b_given;
  double b;
  const char *prior_file;
  const char *schedule_spec; /* default "geometric" */
  const char *schedule_file; /* the file of a file:PATH schedule, an input */
  int gamma_given;
  double gamma;       /* default 0.1 */
  double approx_rtol; /* > 0: the schedule's smooth parts approximated (rc_schedule_approximate) */
  size_t batch;       /* default 1 */
  double sigma2;      /* default 1 */
  /* The values of each swept option, in the order given, at least one each (a command that
   * does not sweep holds its one value); gamma, batch and sigma2 above hold the current
   * combination (cli_problem_sweep_set). gamma_opt: --gamma opt (the step is tuned per row,
   * gammas holds the placeholder 0.1 that shapes the schedule). */
  double *gammas;
  size_t ngamma;
  int gamma_opt;
  size_t *batches;
  size_t nbatch;
  double *sigma2s;
  size_t nsigma2;
  uint64_t *Ns; /* horizons, NULL when not given */
  size_t nN;
  int seed_given;
  uint64_t seed;   /* default 1 */
  cli_outputs out; /* format, --output, --plot and the inputs */

  /* ---- built (cli_problem_check_*) ---- */
  int use_law; /* spectrum and prior are kept as law (no d explicit values) */
  rc_law law;
  rc_spectrum *spectrum;
  rc_prior *prior;
  rc_schedule *schedule;
  char stall[256]; /* a warning when the schedule stops training within the horizons, or "" */

  cli_meta meta;
} cli_problem;

/* Reads the value of every shared option the command declares (by role) into p, recording
 * the input files; junk values are refused ("--name: ..."). Prints the error and returns
 * CLI_EXIT_BAD, or 0. Release with cli_problem_free even on failure. */
int cli_problem_parse(const cli_args *args, cli_problem *p);
/* The same, with the step, batch and noise options taking lists (the syntax of the horizons:
 * items and log-spaced ranges lo:hi:count; the noise may be 0) and the step also "opt". */
int cli_problem_parse_sweeps(const cli_args *args, cli_problem *p);
void cli_problem_free(cli_problem *p);

/* The number of combinations of the swept values (ngamma nbatch nsigma2). */
size_t cli_problem_sweep_count(const cli_problem *p);
/* Makes combination c (gamma slowest, sigma2 fastest) the current one: gamma, batch, sigma2
 * and the schedule's base step (unless the schedule has none or the step is tuned). */
void cli_problem_sweep_set(cli_problem *p, size_t c);
/* Whether a value of the step, batch or noise list varies (more than one value). */
int cli_problem_swept(const cli_problem *p);

/* The output targets (cli_outputs_check). */
int cli_problem_check_outputs(cli_problem *p);

/* What the model accepts for the spectrum. */
typedef struct {
  int law_ok; /* keep the law at --d inf or d > law_min_d (never d explicit values) */
  double law_min_d;
  const char *inf_refused; /* the error when --d inf is given and law_ok is 0 */
} cli_spectrum_rules;

/* The spectrum and the prior: one source each, d consistent with a file, a law kept as law
 * when the rules allow (rc_law_check), else d explicit values. */
int cli_problem_check_spectrum(cli_problem *p, const cli_spectrum_rules *rules);
int cli_problem_check_prior(cli_problem *p);
/* The horizons are required ("for example" shows a list). */
int cli_problem_check_horizons(cli_problem *p, const char *example);
/* Step, batch, noise and the schedule (which must hold the largest horizon), approximated when
 * asked; a schedule whose last 1% or more of the steps (at the largest horizon) are below 1e-12
 * of its largest step gets a warning on stderr (and in the header, with the schedule). */
int cli_problem_check_training(cli_problem *p);

/* Metadata: riskcalc, command, spectrum, prior (and signal with explicit values). */
void cli_problem_describe_data(cli_problem *p, const char *command_line);
/* Metadata: schedule, batch, sigma2, and the typed parameters (cli_problem_parameters). */
void cli_problem_describe_training(cli_problem *p);
/* The JSON "parameters" of the shared options, typed: a (or log-a, or the spectrum file), d
 * (inf as "inf"), b (or the prior file), schedule, gamma, batch, sigma2, the horizons as an
 * array, seed; named as the command names them. */
void cli_problem_parameters(cli_problem *p);
/* The problem's parameters in a figure's caption, as typed: a (or log-a, or the spectrum
 * file), d, b (or the prior file), the schedule and gamma, the batch when not 1, sigma2. */
void cli_problem_caption(const cli_problem *p, cli_figure *fig);

/* values as the shortest texts that read back, comma-separated, into buf (size bytes; a list
 * that does not fit ends in "..."); returns buf. */
const char *cli_number_list(const double *values, size_t n, char *buf, size_t size);

/* Refuses (message printed, CLI_EXIT_BAD) a job above RC_WORK_LIMIT elementary updates, about
 * a day at 1e9 per second; `work` is the estimate, `what` names the knobs to turn. */
int cli_check_work(double work, const char *what);

/* The Gaussian sketch of the tool: M x d, iid N(0, 1/M), drawn row by row from GSL's mt19937
 * seeded with seed (the linear model's --seed, the quadratic model's --sketch gaussian). NULL
 * with err set on failure (nothing printed). */
rc_sketch *cli_gaussian_sketch(uint64_t seed, size_t M, size_t d, rc_error *err);

#endif
