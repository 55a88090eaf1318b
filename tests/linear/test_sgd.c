/* Unit tests of the sgd module: the exact engine against the naive full-matrix reference of
 * tests/brute.h, against a Monte Carlo simulation of SGD itself, its stability edge against the
 * spectral radius of the full one-step map, and its error paths. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "brute.h"
#include "linear/stage_jump.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

/* Engine vs brute force. Both are exact; they differ only by rounding. The brute force
 * accumulates O(M) rounding errors per matrix product over up to 200 steps, and its bias is a
 * trace of a matrix whose large-eigenvalue components have decayed (absolute error about
 * eps mu_max |C0| N against a result of size mu_min c_min), which for these well-conditioned
 * random problems stays below 1e-11: 1e-10 leaves a margin without hiding a wrong formula (a
 * missing factor changes the results at order 1). */
#define EXACT_RTOL 1e-10
/* Approx is tr(HP) - tr(G^+ S H P H S^T): when the sketch sees every direction of H it is 0 in
 * exact arithmetic and the brute force's difference of two sums of size tr(HP) leaves
 * rounding of a few eps tr(HP) (M d terms); below this multiple of tr(HP) it counts as 0. */
#define APPROX_ZERO 1e-12

/* A random problem: spectrum, prior and sketch as arrays, as library objects and as the
 * brute-force reference. */
typedef struct {
  size_t M, d;
  double *lambda, *p, *S;
  rc_spectrum *spectrum;
  rc_prior *prior;
  rc_sketch *sketch;
  rc_sgd_measure *measure;
  brute_problem bp;
} problem;

static void problem_free(problem *pb) {
  free(pb->lambda);
  free(pb->p);
  free(pb->S);
  rc_spectrum_free(pb->spectrum);
  rc_prior_free(pb->prior);
  rc_sketch_free(pb->sketch);
  rc_sgd_measure_free(pb->measure);
  brute_problem_free(&pb->bp);
  memset(pb, 0, sizeof *pb);
}

/* Random spectrum (log-uniform in [0.02, 1.7] with a power-law trend), random prior
 * (uniform in [0.1, 2.1]), random sketch (Gaussian N(0, 1/M), or uniform with the same variance
 * when seed is odd: the reduction does not need a Gaussian sketch; a scaled reflection when
 * M = d). The last `zeros` eigenvalues are set to 0. Returns 0 on success. */
static int problem_init(problem *pb, size_t M, size_t d, unsigned long seed, size_t zeros) {
  memset(pb, 0, sizeof *pb);
  pb->M = M;
  pb->d = d;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  pb->lambda = malloc(d * sizeof(double));
  pb->p = malloc(d * sizeof(double));
  pb->S = malloc(M * d * sizeof(double));
  for (size_t i = 0; i < d; i++) {
    pb->lambda[i] = i + zeros < d ? exp(log(0.02) + log(85.0) * gsl_rng_uniform(rng)) /
                                        pow((double)(i + 1), 0.3)
                                  : 0.0;
    pb->p[i] = 0.1 + 2.0 * gsl_rng_uniform(rng);
  }
  const double sd = 1.0 / sqrt((double)M);
  if (M == d) {
    /* A square Gaussian matrix is badly conditioned (its smallest singular value is about
     * 1/sqrt(d) of typical), which would measure the brute force's pseudo-inverse error, not
     * the engine: use a random reflection I - 2 u u^T / |u|^2 with rows scaled in [0.7, 1.3]. */
    double *u = malloc(d * sizeof(double)), uu = 0;
    for (size_t i = 0; i < d; i++) {
      u[i] = gsl_ran_gaussian(rng, 1.0);
      uu += u[i] * u[i];
    }
    for (size_t k = 0; k < M; k++) {
      const double scale = 0.7 + 0.6 * gsl_rng_uniform(rng);
      for (size_t i = 0; i < d; i++)
        pb->S[k * d + i] = scale * ((k == i) - 2.0 * u[k] * u[i] / uu);
    }
    free(u);
  } else {
    for (size_t k = 0; k < M * d; k++)
      pb->S[k] = seed % 2 ? sd * sqrt(3.0) * (2.0 * gsl_rng_uniform(rng) - 1.0)
                          : gsl_ran_gaussian(rng, sd);
  }
  gsl_rng_free(rng);
  rc_error err = {0, ""};
  pb->spectrum = rc_spectrum_values_alloc(pb->lambda, d, &err);
  pb->prior = rc_prior_values_alloc(pb->p, d, &err);
  pb->sketch = rc_sketch_values_alloc(pb->S, M, d, &err);
  if (!pb->spectrum || !pb->prior || !pb->sketch) {
    printf("    problem_init: %s\n", err.message);
    return -1;
  }
  pb->measure = rc_sgd_measure_from_sketch(pb->spectrum, pb->prior, pb->sketch, &err);
  if (!pb->measure) {
    printf("    rc_sgd_measure_from_sketch: %s\n", err.message);
    return -1;
  }
  if (brute_problem_init(&pb->bp, pb->lambda, pb->p, pb->S, M, d)) {
    printf("    brute_problem_init failed\n");
    return -1;
  }
  return 0;
}

/* Largest relative error seen by one engine-vs-brute test, and the rows compared. */
typedef struct {
  double max_rel;
  size_t rows;
} error_stats;

static void note(error_stats *stats, double rel) {
  if (rel > stats->max_rel)
    stats->max_rel = rel;
}

static void report(const error_stats *stats) {
  printf("    %zu rows, largest relative error vs brute force %.3g\n", stats->rows, stats->max_rel);
}

