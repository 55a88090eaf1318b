/* src/cli/cli.h -- shared pieces of the riskcalc tool: option parsing, errors, output files,
 * tables, progress and plots. The tool uses only the public library API. */
#ifndef RISKCALC_CLI_H
#define RISKCALC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_DISAGREE 1 /* compare: theory and simulation disagree */
#define CLI_EXIT_BAD 2      /* bad input or a failed computation */

#define CLI_MAX_OPTIONS 64
#define CLI_MAX_POSITIONAL 4

/* One long option; arg is the metavariable (NULL for a flag without value). */
typedef struct {
  const char *name; /* without the leading "--" */
  const char *arg;
  const char *help;
} cli_option;

typedef struct {
  const cli_option *options;
  size_t count;
  const char *value[CLI_MAX_OPTIONS]; /* NULL when not given; "" for a given flag */
  const char *positional[CLI_MAX_POSITIONAL];
  size_t npositional;
  int help; /* --help or -h seen */
} cli_args;

/* Prints "riskcalc: <message>" on stderr (one line). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Parses argv[0..argc-1] (after the subcommand) against options; exact names only,
 * "--name value" or "--name=value". Returns 0 or CLI_EXIT_BAD after printing the error. */
int cli_parse(const cli_option *options, size_t count, size_t max_positional, int argc, char **argv,
              cli_args *out);

void cli_print_help(FILE *f, const char *synopsis, const char *description,
                    const cli_option *options, size_t count);

const char *cli_get(const cli_args *args, const char *name);
int cli_has(const cli_args *args, const char *name);
/* Converters: a missing option yields the default; junk prints "--name: ..." and returns 2. */
int cli_get_double(const cli_args *args, const char *name, double fallback, double *out);
int cli_get_uint(const cli_args *args, const char *name, uint64_t lo, uint64_t hi,
                 uint64_t fallback, uint64_t *out);

/* The whole command line, shell-quoted where needed so it can be pasted back into a shell
 * (for output headers). malloc'd (caller frees); NULL when out of memory. */
char *cli_command_line(int argc, char **argv);

/* Output to stdout or to a file written atomically (temporary file, then rename). */
typedef struct {
  FILE *f;
  char *path; /* final path, NULL for stdout */
  char *tmp;  /* temporary path */
} cli_output;

int cli_output_open(cli_output *out, const char *path);
int cli_output_commit(cli_output *out); /* 0 or CLI_EXIT_BAD (message printed) */
void cli_output_abort(cli_output *out); /* removes the temporary file */

/* Header metadata (key: value lines) and tables. */
typedef enum { CLI_FORMAT_TSV, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
int cli_parse_format(const char *text, cli_format *out);

/* Header metadata: any number of entries of any length (a result must be reproducible from
 * its header, so nothing is ever cut). Zero-initialise; release with cli_meta_free. */
typedef struct {
  size_t count, capacity;
  char **key;
  char **value;
} cli_meta;

void cli_meta_free(cli_meta *meta);
/* Appends "key: value"; exits the tool with status 2 when memory runs out (an output without
 * its full header must not be written). */
void cli_meta_add(cli_meta *meta, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Like cli_table_write, with a text first column: labels[r] is row r's column 0 and data holds
 * the remaining ncols - 1 numeric columns of each row. */
void cli_table_write_labeled(FILE *f, cli_format format, const cli_meta *meta,
                             const char *const *columns, size_t ncols, const char *const *labels,
                             const double *data, size_t nrows);

/* Writes metadata, the header row and rows x ncols values (%.17g; null in JSON for a
 * non-finite value). */
void cli_table_write(FILE *f, cli_format format, const cli_meta *meta, const char *const *columns,
                     size_t ncols, const double *data, size_t nrows);

/* Progress bar on stderr when it is a terminal; usable as an rc_progress_fn. */
typedef struct {
  int enabled;
  int last_permille;
  const char *label;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
int cli_progress_update(void *context, double fraction);
void cli_progress_done(cli_progress *p);

/* Plot description for cli_plot: curves y(x) on log-log axes from the data table. */
typedef struct {
  const char *title;
  const char *xlabel;
  const char *ylabel;
  size_t xcol; /* 1-based column of the data file holding x */
  size_t ncurves;
  size_t ycol[8]; /* 1-based columns */
  const char *label[8];
  size_t errcol[8]; /* 1-based column of standard errors (points with error bars), 0: line */
  double yconst[8]; /* used when ycol is 0: a horizontal line at this value */
} cli_plot_spec;

/* Writes <base>.dat (TSV with the metadata), <base>.gp and runs gnuplot to produce path
 * (.png or .svg) atomically. Returns 0 or CLI_EXIT_BAD (message printed). */
int cli_plot_lines(const char *path, const cli_plot_spec *spec, const cli_meta *meta,
                   const char *const *columns, size_t ncols, const double *data, size_t nrows);

/* Heat map of column zcol over (xcol, ycol) on log axes. */
int cli_plot_heatmap(const char *path, const char *title, size_t xcol, size_t ycol, size_t zcol,
                     const char *xlabel, const char *ylabel, const char *zlabel,
                     const cli_meta *meta, const char *const *columns, size_t ncols,
                     const double *data, size_t nrows);

/* Subcommands. */
int cmd_linear(int argc, char **argv, const char *command_line);
int cmd_optimal(int argc, char **argv, const char *command_line);
int cmd_compare(int argc, char **argv, const char *command_line);
int cmd_fit(int argc, char **argv, const char *command_line);

#endif
