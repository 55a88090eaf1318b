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

/* ---- figure options (figure.c) ----------------------------------------------------------- */

/* How the user wants the figure drawn: the options of cli_figure_options, read by
 * cli_plot_style_parse (every command with --plot declares the group). */
typedef struct {
  const char *kind;     /* --plot-kind as typed: auto (NULL), curves-<axis name>, heatmap */
  const char *y;        /* --y: quantity names, comma-separated (NULL: the figure's default) */
  double ymin, ymax;    /* --ymin, --ymax (NAN: automatic) */
  double width, height; /* --size W,H in pixels (png, svg) or inches (pdf); 0: the default */
  int contours;         /* --contours: contour lines on a heat map */
} cli_plot_style;

/* The figure options, roles CLI_ROLE_FIGURE_*: a command lists this group after its --plot. */
#define CLI_FIGURE_NOPTIONS 6
extern const cli_option cli_figure_options[CLI_FIGURE_NOPTIONS];

/* The output options of a command and their checked targets. Zero-initialise, fill format,
 * output and plot (and style, cli_plot_style_parse), add side outputs, then
 * cli_outputs_check; release with cli_outputs_free. */
#define CLI_MAX_SIDE 2
typedef struct {
  cli_format format;
  const char *output; /* NULL or "-": standard output */
  const char *plot;   /* NULL: no figure */
  cli_plot_style style;
  cli_target table;
  cli_target figure, data, script; /* with plot: the figure, <base>.dat and <base>.gp */
  cli_target side[CLI_MAX_SIDE];   /* further tables (--per-run), regular files or new paths */
  const char *side_option[CLI_MAX_SIDE], *side_role[CLI_MAX_SIDE], *side_path[CLI_MAX_SIDE];
  size_t nside;
  cli_input inputs[CLI_MAX_INPUTS];
  size_t ninputs;
} cli_outputs;

/* Records an input file (ignored when path is NULL). */
void cli_outputs_add_input(cli_outputs *o, const char *option, const char *path);
/* Records a further output table (ignored when path is NULL): option names it in messages,
 * role says what it is ("the per-run table"). Returns its index (cli_emission.side). */
size_t cli_outputs_add_side(cli_outputs *o, const char *option, const char *role, const char *path);

/* Reads the figure options the command declares (cli_figure_options, found by role) into
 * o->style. Refuses junk values and figure options without --plot. Prints the error and
 * returns CLI_EXIT_BAD, or 0. */
int cli_plot_style_parse(const cli_args *args, cli_outputs *o);

/* Checks, before any work, that every output can be written where it is meant to go: --plot
 * ends in .png, .svg or .pdf and gnuplot is on PATH; every directory exists and is writable;
 * the figure and its .dat and .gp are regular files (or new); --output is a regular file, a
 * new path, a character device, a FIFO or an open descriptor, and not a directory; no two
 * outputs are the same file, and no output is one of the inputs (compared by device and inode,
 * so other names, hard and symbolic links are caught). Prints the error and returns
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

/* ---- figures: a description the model fills; the machinery does the rest ----------------
 *
 * A model describes what its table holds, not how to draw it:
 *
 *   cli_figure fig;
 *   cli_figure_init(&fig, CLI_FIGURE_RESULT, "ridge regression (deterministic equivalent)",
 *                   "test risk");
 *   cli_figure_axis(&fig, 0, "N", "N (samples)", 1, nN);       the coordinates of the rows:
 *   cli_figure_axis(&fig, 1, "P", "P (features)", 2, nP);      axis 0 varies fastest
 *   cli_figure_quantity(&fig, "risk", "risk", 3, 0);           value columns, --y names
 *   cli_figure_quantity(&fig, "bias", "bias", 4, 0);
 *   cli_figure_quantity(&fig, "risk", "simulated risk", 5, 6); a simulation: value, se columns
 *   fig.default_y = "risk,bias";                               drawn without --y
 *   fig.noise = sigma2;                                        the dashed noise floor
 *   cli_problem_caption(&problem, &fig);                       the parameters line
 *   ... cli_figure_check(&out, &fig) before the work, then cli_emit(&out, meta, &t, &fig, NULL).
 *
 * plot.c then chooses the figure from the rows and --plot-kind, --y, --ymin/--ymax, --size,
 * --contours: curves against the axis that varies (one per quantity: a theory as a line, a
 * simulation as points with 2-se error bars, a band between lo_col and hi_col); with both
 * axes varying, a heat map of one quantity (one cell centred on every grid value, viridis,
 * log colour bar with readable ticks, optional contours) or a family of curves (curves-<axis>:
 * one curve per value of the other axis, in sequential colours); log axes whose ranges fit the
 * data (a component falling six decades below the largest value leaves the range and the
 * legend says from where); title and caption; png, svg or pdf. Compare figures (mode
 * CLI_FIGURE_COMPARE) draw the theory as a line, the simulation as points with 2-se error
 * bars, and the z-score of every point in a lower panel (band |z| <= 2, dashed at +-zmax).
 * Fit figures (CLI_FIGURE_FIT) draw the data, the fitted curve with its band (gnuplot
 * functions the model writes) and the residuals in a lower panel.
 *
 * Every script redraws its figure with `gnuplot NAME.gp`; `gnuplot -e 'tablefile="t.txt"'
 * NAME.gp` writes the points it would draw (gnuplot's set table) instead, which the tests use
 * to check what a figure shows (tests/cli/figcheck.py).
 *
 * Porting a figure written for the former API (kind, xcol, ycol[], errcol[], yconst[], ...):
 *   kind LINES / HEATMAP      chosen from the axes' counts and --plot-kind (no field)
 *   xcol, ycol_map, x/ylabel  cli_figure_axis(fig, 0 | 1, name, label, col, count)
 *   ycol[k], errcol[k], label cli_figure_quantity(fig, name, label, col, se_col): the name is
 *                             --y's; the same colour per name in every figure, or q->colour
 *   zcol, zlabel              the first name of default_y (or --y) is the heat map's quantity
 *   ycol 0 with yconst        fig->noise (and noise_of) for sigma^2; cli_figure_hline otherwise
 *   zlinear                   fig->linear_z
 *   errlines                  simulations are joined by a thin line unless a theory runs through
 *   marks (mark_x, mark_y)    cli_figure_mark
 *   curves over a heat map    cli_figure_overlay (rows of the first block)
 *   a coordinate with 0       nothing: an axis holding a value <= 0 is drawn linear
 *   the title's parameters    cli_problem_caption(problem, fig) and cli_figure_caption_add;
 *                             a coordinate held at one value is added by the machinery
 * and call cli_figure_check(&out, &fig) before the work so that a bad --y or --plot-kind is
 * refused before anything runs. A compare plug-in (compare.h) sets job->parts and fills
 * CLI_COMPARE_ROW(nparts) values per row; its figure is generic. */
