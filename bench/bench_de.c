/* bench_de: timings of the deterministic equivalent (docs/BENCHMARKS.md) and, with the
 * argument "accuracy", the table of docs/DETEQ.md (DE against the mean of exact runs over
 * drawn sketches). Run with OPENBLAS_NUM_THREADS=1.
 *
 *   bench_de            times: DE curve at d = inf for M = 1e2, 1e3, 1e4; optimal sweep
 *   bench_de accuracy [S1 S2]   the accuracy table for schedules S1, S2 (default geometric,
 *                               const; about a minute)
 *   bench_de exponents  the data behind docs/img/deteq_exponents.png (TSV on stdout) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "riskcalc/riskcalc.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, const rc_error *err) {
  fprintf(stderr, "bench_de: %s: %s\n", what, err->message);
  exit(1);
}

static int times(void) {
  rc_error err = {0, ""};
  printf("# DE curve at d = inf, a = b = 1.5, geometric gamma = 0.1, sigma2 = 0.1, batch 1\n");
  printf("# curve13: 13 log-spaced N in [1e2, 1e5]; curve30: 30 log-spaced N in [1e2, 1e10]\n");
  printf("%-8s %8s %10s %10s %12s %12s\n", "M", "atoms", "plan_s", "measure_s", "curve13_s",
         "curve30_s");
  uint64_t N13[13], N30[30];
  for (int k = 0; k < 13; k++)
    N13[k] = (uint64_t)floor(pow(10, 2 + k * 3.0 / 12) + 0.5);
  for (int k = 0; k < 30; k++)
    N30[k] = (uint64_t)floor(pow(10, 2 + k * 8.0 / 29) + 0.5);
  rc_schedule *s = rc_schedule_parse("geometric", 0.1, &err);
  for (double M = 100; M <= 10000; M *= 10) {
    rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
    double t0 = now();
    rc_deteq *de = rc_deteq_alloc_law(&law, M, &err);
    if (!de)
      die("plan", &err);
    double t1 = now();
    rc_sgd_measure *m = rc_deteq_measure(de, M, NULL, NULL, &err);
    if (!m)
      die("measure", &err);
    double t2 = now();
    rc_risk rows[30];
    rc_sgd_options o = rc_sgd_options_default();
    o.sigma2 = 0.1;
    if (rc_sgd_risk_curve(m, s, N13, 13, &o, rows, &err))
      die("curve", &err);
    double t3 = now();
    if (rc_sgd_risk_curve(m, s, N30, 30, &o, rows, &err))
      die("curve", &err);
    double t4 = now();
    printf("%-8g %8zu %10.3f %10.3f %12.3f %12.3f\n", M, m->n, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    fflush(stdout);
    rc_sgd_measure_free(m);
    rc_deteq_free(de);
  }
  rc_schedule_free(s);
  printf("\n# optimal sweep: a = 1.5, isotropic, d = inf, gamma = 0.1, sigma2 = 1, range 30\n");
  printf("%-10s %10s %10s %10s %10s %8s\n", "C", "M_closed", "M_opt", "N_opt", "seconds", "evals");
  s = rc_schedule_parse("geometric", 0.1, &err);
  rc_law law = {RC_SPECTRUM_POWER, 1.5, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  double total = 0;
  for (double C = 1e4; C <= 1e7 * 1.001; C *= 10) {
    double Ms, Nstar;
    rc_optimal_closed(1.5, C, &Ms, &Nstar, &err);
    const double lo = fmax(1, floor(Ms / 30)), hi = fmin(C, ceil(Ms * 30));
    double t0 = now();
    rc_deteq *de = rc_deteq_alloc_law(&law, hi, &err);
    rc_sgd_options o = rc_sgd_options_default();
    rc_optimum best;
    if (!de || rc_optimal_deteq(de, C, lo, hi, s, &o, NULL, &best, &err))
      die("optimal", &err);
    double t1 = now();
    total += t1 - t0;
    printf("%-10g %10.1f %10g %10g %10.2f %8zu\n", C, Ms, best.M, best.N, t1 - t0,
           best.evaluations);
    rc_deteq_free(de);
  }
  printf("# sweep total %.2f s\n", total);
  rc_schedule_free(s);
  return 0;
}

/* ------------------------------------------------------------ accuracy */

