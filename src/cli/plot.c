/* Figures through gnuplot. Each figure keeps its data (<base>.dat) and script (<base>.gp)
 * next to it so a user can restyle and rerun it: gnuplot <base>.gp.
 *
 * No character of a path is ever interpreted by gnuplot: paths enter the scripts only as
 * string expressions built by gp_string (see there), and gnuplot runs on a copy of the script
 * that names the run's temporaries, fed on its standard input; its messages go to an unnamed
 * temporary file. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit.h"

extern char **environ;

int cli_plot_extension_ok(const char *path) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  return dot && !(slash && dot < slash) && (strcmp(dot, ".png") == 0 || strcmp(dot, ".svg") == 0);
}

int cli_gnuplot_available(void) {
  const char *path = getenv("PATH");
  if (!path)
    return 1;
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    const size_t n = colon ? (size_t)(colon - p) : strlen(p);
    char file[4096];
    struct stat st;
    /* An empty entry is the current directory. */
    if (snprintf(file, sizeof file, "%.*s%sgnuplot", (int)n, n ? p : ".", "/") < (int)sizeof file &&
        stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
      return 1;
    if (!colon)
      return 0;
    p = colon + 1;
  }
}

/* Writes path as a gnuplot string expression whose value is exactly its bytes. gnuplot does
 * no substitution inside single quotes (no backquote command, no @macro, no backslash escape;
 * '' is a quote), but a single-quoted string cannot hold a line break: control characters go
 * into double-quoted octal escapes joined with '.'. A relative path whose first character
 * gnuplot would read as a command ('<' and '|' open pipes), a datablock ('$'), a home
 * directory ('~') or an option is written with a leading "./". */
static void gp_string(FILE *f, const char *path) {
  const unsigned char first = (unsigned char)path[0];
  const int plain = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                    (first >= '0' && first <= '9') || first == '.' || first == '_' || first == '/';
  int open = 0; /* inside a single-quoted run */
  if (!plain) {
    fputs("'./", f);
    open = 1;
  }
  for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
    if (*c < 0x20 || *c == 0x7f) {
      fprintf(f, "%s\"\\%03o\"", open ? "'." : (c == (const unsigned char *)path ? "" : "."), *c);
      open = 0;
      continue;
    }
    if (!open) {
      fputs(c == (const unsigned char *)path ? "'" : ".'", f);
      open = 1;
    }
    if (*c == '\'')
      fputs("''", f);
    else
      fputc(*c, f);
  }
  if (open)
    fputc('\'', f);
}

/* The rerun hint in the script's first comment line: the path as a shell word (quoted when
 * needed), with control characters shown as '?' so the comment stays one line. */
static void hint_word(FILE *f, const char *base, const char *ext) {
  char *word = cli_shell_word(base);
  if (!word)
    return;
  const char *lead = word[0] == '-' ? "./" : "";
  fputs(lead, f);
  for (const char *c = word; *c; c++)
    fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, f);
  fputs(ext, f);
  free(word);
}