#define CLI_MAX_QUANTITIES 16
#define CLI_CAPTION_CHARS 512
#define CLI_MAX_MARKS 4

/* A quantity of the table a figure can draw; columns are 1-based, 0 when absent. */
typedef struct {
  const char *name;       /* the --y name ("risk", "excess", "bias", ...) */
  const char *label;      /* legend text */
  size_t col;             /* its value */
  size_t se_col;          /* its standard error: a simulation (points, 2-se bars); 0: a theory */
  size_t lo_col, hi_col;  /* a band (for example 10% and 90% of the runs), drawn when both set */
  const char *band_label; /* its legend text */
  const char *colour;     /* "#RRGGBB"; NULL: by name (risk black, bias blue, ...) */
  size_t theory_col;      /* compare: the theory the simulated value is checked against */
  size_t z_col;           /* compare: the z-score (mean - theory) / se, drawn in the lower panel */
} cli_quantity;

/* A coordinate of the rows (N, M, P, T, C, ...). */
typedef struct {
  const char *name;  /* --plot-kind curves-<name>; family legends "<name> = value" */
  const char *label; /* axis label */
  size_t col;        /* 0: the figure has no such axis */
  size_t count;      /* how many distinct values it takes (checks before the run) */
} cli_axis;

typedef enum {
  CLI_FIGURE_RESULT = 0, /* curves, families or a heat map of the table's quantities */
  CLI_FIGURE_COMPARE,    /* theory against simulation with a z-score panel */
  CLI_FIGURE_FIT         /* data, fitted curve and band, residual panel */
} cli_figure_mode;

