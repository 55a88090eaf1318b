/* Acceptance test of the exact method through the tool: "the engine agrees with an
 * independent full-matrix implementation to 1e-9 relative on random spectra, priors and
 * sketches given as files, for every schedule kind and batch sizes 1 to 8".
 *
 * Random spectrum, prior, sketch (and step list) files go to a mkdtemp directory; the tool
 * (path from $RISKCALC, default build/riskcalc) runs
 *   riskcalc linear --method exact --spectrum F --prior F --sketch F --N LIST --gamma G
 *     --batch B --schedule SPEC --sigma2 S
 * and every column of its TSV is compared with tests/linear/brute.h. All numbers travel as %.17g,
 * which round-trips doubles exactly, so the tool and the reference see the same inputs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "linear/brute.h"
#include "rc_test.h"
#include "riskcalc/riskcalc.h"

/* The acceptance tolerance. Both sides are exact; the observed differences are rounding
 * (below 1e-12 here), so 1e-9 is the criterion, not a loosened one. */
#define CLI_RTOL 1e-9
/* Approx is 0 in exact arithmetic when the sketch sees every direction of H (M >= d); the
 * brute force's difference tr(HP) - tr(G^+ T) then leaves rounding of a few eps tr(HP). */
#define APPROX_ZERO 1e-12
#define MAX_ROWS 8

/* The temporary directory of one test and the tool under test. */
typedef struct {
  char dir[64];
  const char *tool;
  int counter; /* distinguishes the files of successive cases */
} workspace;

typedef struct {
  double max_rel;
  size_t rows, runs;
} error_stats;

static void note(error_stats *stats, double got, double want) {
  double rel = brute_rel(got, want);
  if (rel > stats->max_rel)
    stats->max_rel = rel;
}

static int write_column(const char *path, const double *v, size_t n, const char *comment) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "# %s\n", comment);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%.17g\n", v[i]);
  return fclose(f);
}

static int write_matrix(const char *path, const double *S, size_t M, size_t d) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "# sketch %zu x %zu\n", M, d);
  for (size_t k = 0; k < M; k++)
    for (size_t i = 0; i < d; i++)
      fprintf(f, "%.17g%c", S[k * d + i], i + 1 < d ? '\t' : '\n');
  return fclose(f);
}

/* A schedule kind under test. */
typedef struct {
  const char *spec; /* NULL for a step list file */
  brute_kind kind;
  uint64_t K;
  double F, T0, P;
} schedule_case;

/* Problem sizes: M < d, M > d (pseudo-inverse of a singular G) and small ones. */
static const size_t sizes[][2] = {{3, 5}, {7, 20}, {12, 40}, {7, 5}, {12, 5}, {5, 16}, {9, 30}};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

