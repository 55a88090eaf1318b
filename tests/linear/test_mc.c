/* Unit tests of the mc module: the simulation (raw and reduced) against the exact engine and
 * against each other at several sizes, schedules and batch sizes; the standard error against
 * the spread over repeated seeds; determinism over thread counts; the resketch mode against
 * the exact risks of the very sketches it draws; and the error paths.
 *
 * Statistical checks use fixed seeds and K = 4 standard errors: a correct simulation passes
 * each with probability 1 - 6e-5 (normal tails; means of >= 64 runs), and the fixed seeds make
 * the outcome reproducible. The configurations are chosen so that a real error (wrong noise
 * level, a missing factor of the step, a wrong v*) moves the mean by many standard errors. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/normal.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

#define K_SE 4.0

typedef struct {
  rc_spectrum *spectrum;
  rc_prior *prior;
  rc_sketch *sketch;
} problem;

/* Power-law spectrum of exponent a in dimension d, isotropic prior (b < 0) or source prior b,
 * Gaussian sketch M x d from mt19937 seeded with seed. */
static problem problem_make(size_t d, double a, double b, size_t M, unsigned long seed) {
  problem pb;
  pb.spectrum = rc_spectrum_power_alloc(d, a, NULL);
  pb.prior =
      b < 0 ? rc_prior_isotropic_alloc(d, NULL) : rc_prior_source_alloc(pb.spectrum, b, NULL);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  pb.sketch = rc_sketch_gaussian_alloc(M, d, rng, NULL);
  gsl_rng_free(rng);
  return pb;
}

static void problem_free(problem *pb) {
  rc_spectrum_free(pb->spectrum);
  rc_prior_free(pb->prior);
  rc_sketch_free(pb->sketch);
}

/* The exact expected risk of the fixed sketch at every N (and its parts in rows, if given). */
static int exact_parts(const problem *pb, const rc_sketch *sketch, const rc_schedule *s,
                       const uint64_t *Ns, size_t count, size_t batch, double sigma2, double *risk,
                       rc_risk *parts) {
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_from_sketch(pb->spectrum, pb->prior, sketch, &err);
  rc_risk rows[16];
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = batch;
  o.sigma2 = sigma2;
  int status = m ? rc_sgd_risk_curve(m, s, Ns, count, &o, rows, &err) : err.status;
  rc_sgd_measure_free(m);
  if (status) {
    printf("    exact engine: %s\n", err.message);
    return status;
  }
  for (size_t k = 0; k < count; k++) {
    risk[k] = rows[k].risk;
    if (parts)
      parts[k] = rows[k];
  }
  return 0;
}

static int exact_curve(const problem *pb, const rc_sketch *sketch, const rc_schedule *s,
                       const uint64_t *Ns, size_t count, size_t batch, double sigma2,
                       double *risk) {
  return exact_parts(pb, sketch, s, Ns, count, batch, sigma2, risk, NULL);
}

/* The simulated parts against the exact engine's: approx, bias and variance each within K
 * standard errors (a part that is exactly 0, such as the variance without noise, must be 0). */
static void check_parts(const char *what, const rc_mc_risk *out, const rc_risk *exact, size_t count,
                        double *worst) {
  for (size_t k = 0; k < count; k++) {
    const double got[3] = {out[k].approx, out[k].bias, out[k].variance};
    const double se[3] = {out[k].approx_se, out[k].bias_se, out[k].variance_se};
    const double want[3] = {exact[k].approx, exact[k].bias, exact[k].variance};
    const char *name[3] = {"approx", "bias", "variance"};
    for (int q = 0; q < 3; q++) {
      if (se[q] == 0 && got[q] == want[q])
        continue;
      const double z = (got[q] - want[q]) / se[q];
      *worst = fmax(*worst, fabs(z));
      if (!(fabs(z) <= K_SE)) {
        char b[256];
        snprintf(b, sizeof b, "%s: N = %llu %s %.17g, exact %.17g, se %.3g: z = %.2f", what,
                 (unsigned long long)out[k].N, name[q], got[q], want[q], se[q], z);
        rc_test_fail_(__FILE__, __LINE__, b);
      }
    }
  }
}

static int simulate(const problem *pb, rc_mc_mode mode, const rc_schedule *s, const uint64_t *Ns,
                    size_t count, size_t batch, double sigma2, size_t runs, uint64_t seed,
                    rc_mc_risk *out) {
  rc_error err = {0, ""};
  rc_mc_options o = rc_mc_options_default();
  o.mode = mode;
  o.batch = batch;
  o.sigma2 = sigma2;
  o.runs = runs;
  o.seed = seed;
  int status =
      rc_mc_risk_curve(pb->spectrum, pb->prior, pb->sketch, 0, s, Ns, count, &o, out, &err);
  if (status)
    printf("    simulation: %s\n", err.message);
  return status;
}

