/* tests/test_io.c -- numeric files (rc_io_read_table / rc_io_read_column) and the parsers of
 * numbers and size lists (rc_io_parse_double / parse_uint / parse_list). Fixture files are
 * written into a fresh temporary directory and removed at the end. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rc_test.h"
#include "riskcalc/io.h"

#define PATH_SIZE 1024

typedef struct {
  char dir[PATH_SIZE / 2];
} fixture_dir;

static int fixture_open(fixture_dir *fx) {
  const char *tmp = getenv("TMPDIR");
  snprintf(fx->dir, sizeof fx->dir, "%s/rc_test_io_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  return mkdtemp(fx->dir) ? 0 : -1;
}

/* Writes content (exact bytes) to dir/name and returns the path in path. */
static void fixture_write(const fixture_dir *fx, const char *name, const char *content,
                          char *path) {
  snprintf(path, PATH_SIZE, "%s/%s", fx->dir, name);
  FILE *f = fopen(path, "wb");
  if (f) {
    fputs(content, f);
    fclose(f);
  }
}

/* Removes the (flat) fixture directory. */
static void fixture_close(const fixture_dir *fx) {
  DIR *d = opendir(fx->dir);
  if (d) {
    struct dirent *e;
    char path[PATH_SIZE];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      snprintf(path, sizeof path, "%s/%s", fx->dir, e->d_name);
      unlink(path);
    }
    closedir(d);
  }
  rmdir(fx->dir);
}

/* The temporary directory of this test binary (tests are argument-less functions). */
static fixture_dir fx;

/* Expects rc_io_read_table to fail on content with the given status, and its message to
 * contain both the file name and want (e.g. "name:3" and the bad token). */
static int table_fails(const char *name, const char *content, int status, const char *want) {
  char path[PATH_SIZE];
  fixture_write(&fx, name, content, path);
  double sentinel, *v = &sentinel; /* must be reset to NULL on failure */
  size_t rows = 99, cols = 99;
  rc_error err = {0, ""};
  int rc = rc_io_read_table(path, &v, &rows, &cols, &err);
  int ok = rc == status && err.status == status && v == NULL && strstr(err.message, name) &&
           (!want || strstr(err.message, want)) && strchr(err.message, '\n') == NULL;
  if (!ok)
    printf("    %s: status %d (want %d), message '%s' (want '%s')\n", name, rc, status, err.message,
           want ? want : "");
  if (rc == RC_SUCCESS)
    free(v);
  return ok;
}

/* Comments (whole-line and trailing), blank lines, CRLF, commas, tabs and blanks. */
static void test_read_table_separators(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "mixed.txt",
                "# a header comment\n"
                "\n"
                "2.385, 1e-3\t-7\r\n"
                "   4.5 6.25   7 # a trailing comment\n"
                "\r\n"
                "  # indented comment\n"
                "-0.5,0,1E2\t\n"
                "\t\n",
                path);
  double *v = NULL;
  size_t rows = 0, cols = 0;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_read_table(path, &v, &rows, &cols, &err), RC_SUCCESS);
  CHECK(rows == 3 && cols == 3);
  if (v && rows == 3 && cols == 3) {
    const double want[9] = {2.385, 1e-3, -7, 4.5, 6.25, 7, -0.5, 0, 100};
    for (size_t k = 0; k < 9; k++)
      CHECK(v[k] == want[k]);
  }
  free(v);
}

/* The last line needs no newline; values may be written in any strtod form. */
static void test_read_table_no_final_newline(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "nonl.txt", "1.5 -2.385e-2\n3 .25", path);
  double *v = NULL;
  size_t rows = 0, cols = 0;
  CHECK_STATUS(rc_io_read_table(path, &v, &rows, &cols, NULL), RC_SUCCESS);
  CHECK(rows == 2 && cols == 2);
  if (v && rows * cols == 4) {
    CHECK(v[1] == -2.385e-2);
    CHECK(v[3] == 0.25);
  }
  free(v);
}

