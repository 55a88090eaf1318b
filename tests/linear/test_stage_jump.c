/* Stage jumps (src/stage_jump.c through rc_sgd_risk_curve): a whole constant-step stage
 * applied at once must equal the step-by-step recursion and the full-matrix brute force. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include <omp.h>

#include "brute.h"
#include "linear/stage_jump.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

/* A measure from a drawn sketch of a random spectrum and prior. */
static rc_sgd_measure *sketch_measure(size_t M, size_t d, unsigned long seed, double **lambda_out,
                                      double **p_out, double **S_out) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  double *lambda = malloc(d * sizeof *lambda), *p = malloc(d * sizeof *p);
  double *S = malloc(M * d * sizeof *S);
  for (size_t i = 0; i < d; i++) {
    lambda[i] = pow((double)(i + 1), -1.385) * (0.5 + gsl_rng_uniform(rng));
    p[i] = 0.2 + 2.0 * gsl_rng_uniform(rng);
  }
  for (size_t k = 0; k < M * d; k++)
    S[k] = gsl_ran_gaussian(rng, 1.0 / sqrt((double)M));
  rc_error err = {0, ""};
  rc_spectrum *H = rc_spectrum_values_alloc(lambda, d, &err);
  rc_prior *P = rc_prior_values_alloc(p, d, &err);
  rc_sketch *sk = rc_sketch_values_alloc(S, M, d, &err);
  rc_sgd_measure *m = rc_sgd_measure_from_sketch(H, P, sk, &err);
  rc_sketch_free(sk);
  rc_prior_free(P);
  rc_spectrum_free(H);
  gsl_rng_free(rng);
  if (lambda_out) {
    *lambda_out = lambda;
    *p_out = p;
    *S_out = S;
  } else {
    free(lambda);
    free(p);
    free(S);
  }
  return m;
}

static double stable_gamma(const rc_sgd_measure *m, size_t B) {
  double g = 0;
  rc_sgd_stable_gamma(m, B, &g, NULL);
  return g;
}

/* Runs the curve twice, with and without stage jumps, and returns the largest relative
 * difference over bias and variance. */
static double jump_vs_step_method(const rc_sgd_measure *m, const char *spec, double gamma,
                                  const uint64_t *Ns, size_t count, size_t B, double sigma2,
                                  int method) {
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse(spec, gamma, &err);
  rc_risk *a = calloc(count, sizeof *a), *b = calloc(count, sizeof *b);
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = B;
  o.sigma2 = sigma2;
  o.jump_method = method;
  int s1 = rc_sgd_risk_curve(m, s, Ns, count, &o, a, &err);
  o.step_by_step = 1;
  int s2 = rc_sgd_risk_curve(m, s, Ns, count, &o, b, &err);
  double worst = (s && !s1 && !s2) ? 0 : INFINITY;
  for (size_t k = 0; k < count && worst < INFINITY; k++) {
    /* A bias decayed below 1e-280 is in the denormal range where stepping and jumping
     * underflow differently (1e-323 against 0); such a value is zero for any risk. */
    double eb = fabs(a[k].bias - b[k].bias) / fmax(fabs(b[k].bias), 1e-280);
    double ev = fabs(a[k].variance - b[k].variance) / fabs(b[k].variance);
    worst = fmax(worst, fmax(eb, ev));
  }
  rc_schedule_free(s);
  free(a);
  free(b);
  return worst;
}

static double jump_vs_step(const rc_sgd_measure *m, const char *spec, double gamma,
                           const uint64_t *Ns, size_t count, size_t B, double sigma2) {
  return jump_vs_step_method(m, spec, gamma, Ns, count, B, sigma2, 0);
}

/* Jumps equal stepping on sketch measures for every piecewise-constant schedule kind. The
 * observed worst difference is about 1e-13 (rounding of the eigen-decomposition and of 1e5
 * steps); 1e-10 leaves room without hiding a wrong mode (those give O(1) differences). */
static void test_jump_matches_stepping(void) {
  const uint64_t Ns[] = {1000, 3000, 20000, 100000};
  const char *specs[] = {"const", "geometric", "step:4000:0.5", "step:2500:1.3"};
  const size_t sizes[][2] = {{20, 60}, {50, 200}, {8, 8}};
  for (size_t z = 0; z < 3; z++) {
    rc_sgd_measure *m = sketch_measure(sizes[z][0], sizes[z][1], 11 + z, NULL, NULL, NULL);
    CHECK(m != NULL);
    for (size_t B = 1; B <= 4; B += 3) {
      const double g = stable_gamma(m, B);
      for (size_t k = 0; k < 4; k++) {
        /* step:2500:1.3 grows: keep its last step below the stable one */
        const double gamma = k == 3 ? 0.9 * g / pow(1.3, 39) : 0.8 * g;
        double worst = jump_vs_step(m, specs[k], gamma, Ns, 4, B, 0.385);
        if (!(worst <= 1e-10))
          printf("    M = %zu, %s, B = %zu: worst rel diff %.3g\n", sizes[z][0], specs[k], B,
                 worst);
        CHECK(worst <= 1e-10);
      }
    }
    rc_sgd_measure_free(m);
  }
}

