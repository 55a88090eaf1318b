/* The library never reaches GSL's error handler (include/riskcalc/error.h).
 *
 * This program NEVER touches the handler: it stays GSL's default, which prints and aborts. It
 * runs every GSL-using path of the library (roots, tail integrals, Gauss-Legendre rules, the
 * deterministic equivalent, stage jumps, fits single and joint, random numbers, sketches, Monte
 * Carlo) with valid and edge-case inputs; reaching the handler kills the program, which then
 * prints no summary and fails in tests/run.sh.
 *
 * Allocation failures: the Makefile links this test with -Wl,--wrap=malloc,calloc,realloc,free,
 * so every allocation of the library (and of this file) goes through the wrappers below. For a
 * small problem per entry point, the k-th allocation fails for k = 1..K (K = the allocations
 * of a successful call): each call must return RC_ENOMEM with a message and leave no memory
 * behind (live allocations counted here; make asan adds LeakSanitizer). Allocations made inside
 * GSL, OpenBLAS, LAPACKE and libgomp are not wrapped; error.h lists the GSL ones. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "core/gauss.h"
#include "core/law_tail.h"
#include "core/root.h"
#include "linear/stage_jump.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

/* ------------------------------------------------------ allocation hooks */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

static long fail_at;     /* fail this allocation (1-based; 0: never) */
static long allocations; /* allocations seen since the counter was reset */
static long live;        /* allocations not yet freed */

static int fail_now(void) {
  return __atomic_add_fetch(&allocations, 1, __ATOMIC_SEQ_CST) == fail_at;
}

void *__wrap_malloc(size_t size) {
  if (fail_now())
    return NULL;
  void *p = __real_malloc(size);
  if (p)
    __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
  return p;
}

void *__wrap_calloc(size_t n, size_t size) {
  if (fail_now())
    return NULL;
  void *p = __real_calloc(n, size);
  if (p)
    __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
  return p;
}

void *__wrap_realloc(void *p, size_t size) {
  if (fail_now())
    return NULL;
  void *q = __real_realloc(p, size);
  if (q && !p)
    __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
  return q;
}

void __wrap_free(void *p) {
  if (p)
    __atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST);
  __real_free(p);
}

/* A scenario runs library calls on a small problem, frees what it made and returns the first
 * failing status (its message in err). */
typedef int (*scenario)(rc_error *err);

/* Runs s once to count its allocations (it must succeed), then once per allocation with that
 * allocation failing. */
static void fail_each_allocation(const char *name, scenario s) {
  rc_error err = {0, ""};
  long before = live;
  allocations = 0;
  fail_at = 0;
  int st = s(&err);
  const long total = allocations;
  CHECK_STATUS(st, RC_SUCCESS);
  CHECK(live == before);
  if (st) {
    printf("    %s: %s\n", name, err.message);
    return;
  }
  long wrong = 0, leaks = 0;
  for (long k = 1; k <= total; k++) {
    rc_error_clear(&err);
    before = live;
    allocations = 0;
    fail_at = k;
    st = s(&err);
    fail_at = 0;
    if (st != RC_ENOMEM || err.status != RC_ENOMEM || !err.message[0]) {
      if (wrong++ < 3)
        printf("    %s: allocation %ld of %ld failed: status %d (%s)\n", name, k, total, st,
               err.message);
    }
    if (live != before && leaks++ < 3)
      printf("    %s: allocation %ld of %ld failed: %ld allocations leaked\n", name, k, total,
             live - before);
  }
  CHECK(wrong == 0);
  CHECK(leaks == 0);
  printf("    %-28s %4ld allocations, each failed in turn: %s\n", name, total,
         wrong || leaks ? "FAILED" : "RC_ENOMEM, nothing leaked");
}

/* ------------------------------------------------------------- helpers */

static rc_law mklaw(rc_spectrum_kind kind, double a, double b, double d) {
  rc_law l = {kind, a, isnan(b) ? RC_PRIOR_ISOTROPIC : RC_PRIOR_SOURCE, b, d};
  return l;
}

/* A status is acceptable when it is one of the library's codes and, unless success, comes with
 * a message. */
static int clean(int st, const rc_error *err) {
  return st >= RC_SUCCESS && st <= RC_EDOMAIN && (st == RC_SUCCESS || err->message[0] != '\0');
}

/* ------------------------------------------- GSL paths, valid and edge inputs */

/* Plans of laws, including the one that aborted (log-power a = 1.5, d = inf, in
 * gsl_integration_qagiu) and laws near the edges of their domains; each plan's measure and
 * Stieltjes transform at extreme points. */