/* The script: output figure_path, data data_path; base is the final <base> for the hint. */
static void script_write(FILE *f, const cli_figure *fig, const char *base, int svg,
                         const char *figure_path, const char *data_path) {
  fputs("# riskcalc figure: rerun with  gnuplot ", f);
  hint_word(f, base, ".gp");
  fputs("  (data in ", f);
  hint_word(f, base, ".dat");
  fputs(")\nif (!exists(\"outfile\")) outfile = ", f);
  gp_string(f, figure_path);
  fprintf(f, "\nset terminal %s\nset output outfile\n",
          svg ? "svg size 960,640 dynamic enhanced font 'sans,11'"
              : "pngcairo size 960,640 enhanced font 'sans,11'");
  fprintf(f, "set datafile separator tab\nset datafile columnheaders\n");
  fprintf(f, "set title \"%s\" noenhanced\n", fig->title);
  fprintf(f, "set xlabel \"%s\"\nset ylabel \"%s\"\n", fig->xlabel, fig->ylabel);
  fprintf(f, "set logscale xy\nset format x '10^{%%L}'\nset format y '10^{%%L}'\n");
  fprintf(f, "set grid xtics ytics mxtics mytics lc rgb '#dddddd'\n");
  if (fig->kind == CLI_FIGURE_HEATMAP) {
    if (fig->zlinear)
      fprintf(f, "set cbrange [0:*]\nset cblabel \"%s\"\n", fig->zlabel);
    else
      fprintf(f, "set logscale cb\nset format cb '10^{%%L}'\nset cblabel \"%s\"\n", fig->zlabel);
    fprintf(f, "set view map\nset pm3d map corners2color c1\nset palette rgb 33,13,10\n");
    if (fig->ncurves == 0) {
      fputs("unset key\nsplot ", f);
      gp_string(f, data_path);
      fprintf(f, " using %zu:%zu:%zu with pm3d\n", fig->xcol, fig->ycol_map, fig->zcol);
      return;
    }
    /* curves over the map: taken from the first block, drawn in black above the colours; the
     * axes end where the data do */
    fputs("set autoscale xfix\nset autoscale yfix\nset key top left opaque box\ndatafile = ", f);
    gp_string(f, data_path);
    fprintf(f, "\nsplot datafile using %zu:%zu:%zu with pm3d notitle", fig->xcol, fig->ycol_map,
            fig->zcol);
    for (size_t k = 0; k < fig->ncurves; k++)
      fprintf(f,
              ", \\\n  datafile using %zu:%zu:(0) every :::0::0 with lines lw 3 lc rgb "
              "\"black\" title \"%s\"",
              fig->xcol, fig->ycol[k], fig->label[k]);
    fputc('\n', f);
    return;
  }
  fprintf(f, "set key outside below center horizontal box\nset bmargin 7\nset pointsize 0.8\n");
  fputs("datafile = ", f);
  gp_string(f, data_path);
  fputs("\nplot \\\n", f);
  for (size_t k = 0; k < fig->ncurves; k++) {
    const char *end = k + 1 < fig->ncurves ? ", \\\n" : "\n";
    if (fig->ycol[k] == 0)
      fprintf(f,
              "  datafile using %zu:(%.17g) with lines lw 2 dt 2 lc rgb \"#555555\" title \"%s\"%s",
              fig->xcol, fig->yconst[k], fig->label[k], end);
    else if (fig->errcol[k])
      fprintf(f, "  datafile using %zu:%zu:%zu with yerrorbars pt 7 lw 1.5 title \"%s\"%s",
              fig->xcol, fig->ycol[k], fig->errcol[k], fig->label[k], end);
    else
      fprintf(f, "  datafile using %zu:%zu with linespoints lw 2 pt %zu title \"%s\"%s", fig->xcol,
              fig->ycol[k], k + 4, fig->label[k], end);
  }
}

/* Writes a registered temporary for target through fill(f, ctx). */
static int write_file(const cli_target *t, int *slot, void (*fill)(FILE *, const void *),
                      const void *ctx) {
  int fd;
  if ((*slot = cli_temp_create(t->target, &fd)) < 0)
    return CLI_EXIT_BAD;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    cli_error("cannot write '%s': %s", t->path, strerror(errno));
    return CLI_EXIT_BAD;
  }
  fill(f, ctx);
  const int bad = ferror(f);
  if (fclose(f) != 0 || bad) {
    cli_error("cannot write '%s': %s", t->path, strerror(errno));
    return CLI_EXIT_BAD;
  }
  return 0;
}

typedef struct {
  const cli_outputs *o;
  const cli_meta *meta;
  const cli_table *table;
  const cli_figure *figure;
  char *base;
  int svg;
  const char *figure_path, *data_path;
} plot_job;

