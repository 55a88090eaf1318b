/* riskcalc linear --method de and --method closed: the sketch-averaged deterministic
 * equivalent and the leading-order closed forms (docs/DETEQ.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

static uint64_t largest(const uint64_t *v, size_t n) {
  uint64_t m = 0;
  for (size_t k = 0; k < n; k++)
    m = v[k] > m ? v[k] : m;
  return m;
}

/* The plan of the problem for every M <= M_max: its law when it has one (power or log-power
 * spectrum with an isotropic or source prior) and the law's eigenvalues decrease, else the
 * explicit values. Any failure of the law's plan is reported, not hidden by the values. Prints
 * the error and returns NULL on failure. */
static rc_deteq *make_plan(const linear_problem *p, double M_max) {
  rc_error err = {0, ""};
  rc_deteq *de = NULL;
  if (p->base.use_law) {
    de = rc_deteq_alloc_law(&p->base.law, M_max, &err);
  } else {
    de = rc_deteq_alloc_problem(p->base.spectrum, p->base.prior, M_max, &err);
  }
  if (!de)
    cli_error("deterministic equivalent: %s", err.message);
  return de;
}

static void describe_plan(linear_problem *p, const rc_deteq *de) {
  const double d = rc_deteq_dimension(de);
  cli_meta *meta = &p->base.meta;
  cli_meta_add(meta, "signal", "tr(H P) = %.17g", rc_deteq_signal(de));
  char dtext[64];
  snprintf(dtext, sizeof dtext, isinf(d) ? "inf" : "%.0f", d);
  if (isinf(d) || (double)rc_deteq_cutoff(de) < d)
    cli_meta_add(meta, "tail",
                 "eigenvalues 1..%zu summed explicitly, %zu..%s through tail moments summed by "
                 "Euler-Maclaurin; bound on the neglected part: %.3g relative to tr(H) and "
                 "tr(H P) (tail power series truncated below 1e-16)",
                 rc_deteq_cutoff(de), rc_deteq_cutoff(de) + 1, dtext, rc_deteq_tail_bound(de));
  else
    cli_meta_add(meta, "tail", "none: all %zu non-zero eigenvalues summed explicitly",
                 rc_deteq_cutoff(de));
}

/* The plan for the largest M of p, recorded in the header with the method's description. */
static rc_deteq *described_plan(linear_problem *p, const char *method) {
  rc_deteq *de = make_plan(p, (double)largest(p->Ms, p->nM));
  if (de) {
    cli_meta_add(&p->base.meta, "method", "%s", method);
    describe_plan(p, de);
  }
  return de;
}

int linear_de_run(linear_problem *p) {
  cli_problem *b = &p->base;
  if (linear_check_iterated(p, cli_problem_swept(b) || b->gamma_opt
                                   ? "--N, --M or the lists of --gamma, --batch, --sigma2 (or "
                                     "tune on fewer horizons), or use a piecewise-constant "
                                     "schedule"
                                   : "--N or --M, or use a piecewise-constant schedule"))
    return CLI_EXIT_BAD;
  const size_t ncombo = cli_problem_sweep_count(b),
               ncols = LINEAR_RISK_COLUMNS + LINEAR_SWEEP_COLUMNS;
  const size_t nrows = p->nM * ncombo * b->nN;
  double *data = malloc(nrows * ncols * sizeof *data);
  rc_deteq *de = NULL;
  rc_sgd_measure **measures = NULL;
  rc_deteq_info *infos = NULL;
  rc_error *errs = NULL;
  int status = CLI_EXIT_BAD;
  if (!data) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  de = described_plan(p, "de: sketch-averaged deterministic equivalent; the eigenvalue and "
                         "signal measures of G by Stieltjes inversion of the resolvent equation, "
                         "discretised by adaptive Gauss-Legendre panels, run through the exact "
                         "second-moment recursion (docs/DETEQ.md)");
  if (!de)
    goto done;
  /* The measures of the M values are independent (the plan is read-only): built on OpenMP's
   * threads, each the same on any thread, then used in order. */
  measures = calloc(p->nM, sizeof *measures);
  infos = calloc(p->nM, sizeof *infos);
  errs = calloc(p->nM, sizeof *errs);
  if (!measures || !infos || !errs) {
    cli_error("out of memory for %zu measures", p->nM);
    goto done;
  }
#pragma omp parallel for schedule(dynamic, 1) if (p->nM > 1)
  for (size_t m = 0; m < p->nM; m++)
    measures[m] = rc_deteq_measure(de, (double)p->Ms[m], NULL, &infos[m], &errs[m]);
  /* The M before the first failure (measure or stable step) are run; that failure is
   * reported after theirs, as a run M after M would. */
  size_t good = 0;
  char failure[LINEAR_ERROR_SIZE];
  for (; good < p->nM; good++) {
    const double M = (double)p->Ms[good];
    const rc_deteq_info info = infos[good];
    if (!measures[good]) {
      snprintf(failure, sizeof failure, "M = %llu: %s", (unsigned long long)p->Ms[good],
               errs[good].message);
      break;
    }
    char stable[1024];
    if (linear_stable_text(p, measures[good], M, stable, sizeof stable, failure, sizeof failure))
      break;
    char key[32];
    snprintf(key, sizeof key, "DE (M = %llu)", (unsigned long long)p->Ms[good]);
    cli_meta_add(&b->meta, key,
                 "kappa = %.17g; Approx = %.17g; %zu atoms on %zu support intervals of [%.6g, "
                 "%.6g]; eigenvalue mass %.12g (expected %.12g); signal mass %.12g (expected "
                 "%.12g); largest mean-square stable constant step %s",
                 info.kappa, info.approx, info.atoms, info.intervals, info.x_min, info.x_max,
                 info.mass, info.mass_expected, info.signal_mass, info.signal_expected, stable);
  }
  cli_progress progress;
  cli_progress_init(&progress, "linear de");
  if (linear_grid_run(p, (const rc_sgd_measure *const *)measures, good, &progress, data))
    goto done;
  cli_progress_done(&progress);
  if (good < p->nM) {
    cli_error("%s", failure);
    goto done;
  }
  linear_describe_tuning(p);
  status = linear_risk_table(p, linear_risk_columns, ncols, data, nrows,
                             "sketched linear regression, one-pass SGD (deterministic equivalent)");
done:
  for (size_t m = 0; measures && m < p->nM; m++)
    rc_sgd_measure_free(measures[m]);
  free(measures);
  free(infos);
  free(errs);
  rc_deteq_free(de);
  free(data);
  return status;
}

