/* Benchmark of the exact engine: building the spectral measure of a sketch (the SVD) and
 * running risk curves on it. Prints one table; wall-clock seconds, best of 3 repetitions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "riskcalc/riskcalc.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const rc_error *err) {
  fprintf(stderr, "bench_exact: %s\n", err->message);
  exit(1);
}

int main(void) {
  const struct { size_t M, d; } sizes[] = {{64, 1000}, {128, 2000}, {256, 4000}, {512, 10000}};
  const char *schedules[] = {"const", "geometric"};
  printf("%-6s %-6s %-10s %-7s %-8s %-11s %-16s %-14s\n", "M", "d", "schedule", "points", "max_N",
         "measure_s", "curve_stepped_s", "curve_jumps_s");
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  rc_error err = {0, ""};
  uint64_t Ns[13];
  for (int k = 0; k < 13; k++)
    Ns[k] = (uint64_t)(100.0 * pow(10.0, k / 3.0) + 0.5); /* 1e2 .. 1e6 */
  rc_risk rows[13];
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    rc_spectrum *spec = rc_spectrum_power_alloc(sizes[s].d, 1.5, &err);
    rc_prior *prior = spec ? rc_prior_isotropic_alloc(sizes[s].d, &err) : NULL;
    if (!prior)
      die(&err);
    gsl_rng_set(rng, 1);
    rc_sketch *sketch = rc_sketch_gaussian_alloc(sizes[s].M, sizes[s].d, rng, &err);
    if (!sketch)
      die(&err);
    double best_measure = 1e300;
    rc_sgd_measure *m = NULL;
    for (int rep = 0; rep < 3; rep++) {
      rc_sgd_measure_free(m);
      double t0 = now();
      m = rc_sgd_measure_from_sketch(spec, prior, sketch, &err);
      double t1 = now();
      if (!m)
        die(&err);
      best_measure = t1 - t0 < best_measure ? t1 - t0 : best_measure;
    }
    for (size_t k = 0; k < 2; k++) {
      rc_schedule *sched = rc_schedule_parse(schedules[k], 0.1, &err);
      if (!sched)
        die(&err);
      double best[2] = {1e300, 1e300};
      for (int stepped = 0; stepped < 2; stepped++) {
        rc_sgd_options opt = rc_sgd_options_default();
        opt.step_by_step = stepped;
        for (int rep = 0; rep < 3; rep++) {
          double t0 = now();
          if (rc_sgd_risk_curve(m, sched, Ns, 13, &opt, rows, &err))
            die(&err);
          double t1 = now();
          best[stepped] = t1 - t0 < best[stepped] ? t1 - t0 : best[stepped];
        }
      }
      printf("%-6zu %-6zu %-10s %-7d %-8.0e %-11.4f %-16.4f %-14.4f\n", sizes[s].M, sizes[s].d,
             schedules[k], 13, 1e6, best_measure, best[1], best[0]);
      rc_schedule_free(sched);
    }
    rc_sgd_measure_free(m);
    rc_sketch_free(sketch);
    rc_prior_free(prior);
    rc_spectrum_free(spec);
  }
  gsl_rng_free(rng);
  return 0;
}