/* Runs the engine once on all Ns and the brute force once per N; checks every column. */
static void compare(problem *pb, const rc_schedule *schedule, const brute_schedule *bs,
                    const uint64_t *Ns, size_t count, size_t batch, double sigma2,
                    error_stats *stats) {
  rc_risk rows[16];
  rc_error err = {0, ""};
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = batch;
  opt.sigma2 = sigma2;
  int status = rc_sgd_risk_curve(pb->measure, schedule, Ns, count, &opt, rows, &err);
  CHECK_STATUS(status, RC_SUCCESS);
  if (status) {
    printf("    M = %zu, d = %zu, B = %zu: %s\n", pb->M, pb->d, batch, err.message);
    return;
  }
  for (size_t k = 0; k < count; k++) {
    brute_result want;
    if (brute_risk(&pb->bp, bs, Ns[k], batch, sigma2, &want)) {
      CHECK(!"brute_risk ran out of memory");
      return;
    }
    CHECK(rows[k].N == Ns[k]);
    CHECK(rows[k].M == (double)pb->M);
    if (fabs(want.approx) <= APPROX_ZERO * pb->bp.signal) {
      CHECK_ABS(rows[k].approx, 0.0, APPROX_ZERO * pb->bp.signal);
    } else {
      CHECK_REL(rows[k].approx, want.approx, EXACT_RTOL);
      note(stats, brute_rel(rows[k].approx, want.approx));
    }
    CHECK_REL(rows[k].bias, want.bias, EXACT_RTOL);
    CHECK_REL(rows[k].variance, want.variance, EXACT_RTOL);
    CHECK_REL(rows[k].excess, want.excess, EXACT_RTOL);
    CHECK_REL(rows[k].risk, want.risk, EXACT_RTOL);
    CHECK(rows[k].excess == rows[k].bias + rows[k].variance);
    note(stats, brute_rel(rows[k].bias, want.bias));
    note(stats, brute_rel(rows[k].variance, want.variance));
    note(stats, brute_rel(rows[k].risk, want.risk));
    stats->rows++;
    if (rc_test_checks_failed_) {
      printf("    (M = %zu, d = %zu, N = %llu, B = %zu, sigma2 = %g)\n", pb->M, pb->d,
             (unsigned long long)Ns[k], batch, sigma2);
      return;
    }
  }
}

/* Sizes: small, M < d, M > d (pseudo-inverse), M = d. */
static const size_t sizes[][2] = {{3, 5}, {7, 20}, {12, 40}, {7, 5}, {12, 5}, {3, 40}, {6, 6}};
#define N_SIZES (sizeof sizes / sizeof sizes[0])
/* Horizons: N = 1 and non-powers of two. */
static const uint64_t horizons[] = {1, 3, 10, 37, 150};
#define N_HORIZONS (sizeof horizons / sizeof horizons[0])

/* A schedule under test: its text form (with %s replaced by a file path for file:) and the
 * matching brute-force schedule; gamma is chosen per problem and batch as frac * g*. */
typedef struct {
  const char *spec;
  brute_kind kind;
  uint64_t K;
  double F, T0, P;
} schedule_case;

/* Writes count random steps in [0.25, 0.95] g_star (with runs of repeated values, a comment
 * and a blank line) to a new temporary file. Returns 0 and the path in path. */
static int write_step_file(char *path, size_t n, double *steps, size_t count, double g_star,
                           gsl_rng *rng) {
  snprintf(path, n, "/tmp/rc_test_sgd_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    unlink(path);
    return -1;
  }
  fprintf(f, "# random steps for test_sgd\n\n");
  for (size_t t = 0; t < count; t++) {
    if (t == 0 || gsl_rng_uniform(rng) < 0.6)
      steps[t] = g_star * (0.25 + 0.7 * gsl_rng_uniform(rng));
    else
      steps[t] = steps[t - 1]; /* a constant stage of several steps */
    fprintf(f, "%.17g\n", steps[t]);
  }
  fclose(f);
  return 0;
}

/* Writes count stages of `length` steps each at random steps in [0.25, 0.95] g_star as a
 * stages: file ("count gamma" lines). Returns 0 and the path in path. */
static int write_stages_file(char *path, size_t n, double *steps, size_t count, uint64_t length,
                             double g_star, gsl_rng *rng) {
  snprintf(path, n, "/tmp/rc_test_sgd_XXXXXX");
  int fd = mkstemp(path);
  FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
  if (!f) {
    if (fd >= 0) {
      close(fd);
      unlink(path);
    }
    return -1;
  }
  fprintf(f, "# count gamma\n");
  for (size_t k = 0; k < count; k++) {
    steps[k] = g_star * (0.25 + 0.7 * gsl_rng_uniform(rng));
    fprintf(f, "%llu %.17g\n", (unsigned long long)length, steps[k]);
  }
  fclose(f);
  return 0;
}

/* For every size and batch 1..8: engine vs brute force on the given schedule kind. */
static void run_kind(const schedule_case *sc, unsigned long seed0, error_stats *stats) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed0);
  for (size_t s = 0; s < N_SIZES; s++) {
    problem pb;
    if (problem_init(&pb, sizes[s][0], sizes[s][1], seed0 + 17 * s, 0)) {
      CHECK(0);
      problem_free(&pb);
      break;
    }
    for (size_t B = 1; B <= 8 && !rc_test_checks_failed_; B++) {
      double g_star;
      CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, B, &g_star, NULL), RC_SUCCESS);
      const double gamma = g_star * (0.3 + 0.65 * gsl_rng_uniform(rng));
      /* sigma2 = 0 only where Approx > 0, so the variance still tests s2 = sigma2 + Approx */
      const double sigma2 = (B % 3 == 0 && pb.M < pb.d) ? 0.0 : 0.05 + gsl_rng_uniform(rng);
      brute_schedule bs = {sc->kind, gamma, sc->K, sc->F, sc->T0, sc->P, NULL, 0};
      char spec[128], path[64];
      double steps[150];
      if (sc->kind == BRUTE_LIST) {
        if (write_step_file(path, sizeof path, steps, 150, g_star, rng)) {
          CHECK(0);
          break;
        }
        snprintf(spec, sizeof spec, "file:%s", path);
        bs.list = steps;
        bs.count = 150;
      } else if (sc->kind == BRUTE_STAGES) {
        /* stages of T0 steps at random steps in [0.25, 0.95] g*, the last continuing */
        if (write_stages_file(path, sizeof path, steps, 6, (uint64_t)sc->T0, g_star, rng)) {
          CHECK(0);
          break;
        }
        snprintf(spec, sizeof spec, "stages:%s", path);
        bs.list = steps;
        bs.count = 6;
      } else {
        snprintf(spec, sizeof spec, "%s", sc->spec);
      }
      rc_error err = {0, ""};
      rc_schedule *schedule = rc_schedule_parse(spec, gamma, &err);
      CHECK(schedule != NULL);
      if (schedule)
        compare(&pb, schedule, &bs, horizons, N_HORIZONS, B, sigma2, stats);
      else
        printf("    %s: %s\n", spec, err.message);
      rc_schedule_free(schedule);
      if (sc->kind == BRUTE_LIST || sc->kind == BRUTE_STAGES)
        unlink(path);
    }
    problem_free(&pb);
  }
  gsl_rng_free(rng);
}

