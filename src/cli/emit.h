/* src/cli/emit.h -- the one output path of the tool: where a run's files go (--output,
 * --plot), checked before any work; temporaries that a signal handler can remove; the emit
 * step that renders the table, draws the figure and commits everything together. */
#ifndef RISKCALC_CLI_EMIT_H
#define RISKCALC_CLI_EMIT_H

#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

/* Where the bytes of one output go.
 * - CLI_TARGET_FILE: a regular file or a path that does not exist yet: written to a temporary
 *   beside it and renamed over it when the run commits (atomic).
 * - CLI_TARGET_STREAM: a character device or a FIFO (/dev/null, a pipe): written in place at
 *   commit, write errors reported; never replaced.
 * - CLI_TARGET_FD: an open descriptor of the tool ("-", /dev/stdout, /dev/stderr, /dev/fd/N,
 *   /proc/self/fd/N): written to that descriptor, never reopened.
 * Symbolic links are followed: the link stays, the file it names is written (a dangling link
 * creates that file). */
typedef enum { CLI_TARGET_FILE, CLI_TARGET_STREAM, CLI_TARGET_FD } cli_target_kind;

typedef struct {
  const char *option; /* the option that named it ("output", "plot"), for messages */
  const char *role;   /* what it is ("the table", "the figure's data file", ...) */
  char *path;         /* as given (or derived from --plot) */
  char *target;       /* path with the symbolic links of its last component followed */
  cli_target_kind kind;
  int fd;     /* CLI_TARGET_FD */
  int exists; /* the target exists: dev, ino identify it */
  dev_t dev;
  ino_t ino;
  dev_t dir_dev; /* a new target: its directory and name identify it */
  ino_t dir_ino;
  const char *name;
} cli_target;

/* The help of every --output option (the path rules of emit.h). */
#define CLI_OUTPUT_HELP                                                                            \
  "write the table to FILE instead of standard output: a regular file is replaced "                \
  "atomically, a device or FIFO (/dev/null, /dev/stdout) written in place; a symbolic link "       \
  "is followed (the file it names is written)"

/* An input file of the run, which no output may overwrite. */
typedef struct {
  const char *option; /* the option naming it ("spectrum", ...); NULL for a positional one */
  const char *path;
} cli_input;

#define CLI_MAX_INPUTS 8

/* The output options of a command and their checked targets. Zero-initialise, fill format,
 * output and plot, then cli_outputs_check; release with cli_outputs_free. */
typedef struct {
  cli_format format;
  const char *output; /* NULL or "-": standard output */
  const char *plot;   /* NULL: no figure */
  cli_target table;
  cli_target figure, data, script; /* with plot: the figure, <base>.dat and <base>.gp */
  cli_input inputs[CLI_MAX_INPUTS];
  size_t ninputs;
} cli_outputs;

/* Records an input file (ignored when path is NULL). */
void cli_outputs_add_input(cli_outputs *o, const char *option, const char *path);

/* Checks, before any work, that every output can be written where it is meant to go: --plot
 * ends in .png or .svg and gnuplot is on PATH; every directory exists and is writable; the
 * figure and its .dat and .gp are regular files (or new); --output is a regular file, a new
 * path, a character device, a FIFO or an open descriptor, and not a directory; no two outputs
 * are the same file, and no output is one of the inputs (compared by device and inode, so
 * other names, hard and symbolic links are caught). Prints the error and returns
 * CLI_EXIT_BAD, or 0. */
int cli_outputs_check(cli_outputs *o);
void cli_outputs_free(cli_outputs *o);

/* A table: ncols column names, nrows rows of data (row-major). With labels, column 0 is
 * text (labels[r]) and data holds the other ncols - 1 columns of each row. */
typedef struct {
  const char *const *columns;
  size_t ncols;
  const char *const *labels;
  const double *data;
  size_t nrows;
} cli_table;

/* Writes meta ("# key: value" lines, or the "meta" object in JSON), the header row and the
 * rows (%.17g; null in JSON for a non-finite value). blockcol (1-based, 0: none): a blank
 * line wherever that column changes (gnuplot scans of a heat map). */