static void test_deteq_laws(void) {
  const struct {
    rc_law law;
    double M;
    int must_succeed;
  } cases[] = {
      {mklaw(RC_SPECTRUM_LOGPOWER, 1.5, NAN, INFINITY), 50, 1}, /* aborted before */
      {mklaw(RC_SPECTRUM_LOGPOWER, 1.5, NAN, INFINITY), 1, 1},
      {mklaw(RC_SPECTRUM_LOGPOWER, 1.0001, NAN, INFINITY), 20, 0},
      {mklaw(RC_SPECTRUM_LOGPOWER, 1.05, 1.001, INFINITY), 20, 0},
      {mklaw(RC_SPECTRUM_LOGPOWER, 40, NAN, INFINITY), 20, 0},
      {mklaw(RC_SPECTRUM_LOGPOWER, 3, 7, 1e15), 30, 1},
      {mklaw(RC_SPECTRUM_LOGPOWER, -0.5, 0.8, 1e6), 30, 1},
      {mklaw(RC_SPECTRUM_LOGPOWER, -1.2, NAN, 1e5), 30, 1},
      {mklaw(RC_SPECTRUM_LOGPOWER, -3, NAN, 1e5), 30, 0}, /* not decreasing: RC_EINVAL */
      {mklaw(RC_SPECTRUM_POWER, 1.0001, NAN, INFINITY), 10, 0},
      {mklaw(RC_SPECTRUM_POWER, 60, 61, INFINITY), 5, 0},
      {mklaw(RC_SPECTRUM_POWER, 1e-3, 1e-3, 1e6), 10, 0},
      {mklaw(RC_SPECTRUM_POWER, 0.3, -2, 9007199254740992.0), 10, 0},
      {mklaw(RC_SPECTRUM_POWER, 1.5, 1.5, INFINITY), 5e3, 1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    rc_error err = {0, ""};
    rc_deteq *de = rc_deteq_alloc_law(&cases[k].law, cases[k].M, &err);
    CHECK(de || clean(err.status, &err));
    if (cases[k].must_succeed)
      CHECK(de != NULL);
    if (!de) {
      printf("    law %zu: refused: %s\n", k, err.message);
      continue;
    }
    double kappa, approx;
    int st = rc_deteq_kappa(de, cases[k].M, &kappa, &approx, &err);
    CHECK(clean(st, &err));
    if (cases[k].must_succeed)
      CHECK(st == RC_SUCCESS && isfinite(kappa) && isfinite(approx));
    rc_deteq_info info;
    rc_sgd_measure *m = rc_deteq_measure(de, cases[k].M, NULL, &info, &err);
    CHECK(m || clean(err.status, &err));
    if (cases[k].must_succeed)
      CHECK(m != NULL);
    double g = 0;
    if (m) {
      st = rc_sgd_stable_gamma(m, 3, &g, &err);
      CHECK(st == RC_SUCCESS && g > 0);
    }
    const double xs[] = {1e-300, 1e-12, 0.5, 1e12, 1e300};
    for (int i = 0; i < 5; i++)
      for (int e = 0; e < 2; e++) {
        double mr, mi;
        st = rc_deteq_stieltjes(de, cases[k].M, xs[i], e ? xs[i] : 0, &mr, &mi, &err);
        CHECK(clean(st, &err));
      }
    if (m)
      printf("    law %zu: kappa %.6g, %zu atoms, tail bound %.2g\n", k, kappa, m->n,
             rc_deteq_tail_bound(de));
    else
      printf("    law %zu: kappa %.6g, measure refused: %s\n", k, kappa, err.message);
    rc_sgd_measure_free(m);
    rc_deteq_free(de);
  }
}

/* Explicit spectra with huge, tiny and repeated eigenvalues; quadrature rules of every size
 * the options allow. */
static void test_deteq_values(void) {
  double lam[40], p[40];
  for (int i = 0; i < 40; i++) {
    lam[i] = i < 5 ? 1e300 / (i + 1) : i < 10 ? 1e-300 * (i + 1) : i % 3 ? 0.25 : 1.0 / (i + 1);
    p[i] = i % 7 ? 1.0 : 1e-200;
  }
  rc_error err = {0, ""};
  rc_spectrum *s = rc_spectrum_values_alloc(lam, 40, &err);
  rc_prior *pr = rc_prior_values_alloc(p, 40, &err);
  CHECK(s && pr);
  const double Ms[] = {1, 7.5, 39, 40, 64};
  for (int k = 0; k < 5 && s && pr; k++) {
    rc_deteq *de = rc_deteq_alloc_values(s, pr, Ms[k], &err);
    CHECK(de || clean(err.status, &err));
    if (!de)
      continue;
    for (size_t nodes = 2; nodes <= 32; nodes += 5) {
      rc_deteq_options o = rc_deteq_options_default();
      o.nodes = nodes;
      o.rtol = nodes % 2 ? 1e-12 : 1e-3;
      o.max_atoms = 5000;
      rc_sgd_measure *m = rc_deteq_measure(de, Ms[k], &o, NULL, &err);
      CHECK(m || clean(err.status, &err));
      rc_sgd_measure_free(m);
    }
    rc_deteq_free(de);
  }
  rc_prior_free(pr);
  rc_spectrum_free(s);
  double x[32], w[32];
  for (size_t n = 1; n <= 32; n++)
    CHECK_STATUS(rc_gauss_legendre(n, x, w, &err), RC_SUCCESS);
}

/* The tail moments of laws directly, past small and huge cutoffs, d finite and infinite. */
static void test_law_tails(void) {
  const rc_law laws[] = {mklaw(RC_SPECTRUM_LOGPOWER, 1.5, NAN, INFINITY),
                         mklaw(RC_SPECTRUM_LOGPOWER, 1.0 + 1e-12, NAN, INFINITY),
                         mklaw(RC_SPECTRUM_LOGPOWER, 700, 1.0 + 1e-9, INFINITY),
                         mklaw(RC_SPECTRUM_LOGPOWER, -1.3, -5, 1e300),
                         mklaw(RC_SPECTRUM_LOGPOWER, 2, 3, 2.0)};
  const double ns[] = {1, 4096, 1e15};
  for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++)
    for (int j = 0; j < 3; j++) {
      if (!(ns[j] < laws[k].d))
        continue;
      rc_error err = {0, ""};
      double U[67], V[67], bu, bv;
      int st = rc_law_tail_moments(&laws[k], ns[j], 67, U, V, &bu, &bv, &err);
      CHECK(clean(st, &err));
    }
}

