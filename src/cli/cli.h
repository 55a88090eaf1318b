/* src/cli/cli.h -- shared pieces of the riskcalc tool: option groups and parsing, errors,
 * header metadata, formats and progress. The output path is in emit.h, the problem options
 * every model shares in problem.h. The tool uses only the public library API. */
#ifndef RISKCALC_CLI_H
#define RISKCALC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "riskcalc/io.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_DISAGREE 1 /* compare: theory and simulation disagree */
#define CLI_EXIT_BAD 2      /* bad input or a failed computation */

#define CLI_MAX_OPTIONS 64
#define CLI_MAX_POSITIONAL 4

/* The role of an option that the shared problem parser (problem.h) reads. A model's option
 * table gives each shared option its role, so it may name it as it likes (--eta for the step,
 * --T for the horizons); options of one command only have CLI_ROLE_NONE and are read by
 * name. */
typedef enum {
  CLI_ROLE_NONE = 0,
  CLI_ROLE_A,               /* power-law exponent of the spectrum */
  CLI_ROLE_LOG_A,           /* log-power-law exponent */
  CLI_ROLE_SPECTRUM,        /* eigenvalues from a file */
  CLI_ROLE_D,               /* dimension, a whole number or inf */
  CLI_ROLE_B,               /* source exponent of the prior */
  CLI_ROLE_PRIOR,           /* prior variances from a file */
  CLI_ROLE_GAMMA,           /* base step size */
  CLI_ROLE_BATCH,           /* mini-batch size */
  CLI_ROLE_SCHEDULE,        /* step-size schedule */
  CLI_ROLE_SIGMA2,          /* label noise variance */
  CLI_ROLE_HORIZONS,        /* list of step counts */
  CLI_ROLE_SEED,            /* random seed */
  CLI_ROLE_FORMAT,          /* output format */
  CLI_ROLE_OUTPUT,          /* output file */
  CLI_ROLE_PLOT,            /* figure file */
  CLI_ROLE_APPROX_SCHEDULE, /* tolerance of the piecewise-constant approximation of a schedule */
  CLI_ROLE_FIGURE_KIND,     /* --plot-kind */
  CLI_ROLE_FIGURE_Y,        /* --y */
  CLI_ROLE_FIGURE_YMIN,     /* --ymin */
  CLI_ROLE_FIGURE_YMAX,     /* --ymax */
  CLI_ROLE_FIGURE_SIZE,     /* --size */
  CLI_ROLE_FIGURE_CONTOURS, /* --contours */
  CLI_ROLE_QUAD_SKETCH      /* the quadratic model's --sketch (declared by quad only) */
} cli_role;

/* One long option; arg is the metavariable (NULL for a flag without value). */
typedef struct {
  const char *name; /* without the leading "--" */
  const char *arg;
  const char *help;
  cli_role role;
} cli_option;

/* A group of options: one table, printed together in --help. A command passes the list of
 * its groups to cli_parse and cli_print_help. */
typedef struct {
  const cli_option *options;
  size_t count;
} cli_group;
#define CLI_GROUP(table)                                                                           \
  { (table), sizeof(table) / sizeof((table)[0]) }

typedef struct {
  const cli_option *option[CLI_MAX_OPTIONS]; /* every option of the groups, in order */
  const char *value[CLI_MAX_OPTIONS];        /* NULL when not given; "" for a given flag */
  size_t count;
  const char *positional[CLI_MAX_POSITIONAL];
  size_t npositional;
  int help; /* --help or -h seen */
} cli_args;

/* A short, sanitised excerpt of a user's value for a message (rc_io_excerpt: at most 40
 * characters, '?' for bytes outside printable ASCII); valid until the end of the enclosing
 * block. */
#define CLI_EXCERPT(s) rc_io_excerpt((s), (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS)

/* Prints "riskcalc: <message>" on stderr as one line (control characters shown as '?'; a
 * message longer than CLI_ERROR_MAX bytes is cut, ending in "..."). */
#define CLI_ERROR_MAX 1000
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Parses argv[0..argc-1] (after the subcommand) against the options of the groups; exact
 * names only, "--name value" or "--name=value". Returns 0 or CLI_EXIT_BAD after printing the
 * error. */
int cli_parse(const cli_group *groups, size_t ngroups, size_t max_positional, int argc, char **argv,
              cli_args *out);

void cli_print_help(FILE *f, const char *synopsis, const char *description, const cli_group *groups,
                    size_t ngroups);

/* By name: the option must be declared (a programming error otherwise). */
const char *cli_get(const cli_args *args, const char *name);
int cli_has(const cli_args *args, const char *name);
/* By role: the name of the option playing it, NULL when the command has none. */
const char *cli_role_name(const cli_args *args, cli_role role);
/* The value given for the option playing role, NULL when absent or not given. */
const char *cli_role_value(const cli_args *args, cli_role role);
/* Converters: a missing option yields the default; junk prints "--name: ..." and returns 2. */
int cli_get_double(const cli_args *args, const char *name, double fallback, double *out);
int cli_get_uint(const cli_args *args, const char *name, uint64_t lo, uint64_t hi,
                 uint64_t fallback, uint64_t *out);

/* s as one shell word, quoted when it needs to be (malloc'd; NULL when out of memory). */
char *cli_shell_word(const char *s);
/* The whole command line, shell-quoted where needed so it can be pasted back into a shell
 * (for output headers). malloc'd (caller frees); NULL when out of memory. */
char *cli_command_line(int argc, char **argv);