/* Every schedule kind against the brute force: one table row per kind (its cases share one
 * pass/fail line and one error report). */
typedef struct {
  const char *name;
  schedule_case cases[3];
  size_t ncases;
  unsigned long seed;
} kind_row;

static const kind_row exact_kinds[] = {
    {"const", {{"const", BRUTE_CONST, 0, 0, 0, 0}}, 1, 101},
    {"geometric", {{"geometric", BRUTE_GEOMETRIC, 0, 0, 0, 0}}, 1, 202},
    {"step",
     {{"step:3:0.7", BRUTE_STEP, 3, 0.7, 0, 0},
      {"step:11:0.45", BRUTE_STEP, 11, 0.45, 0, 0},
      {"step:5:1", BRUTE_STEP, 5, 1.0, 0, 0}}, /* F = 1: one long stage */
     3,
     303},
    {"poly",
     {{"poly:4:0.75", BRUTE_POLY, 0, 0, 4.0, 0.75},
      {"poly:2.5:1", BRUTE_POLY, 0, 0, 2.5, 1.0},
      {"poly:10:0", BRUTE_POLY, 0, 0, 10.0, 0.0}}, /* P = 0: constant */
     3,
     404},
    {"file", {{NULL, BRUTE_LIST, 0, 0, 0, 0}}, 1, 505},
    /* the quadratic model's two phases (horizon-dependent; phases come from the walker) */
    {"twophase",
     {{"twophase", BRUTE_TWOPHASE, 0, 0, 0, 0}, {"twophase:20", BRUTE_TWOPHASE, 20, 0, 0, 0}},
     2,
     606},
    {"cosine",
     {{"cosine", BRUTE_COSINE, 0, 0.0, 0, 0}, {"cosine:0.3", BRUTE_COSINE, 0, 0.3, 0, 0}},
     2,
     707},
    {"linear",
     {{"linear", BRUTE_LINEAR, 0, 0.0, 0, 0}, {"linear:0.1", BRUTE_LINEAR, 0, 0.1, 0, 0}},
     2,
     808},
    {"wsd", {{"wsd:0.4", BRUTE_WSD, 0, 0.4, 0, 0}, {"wsd:1", BRUTE_WSD, 0, 1.0, 0, 0}}, 2, 909},
    {"warmup",
     {{"warmup:7:step:9:0.6", BRUTE_WARMUP, 7, 0, 9, 0.6},
      {"warmup:200:step:1:1", BRUTE_WARMUP, 200, 0, 1, 1.0}}, /* longer than every N */
     2,
     1010},
    {"stages", {{NULL, BRUTE_STAGES, 0, 0, 13, 0}, {NULL, BRUTE_STAGES, 0, 0, 40, 0}}, 2, 1111},
};

static void test_exact_kinds(void) {
  for (size_t k = 0; k < sizeof exact_kinds / sizeof exact_kinds[0]; k++) {
    const kind_row *row = &exact_kinds[k];
    const int failed_before = rc_test_checks_failed_;
    error_stats stats = {0, 0};
    for (size_t c = 0; c < row->ncases; c++)
      run_kind(&row->cases[c], row->seed + c, &stats);
    printf("    %-10s %s", row->name, rc_test_checks_failed_ > failed_before ? "FAILED: " : "");
    report(&stats);
  }
}

/* A spectrum with exact zeros: G is singular although M < d when M exceeds the number of
 * non-zero eigenvalues, and Approx vanishes once the sketch sees them all. */
static void test_exact_zero_eigenvalues(void) {
  error_stats stats = {0, 0};
  const size_t cases[][3] = {{7, 9, 3}, {4, 9, 3}, {5, 12, 7}, {6, 6, 2}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    problem pb;
    if (problem_init(&pb, cases[c][0], cases[c][1], 600 + c, cases[c][2])) {
      CHECK(0);
      problem_free(&pb);
      return;
    }
    const size_t nonzero = cases[c][1] - cases[c][2];
    const size_t rank = nonzero < pb.M ? nonzero : pb.M;
    CHECK(pb.measure->rank == rank);
    CHECK(pb.bp.rank == rank);
    CHECK(pb.measure->pseudo_inverse == (rank < pb.M));
    for (size_t B = 1; B <= 3; B++) {
      double g_star;
      CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, B, &g_star, NULL), RC_SUCCESS);
      rc_schedule *schedule = rc_schedule_parse("geometric", 0.7 * g_star, NULL);
      brute_schedule bs = {BRUTE_GEOMETRIC, 0.7 * g_star, 0, 0, 0, 0, NULL, 0};
      compare(&pb, schedule, &bs, horizons, N_HORIZONS, B, 0.61, &stats);
      rc_schedule_free(schedule);
    }
    problem_free(&pb);
  }
  report(&stats);
}

/* Two equal rows of S make G exactly singular with M < d: v* needs the pseudo-inverse, and
 * the engine must agree with the brute force on every column. Rows that differ by 1e-4
 * instead leave G regular (its smallest eigenvalue about 1e-8 of the largest): the engine
 * must not round that direction to zero. */
static void test_exact_duplicate_rows(void) {
  error_stats stats = {0, 0};
  problem pb;
  if (problem_init(&pb, 6, 15, 650, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  /* rebuild the engine and the reference with row 4 = row 1 */
  memcpy(pb.S + 4 * pb.d, pb.S + 1 * pb.d, pb.d * sizeof(double));
  rc_sketch_free(pb.sketch);
  rc_sgd_measure_free(pb.measure);
  brute_problem_free(&pb.bp);
  pb.sketch = rc_sketch_values_alloc(pb.S, pb.M, pb.d, NULL);
  pb.measure = rc_sgd_measure_from_sketch(pb.spectrum, pb.prior, pb.sketch, NULL);
  CHECK(pb.measure != NULL);
  CHECK(brute_problem_init(&pb.bp, pb.lambda, pb.p, pb.S, pb.M, pb.d) == 0);
  if (!pb.measure || !pb.bp.G) {
    problem_free(&pb);
    return;
  }
  CHECK(pb.measure->rank == 5 && pb.bp.rank == 5);
  CHECK(pb.measure->pseudo_inverse == 1);
  const char *specs[] = {"const", "geometric", "poly:2:0.6"};
  const brute_kind kinds[] = {BRUTE_CONST, BRUTE_GEOMETRIC, BRUTE_POLY};
  for (size_t s = 0; s < 3; s++)
    for (size_t B = 1; B <= 5; B += 2) {
      double g_star;
      CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, B, &g_star, NULL), RC_SUCCESS);
      rc_schedule *schedule = rc_schedule_parse(specs[s], 0.75 * g_star, NULL);
      brute_schedule bs = {kinds[s], 0.75 * g_star, 0, 0, 2.0, 0.6, NULL, 0};
      compare(&pb, schedule, &bs, horizons, N_HORIZONS, B, 0.0, &stats);
      rc_schedule_free(schedule);
    }
  /* nearly equal rows: regular */
  for (size_t i = 0; i < pb.d; i++)
    pb.S[4 * pb.d + i] = pb.S[1 * pb.d + i] * (1.0 + 1e-4 * (i % 2 ? 1.0 : -1.0));
  rc_sketch *near = rc_sketch_values_alloc(pb.S, pb.M, pb.d, NULL);
  rc_sgd_measure *m = rc_sgd_measure_from_sketch(pb.spectrum, pb.prior, near, NULL);
  CHECK(m && m->rank == 6 && m->pseudo_inverse == 0);
  rc_sgd_measure_free(m);
  rc_sketch_free(near);
  problem_free(&pb);
  report(&stats);
}