/* Geometric horizons advance together (one propagator per step size for all of them); given
 * unsorted and repeated, each row must still equal its own step-by-step run. */
static void test_jump_horizons_together(void) {
  rc_sgd_measure *m = sketch_measure(24, 70, 21, NULL, NULL, NULL);
  const uint64_t Ns[] = {20000, 700, 20000, 5000, 64, 150000, 5000};
  for (size_t B = 1; B <= 2; B++)
    CHECK(jump_vs_step(m, "geometric", 0.9 * stable_gamma(m, B), Ns, 7, B, 0.6) <= 1e-10);
  rc_sgd_measure_free(m);
}

/* A file schedule with long runs of equal steps is jumped run by run. */
static void test_jump_file_runs(void) {
  rc_sgd_measure *m = sketch_measure(12, 30, 5, NULL, NULL, NULL);
  const double g = stable_gamma(m, 2);
  char path[] = "/tmp/riskcalc_jump_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  for (int t = 0; t < 6000; t++)
    fprintf(f, "%.17g\n", t < 2500 ? 0.7 * g : t < 2600 ? 0.2 * g : 0.45 * g);
  fclose(f);
  char spec[64];
  snprintf(spec, sizeof spec, "file:%s", path);
  const uint64_t Ns[] = {6000, 2550, 4000};
  double worst = jump_vs_step(m, spec, 1.0, Ns, 3, 2, 1.0);
  CHECK(worst <= 1e-10);
  unlink(path);
  rc_sgd_measure_free(m);
}

/* The engine with jump_method (0: its choice, 2: the renewal path) against the full M x M
 * matrix recursion over long stages. */
static void jump_vs_brute_force(int jump_method) {
  const size_t M = 6, d = 15;
  double *lambda, *p, *S;
  rc_sgd_measure *m = sketch_measure(M, d, 3, &lambda, &p, &S);
  brute_problem bp;
  CHECK(brute_problem_init(&bp, lambda, p, S, M, d) == 0);
  const double g = 0.7 * stable_gamma(m, 1);
  const brute_kind kinds[] = {BRUTE_CONST, BRUTE_GEOMETRIC};
  const char *specs[] = {"const", "geometric"};
  rc_error err = {0, ""};
  for (size_t k = 0; k < 2; k++) {
    brute_schedule bs = {kinds[k], g, 0, 0, 0, 0, NULL, 0};
    rc_schedule *s = rc_schedule_parse(specs[k], g, &err);
    const uint64_t N = 3000;
    rc_risk row;
    rc_sgd_options o = rc_sgd_options_default();
    o.sigma2 = 0.5;
    o.jump_method = jump_method;
    CHECK_STATUS(rc_sgd_risk_curve(m, s, &N, 1, &o, &row, &err), RC_SUCCESS);
    brute_result want = {0, 0, 0, 0, 0};
    CHECK(brute_risk(&bp, &bs, N, 1, 0.5, &want) == 0);
    CHECK_REL(row.bias, want.bias, 1e-10);
    CHECK_REL(row.variance, want.variance, 1e-10);
    CHECK_REL(row.risk, want.risk, 1e-10);
    rc_schedule_free(s);
  }
  brute_problem_free(&bp);
  free(lambda);
  free(p);
  free(S);
  rc_sgd_measure_free(m);
}

static void test_jump_matches_brute_force(void) {
  jump_vs_brute_force(0);
}

/* A deterministic-equivalent-like measure: multiplicities, exact ties, near ties (relative
 * gap 1e-15 and 1e-9) and eigenvalues spread over eight decades. */
