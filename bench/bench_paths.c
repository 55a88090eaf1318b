/* bench/bench_paths.c -- each fast path of issue 12 against the path it replaces, in the same
 * run: the step-by-step recursion (the per-step loop as it was: coefficients with a divide per
 * atom, three passes, sequential sums; against the fused vectorised kernel; poly, cosine and a
 * schedule given step by step), raw Monte Carlo's products (one dgemv a sample against one
 * dgemm over the samples drawn ahead), the exact
 * engine's set-up (the thin SVD of a stored S H^1/2; against the Gram path on the stored
 * sketch and on a sketch generated block by block), and the Gaussian generator (GSL's default
 * gsl_ran_gaussian, Box-Muller polar, against gsl_ran_gaussian_ziggurat on mt19937; and that
 * ziggurat against the Philox streams of src/core/normal.h, filled 129 at a time as the reduced
 * Monte Carlo does at M = 128, and 2001 at a time as raw mode does at d = 2000). Times are CPU
 * seconds of this process (one thread, OPENBLAS_NUM_THREADS=1), medians of 3 repetitions, so the
 * rates are per core even on a shared machine. Compiled with -Isrc for the SVD workspace. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/normal.h"
#include "linear/sketch_svd.h"
#include "riskcalc/riskcalc.h"

#define REPS 3

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double median3(double *t) {
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (t[j] < t[i]) {
        const double x = t[i];
        t[i] = t[j];
        t[j] = x;
      }
  return t[1];
}

static void die(const char *what, const rc_error *err) {
  fprintf(stderr, "bench_paths: %s: %s\n", what, err ? err->message : "failed");
  exit(1);
}

static void row(const char *path, const char *size, const char *old_name, double old_s,
                const char *new_name, double new_s, double work, const char *unit) {
  printf("%-10s %-16s %-16s %9.4f %-18s %9.4f %7.2f %10.3g %s\n", path, size, old_name, old_s,
         new_name, new_s, old_s / new_s, work / new_s, unit);
}

/* ---- the step-by-step path ---- */

/* The recursion as src/linear/sgd.c ran it before issue 12 (kept here as the reference). */
static double old_steps(const rc_measure *m, const rc_schedule *s, uint64_t N, double B, double s2,
                        double *bias, double *var, double *a) {
  const size_t n = m->n;
  memcpy(bias, m->c0, n * sizeof(double));
  memset(var, 0, n * sizeof(double));
  for (uint64_t t = 0; t < N; t++) {
    const double g = rc_schedule_gamma(s, t, N), h = g * g / B;
    for (size_t j = 0; j < n; j++) {
      const double x = g * m->mu[j];
      a[j] = (1.0 - x) * (1.0 - x) + x * x / B;
    }
    double eb = 0, ev = 0;
    for (size_t j = 0; j < n; j++) {
      const double wmu = m->nu[j] * m->mu[j];
      eb += wmu * bias[j];
      ev += wmu * var[j];
    }
    const double fb = h * eb, fv = h * (ev + s2);
    for (size_t j = 0; j < n; j++) {
      bias[j] = a[j] * bias[j] + fb * m->mu[j];
      var[j] = a[j] * var[j] + fv * m->mu[j];
    }
  }
  double e = 0;
  for (size_t j = n; j-- > 0;)
    e += m->nu[j] * m->mu[j] * (bias[j] + var[j]);
  return e;
}