/* Underflow is the nearest double (subnormal or zero), not an error; overflow is refused. */
static void test_read_table_underflow(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "tiny.txt", "1e-320\n1e-400\n2.385e-308\n", path);
  double *v = NULL;
  size_t n = 0;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_read_column(path, &v, &n, &err), RC_SUCCESS);
  CHECK(n == 3);
  if (v && n == 3) {
    CHECK(v[0] > 0 && v[0] < 2e-320);
    CHECK(v[1] == 0);
    CHECK(v[2] == 2.385e-308);
  }
  free(v);
}

static void test_read_column(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "col.txt", "# eigenvalues\n1\n0.5 # half\n\n0.2385\n", path);
  double *v = NULL;
  size_t n = 0;
  CHECK_STATUS(rc_io_read_column(path, &v, &n, NULL), RC_SUCCESS);
  CHECK(n == 3);
  if (v && n == 3)
    CHECK(v[0] == 1 && v[1] == 0.5 && v[2] == 0.2385);
  free(v);
  /* Two values per line is not a column; the message says so and names the file. */
  fixture_write(&fx, "twocol.txt", "1 2\n3 4\n", path);
  rc_error err = {0, ""};
  double sentinel;
  v = &sentinel;
  n = 7;
  CHECK_STATUS(rc_io_read_column(path, &v, &n, &err), RC_EPARSE);
  CHECK(v == NULL);
  CHECK(strstr(err.message, "twocol.txt") != NULL);
  CHECK(strstr(err.message, "2") != NULL);
}

/* Ragged rows: the message names file:line of the first row that differs. */
static void test_read_table_ragged(void) {
  CHECK(table_fails("ragged.txt", "1 2 3\n# c\n4 5 6\n\n7 8\n", RC_EPARSE, "ragged.txt:5"));
  CHECK(table_fails("ragged2.txt", "1\n2,3\n", RC_EPARSE, "ragged2.txt:2"));
}

/* Every malformed or non-finite value is refused, naming file, line and the token. */
static void test_read_table_bad_numbers(void) {
  CHECK(table_fails("bad1.txt", "1\n2\n1.2.3\n", RC_EPARSE, "bad1.txt:3"));
  CHECK(table_fails("bad2.txt", "1\nabc\n", RC_EPARSE, "'abc'"));
  CHECK(table_fails("bad3.txt", "nan\n", RC_EPARSE, "bad3.txt:1"));
  CHECK(table_fails("bad4.txt", "1\n# x\n\ninf\n", RC_EPARSE, "bad4.txt:4"));
  CHECK(table_fails("bad5.txt", "2.385 -inf\n", RC_EPARSE, "'-inf'"));
  CHECK(table_fails("bad6.txt", "1e999\n", RC_EPARSE, "'1e999'"));
  CHECK(table_fails("bad7.txt", "2.385x\n", RC_EPARSE, "'2.385x'"));
  CHECK(table_fails("bad8.txt", "1;2\n", RC_EPARSE, "bad8.txt:1"));
}

/* An empty file, or one with only comments and blanks, holds no table. */
static void test_read_table_empty(void) {
  CHECK(table_fails("empty.txt", "", RC_EPARSE, NULL));
  CHECK(table_fails("comments.txt", "# nothing\n\n   \n# here\r\n", RC_EPARSE, NULL));
}

static void test_read_table_missing(void) {
  char path[PATH_SIZE];
  snprintf(path, sizeof path, "%s/does-not-exist.txt", fx.dir);
  double sentinel, *v = &sentinel;
  size_t rows = 5, cols = 5;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_read_table(path, &v, &rows, &cols, &err), RC_EIO);
  CHECK(v == NULL && rows == 0 && cols == 0);
  CHECK(strstr(err.message, "does-not-exist.txt") != NULL);
  /* A directory opens but cannot be read. */
  CHECK_STATUS(rc_io_read_table(fx.dir, &v, &rows, &cols, &err), RC_EIO);
  CHECK(v == NULL);
  /* NULL err is accepted on failure paths. */
  CHECK_STATUS(rc_io_read_column(path, &v, &rows, NULL), RC_EIO);
}

/* rc_io_scan's callback for the tests: appends "line:field|field;" to a buffer. */
typedef struct {
  char text[512];
  size_t stop_at; /* line whose call returns RC_EPARSE (0: never) */
} scan_log;

