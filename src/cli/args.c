/* Option groups, parsing and error reporting for the riskcalc tool. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "riskcalc/io.h"

int cli_parse_only = 0;

void cli_error(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  const int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (text) {
    vsnprintf(text, (size_t)n + 1, fmt, ap2);
    /* One line whatever a file name holds. */
    for (char *c = text; *c; c++)
      if ((unsigned char)*c < 0x20 || *c == 0x7f)
        *c = '?';
    if (strlen(text) > CLI_ERROR_MAX)
      memcpy(text + CLI_ERROR_MAX - 3, "...", 4);
    fprintf(stderr, "riskcalc: %s\n", text);
    free(text);
  } else {
    fputs("riskcalc: ", stderr);
    vfprintf(stderr, fmt, ap2);
    fputc('\n', stderr);
  }
  va_end(ap2);
}

static int find_option(const cli_args *args, const char *name, size_t len) {
  for (size_t i = 0; i < args->count; i++)
    if (strlen(args->option[i]->name) == len && strncmp(args->option[i]->name, name, len) == 0)
      return (int)i;
  return -1;
}

int cli_parse(const cli_group *groups, size_t ngroups, size_t max_positional, int argc, char **argv,
              cli_args *out) {
  memset(out, 0, sizeof *out);
  for (size_t g = 0; g < ngroups; g++)
    for (size_t k = 0; k < groups[g].count; k++) {
      if (out->count == CLI_MAX_OPTIONS) {
        cli_error("internal error: more than %d options", CLI_MAX_OPTIONS);
        return CLI_EXIT_BAD;
      }
      out->option[out->count++] = &groups[g].options[k];
    }
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      out->help = 1;
      continue;
    }
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) {
        cli_error("unknown option '%s' (try --help)", CLI_EXCERPT(a));
        return CLI_EXIT_BAD;
      }
      if (out->npositional >= max_positional) {
        cli_error("unexpected argument '%s' (try --help)", CLI_EXCERPT(a));
        return CLI_EXIT_BAD;
      }
      out->positional[out->npositional++] = a;
      continue;
    }
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int k = find_option(out, name, len);
    if (k < 0) {
      cli_error("unknown option '--%.*s%s' (try --help)",
                len > RC_IO_EXCERPT_KEEP ? RC_IO_EXCERPT_KEEP : (int)len, CLI_EXCERPT(name),
                len > RC_IO_EXCERPT_KEEP ? "..." : "");
      return CLI_EXIT_BAD;
    }
    const cli_option *o = out->option[k];
    if (out->value[k]) {
      cli_error("option '--%s' given twice", o->name);
      return CLI_EXIT_BAD;
    }
    if (!o->arg) {
      if (eq) {
        cli_error("option '--%s' takes no value", o->name);
        return CLI_EXIT_BAD;
      }
      out->value[k] = "";
    } else if (eq) {
      out->value[k] = eq + 1;
    } else if (i + 1 < argc) {
      out->value[k] = argv[++i];
    } else {
      cli_error("option '--%s' needs a value %s", o->name, o->arg);
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

static void print_option(FILE *f, const cli_option *o) {
  char left[64];
  snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
  /* Wrap the help text under its option at 100 columns. */
  const char *h = o->help;
  fprintf(f, "  %-22s", left);
  if (strlen(left) >= 22) /* no room for the space before the help */
    fprintf(f, "\n  %-22s", "");
  size_t col = 0;
  while (*h) {
    const char *sp = strchr(h, ' ');
    size_t w = sp ? (size_t)(sp - h) : strlen(h);
    if (col > 0 && col + 1 + w > 76) {
      fprintf(f, "\n  %-22s", "");
      col = 0;
    } else if (col > 0) {
      fputc(' ', f);
      col++;
    }
    fwrite(h, 1, w, f);
    col += w;
    h += w;
    while (*h == ' ')
      h++;
  }
  fputc('\n', f);
}

void cli_print_help(FILE *f, const char *synopsis, const char *description, const cli_group *groups,
                    size_t ngroups) {
  fprintf(f, "usage: %s\n\n%s\n\noptions:\n", synopsis, description);
  for (size_t g = 0; g < ngroups; g++)
    for (size_t k = 0; k < groups[g].count; k++)
      print_option(f, &groups[g].options[k]);
  fprintf(f, "  %-22s%s\n", "--help", "show this help and exit");
}

static int option_index(const cli_args *args, const char *name) {
  int k = find_option(args, name, strlen(name));
  if (k < 0) {
    /* A programming error in the tool, not user input: say so plainly. */
    cli_error("internal error: option '--%s' is not declared", name);
    abort();
  }
  return k;
}

const char *cli_get(const cli_args *args, const char *name) {
  return args->value[option_index(args, name)];
}

int cli_has(const cli_args *args, const char *name) {
  return cli_get(args, name) != NULL;
}

const char *cli_role_name(const cli_args *args, cli_role role) {
  for (size_t i = 0; i < args->count; i++)
    if (args->option[i]->role == role)
      return args->option[i]->name;
  return NULL;
}

const char *cli_role_value(const cli_args *args, cli_role role) {
  for (size_t i = 0; i < args->count; i++)
    if (args->option[i]->role == role)
      return args->value[i];
  return NULL;
}

int cli_get_double(const cli_args *args, const char *name, double fallback, double *out) {
  const char *v = cli_get(args, name);
  if (!v) {
    *out = fallback;
    return 0;
  }
  rc_error err = {0, ""};
  if (rc_io_parse_double(v, out, &err)) {
    cli_error("--%s: %s", name, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

int cli_get_uint(const cli_args *args, const char *name, uint64_t lo, uint64_t hi,
                 uint64_t fallback, uint64_t *out) {
  const char *v = cli_get(args, name);
  if (!v) {
    *out = fallback;
    return 0;
  }
  rc_error err = {0, ""};
  if (rc_io_parse_uint(v, lo, hi, out, &err)) {
    cli_error("--%s: %s", name, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* Writes s as one shell word into out (room for 4 strlen(s) + 3 bytes); returns its end. */
static char *shell_word(const char *s, char *out) {
  const int quote = s[0] == '\0' || strpbrk(s, " \t\n'\"\\$*?;&|<>()#`!{}[]~") != NULL;
  if (quote)
    *out++ = '\'';
  for (; *s; s++) {
    if (*s == '\'' && quote) {
      memcpy(out, "'\\''", 4);
      out += 4;
    } else {
      *out++ = *s;
    }
  }
  if (quote)
    *out++ = '\'';
  *out = '\0';
  return out;
}

char *cli_shell_word(const char *s) {
  char *buf = malloc(4 * strlen(s) + 3);
  if (buf)
    shell_word(s, buf);
  return buf;
}

char *cli_command_line(int argc, char **argv) {
  size_t n = 1;
  for (int i = 0; i < argc; i++)
    n += 4 * strlen(argv[i]) + 3; /* every ' becomes '\'' ; quotes; separator */
  char *buf = malloc(n), *out = buf;
  if (!buf)
    return NULL;
  *out = '\0';
  for (int i = 0; i < argc; i++) {
    if (i)
      *out++ = ' ';
    out = shell_word(argv[i], out);
  }
  return buf;
}

int cli_parse_format(const char *text, cli_format *out) {
  if (!text || strcmp(text, "tsv") == 0)
    *out = CLI_FORMAT_TSV;
  else if (strcmp(text, "csv") == 0)
    *out = CLI_FORMAT_CSV;
  else if (strcmp(text, "json") == 0)
    *out = CLI_FORMAT_JSON;
  else {
    cli_error("--format: '%s' is not one of tsv, csv, json", CLI_EXCERPT(text));
    return CLI_EXIT_BAD;
  }
  return 0;
}

void cli_meta_free(cli_meta *meta) {
  for (size_t k = 0; k < meta->count; k++) {
    free(meta->key[k]);
    free(meta->value[k]);
  }
  for (size_t k = 0; k < meta->nparams; k++) {
    free(meta->param_key[k]);
    free(meta->param_json[k]);
  }
  free(meta->key);
  free(meta->value);
  free(meta->param_key);
  free(meta->param_json);
  memset(meta, 0, sizeof *meta);
}

static void *meta_fail(void) {
  cli_error("out of memory recording the parameters");
  exit(CLI_EXIT_BAD);
}

/* Appends a typed parameter whose JSON text is json (taken over). */
static void param_add(cli_meta *meta, const char *key, char *json) {
  if (meta->nparams == meta->param_capacity) {
    const size_t cap = meta->param_capacity ? 2 * meta->param_capacity : 16;
    char **k = realloc(meta->param_key, cap * sizeof *k);
    if (!k)
      meta_fail();
    meta->param_key = k;
    char **v = realloc(meta->param_json, cap * sizeof *v);
    if (!v)
      meta_fail();
    meta->param_json = v;
    meta->param_capacity = cap;
  }
  char *name = malloc(strlen(key) + 1);
  if (!name || !json)
    meta_fail();
  strcpy(name, key);
  meta->param_key[meta->nparams] = name;
  meta->param_json[meta->nparams++] = json;
}

void cli_meta_param_number(cli_meta *meta, const char *key, double x) {
  char *json = malloc(RC_IO_DOUBLE_CHARS + 2);
  if (json) {
    if (isfinite(x) && x == floor(x) && fabs(x) < 1e15)
      snprintf(json, RC_IO_DOUBLE_CHARS, "%.0f", x); /* whole numbers written out: 10000 */
    else if (isfinite(x))
      rc_io_format_double(x, json, RC_IO_DOUBLE_CHARS);
    else
      snprintf(json, RC_IO_DOUBLE_CHARS + 2, "\"%s\"", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
  }
  param_add(meta, key, json);
}

void cli_meta_param_list(cli_meta *meta, const char *key, const uint64_t *values, size_t n) {
  char *json = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&json, &len);
  if (!f)
    meta_fail();
  fputc('[', f);
  for (size_t k = 0; k < n; k++)
    fprintf(f, "%s%llu", k ? ", " : "", (unsigned long long)values[k]);
  fputc(']', f);
  if (fclose(f) != 0)
    meta_fail();
  param_add(meta, key, json);
}

void cli_meta_param_numbers(cli_meta *meta, const char *key, const double *values, size_t n) {
  char *json = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&json, &len);
  if (!f)
    meta_fail();
  fputc('[', f);
  for (size_t k = 0; k < n; k++) {
    char v[RC_IO_DOUBLE_CHARS];
    const double x = values[k];
    if (isfinite(x) && x == floor(x) && fabs(x) < 1e15)
      fprintf(f, "%s%.0f", k ? ", " : "", x);
    else if (isfinite(x))
      fprintf(f, "%s%s", k ? ", " : "", rc_io_format_double(x, v, sizeof v));
    else
      fprintf(f, "%s\"%s\"", k ? ", " : "", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
  }
  fputc(']', f);
  if (fclose(f) != 0)
    meta_fail();
  param_add(meta, key, json);
}

void cli_meta_param_string(cli_meta *meta, const char *key, const char *text) {
  char *json = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&json, &len);
  if (!f)
    meta_fail();
  cli_json_string(f, text);
  if (fclose(f) != 0)
    meta_fail();
  param_add(meta, key, json);
}

void cli_json_string(FILE *f, const char *s) {
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

int cli_json_is_number(const char *t) {
  if (*t == '-')
    t++;
  if (*t == '0')
    t++;
  else if (*t >= '1' && *t <= '9')
    while (*t >= '0' && *t <= '9')
      t++;
  else
    return 0;
  if (*t == '.') {
    t++;
    if (!(*t >= '0' && *t <= '9'))
      return 0;
    while (*t >= '0' && *t <= '9')
      t++;
  }
  if (*t == 'e' || *t == 'E') {
    t++;
    if (*t == '+' || *t == '-')
      t++;
    if (!(*t >= '0' && *t <= '9'))
      return 0;
    while (*t >= '0' && *t <= '9')
      t++;
  }
  return *t == '\0';
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

/* The deferred warnings of one run of the tool (the tool's own state, not the library's). */
#define MAX_WARNINGS 8
static char warnings[MAX_WARNINGS][512];
static size_t nwarnings;

void cli_warn_later(const char *fmt, ...) {
  if (nwarnings == MAX_WARNINGS)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(warnings[nwarnings++], sizeof warnings[0], fmt, ap);
  va_end(ap);
}

void cli_warnings_flush(void) {
  for (size_t k = 0; k < nwarnings; k++)
    fprintf(stderr, "riskcalc: warning: %s\n", warnings[k]);
  nwarnings = 0;
}
