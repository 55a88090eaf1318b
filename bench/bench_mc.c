/* bench/bench_mc.c -- runs per second of the Monte Carlo verifier (riskcalc/mc.h) in raw and
 * reduced mode at a few sizes, including the acceptance size d = 2000, M = 128, N = 1e4, with
 * each generator in the same run: mt19937 (gsl_ran_gaussian_ziggurat, the former streams) and
 * philox (the counter-based streams, the default); the philox row gives the speed-up over the
 * mt19937 row above it. Power-law spectrum a = 1.5, isotropic prior, geometric schedule
 * gamma = 0.1, sigma2 = 1, the sketch drawn from seed 1; the plan (one SVD) is built outside
 * the timed region. One thread; times are CPU seconds of the process (per core on a shared
 * machine), updates_per_s counts M coordinates per sample: runs N batch M / seconds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "riskcalc/riskcalc.h"

typedef struct {
  rc_mc_mode mode;
  size_t d, M;
  uint64_t N;
  size_t batch, runs;
} bench_case;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int run_case(const bench_case *c, rc_mc_generator generator, double *seconds_out) {
  rc_error err = {0, ""};
  rc_spectrum *spectrum = rc_spectrum_power_alloc(c->d, 1.5, &err);
  rc_prior *prior = spectrum ? rc_prior_isotropic_alloc(c->d, &err) : NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 1);
  rc_sketch *sketch = prior ? rc_sketch_gaussian_alloc(c->M, c->d, rng, &err) : NULL;
  gsl_rng_free(rng);
  rc_schedule *schedule = sketch ? rc_schedule_parse("geometric", 0.1, &err) : NULL;
  rc_mc_options o = rc_mc_options_default();
  o.mode = c->mode;
  o.runs = c->runs;
  o.batch = c->batch;
  o.threads = 1;
  o.generator = generator;
  rc_mc_plan *plan = schedule ? rc_mc_plan_alloc(spectrum, prior, sketch, 0, &o, &err) : NULL;
  int status = plan ? RC_SUCCESS : err.status;
  rc_mc_risk out;
  if (plan) {
    const double t0 = now();
    status = rc_mc_plan_run(plan, schedule, &c->N, 1, &o, &out, NULL, &err);
    const double seconds = now() - t0;
    if (status == RC_SUCCESS) {
      const double samples = (double)c->runs * (double)c->N * (double)c->batch;
      char ratio[32] = "-";
      if (generator == RC_MC_GENERATOR_PHILOX && *seconds_out > 0)
        snprintf(ratio, sizeof ratio, "%.2f", *seconds_out / seconds);
      printf("%-8s %-8s %6zu %5zu %8llu %5zu %6zu %8.3f %10.2f %12.4g %12.4g %6s %10.6f %9.3g\n",
             rc_mc_mode_name(c->mode), rc_mc_generator_name(generator), c->d, c->M,
             (unsigned long long)c->N, c->batch, c->runs, seconds, (double)c->runs / seconds,
             samples / seconds, samples * (double)c->M / seconds, ratio, out.mean, out.se);
      *seconds_out = seconds;
    }
  }
  if (status)
    fprintf(stderr, "bench_mc: %s\n", err.message);
  rc_mc_plan_free(plan);
  rc_schedule_free(schedule);
  rc_sketch_free(sketch);
  rc_prior_free(prior);
  rc_spectrum_free(spectrum);
  return status;
}

int main(void) {
  static const bench_case cases[] = {
      {RC_MC_REDUCED, 2000, 128, 10000, 1, 200}, {RC_MC_RAW, 2000, 128, 10000, 1, 8},
      {RC_MC_REDUCED, 500, 32, 10000, 1, 1000},  {RC_MC_RAW, 500, 32, 10000, 1, 40},
      {RC_MC_REDUCED, 2000, 128, 1000, 16, 100}, {RC_MC_RAW, 2000, 128, 1000, 16, 8},
  };
  printf("# bench_mc: Monte Carlo runs per second, one thread, CPU seconds (riskcalc %s)\n",
         rc_version());
  printf("%-8s %-8s %6s %5s %8s %5s %6s %8s %10s %12s %12s %6s %10s %9s\n", "mode", "gen", "d", "M",
         "N", "batch", "runs", "seconds", "runs_per_s", "samples_per_s", "updates_per_s", "ratio",
         "mean", "se");
  int failures = 0;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    double seconds = 0;
    failures += run_case(&cases[k], RC_MC_GENERATOR_MT19937, &seconds) != RC_SUCCESS;
    failures += run_case(&cases[k], RC_MC_GENERATOR_PHILOX, &seconds) != RC_SUCCESS;
  }
  return failures ? 1 : 0;
}
