/* riskcalc linear: risk curves of one-pass SGD on sketched linear regression. */
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

static const cli_option method_options[] = {
    {"method", "NAME",
     "exact (default): the exact expected risk for one fixed sketch, by the eigenbasis "
     "second-moment recursion; mc: Monte Carlo simulation of SGD, the mean risk over --runs "
     "runs with its standard error; de: the sketch-averaged deterministic equivalent, d = inf "
     "allowed (docs/DETEQ.md); closed: the leading-order closed forms with N_eff, k*, D_eff and "
     "the pure rates (geometric schedule)",
     CLI_ROLE_NONE},
};

static const cli_group linear_groups[] = {
    CLI_GROUP(method_options),     CLI_GROUP(linear_spectrum_options),
    CLI_GROUP(linear_d_option),    CLI_GROUP(linear_problem_options),
    CLI_GROUP(cli_figure_options), CLI_GROUP(linear_mc_options),
};
#define N_LINEAR_GROUPS (sizeof linear_groups / sizeof linear_groups[0])

/* The measure of every M (linear_problem_measure: the set-up, the expensive part) on OpenMP
 * threads, as many at once as fit in memory (linear_build_threads), the largest M first (the
 * set-ups grow as M^2 d: started last, the largest would finish alone). Each M's sketch has its
 * own generator, so every measure is the same on any thread and in any order. errs[m] holds
 * the failure of a NULL measures[m]. Returns 0, or CLI_EXIT_BAD when out of memory (printed). */
static int build_measures(const linear_problem *p, rc_sgd_measure **measures, rc_error *errs) {
  const cli_problem *b = &p->base;
  size_t *order = malloc(p->nM * sizeof *order);
  if (!order) {
    cli_error("out of memory for %zu measures", p->nM);
    return CLI_EXIT_BAD;
  }
  for (size_t k = 0; k < p->nM; k++) { /* insertion sort, largest M first (nM is small) */
    size_t j = k;
    for (; j > 0 && p->Ms[order[j - 1]] < p->Ms[k]; j--)
      order[j] = order[j - 1];
    order[j] = k;
  }
  const int threads = linear_build_threads(p, b->spectrum->d, cli_grid_threads(p->nM));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (size_t k = 0; k < p->nM; k++) {
    const size_t m = order[k];
    measures[m] = linear_problem_measure(p, (size_t)p->Ms[m], &errs[m]);
  }
  free(order);
  return 0;
}

int linear_exact_run(linear_problem *p) {
  cli_problem *b = &p->base;
  if (linear_check_iterated(p, cli_problem_swept(b) || b->gamma_opt
                                   ? "--N, --M or the lists of --gamma, --batch, --sigma2 (or "
                                     "tune on fewer horizons), or use a piecewise-constant "
                                     "schedule (whole stages are then jumped)"
                                   : "--N or --M, or use a piecewise-constant schedule (whole "
                                     "stages are then jumped)"))
    return CLI_EXIT_BAD;
  const size_t ncombo = cli_problem_sweep_count(b),
               ncols = LINEAR_RISK_COLUMNS + LINEAR_SWEEP_COLUMNS;
  const size_t nrows = p->nM * ncombo * b->nN;
  double *data = malloc(nrows * ncols * sizeof *data);
  rc_sgd_measure **measures = calloc(p->nM, sizeof *measures);
  rc_error *errs = calloc(p->nM, sizeof *errs);
  int status = CLI_EXIT_BAD;
  if (!data || !measures || !errs) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_meta_add(&b->meta, "method",
               "exact: second-moment recursion in the eigenbasis of G = S H S^T for this sketch");
  if (build_measures(p, measures, errs))
    goto done;
  /* The M before the first failure (measure or stable step) are run; that failure is
   * reported after theirs, as a run M after M would. */
  size_t good = 0;
  char failure[LINEAR_ERROR_SIZE];
  for (; good < p->nM; good++) {
    if (!measures[good]) {
      snprintf(failure, sizeof failure, "%s", errs[good].message);
      break;
    }
    char stable[1024];
    if (linear_stable_text(p, measures[good], (double)p->Ms[good], stable, sizeof stable, failure,
                           sizeof failure))
      break;
    char key[32]; /* one key per M: JSON metadata must not repeat a key */
    snprintf(key, sizeof key, "G (M = %llu)", (unsigned long long)p->Ms[good]);
    const rc_sgd_measure *measure = measures[good];
    cli_meta_add(&b->meta, key,
                 "rank %zu%s; largest mean-square stable constant step %s; Approx = %.17g",
                 measure->rank,
                 measure->pseudo_inverse ? " (singular: v* uses the pseudo-inverse of G)" : "",
                 stable, measure->approx);
  }
  cli_progress progress;
  cli_progress_init(&progress, "linear exact");
  if (linear_grid_run(p, (const rc_sgd_measure *const *)measures, good, &progress, data))
    goto done;
  cli_progress_done(&progress);
  if (good < p->nM) {
    cli_error("%s", failure);
    goto done;
  }
  linear_describe_tuning(p);
  status = linear_risk_table(p, linear_risk_columns, ncols, data, nrows,
                             "sketched linear regression, one-pass SGD (exact)");
done:
  for (size_t m = 0; measures && m < p->nM; m++)
    rc_sgd_measure_free(measures[m]);
  free(measures);
  free(errs);
  free(data);
  return status;
}