/* Ns unsorted and repeated give the rows of one-at-a-time calls, in the caller's order. The
 * arithmetic is the same recursion in the same order; 1e-13 only allows a different split
 * of the constant stages into chunks. */
static void test_unsorted_ns(void) {
  problem pb;
  if (problem_init(&pb, 6, 11, 707, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  const uint64_t Ns[] = {45, 1, 7, 45, 3, 200, 7, 2};
  const size_t count = sizeof Ns / sizeof Ns[0];
  const char *specs[] = {"const", "geometric", "step:4:0.6", "poly:3:0.5"};
  double g_star;
  CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, 2, &g_star, NULL), RC_SUCCESS);
  for (size_t s = 0; s < 4; s++) {
    rc_schedule *schedule = rc_schedule_parse(specs[s], 0.8 * g_star, NULL);
    rc_sgd_options opt = rc_sgd_options_default();
    opt.batch = 2;
    opt.sigma2 = 0.37;
    rc_risk all[8], one;
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, schedule, Ns, count, &opt, all, NULL), RC_SUCCESS);
    for (size_t k = 0; k < count; k++) {
      CHECK_STATUS(rc_sgd_risk_curve(pb.measure, schedule, &Ns[k], 1, &opt, &one, NULL),
                   RC_SUCCESS);
      CHECK(all[k].N == Ns[k]);
      CHECK(one.N == Ns[k]);
      CHECK_REL(all[k].bias, one.bias, 1e-13);
      CHECK_REL(all[k].variance, one.variance, 1e-13);
      CHECK_REL(all[k].risk, one.risk, 1e-13);
      CHECK(all[k].approx == one.approx);
    }
    /* the repeats are the same row */
    CHECK(all[0].risk == all[3].risk);
    CHECK(all[2].risk == all[6].risk);
    /* and the rows are really different horizons */
    CHECK(all[1].risk != all[5].risk);
    rc_schedule_free(schedule);
  }
  problem_free(&pb);
}

/* ---- Monte Carlo simulation of SGD itself ---- */

/* Mean and standard error of the test risk after N steps of one-pass SGD with batch B,
 * over `runs` independent draws of w* ~ N(0, P), data x ~ N(0, H), y = <x, w*> + noise. The
 * risk of each run is exact given v and w*: sigma2 + (w* - S^T v)^T H (w* - S^T v). */
static void monte_carlo(const problem *pb, const brute_schedule *bs, uint64_t N, size_t B,
                        double sigma2, size_t runs, gsl_rng *rng, double *mean, double *se) {
  const size_t M = pb->M, d = pb->d;
  double *w = malloc(d * sizeof(double)), *x = malloc(d * sizeof(double));
  double *v = malloc(M * sizeof(double)), *z = malloc(M * sizeof(double));
  double *grad = malloc(M * sizeof(double));
  double *sqrt_lambda = malloc(d * sizeof(double)), *sqrt_p = malloc(d * sizeof(double));
  for (size_t i = 0; i < d; i++) {
    sqrt_lambda[i] = sqrt(pb->lambda[i]);
    sqrt_p[i] = sqrt(pb->p[i]);
  }
  const double noise = sqrt(sigma2);
  double m = 0, m2 = 0; /* Welford */
  for (size_t r = 0; r < runs; r++) {
    for (size_t i = 0; i < d; i++)
      w[i] = sqrt_p[i] * gsl_ran_gaussian_ziggurat(rng, 1.0);
    memset(v, 0, M * sizeof(double));
    for (uint64_t t = 0; t < N; t++) {
      const double g = brute_step(bs, t, N);
      memset(grad, 0, M * sizeof(double));
      for (size_t b = 0; b < B; b++) {
        double y = noise * gsl_ran_gaussian_ziggurat(rng, 1.0);
        for (size_t i = 0; i < d; i++) {
          x[i] = sqrt_lambda[i] * gsl_ran_gaussian_ziggurat(rng, 1.0);
          y += x[i] * w[i];
        }
        double residual = -y;
        for (size_t k = 0; k < M; k++) {
          double s = 0;
          for (size_t i = 0; i < d; i++)
            s += pb->S[k * d + i] * x[i];
          z[k] = s;
          residual += v[k] * s;
        }
        for (size_t k = 0; k < M; k++)
          grad[k] += z[k] * residual;
      }
      for (size_t k = 0; k < M; k++)
        v[k] -= g / (double)B * grad[k];
    }
    double risk = sigma2;
    for (size_t i = 0; i < d; i++) {
      double s = w[i];
      for (size_t k = 0; k < M; k++)
        s -= pb->S[k * d + i] * v[k];
      risk += pb->lambda[i] * s * s;
    }
    const double delta = risk - m;
    m += delta / (double)(r + 1);
    m2 += delta * (risk - m);
  }
  *mean = m;
  *se = sqrt(m2 / (double)(runs - 1) / (double)runs);
  free(w);
  free(x);
  free(v);
  free(z);
  free(grad);
  free(sqrt_lambda);
  free(sqrt_p);
}

/* Engine risk within 4 standard errors of the simulated one. The settings keep a large
 * variance share (small sigma2, so that s2 is mostly Approx), and the simulation must also
 * reject, at 8 standard errors, the wrong noise level sigma2 (instead of sigma2 + Approx) in
 * the variance and a missing fluctuation term (bias alone): the agreement then says something
 * about the whole recursion, not only about its bias part. */