void cli_table_write(FILE *f, cli_format format, const cli_meta *meta, const cli_table *t,
                     size_t blockcol);

/* A figure of the table's columns on log-log axes: curves y(x), or a heat map of zcol over
 * (xcol, ycol) with curves y(x) of the first block (rows of the first ycol_map value) drawn
 * over it. Columns are 1-based. */
typedef enum { CLI_FIGURE_LINES, CLI_FIGURE_HEATMAP } cli_figure_kind;
#define CLI_MAX_CURVES 8
typedef struct {
  cli_figure_kind kind;
  const char *title, *xlabel, *ylabel;
  size_t xcol;
  size_t ncurves;              /* lines */
  size_t ycol[CLI_MAX_CURVES]; /* lines: 0 draws a horizontal line at yconst */
  const char *label[CLI_MAX_CURVES];
  size_t errcol[CLI_MAX_CURVES]; /* lines: column of standard errors (error bars), 0: none */
  double yconst[CLI_MAX_CURVES];
  size_t ycol_map, zcol; /* heat map */
  const char *zlabel;
  int zlinear; /* heat map: a linear colour scale from 0 (default: logarithmic) */
} cli_figure;

/* The emit path of every command: renders the table (and trailer, a last "# ..." line in TSV
 * and CSV, or NULL), draws the figure when --plot was given (figure must then be non-NULL),
 * and commits: descriptors and streams are written first, then every temporary is renamed
 * over its target. On any failure nothing is left: the temporaries are removed and no target
 * is touched. Returns 0 or CLI_EXIT_BAD (message printed). */
int cli_emit(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
             const cli_figure *figure, const char *trailer);

/* ---- the run's temporaries and signals (files.c) ---------------------------------------- */

/* Installs the handler of SIGINT, SIGTERM, SIGHUP and SIGPIPE (those not ignored when the
 * tool started): it kills a running gnuplot, removes every registered temporary and re-raises
 * the signal with its default disposition, so the tool ends with status 128 + the signal. */
void cli_signals_install(void);

/* Creates a temporary file beside target ("<target>.tmp.XXXXXX", mode 0666 & ~umask),
 * registered for removal by cli_temps_abort and by the signal handler. Returns its slot (>= 0)
 * with *fd open for writing, or -1 (message printed). */
int cli_temp_create(const char *target, int *fd);
const char *cli_temp_path(int slot);
/* Renames every registered temporary over its target, in creation order. 0 or CLI_EXIT_BAD. */
int cli_temps_commit(void);
/* Removes every registered temporary. */
void cli_temps_abort(void);
/* Writes len bytes to fd (retrying short writes). 0, or -1 with errno set. */
int cli_write_all(int fd, const char *bytes, size_t len);

/* The running child (gnuplot), killed by the signal handler; 0 when none. */
void cli_child_set(pid_t pid);

/* Resolves and checks one output path (see cli_target_kind); streams_ok admits devices,
 * FIFOs and descriptors (--output only). Prints the error and returns CLI_EXIT_BAD, or 0. */
int cli_target_resolve(cli_target *t, const char *option, const char *role, const char *path,
                       int streams_ok);
void cli_target_free(cli_target *t);
/* 1 when a and b are the same file (both existing with equal device and inode, or both new
 * with the same directory and name). */
int cli_target_same(const cli_target *a, const cli_target *b);

/* ---- figures (plot.c) ------------------------------------------------------------------- */

/* 1 when path ends in .png or .svg (after its last '/'). */
int cli_plot_extension_ok(const char *path);
/* 1 when an executable gnuplot is on PATH (or PATH is unset: left to the spawn). */
int cli_gnuplot_available(void);
/* Writes <base>.dat and <base>.gp as registered temporaries and runs gnuplot on a copy of the
 * script naming the temporaries, which draws the figure into a third temporary. Returns 0 or
 * CLI_EXIT_BAD (message printed); the caller commits or aborts the temporaries. */
int cli_plot_draw(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
                  const cli_figure *figure);

#endif