static int log_row(char **fields, size_t count, size_t line, void *context, rc_error *err) {
  scan_log *log = context;
  if (line == log->stop_at)
    return rc_error_set(err, RC_EPARSE, "stopped at line %zu", line);
  size_t n = strlen(log->text);
  n += (size_t)snprintf(log->text + n, sizeof log->text - n, "%zu:", line);
  for (size_t k = 0; k < count && n < sizeof log->text; k++)
    n += (size_t)snprintf(log->text + n, sizeof log->text - n, "%s%s", k ? "|" : "", fields[k]);
  if (n < sizeof log->text)
    snprintf(log->text + n, sizeof log->text - n, ";");
  return RC_SUCCESS;
}

/* Scans content with split and compares the log with want. */
static int scan_is(const char *name, const char *content, rc_io_split split, const char *want) {
  char path[PATH_SIZE];
  fixture_write(&fx, name, content, path);
  scan_log log = {"", 0};
  rc_error err = {0, ""};
  int rc = rc_io_scan(path, split, log_row, &log, &err);
  int ok = rc == RC_SUCCESS && strcmp(log.text, want) == 0;
  if (!ok)
    printf("    %s: status %d '%s', got '%s', want '%s'\n", name, rc, err.message, log.text, want);
  return ok;
}

/* The separator of a DETECT table comes from its first line: tabs, else commas, else blanks;
 * tab and comma fields are trimmed of blanks and one pair of quotes, and may be empty. */
static void test_scan_detect(void) {
  CHECK(scan_is("tabs.tsv", "# c\nN\tM, x\n1\t 2 \n", RC_IO_SPLIT_DETECT, "2:N|M, x;3:1|2;"));
  CHECK(scan_is("commas.csv", "\"a b\", c\n\n1,,\"3\" # x\r\n", RC_IO_SPLIT_DETECT,
                "1:a b|c;3:1||3;"));
  CHECK(scan_is("blanks.txt", "  x   y  z\n1 2\t3\n", RC_IO_SPLIT_DETECT, "1:x|y|z;2:1|2|3;"));
  /* ANY: blanks, tabs and commas together, empty fields dropped (the numeric files). */
  CHECK(scan_is("any.txt", "1, 2\t3,,4\n", RC_IO_SPLIT_ANY, "1:1|2|3|4;"));
  CHECK(scan_is("none.txt", "# only\n\n", RC_IO_SPLIT_DETECT, ""));
}

/* A callback's status stops the scan and is returned with its message. */
static void test_scan_stop(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "stop.txt", "1\n2\n3\n", path);
  scan_log log = {"", 2};
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_scan(path, RC_IO_SPLIT_ANY, log_row, &log, &err), RC_EPARSE);
  CHECK(strcmp(log.text, "1:1;") == 0);
  CHECK(strcmp(err.message, "stopped at line 2") == 0);
}

/* A NUL byte is not text: refused, naming file and line (it used to cut the line short). */
static void test_scan_nul(void) {
  char path[PATH_SIZE];
  snprintf(path, sizeof path, "%s/nul.txt", fx.dir);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite("1\n2\0003\n", 1, 6, f);
    fclose(f);
  }
  scan_log log = {"", 0};
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_scan(path, RC_IO_SPLIT_ANY, log_row, &log, &err), RC_EIO);
  CHECK(strstr(err.message, "nul.txt:2") != NULL);
  double *v = NULL;
  size_t rows, cols;
  CHECK_STATUS(rc_io_read_table(path, &v, &rows, &cols, NULL), RC_EIO);
  CHECK(v == NULL);
}

/* Issue 13: what a reader reads is bounded, binary input is refused without echoing it, and
 * a bad value is echoed as a short sanitised excerpt (a line break in it cannot split the
 * message). */
static void test_scan_control_byte(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "bin.txt", "1\n2\001\377\n", path);
  rc_error err = {0, ""};
  double *v = NULL;
  size_t rows, cols;
  CHECK_STATUS(rc_io_read_table(path, &v, &rows, &cols, &err), RC_EIO);
  CHECK(strstr(err.message, "bin.txt:2: not a text file (control byte 0x01)") != NULL);
  CHECK(strchr(err.message, '\001') == NULL && strchr(err.message, '\377') == NULL);
}