static void mc_case(const char *spec, brute_kind kind, size_t B, uint64_t N, double frac,
                    double sigma2, size_t runs, unsigned long seed) {
  problem pb;
  if (problem_init(&pb, 5, 8, seed, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  double g_star;
  CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, B, &g_star, NULL), RC_SUCCESS);
  const double gamma = frac * g_star;
  rc_schedule *schedule = rc_schedule_parse(spec, gamma, NULL);
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = B;
  opt.sigma2 = sigma2;
  rc_risk row;
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, schedule, &N, 1, &opt, &row, NULL), RC_SUCCESS);
  brute_schedule bs = {kind, gamma, 0, 0, 0, 0, NULL, 0};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed * 7919);
  double mean, se;
  monte_carlo(&pb, &bs, N, B, sigma2, runs, rng, &mean, &se);
  const double wrong_noise =
      row.risk - row.variance * pb.measure->approx / (sigma2 + pb.measure->approx);
  printf("    %s B=%zu N=%llu: engine %.6f, Monte Carlo %.6f +- %.6f (%+.2f se); "
         "wrong noise %+.1f se, bias only %+.1f se\n",
         spec, B, (unsigned long long)N, row.risk, mean, se, (mean - row.risk) / se,
         (wrong_noise - mean) / se, (row.risk - row.variance - mean) / se);
  CHECK_ABS(mean, row.risk, 4 * se);
  CHECK(fabs(wrong_noise - mean) > 8 * se);
  CHECK(fabs(row.risk - row.variance - mean) > 8 * se);
  gsl_rng_free(rng);
  rc_schedule_free(schedule);
  problem_free(&pb);
}

static void test_monte_carlo_const(void) {
  mc_case("const", BRUTE_CONST, 4, 60, 0.6, 0.05, 10000, 801);
}

static void test_monte_carlo_geometric(void) {
  mc_case("geometric", BRUTE_GEOMETRIC, 1, 40, 0.5, 0.1, 20000, 802);
}

/* ---- stability ---- */

/* rc_sgd_stable_gamma is where the spectral radius of the full one-step map on M x M matrices
 * crosses 1. */
static void test_stable_gamma_radius(void) {
  const size_t batches[] = {1, 3};
  for (size_t c = 0; c < 2; c++) {
    problem pb;
    if (problem_init(&pb, 5, 9, 901 + c, 0)) {
      CHECK(0);
      problem_free(&pb);
      return;
    }
    const size_t B = batches[c];
    double g_star = 0;
    CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, B, &g_star, NULL), RC_SUCCESS);
    const double below = brute_radius(&pb.bp, 0.999 * g_star, (double)B);
    const double above = brute_radius(&pb.bp, 1.001 * g_star, (double)B);
    const double at = brute_radius(&pb.bp, g_star, (double)B);
    printf("    B = %zu: g* = %.10g, radius %.6f / %.15f / %.6f at 0.999 / 1 / 1.001 g*\n", B,
           g_star, below, at, above);
    CHECK(below < 1.0);
    CHECK(above > 1.0);
    /* at g* itself the radius is 1 up to g*'s bracketing accuracy (1e-14 relative, times a
     * slope below 1) and dgeev's rounding on a self-adjoint map (a few eps); seen: 2e-15 */
    CHECK_ABS(at, 1.0, 1e-12);
    /* the edge is set by the coupled sum, well inside the single-atom bound 2B/((B+1) mu) */
    CHECK(g_star * pb.bp.mu_max < 2.0 * (double)B / ((double)B + 1.0));
    problem_free(&pb);
  }
}

/* A schedule whose largest step is not stable is refused, naming the largest stable step. */
static void test_unstable_refused(void) {
  problem pb;
  if (problem_init(&pb, 6, 10, 1001, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  double g_star;
  CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, 2, &g_star, NULL), RC_SUCCESS);
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = 2;
  rc_risk rows[2];
  rc_error err = {0, ""};
  char want[64];
  const uint64_t N[] = {5, 3};

  /* const just above the edge */
  rc_schedule *s = rc_schedule_parse("const", 1.01 * g_star, NULL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 1, &opt, rows, &err), RC_EUNSTABLE);
  CHECK(err.status == RC_EUNSTABLE);
  snprintf(want, sizeof want, "%.6g", g_star);
  CHECK(strstr(err.message, want) != NULL);
  if (!strstr(err.message, want))
    printf("    message '%s' lacks '%s'\n", err.message, want);
  rc_schedule_free(s);

  /* just below: accepted */
  s = rc_schedule_parse("const", 0.99 * g_star, NULL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 2, &opt, rows, NULL), RC_SUCCESS);
  rc_schedule_free(s);

  /* step:2:1.5 from 0.8 g*: steps 0.8, 0.8, 1.2, 1.2, 1.8 g*: N = 2 is fine, N = 3 and 5 not;
   * the largest stable base step is g* / 1.5^2 for N = 5 */
  s = rc_schedule_parse("step:2:1.5", 0.8 * g_star, NULL);
  const uint64_t two = 2;
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, &two, 1, &opt, rows, NULL), RC_SUCCESS);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, &N[1], 1, &opt, rows, NULL), RC_EUNSTABLE);
  rc_error_clear(&err);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 2, &opt, rows, &err), RC_EUNSTABLE);
  snprintf(want, sizeof want, "%.6g", g_star / 2.25);
  CHECK(strstr(err.message, want) != NULL);
  if (!strstr(err.message, want))
    printf("    message '%s' lacks '%s'\n", err.message, want);
  rc_schedule_free(s);

  /* a file whose fourth step is too large */
  char path[] = "/tmp/rc_test_sgd_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    FILE *f = fdopen(fd, "w");
    fprintf(f, "%.17g\n%.17g\n%.17g\n%.17g\n", 0.5 * g_star, 0.5 * g_star, 0.9 * g_star,
            1.05 * g_star);
    fclose(f);
    char spec[64];
    snprintf(spec, sizeof spec, "file:%s", path);
    s = rc_schedule_parse(spec, 1.0, NULL);
    CHECK(s != NULL);
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, &N[1], 1, &opt, rows, NULL), RC_SUCCESS);
    rc_error_clear(&err);
    const uint64_t four = 4;
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, &four, 1, &opt, rows, &err), RC_EUNSTABLE);
    snprintf(want, sizeof want, "%.6g", g_star);
    CHECK(strstr(err.message, want) != NULL);
    rc_schedule_free(s);
    unlink(path);
  }
  problem_free(&pb);
}