static void bench_step(size_t M, const char *spec, uint64_t N) {
  rc_error err = {0, ""};
  rc_measure *m = rc_measure_alloc(M, &err);
  rc_schedule *s = NULL;
  if (m && strcmp(spec, "file") == 0) {
    /* a schedule given step by step, as a --schedule file:PATH is: one stage per step */
    uint64_t *count = malloc(N * sizeof *count);
    double *gamma = malloc(N * sizeof *gamma);
    if (count && gamma) {
      for (uint64_t t = 0; t < N; t++) {
        count[t] = 1;
        gamma[t] = 0.1 / (1.0 + 1e-3 * (double)t);
      }
      s = rc_schedule_stages_alloc(count, gamma, N, &err);
    }
    free(count);
    free(gamma);
  } else if (m) {
    s = rc_schedule_parse(spec, 0.1, &err);
  }
  double *w = s ? malloc(3 * M * sizeof *w) : NULL;
  if (!w)
    die("step set-up", &err);
  for (size_t j = 0; j < M; j++) {
    m->mu[j] = pow((double)j + 1.0, -1.5);
    m->nu[j] = 1.0;
    m->c0[j] = 1.0;
  }
  m->M = (double)M;
  rc_sgd_options o = rc_sgd_options_default();
  o.step_by_step = 1;
  double t_old[REPS], t_new[REPS], e_old = 0;
  rc_risk r;
  /* one untimed run first: the first pass over fresh pages at a cold clock is slower */
  if (rc_sgd_risk_curve(m, s, &N, 1, &o, &r, &err))
    die("step", &err);
  for (int k = 0; k < REPS; k++) {
    double t0 = cpu();
    e_old = old_steps(m, s, N, 1.0, o.sigma2, w, w + M, w + 2 * M);
    t_old[k] = cpu() - t0;
    t0 = cpu();
    if (rc_sgd_risk_curve(m, s, &N, 1, &o, &r, &err))
      die("step", &err);
    t_new[k] = cpu() - t0;
  }
  char size[64];
  snprintf(size, sizeof size, "M=%zu %s", M, spec);
  row("step", size, "per-step loop", median3(t_old), "fused simd", median3(t_new),
      (double)M * (double)N, "mode-updates/s");
  printf("#   excess risk at N = %llu: old %.17g, new %.17g (relative difference %.2g)\n",
         (unsigned long long)N, e_old, r.excess, fabs(r.excess / e_old - 1));
  free(w);
  rc_schedule_free(s);
  rc_measure_free(m);
}

/* ---- the exact engine's set-up ---- */

static void bench_setup(size_t M, size_t d) {
  rc_error err = {0, ""};
  rc_spectrum *sp = rc_spectrum_power_alloc(d, 1.5, &err);
  rc_prior *pr = sp ? rc_prior_isotropic_alloc(d, &err) : NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double *sqrt_lambda = malloc(d * sizeof *sqrt_lambda);
  if (!pr || !sqrt_lambda)
    die("set-up", &err);
  for (size_t i = 0; i < d; i++)
    sqrt_lambda[i] = sqrt(sp->lambda[i]);
  double t_svd[REPS], t_gram[REPS], t_stream[REPS], t_draw[REPS];
  double approx[2] = {0, 0};
  for (int k = 0; k < REPS; k++) {
    gsl_rng_set(rng, 1);
    double t0 = cpu();
    rc_sketch *sk = rc_sketch_gaussian_alloc(M, d, rng, &err);
    t_draw[k] = cpu() - t0;
    if (!sk)
      die("sketch", &err);
    t0 = cpu();
    rc_sketch_svd *svd = rc_sketch_svd_alloc(M, d, &err);
    if (!svd || rc_sketch_svd_compute(svd, sk->S, sqrt_lambda, &err))
      die("svd", &err);
    t_svd[k] = cpu() - t0;
    rc_sketch_svd_free(svd);
    t0 = cpu();
    rc_measure *m = rc_sgd_measure_from_sketch(sp, pr, sk, &err);
    t_gram[k] = cpu() - t0;
    if (!m)
      die("gram", &err);
    approx[0] = m->approx;
    rc_measure_free(m);
    rc_sketch_free(sk);
    gsl_rng_set(rng, 1);
    t0 = cpu();
    m = rc_sgd_measure_gaussian(sp, pr, M, rng, &err);
    t_stream[k] = cpu() - t0;
    if (!m)
      die("stream", &err);
    approx[1] = m->approx;
    rc_measure_free(m);
  }
  char size[64];
  snprintf(size, sizeof size, "M=%zu d=%zu", M, d);
  const double draw = median3(t_draw), svd = median3(t_svd) + draw;
  row("set-up", size, "stored + SVD", svd, "stored + Gram", median3(t_gram) + draw,
      (double)M * (double)d, "entries/s");
  row("set-up", size, "stored + SVD", svd, "generated Gram", median3(t_stream),
      (double)M * (double)d, "entries/s");
  printf("#   drawing the stored sketch: %.4f s; Approx stored %.17g, generated %.17g\n", draw,
         approx[0], approx[1]);
  free(sqrt_lambda);
  gsl_rng_free(rng);
  rc_prior_free(pr);
  rc_spectrum_free(sp);
}

/* ---- the Gaussian generator ---- */

