/* bench_threads: wall time of the tool's grids with 1 and with 2 OpenMP threads in the same
 * run (docs/BENCHMARKS.md): each command runs as a child process (the riskcalc next to this
 * binary's directory: build/riskcalc) with OMP_NUM_THREADS=1 and 2 alternately, three times
 * each, and the median of each is printed with their ratio, the CPU time per wall second of
 * the 1- and 2-thread runs (below 1 and 2 when other jobs took the cores); `same` says whether
 * the two outputs are byte for byte equal (they must be). The machine's load average is printed
 * with the table: on a shared machine the ratio is what was left of the second core. Run with
 * OPENBLAS_NUM_THREADS=1. */
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The environment with OMP_NUM_THREADS=threads and OPENBLAS_NUM_THREADS=1 (static storage:
 * one call at a time). */
static char **child_env(int threads) {
  static char *env[512];
  static char omp[32];
  static char blas[] = "OPENBLAS_NUM_THREADS=1";
  size_t n = 0;
  for (char **e = environ; *e && n < 500; e++)
    if (strncmp(*e, "OMP_NUM_THREADS=", 16) != 0 && strncmp(*e, "OPENBLAS_NUM_THREADS=", 21) != 0)
      env[n++] = *e;
  snprintf(omp, sizeof omp, "OMP_NUM_THREADS=%d", threads);
  env[n++] = omp;
  env[n++] = blas;
  env[n] = NULL;
  return env;
}

/* CPU seconds (user + system) of the waited-for children so far. */
static double children_cpu(void) {
  struct rusage u;
  if (getrusage(RUSAGE_CHILDREN, &u))
    return 0;
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/* Runs tool with args (NULL-terminated, args[0] the subcommand), stdout to out; returns the
 * wall seconds, or -1 on failure, and the child's CPU seconds in cpu. */
static double run(const char *tool, char *const *args, int threads, const char *out, double *cpu) {
  char *argv[64];
  size_t n = 0;
  argv[n++] = (char *)tool;
  for (; args[n - 1] && n < 63; n++)
    argv[n] = args[n - 1];
  argv[n] = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const double c0 = children_cpu(), t0 = now();
  pid_t pid;
  int status = -1;
  if (posix_spawn(&pid, tool, &fa, NULL, argv, child_env(threads)) == 0)
    waitpid(pid, &status, 0);
  const double t = now() - t0;
  *cpu = children_cpu() - c0;
  posix_spawn_file_actions_destroy(&fa);
  return status == 0 ? t : -1;
}

static int same_file(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    const int ca = fgetc(fa), cb = fgetc(fb);
    if (ca != cb)
      same = 0;
    if (ca == EOF || cb == EOF)
      break;
  }
  if (fa)
    fclose(fa);
  if (fb)
    fclose(fb);
  return same;
}

static double median3(double *v) {
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (v[j] < v[i]) {
        const double t = v[i];
        v[i] = v[j];
        v[j] = t;
      }
  return v[1];
}

typedef struct {
  const char *label;
  char *args[40];
} bench_case;

int main(int argc, char **argv) {
  (void)argc;
  char tool[PATH_MAX + 16], self[PATH_MAX];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) {
    fprintf(stderr, "bench_threads: cannot find %s\n", argv[0]);
    return 1;
  }
  self[len] = '\0';
  char *slash = strrchr(self, '/');
  *slash = '\0';
  snprintf(tool, sizeof tool, "%s/../riskcalc", self);
  if (access(tool, X_OK) != 0) {
    fprintf(stderr, "bench_threads: no tool at %s (make build/riskcalc)\n", tool);
    return 1;
  }
  static const bench_case cases[] = {
      {"exact M=256,512,1024 d=4000",
       {"linear", "--a", "1.5", "--d", "4000", "--M", "256,512,1024", "--N", "1e2:1e5:7", NULL}},
      {"exact 3x3 gamma x batch, poly",
       {"linear", "--a", "1.5", "--d", "1000", "--M", "256", "--N", "1e2:1e6:9", "--gamma",
        "0.05,0.1,0.2", "--batch", "1,2,4", "--schedule", "poly:100:0.5", NULL}},
      {"de --gamma opt 2 M x 4 N",
       {"linear", "--method", "de", "--a", "1.5", "--d", "inf", "--M", "100,300", "--N",
        "1e2:1e5:4", "--gamma", "opt", NULL}},
      {"quad analytic M=100..800",
       {"quad", "--alpha", "2.5", "--beta", "1.5", "--d", "inf", "--M", "100,200,400,800", "--T",
        "1e2:1e4:5", "--eta", "0.02", NULL}},
      {"optimal C=1e4..1e7 (4)", {"optimal", "--a", "1.5", "--C", "1e4:1e7:4", NULL}},
      {"ridge 30 n x 20 lambda (serial)",
       {"ridge", "--a", "1.5", "--d", "inf", "--b", "2", "--n", "10:1e6:30", "--lambda",
        "1e-6:1:20", "--sigma2", "0.1", NULL}},
  };
  char out1[] = "/tmp/rc_bench_threads1.XXXXXX", out2[] = "/tmp/rc_bench_threads2.XXXXXX";
  const int f1 = mkstemp(out1), f2 = mkstemp(out2);
  if (f1 < 0 || f2 < 0) {
    fprintf(stderr, "bench_threads: cannot make temporary files\n");
    return 1;
  }
  close(f1);
  close(f2);
  double load[3] = {0, 0, 0};
  FILE *la = fopen("/proc/loadavg", "r");
  if (la) {
    if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
      load[0] = load[1] = load[2] = -1;
    fclose(la);
  }
  printf("# the tool's grids on OpenMP threads: wall seconds, median of 3 alternating runs with "
         "OMP_NUM_THREADS=1 and 2 (OPENBLAS_NUM_THREADS=1); load average at the start %.2f "
         "%.2f %.2f\n",
         load[0], load[1], load[2]);
  printf("%-34s %10s %10s %8s %9s %9s %5s\n", "command", "1thread_s", "2threads_s", "ratio",
         "cpu/wall1", "cpu/wall2", "same");
  fflush(stdout);
  int status = 0;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    double t1[3], t2[3], c1[3], c2[3];
    int ok = 1, same = 1;
    for (int r = 0; r < 3 && ok; r++) {
      t1[r] = run(tool, cases[k].args, 1, out1, &c1[r]);
      t2[r] = run(tool, cases[k].args, 2, out2, &c2[r]);
      ok = t1[r] >= 0 && t2[r] >= 0;
      same = same && ok && same_file(out1, out2);
    }
    if (!ok) {
      printf("%-34s failed\n", cases[k].label);
      status = 1;
      continue;
    }
    /* CPU per wall second: near 1 with one thread, near 2 when both threads found a core */
    const double cw1 = (c1[0] + c1[1] + c1[2]) / (t1[0] + t1[1] + t1[2]);
    const double cw2 = (c2[0] + c2[1] + c2[2]) / (t2[0] + t2[1] + t2[2]);
    const double m1 = median3(t1), m2 = median3(t2);
    printf("%-34s %10.3f %10.3f %8.2f %9.2f %9.2f %5s\n", cases[k].label, m1, m2, m1 / m2, cw1, cw2,
           same ? "yes" : "NO");
    fflush(stdout);
    status |= !same;
  }
  la = fopen("/proc/loadavg", "r");
  if (la) {
    if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
      load[0] = load[1] = load[2] = -1;
    fclose(la);
  }
  printf("# load average at the end %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  remove(out1);
  remove(out2);
  return status;
}