typedef struct {
  const char *name;
  int logpower;
  double a;
  double b; /* NaN: isotropic */
} spec;

static int accuracy(const char *first, const char *second) {
  rc_error err = {0, ""};
  const spec specs[] = {{"power a=1.5, b=a", 0, 1.5, NAN},
                        {"power a=1.5, b=2", 0, 1.5, 2.0},
                        {"power a=1.5, b=2.5", 0, 1.5, 2.5},
                        {"log-power a=2, isotropic", 1, 2.0, NAN},
                        {"log-power a=2, b=1.5", 1, 2.0, 1.5}};
  const char *schedules[] = {first, second};
  const size_t batches[] = {1, 8};
  const size_t Ms[] = {32, 64, 128};
  const size_t d = 1000;
  const uint64_t Ns[] = {10, 100, 1000, 10000};
  enum { NN = 4 };
  printf("| spectrum, prior | M | schedule | batch | risk | Approx | bias | variance | bias, var "
         "/ risk |\n");
  printf("|---|---|---|---|---|---|---|---|---|\n");
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  double worst_all[4] = {0};
  for (size_t si = 0; si < sizeof specs / sizeof specs[0]; si++)
    for (size_t mi = 0; mi < 3; mi++) {
      const spec *sp = &specs[si];
      const size_t M = Ms[mi], R = M == 32 ? 400 : M == 64 ? 300 : 200;
      rc_spectrum *h = sp->logpower ? rc_spectrum_logpower_alloc(d, sp->a, &err)
                                    : rc_spectrum_power_alloc(d, sp->a, &err);
      rc_prior *p =
          isnan(sp->b) ? rc_prior_isotropic_alloc(d, &err) : rc_prior_source_alloc(h, sp->b, &err);
      rc_deteq *de = rc_deteq_alloc_values(h, p, (double)M, &err);
      rc_sgd_measure *dm = de ? rc_deteq_measure(de, (double)M, NULL, NULL, &err) : NULL;
      if (!dm)
        die("deteq", &err);
      rc_schedule *sch[2];
      for (int k = 0; k < 2; k++)
        sch[k] = rc_schedule_parse(schedules[k], 0.1, &err);
      rc_risk de_rows[2][2][NN];
      double sum[2][2][NN][4] = {{{{0}}}}, sq[2][2][NN][4] = {{{{0}}}};
      for (int k = 0; k < 2; k++)
        for (int bi = 0; bi < 2; bi++) {
          rc_sgd_options o = rc_sgd_options_default();
          o.sigma2 = 0.1;
          o.batch = batches[bi];
          if (rc_sgd_risk_curve(dm, sch[k], Ns, NN, &o, de_rows[k][bi], &err))
            die("de curve", &err);
        }
      gsl_rng_set(rng, 1000 + si * 10 + mi);
      for (size_t r = 0; r < R; r++) {
        rc_sketch *sk = rc_sketch_gaussian_alloc(M, d, rng, &err);
        rc_sgd_measure *em = sk ? rc_sgd_measure_from_sketch(h, p, sk, &err) : NULL;
        if (!em)
          die("sketch", &err);
        for (int k = 0; k < 2; k++)
          for (int bi = 0; bi < 2; bi++) {
            rc_sgd_options o = rc_sgd_options_default();
            o.sigma2 = 0.1;
            o.batch = batches[bi];
            rc_risk rows[NN];
            if (rc_sgd_risk_curve(em, sch[k], Ns, NN, &o, rows, &err))
              die("exact curve", &err);
            for (int n = 0; n < NN; n++) {
              const double v[4] = {rows[n].risk, rows[n].approx, rows[n].bias, rows[n].variance};
              for (int c = 0; c < 4; c++) {
                sum[k][bi][n][c] += v[c];
                sq[k][bi][n][c] += v[c] * v[c];
              }
            }
          }
        rc_sgd_measure_free(em);
        rc_sketch_free(sk);
      }
      for (int k = 0; k < 2; k++)
        for (int bi = 0; bi < 2; bi++) {
          double worst[4] = {0}, worst_se[4] = {0}, of_risk[4] = {0};
          for (int n = 0; n < NN; n++) {
            const rc_risk *dr = &de_rows[k][bi][n];
            const double v[4] = {dr->risk, dr->approx, dr->bias, dr->variance};
            for (int c = 0; c < 4; c++) {
              const double mean = sum[k][bi][n][c] / (double)R;
              const double var = sq[k][bi][n][c] / (double)R - mean * mean;
              const double se = sqrt(fmax(var, 0) / (double)(R - 1)) / mean;
              const double e = v[c] / mean - 1;
              const double risk_mean = sum[k][bi][n][0] / (double)R;
              of_risk[c] = fmax(of_risk[c], fabs(v[c] - mean) / risk_mean);
              if (fabs(e) > fabs(worst[c])) {
                worst[c] = e;
                worst_se[c] = se;
              }
            }
          }
          printf("| %s | %zu | %s | %zu |", sp->name, M, schedules[k], batches[bi]);
          for (int c = 0; c < 4; c++) {
            printf(" %+.2f%% (%.2f) |", 100 * worst[c], 100 * worst_se[c]);
            worst_all[c] = fmax(worst_all[c], fabs(worst[c]));
          }
          printf(" %.2f%%, %.2f%% |\n", 100 * of_risk[2], 100 * of_risk[3]);
          fflush(stdout);
        }
      for (int k = 0; k < 2; k++)
        rc_schedule_free(sch[k]);
      rc_sgd_measure_free(dm);
      rc_deteq_free(de);
      rc_prior_free(p);
      rc_spectrum_free(h);
    }
  printf("\n400 sketches at M = 32, 300 at M = 64, 200 at M = 128; d = 1000; N = 10, 100, 1000, "
         "10000; gamma = 0.1, sigma2 = 0.1\n");
  printf("worst over all rows: risk %.2f%%, Approx %.2f%%, bias %.2f%%, variance %.2f%%\n",
         100 * worst_all[0], 100 * worst_all[1], 100 * worst_all[2], 100 * worst_all[3]);
  gsl_rng_free(rng);
  return 0;
}

