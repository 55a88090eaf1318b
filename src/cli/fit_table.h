/* src/cli/fit_table.h -- the table `riskcalc fit` reads: TSV, CSV or blank-separated with '#'
 * comments (the library's reader, rc_io_scan), a header row unless the first row is all
 * numbers, columns addressed by header name or 1-based index. */
#ifndef RISKCALC_CLI_FIT_TABLE_H
#define RISKCALC_CLI_FIT_TABLE_H

#include <stddef.h>

typedef struct {
  const char *path;
  char *text; /* every field, NUL-terminated, one after the other */
  size_t used, cap;
  size_t *offset; /* of each field in text: the header's ncols (if any), then the rows' */
  size_t noffsets, offcap;
  size_t *lineno; /* file line of each row */
  size_t ncols, nrows;
  int header;
  char **name; /* ncols column names (NULL when the file has no header), into text */
  char **cell; /* nrows x ncols fields, into text */
} fit_table;

/* Reads path into t. Prints the error and returns CLI_EXIT_BAD, or 0; release with
 * fit_table_free in either case. */
int fit_table_read(const char *path, fit_table *t);
void fit_table_free(fit_table *t);
/* The column spec names (header name, else 1-based index); option names the option for
 * messages. Prints the error and returns -1. */
long fit_table_column(const fit_table *t, const char *path, const char *option, const char *spec);
/* The number in row r, column c. Prints the error (naming file, line and column) and returns
 * CLI_EXIT_BAD, or 0. */
int fit_table_value(const fit_table *t, const char *path, size_t r, long c, double *v);
/* Column c for messages: 'name' or its 1-based index, into buf. */
const char *fit_table_label(const fit_table *t, long c, char *buf, size_t n);

#endif
