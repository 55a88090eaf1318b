/* Atomic output files and table formats. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_output_open(cli_output *out, const char *path) {
  memset(out, 0, sizeof *out);
  if (!path || strcmp(path, "-") == 0) {
    out->f = stdout;
    return 0;
  }
  size_t n = strlen(path) + 32;
  out->path = malloc(n);
  out->tmp = malloc(n);
  if (!out->path || !out->tmp) {
    cli_error("out of memory");
    cli_output_abort(out);
    return CLI_EXIT_BAD;
  }
  snprintf(out->path, n, "%s", path);
  snprintf(out->tmp, n, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(out->tmp);
  if (fd < 0) {
    cli_error("cannot create '%s': %s", path, strerror(errno));
    free(out->tmp);
    out->tmp = NULL;
    cli_output_abort(out);
    return CLI_EXIT_BAD;
  }
  out->f = fdopen(fd, "w");
  if (!out->f) {
    close(fd);
    cli_error("cannot write '%s': %s", path, strerror(errno));
    cli_output_abort(out);
    return CLI_EXIT_BAD;
  }
  return 0;
}

int cli_output_commit(cli_output *out) {
  int bad = 0;
  if (out->f == stdout) {
    bad = fflush(stdout) != 0 || ferror(stdout);
    if (bad)
      cli_error("error writing standard output");
    out->f = NULL;
    return bad ? CLI_EXIT_BAD : 0;
  }
  bad = ferror(out->f) != 0;
  if (fclose(out->f) != 0)
    bad = 1;
  out->f = NULL;
  if (bad || rename(out->tmp, out->path) != 0) {
    cli_error("cannot write '%s': %s", out->path, strerror(errno));
    cli_output_abort(out);
    return CLI_EXIT_BAD;
  }
  /* mkstemp creates 0600; give the file the usual permissions. */
  mode_t mask = umask(0);
  umask(mask);
  chmod(out->path, 0666 & ~mask);
  free(out->path);
  free(out->tmp);
  out->path = out->tmp = NULL;
  return 0;
}

void cli_output_abort(cli_output *out) {
  if (out->f && out->f != stdout)
    fclose(out->f);
  if (out->tmp)
    unlink(out->tmp);
  free(out->path);
  free(out->tmp);
  memset(out, 0, sizeof *out);
}

int cli_parse_format(const char *text, cli_format *out) {
  if (!text || strcmp(text, "tsv") == 0)
    *out = CLI_FORMAT_TSV;
  else if (strcmp(text, "csv") == 0)
    *out = CLI_FORMAT_CSV;
  else if (strcmp(text, "json") == 0)
    *out = CLI_FORMAT_JSON;
  else {
    cli_error("--format: '%s' is not one of tsv, csv, json", text);
    return CLI_EXIT_BAD;
  }
  return 0;
}

void cli_meta_free(cli_meta *meta) {
  for (size_t k = 0; k < meta->count; k++) {
    free(meta->key[k]);
    free(meta->value[k]);
  }
  free(meta->key);
  free(meta->value);
  memset(meta, 0, sizeof *meta);
}

void cli_meta_add(cli_meta *meta, const char *key, const char *fmt, ...) {
  if (meta->count == meta->capacity) {
    size_t cap = meta->capacity ? 2 * meta->capacity : 32;
    char **k = realloc(meta->key, cap * sizeof *k);
    if (k)
      meta->key = k;
    char **v = k ? realloc(meta->value, cap * sizeof *v) : NULL;
    if (!v) {
      cli_error("out of memory recording the parameters");
      exit(CLI_EXIT_BAD);
    }
    meta->value = v;
    meta->capacity = cap;
  }
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *value = n >= 0 ? malloc((size_t)n + 1) : NULL;
  char *name = malloc(strlen(key) + 1);
  if (!value || !name) {
    va_end(ap2);
    cli_error("out of memory recording the parameters");
    exit(CLI_EXIT_BAD);
  }
  vsnprintf(value, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  strcpy(name, key);
  meta->key[meta->count] = name;
  meta->value[meta->count] = value;
  meta->count++;
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

void cli_table_write_labeled(FILE *f, cli_format format, const cli_meta *meta,
                             const char *const *columns, size_t ncols, const char *const *labels,
                             const double *data, size_t nrows) {
  /* With labels, column 0 is text and data holds the other ncols - 1 columns of each row. */
  const size_t first = labels ? 1 : 0, width = ncols - first;
  if (format == CLI_FORMAT_JSON) {
    fputs("{\n  \"meta\": {", f);
    for (size_t k = 0; k < meta->count; k++) {
      fputs(k ? ",\n    " : "\n    ", f);
      json_string(f, meta->key[k]);
      fputs(": ", f);
      json_string(f, meta->value[k]);
    }
    fputs("\n  },\n  \"columns\": [", f);
    for (size_t c = 0; c < ncols; c++) {
      fputs(c ? ", " : "", f);
      json_string(f, columns[c]);
    }
    fputs("],\n  \"rows\": [", f);
    for (size_t r = 0; r < nrows; r++) {
      fputs(r ? ",\n    {" : "\n    {", f);
      if (labels) {
        json_string(f, columns[0]);
        fputs(": ", f);
        json_string(f, labels[r]);
      }
      for (size_t c = 0; c < width; c++) {
        fputs(c || labels ? ", " : "", f);
        json_string(f, columns[first + c]);
        /* JSON has no inf or nan: a non-finite value (an infinite z-score) is null. */
        if (isfinite(data[r * width + c]))
          fprintf(f, ": %.17g", data[r * width + c]);
        else
          fputs(": null", f);
      }
      fputc('}', f);
    }
    fputs("\n  ]\n}\n", f);
    return;
  }
  const char sep = format == CLI_FORMAT_CSV ? ',' : '\t';
  for (size_t k = 0; k < meta->count; k++)
    fprintf(f, "# %s: %s\n", meta->key[k], meta->value[k]);
  for (size_t c = 0; c < ncols; c++)
    fprintf(f, "%s%s", c ? (sep == ',' ? "," : "\t") : "", columns[c]);
  fputc('\n', f);
  for (size_t r = 0; r < nrows; r++) {
    if (labels)
      fputs(labels[r], f);
    for (size_t c = 0; c < width; c++) {
      if (c || labels)
        fputc(sep, f);
      fprintf(f, "%.17g", data[r * width + c]);
    }
    fputc('\n', f);
  }
}

void cli_table_write(FILE *f, cli_format format, const cli_meta *meta, const char *const *columns,
                     size_t ncols, const double *data, size_t nrows) {
  cli_table_write_labeled(f, format, meta, columns, ncols, NULL, data, nrows);
}
