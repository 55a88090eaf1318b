/* riskcalc/io.h -- reading numeric files and parsing size lists.
 *
 * Numeric files: one row per line, values separated by blanks, tabs or commas; '#' starts a
 * comment (whole line or trailing); blank lines are skipped. Every value must parse
 * completely as a finite double. Errors name the file and line. */
#ifndef RISKCALC_IO_H
#define RISKCALC_IO_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How rc_io_scan splits a line into fields. */
typedef enum {
  RC_IO_SPLIT_ANY,   /* numeric files: any run of blanks, tabs and commas separates fields */
  RC_IO_SPLIT_DETECT /* tables with a header: the first line holding a field decides for the
                      * file: tabs if it has one, else commas if it has one, else runs of
                      * blanks; tab- and comma-separated fields are trimmed of blanks and of one
                      * pair of enclosing double quotes (an empty field stays a field) */
} rc_io_split;

/* Called by rc_io_scan for each line that holds a field: fields[0..count-1] (NUL-terminated,
 * writable, valid until the callback returns) and the 1-based line number. Returns
 * RC_SUCCESS to go on, or a status (with err set) that stops the scan and is returned. */
typedef int (*rc_io_row_fn)(char **fields, size_t count, size_t line, void *context, rc_error *err);

/* The one reader of text tables (numeric files and the tables `riskcalc fit` reads): reads
 * path line by line, cuts '#' comments, skips blank lines and calls row for every other
 * line. Returns RC_SUCCESS, RC_EIO (cannot open or read; a NUL byte: not a text file),
 * RC_ENOMEM, or the status of row. */
RC_API int rc_io_scan(const char *path, rc_io_split split, rc_io_row_fn row, void *context,
                      rc_error *err);

/* Reads a rectangular table. On success *values (row-major, malloc'd, caller frees with
 * free()) holds *rows x *cols numbers. Returns RC_EIO (cannot open/read), RC_EPARSE (bad
 * number, NaN/inf, ragged rows, no data) or RC_ENOMEM. */
RC_API int rc_io_read_table(const char *path, double **values, size_t *rows, size_t *cols,
                            rc_error *err);

/* Reads a column: one value per line (a table with exactly one column). */
RC_API int rc_io_read_column(const char *path, double **values, size_t *count, rc_error *err);

/* Parses a list of positive integers: comma-separated items, each an integer (1000, 1e3) or
 * a log-spaced range lo:hi:count (count >= 2 values from lo to hi inclusive, rounded to
 * integers, repeated values dropped; count == 1 gives lo). Values must lie in [1, 2^53].
 * *values is malloc'd (caller frees). Returns RC_EPARSE or RC_ENOMEM. */
RC_API int rc_io_parse_list(const char *text, uint64_t **values, size_t *count, rc_error *err);

/* Flags of rc_io_parse_values. */
enum {
  RC_IO_LIST_WHOLE = 1, /* whole numbers: items and ranges exactly as rc_io_parse_list */
  RC_IO_LIST_ZERO = 2,  /* a plain item may be 0 (ranges never: they are log-spaced) */
  RC_IO_LIST_INF = 4    /* an item may be "inf" (or "infinity"): INFINITY */
};

/* Parses a list of numbers into doubles: comma-separated items, each a number or a range
 * lo:hi:count of count log-spaced values from lo to hi inclusive (0 < lo <= hi; count == 1
 * gives lo). Without RC_IO_LIST_WHOLE the values are real and must be > 0 (>= 0 with
 * RC_IO_LIST_ZERO), ranges unrounded. *values is malloc'd (caller frees). Returns RC_EPARSE
 * (naming the item) or RC_ENOMEM. */
RC_API int rc_io_parse_values(const char *text, unsigned flags, double **values, size_t *count,
                              rc_error *err);

/* Parses a whole string as a finite double / as an integer in [lo, hi]. RC_EPARSE on junk. */
RC_API int rc_io_parse_double(const char *text, double *value, rc_error *err);
RC_API int rc_io_parse_uint(const char *text, uint64_t lo, uint64_t hi, uint64_t *value,
                            rc_error *err);

/* The shortest decimal text of x that reads back as x: "%.<p>g" with the least precision p in
 * 1..17 for which strtod returns x exactly (0.1 gives "0.1", not "0.10000000000000001"; a
 * value the user typed is echoed as typed, up to the spelling of its exponent). Non-finite
 * values give "inf", "-inf" or "nan". Writes at most n bytes including the NUL (32 always
 * suffice) and returns buf. */
#define RC_IO_DOUBLE_CHARS 32
RC_API char *rc_io_format_double(double x, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