/* Runs one case: a fresh random problem, the tool on it, the brute force on every row. */
static void run_case(workspace *ws, const schedule_case *sc, size_t B, unsigned long seed,
                     error_stats *stats) {
  const size_t M = sizes[seed % N_SIZES][0], d = sizes[seed % N_SIZES][1];
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, seed);
  double *lambda = malloc(d * sizeof(double)), *p = malloc(d * sizeof(double));
  double *S = malloc(M * d * sizeof(double)), steps[200];
  rc_spectrum *spectrum = NULL;
  rc_prior *prior = NULL;
  rc_sketch *sketch = NULL;
  rc_sgd_measure *measure = NULL;
  brute_problem bp = {0, 0, NULL, NULL, 0, 0, 0, 0};
  char files[5][128], command[2048];
  const int id = ws->counter++;
  for (int k = 0; k < 5; k++)
    files[k][0] = '\0';

  /* random spectrum (log-uniform over two decades), prior, Gaussian sketch N(0, 1/M) */
  for (size_t i = 0; i < d; i++) {
    lambda[i] = exp(log(0.015) + log(100.0) * gsl_rng_uniform(rng));
    p[i] = 0.2 + 1.7 * gsl_rng_uniform(rng);
  }
  for (size_t k = 0; k < M * d; k++)
    S[k] = gsl_ran_gaussian(rng, 1.0 / sqrt((double)M));
  snprintf(files[0], sizeof files[0], "%s/spectrum%d.txt", ws->dir, id);
  snprintf(files[1], sizeof files[1], "%s/prior%d.txt", ws->dir, id);
  snprintf(files[2], sizeof files[2], "%s/sketch%d.txt", ws->dir, id);
  snprintf(files[3], sizeof files[3], "%s/out%d.err", ws->dir, id);
  if (write_column(files[0], lambda, d, "eigenvalues of H") ||
      write_column(files[1], p, d, "prior variances") || write_matrix(files[2], S, M, d)) {
    CHECK(!"cannot write the input files");
    goto done;
  }

  /* a safe step: a random fraction of the largest stable one for this sketch and batch */
  spectrum = rc_spectrum_values_alloc(lambda, d, NULL);
  prior = rc_prior_values_alloc(p, d, NULL);
  sketch = rc_sketch_values_alloc(S, M, d, NULL);
  measure = spectrum && prior && sketch ? rc_sgd_measure_from_sketch(spectrum, prior, sketch, NULL)
                                        : NULL;
  double g_star = 0;
  if (!measure || rc_sgd_stable_gamma(measure, B, &g_star, NULL) ||
      brute_problem_init(&bp, lambda, p, S, M, d)) {
    CHECK(!"cannot set up the problem");
    goto done;
  }
  const double gamma = g_star * (0.3 + 0.65 * gsl_rng_uniform(rng));
  /* sigma2 = 0 only where Approx > 0, so the variance then comes from Approx alone */
  const double sigma2 = (B % 4 == 1 && M < d) ? 0.0 : 0.02 + 1.5 * gsl_rng_uniform(rng);

  /* horizons: N = 1, non-powers of two, up to ~160; a different set per case */
  uint64_t Ns[4] = {1, 2 + gsl_rng_uniform_int(rng, 9), 13 + gsl_rng_uniform_int(rng, 40),
                    70 + gsl_rng_uniform_int(rng, 90)};
  const size_t count = 4;
  char list[128];
  snprintf(list, sizeof list, "%llu,%llu,%llu,%llu", (unsigned long long)Ns[0],
           (unsigned long long)Ns[1], (unsigned long long)Ns[2], (unsigned long long)Ns[3]);

  brute_schedule bs = {sc->kind, gamma, sc->K, sc->F, sc->T0, sc->P, NULL, 0};
  char spec[160];
  if (sc->kind == BRUTE_LIST) {
    /* 200 absolute steps in [0.25, 0.95] g*, with runs of repeated values */
    for (size_t t = 0; t < 200; t++)
      steps[t] = t > 0 && gsl_rng_uniform(rng) < 0.5 ? steps[t - 1]
                                                     : g_star * (0.25 + 0.7 * gsl_rng_uniform(rng));
    snprintf(files[4], sizeof files[4], "%s/steps%d.txt", ws->dir, id);
    if (write_column(files[4], steps, 200, "absolute steps")) {
      CHECK(!"cannot write the step file");
      goto done;
    }
    snprintf(spec, sizeof spec, "file:%s", files[4]);
    bs.list = steps;
    bs.count = 200;
  } else {
    snprintf(spec, sizeof spec, "%s", sc->spec);
  }

  snprintf(command, sizeof command,
           "'%s' linear --method exact --spectrum '%s' --prior '%s' --sketch '%s' --N %s "
           "--gamma %.17g --batch %zu --schedule '%s' --sigma2 %.17g 2>'%s'",
           ws->tool, files[0], files[1], files[2], list, gamma, B, spec, sigma2, files[3]);
  FILE *pipe = popen(command, "r");
  if (!pipe) {
    CHECK(!"popen failed");
    goto done;
  }
  char line[4096];
  double rows[MAX_ROWS][10]; /* the risk columns, then gamma batch sigma2 */
  size_t nrows = 0;
  int header = 0, malformed = 0;
  while (fgets(line, sizeof line, pipe)) {
    if (line[0] == '#')
      continue;
    if (!header) {
      header =
          strcmp(line, "N\tM\tapprox\tbias\tvariance\texcess\trisk\tgamma\tbatch\tsigma2\n") == 0;
      if (!header)
        malformed = 1;
      continue;
    }
    char *s = line, *end;
    if (nrows == MAX_ROWS) {
      malformed = 1;
      continue;
    }
    for (int c = 0; c < 10; c++) {
      rows[nrows][c] = strtod(s, &end);
      if (end == s || (*end != (c < 9 ? '\t' : '\n')))
        malformed = 1;
      s = end + 1;
    }
    nrows++;
  }
  const int status = pclose(pipe);
  stats->runs++;
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(header && !malformed);
  CHECK(nrows == count);
  if (rc_test_checks_failed_) {
    printf("    command: %s\n", command);
    char buf[512];
    FILE *e = fopen(files[3], "r");
    while (e && fgets(buf, sizeof buf, e))
      printf("    stderr: %s", buf);
    if (e)
      fclose(e);
    goto done;
  }

  for (size_t r = 0; r < nrows; r++) {
    /* rows come in the order of --N */
    brute_result want;
    if (brute_risk(&bp, &bs, Ns[r], B, sigma2, &want)) {
      CHECK(!"brute_risk ran out of memory");
      goto done;
    }
    CHECK(rows[r][0] == (double)Ns[r]);
    CHECK(rows[r][1] == (double)M);
    /* the sweep columns echo the step (a file of absolute steps: its first), batch and noise */
    if (strncmp(spec, "file:", 5) == 0)
      CHECK(rows[r][7] == steps[0]);
    else
      CHECK(rows[r][7] == gamma);
    CHECK(rows[r][8] == (double)B);
    CHECK(rows[r][9] == sigma2);
    if (fabs(want.approx) <= APPROX_ZERO * bp.signal) {
      CHECK_ABS(rows[r][2], 0.0, APPROX_ZERO * bp.signal);
    } else {
      CHECK_REL(rows[r][2], want.approx, CLI_RTOL);
      note(stats, rows[r][2], want.approx);
    }
    CHECK_REL(rows[r][3], want.bias, CLI_RTOL);
    CHECK_REL(rows[r][4], want.variance, CLI_RTOL);
    CHECK_REL(rows[r][5], want.excess, CLI_RTOL);
    CHECK_REL(rows[r][6], want.risk, CLI_RTOL);
    note(stats, rows[r][3], want.bias);
    note(stats, rows[r][4], want.variance);
    note(stats, rows[r][5], want.excess);
    note(stats, rows[r][6], want.risk);
    stats->rows++;
    if (rc_test_checks_failed_) {
      printf("    (M = %zu, d = %zu, N = %llu, B = %zu, sigma2 = %g)\n    command: %s\n", M, d,
             (unsigned long long)Ns[r], B, sigma2, command);
      break;
    }
  }