int linear_de_theory(linear_problem *p, size_t M, const rc_sketch *sketch, rc_risk *rows) {
  (void)sketch;
  rc_error err = {0, ""};
  rc_deteq *de = make_plan(p, (double)M);
  if (!de)
    return CLI_EXIT_BAD;
  rc_sgd_measure *measure = rc_deteq_measure(de, (double)M, NULL, NULL, &err);
  rc_deteq_free(de);
  const cli_problem *b = &p->base;
  int status = CLI_EXIT_BAD;
  if (!measure) {
    cli_error("M = %zu: %s", M, err.message);
  } else {
    rc_sgd_options opt = rc_sgd_options_default();
    opt.batch = b->batch;
    opt.sigma2 = b->sigma2;
    if (rc_sgd_risk_curve(measure, b->schedule, b->Ns, b->nN, &opt, rows, &err)) {
      cli_error("M = %zu: %s", M, err.message);
    } else {
      status = 0;
    }
  }
  rc_sgd_measure_free(measure);
  return status;
}

static const char *const closed_columns[] = {
    "N",     "M",     "approx", "bias",  "variance",    "excess",    "risk",
    "N_eff", "T_eff", "k_star", "D_eff", "rate_approx", "rate_bias", "rate_variance",
    "gamma", "batch", "sigma2"};
#define N_CLOSED_COLUMNS (LINEAR_CLOSED_COLUMNS + LINEAR_SWEEP_COLUMNS)

int linear_closed_run(linear_problem *p) {
  cli_problem *b = &p->base;
  if (rc_schedule_get_kind(b->schedule) != RC_SCHEDULE_GEOMETRIC) {
    cli_error("--method closed: the closed forms are those of the geometric schedule "
              "(--schedule geometric); use --method de for other schedules");
    return CLI_EXIT_BAD;
  }
  const size_t ncombo = cli_problem_sweep_count(b);
  const size_t nrows = p->nM * ncombo * b->nN;
  double *data = malloc(nrows * N_CLOSED_COLUMNS * sizeof *data);
  rc_closed_row *rows = malloc(b->nN * sizeof *rows);
  rc_deteq *de = NULL;
  int status = CLI_EXIT_BAD;
  if (!data || !rows) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  de = described_plan(
      p, "closed: leading-order forms with unit constants, N_eff = ceil(N / log2 N), "
         "T_eff = N_eff gamma; approx = E Approx from kappa; bias = sum_{i<=M} "
         "lambda_i p_i exp(-2 T_eff lambda_i); variance = (sigma2 + approx) D_eff / "
         "(N_eff batch); D_eff = k* + T_eff^2 sum_{k*<i<=M} lambda_i^2, k* = #{i <= M: "
         "lambda_i T_eff >= 1}; rates M^(1-b), T_eff^((1-b)/a), min(M, T_eff^(1/a)) / "
         "N_eff (power law only, else nan) (docs/DETEQ.md)");
  if (!de)
    goto done;
  for (size_t m = 0; m < p->nM; m++)
    for (size_t c = 0; c < ncombo; c++) {
      rc_error err = {0, ""};
      cli_problem_sweep_set(b, c);
      if (rc_closed_curve(de, (double)p->Ms[m], b->Ns, b->nN, b->gamma, b->batch, b->sigma2, rows,
                          &err)) {
        char swept[160];
        linear_sweep_text(p, swept, sizeof swept);
        cli_error("M = %llu%s: %s", (unsigned long long)p->Ms[m], swept, err.message);
        goto done;
      }
      for (size_t n = 0; n < b->nN; n++) {
        const rc_closed_row *r = &rows[n];
        double *row = data + linear_row(p, m, c, n) * N_CLOSED_COLUMNS;
        const double v[LINEAR_CLOSED_COLUMNS] = {
            (double)r->N, r->M,           r->approx,    r->bias,         r->variance,
            r->excess,    r->risk,        r->N_eff,     r->T_eff,        r->k_star,
            r->D_eff,     r->rate_approx, r->rate_bias, r->rate_variance};
        memcpy(row, v, sizeof v);
        linear_sweep_cells(p, b->gamma, row + LINEAR_CLOSED_COLUMNS);
      }
    }
  status = linear_risk_table(p, closed_columns, N_CLOSED_COLUMNS, data, nrows,
                             "sketched linear regression, geometric SGD (leading-order closed "
                             "forms)");
done:
  rc_deteq_free(de);
  free(data);
  free(rows);
  return status;
}

rc_sgd_measure *linear_de_measure(linear_problem *p, size_t M) {
  rc_deteq *de = described_plan(p, "de: sketch-averaged deterministic equivalent (docs/DETEQ.md)");
  if (!de)
    return NULL;
  rc_error err = {0, ""};
  rc_sgd_measure *measure = rc_deteq_measure(de, (double)M, NULL, NULL, &err);
  rc_deteq_free(de);
  if (!measure)
    cli_error("M = %zu: %s", M, err.message);
  return measure;
}
