/* The emit path of every command: output targets checked before any work, then the table
 * rendered, the figure drawn and every file committed together. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"

void cli_outputs_add_input(cli_outputs *o, const char *option, const char *path) {
  if (path && o->ninputs < CLI_MAX_INPUTS) {
    o->inputs[o->ninputs].option = option;
    o->inputs[o->ninputs].path = path;
    o->ninputs++;
  }
}

/* Refuses an output that is one of the run's inputs (a regular file it reads). */
static int check_not_input(const cli_outputs *o, const cli_target *t) {
  if (t->kind != CLI_TARGET_FILE || !t->exists)
    return 0;
  for (size_t k = 0; k < o->ninputs; k++) {
    struct stat st;
    if (stat(o->inputs[k].path, &st) == 0 && st.st_dev == t->dev && st.st_ino == t->ino) {
      const char *option = o->inputs[k].option;
      cli_error("--%s: '%s'%s%s%s names an input of this run (%s%s%s'%s'); refusing to "
                "overwrite it",
                t->option, t->path, t->role ? " (" : "", t->role ? t->role : "", t->role ? ")" : "",
                option ? "--" : "", option ? option : "", option ? " " : "", o->inputs[k].path);
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

size_t cli_outputs_add_side(cli_outputs *o, const char *option, const char *role,
                            const char *path) {
  if (!path || o->nside == CLI_MAX_SIDE)
    return o->nside;
  o->side_option[o->nside] = option;
  o->side_role[o->nside] = role;
  o->side_path[o->nside] = path;
  return o->nside++;
}

static int plot_targets(cli_outputs *o) {
  const char *path = o->plot;
  if (!cli_plot_extension_ok(path)) {
    cli_error("--plot: '%s' must end in .png, .svg or .pdf", path);
    return CLI_EXIT_BAD;
  }
  const size_t base = (size_t)(strrchr(path, '.') - path);
  char *dat = malloc(base + 5), *gp = malloc(base + 4);
  int status = CLI_EXIT_BAD;
  if (!dat || !gp) {
    cli_error("out of memory");
  } else {
    snprintf(dat, base + 5, "%.*s.dat", (int)base, path);
    snprintf(gp, base + 4, "%.*s.gp", (int)base, path);
    if (cli_target_resolve(&o->figure, "plot", NULL, path, 0) == 0 &&
        cli_target_resolve(&o->data, "plot", "the figure's data file", dat, 0) == 0 &&
        cli_target_resolve(&o->script, "plot", "the figure's script", gp, 0) == 0)
      status = 0;
  }
  free(dat);
  free(gp);
  if (status == 0 && !cli_gnuplot_available()) {
    cli_error("--plot: gnuplot is not on PATH (install gnuplot-nox to draw figures)");
    status = CLI_EXIT_BAD;
  }
  return status;
}

int cli_outputs_check(cli_outputs *o) {
  if (cli_target_resolve(&o->table, "output", NULL, o->output ? o->output : "-", 1))
    return CLI_EXIT_BAD;
  if (o->plot && plot_targets(o))
    return CLI_EXIT_BAD;
  for (size_t k = 0; k < o->nside; k++)
    if (cli_target_resolve(&o->side[k], o->side_option[k], o->side_role[k], o->side_path[k], 0))
      return CLI_EXIT_BAD;
  cli_target *all[4 + CLI_MAX_SIDE] = {&o->table, &o->figure, &o->data, &o->script};
  size_t n = 1;
  if (o->plot)
    n = 4;
  else
    all[1] = NULL;
  for (size_t k = 0; k < o->nside; k++)
    all[n++] = &o->side[k];
  for (size_t i = 0; i < n; i++) {
    if (check_not_input(o, all[i]))
      return CLI_EXIT_BAD;
    for (size_t j = 0; j < i; j++)
      if (cli_target_same(all[j], all[i])) {
        if (i < 4 && o->plot)
          cli_error("--%s: '%s' is also %s of --plot '%s'", all[j]->option, all[j]->path,
                    all[i]->role ? all[i]->role : "the figure", o->plot);
        else
          cli_error("--%s: '%s' is also the file of --%s", all[i]->option, all[i]->path,
                    all[j]->option);
        return CLI_EXIT_BAD;
      }
  }
  return 0;
}

void cli_outputs_free(cli_outputs *o) {
  cli_target_free(&o->table);
  cli_target_free(&o->figure);
  cli_target_free(&o->data);
  cli_target_free(&o->script);
  for (size_t k = 0; k < o->nside; k++)
    cli_target_free(&o->side[k]);
}

/* ---- tables -------------------------------------------------------------------------------- */

static void json_write(FILE *f, const cli_meta *meta, const cli_table *t) {
  const size_t first = t->labels ? 1 : 0, width = t->ncols - first;
  fputs("{\n  \"meta\": {", f);
  for (size_t k = 0; k < meta->count; k++) {
    fputs(k ? ",\n    " : "\n    ", f);
    cli_json_string(f, meta->key[k]);
    fputs(": ", f);
    /* A value that is a number is written as one (typed metadata). */
    if (cli_json_is_number(meta->value[k]))
      fputs(meta->value[k], f);
    else
      cli_json_string(f, meta->value[k]);
  }
  fputs("\n  },", f);
  if (meta->nparams) {
    fputs("\n  \"parameters\": {", f);
    for (size_t k = 0; k < meta->nparams; k++) {
      fputs(k ? ",\n    " : "\n    ", f);
      cli_json_string(f, meta->param_key[k]);
      fprintf(f, ": %s", meta->param_json[k]);
    }
    fputs("\n  },", f);
  }
  fputs("\n  \"columns\": [", f);
  for (size_t c = 0; c < t->ncols; c++) {
    fputs(c ? ", " : "", f);
    cli_json_string(f, t->columns[c]);
  }
  fputs("],\n  \"rows\": [", f);
  for (size_t r = 0; r < t->nrows; r++) {
    fputs(r ? ",\n    {" : "\n    {", f);
    if (t->labels) {
      cli_json_string(f, t->columns[0]);
      fputs(": ", f);
      cli_json_string(f, t->labels[r]);
    }
    for (size_t c = 0; c < width; c++) {
      const double v = t->data[r * width + c];
      fputs(c || t->labels ? ", " : "", f);
      cli_json_string(f, t->columns[first + c]);
      /* JSON has no inf or nan: a non-finite value (an infinite z-score) is null. */
      if (isfinite(v))
        fprintf(f, ": %.17g", v);
      else
        fputs(": null", f);
    }
    fputc('}', f);
  }
  fputs("\n  ]\n}\n", f);
}

/* A "# key: value" line; a line break in a value (a file name may hold one) is shown as '?',
 * so every header line stays a comment. */
static void comment_line(FILE *f, const char *key, const char *value) {
  fprintf(f, "# %s: ", key);
  for (const char *c = value; *c; c++)
    fputc(*c == '\n' || *c == '\r' ? '?' : *c, f);
  fputc('\n', f);
}

void cli_table_write(FILE *f, cli_format format, const cli_meta *meta, const cli_table *t,
                     size_t blockcol) {
  if (format == CLI_FORMAT_JSON) {
    json_write(f, meta, t);
    return;
  }
  const char sep = format == CLI_FORMAT_CSV ? ',' : '\t';
  const size_t first = t->labels ? 1 : 0, width = t->ncols - first;
  for (size_t k = 0; k < meta->count; k++)
    comment_line(f, meta->key[k], meta->value[k]);
  for (size_t c = 0; c < t->ncols; c++)
    fprintf(f, "%s%s", c ? (sep == ',' ? "," : "\t") : "", t->columns[c]);
  fputc('\n', f);
  for (size_t r = 0; r < t->nrows; r++) {
    const double *row = t->data + r * width;
    if (blockcol && r > 0 && row[blockcol - 1] != row[blockcol - 1 - width])
      fputc('\n', f);
    if (t->labels)
      fputs(t->labels[r], f);
    for (size_t c = 0; c < width; c++) {
      if (c || t->labels)
        fputc(sep, f);
      fprintf(f, "%.17g", row[c]);
    }
    fputc('\n', f);
  }
}

/* ---- emit ------------------------------------------------------------------------------------ */

/* The table's bytes in memory (malloc'd), so that no target is opened before it is complete. */
static char *render(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
                    const char *trailer, size_t *len) {
  char *text = NULL;
  FILE *f = open_memstream(&text, len);
  if (!f) {
    cli_error("out of memory for the table");
    return NULL;
  }
  cli_table_write(f, o->format, meta, t, 0);
  if (trailer && o->format != CLI_FORMAT_JSON)
    fprintf(f, "%s\n", trailer);
  if (ferror(f) | fclose(f)) {
    free(text);
    cli_error("out of memory for the table");
    return NULL;
  }
  return text;
}

/* Writes the bytes to fd and closes it; close reports a deferred write error. */
static int write_close(int fd, const cli_target *t, const char *text, size_t len) {
  const int bad = cli_write_all(fd, text, len) != 0;
  const int e = errno;
  if (close(fd) != 0 || bad) {
    cli_error("cannot write '%s': %s", t->path, strerror(bad ? e : errno));
    return CLI_EXIT_BAD;
  }
  return 0;
}

static int write_temp(const cli_target *t, const char *text, size_t len) {
  int fd;
  return cli_temp_create(t->target, &fd) < 0 ? CLI_EXIT_BAD : write_close(fd, t, text, len);
}

/* A device or FIFO is opened only now, when the bytes are ready (a FIFO blocks until it has a
 * reader). */
static int write_stream(const cli_target *t, const char *text, size_t len) {
  if (t->kind == CLI_TARGET_FD) {
    if (t->fd == 1)
      fflush(stdout);
    if (cli_write_all(t->fd, text, len) != 0) {
      if (t->fd == 1)
        cli_error("error writing standard output: %s", strerror(errno));
      else
        cli_error("cannot write '%s': %s", t->path, strerror(errno));
      return CLI_EXIT_BAD;
    }
    return 0;
  }
  const int fd = open(t->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    cli_error("cannot open '%s': %s", t->path, strerror(errno));
    return CLI_EXIT_BAD;
  }
  return write_close(fd, t, text, len);
}

int cli_emit_all(const cli_outputs *o, const cli_emission *e) {
  size_t len = 0;
  char *text = render(o, e->meta, e->table, e->trailer, &len);
  if (!text)
    return CLI_EXIT_BAD;
  int status = 0;
  if (o->plot)
    status = cli_plot_draw(o, e->meta, e->figure_table ? e->figure_table : e->table, e->figure);
  /* Side tables: TSV with the run's header, written to temporaries like the figure. */
  for (size_t k = 0; status == 0 && k < o->nside; k++) {
    char *side = NULL;
    size_t slen = 0;
    FILE *f = open_memstream(&side, &slen);
    if (!f || !e->side[k]) {
      if (f)
        fclose(f);
      free(side);
      cli_error("%s", f ? "internal error: a side output without its table" : "out of memory");
      status = CLI_EXIT_BAD;
      break;
    }
    cli_table_write(f, CLI_FORMAT_TSV, e->meta, e->side[k], 0);
    if (ferror(f) | fclose(f)) {
      cli_error("out of memory for %s", o->side[k].role);
      status = CLI_EXIT_BAD;
    } else {
      status = write_temp(&o->side[k], side, slen);
    }
    free(side);
  }
  if (status == 0 && o->table.kind == CLI_TARGET_FILE)
    status = write_temp(&o->table, text, len);
  /* Descriptors and streams first: they are the writes likely to fail (a full device, a closed
   * pipe), and until the renames below nothing of the run is visible. */
  if (status == 0 && o->table.kind != CLI_TARGET_FILE)
    status = write_stream(&o->table, text, len);
  if (status == 0)
    status = cli_temps_commit();
  if (status)
    cli_temps_abort();
  free(text);
  return status;
}

int cli_emit(const cli_outputs *o, const cli_meta *meta, const cli_table *t,
             const cli_figure *figure, const char *trailer) {
  cli_emission e;
  memset(&e, 0, sizeof e);
  e.meta = meta;
  e.table = t;
  e.trailer = trailer;
  e.figure = figure;
  return cli_emit_all(o, &e);
}
