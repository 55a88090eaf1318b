/* The files a run writes: output targets resolved and checked before any work, temporaries
 * registered so that a signal handler can remove them, and the commit that renames them. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit.h"

/* ---- temporaries and signals -------------------------------------------------------------
 * The handler may run at any moment, so it reads only fixed storage: a slot's path is written
 * before its live flag is raised, and slots are never reused within a run. */

#define MAX_TEMPS 8
#define PATH_CAP 4096

static char temp_path[MAX_TEMPS][PATH_CAP];
static char *temp_target[MAX_TEMPS]; /* read by the main thread only */
static volatile sig_atomic_t temp_live[MAX_TEMPS];
static size_t temp_used;
static volatile sig_atomic_t child_pid;

static void on_signal(int sig) {
  const int saved = errno;
  const pid_t pid = (pid_t)child_pid;
  if (pid > 0) {
    kill(pid, SIGKILL); /* reaped before the unlinks: it cannot recreate a file afterwards */
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
  }
  for (size_t k = 0; k < MAX_TEMPS; k++)
    if (temp_live[k])
      unlink(temp_path[k]);
  /* SA_RESETHAND restored the default action and SA_NODEFER leaves the signal unblocked:
   * raising it again ends the process with the conventional status. */
  raise(sig);
  errno = saved;
}