/* |mean - exact| <= K se, printing the z-scores. */
static void check_against_exact(const char *what, const rc_mc_risk *out, const double *exact,
                                size_t count) {
  for (size_t k = 0; k < count; k++) {
    const double z = (out[k].mean - exact[k]) / out[k].se;
    if (!(fabs(z) <= K_SE)) {
      char b[256];
      snprintf(b, sizeof b, "%s: N = %llu mean %.17g, exact %.17g, se %.3g: z = %.2f", what,
               (unsigned long long)out[k].N, out[k].mean, exact[k], out[k].se, z);
      rc_test_fail_(__FILE__, __LINE__, b);
    }
    CHECK(out[k].se > 0 && out[k].se < 0.05 * out[k].mean); /* the test has power */
  }
}

/* Two independent-stream estimates of the same mean: |m1 - m2| <= K sqrt(se1^2 + se2^2). Runs
 * of equal index share w* (drawn first in both modes), which correlates them positively and
 * makes this bound conservative. */
static void check_two(const char *what, const rc_mc_risk *a, const rc_mc_risk *b, size_t count) {
  for (size_t k = 0; k < count; k++) {
    const double se = sqrt(a[k].se * a[k].se + b[k].se * b[k].se);
    const double z = (a[k].mean - b[k].mean) / se;
    if (!(fabs(z) <= K_SE)) {
      char buf[256];
      snprintf(buf, sizeof buf, "%s: N = %llu means %.17g and %.17g, se %.3g: z = %.2f", what,
               (unsigned long long)a[k].N, a[k].mean, b[k].mean, se, z);
      rc_test_fail_(__FILE__, __LINE__, buf);
    }
  }
}

/* One configuration: reduced with many runs against exact, raw against exact and reduced. */
static void check_config(const char *what, size_t d, double a, double b, size_t M,
                         const char *schedule, double gamma, size_t batch, double sigma2,
                         size_t reduced_runs, size_t raw_runs) {
  problem pb = problem_make(d, a, b, M, 11);
  rc_schedule *s = rc_schedule_parse(schedule, gamma, NULL);
  const uint64_t Ns[] = {3, 40, 250};
  double exact[3], worst = 0;
  rc_risk parts[3];
  rc_mc_risk red[3], raw[3];
  CHECK_STATUS(exact_parts(&pb, pb.sketch, s, Ns, 3, batch, sigma2, exact, parts), RC_SUCCESS);
  CHECK_STATUS(simulate(&pb, RC_MC_REDUCED, s, Ns, 3, batch, sigma2, reduced_runs, 5, red),
               RC_SUCCESS);
  check_against_exact(what, red, exact, 3);
  check_parts(what, red, parts, 3, &worst);
  if (raw_runs) {
    CHECK_STATUS(simulate(&pb, RC_MC_RAW, s, Ns, 3, batch, sigma2, raw_runs, 6, raw), RC_SUCCESS);
    check_against_exact(what, raw, exact, 3);
    check_parts(what, raw, parts, 3, &worst);
    check_two(what, raw, red, 3);
  }
  printf("    %s: parts (approx, bias, variance) within max |z| = %.2f of the exact engine\n", what,
         worst);
  rc_schedule_free(s);
  problem_free(&pb);
}

static void test_geometric_b1(void) {
  check_config("d 60 M 12 geometric B 1", 60, 1.5, -1, 12, "geometric", 0.3, 1, 0.5, 3000, 1000);
}

static void test_const_b4_source(void) {
  check_config("d 50 M 10 const B 4 b 1.2", 50, 2.0, 1.2, 10, "const", 0.5, 4, 0.2, 3000, 800);
}

static void test_step_b3(void) {
  check_config("d 40 M 16 step B 3", 40, 1.5, -1, 16, "step:20:0.5", 0.4, 3, 1.0, 3000, 800);
}

/* M > d: G is singular and v* uses the pseudo-inverse; Approx = 0. */
static void test_singular_poly_b2(void) {
  check_config("d 20 M 32 poly B 2", 20, 1.5, -1, 32, "poly:10:0.5", 0.2, 2, 0.3, 3000, 800);
}

/* A mini-batch larger than one block of rows (2^18 / d = 131 rows at d = 2000): the gradient
 * is accumulated over blocks, the last one of 2 rows on the dgemv path. A flat spectrum
 * lambda_i = 1/d keeps the run-to-run spread of Approx(S, w*) at a few percent, so that the
 * SGD part of the risk (which a lost or doubled block would change by order 1) is many
 * standard errors large. */
