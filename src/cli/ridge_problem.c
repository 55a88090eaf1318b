/* The problem of `riskcalc ridge`, `riskcalc rf` and `riskcalc compare ridge|rf`: parse,
 * check, describe (docs/RIDGE.md). */
#include "ridge_problem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const cli_option ridge_method_options[] = {
    {"method", "NAME",
     "de (default): the deterministic equivalent, any d including inf (a law beyond d = 2^20: "
     "its top 2^20 eigenvalues explicit, the rest as an analytic tail); mc: Monte Carlo, --runs "
     "independent training sets (and feature draws) fitted exactly, the decomposition estimated "
     "from them with standard errors (d <= 1048576)",
     CLI_ROLE_NONE},
    {"optimal-lambda", NULL,
     "instead of the table at each lambda: the lambda minimising the test error, searched between "
     "the smallest positive and the largest --lambda, with the GCV minimiser beside it "
     "(columns below)",
     CLI_ROLE_NONE},
};

const cli_option ridge_data_options[] = {
    {"a", "A", "power-law spectrum lambda_i = i^-A (default: --a 1.5)", CLI_ROLE_A},
    {"log-a", "A", "log-power-law spectrum lambda_i = i^-1 log(i+1)^-A", CLI_ROLE_LOG_A},
    {"spectrum", "FILE", "eigenvalues of H, one per line ('#' comments); d = their count",
     CLI_ROLE_SPECTRUM},
    {"d", "D", "dimension of the data (required with --a and --log-a), or inf (see --method)",
     CLI_ROLE_D},
    {"b", "B",
     "source prior lambda_i E w*_i^2 = i^-B (default: isotropic E w*_i^2 = 1, which is B = A "
     "for the power law)",
     CLI_ROLE_B},
    {"prior", "FILE", "prior variances E w*_i^2, one per line", CLI_ROLE_PRIOR},
    {"sigma2", "S", "label noise variance (default 1)", CLI_ROLE_SIGMA2},
};

const cli_option ridge_P_options[] = {
    {"P", "LIST",
     "numbers of random features: integers and/or log-spaced ranges lo:hi:count; the "
     "deterministic equivalent also takes inf (ridge)",
     CLI_ROLE_NONE},
};

const cli_option ridge_size_options[] = {
    {"n", "LIST",
     "training-set sizes: integers and/or log-spaced ranges lo:hi:count (e.g. 10:1e4:30)",
     CLI_ROLE_NONE},
    {"lambda", "LIST",
     "ridges lambda >= 0 of (1/n)|y - X b|^2 + lambda |b|^2 (0: the minimum-norm "
     "interpolator), numbers and/or log-spaced ranges lo:hi:count with lo > 0",
     CLI_ROLE_NONE},
};

const cli_option ridge_mc_options[] = {
    {"runs", "R", "Monte Carlo: number of independent runs, >= 3 (default 100)", CLI_ROLE_NONE},
    {"seed", "K",
     "Monte Carlo: run r draws from gsl_rng_mt19937 seeded with rc_mc_run_seed(K, r) (default 1)",
     CLI_ROLE_SEED},
};

const cli_option ridge_output_options[] = {
    {"format", "FMT", "output format: tsv (default), csv or json", CLI_ROLE_FORMAT},
    {"output", "FILE", CLI_OUTPUT_HELP, CLI_ROLE_OUTPUT},
    {"plot", "FILE",
     "also draw a figure (.png, .svg or .pdf) with gnuplot; keeps FILE's .gp script and .dat "
     "data next to it (docs/FIGURES.md); --y chooses the quantities (test bias var_x var_noise "
     "variance var_f train gcv kappa df1 df2; with --optimal-lambda test_opt lambda_opt "
     "test_gcv lambda_gcv gcv)",
     CLI_ROLE_PLOT},
};

static int lib_error(const char *what, const rc_error *err) {
  cli_error("%s: %s", what, err->message);
  return CLI_EXIT_BAD;
}

/* A list option: whole counts (with inf for the deterministic equivalent's random features) or
 * ridges. */