static void write_data(FILE *f, const void *ctx) {
  const plot_job *j = ctx;
  cli_table_write(f, CLI_FORMAT_TSV, j->meta, j->table,
                  j->figure->kind == CLI_FIGURE_HEATMAP ? j->figure->ycol_map : 0);
}

static void write_script(FILE *f, const void *ctx) {
  const plot_job *j = ctx;
  script_write(f, j->figure, j->base, j->svg, j->figure_path, j->data_path);
}

/* The first line of gnuplot's messages that says something (not a caret line), one line. */
static void first_message(FILE *log, char *line, size_t n) {
  line[0] = '\0';
  rewind(log);
  while (fgets(line, (int)n, log) && strspn(line, " \t\n^") == strlen(line))
    ;
  line[strcspn(line, "\n")] = '\0';
}

/* Runs gnuplot on the script in the file script (its standard input). */
static int run_gnuplot(const plot_job *j, FILE *script) {
  FILE *log = tmpfile();
  if (!log) {
    cli_error("--plot: cannot create a temporary file for gnuplot's messages: %s", strerror(errno));
    return CLI_EXIT_BAD;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fileno(script), 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fileno(log), 2);
  char *argv[] = {"gnuplot", NULL};
  pid_t pid;
  const int rc = posix_spawnp(&pid, "gnuplot", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    fclose(log);
    cli_error("--plot: cannot run gnuplot: %s (install gnuplot-nox)", strerror(rc));
    return CLI_EXIT_BAD;
  }
  cli_child_set(pid);
  /* Wait without reaping, so the signal handler never kills a recycled pid. */
  siginfo_t info;
  memset(&info, 0, sizeof info);
  while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
    ;
  cli_child_set(0);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  int status = 0;
  if (info.si_code != CLD_EXITED || info.si_status != 0) {
    char line[512];
    first_message(log, line, sizeof line);
    if (info.si_code == CLD_EXITED)
      cli_error("--plot: gnuplot failed drawing '%s': %s", j->o->figure.path,
                line[0] ? line : "no message");
    else
      cli_error("--plot: gnuplot was killed by signal %d drawing '%s'", info.si_status,
                j->o->figure.path);
    status = CLI_EXIT_BAD;
  }
  fclose(log);
  return status;
}

int cli_plot_draw(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
                  const cli_figure *figure) {
  plot_job j = {o, meta, t, figure, NULL, 0, NULL, NULL};
  const char *dot = strrchr(o->figure.path, '.');
  j.svg = strcmp(dot, ".svg") == 0;
  j.base = malloc((size_t)(dot - o->figure.path) + 1);
  if (!j.base) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  memcpy(j.base, o->figure.path, (size_t)(dot - o->figure.path));
  j.base[dot - o->figure.path] = '\0';
  int data_slot, script_slot, figure_fd, status = CLI_EXIT_BAD;
  FILE *run = NULL;
  /* The kept files name the final paths ... */
  j.figure_path = o->figure.path;
  j.data_path = o->data.path;
  if (write_file(&o->data, &data_slot, write_data, &j) ||
      write_file(&o->script, &script_slot, write_script, &j))
    goto done;
  const int figure_slot = cli_temp_create(o->figure.target, &figure_fd);
  if (figure_slot < 0)
    goto done;
  close(figure_fd);
  /* ... the script gnuplot runs names the temporaries. */
  j.figure_path = cli_temp_path(figure_slot);
  j.data_path = cli_temp_path(data_slot);
  run = tmpfile();
  if (!run) {
    cli_error("--plot: cannot create a temporary file for gnuplot's script: %s", strerror(errno));
    goto done;
  }
  write_script(run, &j);
  if (fflush(run) != 0 || ferror(run) || lseek(fileno(run), 0, SEEK_SET) != 0) {
    cli_error("--plot: cannot write gnuplot's script: %s", strerror(errno));
    goto done;
  }
  status = run_gnuplot(&j, run);
done:
  if (run)
    fclose(run);
  free(j.base);
  return status;
}