typedef struct {
  cli_figure_mode mode;
  const char *title;               /* the model and method */
  char caption[CLI_CAPTION_CHARS]; /* the parameters, one line (cli_figure_caption_add) */
  const char *ylabel;              /* axis label when several quantities are drawn */
  cli_axis axis[2];                /* axis[0] varies fastest in the rows */
  cli_quantity q[CLI_MAX_QUANTITIES];
  size_t nq;
  const char *default_y; /* names drawn without --y (NULL: every quantity); in a result figure
                          * "risk" is replaced by "excess" (when the figure has it) when the
                          * noise is at least half of the risk somewhere */
  double noise;          /* the noise floor sigma^2, a dashed line when > 0 and the quantity
                          * noise_of (NULL: "risk") is drawn */
  const char *noise_of;
  double zmax;  /* compare: the agreement threshold (dashed in the z panel) */
  int log_y;    /* 1 (default): log y axis; 0: linear (an axis of values <= 0 is always
                 * linear: the abscissa and the heat map's axes choose by themselves) */
  int linear_z; /* heat map: a linear colour scale (default: logarithmic) */
  int family;   /* a grid is drawn by default as a family of curves against axis 0, one per
                 * value of axis 1 (a sweep), not as a heat map (--plot-kind heatmap still is) */
  /* Further marks (cli_figure_hline, cli_figure_mark, cli_figure_overlay). */
  size_t nhlines, nmarks, noverlays;
  double hline[CLI_MAX_MARKS];
  const char *hline_label[CLI_MAX_MARKS];
  double mark_x[CLI_MAX_MARKS], mark_y[CLI_MAX_MARKS];
  const char *mark_label[CLI_MAX_MARKS];
  size_t overlay_col[CLI_MAX_MARKS];
  const char *overlay_label[CLI_MAX_MARKS];
  /* CLI_FIGURE_FIT: gnuplot definitions written verbatim, and expressions in x (and, as a
   * printf %s, the value of the member of a family) of the fitted curve, its band and the
   * band of the residuals; the residuals are in quantity resid of the lower panel. */
  const char *functions;
  const char *curve_expr, *band_lo_expr, *band_hi_expr, *curve_label;
  const char *resid_lo_expr, *resid_hi_expr, *resid_label;
  size_t resid_col;
} cli_figure;

/* Zeroes fig and sets its mode, title and ylabel (log y axis, no noise line). */
void cli_figure_init(cli_figure *fig, cli_figure_mode mode, const char *title, const char *ylabel);
/* Sets axis k (0 or 1). */
void cli_figure_axis(cli_figure *fig, int k, const char *name, const char *label, size_t col,
                     size_t count);
/* Adds a quantity (value column col, standard errors se_col or 0) and returns it, so a model
 * can set its band or compare columns; NULL when CLI_MAX_QUANTITIES are already there (a
 * programming error). */
cli_quantity *cli_figure_quantity(cli_figure *fig, const char *name, const char *label, size_t col,
                                  size_t se_col);
/* A horizontal reference line at y (dashed grey, in the legend as label), beside the noise. */
void cli_figure_hline(cli_figure *fig, double y, const char *label);
/* A marked point (an optimum): a circle at (x, y) on a dotted vertical line, in the legend. */
void cli_figure_mark(cli_figure *fig, double x, double y, const char *label);
/* Heat map: a curve over the map, column col (values of axis 1) against axis 0, from the rows
 * of the first block (the first value of axis 1), drawn in black with a legend. */
void cli_figure_overlay(cli_figure *fig, size_t col, const char *label);
/* Appends "text" to the caption, separated by ", " (cut at CLI_CAPTION_CHARS). */
void cli_figure_caption_add(cli_figure *fig, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Checks --plot-kind and --y against the figure and its axes' counts, before any work (a
 * figure that cannot be drawn is refused before the computation). 0 without --plot. Prints
 * the error and returns CLI_EXIT_BAD, or 0. */
int cli_figure_check(const cli_outputs *o, const cli_figure *fig);

/* Everything one run writes. */
typedef struct {
  const cli_meta *meta;
  const cli_table *table; /* the output table */
  const char *trailer;    /* a last "# ..." line in TSV and CSV, or NULL */
  const cli_figure *figure;
  const cli_table *figure_table;       /* the figure's data when it is not the table (fit) */
  const cli_table *side[CLI_MAX_SIDE]; /* the tables of the side outputs, in their order */
} cli_emission;

/* The emit path of every command: renders the table (and trailer), draws the figure when
 * --plot was given (figure must then be non-NULL), and commits: descriptors and streams are
 * written first, then every temporary is renamed over its target. On any failure nothing is
 * left: the temporaries are removed and no target is touched. Returns 0 or CLI_EXIT_BAD
 * (message printed). */
int cli_emit(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
             const cli_figure *figure, const char *trailer);
/* The same with the figure's own data and side tables. */
int cli_emit_all(const cli_outputs *o, const cli_emission *e);

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

/* 1 when path ends in .png, .svg or .pdf (after its last '/'). */
int cli_plot_extension_ok(const char *path);
/* 1 when an executable gnuplot is on PATH (or PATH is unset: left to the spawn). */
int cli_gnuplot_available(void);
/* Writes <base>.dat (data: the figure's table) and <base>.gp as registered temporaries and
 * runs gnuplot on a copy of the script naming the temporaries, which draws the figure into a
 * third temporary. Returns 0 or CLI_EXIT_BAD (message printed); the caller commits or aborts
 * the temporaries. */
int cli_plot_draw(const cli_outputs *o, const cli_meta *meta, const cli_table *data,
                  const cli_figure *figure);

#endif