static void test_read_bounded(void) {
  char path[PATH_SIZE];
  fixture_write(&fx, "five.txt", "1\n2\n3\n4\n5\n", path);
  rc_error err = {0, ""};
  double *v = NULL;
  size_t n = 0;
  CHECK_STATUS(rc_io_read_column_bounded(path, 5, &v, &n, &err), RC_SUCCESS);
  CHECK(n == 5 && v && v[4] == 5);
  free(v);
  v = NULL;
  CHECK_STATUS(rc_io_read_column_bounded(path, 4, &v, &n, &err), RC_EPARSE);
  CHECK(v == NULL && strstr(err.message, "five.txt:5: more than 4 values") != NULL);
  /* The bytes of 4 values (4 * RC_IO_VALUE_BYTES + RC_IO_COMMENT_BYTES) end the read of a
   * file that never ends its line: blanks only, more than that. */
  snprintf(path, sizeof path, "%s/blanks.txt", fx.dir);
  FILE *f = fopen(path, "wb");
  const size_t big = 4 * RC_IO_VALUE_BYTES + RC_IO_COMMENT_BYTES + 10;
  for (size_t k = 0; f && k < big; k++)
    fputc(' ', f);
  if (f)
    fclose(f);
  CHECK_STATUS(rc_io_read_column_bounded(path, 4, &v, &n, &err), RC_EIO);
  CHECK(v == NULL && strstr(err.message, "more than 1048832 bytes") != NULL);
}

/* Numeric files take decimal numbers only, as the options do (strtod reads 0x10 as 16). */
static void test_read_decimal_only(void) {
  CHECK(table_fails("hex.txt", "1\n0x10\n", RC_EPARSE, "hex.txt:2: '0x10' is not a decimal"));
  CHECK(table_fails("nan.txt", "nan\n", RC_EPARSE, "'nan' is not a decimal"));
}

static void test_excerpt(void) {
  char buf[RC_IO_EXCERPT_CHARS], big[200];
  CHECK(strcmp(rc_io_excerpt("0.5", buf, sizeof buf), "0.5") == 0);
  CHECK(strcmp(rc_io_excerpt("1\n2\t\377", buf, sizeof buf), "1?2??") == 0);
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  rc_io_excerpt(big, buf, sizeof buf);
  CHECK(strlen(buf) == RC_IO_EXCERPT_KEEP + 3 && strcmp(buf + RC_IO_EXCERPT_KEEP, "...") == 0);
  char tiny[6];
  CHECK(strcmp(rc_io_excerpt(big, tiny, sizeof tiny), "xx...") == 0);
  /* A parse error quotes the excerpt: one short line. */
  rc_error err = {0, ""};
  double x;
  CHECK_STATUS(rc_io_parse_double(big, &x, &err), RC_EPARSE);
  CHECK(strlen(err.message) < 80);
  CHECK_STATUS(rc_io_parse_double("1\n2", &x, &err), RC_EPARSE);
  CHECK(strchr(err.message, '\n') == NULL && strstr(err.message, "'1?2'") != NULL);
}

static int list_is(const char *text, const uint64_t *want, size_t n) {
  uint64_t *v = NULL;
  size_t count = 0;
  rc_error err = {0, ""};
  int rc = rc_io_parse_list(text, &v, &count, &err);
  int ok = rc == RC_SUCCESS && count == n;
  for (size_t k = 0; ok && k < n; k++)
    ok = v[k] == want[k];
  if (!ok) {
    printf("    '%s': status %d '%s', %zu values:", text, rc, err.message, count);
    for (size_t k = 0; k < count; k++)
      printf(" %llu", (unsigned long long)v[k]);
    printf("\n");
  }
  free(v);
  return ok;
}

static void test_parse_list_values(void) {
  CHECK(list_is("100,1000", (const uint64_t[]){100, 1000}, 2));
  CHECK(list_is("2385", (const uint64_t[]){2385}, 1));
  CHECK(list_is("1e3,2.385e3,7", (const uint64_t[]){1000, 2385, 7}, 3));
  /* Explicit items keep their order and repeats. */
  CHECK(list_is("5,3,5", (const uint64_t[]){5, 3, 5}, 3));
  CHECK(list_is("9007199254740992", (const uint64_t[]){(uint64_t)1 << 53}, 1));
}