static void test_raw_blocked_batch(void) {
  enum { D = 2000, M = 64, B = 133 };
  double *flat = malloc(D * sizeof *flat);
  for (size_t i = 0; i < D; i++)
    flat[i] = 1.0 / D;
  problem pb = problem_make(D, 1.5, -1, M, 3);
  rc_spectrum_free(pb.spectrum);
  pb.spectrum = rc_spectrum_values_alloc(flat, D, NULL);
  free(flat);
  rc_sgd_measure *m = rc_sgd_measure_from_sketch(pb.spectrum, pb.prior, pb.sketch, NULL);
  double g_stable = 0;
  rc_sgd_stable_gamma(m, B, &g_stable, NULL);
  rc_sgd_measure_free(m);
  rc_schedule *s = rc_schedule_parse("const", 0.5 * g_stable, NULL);
  const uint64_t Ns[] = {1, 3};
  double exact[2], zero[1];
  const uint64_t one[] = {1};
  rc_mc_risk raw[2];
  CHECK_STATUS(exact_curve(&pb, pb.sketch, s, Ns, 2, B, 0.1, exact), RC_SUCCESS);
  CHECK_STATUS(simulate(&pb, RC_MC_RAW, s, Ns, 2, B, 0.1, 100, 2, raw), RC_SUCCESS);
  check_against_exact("blocked batch", raw, exact, 2);
  /* The risk before any step (a vanishing step), to size the SGD part. */
  rc_schedule *tiny = rc_schedule_parse("const", 1e-300, NULL);
  CHECK_STATUS(exact_curve(&pb, pb.sketch, tiny, one, 1, B, 0.1, zero), RC_SUCCESS);
  /* Steps with a gradient built from the last block only (2 of 133 rows) would leave the risk
   * near its starting value: the first step moves it by more than 20 se (measured: 34 with
   * 100 runs; the se of 32 runs ranged over 0.006..0.011 from seed to seed, 17..30 se). */
  CHECK(fabs(exact[0] - zero[0]) > 20 * raw[0].se);
  rc_schedule_free(tiny);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* The standard error is the standard deviation of the mean: over 100 seeds of 20 runs each,
 * the spread of the 100 means matches the root-mean-square reported se. The sample standard
 * deviation of 100 near-normal means has relative error 1/sqrt(2 * 99) = 0.071, so K = 4 of
 * them allow [0.72, 1.28]; se = sd / R or se = sd would give 0.22 or 4.5. */
static void test_se_calibration(void) {
  problem pb = problem_make(30, 1.5, -1, 6, 4);
  rc_schedule *s = rc_schedule_parse("const", 0.1, NULL);
  const uint64_t Ns[] = {50};
  enum { SEEDS = 100 };
  double means[SEEDS], se2 = 0, mean = 0;
  for (int k = 0; k < SEEDS; k++) {
    rc_mc_risk out[1];
    CHECK_STATUS(simulate(&pb, RC_MC_REDUCED, s, Ns, 1, 1, 0.5, 20, 1000 + (uint64_t)k, out),
                 RC_SUCCESS);
    means[k] = out[0].mean;
    se2 += out[0].se * out[0].se / SEEDS;
    mean += out[0].mean / SEEDS;
  }
  double var = 0;
  for (int k = 0; k < SEEDS; k++)
    var += (means[k] - mean) * (means[k] - mean) / (SEEDS - 1);
  const double ratio = sqrt(var) / sqrt(se2);
  CHECK(ratio > 1 - K_SE * 0.071 && ratio < 1 + K_SE * 0.071);
  if (!(ratio > 0.72 && ratio < 1.28))
    printf("    spread of means / rms se = %.4f\n", ratio);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* Raw and reduced draw the same random variable, so their run-to-run spreads agree too (using
 * E Approx instead of each run's own Approx(S, w*) as the reduced noise would keep the mean
 * but change the spread). The ratio of two sample standard deviations of R runs has relative
 * error sqrt((k1 - 1) / 4R + (k2 - 1) / 4R) (delta method, k = fourth moment / variance^2,
 * estimated from the runs themselves). */
static void spread(const double *x, size_t n, double *sd, double *kurt) {
  double m = 0, m2 = 0, m4 = 0;
  for (size_t i = 0; i < n; i++)
    m += x[i] / (double)n;
  for (size_t i = 0; i < n; i++) {
    const double e = (x[i] - m) * (x[i] - m);
    m2 += e / (double)n;
    m4 += e * e / (double)n;
  }
  *sd = sqrt(m2);
  *kurt = m4 / (m2 * m2);
}

static void test_spread_raw_vs_reduced(void) {
  /* sigma2 = 0 and a strong signal so that the noise term, and with it Approx(S, w*) as a noise
   * level, is a sizeable part of the spread. */
  problem pb = problem_make(40, 1.2, -1, 8, 9);
  rc_schedule *s = rc_schedule_parse("const", 0.4, NULL);
  const uint64_t Ns[] = {30, 200};
  enum { R = 1500 };
  double *rr = malloc(2 * R * sizeof *rr), *rd = malloc(2 * R * sizeof *rd);
  double *x = malloc(R * sizeof *x), *y = malloc(R * sizeof *y);
  rc_mc_options o = rc_mc_options_default();
  o.runs = R;
  o.sigma2 = 0.0;
  rc_mc_risk out[2];
  o.mode = RC_MC_RAW;
  rc_mc_plan *raw = rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, NULL);
  CHECK_STATUS(rc_mc_plan_run(raw, s, Ns, 2, &o, out, rr, NULL), RC_SUCCESS);
  o.mode = RC_MC_REDUCED;
  o.seed = 2;
  rc_mc_plan *red = rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, NULL);
  CHECK_STATUS(rc_mc_plan_run(red, s, Ns, 2, &o, out, rd, NULL), RC_SUCCESS);
  for (size_t k = 0; k < 2; k++) {
    for (size_t r = 0; r < R; r++) {
      x[r] = rr[r * 2 + k];
      y[r] = rd[r * 2 + k];
    }
    double s1, k1, s2, k2;
    spread(x, R, &s1, &k1);
    spread(y, R, &s2, &k2);
    const double rel = sqrt((k1 - 1) / (4.0 * R) + (k2 - 1) / (4.0 * R));
    CHECK(fabs(log(s1 / s2)) <= K_SE * rel);
    if (!(fabs(log(s1 / s2)) <= K_SE * rel))
      printf("    N = %llu: sd raw %.6g reduced %.6g (allowed relative %.3g)\n",
             (unsigned long long)Ns[k], s1, s2, K_SE * rel);
  }
  rc_mc_plan_free(raw);
  rc_mc_plan_free(red);
  free(rr);
  free(rd);
  free(x);
  free(y);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* Every run's result depends on (seed, run) only: identical for 1 and 2 threads (all runs,
 * bit for bit), a run's value does not depend on how many runs there are, and another seed
 * changes it. */