static void test_jump_ties_and_multiplicities(void) {
  const double mu[] = {1.0,  0.5,  0.5, 0.5 * (1 + 1e-15), 0.5 * (1 + 1e-9), 0.25, 1e-3, 1e-6,
                       1e-6, 1e-8, 0.0};
  const double nu[] = {1, 3.5, 2, 1, 1, 10, 40, 100, 50, 200, 7};
  const size_t n = sizeof mu / sizeof mu[0];
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_alloc(n, &err);
  double M = 0;
  for (size_t j = 0; j < n; j++) {
    m->mu[j] = mu[j];
    m->nu[j] = nu[j];
    m->c0[j] = mu[j] > 0 ? 0.3 + 1.0 / (1.0 + (double)j) : 0;
    M += nu[j];
  }
  m->M = M;
  m->approx = 0.123;
  const double g = 0.9 * stable_gamma(m, 1);
  const uint64_t Ns[] = {500, 50000, 200000};
  CHECK(jump_vs_step(m, "const", g, Ns, 3, 1, 1.0) <= 1e-10);
  CHECK(jump_vs_step(m, "geometric", g, Ns, 3, 3, 1.0) <= 1e-10);
  rc_sgd_measure_free(m);
}

/* Clusters of eigenvalues with relative gaps 1e-13 .. 1e-10: the secular roots crowd their
 * poles, where eigenvectors built from the raw u lose orthogonality (Loewner's correction is
 * what keeps them exact). */
static void test_jump_clusters(void) {
  const size_t n = 120;
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_alloc(n, &err);
  for (size_t j = 0; j < n; j++) {
    const double centre = j < 40 ? 0.6 : j < 80 ? 0.05 : 2e-4;
    const double gap = j < 40 ? 1e-13 : j < 80 ? 1e-11 : 1e-10;
    m->mu[j] = centre * (1.0 + gap * (double)(j % 40));
    m->nu[j] = 1.0 + (double)(j % 7);
    m->c0[j] = 1.0 + 0.5 * sin((double)j);
  }
  m->M = (double)n;
  const double g = 0.85 * stable_gamma(m, 1);
  const uint64_t Ns[] = {2000, 30000, 300000};
  double worst = jump_vs_step(m, "const", g, Ns, 3, 1, 0.3);
  if (!(worst <= 1e-10))
    printf("    worst rel diff %.3g\n", worst);
  CHECK(worst <= 1e-10);
  rc_sgd_measure_free(m);
}

/* Over an astronomically long constant stage the variance reaches the stationary point of
 * c = A c + h s2 mu: c_j = h mu_j (e + s2) / delta_j, so e = s2 q / (1 - q) with
 * q = sum_j h nu_j mu_j^2 / delta_j, and the bias is gone. */
static void test_jump_stationary_limit(void) {
  rc_sgd_measure *m = sketch_measure(30, 90, 8, NULL, NULL, NULL);
  const size_t B = 2;
  const double g = 0.6 * stable_gamma(m, B), h = g * g / (double)B, s2 = 0.77 + m->approx;
  double q = 0;
  for (size_t j = 0; j < m->n; j++) {
    const double x = g * m->mu[j];
    if (x > 0)
      q += h * m->nu[j] * m->mu[j] * m->mu[j] / (x * (2.0 - (1.0 + 1.0 / (double)B) * x));
  }
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse("const", g, &err);
  const uint64_t N = (uint64_t)1e15;
  rc_risk row;
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = B;
  o.sigma2 = 0.77;
  CHECK_STATUS(rc_sgd_risk_curve(m, s, &N, 1, &o, &row, &err), RC_SUCCESS);
  CHECK_REL(row.variance, s2 * q / (1.0 - q), 1e-12);
  CHECK(row.bias >= 0 && row.bias < 1e-300);
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
}

/* Slow modes: one jump of 1e9 steps equals 1000 jumps of 1e6 (records split the stage), with
 * eigenvalues down to 1e-9 so that g mu K is O(1) for the slowest ones. */
static void test_jump_semigroup_slow_modes(void) {
  const size_t n = 40;
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_alloc(n, &err);
  for (size_t j = 0; j < n; j++) {
    m->mu[j] = pow(10.0, -9.0 * (double)j / (double)(n - 1));
    m->nu[j] = 1.0;
    m->c0[j] = 1.0 / m->mu[j] * pow((double)(j + 1), -1.5);
  }
  m->M = (double)n;
  const double g = 0.5 * stable_gamma(m, 1);
  rc_schedule *s = rc_schedule_parse("const", g, &err);
  uint64_t *Ns = malloc(1000 * sizeof *Ns);
  for (size_t k = 0; k < 1000; k++)
    Ns[k] = (uint64_t)1000000 * (k + 1);
  rc_risk *rows = malloc(1000 * sizeof *rows), one;
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.1;
  CHECK_STATUS(rc_sgd_risk_curve(m, s, Ns, 1000, &o, rows, &err), RC_SUCCESS);
  CHECK_STATUS(rc_sgd_risk_curve(m, s, &Ns[999], 1, &o, &one, &err), RC_SUCCESS);
  CHECK_REL(rows[999].bias, one.bias, 1e-10);
  CHECK_REL(rows[999].variance, one.variance, 1e-10);
  /* and the first 1e6 steps against stepping */
  CHECK(jump_vs_step(m, "const", g, Ns, 1, 1, 0.1) <= 1e-10);
  free(Ns);
  free(rows);
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
}