/* Roots: the stability edge on extreme measures, stage jumps, and the helper fed NaN. */
static int nan_inside(double x, void *p, double *v) {
  (void)p;
  *v = x > 0.2 && x < 0.8 ? NAN : x - 0.5;
  return RC_SUCCESS;
}

static void test_roots(void) {
  rc_error err = {0, ""};
  double mu[4] = {1e300, 1e-300, 1.0, 0.0}, nu[4] = {1, 1, 1e6, 1}, c0[4] = {1, 1, 1, 1};
  rc_sgd_measure m = {4, mu, nu, c0, 4, 0, 1, 3, 0};
  double g;
  CHECK_STATUS(rc_sgd_stable_gamma(&m, 1, &g, &err), RC_SUCCESS);
  nu[2] = NAN;
  CHECK_STATUS(rc_sgd_stable_gamma(&m, 1, &g, &err), RC_EINVAL);
  nu[2] = 1;
  mu[0] = INFINITY;
  CHECK_STATUS(rc_sgd_stable_gamma(&m, 1, &g, &err), RC_EINVAL);
  mu[0] = 1e300;
  CHECK_STATUS(rc_sgd_stable_gamma(&m, (size_t)1 << 60, &g, &err), RC_SUCCESS);
  /* stage jumps on ties, zero signal and extreme atoms */
  double mu2[6] = {1, 1, 1, 1e-200, 0.5, 1e-3}, nu2[6] = {1, 1, 1, 1, 1e-300, 2}, c2[6] = {0};
  rc_sgd_measure m2 = {6, mu2, nu2, c2, 6, 0, 1, 6, 0};
  rc_stage_jump *j = rc_stage_jump_alloc(&m2, 1, &err);
  CHECK(j != NULL);
  double bias[6] = {1, 2, 3, 4, 5, 6}, var[6] = {0};
  if (j && rc_sgd_stable_gamma(&m2, 1, &g, &err) == RC_SUCCESS)
    for (double f = 0.01; f < 1; f *= 3)
      CHECK(clean(rc_stage_jump_apply(j, f * g, 1000000, 0.1, bias, var, &err), &err));
  rc_stage_jump_free(j);
  const rc_root_options o = {0, 1e-12, 100, RC_ROOT_BEST};
  double r;
  CHECK_STATUS(rc_root_brent(nan_inside, NULL, 0.0, 1.0, &o, "nan", &r, &err), RC_ENOCONV);
}

/* Fits: ordinary data, degenerate designs, extreme values and levels, the joint fit from
 * extreme starts and with every option. */
