/* Figures through gnuplot. Each figure keeps its data (<base>.dat) and script (<base>.gp)
 * next to it so a user can restyle and rerun it: gnuplot <base>.gp. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

typedef struct {
  char base[1024];
  char terminal[128];
  const char *ext;
} plot_target;

static int plot_target_parse(const char *path, plot_target *t) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash) || (strcmp(dot, ".png") != 0 && strcmp(dot, ".svg") != 0)) {
    cli_error("--plot: '%s' must end in .png or .svg", path);
    return CLI_EXIT_BAD;
  }
  if ((size_t)(dot - path) >= sizeof t->base - 8) {
    cli_error("--plot: path too long");
    return CLI_EXIT_BAD;
  }
  memcpy(t->base, path, (size_t)(dot - path));
  t->base[dot - path] = '\0';
  t->ext = dot;
  if (strcmp(dot, ".png") == 0)
    snprintf(t->terminal, sizeof t->terminal, "pngcairo size 960,640 enhanced font 'sans,11'");
  else
    snprintf(t->terminal, sizeof t->terminal, "svg size 960,640 dynamic enhanced font 'sans,11'");
  return 0;
}

/* Writes the data file; a blank line whenever column blockcol changes (gnuplot scans). */
static int write_data(const char *path, const cli_meta *meta, const char *const *columns,
                      size_t ncols, const double *data, size_t nrows, size_t blockcol) {
  cli_output out;
  if (cli_output_open(&out, path))
    return CLI_EXIT_BAD;
  for (size_t k = 0; k < meta->count; k++)
    fprintf(out.f, "# %s: %s\n", meta->key[k], meta->value[k]);
  for (size_t c = 0; c < ncols; c++)
    fprintf(out.f, "%s%s", c ? "\t" : "", columns[c]);
  fputc('\n', out.f);
  for (size_t r = 0; r < nrows; r++) {
    if (blockcol && r > 0 && data[r * ncols + blockcol - 1] != data[(r - 1) * ncols + blockcol - 1])
      fputc('\n', out.f);
    for (size_t c = 0; c < ncols; c++)
      fprintf(out.f, "%s%.17g", c ? "\t" : "", data[r * ncols + c]);
    fputc('\n', out.f);
  }
  return cli_output_commit(&out);
}

static void script_preamble(FILE *f, const plot_target *t, const char *title, const char *xlabel,
                            const char *ylabel) {
  fprintf(f, "# riskcalc figure: rerun with  gnuplot %s.gp  (data in %s.dat)\n", t->base, t->base);
  fprintf(f, "if (!exists(\"outfile\")) outfile = '%s%s'\n", t->base, t->ext);
  fprintf(f, "set terminal %s\nset output outfile\n", t->terminal);
  fprintf(f, "set datafile separator tab\nset datafile columnheaders\n");
  fprintf(f, "set title \"%s\" noenhanced\n", title);
  fprintf(f, "set xlabel \"%s\"\nset ylabel \"%s\"\n", xlabel, ylabel);
  fprintf(f, "set logscale xy\nset format x '10^{%%L}'\nset format y '10^{%%L}'\n");
  fprintf(f, "set grid xtics ytics mxtics mytics lc rgb '#dddddd'\n");
}

/* Runs gnuplot -e "outfile='tmp'" script, then renames tmp to the figure. */
static int run_gnuplot(const plot_target *t) {
  char script[1100], tmp[1100], expr[2300], log[1100], final[1100];
  snprintf(script, sizeof script, "%s.gp", t->base);
  snprintf(final, sizeof final, "%s%s", t->base, t->ext);
  snprintf(tmp, sizeof tmp, "%s.tmp%s", t->base, t->ext);
  snprintf(log, sizeof log, "%s.gnuplot.log", t->base);
  snprintf(expr, sizeof expr, "outfile='%s'", tmp);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char *argv[] = {"gnuplot", "-e", expr, script, NULL};
  pid_t pid;
  int rc = posix_spawnp(&pid, "gnuplot", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    unlink(log);
    cli_error("--plot: cannot run gnuplot: %s (install gnuplot-nox)", strerror(rc));
    return CLI_EXIT_BAD;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char first[512] = "";
    FILE *lf = fopen(log, "r");
    if (lf) {
      while (fgets(first, sizeof first, lf) && strspn(first, " \t\n^") == strlen(first))
        ;
      fclose(lf);
    }
    first[strcspn(first, "\n")] = '\0';
    unlink(tmp);
    cli_error("--plot: gnuplot failed on %s: %s", script, first);
    return CLI_EXIT_BAD;
  }
  unlink(log);
  if (rename(tmp, final) != 0) {
    unlink(tmp);
    cli_error("--plot: cannot write '%s': %s", final, strerror(errno));
    return CLI_EXIT_BAD;
  }
  return 0;
}