void cli_signals_install(void) {
  static const int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
  for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++) {
    struct sigaction old, sa;
    /* A signal ignored when the tool started (nohup, a background job) stays ignored. */
    if (sigaction(signals[k], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
      continue;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(signals[k], &sa, NULL);
  }
}

void cli_child_set(pid_t pid) {
  child_pid = (sig_atomic_t)pid;
}

static mode_t file_mode(void) {
  const mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

int cli_temp_create(const char *target, int *fd) {
  if (temp_used == MAX_TEMPS) {
    cli_error("internal error: more than %d temporary files", MAX_TEMPS);
    return -1;
  }
  const size_t k = temp_used;
  if ((size_t)snprintf(temp_path[k], PATH_CAP, "%s.tmp.XXXXXX", target) >= PATH_CAP) {
    cli_error("cannot write '%s': path too long", target);
    return -1;
  }
  temp_target[k] = malloc(strlen(target) + 1);
  if (!temp_target[k]) {
    cli_error("out of memory");
    return -1;
  }
  strcpy(temp_target[k], target);
  temp_used++;
  /* Live before it exists: a signal during mkstemp removes a name that is at worst absent. */
  atomic_signal_fence(memory_order_seq_cst);
  temp_live[k] = 1;
  atomic_signal_fence(memory_order_seq_cst);
  *fd = mkstemp(temp_path[k]);
  if (*fd < 0) {
    temp_live[k] = 0;
    cli_error("cannot create a file beside '%s': %s", target, strerror(errno));
    return -1;
  }
  /* mkstemp creates 0600; a result gets the usual permissions of a new file. */
  if (fchmod(*fd, file_mode()) != 0) {
    cli_error("cannot set the permissions of '%s': %s", temp_path[k], strerror(errno));
    close(*fd);
    return -1;
  }
  return (int)k;
}

const char *cli_temp_path(int slot) {
  return temp_path[slot];
}

/* Empties the registry once no temporary is live, so that a process may emit again (the
 * signal handler reads only temp_path and temp_live, never the freed targets). */
static void temps_reset(void) {
  for (size_t k = 0; k < temp_used; k++)
    if (temp_live[k])
      return;
  const size_t used = temp_used;
  atomic_signal_fence(memory_order_seq_cst);
  temp_used = 0;
  atomic_signal_fence(memory_order_seq_cst);
  for (size_t k = 0; k < used; k++) {
    free(temp_target[k]);
    temp_target[k] = NULL;
  }
}

int cli_temps_commit(void) {
  for (size_t k = 0; k < temp_used; k++) {
    if (!temp_live[k])
      continue;
    if (rename(temp_path[k], temp_target[k]) != 0) {
      cli_error("cannot write '%s': %s", temp_target[k], strerror(errno));
      return CLI_EXIT_BAD;
    }
    temp_live[k] = 0;
  }
  temps_reset();
  return 0;
}

void cli_temps_abort(void) {
  for (size_t k = 0; k < temp_used; k++)
    if (temp_live[k]) {
      unlink(temp_path[k]);
      temp_live[k] = 0;
    }
  temps_reset();
}

int cli_write_all(int fd, const char *bytes, size_t len) {
  while (len > 0) {
    const ssize_t n = write(fd, bytes, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    bytes += n;
    len -= (size_t)n;
  }
  return 0;
}

/* ---- output targets ------------------------------------------------------------------------ */

static char *dup_string(const char *s) {
  char *c = malloc(strlen(s) + 1);
  if (c)
    strcpy(c, s);
  return c;
}

/* The descriptor a path names without being reopened (like the shell's /dev/stdout), or -1. */
static int descriptor_of(const char *path) {
  if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
    return 1;
  if (strcmp(path, "/dev/stderr") == 0)
    return 2;
  const char *digits = NULL;
  if (strncmp(path, "/dev/fd/", 8) == 0)
    digits = path + 8;
  else if (strncmp(path, "/proc/self/fd/", 14) == 0)
    digits = path + 14;
  if (!digits || !*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 6)
    return -1;
  return atoi(digits);
}

/* Follows the symbolic links of path's last component; *out is malloc'd. 0, or an errno. */
static int follow_links(const char *path, char **out) {
  char *cur = dup_string(path);
  if (!cur)
    return ENOMEM;
  for (int hops = 0;; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
      break; /* absent (a new file) or not a link */
    if (hops == 40) {
      free(cur);
      return ELOOP;
    }
    char link[PATH_CAP];
    const ssize_t n = readlink(cur, link, sizeof link - 1);
    if (n < 0) {
      const int e = errno;
      free(cur);
      return e;
    }
    link[n] = '\0';
    /* A relative link is relative to the directory holding it. */
    const char *slash = strrchr(cur, '/');
    const size_t dirlen = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
    char *next = malloc(dirlen + (size_t)n + 1);
    if (!next) {
      free(cur);
      return ENOMEM;
    }
    memcpy(next, cur, dirlen);
    memcpy(next + dirlen, link, (size_t)n + 1);
    free(cur);
    cur = next;
  }
  *out = cur;
  return 0;
}

/* The directory of path ("." or "/" when it has none) into dir. */
static void directory_of(const char *path, char *dir, size_t n) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(dir, n, ".");
  else if (slash == path)
    snprintf(dir, n, "/");
  else
    snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

static int target_error(const cli_target *t, const char *what) {
  cli_error("--%s: '%s'%s%s%s %s", t->option, t->path, t->role ? " (" : "", t->role ? t->role : "",
            t->role ? ")" : "", what);
  return CLI_EXIT_BAD;
}

int cli_target_resolve(cli_target *t, const char *option, const char *role, const char *path,
                       int streams_ok) {
  memset(t, 0, sizeof *t);
  t->option = option;
  t->role = role;
  t->fd = -1;
  t->path = dup_string(path);
  if (!t->path) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  const int fd = streams_ok ? descriptor_of(path) : -1;
  if (fd >= 0) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
      return target_error(t, "is not open for writing");
    t->kind = CLI_TARGET_FD;
    t->fd = fd;
    return 0;
  }
  const int e = follow_links(path, &t->target);
  if (e) {
    char what[160];
    snprintf(what, sizeof what, "cannot be followed: %s", strerror(e));
    return target_error(t, what);
  }
  struct stat st;
  char dir[PATH_CAP];
  directory_of(t->target, dir, sizeof dir);
  const char *slash = strrchr(t->target, '/');
  t->name = slash ? slash + 1 : t->target;
  if (stat(t->target, &st) == 0) {
    t->exists = 1;
    t->dev = st.st_dev;
    t->ino = st.st_ino;
    if (S_ISDIR(st.st_mode))
      return target_error(t, "is a directory");
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (!streams_ok)
        return target_error(t, "is not a regular file");
      if (access(t->target, W_OK) != 0) {
        char what[160];
        snprintf(what, sizeof what, "cannot be written: %s", strerror(errno));
        return target_error(t, what);
      }
      t->kind = CLI_TARGET_STREAM;
      return 0;
    }
    if (!S_ISREG(st.st_mode))
      return target_error(t, streams_ok ? "is not a regular file, character device or FIFO"
                                        : "is not a regular file");
  } else if (errno != ENOENT) {
    char what[160];
    snprintf(what, sizeof what, "cannot be examined: %s", strerror(errno));
    return target_error(t, what);
  }
  /* A regular file or a new one: a temporary is created in its directory at commit, so the
   * directory must exist and be writable now (a long run must not fail at its very end). */
  t->kind = CLI_TARGET_FILE;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    cli_error("--%s: directory '%s' of '%s' does not exist", option, dir, path);
    return CLI_EXIT_BAD;
  }
  t->dir_dev = st.st_dev;
  t->dir_ino = st.st_ino;
  if (access(dir, W_OK | X_OK) != 0) {
    cli_error("--%s: cannot write into directory '%s': %s", option, dir, strerror(errno));
    return CLI_EXIT_BAD;
  }
  return 0;
}

void cli_target_free(cli_target *t) {
  free(t->path);
  free(t->target);
  memset(t, 0, sizeof *t);
}

int cli_target_same(const cli_target *a, const cli_target *b) {
  if (!a->path || !b->path || a->kind == CLI_TARGET_FD || b->kind == CLI_TARGET_FD)
    return 0;
  if (a->exists || b->exists)
    return a->exists && b->exists && a->dev == b->dev && a->ino == b->ino;
  return a->dir_dev == b->dir_dev && a->dir_ino == b->dir_ino && strcmp(a->name, b->name) == 0;
}