static void test_fits(void) {
  enum { N = 24 };
  double x[N], x2[N], y[N], se[N];
  for (int i = 0; i < N; i++) {
    x[i] = 10 * pow(2, i % 6);
    x2[i] = 100 * pow(3, i / 6);
    y[i] = 0.2 + 3 * pow(x[i], -0.6) + 5 * pow(x2[i], -0.45) + 1e-3 * sin(7.1 * i);
    se[i] = 0.01 + 1e-3 * i;
  }
  rc_error err = {0, ""};
  rc_fit_power pw;
  const double levels[] = {1e-300, 1e-9, 0.5, 0.95, 1 - 1e-15, nextafter(1, 0)};
  for (int k = 0; k < 6; k++) {
    rc_fit_options o = rc_fit_options_default();
    o.level = levels[k];
    CHECK_STATUS(rc_fit_power_law(x, y, NULL, N, &o, &pw, &err), RC_SUCCESS);
    CHECK_STATUS(rc_fit_power_law(x, y, se, N, &o, &pw, &err), RC_SUCCESS);
    o.se_relative = 1;
    CHECK_STATUS(rc_fit_power_law(x, y, se, 3, &o, &pw, &err), RC_SUCCESS); /* 1 dof */
  }
  /* a large sample (many degrees of freedom for the t quantile) */
  enum { BIG = 5000 };
  double *bx = malloc(BIG * sizeof *bx), *by = malloc(BIG * sizeof *by);
  for (int i = 0; i < BIG; i++) {
    bx[i] = 1 + i;
    by[i] = pow(bx[i], -1.3) * (1 + 0.01 * sin(i));
  }
  CHECK_STATUS(rc_fit_power_law(bx, by, NULL, BIG, NULL, &pw, &err), RC_SUCCESS);
  free(bx);
  free(by);
  /* degenerate: equal x, two points, huge and tiny values */
  const double same[3] = {2, 2, 2}, yy[3] = {1, 2, 3};
  CHECK_STATUS(rc_fit_power_law(same, yy, NULL, 3, NULL, &pw, &err), RC_EINVAL);
  CHECK_STATUS(rc_fit_power_law(x, y, NULL, 2, NULL, &pw, &err), RC_SUCCESS);
  const double hx[3] = {1e-300, 1, 1e300}, hy[3] = {1e300, 1, 1e-300}, hs[3] = {1e-300, 1, 1e300};
  CHECK(clean(rc_fit_power_law(hx, hy, hs, 3, NULL, &pw, &err), &err));
  /* joint fits */
  rc_fit_joint j;
  rc_fit_joint_options jo = rc_fit_joint_options_default();
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, NULL, N, &jo, &j, &err), RC_SUCCESS);
  CHECK_STATUS(rc_fit_joint_power_law(x, x2, y, se, N, &jo, &j, &err), RC_SUCCESS);
  jo.fix_E = 1;
  jo.E = 0.2;
  CHECK(clean(rc_fit_joint_power_law(x, x2, y, se, N, &jo, &j, &err), &err));
  jo = rc_fit_joint_options_default();
  /* extreme starts: exponentials overflow at the start and on trial steps */
  const double starts[3][RC_FIT_NPARAM] = {
      {0, 1e300, 700, -1e300, 700}, {1e300, 1, -1e3, 1, 1e3}, {0, 0, 0, 0, 0}};
  for (int k = 0; k < 3; k++) {
    jo.start = starts[k];
    for (int fix = 0; fix < 2; fix++) {
      jo.fix_E = fix;
      jo.max_iter = fix ? 1 : 100000;
      CHECK(clean(rc_fit_joint_power_law(x, x2, y, fix ? se : NULL, N, &jo, &j, &err), &err));
    }
  }
  jo = rc_fit_joint_options_default();
  /* designs that do not identify the parameters */
  double flat[N], one[N];
  for (int i = 0; i < N; i++) {
    flat[i] = 0.7;            /* constant y */
    one[i] = 1 + (i % 2) * 1; /* x2 with two values only */
  }
  CHECK(clean(rc_fit_joint_power_law(x, x2, flat, NULL, N, &jo, &j, &err), &err));
  CHECK(clean(rc_fit_joint_power_law(x, one, y, NULL, N, &jo, &j, &err), &err));
  CHECK(clean(rc_fit_joint_power_law(x, x2, y, NULL, 5, &jo, &j, &err), &err)); /* n = p */
  CHECK_STATUS(rc_fit_joint_power_law(x, x, y, NULL, 4, &jo, &j, &err), RC_EINVAL);
  double wide[N];
  for (int i = 0; i < N; i++)
    wide[i] = pow(10, -300 + 600.0 * i / (N - 1));
  CHECK(clean(rc_fit_joint_power_law(wide, x2, y, NULL, N, &jo, &j, &err), &err));
  jo.level = 1 - 1e-16;
  CHECK(clean(rc_fit_joint_power_law(x, x2, y, se, N, &jo, &j, &err), &err));
}