static void test_batch_zero(void) {
  problem pb;
  if (problem_init(&pb, 4, 6, 1101, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  double g = -1;
  rc_error err = {0, ""};
  CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, 0, &g, &err), RC_EINVAL);
  CHECK(err.status == RC_EINVAL && err.message[0] != '\0');
  CHECK(g == -1); /* output untouched on error */
  rc_schedule *s = rc_schedule_parse("const", 0.01, NULL);
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = 0;
  const uint64_t N = 5;
  rc_risk row;
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, &N, 1, &opt, &row, NULL), RC_EINVAL);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* ---- error paths and measure properties ---- */

static void test_dimension_mismatch(void) {
  const double lambda[] = {1.3, 0.7, 0.25, 0.11, 0.05};
  const double p[] = {0.9, 1.2, 0.4, 1.7, 0.8, 1.0};
  const double S[] = {0.3, -0.2, 0.5, 0.1, -0.7, 0.4, 0.6, -0.1, 0.2, 0.3, -0.5, 0.25};
  rc_spectrum *sp5 = rc_spectrum_values_alloc(lambda, 5, NULL);
  rc_prior *pr5 = rc_prior_values_alloc(p, 5, NULL);
  rc_prior *pr6 = rc_prior_values_alloc(p, 6, NULL);
  rc_sketch *sk6 = rc_sketch_values_alloc(S, 2, 6, NULL); /* 2 x 6 */
  rc_sketch *sk4 = rc_sketch_values_alloc(S, 3, 4, NULL); /* 3 x 4 */
  rc_error err = {0, ""};
  CHECK(rc_sgd_measure_from_sketch(sp5, pr5, sk6, &err) == NULL);
  CHECK(err.status == RC_EINVAL && strstr(err.message, "6") != NULL);
  rc_error_clear(&err);
  CHECK(rc_sgd_measure_from_sketch(sp5, pr5, sk4, &err) == NULL);
  CHECK(err.status == RC_EINVAL);
  rc_error_clear(&err);
  CHECK(rc_sgd_measure_from_sketch(sp5, pr6, sk6, &err) == NULL);
  CHECK(err.status == RC_EINVAL);
  rc_spectrum_free(sp5);
  rc_prior_free(pr5);
  rc_prior_free(pr6);
  rc_sketch_free(sk6);
  rc_sketch_free(sk4);
}

static void test_bad_horizons_and_noise(void) {
  problem pb;
  if (problem_init(&pb, 4, 6, 1201, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  rc_schedule *s = rc_schedule_parse("geometric", 0.05, NULL);
  rc_sgd_options opt = rc_sgd_options_default();
  rc_risk rows[3];
  rc_error err = {0, ""};
  const uint64_t with_zero[] = {4, 0, 9};
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, with_zero, 3, &opt, rows, &err), RC_EINVAL);
  CHECK(err.status == RC_EINVAL && err.message[0] != '\0');
  const uint64_t ok[] = {4, 9};
  const double bad_sigma2[] = {-0.25, NAN, INFINITY};
  for (size_t k = 0; k < 3; k++) {
    opt.sigma2 = bad_sigma2[k];
    rc_error_clear(&err);
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, ok, 2, &opt, rows, &err), RC_EINVAL);
    CHECK(strstr(err.message, "sigma2") != NULL);
  }
  opt.sigma2 = 0; /* the boundary is allowed */
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, ok, 2, &opt, rows, NULL), RC_SUCCESS);
  rc_schedule_free(s);

  /* N beyond a file schedule's length */
  char path[] = "/tmp/rc_test_sgd_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    FILE *f = fdopen(fd, "w");
    fputs("0.01\n0.02\n# comment\n0.015\n\n0.01\n", f);
    fclose(f);
    char spec[64];
    snprintf(spec, sizeof spec, "file:%s", path);
    s = rc_schedule_parse(spec, 1.0, NULL);
    CHECK(s != NULL);
    const uint64_t four = 4, five[] = {2, 5};
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, &four, 1, &opt, rows, NULL), RC_SUCCESS);
    rc_error_clear(&err);
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, five, 2, &opt, rows, &err), RC_EINVAL);
    CHECK(strstr(err.message, "4") != NULL);
    rc_schedule_free(s);
    unlink(path);
  }
  problem_free(&pb);
}

static void test_null_arguments(void) {
  problem pb;
  if (problem_init(&pb, 4, 6, 1301, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  rc_schedule *s = rc_schedule_parse("const", 0.05, NULL);
  const uint64_t N[] = {7};
  rc_risk row, row_default;
  rc_error err = {0, ""};
  double g;
  CHECK_STATUS(rc_sgd_risk_curve(NULL, s, N, 1, NULL, &row, &err), RC_EINVAL);
  CHECK(err.status == RC_EINVAL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, NULL, N, 1, NULL, &row, NULL), RC_EINVAL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, NULL, 1, NULL, &row, NULL), RC_EINVAL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 0, NULL, &row, NULL), RC_EINVAL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 1, NULL, NULL, NULL), RC_EINVAL);
  CHECK_STATUS(rc_sgd_stable_gamma(NULL, 1, &g, NULL), RC_EINVAL);
  CHECK_STATUS(rc_sgd_stable_gamma(pb.measure, 1, NULL, NULL), RC_EINVAL);
  CHECK_STATUS(rc_sgd_check_stability(pb.measure, s, 7, 0, NULL), RC_EINVAL);
  rc_error_clear(&err);
  CHECK(rc_sgd_measure_from_sketch(NULL, pb.prior, pb.sketch, &err) == NULL);
  CHECK(err.status == RC_EINVAL);
  CHECK(rc_sgd_measure_from_sketch(pb.spectrum, NULL, pb.sketch, NULL) == NULL);
  CHECK(rc_sgd_measure_from_sketch(pb.spectrum, pb.prior, NULL, NULL) == NULL);
  CHECK(rc_sgd_measure_alloc(0, NULL) == NULL);
  rc_sgd_measure_free(NULL); /* must be a no-op */
  /* NULL options mean the defaults (B = 1, sigma2 = 1) */
  rc_sgd_options opt = rc_sgd_options_default();
  CHECK(opt.batch == 1 && opt.sigma2 == 1.0 && opt.progress == NULL);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 1, NULL, &row, NULL), RC_SUCCESS);
  CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, N, 1, &opt, &row_default, NULL), RC_SUCCESS);
  CHECK(row.risk == row_default.risk && row.sigma2 == 1.0);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* M > d: G is singular, v* uses the pseudo-inverse, rank d, Approx = 0; M = d: full rank. */