/* 10^(2 + k/2), k = 0..8, rounded to the nearest integer. */
static void test_parse_list_range(void) {
  const uint64_t want[9] = {100, 316, 1000, 3162, 10000, 31623, 100000, 316228, 1000000};
  CHECK(list_is("1e2:1e6:9", want, 9));
  CHECK(list_is("1:20:6", (const uint64_t[]){1, 2, 3, 6, 11, 20}, 6));
  CHECK(list_is("2:3:2", (const uint64_t[]){2, 3}, 2));
  /* A range and plain items mixed. */
  CHECK(list_is("3,1e1:1e2:2,5", (const uint64_t[]){3, 10, 100, 5}, 4));
}

/* 10^(k/19), k = 0..19, rounds to 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, ...: repeats are dropped. */
static void test_parse_list_range_dedup(void) {
  CHECK(list_is("1:10:20", (const uint64_t[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10));
  CHECK(list_is("7:7:5", (const uint64_t[]){7}, 1));
  CHECK(list_is("1:2:100", (const uint64_t[]){1, 2}, 2));
}

static void test_parse_list_count_one(void) {
  CHECK(list_is("5:50:1", (const uint64_t[]){5}, 1));
  CHECK(list_is("2385:2385:1", (const uint64_t[]){2385}, 1));
}

static int list_fails(const char *text, const char *want) {
  uint64_t sentinel, *v = &sentinel;
  size_t count = 99;
  rc_error err = {0, ""};
  int rc = rc_io_parse_list(text, &v, &count, &err);
  int ok = rc == RC_EPARSE && err.status == RC_EPARSE && v == NULL && count == 0 &&
           err.message[0] != '\0' && (!want || strstr(err.message, want));
  if (!ok)
    printf("    '%s': status %d, message '%s' (want '%s')\n", text ? text : "(null)", rc,
           err.message, want ? want : "");
  if (rc == RC_SUCCESS)
    free(v);
  return ok;
}

static void test_parse_list_errors(void) {
  CHECK(list_fails("", NULL));
  CHECK(list_fails(NULL, NULL));
  CHECK(list_fails(",", "empty item"));
  CHECK(list_fails("1,", "empty item"));
  CHECK(list_fails(",1", "empty item"));
  CHECK(list_fails("10,,20", "empty item"));
  CHECK(list_fails("100:10:3", "lo > hi"));
  CHECK(list_fails("0", "'0'"));
  CHECK(list_fails("10,0", "'0'"));
  CHECK(list_fails("0:10:3", "'0'"));
  CHECK(list_fails("-5", "'-5'"));
  CHECK(list_fails("2.385", "'2.385'"));
  CHECK(list_fails("1e-1", NULL));
  CHECK(list_fails("9007199254740993", "9007199254740993")); /* 2^53 + 1: strtod rounds it */
  CHECK(list_fails("1e16", NULL));
  CHECK(list_fails("1:9007199254740994:2", NULL));
  CHECK(list_fails("abc", "'abc'"));
  CHECK(list_fails("12abc", "'12abc'"));
  CHECK(list_fails("nan", NULL));
  CHECK(list_fails("inf", NULL));
  CHECK(list_fails("1e999", NULL));
  CHECK(list_fails("1:2", "lo:hi:count"));
  CHECK(list_fails("1:2:3:4", "lo:hi:count"));
  CHECK(list_fails("1e2:1e3:1.5", NULL));
  CHECK(list_fails("1e2:1e3:-2", NULL));
  CHECK(list_fails("1e2:x:3", "'x'"));
}

/* A bad part of a range: the message is "in range 'R': <why>", once, not garbled (the part's
 * message must not be formatted into the buffer it is read from). */
static void test_parse_list_range_message(void) {
  uint64_t *v = NULL;
  size_t n = 0;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_parse_list("1e2:1e3:0", &v, &n, &err), RC_EPARSE);
  CHECK(strcmp(err.message, "in range '1e2:1e3:0': '0' is not an integer in [1, 1000000]") == 0);
  if (strcmp(err.message, "in range '1e2:1e3:0': '0' is not an integer in [1, 1000000]"))
    printf("    message: '%s'\n", err.message);
  CHECK_STATUS(rc_io_parse_list("1e2:1e3:0", &v, &n, NULL), RC_EPARSE);
}

static int values_are(const char *text, unsigned flags, const double *want, size_t n) {
  double *v = NULL;
  size_t count = 0;
  rc_error err = {0, ""};
  const int rc = rc_io_parse_values(text, flags, &v, &count, &err);
  int ok = rc == RC_SUCCESS && count == n;
  for (size_t k = 0; ok && k < n; k++)
    ok = v[k] == want[k] || fabs(v[k] - want[k]) <= 4e-16 * want[k];
  if (!ok) {
    printf("    '%s': status %d '%s', %zu values:", text, rc, err.message, count);
    for (size_t k = 0; k < count; k++)
      printf(" %.17g", v[k]);
    printf("\n");
  }
  free(v);
  return ok;
}

static int values_fail(const char *text, unsigned flags, const char *want) {
  double sentinel, *v = &sentinel;
  size_t count = 99;
  rc_error err = {0, ""};
  const int rc = rc_io_parse_values(text, flags, &v, &count, &err);
  const int ok = rc == RC_EPARSE && v == NULL && count == 0 && (!want || strstr(err.message, want));
  if (!ok)
    printf("    '%s': status %d, message '%s' (want '%s')\n", text ? text : "(null)", rc,
           err.message, want ? want : "");
  if (rc == RC_SUCCESS)
    free(v);
  return ok;
}

/* Real lists (ridge lambdas), whole lists with inf (sample and feature counts). */
static void test_parse_values(void) {
  CHECK(values_are("0,1e-3,0.1", RC_IO_LIST_ZERO, (const double[]){0, 1e-3, 0.1}, 3));
  CHECK(values_are("1e-4:1:5", 0, (const double[]){1e-4, 1e-3, 1e-2, 1e-1, 1}, 5));
  CHECK(values_are("2.5:2.5:1,0.3", 0, (const double[]){2.5, 0.3}, 2));
  /* unrounded ranges keep every point, even dense ones */
  CHECK(values_are("1:2:3", 0, (const double[]){1, sqrt(2.0), 2}, 3));
  CHECK(values_are("1:20:6,inf", RC_IO_LIST_WHOLE | RC_IO_LIST_INF,
                   (const double[]){1, 2, 3, 6, 11, 20, INFINITY}, 7));
  CHECK(values_are("inf,infinity", RC_IO_LIST_INF, (const double[]){INFINITY, INFINITY}, 2));
  CHECK(values_fail("0", 0, "'0' must be > 0"));
  CHECK(values_fail("-1e-3", RC_IO_LIST_ZERO, "'-1e-3' must be >= 0"));
  CHECK(values_fail("0:1:3", RC_IO_LIST_ZERO, "in range '0:1:3': '0' must be > 0"));
  CHECK(values_fail("1:0.1:3", 0, "lo > hi"));
  CHECK(values_fail("inf", 0, NULL));
  CHECK(values_fail("inf", RC_IO_LIST_WHOLE, NULL));
  CHECK(values_fail("2.5", RC_IO_LIST_WHOLE | RC_IO_LIST_INF, "'2.5'"));
  CHECK(values_fail("1,,2", 0, "empty item"));
  CHECK(values_fail("", 0, "empty list"));
  CHECK(values_fail("1:2", 0, "lo:hi:count"));
  CHECK(values_fail("nan", RC_IO_LIST_ZERO, NULL));
  CHECK(values_fail("1e-3:1:0", 0, "in range"));
}

static void test_parse_double(void) {
  double x = 0;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_parse_double("2.385", &x, &err), RC_SUCCESS);
  CHECK(x == 2.385);
  CHECK_STATUS(rc_io_parse_double("-2.385e-3", &x, NULL), RC_SUCCESS);
  CHECK(x == -2.385e-3);
  CHECK_STATUS(rc_io_parse_double("  17 ", &x, NULL), RC_SUCCESS); /* blanks around: fine */
  CHECK(x == 17);
  CHECK_STATUS(rc_io_parse_double("1e-320", &x, NULL), RC_SUCCESS); /* subnormal */
  CHECK(x > 0 && x < 2e-320);
  const char *good[] = {".5", "5.", "+.5e-3", " 2.385 ", "-0", "1E5"};
  const double want[] = {0.5, 5.0, 0.5e-3, 2.385, 0.0, 1e5};
  for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
    CHECK(rc_io_parse_double(good[k], &x, NULL) == RC_SUCCESS && x == want[k]);
  /* Blanks alone (" ") are no number: they used to parse as 0. */
  /* Decimal notation only, as documented: strtod's hexadecimal (0x10 was taken as 16) and
   * exponents without digits are refused. */
  const char *bad[] = {"",     "abc",      "2.385x", "1.2.3",  "nan", "NaN", "inf",
                       "-inf", "infinity", "1e999",  "-1e999", " ",   "--1", "1 2",
                       "0x10", "0X1p3",    "1e",     "e5",     ".",   "1e+", "+-1"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    x = 2.385;
    rc_error_clear(&err);
    CHECK_STATUS(rc_io_parse_double(bad[k], &x, &err), RC_EPARSE);
    CHECK(x == 2.385); /* untouched on failure */
    CHECK(err.status == RC_EPARSE && err.message[0] != '\0');
  }
  CHECK_STATUS(rc_io_parse_double(NULL, &x, NULL), RC_EPARSE);
}