static void check_threads(rc_mc_mode mode, int resketch, const char *schedule, size_t batch) {
  problem pb = problem_make(30, 1.5, -1, 7, 2);
  rc_schedule *s = rc_schedule_parse(schedule, 0.3, NULL);
  const uint64_t Ns[] = {64, 8, 200};
  enum { R = 24 };
  double r1[3 * R], r2[3 * R], r3[3 * R], r4[3 * 10];
  rc_mc_risk o1[3], o2[3], o3[3], o4[3];
  rc_mc_options o = rc_mc_options_default();
  o.mode = mode;
  o.resketch = resketch;
  o.runs = R;
  o.batch = batch;
  o.seed = 77;
  const rc_sketch *sk = resketch ? NULL : pb.sketch;
  rc_mc_plan *plan = rc_mc_plan_alloc(pb.spectrum, pb.prior, sk, 7, &o, NULL);
  CHECK(plan != NULL);
  o.threads = 1;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 3, &o, o1, r1, NULL), RC_SUCCESS);
  o.threads = 2;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 3, &o, o2, r2, NULL), RC_SUCCESS);
  CHECK(memcmp(r1, r2, sizeof r1) == 0);
  CHECK(memcmp(o1, o2, sizeof o1) == 0);
  o.runs = 10;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 3, &o, o4, r4, NULL), RC_SUCCESS);
  CHECK(memcmp(r1, r4, sizeof r4) == 0);
  o.runs = R;
  o.seed = 78;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 3, &o, o3, r3, NULL), RC_SUCCESS);
  for (size_t k = 0; k < 3; k++)
    CHECK(o3[k].mean != o1[k].mean);
  rc_mc_plan_free(plan);
  rc_schedule_free(s);
  problem_free(&pb);
}

static void test_threads_reduced(void) {
  check_threads(RC_MC_REDUCED, 0, "geometric", 2);
  check_threads(RC_MC_REDUCED, 0, "const", 2);
  check_threads(RC_MC_REDUCED, 0, "geometric", 1); /* the one-sample update path */
}

static void test_threads_raw(void) {
  check_threads(RC_MC_RAW, 0, "geometric", 2);
}

static void test_threads_resketch(void) {
  check_threads(RC_MC_REDUCED, 1, "step:50:0.5", 2);
  check_threads(RC_MC_RAW, 1, "const", 2);
}

/* OpenBLAS's thread control (weak: the check is skipped with another BLAS). */
extern void openblas_set_num_threads(int num_threads) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

/* The BLAS thread count is the caller's choice: a simulation leaves it as the caller set it
 * (a host such as numpy shares OpenBLAS), and with one BLAS thread, as the tool sets it,
 * repeated simulations agree bit for bit. */
static void test_blas_threads(void) {
  if (!openblas_set_num_threads || !openblas_get_num_threads) {
    printf("    (not OpenBLAS: skipped)\n");
    return;
  }
  problem pb = problem_make(300, 1.5, -1, 100, 2);
  rc_schedule *s = rc_schedule_parse("const", 0.1, NULL);
  const uint64_t Ns[] = {3, 9};
  for (int mode = 0; mode < 2; mode++) {
    double r[3][16];
    rc_mc_risk out[3][2];
    rc_mc_options o = rc_mc_options_default();
    o.mode = mode ? RC_MC_RAW : RC_MC_REDUCED;
    o.runs = 8;
    o.batch = mode ? 1 : 128; /* S x by dgemv (raw); Z^T y over 128 x 100 (reduced) */
    const int threads[3] = {2, 1, 1};
    for (int t = 0; t < 3; t++) {
      openblas_set_num_threads(threads[t]);
      rc_mc_plan *plan = rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, NULL);
      CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &o, out[t], r[t], NULL), RC_SUCCESS);
      CHECK(openblas_get_num_threads() == threads[t]);
      rc_mc_plan_free(plan);
    }
    CHECK(memcmp(r[1], r[2], sizeof r[1]) == 0);
  }
  openblas_set_num_threads(1);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* One pass records every N (horizon-independent schedules), and a geometric run of horizon N
 * is the same whatever other horizons are asked for. */