done:
  for (int k = 0; k < 5; k++)
    if (files[k][0])
      unlink(files[k]);
  brute_problem_free(&bp);
  rc_sgd_measure_free(measure);
  rc_sketch_free(sketch);
  rc_prior_free(prior);
  rc_spectrum_free(spectrum);
  free(lambda);
  free(p);
  free(S);
  gsl_rng_free(rng);
}

/* Every batch size 1..8 for one schedule kind. */
static void run_kind(workspace *ws, const schedule_case *sc, unsigned long seed0,
                     error_stats *stats) {
  for (size_t B = 1; B <= 8 && !rc_test_checks_failed_; B++)
    run_case(ws, sc, B, seed0 + B, stats);
}

/* Every batch size 1..8 of one schedule kind, in a temporary directory of its own that is
 * removed at the end. */
static void run_kind_in_tempdir(const schedule_case *sc, unsigned long seed0) {
  workspace ws;
  const char *tool = getenv("RISKCALC");
  ws.tool = tool && *tool ? tool : "build/riskcalc";
  ws.counter = 0;
  snprintf(ws.dir, sizeof ws.dir, "/tmp/rc_cli_files_XXXXXX");
  if (access(ws.tool, X_OK) != 0) {
    CHECK(!"the tool is not executable");
    printf("    cannot run '%s' (set RISKCALC)\n", ws.tool);
    return;
  }
  if (!mkdtemp(ws.dir)) {
    CHECK(!"mkdtemp failed");
    return;
  }
  error_stats stats = {0, 0, 0};
  run_kind(&ws, sc, seed0, &stats);
  printf("    %zu runs of the tool, %zu rows, largest relative error %.3g\n", stats.runs,
         stats.rows, stats.max_rel);
  CHECK(stats.runs == 8 || rc_test_checks_failed_);
  if (rmdir(ws.dir) != 0) {
    CHECK(!"temporary files left behind");
    printf("    %s is not empty\n", ws.dir);
  }
}

static void test_cli_const(void) {
  schedule_case sc = {"const", BRUTE_CONST, 0, 0, 0, 0};
  run_kind_in_tempdir(&sc, 1000);
}

static void test_cli_geometric(void) {
  schedule_case sc = {"geometric", BRUTE_GEOMETRIC, 0, 0, 0, 0};
  run_kind_in_tempdir(&sc, 2000);
}

static void test_cli_step(void) {
  schedule_case sc = {"step:6:0.55", BRUTE_STEP, 6, 0.55, 0, 0};
  run_kind_in_tempdir(&sc, 3000);
}

static void test_cli_poly(void) {
  schedule_case sc = {"poly:3.5:0.8", BRUTE_POLY, 0, 0, 3.5, 0.8};
  run_kind_in_tempdir(&sc, 4000);
}

static void test_cli_file(void) {
  schedule_case sc = {NULL, BRUTE_LIST, 0, 0, 0, 0};
  run_kind_in_tempdir(&sc, 5000);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_cli_const);
  RUN_TEST(test_cli_geometric);
  RUN_TEST(test_cli_step);
  RUN_TEST(test_cli_poly);
  RUN_TEST(test_cli_file);
  TEST_MAIN_END("test_cli_files");
}
