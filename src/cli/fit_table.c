/* The table `riskcalc fit` reads (fit_table.h), through the library's reader rc_io_scan. */
#include "fit_table.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "riskcalc/io.h"

void fit_table_free(fit_table *t) {
  free(t->text);
  free(t->offset);
  free(t->lineno);
  free(t->name);
  free(t->cell);
  memset(t, 0, sizeof *t);
}

static int is_number(const char *s) {
  double v;
  return rc_io_parse_double(s, &v, NULL) == RC_SUCCESS;
}

/* Keeps the fields of one line. */
static int keep(fit_table *t, char **fields, size_t count) {
  for (size_t k = 0; k < count; k++) {
    const size_t n = strlen(fields[k]) + 1;
    if (t->used + n > t->cap) {
      size_t c = t->cap ? 2 * t->cap : 4096;
      while (c < t->used + n)
        c *= 2;
      char *b = realloc(t->text, c);
      if (!b)
        return -1;
      t->text = b;
      t->cap = c;
    }
    if (t->noffsets == t->offcap) {
      size_t c = t->offcap ? 2 * t->offcap : 256;
      size_t *b = realloc(t->offset, c * sizeof *b);
      if (!b)
        return -1;
      t->offset = b;
      t->offcap = c;
    }
    memcpy(t->text + t->used, fields[k], n);
    t->offset[t->noffsets++] = t->used;
    t->used += n;
  }
  return 0;
}

/* The first line is the header unless all its fields are numbers (then there is no header
 * and columns are addressed by index); every row has as many fields. */
static int table_row(char **fields, size_t count, size_t line, void *context, rc_error *err) {
  fit_table *t = context;
  if (t->ncols == 0) {
    if (fields[0][0] == '{' || fields[0][0] == '[')
      return rc_error_set(err, RC_EPARSE,
                          "%s:%zu: looks like JSON; fit reads TSV or CSV tables (write them "
                          "with --format tsv or csv)",
                          t->path, line);
    t->ncols = count;
    int numeric = 1;
    for (size_t k = 0; k < count && numeric; k++)
      numeric = is_number(fields[k]);
    if (!numeric) {
      t->header = 1;
      return keep(t, fields, count) ? rc_error_set(err, RC_ENOMEM, "out of memory") : 0;
    }
  }
  if (count != t->ncols)
    return rc_error_set(err, RC_EPARSE, "%s:%zu: %zu fields, but %s %zu", t->path, line, count,
                        t->header ? "the header has" : "the first row has", t->ncols);
  size_t *l = realloc(t->lineno, (t->nrows + 1) * sizeof *l);
  if (!l || keep(t, fields, count)) {
    if (l)
      t->lineno = l;
    return rc_error_set(err, RC_ENOMEM, "out of memory reading '%s'", t->path);
  }
  t->lineno = l;
  t->lineno[t->nrows++] = line;
  return 0;
}

/* Reads a table (TSV, CSV or blank-separated, '#' comments; see rc_io_scan). Prints the error
 * and returns CLI_EXIT_BAD, or 0. */
int fit_table_read(const char *path, fit_table *t) {
  memset(t, 0, sizeof *t);
  t->path = path;
  rc_error err = {0, ""};
  if (rc_io_scan(path, RC_IO_SPLIT_DETECT, table_row, t, &err)) {
    cli_error("%s", err.message);
    return CLI_EXIT_BAD;
  }
  if (t->nrows == 0) {
    cli_error("'%s' has no data rows", path);
    return CLI_EXIT_BAD;
  }
  t->name = t->header ? malloc(t->ncols * sizeof *t->name) : NULL;
  t->cell = malloc(t->nrows * t->ncols * sizeof *t->cell);
  if ((t->header && !t->name) || !t->cell) {
    cli_error("out of memory reading '%s'", path);
    return CLI_EXIT_BAD;
  }
  const size_t first = t->header ? t->ncols : 0;
  for (size_t k = 0; k < first; k++)
    t->name[k] = t->text + t->offset[k];
  for (size_t k = first; k < t->noffsets; k++)
    t->cell[k - first] = t->text + t->offset[k];
  return 0;
}

/* Column by header name, else by 1-based index. Prints the error and returns -1. */
long fit_table_column(const fit_table *t, const char *path, const char *option, const char *spec) {
  long found = -1;
  for (size_t k = 0; t->name && k < t->ncols; k++)
    if (strcmp(t->name[k], spec) == 0) {
      if (found >= 0) {
        cli_error("--%s: column name '%s' appears twice in '%s'; give its index", option,
                  CLI_EXCERPT(spec), path);
        return -1;
      }
      found = (long)k;
    }
  if (found >= 0)
    return found;
  int digits = *spec != '\0';
  for (const char *p = spec; *p; p++)
    digits = digits && isdigit((unsigned char)*p);
  if (digits) {
    errno = 0;
    unsigned long v = strtoul(spec, NULL, 10);
    if (errno == 0 && v >= 1 && v <= t->ncols)
      return (long)v - 1;
    cli_error("--%s: column %s is out of range: '%s' has %zu columns", option, spec, path,
              t->ncols);
    return -1;
  }
  char list[512] = "";
  size_t used = 0;
  for (size_t k = 0; t->name && k < t->ncols && used + 1 < sizeof list; k++) {
    int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", t->name[k]);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  if (t->name)
    cli_error("--%s: no column '%s' in '%s' (columns: %s)", option, CLI_EXCERPT(spec), path, list);
  else
    cli_error("--%s: '%s' has no header row; give a 1-based column index", option, path);
  return -1;
}

/* The value of row r, column c; prints the error naming the line and returns CLI_EXIT_BAD. */
int fit_table_value(const fit_table *t, const char *path, size_t r, long c, double *v) {
  rc_error err = {0, ""};
  const char *text = t->cell[r * t->ncols + (size_t)c];
  if (rc_io_parse_double(text, v, &err)) {
    if (t->name)
      cli_error("%s:%zu: column '%s': %s", path, t->lineno[r], t->name[c], err.message);
    else
      cli_error("%s:%zu: column %ld: %s", path, t->lineno[r], c + 1, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

const char *fit_table_label(const fit_table *t, long c, char *buf, size_t n) {
  if (t->name)
    snprintf(buf, n, "'%s'", t->name[c]);
  else
    snprintf(buf, n, "%ld", c + 1);
  return buf;
}