static void test_measure_properties(void) {
  const size_t cases[][2] = {{9, 4}, {12, 5}, {6, 6}, {3, 8}};
  for (size_t c = 0; c < 4; c++) {
    problem pb;
    if (problem_init(&pb, cases[c][0], cases[c][1], 1401 + c, 0)) {
      CHECK(0);
      problem_free(&pb);
      return;
    }
    const size_t M = pb.M, d = pb.d;
    const rc_sgd_measure *m = pb.measure;
    CHECK(m->M == (double)M);
    CHECK(m->rank == (M < d ? M : d));
    CHECK(m->pseudo_inverse == (M > d));
    CHECK_REL(m->signal, pb.bp.signal, 1e-14);
    if (M >= d) {
      CHECK(m->approx == 0.0);
      CHECK_ABS(pb.bp.approx, 0.0, APPROX_ZERO * pb.bp.signal);
    } else {
      CHECK(m->approx > 0.05 * m->signal); /* a 3-dim sketch misses much of 8 dims */
    }
    /* the atoms are the non-zero eigenvalues of G; their sum is tr(G) */
    double tr_atoms = 0, tr_G = 0;
    for (size_t j = 0; j < m->n; j++)
      tr_atoms += m->nu[j] * m->mu[j];
    for (size_t a = 0; a < M; a++)
      tr_G += pb.bp.G[a * M + a];
    CHECK_REL(tr_atoms, tr_G, 1e-13);
    /* the initial bias tr(G C0) = tr(HP) - Approx (the explained signal) */
    double bias0 = 0;
    for (size_t j = 0; j < m->n; j++)
      bias0 += m->nu[j] * m->mu[j] * m->c0[j];
    CHECK_REL(bias0, m->signal - m->approx, 1e-12);
    CHECK_REL(brute_trace_GC(&pb.bp, pb.bp.C0), m->signal - m->approx, 1e-10);
    problem_free(&pb);
  }
}

typedef struct {
  int calls, cancel_at;
  double last;
  int monotone, in_range;
} progress_record;

static int on_progress(void *context, double fraction) {
  progress_record *r = context;
  r->calls++;
  if (fraction < r->last)
    r->monotone = 0;
  if (!(fraction > 0 && fraction <= 1))
    r->in_range = 0;
  r->last = fraction;
  return r->cancel_at && r->calls >= r->cancel_at;
}

/* --approx-schedule: the smooth kinds replaced by constant stages whose exact steps vary by
 * less than the factor 1 + rtol. Against the exact step-by-step path on a 200-atom
 * deterministic-equivalent measure (a = 1.5, d = inf, M = 200) to N = 1e5, the bias, the
 * variance and the excess each move by less than rtol relative (measured: at most 0.46 rtol,
 * the bias of cosine at rtol = 0.1; the excess at most 0.33 rtol; docs/THEORY.md). */
static void test_approximate_schedule(void) {
  rc_error err = {0, ""};
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  rc_deteq *de = rc_deteq_alloc_law(&law, 200, &err);
  rc_sgd_measure *m = de ? rc_deteq_measure(de, 200, NULL, NULL, &err) : NULL;
  double gs = 0;
  CHECK(m && rc_sgd_stable_gamma(m, 1, &gs, &err) == RC_SUCCESS);
  const char *specs[] = {"cosine",  "linear",       "linear:0.1",        "poly:100:0.7",
                         "wsd:0.3", "wsd:0.5:sqrt", "warmup:1000:cosine"};
  const double rtols[] = {1e-1, 1e-2, 1e-3};
  const uint64_t Ns[] = {1000, 10000, 100000};
  double worst_ratio = 0;
  for (size_t k = 0; m && k < sizeof specs / sizeof specs[0]; k++) {
    rc_schedule *ex = rc_schedule_parse(specs[k], 0.5 * gs, &err);
    rc_risk re[3], ra[3];
    rc_sgd_options o = rc_sgd_options_default();
    o.sigma2 = 0.1;
    CHECK(ex && rc_sgd_risk_curve(m, ex, Ns, 3, &o, re, &err) == RC_SUCCESS);
    for (size_t r = 0; ex && r < 3; r++) {
      rc_schedule *ap = rc_schedule_parse(specs[k], 0.5 * gs, &err);
      CHECK(ap && rc_schedule_approximate(ap, rtols[r], &err) == RC_SUCCESS);
      CHECK(ap && rc_sgd_risk_curve(m, ap, Ns, 3, &o, ra, &err) == RC_SUCCESS);
      for (size_t n = 0; ap && n < 3; n++) {
        const double parts[3][2] = {{ra[n].bias, re[n].bias},
                                    {ra[n].variance, re[n].variance},
                                    {ra[n].excess, re[n].excess}};
        for (int q = 0; q < 3; q++) {
          const double ratio = fabs(parts[q][0] / parts[q][1] - 1) / rtols[r];
          worst_ratio = fmax(worst_ratio, ratio);
          CHECK(ratio < 1);
        }
      }
      rc_schedule_free(ap);
    }
    rc_schedule_free(ex);
  }
  printf("    largest change of bias, variance or excess: %.3g rtol\n", worst_ratio);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
}

/* The cost query makes the engine's choices: up to RC_STAGE_JUMP_EIGEN_MAX_ATOMS atoms a run
 * of at least 8 n + 16 steps is one eigen jump (64 n^2 updates), above it a run of at least
 * RC_STAGE_JUMP_RENEWAL_MIN steps is one renewal jump (rc_stage_jump_cost: no cliff for large
 * measures); every other step is iterated (6 n); horizons below 64 and step_by_step iterate
 * everything; past 2^20 runs the rest counts as iterated. */
