/* bench_scale: the deterministic equivalent at the scales of issue 12 (docs/BENCHMARKS.md),
 * each fast path timed against the path it replaces in the same run. Run with
 * OPENBLAS_NUM_THREADS=1.
 *
 *   bench_scale [runs]   (default 3 runs per timing; medians of wall and CPU seconds)
 *
 * Table 1: DE at d = inf (a = b = 1.5, geometric gamma = 0.1, sigma2 = 0.1), 30 log-spaced N
 * in [1e2, 1e10], M = 1e3, 1e4, 1e5: plan + measure, then the curve by the renewal stage jumps
 * (the new path) and by the eigen propagator (the old one, where it ran: at most 4096 atoms;
 * above it the old engine iterated every step, whose time is estimated from the cost model
 * and the stepping rate measured here), their largest relative difference, and the curve on
 * 1 and 2 OpenMP threads (with a bitwise comparison).
 * Table 2: the power-law random-feature problem (a = 1.4, source b = 3.0, d = 4 D, constant
 * step gamma = 0.1, sigma2 = 0): D = 1e4 to T = 1e9 and D = 1e5 to T = 1e10, 30 log-spaced T. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "riskcalc/riskcalc.h"

#define NPTS 30
#define MAX_RUNS 15

static double wall(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, const rc_error *err) {
  fprintf(stderr, "bench_scale: %s: %s\n", what, err->message);
  exit(1);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* A timed job: medians over runs of wall and CPU seconds. */
typedef struct {
  double wall, cpu;
} timing;

typedef struct {
  const rc_law *law;
  double M;
  const rc_schedule *schedule;
  const uint64_t *Ns;
  size_t count;
  rc_sgd_options opt;
  rc_risk *rows;
  size_t atoms;
} job;

/* plan + measure + curve */
static void run_all(job *j) {
  rc_error err = {0, ""};
  rc_deteq *de = rc_deteq_alloc_law(j->law, j->M, &err);
  if (!de)
    die("plan", &err);
  rc_sgd_measure *m = rc_deteq_measure(de, j->M, NULL, NULL, &err);
  if (!m)
    die("measure", &err);
  j->atoms = m->n;
  if (rc_sgd_risk_curve(m, j->schedule, j->Ns, j->count, &j->opt, j->rows, &err))
    die("curve", &err);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
}

static timing time_all(job *j, int runs) {
  double w[MAX_RUNS], c[MAX_RUNS];
  for (int r = 0; r < runs; r++) {
    const double w0 = wall(), c0 = cpu();
    run_all(j);
    w[r] = wall() - w0;
    c[r] = cpu() - c0;
  }
  timing t = {median(w, runs), median(c, runs)};
  return t;
}

static timing time_curve(const rc_sgd_measure *m, job *j, int runs) {
  double w[MAX_RUNS], c[MAX_RUNS];
  rc_error err = {0, ""};
  for (int r = 0; r < runs; r++) {
    const double w0 = wall(), c0 = cpu();
    if (rc_sgd_risk_curve(m, j->schedule, j->Ns, j->count, &j->opt, j->rows, &err))
      die("curve", &err);
    w[r] = wall() - w0;
    c[r] = cpu() - c0;
  }
  timing t = {median(w, runs), median(c, runs)};
  return t;
}

static double worst_rel(const rc_risk *a, const rc_risk *b, size_t n) {
  double worst = 0;
  for (size_t k = 0; k < n; k++) {
    const double e[3] = {fabs(a[k].risk / b[k].risk - 1), fabs(a[k].excess / b[k].excess - 1),
                         fabs(a[k].variance / b[k].variance - 1)};
    for (int q = 0; q < 3; q++)
      worst = fmax(worst, e[q]);
  }
  return worst;
}

/* Seconds per elementary update of the step-by-step path, measured on this measure. */
static double stepping_rate(const rc_sgd_measure *m, const rc_schedule *s, double sigma2) {
  rc_error err = {0, ""};
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = sigma2;
  o.step_by_step = 1;
  const uint64_t N = 20000;
  rc_risk row;
  rc_cost cost;
  if (rc_sgd_curve_cost(m->n, s, &N, 1, &o, &cost, &err))
    die("cost", &err);
  const double w0 = wall();
  if (rc_sgd_risk_curve(m, s, &N, 1, &o, &row, &err))
    die("stepping", &err);
  return (wall() - w0) / cost.updates;
}

/* The old engine's time on the whole job: the eigen propagator up to 4096 atoms (measured),
 * beyond it every step iterated (estimated). Returns seconds; *measured says which. */