static int uint_is(const char *text, uint64_t lo, uint64_t hi, uint64_t want) {
  uint64_t v = 12345;
  rc_error err = {0, ""};
  int rc = rc_io_parse_uint(text, lo, hi, &v, &err);
  if (rc != RC_SUCCESS || v != want)
    printf("    '%s': status %d '%s', value %llu\n", text, rc, err.message, (unsigned long long)v);
  return rc == RC_SUCCESS && v == want;
}

static int uint_fails(const char *text, uint64_t lo, uint64_t hi) {
  uint64_t v = 12345;
  rc_error err = {0, ""};
  int rc = rc_io_parse_uint(text, lo, hi, &v, &err);
  if (rc != RC_EPARSE || v != 12345 || err.status != RC_EPARSE)
    printf("    '%s' in [%llu, %llu]: status %d, value %llu\n", text, (unsigned long long)lo,
           (unsigned long long)hi, rc, (unsigned long long)v);
  return rc == RC_EPARSE && v == 12345 && err.status == RC_EPARSE;
}

static void test_parse_uint(void) {
  const uint64_t two53 = (uint64_t)1 << 53;
  CHECK(uint_is("2385", 1, two53, 2385));
  CHECK(uint_is("1e3", 1, two53, 1000));
  CHECK(uint_is("2.385e3", 1, two53, 2385));
  CHECK(uint_is("1000.0", 1, two53, 1000));
  CHECK(uint_is("0.5e1", 1, two53, 5));
  CHECK(uint_is("50e-1", 1, two53, 5));
  CHECK(uint_is("+7", 1, two53, 7));
  CHECK(uint_is("0", 0, 3, 0));
  CHECK(uint_is("10", 5, 10, 10));
  CHECK(uint_is("5", 5, 10, 5));
  CHECK(uint_is("9007199254740992", 1, two53, two53));
  CHECK(uint_is("18446744073709551615", 0, UINT64_MAX, UINT64_MAX));
  CHECK(uint_fails("4", 5, 10));
  CHECK(uint_fails("11", 5, 10));
  CHECK(uint_fails("-1", 0, 10));
  CHECK(uint_fails("12.5", 1, 100));
  CHECK(uint_fails("55e-1", 1, 100));
  CHECK(uint_fails("1e-3", 0, 100));
  /* Values strtod rounds to an integer are not integers. */
  CHECK(uint_fails("9007199254740993", 1, two53));
  CHECK(uint_fails("1.0000000000000001", 1, 100));
  CHECK(uint_fails("18446744073709551616", 0, UINT64_MAX));
  CHECK(uint_fails("abc", 0, 10));
  CHECK(uint_fails("nan", 0, 10));
  CHECK(uint_fails("inf", 0, 10));
  CHECK(uint_fails("", 0, 10));
  CHECK(uint_fails("3x", 0, 10));
  /* The message names the value and the interval. */
  uint64_t v;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_io_parse_uint("2.385", 1, 10, &v, &err), RC_EPARSE);
  CHECK(strcmp(err.message, "'2.385' is not an integer in [1, 10]") == 0);
}