typedef enum { CLI_FORMAT_TSV, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
/* NULL is the default, tsv. Prints the error and returns CLI_EXIT_BAD, or 0. */
int cli_parse_format(const char *text, cli_format *out);

/* Header metadata: any number of entries of any length (a result must be reproducible from
 * its header, so nothing is ever cut). Zero-initialise; release with cli_meta_free.
 * In TSV and CSV every entry is a "# key: value" line. In JSON the entries are the "meta"
 * object, a value that is a JSON number written as a number (seed, batch, sigma2, z-max, ...),
 * and the typed parameters (cli_meta_param_*, JSON only) the "parameters" object: numbers as
 * numbers, lists as arrays, so a notebook reads a result without parsing strings. */
typedef struct {
  size_t count, capacity;
  char **key;
  char **value;
  size_t nparams, param_capacity;
  char **param_key;
  char **param_json; /* the value as JSON text */
} cli_meta;

void cli_meta_free(cli_meta *meta);
/* Appends "key: value"; exits the tool with status 2 when memory runs out (an output without
 * its full header must not be written; no output file exists yet at that point). */
void cli_meta_add(cli_meta *meta, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Typed parameters of the JSON "parameters" object: a number (inf and nan as the strings
 * "inf", "nan"), a list of whole numbers, a string. Out of memory exits like cli_meta_add. */
void cli_meta_param_number(cli_meta *meta, const char *key, double x);
void cli_meta_param_list(cli_meta *meta, const char *key, const uint64_t *values, size_t n);
/* A list of numbers written as cli_meta_param_number writes each (inf as "inf"). */
void cli_meta_param_numbers(cli_meta *meta, const char *key, const double *values, size_t n);
void cli_meta_param_string(cli_meta *meta, const char *key, const char *text);
/* Writes s as a JSON string (quotes, escapes). */
void cli_json_string(FILE *f, const char *s);
/* 1 when text is a JSON number (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?). */
int cli_json_is_number(const char *text);

/* Progress bar on stderr when it is a terminal, with the time elapsed and an estimate of the
 * time left; usable as an rc_progress_fn. */
typedef struct {
  int enabled;
  int last_permille;
  const char *label;
  double start, last_draw; /* monotonic seconds */
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
int cli_progress_update(void *context, double fraction);
void cli_progress_done(cli_progress *p);

/* A grid of independent cells (curves, tuned rows, budgets) run on OpenMP threads (grid.c).
 * Each cell writes only its own slots, so the result is the same for any thread count; the
 * caller runs
 *     cli_grid g; cli_grid_init(&g, &bar, ncells);
 *     #pragma omp parallel num_threads(cli_grid_threads(ncells))
 *     { cli_grid_tick tick; cli_grid_tick_init(&tick, &g);
 *       #pragma omp for schedule(dynamic, 1)
 *       for (k ...) { if (cli_grid_skip(&g, k)) continue; tick.last = 0;   (any order of k)
 *                     ... cell k, progress through cli_grid_report(&tick, f) ...
 *                     failed ? cli_grid_fail(&g, k) : cli_grid_report(&tick, 1); } }
 * and after the region reports the failure of cell g.fail_min (the first in cell order: a
 * cell after the lowest failure so far is skipped, one before it always runs) or, when
 * g.cancelled, the cancellation. Progress: the fraction of the whole grid (cells done plus the
 * fractions of those under way), drawn by thread 0 only; a non-zero return of the bar's update
 * cancels the cells not started and makes cli_grid_report return 1 (as rc_mc_runner does). */
typedef struct {
  cli_progress *bar;
  double total;    /* cells */
  double done;     /* atomic */
  int cancelled;   /* atomic */
  size_t fail_min; /* atomic: the lowest failed cell (total when none) */
} cli_grid;
typedef struct {
  cli_grid *grid;
  double last; /* the fraction of the current cell counted so far */
  int reporter;
} cli_grid_tick;
/* The threads of a grid of ncells cells: omp_get_max_threads() (OMP_NUM_THREADS), at most
 * ncells, at least 1. */
int cli_grid_threads(size_t ncells);
void cli_grid_init(cli_grid *g, cli_progress *bar, size_t ncells);
/* In the region: this thread's tick (the reporter is thread 0). */
void cli_grid_tick_init(cli_grid_tick *t, cli_grid *g);
/* Whether cell k is not to run: cancelled, or after a failed cell. */
int cli_grid_skip(cli_grid *g, size_t k);
/* Records that cell k failed. */
void cli_grid_fail(cli_grid *g, size_t k);
/* rc_progress_fn of a cell (context: its thread's cli_grid_tick): fraction of the cell done. */
int cli_grid_report(void *tick, double fraction);

/* A warning printed ("riskcalc: warning: ...", one line) only when the subcommand succeeds
 * (main prints them after it returns 0 or 1), so a refused run still ends with its one error
 * line. Keeps a few; later ones are dropped. */
void cli_warn_later(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints and clears the warnings kept by cli_warn_later. */
void cli_warnings_flush(void);

/* When set (by the argument-parser fuzz target, tests/fuzz/fuzz_args.c), the subcommands
 * that honour it (linear, fit) stop after parsing and checking every option and input file,
 * before any computation or output. 0 in the tool. */
extern int cli_parse_only;

/* Subcommands. */
int cmd_linear(int argc, char **argv, const char *command_line);
int cmd_quad(int argc, char **argv, const char *command_line);
int cmd_optimal(int argc, char **argv, const char *command_line);
int cmd_schedule_opt(int argc, char **argv, const char *command_line);
int cmd_rerun(int argc, char **argv, const char *command_line);
int cmd_compare(int argc, char **argv, const char *command_line);
int cmd_fit(int argc, char **argv, const char *command_line);
int cmd_ridge(int argc, char **argv, const char *command_line);
int cmd_rf(int argc, char **argv, const char *command_line);

#endif