/* Random numbers, sketches, the exact engine and the Monte Carlo verifier, small. */
static void test_random_paths(void) {
  rc_error err = {0, ""};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937); /* the caller's generator */
  rc_spectrum *s = rc_spectrum_power_alloc(30, 1.5, &err);
  rc_prior *p = rc_prior_isotropic_alloc(30, &err);
  rc_sketch *S = rc_sketch_gaussian_alloc(6, 30, rng, &err);
  rc_sgd_measure *m = S ? rc_sgd_measure_from_sketch(s, p, S, &err) : NULL;
  rc_schedule *sched = rc_schedule_parse("const", 0.1, &err);
  CHECK(s && p && S && m && sched);
  const uint64_t Ns[3] = {10, 1000, 100000};
  rc_risk rows[3];
  rc_sgd_options so = rc_sgd_options_default();
  if (m && sched)
    CHECK_STATUS(rc_sgd_risk_curve(m, sched, Ns, 3, &so, rows, &err), RC_SUCCESS);
  rc_mc_options mo = rc_mc_options_default();
  mo.runs = 4;
  mo.threads = 2;
  rc_mc_risk mr[2];
  for (int mode = 0; mode < 2 && S && sched; mode++) {
    mo.mode = mode ? RC_MC_RAW : RC_MC_REDUCED;
    CHECK_STATUS(rc_mc_risk_curve(s, p, S, 6, sched, Ns, 2, &mo, mr, &err), RC_SUCCESS);
  }
  mo.mode = RC_MC_REDUCED;
  mo.resketch = 1;
  if (sched)
    CHECK_STATUS(rc_mc_risk_curve(s, p, NULL, 6, sched, Ns, 2, &mo, mr, &err), RC_SUCCESS);
  rc_schedule_free(sched);
  rc_sgd_measure_free(m);
  rc_sketch_free(S);
  rc_prior_free(p);
  rc_spectrum_free(s);
  gsl_rng_free(rng);
}

/* Other models' GSL paths: the quadratic model's Hurwitz zeta tail (gsl_sf_hzeta_e raises
 * through the handler on underflow, e.g. zeta(400, 1001)), the tuned step (GSL's Brent
 * minimiser) and the optimal stages (GSL's vector BFGS). */
static void test_other_paths(void) {
  rc_error err = {0, ""};
  const struct {
    double beta, d;
    size_t M;
  } q[] = {{400, INFINITY, 1000},
           {1.0000001, INFINITY, 5},
           {1.5, 1e7, 20},
           {60, 1e7, 3},
           {2, INFINITY, 1}};
  for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
    rc_quad_spec spec = rc_quad_spec_default();
    spec.beta = q[k].beta;
    spec.d = q[k].d;
    rc_quad_problem *p = rc_quad_problem_alloc(&spec, q[k].M, &err);
    CHECK(p != NULL);
    if (p)
      CHECK(isfinite(p->approx) && p->approx >= 0);
    rc_quad_problem_free(p);
  }
  double mu[5] = {1, 0.4, 0.4, 1e-3, 1e-9}, nu[5] = {1, 1, 2, 1, 1}, c0[5] = {1, 2, 1, 3, 1};
  rc_sgd_measure m = {5, mu, nu, c0, 5, 0.1, 1, 5, 0};
  rc_schedule *sched = rc_schedule_parse("cosine", 1.0, &err);
  rc_gamma_tuned t;
  CHECK(sched && clean(rc_sgd_tune_gamma(&m, sched, 1000, NULL, &t, &err), &err));
  rc_schedule_free(sched);
  rc_schedule_opt_options o = rc_schedule_opt_options_default();
  o.stages = 6;
  rc_schedule_opt_result r;
  memset(&r, 0, sizeof r);
  CHECK_STATUS(rc_sgd_schedule_opt(&m, 600, NULL, &o, &r, &err), RC_SUCCESS);
  rc_schedule_opt_result_free(&r);
}

/* ------------------------------------------------- allocation failures */

static int sc_law_plan(rc_error *err) {
  rc_law l = mklaw(RC_SPECTRUM_LOGPOWER, 1.5, NAN, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&l, 4, err);
  if (!de)
    return err->status;
  rc_sgd_measure *m = rc_deteq_measure(de, 4, NULL, NULL, err);
  int st = m ? RC_SUCCESS : err->status;
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
  return st;
}

