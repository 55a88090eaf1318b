/* riskcalc rerun FILE: re-executes the run recorded in the header of one of the tool's own
 * output files (TSV, CSV or JSON) and reports whether its data rows come out byte for byte the
 * same (exit 0) or not (exit 1, with the first differing row). */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit.h"

extern char **environ;

/* Files larger than this are not one of the tool's outputs worth re-running. */
#define RERUN_MAX_BYTES ((size_t)1 << 30)
#define RERUN_MAX_ARGS 256

static const cli_option rerun_options[] = {
    {"quiet", NULL, "print nothing on success (the exit status says it)", CLI_ROLE_NONE},
};
static const cli_group rerun_groups[] = {CLI_GROUP(rerun_options)};

/* Reads a whole file (at most RERUN_MAX_BYTES). malloc'd, NUL-terminated; NULL on failure
 * (message printed). */
static char *read_all(const char *path, const char *what, size_t *size) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    cli_error("%s '%s': %s", what, path, strerror(errno));
    return NULL;
  }
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    const size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0)
      break;
    if (len == cap) {
      if (cap >= RERUN_MAX_BYTES) {
        free(buf);
        buf = NULL;
        cli_error("%s '%s': larger than %zu bytes, not an output of riskcalc", what, path,
                  RERUN_MAX_BYTES);
        if (f != stdin)
          fclose(f);
        return NULL;
      }
      cap *= 2;
      char *grown = realloc(buf, cap + 1);
      if (!grown)
        free(buf);
      buf = grown;
    }
  }
  const int bad = !buf || ferror(f);
  if (f != stdin)
    fclose(f);
  if (bad) {
    free(buf);
    cli_error("%s '%s': %s", what, path, buf ? "read error" : "out of memory");
    return NULL;
  }
  if (memchr(buf, '\0', len)) {
    free(buf);
    cli_error("%s '%s': not a text file (a NUL byte)", what, path);
    return NULL;
  }
  buf[len] = '\0';
  *size = len;
  return buf;
}

/* The recorded command line: the "# command: " line of a TSV/CSV output, or the "command"
 * string of a JSON output's metadata (JSON escapes undone). malloc'd; NULL when absent. */
static char *recorded_command(const char *text, int *json) {
  const char *s = text;
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  *json = *s == '{';
  if (!*json) {
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
      if (strncmp(line, "# command: ", 11) == 0) {
        const char *start = line + 11, *end = strchr(start, '\n');
        const size_t n = end ? (size_t)(end - start) : strlen(start);
        char *c = malloc(n + 1);
        if (c) {
          memcpy(c, start, n);
          c[n] = '\0';
        }
        return c;
      }
      if (line[0] != '#')
        return NULL; /* the header ended */
    }
    return NULL;
  }
  const char *key = strstr(text, "\"command\": \"");
  if (!key)
    return NULL;
  const char *p = key + 12;
  char *c = malloc(strlen(p) + 1), *o = c;
  if (!c)
    return NULL;
  for (; *p && *p != '"'; p++) {
    if (*p != '\\') {
      *o++ = *p;
      continue;
    }
    p++;
    if (*p == 'u' && p[1] && p[2] && p[3] && p[4]) {
      const char hex[5] = {p[1], p[2], p[3], p[4], 0};
      *o++ = (char)strtol(hex, NULL, 16);
      p += 4;
    } else if (*p == 'n') {
      *o++ = '\n';
    } else if (*p == 't') {
      *o++ = '\t';
    } else if (*p) {
      *o++ = *p;
    } else {
      break;
    }
  }
  *o = '\0';
  return c;
}

/* Splits a command line written by cli_command_line (words separated by blanks; '...' quotes
 * with '\'' for a quote) into argv in place. Returns the word count, or -1 (too many or an
 * unterminated quote). */
