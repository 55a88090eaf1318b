/* Numeric file reading and list parsing. */
#include "riskcalc/io.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RC_LIST_MAX 1000000 /* more points than any curve needs; guards against typos */

char *rc_io_excerpt(const char *text, char *buf, size_t n) {
  if (n == 0)
    return buf;
  const size_t keep = RC_IO_EXCERPT_KEEP < n - 1 ? RC_IO_EXCERPT_KEEP : n - 1;
  size_t k = 0;
  const char *s = text ? text : "";
  for (; *s && k < keep; s++)
    buf[k++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
  buf[k] = '\0';
  if (*s && n > 3) { /* cut: the last three characters become "..." */
    const size_t dots = k + 3 < n ? k : n - 4;
    memcpy(buf + dots, "...", 4);
  }
  return buf;
}

/* 1 when text, blanks aside, is a decimal number: [+-]digits[.digits][(e|E)[+-]digits] with
 * at least one digit before the exponent. strtod also reads hexadecimal (0x10 is 16), inf and
 * nan, which the documented formats do not include. */
static int decimal_syntax(const char *s) {
  while (isspace((unsigned char)*s))
    s++;
  if (*s == '+' || *s == '-')
    s++;
  size_t digits = 0;
  while (isdigit((unsigned char)*s)) {
    s++;
    digits++;
  }
  if (*s == '.') {
    s++;
    while (isdigit((unsigned char)*s)) {
      s++;
      digits++;
    }
  }
  if (digits == 0)
    return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!isdigit((unsigned char)*s))
      return 0;
    while (isdigit((unsigned char)*s))
      s++;
  }
  while (isspace((unsigned char)*s))
    s++;
  return *s == '\0';
}

int rc_io_parse_double(const char *text, double *value, rc_error *err) {
  if (!text || !*text)
    return rc_error_set(err, RC_EPARSE, "expected a number, got an empty string");
  char ex[RC_IO_EXCERPT_CHARS];
  if (!decimal_syntax(text))
    return rc_error_set(err, RC_EPARSE, "'%s' is not a decimal number",
                        rc_io_excerpt(text, ex, sizeof ex));
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  const int converted = end != text; /* checked before skipping blanks: " " is no number */
  while (*end && isspace((unsigned char)*end))
    end++;
  if (!converted || *end != '\0')
    return rc_error_set(err, RC_EPARSE, "'%s' is not a number", rc_io_excerpt(text, ex, sizeof ex));
  /* Overflow gives +-HUGE_VAL (inf); underflow (ERANGE with a tiny or zero result) is the
   * nearest double and is accepted. */
  if (!isfinite(v))
    return rc_error_set(err, RC_EPARSE, "'%s' is not a finite number",
                        rc_io_excerpt(text, ex, sizeof ex));
  *value = v;
  return RC_SUCCESS;
}