static int sc_values_plan(rc_error *err) {
  double lam[12], p[12];
  for (int i = 0; i < 12; i++) {
    lam[i] = i % 4 == 0 ? 0.5 : 1.0 / (i + 1.5);
    p[i] = 1.0 + i;
  }
  rc_spectrum *s = rc_spectrum_values_alloc(lam, 12, err);
  rc_prior *pr = s ? rc_prior_values_alloc(p, 12, err) : NULL;
  rc_deteq *de = pr ? rc_deteq_alloc_values(s, pr, 5, err) : NULL;
  rc_sgd_measure *m = de ? rc_deteq_measure(de, 5, NULL, NULL, err) : NULL;
  rc_schedule *sc = m ? rc_schedule_parse("geometric", 0.2, err) : NULL;
  const uint64_t Ns[2] = {20, 50};
  rc_risk rows[2];
  rc_sgd_options o = rc_sgd_options_default();
  int st = sc ? rc_sgd_risk_curve(m, sc, Ns, 2, &o, rows, err) : err->status;
  rc_schedule_free(sc);
  rc_sgd_measure_free(m);
  rc_deteq_free(de);
  rc_prior_free(pr);
  rc_spectrum_free(s);
  return st;
}

static int sc_closed(rc_error *err) {
  rc_law l = mklaw(RC_SPECTRUM_POWER, 1.5, 2, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&l, 8, err);
  const uint64_t Ns[2] = {100, 1000};
  rc_closed_row rows[2];
  int st = de ? rc_closed_curve(de, 8, Ns, 2, 0.1, 1, 0.1, rows, err) : err->status;
  rc_deteq_free(de);
  return st;
}

static int sc_sketch_curve(rc_error *err) {
  rc_spectrum *s = rc_spectrum_logpower_alloc(20, 2, err);
  rc_prior *p = s ? rc_prior_source_alloc(s, 2.5, err) : NULL;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937); /* allocated inside GSL: not counted */
  rc_sketch *S = p ? rc_sketch_gaussian_alloc(4, 20, rng, err) : NULL;
  rc_sgd_measure *m = S ? rc_sgd_measure_from_sketch(s, p, S, err) : NULL;
  rc_schedule *sc = m ? rc_schedule_parse("step:5:0.5", 0.1, err) : NULL;
  const uint64_t Ns[3] = {7, 30, 60};
  rc_risk rows[3];
  rc_sgd_options o = rc_sgd_options_default();
  int st = sc ? rc_sgd_risk_curve(m, sc, Ns, 3, &o, rows, err) : err->status;
  rc_schedule_free(sc);
  rc_sgd_measure_free(m);
  rc_sketch_free(S);
  gsl_rng_free(rng);
  rc_prior_free(p);
  rc_spectrum_free(s);
  return st;
}

static int sc_stage_jump(rc_error *err) {
  double mu[5] = {1, 0.5, 0.5, 0.1, 0}, nu[5] = {1, 1, 1, 2, 1}, c0[5] = {1, 1, 1, 1, 1};
  rc_sgd_measure m = {5, mu, nu, c0, 5, 0, 1, 4, 0};
  rc_stage_jump *j = rc_stage_jump_alloc(&m, 2, err);
  if (!j)
    return err->status;
  double b1[5] = {1, 1, 1, 1, 1}, v1[5] = {0}, b2[5] = {1, 1, 1, 1, 1}, v2[5] = {0};
  double *bias[2] = {b1, b2}, *var[2] = {v1, v2};
  const uint64_t K[2] = {100, 1000};
  int st = rc_stage_jump_apply(j, 0.3, 50, 0.1, b1, v1, err);
  if (!st)
    st = rc_stage_jump_apply_many(j, 0.2, 2, K, 0.1, bias, var, err);
  rc_stage_jump_free(j);
  return st;
}

static int sc_monte_carlo(rc_error *err) {
  rc_spectrum *s = rc_spectrum_power_alloc(12, 1.5, err);
  rc_prior *p = s ? rc_prior_isotropic_alloc(12, err) : NULL;
  rc_schedule *sc = p ? rc_schedule_parse("const", 0.1, err) : NULL;
  rc_mc_options o = rc_mc_options_default();
  o.runs = 3;
  o.threads = 1; /* the k-th allocation must be the same one every time */
  o.resketch = 1;
  const uint64_t Ns[2] = {5, 20};
  rc_mc_risk out[2];
  int st = sc ? rc_mc_risk_curve(s, p, NULL, 4, sc, Ns, 2, &o, out, err) : err->status;
  rc_schedule_free(sc);
  rc_prior_free(p);
  rc_spectrum_free(s);
  return st;
}

static int sc_fit_single(rc_error *err) {
  const double x[5] = {1, 2, 4, 8, 16}, y[5] = {1, 0.55, 0.26, 0.13, 0.061};
  rc_fit_power r;
  return rc_fit_power_law(x, y, NULL, 5, NULL, &r, err);
}

static int sc_fit_joint(rc_error *err) {
  double x[12], x2[12], y[12];
  for (int i = 0; i < 12; i++) {
    x[i] = pow(2, i % 4);
    x2[i] = pow(3, i / 4);
    y[i] = 0.1 + pow(x[i], -0.7) + 2 * pow(x2[i], -0.4) + 1e-3 * cos(i);
  }
  rc_fit_joint r;
  return rc_fit_joint_power_law(x, x2, y, NULL, 12, NULL, &r, err);
}