static int split_words(char *s, char **argv, int max) {
  int n = 0;
  char *o = s;
  while (*s) {
    while (*s == ' ')
      s++;
    if (!*s)
      break;
    if (n == max)
      return -1;
    argv[n++] = o;
    while (*s && *s != ' ') {
      if (*s == '\'') {
        s++;
        while (*s && *s != '\'')
          *o++ = *s++;
        if (*s != '\'')
          return -1;
        s++;
      } else if (*s == '\\' && s[1]) {
        *o++ = s[1];
        s += 2;
      } else {
        *o++ = *s++;
      }
    }
    if (*s)
      s++;
    *o++ = '\0';
  }
  return n;
}

/* The options that write files: a re-run writes to a pipe instead, and draws no figure (so
 * the options shaping the figure go too; --contours is a flag). */
static int writes_file(const char *arg, int *takes_value) {
  static const char *const names[] = {"--output",    "--plot",    "--schedule-out", "--per-run",
                                      "--plot-kind", "--y",       "--ymin",         "--ymax",
                                      "--size",      "--contours"};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    const size_t n = strlen(names[k]);
    if (strncmp(arg, names[k], n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
      *takes_value = arg[n] == '\0' && strcmp(names[k], "--contours") != 0;
      return 1;
    }
  }
  return 0;
}

/* Runs this executable with argv and collects its standard output. Returns its exit status
 * (-1 when it could not run or was killed; message printed). */
static int run_self(char **argv, char **out, size_t *out_len) {
  int pipefd[2];
  if (pipe(pipefd) != 0) {
    cli_error("rerun: cannot make a pipe: %s", strerror(errno));
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipefd[0]);
  pid_t pid;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  if (rc != 0) {
    close(pipefd[0]);
    cli_error("rerun: cannot run riskcalc again: %s", strerror(rc));
    return -1;
  }
  cli_child_set(pid);
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (buf && len == cap) {
      char *grown = cap < RERUN_MAX_BYTES ? realloc(buf, 2 * cap + 1) : NULL;
      if (!grown) {
        free(buf);
        buf = NULL;
      } else {
        buf = grown;
        cap *= 2;
      }
    }
    char sink[4096];
    const ssize_t got = buf ? read(pipefd[0], buf + len, cap - len) : read(pipefd[0], sink, 4096);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    if (buf)
      len += (size_t)got;
  }
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  cli_child_set(0);
  if (!buf) {
    cli_error("rerun: out of memory for the output of the re-run");
    return -1;
  }
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  if (!WIFEXITED(status)) {
    cli_error("rerun: the re-run was killed by signal %d",
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
  }
  return WEXITSTATUS(status);
}

/* The data of an output: the lines not starting with '#' (TSV, CSV), or everything from the
 * "columns" member on (JSON). */
static const char *next_data_line(const char *s, int json, size_t *len) {
  if (json) {
    *len = strlen(s);
    return s;
  }
  while (*s) {
    const char *end = strchr(s, '\n');
    const size_t n = end ? (size_t)(end - s) : strlen(s);
    if (s[0] != '#') {
      *len = n;
      return s;
    }
    s += n + (end != NULL);
  }
  *len = 0;
  return NULL;
}

/* Compares the data rows; prints the first difference. 0 when equal. */
static int compare_data(const char *want, const char *got, int json) {
  if (json) {
    const char *a = strstr(want, "\"columns\""), *b = strstr(got, "\"columns\"");
    if (a && b && strcmp(a, b) == 0)
      return 0;
    fprintf(stderr, "riskcalc rerun: the JSON rows differ\n");
    return 1;
  }
  size_t row = 0, la, lb;
  const char *a = next_data_line(want, 0, &la), *b = next_data_line(got, 0, &lb);
  while (a && b) {
    if (la != lb || memcmp(a, b, la) != 0) {
      fprintf(stderr, "riskcalc rerun: data row %zu differs\n  recorded: %.*s\n  re-run:   %.*s\n",
              row, (int)(la > 300 ? 300 : la), a, (int)(lb > 300 ? 300 : lb), b);
      return 1;
    }
    row++;
    a = next_data_line(a + la + (a[la] == '\n'), 0, &la);
    b = next_data_line(b + lb + (b[lb] == '\n'), 0, &lb);
  }
  if (a || b) {
    fprintf(stderr, "riskcalc rerun: the %s has more data rows than the %s (after %zu rows)\n",
            a ? "recorded output" : "re-run", a ? "re-run" : "recorded output", row);
    return 1;
  }
  return 0;
}