static void test_horizons(void) {
  problem pb = problem_make(30, 1.5, -1, 7, 2);
  rc_mc_options o = rc_mc_options_default();
  o.runs = 6;
  rc_mc_plan *plan = rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, NULL);
  const char *specs[] = {"const", "geometric"};
  for (size_t q = 0; q < 2; q++) {
    rc_schedule *s = rc_schedule_parse(specs[q], 0.3, NULL);
    const uint64_t both[] = {150, 40}, one[] = {150};
    double rb[12], ro[6];
    rc_mc_risk ob[2], oo[1];
    CHECK_STATUS(rc_mc_plan_run(plan, s, both, 2, &o, ob, rb, NULL), RC_SUCCESS);
    CHECK_STATUS(rc_mc_plan_run(plan, s, one, 1, &o, oo, ro, NULL), RC_SUCCESS);
    for (size_t r = 0; r < 6; r++)
      CHECK(rb[r * 2] == ro[r]);
    CHECK(ob[0].N == 150 && ob[1].N == 40 && ob[0].M == 7 && ob[0].runs == 6);
    rc_schedule_free(s);
  }
  rc_mc_plan_free(plan);
  problem_free(&pb);
}

/* Raw mode draws its samples ahead of the steps, a block of whole steps at a time: a run sees
 * the same samples in the same order however the walker cuts the steps. A constant step
 * written as stages of 1, 2, 5, 13, ... steps (runs that end inside a block of samples drawn
 * ahead) gives every run's values bit for bit; so does a record inside a block. With a
 * dropped or repeated block of samples the values would differ in every digit. */
static void test_raw_samples_ahead(void) {
  problem pb = problem_make(60, 1.5, -1, 8, 6);
  const size_t batches[] = {1, 3};
  for (size_t q = 0; q < 2; q++) {
    rc_mc_options o = rc_mc_options_default();
    o.mode = RC_MC_RAW;
    o.runs = 4;
    o.batch = batches[q];
    o.sigma2 = 0.3;
    rc_mc_plan *plan = rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, NULL);
    enum { N = 2000, K = 40 };
    uint64_t count[K];
    double gamma[K];
    uint64_t total = 0;
    size_t k = 0;
    for (uint64_t c = 1; total < N; c = c * 2 + 1, k++) {
      count[k] = total + c > N ? N - total : c;
      gamma[k] = 0.2;
      total += count[k];
    }
    rc_schedule *cst = rc_schedule_parse("const", 0.2, NULL);
    rc_schedule *stg = rc_schedule_stages_alloc(count, gamma, k, NULL);
    const uint64_t Ns[] = {N, 77}, one[] = {N};
    rc_mc_risk a[2], b[2], c1[1];
    double ra[8], rb[8], rc1[4];
    CHECK_STATUS(rc_mc_plan_run(plan, cst, Ns, 2, &o, a, ra, NULL), RC_SUCCESS);
    CHECK_STATUS(rc_mc_plan_run(plan, stg, Ns, 2, &o, b, rb, NULL), RC_SUCCESS);
    CHECK_STATUS(rc_mc_plan_run(plan, cst, one, 1, &o, c1, rc1, NULL), RC_SUCCESS);
    for (size_t r = 0; r < 8; r++)
      CHECK(ra[r] == rb[r]);
    for (size_t r = 0; r < 4; r++)
      CHECK(ra[r * 2] == rc1[r]);
    /* the record inside a block is a real one: every run's value at N = 77 differs from its
     * value at N = 2000 (the mean over these 4 runs need not be larger at 77 under a constant
     * step, and with the Philox streams it is not: 1.009 against 1.198 at batch 1) */
    CHECK(a[1].N == 77);
    for (size_t r = 0; r < 4; r++)
      CHECK(ra[r * 2 + 1] != ra[r * 2]);
    rc_schedule_free(cst);
    rc_schedule_free(stg);
    rc_mc_plan_free(plan);
  }
  problem_free(&pb);
}

/* With resketch, run r's sketch is the first draw of its stream (mt19937: made like
 * rc_sketch_gaussian_alloc; Philox: the stream's first M d draws times 1/sqrt(M), row by row):
 * the simulated mean must match the mean of the exact risks of those very sketches (the
 * between-sketch spread then cancels; the se still contains it, so the check is conservative). */