static int sc_law_tails(rc_error *err) {
  rc_law l = mklaw(RC_SPECTRUM_LOGPOWER, 2, NAN, 1e9);
  double U[67], V[67], bu, bv;
  return rc_law_tail_moments(&l, 100, 67, U, V, &bu, &bv, err);
}

/* The step-size tuner: measure, log scan and Brent (src/core/minimize.c). */
static int sc_tune(rc_error *err) {
  rc_law l = mklaw(RC_SPECTRUM_POWER, 1.5, 2.0, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&l, 16, err);
  rc_measure *m = de ? rc_deteq_measure(de, 16, NULL, NULL, err) : NULL;
  rc_schedule *s = m ? rc_schedule_parse("cosine", 0.1, err) : NULL;
  rc_gamma_tuned t;
  const int st = s ? rc_sgd_tune_gamma(m, s, 200, NULL, &t, err) : err->status;
  rc_schedule_free(s);
  rc_measure_free(m);
  rc_deteq_free(de);
  return st;
}

/* The quadratic model (src/quad): a problem with d = inf (the Hurwitz zeta tail, in its _e
 * form), the step tuned over the closure's domain (edge bisection, log scan, Brent through
 * src/core/minimize.c), the trajectory, the cost queries and a short Monte Carlo curve. */
static int sc_quad(rc_error *err) {
  rc_quad_spec spec = rc_quad_spec_default();
  spec.alpha = 2.5;
  spec.beta = 1.5;
  rc_quad_problem *p = rc_quad_problem_alloc(&spec, 3, err);
  rc_schedule *s = p ? rc_schedule_parse("twophase", 0.02, err) : NULL;
  int st = s ? RC_SUCCESS : err->status;
  const uint64_t Ts[] = {40, 80}, times[] = {0, 5, 40};
  rc_quad_eta_tuned t;
  double theta[3 * 3];
  rc_cost c;
  rc_quad_mc_options o = rc_quad_mc_options_default();
  o.runs = 4;
  o.threads = 1;
  rc_quad_mc_row rows[2];
  if (!st)
    st = rc_quad_tune_eta(p, s, 40, NULL, &t, err);
  if (!st)
    st = rc_quad_analytic_trajectory(p, s, 40, times, 3, NULL, theta, NULL, NULL, err);
  if (!st)
    st = rc_quad_analytic_cost(3, s, Ts, 2, &c, err);
  if (!st)
    st = rc_quad_mc_cost(3, 1, s, Ts, 2, &o, &c, err);
  if (!st)
    st = rc_quad_mc_curve(p, s, Ts, 2, &o, rows, err);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
  return st;
}

/* The quadratic model's sketched variant: its problem (dsyrk over column blocks, Cholesky,
 * solve), its cost and a short Monte Carlo curve. */
static int sc_quad_sketched(rc_error *err) {
  rc_quad_spec spec = rc_quad_spec_default();
  spec.d = 1100; /* two column blocks */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng)
    return rc_error_set(err, RC_ENOMEM, "no generator");
  rc_sketch *S = rc_sketch_gaussian_alloc(3, 1100, rng, err);
  gsl_rng_free(rng);
  rc_quad_problem *p = S ? rc_quad_problem_sketched_alloc(&spec, S, err) : NULL;
  rc_schedule *s = p ? rc_schedule_parse("const", 0.01, err) : NULL;
  int st = s ? RC_SUCCESS : err->status;
  const uint64_t Ts[] = {20, 40};
  rc_cost c;
  rc_quad_mc_options o = rc_quad_mc_options_default();
  o.runs = 4;
  o.threads = 1;
  rc_quad_mc_row rows[2];
  if (!st)
    st = rc_quad_mc_problem_cost(p, s, Ts, 2, &o, &c, err);
  if (!st)
    st = rc_quad_mc_curve(p, s, Ts, 2, &o, rows, err);
  rc_schedule_free(s);
  rc_quad_problem_free(p);
  rc_sketch_free(S);
  return st;
}

/* The quadratic model's edges: a step far outside the closure's domain, a tuner whose start is
 * far above and far below the edge, a tiny and a huge horizon. */