char *rc_io_format_double(double x, char *buf, size_t n) {
  if (n == 0)
    return buf;
  if (!isfinite(x)) {
    snprintf(buf, n, "%s", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
    return buf;
  }
  /* The fewest significant digits that read back (17 always do). */
  char e[RC_IO_DOUBLE_CHARS];
  int p = 1;
  for (; p < 17; p++) {
    snprintf(e, sizeof e, "%.*e", p - 1, x);
    if (strtod(e, NULL) == x)
      break;
  }
  snprintf(e, sizeof e, "%.*e", p - 1, x);
  /* e is [-]d[.ddd]e(+|-)XX: its digits and decimal exponent. */
  const int neg = e[0] == '-';
  char digits[20];
  size_t nd = 0;
  const char *c = e + neg;
  for (; *c != 'e'; c++)
    if (*c != '.')
      digits[nd++] = *c;
  const int exp10 = atoi(c + 1);
  while (nd > 1 && digits[nd - 1] == '0') /* "%.*e" of 0 gives 0.000 */
    nd--;
  digits[nd] = '\0';
  /* Two spellings of the same digits: scientific d.ddde<exp10> and plain; the shorter wins,
   * plain on a tie (1e5, 100, 0.25, 1e-5, 2.5e-7). */
  char sci[RC_IO_DOUBLE_CHARS], plain[2 * RC_IO_DOUBLE_CHARS + 340];
  snprintf(sci, sizeof sci, "%s%c%s%se%d", neg ? "-" : "", digits[0], nd > 1 ? "." : "", digits + 1,
           exp10);
  size_t k = 0;
  if (neg)
    plain[k++] = '-';
  if (exp10 < 0) {
    plain[k++] = '0';
    plain[k++] = '.';
    for (int z = 0; z < -exp10 - 1; z++)
      plain[k++] = '0';
    for (size_t i = 0; i < nd; i++)
      plain[k++] = digits[i];
  } else {
    for (int i = 0; i <= exp10 || (size_t)i < nd; i++) {
      if (i == exp10 + 1)
        plain[k++] = '.';
      plain[k++] = (size_t)i < nd ? digits[i] : '0';
    }
  }
  plain[k] = '\0';
  snprintf(buf, n, "%s", strlen(plain) <= strlen(sci) ? plain : sci);
  return buf;
}

/* Exact value of a decimal integer written as [+]digits[.digits][(e|E)[+-]digits], with
 * surrounding blanks. Returns 0 and the value when the text denotes an integer <= limit,
 * -1 otherwise (not of that form, not an integer, or larger than limit). Unlike strtod this
 * does not round: 9007199254740993 and 1.0000000000000001 are not mistaken for 2^53 and 1. */
static int exact_decimal_integer(const char *text, uint64_t limit, uint64_t *value) {
  const char *s = text;
  while (isspace((unsigned char)*s))
    s++;
  if (*s == '+')
    s++;
  const char *digits = s;
  size_t nint = 0, nfrac = 0;
  while (isdigit((unsigned char)s[nint]))
    nint++;
  s += nint;
  const char *frac = NULL;
  if (*s == '.') {
    frac = ++s;
    while (isdigit((unsigned char)s[nfrac]))
      nfrac++;
    s += nfrac;
  }
  if (nint + nfrac == 0)
    return -1;
  long exponent = 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    int negative = *s == '-';
    if (*s == '+' || *s == '-')
      s++;
    if (!isdigit((unsigned char)*s))
      return -1;
    for (; isdigit((unsigned char)*s); s++)
      if (exponent < 100000)
        exponent = 10 * exponent + (*s - '0');
    if (negative)
      exponent = -exponent;
  }
  while (isspace((unsigned char)*s))
    s++;
  if (*s)
    return -1;
  /* With D the integer formed by all the digits, value = D * 10^shift. A digit whose power
   * of ten in the value is negative lies after the decimal point and must be zero. */
  const size_t ndig = nint + nfrac;
  const long shift = exponent - (long)nfrac;
  uint64_t v = 0;
  for (size_t k = 0; k < ndig; k++) {
    uint64_t c = (uint64_t)((k < nint ? digits[k] : frac[k - nint]) - '0');
    if ((long)(ndig - 1 - k) + shift < 0) {
      if (c != 0)
        return -1;
      continue;
    }
    if (v > limit / 10)
      return -1;
    v *= 10;
    if (c > limit - v)
      return -1;
    v += c;
  }
  for (long z = 0; z < shift && v != 0; z++) {
    if (v > limit / 10)
      return -1;
    v *= 10;
  }
  *value = v;
  return 0;
}

int rc_io_parse_uint(const char *text, uint64_t lo, uint64_t hi, uint64_t *value, rc_error *err) {
  double v;
  int status = rc_io_parse_double(text, &v, err);
  if (status)
    return status;
  /* v is finite; decide on the exact decimal value, not on v, which strtod has rounded. */
  uint64_t exact;
  if (exact_decimal_integer(text, hi, &exact) || exact < lo)
    return rc_error_set(err, RC_EPARSE, "'%s' is not an integer in [%llu, %llu]",
                        rc_io_excerpt(text, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS),
                        (unsigned long long)lo, (unsigned long long)hi);
  *value = exact;
  return RC_SUCCESS;
}

/* Appends to a growing array. */
static int push_u64(uint64_t **a, size_t *n, size_t *cap, uint64_t v, rc_error *err) {
  if (*n >= RC_LIST_MAX)
    return rc_error_set(err, RC_EPARSE, "list has more than %d values", RC_LIST_MAX);
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 16;
    uint64_t *b = realloc(*a, c * sizeof *b);
    if (!b)
      return rc_error_set(err, RC_ENOMEM, "out of memory parsing a list");
    *a = b;
    *cap = c;
  }
  (*a)[(*n)++] = v;
  return RC_SUCCESS;
}