/* The shortest round-trip text: what a user types reads back as typed; every double
 * (including the hard cases of 17 digits and subnormals) reads back exactly. */
static void test_format_double(void) {
  const char *typed[] = {"0.1", "1.5", "0.2385", "1e-5", "1e5", "3",    "1e20",   "-2.5",
                         "0",   "10",  "100",    "1e3",  "0.7", "0.25", "2.5e-7", "123456"};
  const double values[] = {0.1, 1.5, 0.2385, 1e-5, 1e5, 3,    1e20,   -2.5,
                           0,   10,  100,    1e3,  0.7, 0.25, 2.5e-7, 123456};
  char buf[RC_IO_DOUBLE_CHARS];
  for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
    rc_io_format_double(values[k], buf, sizeof buf);
    CHECK(strcmp(buf, typed[k]) == 0);
    if (strcmp(buf, typed[k]) != 0)
      printf("    %.17g gave '%s', want '%s'\n", values[k], buf, typed[k]);
  }
  const double hard[] = {0.1 + 0.2,
                         1.0 / 3.0,
                         5e-324,
                         1.7976931348623157e308,
                         2.2250738585072014e-308,
                         9007199254740993.0,
                         -0.0,
                         123456789.123456789};
  for (size_t k = 0; k < sizeof hard / sizeof hard[0]; k++) {
    rc_io_format_double(hard[k], buf, sizeof buf);
    CHECK(strtod(buf, NULL) == hard[k] && strlen(buf) <= 24);
  }
  rc_io_format_double(0.1 + 0.2, buf, sizeof buf);
  CHECK(strcmp(buf, "0.30000000000000004") == 0);
  CHECK(strcmp(rc_io_format_double(INFINITY, buf, sizeof buf), "inf") == 0);
  CHECK(strcmp(rc_io_format_double(-INFINITY, buf, sizeof buf), "-inf") == 0);
  CHECK(strcmp(rc_io_format_double(NAN, buf, sizeof buf), "nan") == 0);
  char small[4];
  rc_io_format_double(0.125, small, sizeof small); /* truncated, still terminated */
  CHECK(strcmp(small, "0.1") == 0);
}