static void bench_gaussian(size_t count) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  enum { FILL_A = 129, FILL_B = 2001 };
  static double buf[FILL_B];
  double t_box[REPS], t_zig[REPS], t_fa[REPS], t_fb[REPS], s = 0;
  for (int k = 0; k < REPS; k++) {
    double t0 = cpu();
    for (size_t i = 0; i < count; i++)
      s += gsl_ran_gaussian(rng, 1.0);
    t_box[k] = cpu() - t0;
    t0 = cpu();
    for (size_t i = 0; i < count; i++)
      s += gsl_ran_gaussian_ziggurat(rng, 1.0);
    t_zig[k] = cpu() - t0;
    rc_normal_stream ns;
    rc_normal_init(&ns, 1, (uint64_t)k);
    t0 = cpu();
    for (size_t i = 0; i < count; i += FILL_A) {
      rc_normal_fill(&ns, FILL_A, buf);
      s += buf[i % FILL_A];
    }
    t_fa[k] = cpu() - t0;
    t0 = cpu();
    for (size_t i = 0; i < count; i += FILL_B) {
      rc_normal_fill(&ns, FILL_B, buf);
      s += buf[i % FILL_B];
    }
    t_fb[k] = cpu() - t0;
  }
  char size[64];
  snprintf(size, sizeof size, "%.0e draws", (double)count);
  const double zig = median3(t_zig);
  row("gaussian", size, "gsl_ran_gaussian", median3(t_box), "ziggurat", zig, (double)count,
      "draws/s");
  row("gaussian", size, "ziggurat", zig, "philox fill 129", median3(t_fa), (double)count,
      "draws/s");
  row("gaussian", size, "ziggurat", zig, "philox fill 2001", median3(t_fb), (double)count,
      "draws/s");
  printf("#   (checksum %.3g)\n", s);
  gsl_rng_free(rng);
}

/* ---- raw Monte Carlo: the products of a block of samples ---- */

/* Z = X S^T for the samples of `rows` steps (batch 1): one dgemv per step, as raw mode ran
 * them, against one dgemm over the samples drawn ahead (src/linear/mc.c, raw_rows). */
static void bench_raw_products(size_t M, size_t d, size_t rows, size_t blocks) {
  double *S = malloc(M * d * sizeof *S), *X = malloc(rows * d * sizeof *X);
  double *Z = malloc(rows * M * sizeof *Z);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!S || !X || !Z || !rng)
    die("raw products", NULL);
  for (size_t k = 0; k < M * d; k++)
    S[k] = gsl_ran_gaussian_ziggurat(rng, 1.0);
  for (size_t k = 0; k < rows * d; k++)
    X[k] = gsl_ran_gaussian_ziggurat(rng, 1.0);
  double t_gemv[REPS], t_gemm[REPS], diff = 0;
  for (int k = 0; k < REPS; k++) {
    double t0 = cpu();
    for (size_t b = 0; b < blocks; b++)
      for (size_t r = 0; r < rows; r++)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)d, 1.0, S, (int)d, X + r * d, 1, 0.0,
                    Z + r * M, 1);
    t_gemv[k] = cpu() - t0;
    const double z0 = Z[rows * M - 1];
    t0 = cpu();
    for (size_t b = 0; b < blocks; b++)
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)M, (int)d, 1.0, X,
                  (int)d, S, (int)d, 0.0, Z, (int)M);
    t_gemm[k] = cpu() - t0;
    diff = fmax(diff, fabs(Z[rows * M - 1] - z0) / fabs(z0));
  }
  char size[64];
  snprintf(size, sizeof size, "M=%zu d=%zu", M, d);
  row("raw Z=XS^T", size, "dgemv a step", median3(t_gemv), "dgemm ahead", median3(t_gemm),
      (double)(blocks * rows), "samples/s");
  printf("#   %zu samples a block (raw_rows), %zu blocks; last entry relative difference %.2g\n",
         rows, blocks, diff);
  gsl_rng_free(rng);
  free(S);
  free(X);
  free(Z);
}

int main(void) {
  printf("# bench_paths: fast paths against the paths they replace (riskcalc %s); CPU seconds, "
         "medians of %d\n",
         rc_version(), REPS);
  printf("%-10s %-16s %-16s %9s %-18s %9s %7s %10s %s\n", "path", "size", "old", "old_s", "new",
         "new_s", "ratio", "new_rate", "unit");
  /* about 0.1 s a repetition: shorter runs time the clock's ramp more than the kernel */
  bench_step(1024, "poly:10:0.7", 200000);
  bench_step(1024, "cosine", 200000);
  bench_step(1024, "file", 200000);
  bench_step(256, "poly:10:0.7", 500000);
  bench_gaussian(10000000);
  bench_raw_products(128, 2000, 131, 100);
  bench_raw_products(32, 500, 524, 50);
  fflush(stdout);
  bench_setup(256, 8192);
  bench_setup(512, 10000);
  bench_setup(1024, 20000);
  return 0;
}