static int parse_list(const ridge_problem *p, const char *name, unsigned flags, double **values,
                      size_t *count) {
  rc_error err = {0, ""};
  const char *text = cli_get(p->args, name);
  if (!text) {
    cli_error("--%s is required (for example --%s %s)", name, name,
              strcmp(name, "lambda") == 0 ? "0,1e-3,0.1"
              : strcmp(name, "n") == 0    ? "10:1e4:30"
                                          : "100,1000");
    return CLI_EXIT_BAD;
  }
  if (rc_io_parse_values(text, flags, values, count, &err)) {
    cli_error("--%s: %s", name, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* The options of one method only. */
static int check_method_options(const ridge_problem *p) {
  const cli_args *args = p->args;
  if (p->use == RIDGE_DE)
    for (size_t k = 0; k < RIDGE_MC_NOPTIONS; k++)
      if (cli_has(args, ridge_mc_options[k].name)) {
        cli_error("--%s belongs to the Monte Carlo: use it with --method mc",
                  ridge_mc_options[k].name);
        return CLI_EXIT_BAD;
      }
  return 0;
}

/* The lambda interval of --optimal-lambda and of the lambda figure: the smallest positive and
 * the largest --lambda. */
static void lambda_interval(ridge_problem *p) {
  p->lambda_lo = INFINITY;
  p->lambda_hi = 0;
  for (size_t j = 0; j < p->nl; j++) {
    if (p->lambda[j] > 0 && p->lambda[j] < p->lambda_lo)
      p->lambda_lo = p->lambda[j];
    if (p->lambda[j] > p->lambda_hi)
      p->lambda_hi = p->lambda[j];
  }
}

static int check_mc(ridge_problem *p) {
  rc_error err = {0, ""};
  uint64_t runs;
  if (cli_get_uint(p->args, "runs", 0, (uint64_t)1 << 40, 100, &runs))
    return CLI_EXIT_BAD;
  p->mc = rc_ridge_mc_options_default();
  p->mc.runs = (size_t)runs;
  p->mc.seed = p->base.seed;
  p->mc.threads = 0; /* OpenMP's default; the output does not depend on it */
  if (rc_ridge_mc_options_check(&p->mc, &err))
    return lib_error("--runs", &err);
  return 0;
}

/* What the simulation costs (asked of the library) against the work limit and the memory. */
static int check_mc_cost(const ridge_problem *p) {
  rc_error err = {0, ""};
  rc_cost cost;
  const double *P = p->rf ? p->P : NULL;
  const int status =
      p->optimal
          ? rc_ridge_mc_tune_cost(p->base.spectrum, P, p->nP, p->n, p->nn, &p->mc, &cost, &err)
          : rc_ridge_mc_cost(p->base.spectrum, P, p->nP, p->n, p->nn, p->nl, &p->mc, &cost, &err);
  if (status)
    return lib_error("Monte Carlo", &err);
  /* a figure against lambda also marks the per-run minimisers (one more simulation) */
  rc_cost tune = {0, 0};
  if (!p->optimal && p->base.out.plot && p->nl > 1 && p->nn == 1 && (!p->rf || p->nP == 1) &&
      p->lambda_lo < p->lambda_hi &&
      rc_ridge_mc_tune_cost(p->base.spectrum, P, 1, p->n, 1, &p->mc, &tune, &err))
    return lib_error("Monte Carlo", &err);
  cost.updates += tune.updates;
  cost.bytes = cost.bytes > tune.bytes ? cost.bytes : tune.bytes;
  const size_t physical = rc_physical_memory();
  if (physical && cost.bytes > (double)physical) {
    cli_error("the Monte Carlo keeps every run's values and needs about %.3g GiB, this machine "
              "has %.3g GiB: reduce --runs, --n, --lambda%s or d",
              cost.bytes / 1073741824.0, (double)physical / 1073741824.0, p->rf ? ", --P" : "");
    return CLI_EXIT_BAD;
  }
  return cli_check_work(cost.updates,
                        p->rf ? "--runs, --n, --P, --lambda or d" : "--runs, --n, --lambda or d");
}

static void describe(ridge_problem *p, const char *command_line) {
  cli_problem *b = &p->base;
  cli_problem_describe_data(b, command_line);
  char s2[RC_IO_DOUBLE_CHARS];
  cli_meta_add(&b->meta, "sigma2", "%s", rc_io_format_double(b->sigma2, s2, sizeof s2));
  /* the typed parameters of JSON output */
  cli_problem_parameters(b);
  cli_meta_param_string(&b->meta, "method", p->use == RIDGE_DE ? "de" : "mc");
  if (p->rf)
    cli_meta_param_numbers(&b->meta, "P", p->P, p->nP);
  cli_meta_param_numbers(&b->meta, "n", p->n, p->nn);
  cli_meta_param_numbers(&b->meta, "lambda", p->lambda, p->nl);
  if (p->optimal)
    cli_meta_param_number(&b->meta, "optimal-lambda", 1);
  if (p->use != RIDGE_DE)
    cli_meta_param_number(&b->meta, "runs", (double)p->mc.runs);
  if (p->use != RIDGE_DE) {
    cli_meta_add(&b->meta, "runs", "%zu", p->mc.runs);
    cli_meta_add(&b->meta, "mc seed",
                 "%llu: run r draws from gsl_rng_mt19937 seeded with rc_mc_run_seed(%llu, r); the "
                 "output is the same for any number of threads",
                 (unsigned long long)p->mc.seed, (unsigned long long)p->mc.seed);
  }
}

int ridge_problem_setup(const cli_args *args, const char *command_line, int rf, ridge_use use,
                        ridge_problem *p) {
  memset(p, 0, sizeof *p);
  p->args = args;
  p->rf = rf;
  p->use = use;
  p->optimal = use != RIDGE_COMPARE && cli_has(args, "optimal-lambda");
  cli_problem *b = &p->base;
  /* Parse ... */
  if (cli_problem_parse(args, b) || check_method_options(p))
    return CLI_EXIT_BAD;
  /* counts are whole; inf (the population or ridge limit) only in the equivalent */
  const unsigned counts = RC_IO_LIST_WHOLE | (use == RIDGE_DE ? RC_IO_LIST_INF : 0);
  if ((rf && parse_list(p, "P", counts, &p->P, &p->nP)) ||
      parse_list(p, "n", counts, &p->n, &p->nn) ||
      parse_list(p, "lambda", RC_IO_LIST_ZERO, &p->lambda, &p->nl))
    return CLI_EXIT_BAD;
  lambda_interval(p);
  if (p->optimal && !(p->lambda_lo < p->lambda_hi)) {
    cli_error("--optimal-lambda searches between the smallest positive and the largest --lambda: "
              "give two different positive values (for example --lambda 1e-6:10:2)");
    return CLI_EXIT_BAD;
  }
  /* ... check ... */
  const cli_spectrum_rules rules = {use == RIDGE_DE, RIDGE_LAW_MIN_D,
                                    "--d inf is available with the deterministic equivalent "
                                    "(--method de) only"};
  if (cli_problem_check_outputs(b) || cli_problem_check_spectrum(b, &rules) ||
      cli_problem_check_prior(b))
    return CLI_EXIT_BAD;
  if (!(isfinite(b->sigma2) && b->sigma2 >= 0)) {
    cli_error("--sigma2 must be finite and >= 0 (got %g)", b->sigma2);
    return CLI_EXIT_BAD;
  }
  if (use != RIDGE_DE && (check_mc(p) || check_mc_cost(p)))
    return CLI_EXIT_BAD;
  /* ... describe. */
  describe(p, command_line);
  return 0;
}

void ridge_problem_free(ridge_problem *p) {
  cli_problem_free(&p->base);
  free(p->P);
  free(p->n);
  free(p->lambda);
  memset(p, 0, sizeof *p);
}

size_t ridge_problem_points(const ridge_problem *p) {
  return (p->rf ? p->nP : 1) * p->nn * (p->optimal ? 1 : p->nl);
}

rc_ridge *ridge_problem_plan(ridge_problem *p) {
  rc_error err = {0, ""};
  cli_problem *b = &p->base;
  rc_ridge *plan = b->use_law ? rc_ridge_alloc_law(&b->law, &err)
                              : rc_ridge_alloc_values(b->spectrum, b->prior, &err);
  if (!plan) {
    cli_error("deterministic equivalent: %s", err.message);
    return NULL;
  }
  const double dim = rc_ridge_dimension(plan);
  if (isinf(dim))
    cli_meta_add(&b->meta, "dimension", "inf (no interpolation threshold)");
  else
    cli_meta_add(&b->meta, "dimension", "%.0f non-zero eigenvalues (the interpolation threshold)",
                 dim);
  if (b->use_law) {
    cli_meta_add(&b->meta, "signal", "tr(H P) = %.17g", rc_ridge_signal(plan));
    cli_meta_add(&b->meta, "tail",
                 "eigenvalues 1..%zu summed explicitly, the rest through the law's tail moments "
                 "summed by Euler-Maclaurin (core/specsum); bound on the neglected part: %.3g "
                 "relative to tr(H) and tr(H P); kappa >= %.3g served (smaller: refused)",
                 rc_ridge_explicit_count(plan), rc_ridge_tail_bound(plan),
                 rc_ridge_kappa_min(plan));
  }
  rc_cost cost;
  const double points =
      (double)ridge_problem_points(p) * (p->optimal ? RC_RIDGE_OPTIMAL_POINTS : 1);
  if (rc_ridge_eval_cost(plan, points, &cost, &err)) {
    rc_ridge_free(plan);
    lib_error("deterministic equivalent", &err);
    return NULL;
  }
  if (cli_check_work(cost.updates, p->rf ? "--n, --P or --lambda" : "--n or --lambda")) {
    rc_ridge_free(plan);
    return NULL;
  }
  return plan;
}
