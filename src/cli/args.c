/* Option parsing and error reporting for the riskcalc tool. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "riskcalc/io.h"

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("riskcalc: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static int find_option(const cli_option *options, size_t count, const char *name, size_t len) {
  for (size_t i = 0; i < count; i++)
    if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
      return (int)i;
  return -1;
}

int cli_parse(const cli_option *options, size_t count, size_t max_positional, int argc, char **argv,
              cli_args *out) {
  memset(out, 0, sizeof *out);
  out->options = options;
  out->count = count;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      out->help = 1;
      continue;
    }
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) {
        cli_error("unknown option '%s' (try --help)", a);
        return CLI_EXIT_BAD;
      }
      if (out->npositional >= max_positional) {
        cli_error("unexpected argument '%s' (try --help)", a);
        return CLI_EXIT_BAD;
      }
      out->positional[out->npositional++] = a;
      continue;
    }
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int k = find_option(options, count, name, len);
    if (k < 0) {
      cli_error("unknown option '--%.*s' (try --help)", (int)len, name);
      return CLI_EXIT_BAD;
    }
    if (out->value[k]) {
      cli_error("option '--%s' given twice", options[k].name);
      return CLI_EXIT_BAD;
    }
    if (!options[k].arg) {
      if (eq) {
        cli_error("option '--%s' takes no value", options[k].name);
        return CLI_EXIT_BAD;
      }
      out->value[k] = "";
    } else if (eq) {
      out->value[k] = eq + 1;
    } else if (i + 1 < argc) {
      out->value[k] = argv[++i];
    } else {
      cli_error("option '--%s' needs a value %s", options[k].name, options[k].arg);
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

void cli_print_help(FILE *f, const char *synopsis, const char *description,
                    const cli_option *options, size_t count) {
  fprintf(f, "usage: %s\n\n%s\n\noptions:\n", synopsis, description);
  for (size_t i = 0; i < count; i++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
             options[i].arg ? options[i].arg : "");
    /* Wrap the help text under its option at 100 columns. */
    const char *h = options[i].help;
    fprintf(f, "  %-22s", left);
    if (strlen(left) > 22)
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
  fprintf(f, "  %-22s%s\n", "--help", "show this help and exit");
}

static int option_index(const cli_args *args, const char *name) {
  int k = find_option(args->options, args->count, name, strlen(name));
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

char *cli_command_line(int argc, char **argv) {
  size_t n = 1;
  for (int i = 0; i < argc; i++)
    n += 4 * strlen(argv[i]) + 3; /* every ' becomes '\'' ; quotes; separator */
  char *buf = malloc(n), *out = buf;
  if (!buf)
    return NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int quote = a[0] == '\0' || strpbrk(a, " \t\n'\"\\$*?;&|<>()#`!{}[]~") != NULL;
    if (i)
      *out++ = ' ';
    if (quote)
      *out++ = '\'';
    for (; *a; a++) {
      if (*a == '\'' && quote) {
        memcpy(out, "'\\''", 4);
        out += 4;
      } else {
        *out++ = *a;
      }
    }
    if (quote)
      *out++ = '\'';
  }
  *out = '\0';
  return buf;
}