typedef struct {
  const char *name;
  linear_use use;
  int (*run)(linear_problem *p);
  void (*figure)(const linear_problem *p, cli_figure *fig); /* checked before the run */
} linear_method;

static void risk_figure(const linear_problem *p, cli_figure *fig) {
  linear_risk_figure(p, fig, "", LINEAR_RISK_COLUMNS);
}

static void closed_figure(const linear_problem *p, cli_figure *fig) {
  linear_risk_figure(p, fig, "", LINEAR_CLOSED_COLUMNS);
}

static const linear_method linear_methods[] = {
    {"exact", LINEAR_FIXED_SKETCH, linear_exact_run, risk_figure},
    {"mc", LINEAR_SIMULATED, linear_mc_run, linear_mc_figure},
    {"de", LINEAR_ANALYTIC, linear_de_run, risk_figure},
    {"closed", LINEAR_ANALYTIC, linear_closed_run, closed_figure},
};

int cmd_linear(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(linear_groups, N_LINEAR_GROUPS, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc linear [--method exact|mc|de|closed] [--a A | --log-a A | --spectrum FILE] "
        "--d D|inf [--b B | --prior FILE] [--sketch FILE | --seed K] --M LIST --N LIST "
        "[--gamma LIST|opt] [--batch LIST] [--schedule SPEC] [--sigma2 LIST] "
        "[--format tsv|csv|json] "
        "[--output FILE] [--plot FILE] [--runs R] [--mc-mode raw|reduced] [--resketch]",
        "Risk of one-pass SGD on sketched linear regression: for each (M, N) the "
        "columns\nN M approx bias variance excess risk, with excess = bias + variance "
        "and\nrisk = sigma2 + approx + excess (docs/THEORY.md section 1). N counts SGD "
        "steps;\neach step uses --batch fresh samples. --method mc simulates SGD instead "
        "and prints\nN M risk risk_se runs (mean risk over the runs and its standard "
        "error).\n--method de gives the same columns for the sketch-averaged deterministic "
        "equivalent;\nit accepts --d inf (and any large d) for --a and --log-a at the "
        "cost of a moderate d\nand reports the bound on the analytically summed tail in "
        "the header. --method closed\nadds N_eff T_eff k_star D_eff rate_approx "
        "rate_bias rate_variance (geometric schedule).\nEvery row ends in the columns gamma "
        "batch sigma2: --gamma, --batch and --sigma2 take\nlists, one row per combination "
        "of (M, gamma, batch, sigma2, N), N fastest; --plot\ndraws one curve per value of "
        "the swept quantity. --gamma opt (exact, de) tunes the\nbase step of every row to "
        "minimise its final risk (docs/THEORY.md, Tuning).\nExit status: 0 success, 2 bad "
        "input (including a step size that is not\nmean-square stable).",
        linear_groups, N_LINEAR_GROUPS);
    return CLI_EXIT_OK;
  }
  const char *method = cli_has(&args, "method") ? cli_get(&args, "method") : "exact";
  const linear_method *chosen = NULL;
  for (size_t k = 0; k < sizeof linear_methods / sizeof linear_methods[0]; k++)
    if (strcmp(linear_methods[k].name, method) == 0)
      chosen = &linear_methods[k];
  if (!chosen) {
    cli_error("--method: unknown method '%s' (available: exact, mc, de, closed)",
              CLI_EXCERPT(method));
    return CLI_EXIT_BAD;
  }
  if (linear_mc_check_args(&args, method))
    return CLI_EXIT_BAD;
  const char *g = cli_get(&args, "gamma");
  if (g && strcmp(g, "opt") == 0 && chosen->run != linear_exact_run &&
      chosen->run != linear_de_run) {
    cli_error("--gamma opt tunes the step on the exact risk: use it with --method exact or de "
              "(then check the tuned step with --method %s --gamma G)",
              method);
    return CLI_EXIT_BAD;
  }
  linear_problem p;
  int status = linear_problem_setup_sweeps(&args, command_line, chosen->use, &p);
  if (status == 0)
    status = linear_sweep_plot_check(&p);
  if (status == 0) {
    cli_figure fig;
    chosen->figure(&p, &fig);
    status = cli_figure_check(&p.base.out, &fig);
  }
  if (status == 0 && cli_parse_only) {
    linear_problem_free(&p);
    return status;
  }
  if (status == 0)
    status = chosen->run(&p);
  linear_problem_free(&p);
  return status;
}