/* ------------------------------------------------------------ the renewal path */

/* The renewal path (forced on small measures) against stepping, on every piecewise-constant
 * schedule kind and batch sizes 1 and 4, and on ties, a zero signal and eigenvalues down to
 * 1e-8. Measured worst: 2.4e-11, the stepping reference's own rounding over 1e5 steps
 * included (the eigen path is 6e-12 from stepping on the same rows; the two jump paths agree
 * to 1e-13 where stepping drifts). */
static void test_renewal_matches_stepping(void) {
  const uint64_t Ns[] = {1000, 3000, 20000, 100000};
  const char *specs[] = {"const", "geometric", "step:4000:0.5", "step:2500:1.3"};
  const size_t sizes[][2] = {{20, 60}, {50, 200}, {8, 8}};
  double worst = 0;
  for (size_t z = 0; z < 3; z++) {
    rc_sgd_measure *m = sketch_measure(sizes[z][0], sizes[z][1], 11 + z, NULL, NULL, NULL);
    for (size_t B = 1; B <= 4; B += 3) {
      const double g = stable_gamma(m, B);
      for (size_t k = 0; k < 4; k++) {
        const double gamma = k == 3 ? 0.9 * g / pow(1.3, 39) : 0.8 * g;
        worst = fmax(worst, jump_vs_step_method(m, specs[k], gamma, Ns, 4, B, 0.385, 2));
      }
    }
    rc_sgd_measure_free(m);
  }
  const double mu[] = {1.0,  0.5,  0.5, 0.5 * (1 + 1e-15), 0.5 * (1 + 1e-9), 0.25, 1e-3, 1e-6,
                       1e-6, 1e-8, 0.0};
  const size_t n = sizeof mu / sizeof *mu;
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_alloc(n, &err);
  for (size_t j = 0; j < n; j++) {
    m->mu[j] = mu[j];
    m->nu[j] = 1.0 + (double)(j % 3);
    m->c0[j] = j == 4 ? 0.0 : 1.0 / (1.0 + (double)j);
  }
  m->M = 20;
  const double g = 0.7 * stable_gamma(m, 1);
  const uint64_t Ns2[] = {500, 50000, 200000};
  worst = fmax(worst, jump_vs_step_method(m, "const", g, Ns2, 3, 1, 1.0, 2));
  worst = fmax(worst, jump_vs_step_method(m, "geometric", g, Ns2, 3, 3, 1.0, 2));
  printf("    renewal against stepping: worst relative difference %.3g\n", worst);
  CHECK(worst <= 1e-10);
  rc_sgd_measure_free(m);
}

/* The renewal path against the full-matrix brute force over long stages. */
static void test_renewal_matches_brute_force(void) {
  jump_vs_brute_force(2);
}

/* The deterministic equivalent keeps its digits: on DE measures (d = inf, a = b = 1.5) the
 * renewal path equals the eigen propagator (the engine before it) on 30-point geometric and
 * constant curves to N = 1e10; measured worst 7.3e-13 at M = 1000 (732 atoms), 1.6e-13 at
 * M = 1e4 (bench_scale). */
static void test_renewal_matches_eigen_on_deteq(void) {
  rc_error err = {0, ""};
  const rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  rc_deteq *de = rc_deteq_alloc_law(&law, 1000, &err);
  rc_sgd_measure *m = de ? rc_deteq_measure(de, 1000, NULL, NULL, &err) : NULL;
  CHECK(m != NULL);
  if (!m) {
    rc_deteq_free(de);
    return;
  }
  uint64_t Ns[30];
  for (int k = 0; k < 30; k++)
    Ns[k] = (uint64_t)floor(pow(10, 2 + k * 8.0 / 29) + 0.5);
  const char *specs[] = {"geometric", "const"};
  double worst = 0;
  for (int q = 0; q < 2; q++) {
    rc_schedule *s = rc_schedule_parse(specs[q], 0.1, &err);
    rc_risk a[30], b[30];
    rc_sgd_options o = rc_sgd_options_default();
    o.sigma2 = 0.1;
    o.jump_method = 2;
    CHECK_STATUS(rc_sgd_risk_curve(m, s, Ns, 30, &o, a, &err), RC_SUCCESS);
    o.jump_method = 1;
    CHECK_STATUS(rc_sgd_risk_curve(m, s, Ns, 30, &o, b, &err), RC_SUCCESS);
    for (int k = 0; k < 30; k++) {
      worst = fmax(worst, fabs(a[k].bias / b[k].bias - 1));
      worst = fmax(worst, fabs(a[k].variance / b[k].variance - 1));
      worst = fmax(worst, fabs(a[k].risk / b[k].risk - 1));
    }
    rc_schedule_free(s);
  }
  printf("    renewal against eigen on the DE at M = 1000 (%zu atoms): %.3g\n", m->n, worst);
  CHECK(worst <= 1e-11);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
}