static void test_resketch_matches_its_sketches(void) {
  enum { R = 400, MS = 8, DS = 40 };
  problem pb = problem_make(DS, 1.5, -1, MS, 1);
  rc_schedule *s = rc_schedule_parse("geometric", 0.1, NULL);
  const uint64_t Ns[] = {20, 120};
  for (int gen = 0; gen < 2; gen++) {
    const rc_mc_generator generator = gen ? RC_MC_GENERATOR_MT19937 : RC_MC_GENERATOR_PHILOX;
    double avg[2] = {0, 0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double S[MS * DS];
    for (size_t r = 0; r < R; r++) {
      rc_sketch *sk;
      if (generator == RC_MC_GENERATOR_MT19937) {
        gsl_rng_set(rng, rc_mc_run_seed(31, r));
        sk = rc_sketch_gaussian_alloc(MS, DS, rng, NULL);
      } else {
        rc_normal_stream ns;
        rc_normal_init(&ns, 31, r);
        rc_normal_fill(&ns, MS * DS, S);
        for (size_t k = 0; k < MS * DS; k++)
          S[k] *= 1.0 / sqrt((double)MS);
        sk = rc_sketch_values_alloc(S, MS, DS, NULL);
      }
      double ex[2];
      CHECK_STATUS(exact_curve(&pb, sk, s, Ns, 2, 1, 0.4, ex), RC_SUCCESS);
      avg[0] += ex[0] / R;
      avg[1] += ex[1] / R;
      rc_sketch_free(sk);
    }
    gsl_rng_free(rng);
    for (int mode = 0; mode < 2; mode++) {
      rc_mc_options o = rc_mc_options_default();
      o.mode = mode ? RC_MC_RAW : RC_MC_REDUCED;
      o.resketch = 1;
      o.runs = R;
      o.seed = 31;
      o.sigma2 = 0.4;
      o.generator = generator;
      rc_mc_risk out[2];
      rc_error err = {0, ""};
      CHECK_STATUS(rc_mc_risk_curve(pb.spectrum, pb.prior, NULL, MS, s, Ns, 2, &o, out, &err),
                   RC_SUCCESS);
      char what[64];
      snprintf(what, sizeof what, "resketch %s %s", mode ? "raw" : "reduced",
               rc_mc_generator_name(generator));
      check_against_exact(what, out, avg, 2);
    }
  }
  rc_schedule_free(s);
  problem_free(&pb);
}

static int cmp_u32(const void *pa, const void *pb) {
  const uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  return a < b ? -1 : a > b;
}

/* Distinct generator seeds for the runs of one seed (a bijection of seed hash + r); the
 * value depends on (seed, r) only; different seeds give different streams. */
static void test_run_seeds(void) {
  enum { R = 100000 };
  uint32_t *v = malloc(R * sizeof *v);
  for (uint32_t r = 0; r < R; r++)
    v[r] = rc_mc_run_seed(12345, r);
  qsort(v, R, sizeof *v, cmp_u32);
  int distinct = 1;
  for (size_t i = 0; i + 1 < R; i++)
    distinct &= v[i] != v[i + 1];
  CHECK(distinct);
  CHECK(rc_mc_run_seed(1, 0) != rc_mc_run_seed(2, 0));
  CHECK(rc_mc_run_seed(1, 5) == rc_mc_run_seed(1, 5));
  CHECK(rc_mc_run_seed((uint64_t)1 << 40, 0) != rc_mc_run_seed(0, 0)); /* high bits count */
  free(v);
}

/* The same refusal as the exact engine for a step that is not mean-square stable. */
static void test_unstable(void) {
  problem pb = problem_make(30, 1.5, -1, 7, 2);
  rc_schedule *s = rc_schedule_parse("const", 50.0, NULL);
  const uint64_t Ns[] = {10};
  rc_mc_risk out[1];
  rc_error err = {0, ""};
  rc_sgd_measure *m = rc_sgd_measure_from_sketch(pb.spectrum, pb.prior, pb.sketch, NULL);
  rc_sgd_options so = rc_sgd_options_default();
  rc_risk row[1];
  CHECK_STATUS(rc_sgd_risk_curve(m, s, Ns, 1, &so, row, &err), RC_EUNSTABLE);
  rc_sgd_measure_free(m);
  for (int mode = 0; mode < 2; mode++)
    for (int resketch = 0; resketch < 2; resketch++) {
      rc_mc_options o = rc_mc_options_default();
      o.mode = mode ? RC_MC_RAW : RC_MC_REDUCED;
      o.resketch = resketch;
      o.runs = 8;
      rc_error_clear(&err);
      CHECK_STATUS(rc_mc_risk_curve(pb.spectrum, pb.prior, resketch ? NULL : pb.sketch, 7, s, Ns, 1,
                                    &o, out, &err),
                   RC_EUNSTABLE);
      CHECK(strstr(err.message, "stable") != NULL);
      if (resketch)
        CHECK(strstr(err.message, "run 0") != NULL); /* the lowest failing run, always */
    }
  rc_schedule_free(s);
  problem_free(&pb);
}

/* A non-finite risk is refused, never returned: sigma2 = DBL_MAX overflows the risk. */
static void test_nonfinite_guard(void) {
  problem pb = problem_make(30, 1.5, -1, 7, 2);
  rc_schedule *s = rc_schedule_parse("const", 0.3, NULL);
  const uint64_t Ns[] = {10};
  for (int mode = 0; mode < 2; mode++) {
    rc_mc_risk out[1];
    rc_error err = {0, ""};
    rc_mc_options o = rc_mc_options_default();
    o.mode = mode ? RC_MC_RAW : RC_MC_REDUCED;
    o.runs = 4;
    o.sigma2 = DBL_MAX;
    CHECK_STATUS(rc_mc_risk_curve(pb.spectrum, pb.prior, pb.sketch, 0, s, Ns, 1, &o, out, &err),
                 RC_EUNSTABLE);
    CHECK(strstr(err.message, "not finite") != NULL);
  }
  rc_schedule_free(s);
  problem_free(&pb);
}

static int cancel_after(void *context, double fraction) {
  int *calls = context;
  CHECK(fraction >= 0 && fraction <= 1);
  return ++*calls >= 3;
}

static int count_calls(void *context, double fraction) {
  double *last = context;
  CHECK(fraction >= last[0] && fraction <= 1 + 1e-12);
  last[0] = fraction;
  last[1] += 1;
  return 0;
}

static void test_progress_and_cancel(void) {
  problem pb = problem_make(30, 1.5, -1, 7, 2);
  rc_schedule *s = rc_schedule_parse("const", 0.3, NULL);
  const uint64_t Ns[] = {20000};
  rc_mc_risk out[1];
  rc_error err = {0, ""};
  rc_mc_options o = rc_mc_options_default();
  o.runs = 4;
  o.threads = 1;
  double last[2] = {0, 0};
  o.progress = count_calls;
  o.progress_context = last;
  CHECK_STATUS(rc_mc_risk_curve(pb.spectrum, pb.prior, pb.sketch, 0, s, Ns, 1, &o, out, &err),
               RC_SUCCESS);
  CHECK(last[1] >= 4);
  CHECK_ABS(last[0], 1.0, 1e-12);
  /* Progress comes from thread 0 only: if thread 1 finished every run before thread 0 started
   * one (seen once in four at load 4 with 4 runs of 1 ms), nothing would be cancelled. 16 runs
   * of 1e5 steps leave thread 1 alone for about 100 ms of work. */
  int calls = 0;
  const uint64_t long_N[] = {100000};
  o.runs = 16;
  o.progress = cancel_after;
  o.progress_context = &calls;
  o.threads = 2;
  CHECK_STATUS(rc_mc_risk_curve(pb.spectrum, pb.prior, pb.sketch, 0, s, long_N, 1, &o, out, &err),
               RC_ECANCEL);
  rc_schedule_free(s);
  problem_free(&pb);
}

/* rc_mc_cost: 2 M (reduced) or 1.5 M d (raw) per sample, times batch, steps and runs; the
 * steps of a horizon-dependent schedule add up over the distinct N; resketch adds an SVD per
 * run. rc_mc_options_check gives the reasons. */
static void test_cost_and_check(void) {
  rc_cost c;
  rc_error err = {0, ""};
  rc_mc_options o = rc_mc_options_default();
  rc_schedule *cst = rc_schedule_parse("const", 0.1, NULL);
  rc_schedule *geo = rc_schedule_parse("geometric", 0.1, NULL);
  const uint64_t Ns[] = {1000, 100, 1000};
  CHECK_STATUS(rc_mc_cost(8, 50, cst, Ns, 3, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 100.0 * 1000 * 2 * 8);
  CHECK_STATUS(rc_mc_cost(8, 50, geo, Ns, 3, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 100.0 * 1100 * 2 * 8);
  o.mode = RC_MC_RAW;
  o.batch = 4;
  CHECK_STATUS(rc_mc_cost(8, 50, cst, Ns, 3, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates == 100.0 * 1000 * 4 * 1.5 * 50 * 8);
  const double raw_bytes = c.bytes;
  CHECK(raw_bytes > 8.0 * 8 * 50);
  o.resketch = 1;
  CHECK_STATUS(rc_mc_cost(8, 50, cst, Ns, 3, &o, &c, &err), RC_SUCCESS);
  CHECK(c.updates > 100.0 * 1000 * 4 * 1.5 * 50 * 8);
  o = rc_mc_options_default();
  o.runs = 1;
  CHECK_STATUS(rc_mc_cost(8, 50, cst, Ns, 3, &o, &c, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_options_check(&o, &err), RC_EINVAL);
  CHECK(strstr(err.message, "2 runs") != NULL);
  o = rc_mc_options_default();
  o.sigma2 = -1;
  CHECK_STATUS(rc_mc_options_check(&o, &err), RC_EINVAL);
  o = rc_mc_options_default();
  o.threads = -2;
  CHECK_STATUS(rc_mc_options_check(&o, &err), RC_EINVAL);
  o = rc_mc_options_default();
  o.mode = (rc_mc_mode)7;
  CHECK_STATUS(rc_mc_options_check(&o, &err), RC_EINVAL);
  o = rc_mc_options_default();
  CHECK_STATUS(rc_mc_options_check(&o, &err), RC_SUCCESS);
  CHECK_STATUS(rc_mc_cost(0, 50, cst, Ns, 3, &o, &c, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_cost(8, 50, cst, Ns, 0, &o, &c, &err), RC_EINVAL);
  rc_schedule_free(cst);
  rc_schedule_free(geo);
}

static void test_errors(void) {
  problem pb = problem_make(30, 1.5, -1, 7, 2);
  problem other = problem_make(31, 1.5, -1, 7, 2);
  rc_schedule *s = rc_schedule_parse("const", 0.3, NULL);
  rc_error err = {0, ""};
  rc_mc_options o = rc_mc_options_default();
  /* Plans. */
  CHECK(rc_mc_plan_alloc(pb.spectrum, pb.prior, NULL, 7, &o, &err) == NULL);
  CHECK_STATUS(err.status, RC_EINVAL);
  CHECK(rc_mc_plan_alloc(pb.spectrum, pb.prior, other.sketch, 0, &o, &err) == NULL);
  CHECK(strstr(err.message, "31") != NULL);
  CHECK(rc_mc_plan_alloc(pb.spectrum, other.prior, pb.sketch, 0, &o, &err) == NULL);
  CHECK(rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 8, &o, &err) == NULL);
  CHECK(rc_mc_plan_alloc(NULL, pb.prior, pb.sketch, 0, &o, &err) == NULL);
  o.resketch = 1;
  CHECK(rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 7, &o, &err) == NULL);
  CHECK(rc_mc_plan_alloc(pb.spectrum, pb.prior, NULL, 0, &o, &err) == NULL);
  o.resketch = 0;
  o.mode = (rc_mc_mode)7;
  CHECK(rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, &err) == NULL);
  o.mode = RC_MC_REDUCED;
  /* Runs. */
  rc_mc_plan *plan = rc_mc_plan_alloc(pb.spectrum, pb.prior, pb.sketch, 0, &o, &err);
  CHECK(plan != NULL);
  const uint64_t Ns[] = {10, 20}, zero[] = {10, 0};
  rc_mc_risk out[2];
  rc_mc_options bad = o;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_SUCCESS);
  bad.runs = 1;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  CHECK(strstr(err.message, "2 runs") != NULL);
  bad = o;
  bad.batch = 0;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  bad = o;
  bad.sigma2 = -1;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  bad.sigma2 = NAN;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  bad = o;
  bad.threads = -1;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  bad = o;
  bad.generator = (rc_mc_generator)7;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  CHECK(strstr(err.message, "generator") != NULL);
  rc_mc_generator gen;
  CHECK_STATUS(rc_mc_generator_parse("philox", &gen, &err), RC_SUCCESS);
  CHECK(gen == RC_MC_GENERATOR_PHILOX);
  CHECK_STATUS(rc_mc_generator_parse("mt19937", &gen, &err), RC_SUCCESS);
  CHECK(gen == RC_MC_GENERATOR_MT19937);
  CHECK_STATUS(rc_mc_generator_parse("ziggurat", &gen, &err), RC_EINVAL);
  CHECK(strstr(err.message, "philox or mt19937") != NULL);
  CHECK_STATUS(rc_mc_generator_parse(NULL, &gen, &err), RC_EINVAL);
  CHECK(strcmp(rc_mc_generator_name(RC_MC_GENERATOR_PHILOX), "philox") == 0);
  CHECK(strcmp(rc_mc_generator_name((rc_mc_generator)7), "unknown") == 0);
  bad = o;
  bad.mode = RC_MC_RAW;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  CHECK(strstr(err.message, "plan") != NULL);
  bad = o;
  bad.resketch = 1;
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 2, &bad, out, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_plan_run(plan, s, zero, 2, &o, out, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_plan_run(plan, s, Ns, 0, &o, out, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_plan_run(plan, NULL, Ns, 2, &o, out, NULL, &err), RC_EINVAL);
  CHECK_STATUS(rc_mc_plan_run(NULL, s, Ns, 2, &o, out, NULL, &err), RC_EINVAL);
  /* A file schedule holds a limited number of steps. */
  FILE *f = fopen("test_mc_schedule.tmp", "w");
  fprintf(f, "0.1\n0.1\n0.05\n");
  fclose(f);
  rc_schedule *fs = rc_schedule_parse("file:test_mc_schedule.tmp", 0, NULL);
  remove("test_mc_schedule.tmp");
  const uint64_t three[] = {3}, four[] = {4};
  CHECK_STATUS(rc_mc_plan_run(plan, fs, three, 1, &o, out, NULL, &err), RC_SUCCESS);
  CHECK_STATUS(rc_mc_plan_run(plan, fs, four, 1, &o, out, NULL, &err), RC_EINVAL);
  rc_schedule_free(fs);
  rc_mc_plan_free(plan);
  rc_mc_plan_free(NULL);
  /* Modes. */
  rc_mc_mode mode;
  CHECK_STATUS(rc_mc_mode_parse("raw", &mode, &err), RC_SUCCESS);
  CHECK(mode == RC_MC_RAW);
  CHECK_STATUS(rc_mc_mode_parse("reduced", &mode, &err), RC_SUCCESS);
  CHECK(mode == RC_MC_REDUCED);
  CHECK_STATUS(rc_mc_mode_parse("Raw", &mode, &err), RC_EINVAL);
  CHECK(strstr(err.message, "raw or reduced") != NULL);
  CHECK(strcmp(rc_mc_mode_name(RC_MC_RAW), "raw") == 0);
  rc_schedule_free(s);
  problem_free(&pb);
  problem_free(&other);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_geometric_b1);
  RUN_TEST(test_const_b4_source);
  RUN_TEST(test_step_b3);
  RUN_TEST(test_singular_poly_b2);
  RUN_TEST(test_raw_blocked_batch);
  RUN_TEST(test_se_calibration);
  RUN_TEST(test_spread_raw_vs_reduced);
  RUN_TEST(test_threads_reduced);
  RUN_TEST(test_threads_raw);
  RUN_TEST(test_threads_resketch);
  RUN_TEST(test_blas_threads);
  RUN_TEST(test_horizons);
  RUN_TEST(test_raw_samples_ahead);
  RUN_TEST(test_resketch_matches_its_sketches);
  RUN_TEST(test_run_seeds);
  RUN_TEST(test_unstable);
  RUN_TEST(test_nonfinite_guard);
  RUN_TEST(test_progress_and_cancel);
  RUN_TEST(test_errors);
  RUN_TEST(test_cost_and_check);
  TEST_MAIN_END("test_mc");
}