/* Splits "lo:hi:count" into its three texts; RC_EPARSE when it has another shape. */
static int split_range(const char *item, const char *c1, char buf[3][128], rc_error *err) {
  const char *c2 = strchr(c1 + 1, ':');
  if (!c2 || strchr(c2 + 1, ':') || (size_t)(c1 - item) >= 128 || (size_t)(c2 - c1) > 128 ||
      strlen(c2 + 1) >= 128)
    return rc_error_set(err, RC_EPARSE, "range '%s' must be lo:hi:count",
                        rc_io_excerpt(item, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS));
  memcpy(buf[0], item, (size_t)(c1 - item));
  buf[0][c1 - item] = '\0';
  memcpy(buf[1], c1 + 1, (size_t)(c2 - c1 - 1));
  buf[1][c2 - c1 - 1] = '\0';
  strcpy(buf[2], c2 + 1);
  return RC_SUCCESS;
}

static int parse_list_item(const char *item, uint64_t **a, size_t *n, size_t *cap, rc_error *err) {
  const uint64_t max = (uint64_t)1 << 53;
  const char *c1 = strchr(item, ':');
  if (!c1) {
    uint64_t v;
    int status = rc_io_parse_uint(item, 1, max, &v, err);
    return status ? status : push_u64(a, n, cap, v, err);
  }
  char buf[3][128];
  int status = split_range(item, c1, buf, err);
  if (status)
    return status;
  uint64_t lo, hi, count;
  rc_error sub = {RC_SUCCESS, ""}; /* err->message cannot be both source and destination */
  if ((status = rc_io_parse_uint(buf[0], 1, max, &lo, &sub)) ||
      (status = rc_io_parse_uint(buf[1], 1, max, &hi, &sub)) ||
      (status = rc_io_parse_uint(buf[2], 1, RC_LIST_MAX, &count, &sub)))
    return rc_error_set(err, RC_EPARSE, "in range '%s': %s",
                        rc_io_excerpt(item, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS),
                        sub.message);
  if (lo > hi)
    return rc_error_set(err, RC_EPARSE, "range '%s' has lo > hi",
                        rc_io_excerpt(item, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS));
  if (count == 1)
    return push_u64(a, n, cap, lo, err);
  double llo = log((double)lo), lhi = log((double)hi);
  uint64_t last = 0;
  for (uint64_t k = 0; k < count; k++) {
    double x = k + 1 == count ? (double)hi
                              : round(exp(llo + (lhi - llo) * (double)k / (double)(count - 1)));
    uint64_t v = (uint64_t)x;
    if (v < lo)
      v = lo;
    if (v > hi)
      v = hi;
    if (v == last)
      continue; /* rounding repeats small values of dense ranges */
    if ((status = push_u64(a, n, cap, v, err)))
      return status;
    last = v;
  }
  return RC_SUCCESS;
}

/* Calls item(text, ctx, err) for every comma-separated item of text (a copy, NUL-terminated
 * items); an empty list or item is RC_EPARSE. */
static int for_each_item(const char *text, int (*item)(const char *, void *, rc_error *), void *ctx,
                         rc_error *err) {
  if (!text || !*text)
    return rc_error_set(err, RC_EPARSE, "empty list");
  const size_t len = strlen(text);
  char *copy = malloc(len + 1);
  if (!copy)
    return rc_error_set(err, RC_ENOMEM, "out of memory parsing a list");
  memcpy(copy, text, len + 1);
  int status = RC_SUCCESS;
  for (char *it = copy;;) {
    char *comma = strchr(it, ',');
    if (comma)
      *comma = '\0';
    if (!*it) {
      status =
          rc_error_set(err, RC_EPARSE, "list '%s' has an empty item",
                       rc_io_excerpt(text, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS));
      break;
    }
    if ((status = item(it, ctx, err)) || !comma)
      break;
    it = comma + 1;
  }
  free(copy);
  return status;
}

typedef struct {
  uint64_t *a;
  size_t n, cap;
} u64_list;

static int u64_item(const char *item, void *ctx, rc_error *err) {
  u64_list *l = ctx;
  return parse_list_item(item, &l->a, &l->n, &l->cap, err);
}

int rc_io_parse_list(const char *text, uint64_t **values, size_t *count, rc_error *err) {
  *values = NULL;
  *count = 0;
  u64_list l = {NULL, 0, 0};
  const int status = for_each_item(text, u64_item, &l, err);
  if (status) {
    free(l.a);
    return status;
  }
  *values = l.a;
  *count = l.n;
  return RC_SUCCESS;
}