static void test_quad_paths(void) {
  rc_error err = {0, ""};
  CHECK(clean(sc_quad(&err), &err));
  rc_quad_spec spec = rc_quad_spec_default();
  rc_quad_problem *p = rc_quad_problem_alloc(&spec, 4, &err);
  const double etas[] = {1e-12, 1e3, 1e300};
  for (size_t k = 0; p && k < sizeof etas / sizeof etas[0]; k++) {
    rc_schedule *s = rc_schedule_parse("const", etas[k], &err);
    const uint64_t T[] = {1, 1000000000000ull};
    rc_quad_row rows[2];
    rc_quad_eta_tuned t;
    rc_error_clear(&err);
    CHECK(s && clean(rc_quad_analytic_curve(p, s, T, 2, NULL, rows, NULL, &err), &err));
    rc_error_clear(&err);
    CHECK(s && clean(rc_quad_tune_eta(p, s, 100, NULL, &t, &err), &err));
    rc_schedule_free(s);
  }
  rc_quad_problem_free(p);
}

/* The optimal schedule: valid and edge-case inputs with the default handler (its BFGS state is
 * allocated by GSL: the documented residue of include/riskcalc/error.h, so no failing
 * allocations here). */
static void test_schedule_tuning(void) {
  rc_error err = {0, ""};
  CHECK(clean(sc_tune(&err), &err));
  rc_law l = mklaw(RC_SPECTRUM_POWER, 2.0, 2.5, INFINITY);
  rc_deteq *de = rc_deteq_alloc_law(&l, 8, &err);
  rc_measure *m = de ? rc_deteq_measure(de, 8, NULL, NULL, &err) : NULL;
  CHECK(m != NULL);
  const uint64_t Ns[] = {1, 2, 5, 64};
  for (size_t k = 0; m && k < sizeof Ns / sizeof Ns[0]; k++) {
    rc_schedule_opt_options opt = rc_schedule_opt_options_default();
    opt.stages = Ns[k] < 4 ? (size_t)Ns[k] : 4;
    rc_schedule_opt_result r;
    rc_error_clear(&err);
    CHECK(clean(rc_sgd_schedule_opt(m, Ns[k], NULL, &opt, &r, &err), &err));
    rc_schedule_opt_result_free(&r);
    opt.per_step = 1;
    rc_error_clear(&err);
    CHECK(clean(rc_sgd_schedule_opt(m, Ns[k], NULL, &opt, &r, &err), &err));
    rc_schedule_opt_result_free(&r);
  }
  /* a gradient at the stability edge and beyond: a status, not an abort */
  double g_star = 1, E, grad[2];
  if (m)
    rc_sgd_stable_gamma(m, 1, &g_star, NULL);
  const uint64_t len[2] = {10, 1000};
  const double edge[2] = {g_star, 10 * g_star};
  rc_error_clear(&err);
  CHECK(m && clean(rc_sgd_stage_gradient(m, len, edge, 2, NULL, &E, grad, &err), &err));
  rc_measure_free(m);
  rc_deteq_free(de);
}

static int sc_schedule_opt(rc_error *err) {
  double mu[4] = {1, 0.3, 0.01, 0}, nu[4] = {1, 2, 1, 1}, c0[4] = {1, 1, 1, 1};
  rc_sgd_measure m = {4, mu, nu, c0, 4, 0, 1, 3, 0};
  rc_schedule_opt_options o = rc_schedule_opt_options_default();
  o.stages = 3;
  o.max_iter = 5;
  rc_schedule_opt_result r;
  memset(&r, 0, sizeof r);
  int st = rc_sgd_schedule_opt(&m, 40, NULL, &o, &r, err);
  rc_schedule_opt_result_free(&r);
  return st;
}

static void test_allocation_failures(void) {
  fail_each_allocation("step-size tuner", sc_tune);
  fail_each_allocation("law plan, log-power d = inf", sc_law_plan);
  fail_each_allocation("law tail moments", sc_law_tails);
  fail_each_allocation("values plan and risk curve", sc_values_plan);
  fail_each_allocation("closed forms", sc_closed);
  fail_each_allocation("sketch, measure, risk curve", sc_sketch_curve);
  fail_each_allocation("stage jumps", sc_stage_jump);
  fail_each_allocation("Monte Carlo, resketch", sc_monte_carlo);
  fail_each_allocation("single power-law fit", sc_fit_single);
  fail_each_allocation("joint fit", sc_fit_joint);
  fail_each_allocation("quad: tune, trajectory, mc", sc_quad);
  fail_each_allocation("quad: sketched problem, mc", sc_quad_sketched);
  fail_each_allocation("optimal stages (BFGS)", sc_schedule_opt);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_deteq_laws);
  RUN_TEST(test_deteq_values);
  RUN_TEST(test_law_tails);
  RUN_TEST(test_roots);
  RUN_TEST(test_fits);
  RUN_TEST(test_random_paths);
  RUN_TEST(test_schedule_tuning);
  RUN_TEST(test_quad_paths);
  RUN_TEST(test_other_paths);
  RUN_TEST(test_allocation_failures);
  TEST_MAIN_END("test_never_abort");
}