/* ----------------------------------------------------------- exponents */

/* TSV: kind (M or N), x, y. M: E Approx (the N -> inf limit of the risk at sigma2 = 0) for
 * M = 10..1e5. N: the risk at sigma2 = 0 for M = 1e4, gamma = 0.5, N = 1e2..1e6 (x = N_eff). */
static int exponents(double a) {
  rc_error err = {0, ""};
  rc_law law = {RC_SPECTRUM_POWER, a, RC_PRIOR_ISOTROPIC, NAN, INFINITY};
  rc_deteq *de = rc_deteq_alloc_law(&law, 1e5, &err);
  if (!de)
    die("plan", &err);
  printf("# a = b = %g\nkind\tx\ty\n", a);
  for (int k = 0; k <= 16; k++) {
    const double M = 10 * pow(10, k / 4.0);
    double kappa, approx;
    if (rc_deteq_kappa(de, M, &kappa, &approx, &err))
      die("kappa", &err);
    printf("M\t%.17g\t%.17g\n", M, approx);
  }
  rc_sgd_measure *m = rc_deteq_measure(de, 1e4, NULL, NULL, &err);
  rc_schedule *s = rc_schedule_parse("geometric", 0.5, &err);
  if (!m || !s)
    die("measure", &err);
  for (int k = 0; k <= 12; k++) {
    uint64_t N = (uint64_t)floor(pow(10, 2 + k / 3.0) + 0.5);
    rc_risk row;
    rc_sgd_options o = rc_sgd_options_default();
    o.sigma2 = 0;
    if (rc_sgd_risk_curve(m, s, &N, 1, &o, &row, &err))
      die("curve", &err);
    printf("N\t%.17g\t%.17g\n", ceil((double)N / log2((double)N)), row.risk);
    fflush(stdout);
  }
  rc_schedule_free(s);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
  return 0;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  if (argc > 1 && strcmp(argv[1], "accuracy") == 0)
    return accuracy(argc > 2 ? argv[2] : "geometric", argc > 3 ? argv[3] : "const");
  if (argc > 1 && strcmp(argv[1], "exponents") == 0)
    return exponents(argc > 2 ? atof(argv[2]) : 1.5);
  return times();
}