typedef struct {
  unsigned flags;
  double *a;
  size_t n, cap;
} real_list;

static int push_real(real_list *l, double v, rc_error *err) {
  if (l->n >= RC_LIST_MAX)
    return rc_error_set(err, RC_EPARSE, "list has more than %d values", RC_LIST_MAX);
  if (l->n == l->cap) {
    const size_t c = l->cap ? 2 * l->cap : 16;
    double *b = realloc(l->a, c * sizeof *b);
    if (!b)
      return rc_error_set(err, RC_ENOMEM, "out of memory parsing a list");
    l->a = b;
    l->cap = c;
  }
  l->a[l->n++] = v;
  return RC_SUCCESS;
}

/* A value of a real list: > 0, or 0 with RC_IO_LIST_ZERO. */
static int real_value(const char *text, unsigned flags, double *v, rc_error *err) {
  int status = rc_io_parse_double(text, v, err);
  if (status)
    return status;
  if (*v < 0 || (*v == 0 && !(flags & RC_IO_LIST_ZERO)))
    return rc_error_set(err, RC_EPARSE, "'%s' must be %s",
                        rc_io_excerpt(text, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS),
                        flags & RC_IO_LIST_ZERO ? ">= 0" : "> 0");
  return RC_SUCCESS;
}

static int real_item(const char *item, void *ctx, rc_error *err) {
  real_list *l = ctx;
  if ((l->flags & RC_IO_LIST_INF) && (strcmp(item, "inf") == 0 || strcmp(item, "infinity") == 0))
    return push_real(l, INFINITY, err);
  if (l->flags & RC_IO_LIST_WHOLE) {
    u64_list w = {NULL, 0, 0};
    int status = parse_list_item(item, &w.a, &w.n, &w.cap, err);
    for (size_t k = 0; k < w.n && !status; k++)
      status = push_real(l, (double)w.a[k], err);
    free(w.a);
    return status;
  }
  const char *c1 = strchr(item, ':');
  double v;
  if (!c1) {
    int status = real_value(item, l->flags, &v, err);
    return status ? status : push_real(l, v, err);
  }
  char buf[3][128];
  int status = split_range(item, c1, buf, err);
  if (status)
    return status;
  double lo, hi;
  uint64_t count;
  rc_error sub = {RC_SUCCESS, ""};
  if ((status = real_value(buf[0], 0, &lo, &sub)) || (status = real_value(buf[1], 0, &hi, &sub)) ||
      (status = rc_io_parse_uint(buf[2], 1, RC_LIST_MAX, &count, &sub)))
    return rc_error_set(err, RC_EPARSE, "in range '%s': %s",
                        rc_io_excerpt(item, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS),
                        sub.message);
  if (lo > hi)
    return rc_error_set(err, RC_EPARSE, "range '%s' has lo > hi",
                        rc_io_excerpt(item, (char[RC_IO_EXCERPT_CHARS]){0}, RC_IO_EXCERPT_CHARS));
  /* in decades: the powers of ten of a range like 1e-4:1:5 come out exactly */
  const double llo = log10(lo), lhi = log10(hi);
  for (uint64_t k = 0; k < count && !status; k++) {
    v = k == 0           ? lo
        : k + 1 == count ? hi
                         : pow(10.0, llo + (lhi - llo) * (double)k / (double)(count - 1));
    status = push_real(l, v, err);
  }
  return status;
}

int rc_io_parse_values(const char *text, unsigned flags, double **values, size_t *count,
                       rc_error *err) {
  *values = NULL;
  *count = 0;
  real_list l = {flags, NULL, 0, 0};
  const int status = for_each_item(text, real_item, &l, err);
  if (status) {
    free(l.a);
    return status;
  }
  *values = l.a;
  *count = l.n;
  return RC_SUCCESS;
}

/* Trims blanks and one pair of enclosing double quotes. */
static char *trim_field(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
    s[n - 1] = '\0';
    s++;
  }
  return s;
}

/* Appends a field pointer to a growing array. */
static int push_field(char ***fields, size_t *n, size_t *cap, char *f) {
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 16;
    char **b = realloc(*fields, c * sizeof *b);
    if (!b)
      return -1;
    *fields = b;
    *cap = c;
  }
  (*fields)[(*n)++] = f;
  return 0;
}