static void test_curve_cost(void) {
  rc_cost c;
  rc_error err = {0, ""};
  rc_sgd_options o = rc_sgd_options_default();
  rc_schedule *cst = rc_schedule_parse("const", 0.1, NULL);
  rc_schedule *poly = rc_schedule_parse("poly:10:1", 0.1, NULL);
  rc_schedule *geo = rc_schedule_parse("geometric", 0.1, NULL);
  const uint64_t big[] = {1000000000000ULL}, small[] = {50}, mid[] = {1000}, million[] = {1000000};
  CHECK_STATUS(rc_sgd_curve_cost(100, cst, big, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 64.0 * 100 * 100);
  CHECK_STATUS(rc_sgd_curve_cost(100, cst, small, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 6.0 * 100 * 50);
  CHECK_STATUS(rc_sgd_curve_cost(100, poly, mid, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 6.0 * 100 * 1000);
  CHECK_STATUS(rc_sgd_curve_cost(100, poly, big, 1, &o, &c, &err), RC_SUCCESS);
  CHECK_REL(c.updates, 6.0 * 100 * 1e12, 1e-12);
  CHECK_STATUS(rc_sgd_curve_cost(5000, cst, million, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == rc_stage_jump_cost(5000, 0));
  CHECK_STATUS(rc_sgd_curve_cost(100000, cst, big, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == rc_stage_jump_cost(100000, 0) && c.bytes < 1e8);
  o.jump_method = 1; /* the eigen propagator asked for: O(n^2) per jump */
  CHECK_STATUS(rc_sgd_curve_cost(5000, cst, million, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 64.0 * 5000 * 5000);
  o.jump_method = 3;
  CHECK_STATUS(rc_sgd_curve_cost(5000, cst, million, 1, &o, &c, &err), RC_EINVAL);
  o.jump_method = 0;
  o.step_by_step = 1;
  CHECK_STATUS(rc_sgd_curve_cost(100, cst, million, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 6.0 * 100 * 1e6);
  o.step_by_step = 0;
  /* geometric to 1e6 at 100 atoms: about log2 N stages, each a jump */
  CHECK_STATUS(rc_sgd_curve_cost(100, geo, million, 1, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates > 10 * 64.0 * 1e4 && c.updates < 30 * 64.0 * 1e4 && c.bytes > 8e4);
  /* errors */
  CHECK_STATUS(rc_sgd_curve_cost(100, cst, big, 1, &o, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_sgd_curve_cost(100, cst, big, 0, &o, &c, &err), RC_EINVAL);
  o.batch = 0;
  CHECK_STATUS(rc_sgd_curve_cost(100, cst, big, 1, &o, &c, &err), RC_EINVAL);
  rc_schedule_free(cst);
  rc_schedule_free(poly);
  rc_schedule_free(geo);
  /* the SVD's memory: about 5 M d + 7 min(M, d)^2 numbers */
  CHECK_STATUS(rc_sgd_measure_from_sketch_cost(100, 1000, &c, &err), RC_SUCCESS);
  CHECK(c.bytes > 8.0 * 5 * 100 * 1000 && c.bytes < 8.0 * 6 * 100 * 1000);
  CHECK_STATUS(rc_sgd_measure_from_sketch_cost(0, 1000, &c, &err), RC_EINVAL);
  CHECK_STATUS(rc_sgd_measure_from_sketch_cost(SIZE_MAX, SIZE_MAX, &c, &err), RC_EINVAL);
}

/* rc_sgd_options_check: the reasons of rc_sgd_risk_curve's refusals. */
static void test_options_check(void) {
  rc_error err = {0, ""};
  rc_sgd_options o = rc_sgd_options_default();
  CHECK_STATUS(rc_sgd_options_check(&o, &err), RC_SUCCESS);
  o.batch = 0;
  CHECK_STATUS(rc_sgd_options_check(&o, &err), RC_EINVAL);
  CHECK(strstr(err.message, "batch") != NULL);
  o = rc_sgd_options_default();
  o.sigma2 = NAN;
  CHECK_STATUS(rc_sgd_options_check(&o, &err), RC_EINVAL);
  CHECK(strstr(err.message, "sigma2") != NULL);
  o.sigma2 = -1;
  CHECK_STATUS(rc_sgd_options_check(&o, &err), RC_EINVAL);
  CHECK_STATUS(rc_sgd_options_check(NULL, &err), RC_EINVAL);
}

static void test_progress_cancel(void) {
  problem pb;
  if (problem_init(&pb, 4, 6, 1501, 0)) {
    CHECK(0);
    problem_free(&pb);
    return;
  }
  const uint64_t Ns[] = {60, 20, 90};
  rc_risk rows[3];
  const char *specs[] = {"geometric", "poly:2:1"};
  for (size_t k = 0; k < 2; k++) {
    rc_schedule *s = rc_schedule_parse(specs[k], 0.05, NULL);
    rc_sgd_options opt = rc_sgd_options_default();
    progress_record rec = {0, 0, 0, 1, 1};
    opt.progress = on_progress;
    opt.progress_context = &rec;
    CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, Ns, 3, &opt, rows, NULL), RC_SUCCESS);
    CHECK(rec.calls > 1 && rec.monotone && rec.in_range);
    CHECK_REL(rec.last, 1.0, 1e-15);
    const int total_calls = rec.calls;
    const int cancel_points[] = {1, 3, total_calls};
    for (size_t c = 0; c < 3; c++) {
      progress_record cancel = {0, cancel_points[c], 0, 1, 1};
      opt.progress_context = &cancel;
      rc_error err = {0, ""};
      CHECK_STATUS(rc_sgd_risk_curve(pb.measure, s, Ns, 3, &opt, rows, &err), RC_ECANCEL);
      CHECK(err.status == RC_ECANCEL);
      CHECK(cancel.calls == cancel_points[c]); /* stops at once */
    }
    rc_schedule_free(s);
  }
  problem_free(&pb);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_exact_kinds);
  RUN_TEST(test_exact_zero_eigenvalues);
  RUN_TEST(test_exact_duplicate_rows);
  RUN_TEST(test_unsorted_ns);
  RUN_TEST(test_monte_carlo_const);
  RUN_TEST(test_monte_carlo_geometric);
  RUN_TEST(test_stable_gamma_radius);
  RUN_TEST(test_unstable_refused);
  RUN_TEST(test_batch_zero);
  RUN_TEST(test_dimension_mismatch);
  RUN_TEST(test_bad_horizons_and_noise);
  RUN_TEST(test_null_arguments);
  RUN_TEST(test_measure_properties);
  RUN_TEST(test_progress_cancel);
  RUN_TEST(test_curve_cost);
  RUN_TEST(test_approximate_schedule);
  RUN_TEST(test_options_check);
  TEST_MAIN_END("test_sgd");
}