static double old_engine(const rc_sgd_measure *m, job *j, int runs, int *measured, rc_risk *rows) {
  if (m->n <= 4096) {
    job old = *j;
    old.opt.jump_method = 1;
    old.rows = rows;
    *measured = 1;
    return time_curve(m, &old, runs).wall;
  }
  rc_error err = {0, ""};
  rc_sgd_options o = j->opt;
  o.step_by_step = 1;
  rc_cost cost;
  if (rc_sgd_curve_cost(m->n, j->schedule, j->Ns, j->count, &o, &cost, &err))
    die("cost", &err);
  *measured = 0;
  return cost.updates * stepping_rate(m, j->schedule, j->opt.sigma2);
}

static void row(const char *name, double size, double horizon, job *j, int runs) {
  rc_error err = {0, ""};
  const timing total = time_all(j, runs);
  /* the parts, once more, for the side-by-side columns */
  rc_deteq *de = rc_deteq_alloc_law(j->law, j->M, &err);
  rc_sgd_measure *m = de ? rc_deteq_measure(de, j->M, NULL, NULL, &err) : NULL;
  if (!m)
    die("measure", &err);
  const timing curve = time_curve(m, j, runs);
  rc_risk *eig = malloc(j->count * sizeof *eig), *one = malloc(j->count * sizeof *one);
  int measured = 0;
  const double old = old_engine(m, j, runs, &measured, eig);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  job j1 = *j;
  j1.rows = one;
  const timing t1 = time_curve(m, &j1, runs);
  omp_set_num_threads(2);
  const timing t2 = time_curve(m, j, runs);
  omp_set_num_threads(threads);
  const int same = memcmp(one, j->rows, j->count * sizeof *one) == 0;
  char diff[32];
  if (measured)
    snprintf(diff, sizeof diff, "%.1e", worst_rel(j->rows, eig, j->count));
  else
    snprintf(diff, sizeof diff, "-");
  printf(
      "| %s | %.0e | %.0e | %zu | %.3f (%.3f) | %.3f (%.3f) | %s%.3g | %.0fx | %s | %.3f | %.3f | "
      "%s |\n",
      name, size, horizon, m->n, total.wall, total.cpu, curve.wall, curve.cpu, measured ? "" : "~",
      old, old / curve.wall, diff, t1.wall, t2.wall, same ? "yes" : "NO");
  fflush(stdout);
  free(eig);
  free(one);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 3;
  if (runs < 1 || runs > MAX_RUNS)
    runs = 3;
  rc_error err = {0, ""};
  uint64_t N30[NPTS];
  rc_risk rows[NPTS];
  printf("# bench_scale: medians of %d runs; wall seconds (CPU seconds in parentheses)\n", runs);
  printf(
      "# total = plan + measure + curve; curve = the renewal stage jumps (default path);\n"
      "# old = the path it replaces: eigen propagator (<= 4096 atoms, measured) or ~ every step\n"
      "# iterated (estimated: cost model x measured stepping rate); rel diff = largest relative\n"
      "# difference of risk, excess and variance against the eigen path; 1 thr / 2 thr: the\n"
      "# curve on 1 and 2 OpenMP threads, bit-identical?\n");
  printf("| problem | M or D | N or T | atoms | total s | curve s | old s | speed-up | rel diff | "
         "1 thr s | 2 thr s | same bits |\n");
  printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");

  rc_schedule *geo = rc_schedule_parse("geometric", 0.1, &err);
  rc_schedule *cst = rc_schedule_parse("const", 0.1, &err);
  if (!geo || !cst)
    die("schedule", &err);
  for (int k = 0; k < NPTS; k++)
    N30[k] = (uint64_t)floor(pow(10, 2 + k * 8.0 / (NPTS - 1)) + 0.5);
  const rc_law de_law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  for (double M = 1e3; M <= 1e5; M *= 10) {
    job j = {&de_law, M, geo, N30, NPTS, rc_sgd_options_default(), rows, 0};
    j.opt.sigma2 = 0.1;
    row("DE d=inf geometric", M, 1e10, &j, runs);
  }
  const double Ds[2] = {1e4, 1e5}, Ts[2] = {1e9, 1e10};
  for (int q = 0; q < 2; q++) {
    uint64_t T30[NPTS];
    for (int k = 0; k < NPTS; k++)
      T30[k] = (uint64_t)floor(pow(10, 2 + k * (log10(Ts[q]) - 2) / (NPTS - 1)) + 0.5);
    const rc_law rf = {RC_SPECTRUM_POWER, 1.4, RC_PRIOR_SOURCE, 3.0, 4 * Ds[q]};
    job j = {&rf, Ds[q], cst, T30, NPTS, rc_sgd_options_default(), rows, 0};
    j.opt.sigma2 = 0;
    row("RF a=1.4 b=3 d=4D const", Ds[q], Ts[q], &j, runs);
  }
  rc_schedule_free(geo);
  rc_schedule_free(cst);
  return 0;
}