/* Splits line in place; *sep is the separator of a DETECT file (0 until its first line). */
static int split_line(char *line, rc_io_split split, char *sep, char ***fields, size_t *n,
                      size_t *cap) {
  *n = 0;
  if (split == RC_IO_SPLIT_ANY) {
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r\n,", &save); tok;
         tok = strtok_r(NULL, " \t\r\n,", &save))
      if (push_field(fields, n, cap, tok))
        return -1;
    return 0;
  }
  if (!*sep)
    *sep = strchr(line, '\t') ? '\t' : strchr(line, ',') ? ',' : ' ';
  if (*sep == ' ') {
    for (char *p = line;;) {
      while (*p == ' ' || *p == '\t')
        p++;
      if (!*p)
        return 0;
      if (push_field(fields, n, cap, p))
        return -1;
      while (*p && *p != ' ' && *p != '\t')
        p++;
      if (*p)
        *p++ = '\0';
    }
  }
  for (char *p = line;;) {
    char *end = strchr(p, *sep);
    if (end)
      *end = '\0';
    if (push_field(fields, n, cap, trim_field(p)))
      return -1;
    if (!end)
      return 0;
    p = end + 1;
  }
}

/* Reads the next line of f into *line (without its '\n', NUL-terminated), growing *cap.
 * Returns 1 for a line, 0 at the end of the file, or a status (with err set): RC_EIO for a
 * read error, a NUL or other control byte (not a text file: the byte is named, never echoed),
 * or more than max_bytes read in all (*total counts them); RC_ENOMEM. */
static int next_line(FILE *f, const char *path, size_t lineno, size_t max_bytes, size_t *total,
                     char **line, size_t *cap, rc_error *err) {
  size_t n = 0;
  int c, any = 0;
  while ((c = getc(f)) != EOF) {
    any = 1;
    if (++*total > max_bytes)
      return rc_error_set(err, RC_EIO,
                          "%s: more than %zu bytes (the most riskcalc reads from one input file)",
                          path, max_bytes);
    if (c == '\n')
      break;
    if (c == '\0')
      return rc_error_set(err, RC_EIO, "%s:%zu: not a text file (a NUL byte)", path, lineno);
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f)
      return rc_error_set(err, RC_EIO, "%s:%zu: not a text file (control byte 0x%02x)", path,
                          lineno, (unsigned)c);
    if (n + 1 >= *cap) {
      const size_t grown = *cap ? 2 * *cap : 256;
      char *b = realloc(*line, grown);
      if (!b)
        return rc_error_set(err, RC_ENOMEM, "out of memory reading '%s'", path);
      *line = b;
      *cap = grown;
    }
    (*line)[n++] = (char)c;
  }
  if (ferror(f))
    return rc_error_set(err, RC_EIO, "error reading '%s'", path);
  if (!any)
    return 0;
  if (!*line) {
    *line = malloc(1);
    if (!*line)
      return rc_error_set(err, RC_ENOMEM, "out of memory reading '%s'", path);
    *cap = 1;
  }
  (*line)[n] = '\0';
  return 1;
}

int rc_io_scan_bounded(const char *path, rc_io_split split, size_t max_bytes, rc_io_row_fn row,
                       void *context, rc_error *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return rc_error_set(err, RC_EIO, "cannot open '%s': %s", path, strerror(errno));
  char *line = NULL, **fields = NULL, sep = 0;
  size_t linecap = 0, lineno = 0, nfields = 0, cap = 0, total = 0;
  int status = RC_SUCCESS, got;
  while ((got = next_line(f, path, lineno + 1, max_bytes, &total, &line, &linecap, err)) == 1) {
    lineno++;
    char *hash = strchr(line, '#');
    if (hash)
      *hash = '\0';
    size_t n = strlen(line);
    while (n > 0 && isspace((unsigned char)line[n - 1]))
      line[--n] = '\0';
    char *start = line;
    while (*start == ' ' || *start == '\t')
      start++;
    if (!*start)
      continue; /* blank: neither a row nor the line that decides the separator */
    if (split_line(start, split, &sep, &fields, &nfields, &cap)) {
      status = rc_error_set(err, RC_ENOMEM, "out of memory reading '%s'", path);
      break;
    }
    if (nfields > 0 && (status = row(fields, nfields, lineno, context, err)) != RC_SUCCESS)
      break;
  }
  if (status == RC_SUCCESS && got != 0)
    status = got;
  free(line);
  free(fields);
  fclose(f);
  return status;
}