int main(void) {
  TEST_MAIN_BEGIN();
  if (fixture_open(&fx)) {
    printf("test_io: cannot create a temporary directory\n");
    return 1;
  }
  RUN_TEST(test_read_table_separators);
  RUN_TEST(test_read_table_no_final_newline);
  RUN_TEST(test_read_table_underflow);
  RUN_TEST(test_read_column);
  RUN_TEST(test_read_table_ragged);
  RUN_TEST(test_read_table_bad_numbers);
  RUN_TEST(test_read_table_empty);
  RUN_TEST(test_read_table_missing);
  RUN_TEST(test_scan_detect);
  RUN_TEST(test_scan_stop);
  RUN_TEST(test_scan_nul);
  RUN_TEST(test_scan_control_byte);
  RUN_TEST(test_read_bounded);
  RUN_TEST(test_read_decimal_only);
  RUN_TEST(test_excerpt);
  RUN_TEST(test_parse_list_values);
  RUN_TEST(test_parse_list_range);
  RUN_TEST(test_parse_list_range_dedup);
  RUN_TEST(test_parse_list_count_one);
  RUN_TEST(test_parse_list_errors);
  RUN_TEST(test_parse_list_range_message);
  RUN_TEST(test_parse_values);
  RUN_TEST(test_parse_double);
  RUN_TEST(test_format_double);
  RUN_TEST(test_parse_uint);
  fixture_close(&fx);
  TEST_MAIN_END("test_io");
}