/* Horizons advanced together spread over threads: the same bits on 1 and 2 threads. */
static void test_renewal_threads_bit_identical(void) {
  rc_sgd_measure *m = sketch_measure(40, 120, 4, NULL, NULL, NULL);
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse("geometric", 0.8 * stable_gamma(m, 1), &err);
  uint64_t Ns[24];
  for (int k = 0; k < 24; k++)
    Ns[k] = (uint64_t)floor(pow(10, 2 + k * 7.0 / 23) + 0.5);
  rc_risk a[24], b[24];
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.2;
  o.jump_method = 2;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_STATUS(rc_sgd_risk_curve(m, s, Ns, 24, &o, a, &err), RC_SUCCESS);
  omp_set_num_threads(2);
  CHECK_STATUS(rc_sgd_risk_curve(m, s, Ns, 24, &o, b, &err), RC_SUCCESS);
  omp_set_num_threads(threads);
  CHECK(memcmp(a, b, sizeof a) == 0);
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
}

/* No cliff: a measure far beyond what an n x n propagator fits in (30000 atoms: 7 GB per
 * propagator) jumps a 1e12-step stage through the renewal path in O(n) memory; asking for the
 * eigen path there is refused up front (RC_ENOMEM), never a silent switch to stepping. */
static void test_renewal_large_measure(void) {
  const size_t n = 30000;
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_alloc(n, &err);
  for (size_t j = 0; j < n; j++) {
    m->mu[j] = pow((double)(j + 1), -1.5);
    m->nu[j] = 1.0;
    m->c0[j] = 1.0;
  }
  m->M = (double)n;
  rc_stage_jump *w = rc_stage_jump_alloc(m, 1, &err);
  CHECK(w != NULL && rc_stage_jump_get_method(w) == RC_STAGE_JUMP_RENEWAL);
  rc_stage_jump_free(w);
  const size_t physical = rc_physical_memory();
  if (physical && (double)n * n * 8 > 0.25 * (double)physical) {
    CHECK(rc_stage_jump_alloc_method(m, 1, RC_STAGE_JUMP_EIGEN, &err) == NULL);
    CHECK(err.status == RC_ENOMEM);
  }
  rc_schedule *s = rc_schedule_parse("const", 0.5 * stable_gamma(m, 1), &err);
  const uint64_t N[] = {1000000, 1000000000000ULL};
  rc_risk rows[2];
  rc_sgd_options o = rc_sgd_options_default();
  o.sigma2 = 0.1;
  CHECK_STATUS(rc_sgd_risk_curve(m, s, N, 2, &o, rows, &err), RC_SUCCESS);
  CHECK(rows[1].bias < rows[0].bias && rows[1].variance > 0 && isfinite(rows[1].risk));
  o.jump_method = 1;
  if (physical && (double)n * n * 8 > 0.25 * (double)physical)
    CHECK_STATUS(rc_sgd_risk_curve(m, s, N, 2, &o, rows, &err), RC_ENOMEM);
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_jump_matches_stepping);
  RUN_TEST(test_jump_horizons_together);
  RUN_TEST(test_jump_file_runs);
  RUN_TEST(test_jump_matches_brute_force);
  RUN_TEST(test_jump_ties_and_multiplicities);
  RUN_TEST(test_jump_clusters);
  RUN_TEST(test_jump_stationary_limit);
  RUN_TEST(test_jump_semigroup_slow_modes);
  RUN_TEST(test_renewal_matches_stepping);
  RUN_TEST(test_renewal_matches_brute_force);
  RUN_TEST(test_renewal_matches_eigen_on_deteq);
  RUN_TEST(test_renewal_threads_bit_identical);
  RUN_TEST(test_renewal_large_measure);
  TEST_MAIN_END("test_stage_jump");
}