int cmd_rerun(int argc, char **argv, const char *command_line) {
  (void)command_line;
  cli_args args;
  if (cli_parse(rerun_groups, 1, 1, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(stdout, "riskcalc rerun FILE [--quiet]",
                   "Re-executes the run recorded in the '# command:' header line (or the JSON\n"
                   "metadata) of one of riskcalc's own output files, with its output sent to a\n"
                   "pipe (no file is written, no figure drawn), and compares the data rows byte\n"
                   "for byte. Exit status: 0 the same, 1 a row differs (the first one is shown),\n"
                   "2 bad input or a re-run that failed.",
                   rerun_groups, 1);
    return CLI_EXIT_OK;
  }
  if (args.npositional != 1) {
    cli_error("rerun: which output file? (usage: riskcalc rerun FILE; try --help)");
    return CLI_EXIT_BAD;
  }
  const char *path = args.positional[0];
  size_t size;
  char *text = read_all(path, "rerun", &size);
  if (!text)
    return CLI_EXIT_BAD;
  int json, status = CLI_EXIT_BAD;
  char *command = recorded_command(text, &json);
  char *words[RERUN_MAX_ARGS + 2], *out = NULL;
  size_t out_len = 0;
  int n;
  if (!command) {
    cli_error("rerun: '%s' records no command (not an output of riskcalc)", path);
    goto done;
  }
  n = split_words(command, words, RERUN_MAX_ARGS);
  if (n < 2) {
    cli_error("rerun: '%s' records a command this tool cannot read back", path);
    goto done;
  }
  if (strcmp(words[1], "rerun") == 0) {
    cli_error("rerun: '%s' records a rerun, not a computation", path);
    goto done;
  }
  /* argv of the re-run: this executable, the recorded words without the file-writing options */
  char *child[RERUN_MAX_ARGS + 4];
  int m = 0, generator_given = 0;
  child[m++] = "riskcalc";
  for (int k = 1; k < n; k++) {
    int takes_value;
    if (writes_file(words[k], &takes_value)) {
      k += takes_value;
      continue;
    }
    generator_given |= strcmp(words[k], "--generator") == 0;
    child[m++] = words[k];
  }
  /* linear Monte Carlo outputs made before --generator existed drew from mt19937 (their
   * header says so without naming the option): re-run them with it */
  const int linear = strcmp(words[1], "linear") == 0 ||
                     (n > 2 && strcmp(words[1], "compare") == 0 && strcmp(words[2], "linear") == 0);
  if (linear && !generator_given &&
      strstr(text, "run r uses gsl_rng_mt19937 seeded with rc_mc_run_seed(") &&
      !strstr(text, "(--generator mt19937)")) {
    child[m++] = "--generator";
    child[m++] = "mt19937";
  }
  child[m] = NULL;
  const int rc = run_self(child, &out, &out_len);
  if (rc < 0)
    goto done;
  if (rc == CLI_EXIT_BAD) {
    cli_error("rerun: the recorded command failed when run again (its message is above)");
    goto done;
  }
  if (compare_data(text, out, json)) {
    status = CLI_EXIT_DISAGREE;
    goto done;
  }
  if (!cli_has(&args, "quiet"))
    printf("riskcalc rerun: %s: the data rows are the same byte for byte\n", path);
  status = CLI_EXIT_OK;
done:
  free(out);
  free(command);
  free(text);
  return status;
}