static int write_script(const plot_target *t,
                        void (*body)(FILE *, const plot_target *, const void *), const void *ctx,
                        const char *title, const char *xlabel, const char *ylabel) {
  char path[1100];
  snprintf(path, sizeof path, "%s.gp", t->base);
  cli_output out;
  if (cli_output_open(&out, path))
    return CLI_EXIT_BAD;
  script_preamble(out.f, t, title, xlabel, ylabel);
  body(out.f, t, ctx);
  return cli_output_commit(&out);
}

static void lines_body(FILE *f, const plot_target *t, const void *ctx) {
  const cli_plot_spec *s = ctx;
  fprintf(f, "set key outside below center horizontal box\nset bmargin 7\nset pointsize 0.8\n");
  fprintf(f, "datafile = '%s.dat'\nplot \\\n", t->base);
  for (size_t k = 0; k < s->ncurves; k++) {
    const char *end = k + 1 < s->ncurves ? ", \\\n" : "\n";
    if (s->ycol[k] == 0)
      fprintf(f,
              "  datafile using %zu:(%.17g) with lines lw 2 dt 2 lc rgb \"#555555\" title \"%s\"%s",
              s->xcol, s->yconst[k], s->label[k], end);
    else if (s->errcol[k])
      fprintf(f, "  datafile using %zu:%zu:%zu with yerrorbars pt 7 lw 1.5 title \"%s\"%s", s->xcol,
              s->ycol[k], s->errcol[k], s->label[k], end);
    else
      fprintf(f, "  datafile using %zu:%zu with linespoints lw 2 pt %zu title \"%s\"%s", s->xcol,
              s->ycol[k], k + 4, s->label[k], end);
  }
}

int cli_plot_lines(const char *path, const cli_plot_spec *spec, const cli_meta *meta,
                   const char *const *columns, size_t ncols, const double *data, size_t nrows) {
  plot_target t;
  char dat[1100];
  if (plot_target_parse(path, &t))
    return CLI_EXIT_BAD;
  snprintf(dat, sizeof dat, "%s.dat", t.base);
  if (write_data(dat, meta, columns, ncols, data, nrows, 0) ||
      write_script(&t, lines_body, spec, spec->title, spec->xlabel, spec->ylabel))
    return CLI_EXIT_BAD;
  return run_gnuplot(&t);
}

typedef struct {
  size_t x, y, z;
  const char *zlabel;
} heat_ctx;

static void heat_body(FILE *f, const plot_target *t, const void *ctx) {
  const heat_ctx *h = ctx;
  fprintf(f, "set logscale cb\nset format cb '10^{%%L}'\nset cblabel \"%s\"\n", h->zlabel);
  fprintf(f, "set view map\nset pm3d map corners2color c1\nset palette rgb 33,13,10\n");
  fprintf(f, "unset key\nsplot '%s.dat' using %zu:%zu:%zu with pm3d\n", t->base, h->x, h->y, h->z);
}

int cli_plot_heatmap(const char *path, const char *title, size_t xcol, size_t ycol, size_t zcol,
                     const char *xlabel, const char *ylabel, const char *zlabel,
                     const cli_meta *meta, const char *const *columns, size_t ncols,
                     const double *data, size_t nrows) {
  plot_target t;
  char dat[1100];
  if (plot_target_parse(path, &t))
    return CLI_EXIT_BAD;
  snprintf(dat, sizeof dat, "%s.dat", t.base);
  heat_ctx h = {xcol, ycol, zcol, zlabel};
  if (write_data(dat, meta, columns, ncols, data, nrows, ycol) ||
      write_script(&t, heat_body, &h, title, xlabel, ylabel))
    return CLI_EXIT_BAD;
  return run_gnuplot(&t);
}