int rc_io_scan(const char *path, rc_io_split split, rc_io_row_fn row, void *context,
               rc_error *err) {
  return rc_io_scan_bounded(path, split, RC_IO_MAX_BYTES, row, context, err);
}

typedef struct {
  const char *path;
  double *a;
  size_t n, cap, rows, cols, max;
} numbers;

static int number_row(char **fields, size_t count, size_t line, void *context, rc_error *err) {
  numbers *t = context;
  char ex[RC_IO_EXCERPT_CHARS];
  for (size_t k = 0; k < count; k++) {
    if (t->n >= t->max)
      return rc_error_set(err, RC_EPARSE,
                          "%s:%zu: more than %zu values (the most this input can use)", t->path,
                          line, t->max);
    char *end;
    errno = 0;
    const double v = strtod(fields[k], &end);
    if (end == fields[k] || *end != '\0' || !decimal_syntax(fields[k]))
      return rc_error_set(err, RC_EPARSE, "%s:%zu: '%s' is not a decimal number", t->path, line,
                          rc_io_excerpt(fields[k], ex, sizeof ex));
    if (!isfinite(v)) /* overflow; an underflow is the nearest double and accepted */
      return rc_error_set(err, RC_EPARSE, "%s:%zu: '%s' is not a finite number", t->path, line,
                          rc_io_excerpt(fields[k], ex, sizeof ex));
    if (t->n == t->cap) {
      size_t c = t->cap ? 2 * t->cap : 256;
      if (c > t->max)
        c = t->max;
      double *b = realloc(t->a, c * sizeof *b);
      if (!b)
        return rc_error_set(err, RC_ENOMEM, "out of memory reading '%s'", t->path);
      t->a = b;
      t->cap = c;
    }
    t->a[t->n++] = v;
  }
  if (t->rows == 0)
    t->cols = count;
  else if (count != t->cols)
    return rc_error_set(err, RC_EPARSE, "%s:%zu: %zu values, but earlier rows have %zu", t->path,
                        line, count, t->cols);
  t->rows++;
  return RC_SUCCESS;
}

int rc_io_read_table_bounded(const char *path, size_t max_values, double **values, size_t *rows,
                             size_t *cols, rc_error *err) {
  *values = NULL;
  *rows = *cols = 0;
  if (max_values == 0 || max_values > RC_IO_MAX_VALUES)
    max_values = RC_IO_MAX_VALUES;
  numbers t = {path, NULL, 0, 0, 0, 0, max_values};
  /* The text of max_values numbers, with room for comments: a longer file is refused before
   * it is read to its end (a device such as /dev/zero has none). */
  size_t max_bytes = RC_IO_MAX_BYTES;
  if (max_values < (RC_IO_MAX_BYTES - RC_IO_COMMENT_BYTES) / RC_IO_VALUE_BYTES)
    max_bytes = max_values * RC_IO_VALUE_BYTES + RC_IO_COMMENT_BYTES;
  int status = rc_io_scan_bounded(path, RC_IO_SPLIT_ANY, max_bytes, number_row, &t, err);
  if (status == RC_SUCCESS && t.rows == 0)
    status = rc_error_set(err, RC_EPARSE, "'%s' holds no numbers", path);
  if (status) {
    free(t.a);
    return status;
  }
  *values = t.a;
  *rows = t.rows;
  *cols = t.cols;
  return RC_SUCCESS;
}

int rc_io_read_table(const char *path, double **values, size_t *rows, size_t *cols, rc_error *err) {
  return rc_io_read_table_bounded(path, RC_IO_MAX_VALUES, values, rows, cols, err);
}

int rc_io_read_column_bounded(const char *path, size_t max_values, double **values, size_t *count,
                              rc_error *err) {
  size_t rows, cols;
  int status = rc_io_read_table_bounded(path, max_values, values, &rows, &cols, err);
  if (status)
    return status;
  if (cols != 1) {
    free(*values);
    *values = NULL;
    return rc_error_set(err, RC_EPARSE, "'%s' must hold one value per line (found %zu per line)",
                        path, cols);
  }
  *count = rows;
  return RC_SUCCESS;
}

int rc_io_read_column(const char *path, double **values, size_t *count, rc_error *err) {
  return rc_io_read_column_bounded(path, RC_IO_MAX_VALUES, values, count, err);
}
