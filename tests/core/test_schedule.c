/* tests/test_schedule.c -- step-size schedules: gamma_t of every kind against hand-computed
 * values, stage boundaries, the largest step, file schedules and parse errors. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rc_test.h"
#include "riskcalc/schedule.h"

#define PATH_SIZE 1024

/* Writes content to a fresh temporary file; the path goes to path (caller unlinks it). */
static int temp_file(const char *content, char *path) {
  const char *tmp = getenv("TMPDIR");
  snprintf(path, PATH_SIZE, "%s/rc_test_schedule_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  size_t n = strlen(content);
  int ok = write(fd, content, n) == (ssize_t)n;
  close(fd);
  return ok ? 0 : -1;
}

static rc_schedule *parse_ok(const char *spec, double gamma) {
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse(spec, gamma, &err);
  if (!s)
    printf("    '%s': %s\n", spec, err.message);
  return s;
}

/* Walks all steps t < N stage by stage: every step of a stage equals the stage's first step
 * and the first step after a stage differs from it. Returns the number of stages, or 0 on a
 * violation. */
static uint64_t stages_consistent(const rc_schedule *s, uint64_t N) {
  uint64_t stages = 0;
  for (uint64_t t = 0; t < N;) {
    uint64_t end = rc_schedule_stage_end(s, t, N);
    if (end <= t || end > N)
      return 0;
    double g = rc_schedule_gamma(s, t, N);
    for (uint64_t u = t; u < end; u++)
      if (rc_schedule_gamma(s, u, N) != g)
        return 0;
    if (end < N && rc_schedule_gamma(s, end, N) == g)
      return 0;
    stages++;
    t = end;
  }
  return stages;
}

static void test_const(void) {
  rc_schedule *s = parse_ok("const", 2.385);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(rc_schedule_get_kind(s) == RC_SCHEDULE_CONST);
  CHECK(rc_schedule_base(s) == 2.385);
  CHECK(rc_schedule_horizon_dependent(s) == 0);
  CHECK(rc_schedule_capacity(s) == UINT64_MAX);
  CHECK(rc_schedule_gamma(s, 0, 1000) == 2.385);
  CHECK(rc_schedule_gamma(s, 999, 1000) == 2.385);
  CHECK(rc_schedule_stage_end(s, 0, 1000) == 1000);
  CHECK(rc_schedule_stage_end(s, 417, 1000) == 1000);
  CHECK(rc_schedule_max(s, 1000) == 2.385);
  CHECK(stages_consistent(s, 1000) == 1);
  rc_schedule_free(s);
}

/* K = ceil(N / log2 N): N = 1000 -> ceil(100.34) = 101; N = 1024 -> ceil(102.4) = 103;
 * N = 16 -> 4; N = 3 -> ceil(1.893) = 2; N = 2 -> 2; N = 1 -> 1. */
static void test_geometric(void) {
  const double g = 0.2385;
  rc_schedule *s = parse_ok("geometric", g);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(rc_schedule_get_kind(s) == RC_SCHEDULE_GEOMETRIC);
  CHECK(rc_schedule_horizon_dependent(s) == 1);
  CHECK(rc_schedule_capacity(s) == UINT64_MAX);
  /* N = 1000, K = 101. */
  CHECK(rc_schedule_gamma(s, 0, 1000) == g);
  CHECK(rc_schedule_gamma(s, 100, 1000) == g);
  CHECK(rc_schedule_gamma(s, 101, 1000) == g / 2);
  CHECK(rc_schedule_gamma(s, 201, 1000) == g / 2);
  CHECK(rc_schedule_gamma(s, 202, 1000) == g / 4);
  CHECK(rc_schedule_gamma(s, 999, 1000) == g / 512); /* floor(999 / 101) = 9 halvings */
  CHECK(rc_schedule_stage_end(s, 0, 1000) == 101);
  CHECK(rc_schedule_stage_end(s, 150, 1000) == 202);
  CHECK(rc_schedule_stage_end(s, 909, 1000) == 1000);
  CHECK(rc_schedule_stage_end(s, 999, 1000) == 1000);
  CHECK(stages_consistent(s, 1000) == 10);
  CHECK(rc_schedule_max(s, 1000) == g);
  /* N = 1024, K = 103. */
  CHECK(rc_schedule_stage_end(s, 0, 1024) == 103);
  CHECK(rc_schedule_gamma(s, 102, 1024) == g);
  CHECK(rc_schedule_gamma(s, 103, 1024) == g / 2);
  /* The schedule depends on the horizon: step 101 of N = 1000 and of N = 1024 differ. */
  CHECK(rc_schedule_gamma(s, 101, 1000) != rc_schedule_gamma(s, 101, 1024));
  /* N = 16, K = 4. */
  CHECK(rc_schedule_gamma(s, 3, 16) == g);
  CHECK(rc_schedule_gamma(s, 4, 16) == g / 2);
  CHECK(rc_schedule_gamma(s, 15, 16) == g / 8);
  CHECK(stages_consistent(s, 16) == 4);
  /* N = 3, K = 2; N = 2, K = 2; N = 1, K = 1. */
  CHECK(rc_schedule_gamma(s, 1, 3) == g);
  CHECK(rc_schedule_gamma(s, 2, 3) == g / 2);
  CHECK(rc_schedule_stage_end(s, 0, 2) == 2);
  CHECK(rc_schedule_gamma(s, 1, 2) == g);
  CHECK(rc_schedule_gamma(s, 0, 1) == g);
  CHECK(rc_schedule_stage_end(s, 0, 1) == 1);
  CHECK(rc_schedule_max(s, 1) == g);
  for (uint64_t N = 1; N <= 300; N++)
    CHECK(stages_consistent(s, N) > 0);
  rc_schedule_free(s);
}

static void test_step(void) {
  const double g = 2.385;
  rc_schedule *s = parse_ok("step:10:0.5", g);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(rc_schedule_get_kind(s) == RC_SCHEDULE_STEP);
  CHECK(rc_schedule_horizon_dependent(s) == 0);
  CHECK(rc_schedule_gamma(s, 9, 100) == g);
  CHECK(rc_schedule_gamma(s, 10, 100) == g * 0.5);
  CHECK(rc_schedule_gamma(s, 35, 100) == g * 0.125);
  CHECK(rc_schedule_gamma(s, 35, 36) == g * 0.125); /* horizon-independent */
  CHECK(rc_schedule_stage_end(s, 10, 100) == 20);
  CHECK(rc_schedule_stage_end(s, 95, 100) == 100);
  CHECK(rc_schedule_stage_end(s, 95, 97) == 97);
  CHECK(rc_schedule_max(s, 100) == g);
  CHECK(stages_consistent(s, 100) == 10);
  CHECK(stages_consistent(s, 95) == 10);
  rc_schedule_free(s);
  /* A growing factor: the largest step is the last one, g 1.5^floor((N-1)/5). */
  s = parse_ok("step:5:1.5", g);
  CHECK(s != NULL);
  if (s) {
    CHECK_REL(rc_schedule_max(s, 12), g * 2.25, 1e-15);
    CHECK_REL(rc_schedule_max(s, 11), g * 2.25, 1e-15);
    CHECK(rc_schedule_max(s, 10) == g * 1.5);
    CHECK(rc_schedule_max(s, 5) == g);
    CHECK(stages_consistent(s, 23) == 5);
    rc_schedule_free(s);
  }
  /* Factor 1 is one constant stage. */
  s = parse_ok("step:7:1", g);
  CHECK(s != NULL);
  if (s) {
    CHECK(rc_schedule_stage_end(s, 0, 50) == 50);
    CHECK(stages_consistent(s, 50) == 1);
    rc_schedule_free(s);
  }
}

/* gamma_t = g (1 + t/T0)^-P, T0 = 2.385, P = 0.75: t = 7 gives g (9.385/2.385)^-0.75. */
static void test_poly(void) {
  const double g = 0.31;
  rc_schedule *s = parse_ok("poly:2.385:0.75", g);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(rc_schedule_get_kind(s) == RC_SCHEDULE_POLY);
  CHECK(rc_schedule_gamma(s, 0, 100) == g);
  /* Independent evaluation through exp/log: agreement to a few ulps. */
  CHECK_REL(rc_schedule_gamma(s, 7, 100), g * exp(-0.75 * log(9.385 / 2.385)), 1e-15);
  CHECK_REL(rc_schedule_gamma(s, 99, 100), g * exp(-0.75 * log(1 + 99 / 2.385)), 1e-15);
  CHECK(rc_schedule_stage_end(s, 0, 100) == 1);
  CHECK(rc_schedule_stage_end(s, 41, 100) == 42);
  CHECK(rc_schedule_max(s, 100) == g);
  CHECK(stages_consistent(s, 100) == 100);
  rc_schedule_free(s);
  /* P = 0 is constant. */
  s = parse_ok("poly:10:0", g);
  CHECK(s != NULL);
  if (s) {
    CHECK(rc_schedule_gamma(s, 77, 100) == g);
    CHECK(rc_schedule_stage_end(s, 3, 100) == 100);
    CHECK(stages_consistent(s, 100) == 1);
    rc_schedule_free(s);
  }
}

/* A file of absolute steps, with comments and blank lines; gamma is ignored. */
static void test_file(void) {
  char path[PATH_SIZE], spec[PATH_SIZE + 8];
  CHECK(temp_file("# steps\n0.3\n0.3\n\n0.3 # stage 1\n0.125\n0.125\n0.5\n", path) == 0);
  snprintf(spec, sizeof spec, "file:%s", path);
  rc_schedule *s = parse_ok(spec, NAN);
  unlink(path);
  CHECK(s != NULL);
  if (!s)
    return;
  CHECK(rc_schedule_get_kind(s) == RC_SCHEDULE_FILE);
  CHECK(isnan(rc_schedule_base(s)));
  CHECK(rc_schedule_horizon_dependent(s) == 0);
  CHECK(rc_schedule_capacity(s) == 6);
  const double want[6] = {0.3, 0.3, 0.3, 0.125, 0.125, 0.5};
  for (uint64_t t = 0; t < 6; t++)
    CHECK(rc_schedule_gamma(s, t, 6) == want[t]);
  CHECK(rc_schedule_stage_end(s, 0, 6) == 3);
  CHECK(rc_schedule_stage_end(s, 1, 6) == 3);
  CHECK(rc_schedule_stage_end(s, 3, 6) == 5);
  CHECK(rc_schedule_stage_end(s, 5, 6) == 6);
  CHECK(rc_schedule_stage_end(s, 0, 2) == 2); /* clipped to the horizon */
  CHECK(rc_schedule_max(s, 6) == 0.5);
  CHECK(rc_schedule_max(s, 5) == 0.3);
  CHECK(stages_consistent(s, 6) == 3);
  char desc[256];
  rc_schedule_describe(s, desc, sizeof desc);
  CHECK(strstr(desc, "file:") != NULL && strstr(desc, "6") != NULL);
  rc_schedule_free(s);
}

/* The description names the kind and records gamma so that it reads back exactly. */
/* twophase against its formula written out independently: eta for t < T1, then
 * eta 2^-floor((t - T1)/K) with K = ceil(L / log2 L), L = N - T1 (K = 1 for L = 1); phases and
 * stages consistent for many horizons, including T1 >= N and L = 1, 2. */
static double twophase_reference(double eta, uint64_t T1, uint64_t t, uint64_t N) {
  if (T1 > N)
    T1 = N;
  if (t < T1)
    return eta;
  const uint64_t L = N - T1;
  const double K = L <= 1 ? 1.0 : ceil((double)L / log2((double)L));
  return eta * pow(2.0, -floor((double)(t - T1) / K));
}

static void test_twophase(void) {
  const double eta = 0.0371;
  const char *specs[] = {"twophase", "twophase:7", "twophase:1000"};
  const uint64_t fixed_T1[] = {0, 7, 1000};
  const uint64_t Ns[] = {1, 2, 3, 4, 9, 10, 17, 64, 257, 1000, 1001, 5000};
  for (size_t k = 0; k < 3; k++) {
    rc_schedule *s = parse_ok(specs[k], eta);
    CHECK(s != NULL);
    if (!s)
      continue;
    CHECK(rc_schedule_get_kind(s) == RC_SCHEDULE_TWOPHASE);
    CHECK(rc_schedule_horizon_dependent(s) == 1);
    CHECK(rc_schedule_phase_count(s) == 2);
    for (size_t n = 0; n < sizeof Ns / sizeof Ns[0]; n++) {
      const uint64_t N = Ns[n], T1 = fixed_T1[k] ? fixed_T1[k] : N / 2;
      int bad = 0;
      for (uint64_t t = 0; t < N; t++) {
        bad |= rc_schedule_gamma(s, t, N) != twophase_reference(eta, T1, t, N);
        bad |= rc_schedule_phase(s, t, N) != (t < T1 ? 0u : 1u);
        bad |= rc_schedule_phase_end(s, t, N) != (t < T1 && T1 < N ? T1 : N);
      }
      if (bad)
        printf("    %s, N = %llu: gamma or phase differs from the formula\n", specs[k],
               (unsigned long long)N);
      CHECK(!bad);
      CHECK(stages_consistent(s, N) > 0);
      CHECK(rc_schedule_max(s, N) == eta);
    }
    rc_schedule_free(s);
  }
  /* Other kinds have one phase that ends at N. */
  rc_schedule *g = parse_ok("geometric", eta);
  CHECK(g && rc_schedule_phase_count(g) == 1 && rc_schedule_phase(g, 5, 100) == 0 &&
        rc_schedule_phase_end(g, 5, 100) == 100);
  rc_schedule_free(g);
  rc_error err = {0, ""};
  CHECK(rc_schedule_parse("twophase:0", eta, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_schedule_parse("twophase:x", eta, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_schedule_parse("twophase:", eta, &err) == NULL && err.status == RC_EINVAL);
}

/* The smooth kinds against their formulas written out independently here, in long double:
 * the library's double steps must carry full relative accuracy down to the last, smallest
 * step (within 4 ulps). */
static double ref_step(const char *kind, double g, double a, double b, uint64_t t, uint64_t N) {
  const long double pi = 3.141592653589793238462643383279502884L, G = g;
  const long double x = (long double)t / (long double)N;
  if (strcmp(kind, "cosine") == 0)
    return (double)(a * G + (G - a * G) * powl(sinl(pi / 2 * ((long double)(N - t) / N)), 2));
  if (strcmp(kind, "linear") == 0)
    return (double)(G + (a * G - G) * x);
  /* wsd: a = FRAC, b = shape (0 linear, 1 cosine, 2 sqrt) */
  /* FRAC N within 1e-9 of a whole number is that number (0.2 N means N/5) */
  const long double aN = (long double)a * N, whole = nearbyintl(aN);
  const long double D =
      fmaxl(1.0L, fminl((long double)N, fabsl(aN - whole) <= 1e-9L * aN ? whole : ceill(aN)));
  const long double t0 = (long double)N - D;
  if ((long double)t < t0)
    return g;
  const long double u = ((long double)t - t0) / D;
  const long double rest = (D - ((long double)t - t0)) / D; /* 1 - u without cancellation */
  return (double)(b == 0   ? G * rest
                  : b == 1 ? G * powl(sinl(pi / 2 * rest), 2)
                           : G * rest / (1 + sqrtl(u)));
}

static void test_smooth_kinds(void) {
  const double g = 0.0731;
  const struct {
    const char *spec, *kind;
    double a, b;
  } cases[] = {
      {"cosine", "cosine", 0, 0},    {"cosine:0.1", "cosine", 0.1, 0},
      {"linear", "linear", 0, 0},    {"linear:0.25", "linear", 0.25, 0},
      {"wsd:0.2", "wsd", 0.2, 0},    {"wsd:0.5:cosine", "wsd", 0.5, 1},
      {"wsd:1:sqrt", "wsd", 1.0, 2}, {"wsd:0.001:linear", "wsd", 0.001, 0},
  };
  const uint64_t Ns[] = {1, 2, 7, 64, 1000, 4097};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rc_schedule *s = parse_ok(cases[c].spec, g);
    CHECK(s != NULL);
    if (!s)
      continue;
    CHECK(rc_schedule_horizon_dependent(s) == 1);
    for (size_t n = 0; n < sizeof Ns / sizeof Ns[0]; n++) {
      const uint64_t N = Ns[n];
      double worst = 0, top = 0;
      for (uint64_t t = 0; t < N; t++) {
        const double want = ref_step(cases[c].kind, g, cases[c].a, cases[c].b, t, N);
        worst = fmax(worst, fabs(rc_schedule_gamma(s, t, N) - want) / want);
        top = fmax(top, want);
      }
      if (worst > 9e-16)
        printf("    %s N = %llu: relative error %.3g\n", cases[c].spec, (unsigned long long)N,
               worst);
      CHECK(worst <= 9e-16);
      CHECK(stages_consistent(s, N) > 0);
      CHECK(rc_schedule_max(s, N) == top);
    }
    rc_schedule_free(s);
  }
}

/* warmup:W:SPEC: the ramp gamma (t+1)/W, then SPEC at t - W with horizon N - W; a warm-up
 * before a horizon-independent schedule is horizon-independent. */
static void test_warmup(void) {
  const double g = 0.05;
  rc_schedule *s = parse_ok("warmup:10:step:20:0.5", g);
  rc_schedule *c = parse_ok("warmup:7:cosine:0.1", g);
  rc_schedule *in = parse_ok("cosine:0.1", g);
  CHECK(s && c && in);
  if (!s || !c || !in)
    return;
  CHECK(rc_schedule_horizon_dependent(s) == 0 && rc_schedule_horizon_dependent(c) == 1);
  int bad = 0;
  for (uint64_t t = 0; t < 100; t++) {
    const double want = t < 10 ? g * (double)(t + 1) / 10 : g * pow(0.5, floor((t - 10) / 20.0));
    bad |= fabs(rc_schedule_gamma(s, t, 100) - want) > 1e-17;
    const double wc = t < 7 ? g * (double)(t + 1) / 7 : rc_schedule_gamma(in, t - 7, 93);
    bad |= fabs(rc_schedule_gamma(c, t, 100) - wc) > 1e-17;
  }
  CHECK(!bad);
  CHECK(rc_schedule_gamma(s, 9, 100) == g); /* the ramp ends on gamma exactly */
  CHECK(stages_consistent(s, 100) > 0 && stages_consistent(c, 100) > 0);
  CHECK(stages_consistent(s, 5) > 0 && stages_consistent(c, 3) > 0); /* N inside the ramp */
  /* last ramp step and first step after share gamma: one stage 9..29 */
  CHECK(rc_schedule_stage_end(s, 9, 100) == 30);
  CHECK(rc_schedule_max(s, 100) == g && rc_schedule_max(s, 5) == g * 0.5);
  rc_error err = {0, ""};
  CHECK(rc_schedule_parse("warmup:10:file:x", g, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_schedule_parse("warmup:0:const", g, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_schedule_parse("warmup:10", g, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_schedule_parse("warmup:10:", g, &err) == NULL && err.status == RC_EINVAL);
  CHECK(rc_schedule_parse("warmup:1:warmup:1:warmup:1:warmup:1:warmup:1:const", g, &err) == NULL);
  rc_schedule *nest = parse_ok("warmup:2:warmup:3:const", g);
  CHECK(nest && rc_schedule_gamma(nest, 0, 10) == g / 2 && rc_schedule_gamma(nest, 2, 10) == g / 3);
  rc_schedule_free(nest);
  rc_schedule_free(s);
  rc_schedule_free(c);
  rc_schedule_free(in);
}

/* stages:FILE: absolute steps, count steps each, the last continuing for ever. */
static void test_stages(void) {
  char path[PATH_SIZE], spec[PATH_SIZE + 16];
  CHECK(temp_file("# count gamma\n3 0.5\n2 0.25\n\n4 0.25\n1e9 0.01 # long\n", path) == 0);
  snprintf(spec, sizeof spec, "stages:%s", path);
  rc_schedule *s = parse_ok(spec, NAN);
  CHECK(s != NULL);
  if (s) {
    const double want[] = {0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.01};
    for (uint64_t t = 0; t < 10; t++)
      CHECK(rc_schedule_gamma(s, t, 20) == want[t]);
    CHECK(rc_schedule_gamma(s, 5000000000ULL, 6000000000ULL) == 0.01); /* past the table */
    CHECK(rc_schedule_stage_end(s, 3, 100) == 9);                      /* equal neighbours merge */
    CHECK(rc_schedule_stage_end(s, 9, 6000000000ULL) == 6000000000ULL);
    CHECK(rc_schedule_horizon_dependent(s) == 0);
    CHECK(rc_schedule_capacity(s) == UINT64_MAX);
    CHECK(rc_schedule_max(s, 2) == 0.5 && rc_schedule_max(s, 100) == 0.5);
    CHECK(stages_consistent(s, 2000) > 0);
    rc_error err = {0, ""};
    CHECK(rc_schedule_set_base(s, 0.1, &err) == RC_EINVAL);
    CHECK(rc_schedule_approximate(s, 0.01, &err) == RC_EINVAL);
    rc_schedule_free(s);
  }
  unlink(path);
  const char *bad[] = {"3 0.5 1\n", "0 0.5\n", "2.5 0.5\n", "3 -1\n", "3 0\n", "3\n"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    CHECK(temp_file(bad[k], path) == 0);
    snprintf(spec, sizeof spec, "stages:%s", path);
    rc_error err = {0, ""};
    rc_schedule *b = rc_schedule_parse(spec, NAN, &err);
    CHECK(b == NULL && (err.status == RC_EINVAL || err.status == RC_EPARSE));
    rc_schedule_free(b);
    unlink(path);
  }
}

/* rc_schedule_approximate: within each stage the exact step varies by less than the factor
 * 1 + rtol and the stage takes an exact step from inside it; piecewise-constant kinds do not
 * change; far fewer stages than steps. */
static void test_approximate(void) {
  const char *specs[] = {"cosine",           "linear:0.1",      "poly:10:1", "wsd:0.3:sqrt",
                         "warmup:50:cosine", "warmup:30:const", "geometric", "step:100:0.5"};
  const uint64_t N = 100000;
  for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
    rc_schedule *exact = parse_ok(specs[k], 0.1), *s = parse_ok(specs[k], 0.1);
    CHECK(exact && s);
    if (!exact || !s)
      continue;
    const double rtol = 1e-2;
    rc_error err = {0, ""};
    CHECK(rc_schedule_approximate(s, rtol, &err) == RC_SUCCESS);
    CHECK(rc_schedule_approximation(s) == rtol);
    uint64_t stages = 0;
    int bad = 0;
    for (uint64_t t = 0; t < N;) {
      const uint64_t end = rc_schedule_stage_end(s, t, N);
      const double g = rc_schedule_gamma(s, t, N);
      double lo = INFINITY, hi = 0;
      for (uint64_t u = t; u < end; u++) {
        const double e = rc_schedule_gamma(exact, u, N);
        lo = fmin(lo, e);
        hi = fmax(hi, e);
      }
      bad |= end <= t || !(hi < lo * (1 + rtol)) || !(g >= lo && g <= hi);
      bad |= rc_schedule_gamma(s, end - 1, N) != g;
      stages++;
      t = end;
    }
    printf("    %-18s %6llu stages for %llu steps at rtol %g\n", specs[k],
           (unsigned long long)stages, (unsigned long long)N, rtol);
    CHECK(!bad);
    CHECK(stages_consistent(s, N) == stages);
    CHECK(stages < 3000);
    rc_schedule_free(exact);
    rc_schedule_free(s);
  }
  rc_schedule *c = parse_ok("cosine", 0.1);
  rc_error err = {0, ""};
  CHECK(rc_schedule_approximate(c, 0, &err) == RC_EINVAL);
  CHECK(rc_schedule_approximate(c, 1, &err) == RC_EINVAL);
  rc_schedule_free(c);
}

/* rc_schedule_stall: the first step from which every step is below 1e-12 of the largest. */
static void test_stall(void) {
  rc_schedule *s = parse_ok("step:1000:0.5", 0.1);
  /* 0.5^40 = 9.1e-13 < 1e-12 <= 0.5^39: from stage 40 on */
  CHECK(rc_schedule_stall(s, 1000000) == 40000);
  CHECK(rc_schedule_stall(s, 40000) == 40000);
  rc_schedule_free(s);
  s = parse_ok("geometric", 0.1);
  CHECK(rc_schedule_stall(s, 1000000) == 1000000); /* 20 halvings only */
  rc_schedule_free(s);
  s = parse_ok("const", 0.1);
  CHECK(rc_schedule_stall(s, 1000000) == 1000000);
  rc_schedule_free(s);
  s = parse_ok("poly:1:1", 0.1); /* 1/(1+t) < 1e-12 from t = 1e12 */
  CHECK(rc_schedule_stall(s, 2000000000000ULL) == 1000000000000ULL);
  rc_schedule_free(s);
  s = parse_ok("warmup:100:step:10:0.01", 0.1); /* 0.01^6 = 1e-12 is not below; 0.01^7 is */
  CHECK(rc_schedule_stall(s, 1000) == 170);
  rc_schedule_free(s);
}

/* A copy is independent; set_base changes the base step (and the warm-up's SPEC). */
static void test_copy_and_base(void) {
  rc_schedule *s = parse_ok("warmup:5:wsd:0.5:cosine", 0.2);
  rc_error err = {0, ""};
  rc_schedule *c = s ? rc_schedule_copy(s, &err) : NULL;
  CHECK(c != NULL);
  if (!c) {
    rc_schedule_free(s);
    return;
  }
  CHECK(rc_schedule_set_base(c, 0.1, &err) == RC_SUCCESS);
  int bad = 0;
  for (uint64_t t = 0; t < 50; t++)
    bad |= fabs(rc_schedule_gamma(c, t, 50) - 0.5 * rc_schedule_gamma(s, t, 50)) > 1e-17;
  CHECK(!bad);
  CHECK(rc_schedule_set_base(c, 0, &err) == RC_EINVAL);
  CHECK(rc_schedule_set_base(c, NAN, &err) == RC_EINVAL);
  rc_schedule_free(c);
  rc_schedule_free(s);
  /* parse errors of the new kinds */
  const char *bad_specs[] = {"cosine:", "cosine:-1",   "linear:x", "wsd",       "wsd:0",
                             "wsd:1.5", "wsd:0.2:exp", "cosinex",  "linear:1:2"};
  for (size_t k = 0; k < sizeof bad_specs / sizeof bad_specs[0]; k++) {
    rc_schedule *b = rc_schedule_parse(bad_specs[k], 0.1, &err);
    CHECK(b == NULL && err.status == RC_EINVAL);
    if (b)
      printf("    '%s' was accepted\n", bad_specs[k]);
    rc_schedule_free(b);
  }
}

static void test_describe(void) {
  const char *specs[] = {"const", "geometric", "step:10:0.5", "poly:2.385:0.75"};
  const char *want[] = {"const", "geometric", "step:10:0.5", "poly:2.38"};
  for (size_t k = 0; k < 4; k++) {
    rc_schedule *s = parse_ok(specs[k], 0.2385);
    CHECK(s != NULL);
    if (!s)
      continue;
    char desc[256];
    rc_schedule_describe(s, desc, sizeof desc);
    CHECK(strstr(desc, want[k]) == desc);
    const char *g = strstr(desc, "gamma=");
    CHECK(g != NULL && strtod(g + 6, NULL) == 0.2385);
    /* The shortest text that reads back: what the user typed, not 0.23849999999999999. */
    CHECK(g != NULL && strncmp(g, "gamma=0.2385", 12) == 0 && !isdigit((unsigned char)g[12]));
    rc_schedule_free(s);
  }
}

static int parse_fails(const char *spec, double gamma, int status) {
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse(spec, gamma, &err);
  int ok = s == NULL && err.status == status && err.message[0] != '\0' &&
           strchr(err.message, '\n') == NULL;
  if (!ok)
    printf("    '%s' gamma %g: %s status %d '%s' (want %d)\n", spec ? spec : "(null)", gamma,
           s ? "accepted," : "refused,", err.status, err.message, status);
  rc_schedule_free(s);
  /* NULL err is accepted too. */
  s = rc_schedule_parse(spec, gamma, NULL);
  ok = ok && s == NULL;
  rc_schedule_free(s);
  return ok;
}

static void test_parse_errors(void) {
  CHECK(parse_fails("", 0.1, RC_EINVAL));
  CHECK(parse_fails(NULL, 0.1, RC_EINVAL));
  CHECK(parse_fails("bogus", 0.1, RC_EINVAL));
  CHECK(parse_fails("Const", 0.1, RC_EINVAL));
  CHECK(parse_fails("geometric:2", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:0:0.5", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10:-1", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10:0", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:2.5:0.5", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10:nan", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10:inf", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:", 0.1, RC_EINVAL));
  CHECK(parse_fails("step::0.5", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10:", 0.1, RC_EINVAL));
  CHECK(parse_fails("step:10:0.5:1", 0.1, RC_EINVAL));
  CHECK(parse_fails("poly:0:1", 0.1, RC_EINVAL));
  CHECK(parse_fails("poly:10:-1", 0.1, RC_EINVAL));
  CHECK(parse_fails("poly:-1:1", 0.1, RC_EINVAL));
  CHECK(parse_fails("poly:10", 0.1, RC_EINVAL));
  CHECK(parse_fails("poly:abc:1", 0.1, RC_EINVAL));
  CHECK(parse_fails("poly:10:1e999", 0.1, RC_EINVAL));
  /* Bad base steps for every kind that uses one. */
  const char *kinds[] = {"const", "geometric", "step:10:0.5", "poly:10:1"};
  const double bad[] = {0, -2.385, NAN, INFINITY, -INFINITY};
  for (size_t k = 0; k < 4; k++)
    for (size_t b = 0; b < 5; b++)
      CHECK(parse_fails(kinds[k], bad[b], RC_EINVAL));
}

static void test_file_errors(void) {
  char path[PATH_SIZE], spec[PATH_SIZE + 8];
  CHECK(parse_fails("file:/nonexistent/rc_schedule_steps", 0.1, RC_EIO));
  CHECK(parse_fails("file:", 0.1, RC_EIO));
  const char *bad[] = {"0.1\n0\n0.1\n", "0.1\n-0.2385\n", "-0\n"};
  for (size_t k = 0; k < 3; k++) {
    CHECK(temp_file(bad[k], path) == 0);
    snprintf(spec, sizeof spec, "file:%s", path);
    CHECK(parse_fails(spec, 0.1, RC_EINVAL));
    unlink(path);
  }
  const char *malformed[] = {"0.1\nnan\n", "0.1\ninf\n", "0.1 0.2\n0.3 0.4\n", "# none\n",
                             "0.1\n1.2.3\n"};
  for (size_t k = 0; k < 5; k++) {
    CHECK(temp_file(malformed[k], path) == 0);
    snprintf(spec, sizeof spec, "file:%s", path);
    CHECK(parse_fails(spec, 0.1, RC_EPARSE));
    unlink(path);
  }
  /* The message names the file and the offending step. */
  CHECK(temp_file("0.1\n0.1\n0\n", path) == 0);
  snprintf(spec, sizeof spec, "file:%s", path);
  rc_error err = {0, ""};
  CHECK(rc_schedule_parse(spec, 0.1, &err) == NULL);
  CHECK(strstr(err.message, path) != NULL);
  CHECK(strstr(err.message, "step 3") != NULL);
  unlink(path);
}

/* rc_schedule_check_horizons: the largest N, and the first bad N named in the message. */
static void test_check_horizons(void) {
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse("step:7:0.5", 0.2385, &err);
  const uint64_t ok_list[] = {40, 3, 1000000007, 12};
  uint64_t N_max = 0;
  CHECK_STATUS(rc_schedule_check_horizons(s, ok_list, 4, &N_max, &err), RC_SUCCESS);
  CHECK(N_max == 1000000007);
  CHECK_STATUS(rc_schedule_check_horizons(s, ok_list, 4, NULL, &err), RC_SUCCESS);
  const uint64_t zero[] = {5, 0};
  CHECK_STATUS(rc_schedule_check_horizons(s, zero, 2, &N_max, &err), RC_EINVAL);
  CHECK(strstr(err.message, "at least 1") != NULL);
  CHECK_STATUS(rc_schedule_check_horizons(s, ok_list, 0, &N_max, &err), RC_EINVAL);
  rc_schedule_free(s);
  char path[] = "/tmp/riskcalc_horizons_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs("0.1\n0.1\n0.05\n", f);
  fclose(f);
  char spec[64];
  snprintf(spec, sizeof spec, "file:%s", path);
  s = rc_schedule_parse(spec, 1.0, &err);
  const uint64_t fits[] = {3, 1}, too_long[] = {2, 4};
  CHECK_STATUS(rc_schedule_check_horizons(s, fits, 2, &N_max, &err), RC_SUCCESS);
  CHECK(N_max == 3);
  CHECK_STATUS(rc_schedule_check_horizons(s, too_long, 2, &N_max, &err), RC_EINVAL);
  CHECK(strstr(err.message, "N = 4") != NULL && strstr(err.message, "only 3") != NULL);
  rc_schedule_free(s);
  unlink(path);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_const);
  RUN_TEST(test_geometric);
  RUN_TEST(test_step);
  RUN_TEST(test_poly);
  RUN_TEST(test_file);
  RUN_TEST(test_twophase);
  RUN_TEST(test_smooth_kinds);
  RUN_TEST(test_warmup);
  RUN_TEST(test_stages);
  RUN_TEST(test_approximate);
  RUN_TEST(test_stall);
  RUN_TEST(test_copy_and_base);
  RUN_TEST(test_describe);
  RUN_TEST(test_parse_errors);
  RUN_TEST(test_file_errors);
  RUN_TEST(test_check_horizons);
  TEST_MAIN_END("test_schedule");
}
