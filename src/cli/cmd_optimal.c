/* riskcalc optimal: compute-optimal allocation C = M N for sketched linear SGD with the
 * geometric schedule -- the closed form and the numerical optimum of the deterministic
 * equivalent side by side (docs/DETEQ.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

static const cli_option optimal_options[] = {
    {"a", "A", "power-law spectrum lambda_i = i^-A (required; A > 1 at --d inf)", CLI_ROLE_A},
    {"b", "B", "source prior lambda_i E w*_i^2 = i^-B (default: isotropic, B = A)", CLI_ROLE_B},
    {"C", "LIST",
     "compute budgets C = M N: integers and/or log-spaced ranges lo:hi:count, each >= 16",
     CLI_ROLE_NONE},
    {"d", "D", "dimension of the data: a whole number or inf (default inf)", CLI_ROLE_D},
    {"gamma", "G",
     "base step of the schedule (default 0.1), or opt: at every (M, N) evaluated, the base step "
     "minimising the risk over the mean-square stable range (rc_sgd_tune_gamma)",
     CLI_ROLE_GAMMA},
    {"schedule", "SPEC",
     "the schedule's shape, as riskcalc linear's --schedule (default geometric; file: and "
     "stages: give absolute steps, not with --gamma opt)",
     CLI_ROLE_SCHEDULE},
    {"batch", "B", "mini-batch size (default 1): C = M N counts steps of B samples each",
     CLI_ROLE_BATCH},
    {"sigma2", "S", "label noise variance (default 1)", CLI_ROLE_SIGMA2},
    {"range", "F",
     "search M within [M*/F, M* F] around the closed form M*, clipped to [1, C] (default 30)",
     CLI_ROLE_NONE},
    {"format", "FMT", "output format: tsv (default), csv or json", CLI_ROLE_FORMAT},
    {"output", "FILE", CLI_OUTPUT_HELP, CLI_ROLE_OUTPUT},
    {"plot", "FILE", "also draw M against C (closed form and optimum), .png, .svg or .pdf",
     CLI_ROLE_PLOT},
};
static const cli_group optimal_groups[] = {CLI_GROUP(optimal_options),
                                           CLI_GROUP(cli_figure_options)};
#define N_OPTIMAL_GROUPS (sizeof optimal_groups / sizeof optimal_groups[0])

/* gamma_closed, gamma_opt (appended): the base step at each allocation, tuned with --gamma opt
 * (nan: not stable at the closed form's M, or a schedule of absolute steps). */
static const char *const optimal_columns[] = {
    "C",          "M_closed", "N_closed",     "risk_closed", "M_opt",        "N_opt",    "risk_opt",
    "approx_opt", "bias_opt", "variance_opt", "evaluations", "gamma_closed", "gamma_opt"};
#define N_OPTIMAL_COLUMNS 13

/* The error of one budget, printed after the region. */
typedef struct {
  char message[RC_ERROR_MESSAGE_SIZE + 64];
} optimal_cell;

static int lib_fail(const char *what, const rc_error *err) {
  cli_error("%s: %s", what, err->message);
  return CLI_EXIT_BAD;
}

/* M against C: the closed form and the numerical optimum (--y risk draws the risks). */
static void optimal_figure(const cli_problem *p, cli_figure *fig) {
  cli_figure_init(fig, CLI_FIGURE_RESULT, "compute-optimal model size", "model size M");
  cli_figure_axis(fig, 0, "C", "compute C = M N", 1, 1);
  cli_figure_quantity(fig, "M", "closed form M* = (C / log2 C)^(1/(a+1))", 2, 0);
  cli_figure_quantity(fig, "M", "whole M minimising the deterministic-equivalent risk", 5, 0);
  cli_figure_quantity(fig, "risk", "risk at the closed-form M*", 4, 0);
  cli_figure_quantity(fig, "risk", "risk at the optimum", 7, 0);
  fig->default_y = "M";
  cli_problem_caption(p, fig);
}

static int optimal_main(const cli_args *args, const char *command_line, cli_problem *p) {
  rc_error err = {0, ""};
  if (cli_problem_parse_sweeps(args, p)) /* for --gamma opt; lists are refused below */
    return CLI_EXIT_BAD;
  if (p->ngamma > 1 || p->nbatch > 1 || p->nsigma2 > 1) {
    cli_error("--%s: optimal takes one value (the budgets --C are its list)",
              p->ngamma > 1   ? "gamma"
              : p->nbatch > 1 ? "batch"
                              : "sigma2");
    return CLI_EXIT_BAD;
  }
  if (!p->a_given) {
    cli_error("--a is required (the power-law exponent)");
    return CLI_EXIT_BAD;
  }
  if (!cli_has(args, "C")) {
    cli_error("--C is required (for example --C 1e4:1e8:5)");
    return CLI_EXIT_BAD;
  }
  double range;
  if (cli_get_double(args, "range", 30, &range))
    return CLI_EXIT_BAD;
  const rc_law law = {RC_SPECTRUM_POWER, p->a, p->b_given ? RC_PRIOR_SOURCE : RC_PRIOR_ISOTROPIC,
                      p->b_given ? p->b : NAN, p->d_text && !p->d_inf ? (double)p->d : INFINITY};
  if (rc_law_check(&law, &err))
    return lib_fail("--a/--b/--d", &err);
  if (cli_problem_check_training(p))
    return CLI_EXIT_BAD;
  if (!(range >= 1)) {
    cli_error("--range must be >= 1 (got %g)", range);
    return CLI_EXIT_BAD;
  }
  if (cli_problem_check_outputs(p))
    return CLI_EXIT_BAD;
  {
    cli_figure fig;
    optimal_figure(p, &fig);
    if (cli_figure_check(&p->out, &fig))
      return CLI_EXIT_BAD;
  }
  const double sigma2 = p->sigma2;
  cli_meta *meta = &p->meta;
  uint64_t *Cs = NULL;
  size_t nC = 0;
  if (rc_io_parse_list(cli_get(args, "C"), &Cs, &nC, &err))
    return lib_fail("--C", &err);
  double *lo = malloc(nC * sizeof *lo), *hi = malloc(nC * sizeof *hi);
  double *Mc = malloc(nC * sizeof *Mc), *Nc = malloc(nC * sizeof *Nc);
  double *data = malloc(nC * N_OPTIMAL_COLUMNS * sizeof *data);
  const rc_schedule *schedule = p->schedule;
  rc_deteq *de = NULL;
  optimal_cell *cells = NULL;
  int status = CLI_EXIT_BAD;
  if (!lo || !hi || !Mc || !Nc || !data) {
    cli_error("out of memory");
    goto done;
  }
  double M_max = 1;
  for (size_t k = 0; k < nC; k++) {
    const double C = (double)Cs[k];
    if (C < 16) {
      cli_error("--C: every budget must be >= 16 (got %llu)", (unsigned long long)Cs[k]);
      goto done;
    }
    if (rc_optimal_closed(law.a, C, &Mc[k], &Nc[k], &err)) {
      lib_fail("--C", &err);
      goto done;
    }
    lo[k] = fmax(1.0, floor(Mc[k] / range));
    hi[k] = fmin(C, ceil(Mc[k] * range));
    M_max = fmax(M_max, fmax(hi[k], floor(Mc[k] + 0.5)));
  }
  de = rc_deteq_alloc_law(&law, M_max, &err);
  if (!de) {
    lib_fail("deterministic equivalent", &err);
    goto done;
  }
  char desc[256], num[RC_IO_DOUBLE_CHARS];
  rc_schedule_describe(schedule, desc, sizeof desc);
  cli_meta_add(meta, "riskcalc", "%s", rc_version());
  cli_meta_add(meta, "command", "%s", command_line);
  cli_meta_add(meta, "spectrum", "power law lambda_i = i^-a, a = %s, d = %s",
               rc_io_format_double(law.a, num, sizeof num), isinf(law.d) ? "inf" : p->d_text);
  if (law.prior == RC_PRIOR_SOURCE)
    cli_meta_add(meta, "prior", "source condition lambda_i E w*_i^2 = i^-b, b = %s",
                 rc_io_format_double(law.b, num, sizeof num));
  else
    cli_meta_add(meta, "prior", "isotropic E w*_i^2 = 1");
  cli_meta_add(meta, "schedule", "%s; batch %zu; sigma2 = %s", desc, p->batch,
               rc_io_format_double(sigma2, num, sizeof num));
  if (p->gamma_opt)
    cli_meta_add(meta, "gamma",
                 "opt: at every (M, N) evaluated, the base step of the schedule's shape "
                 "minimising the deterministic-equivalent risk (rc_sgd_tune_gamma: %d log-spaced "
                 "steps below the mean-square stability edge, then Brent); columns gamma_closed "
                 "and gamma_opt hold it, the schedule above shows the shape only",
                 RC_TUNE_GRID);
  cli_meta_param_number(meta, "a", law.a);
  if (law.prior == RC_PRIOR_SOURCE)
    cli_meta_param_number(meta, "b", law.b);
  cli_meta_param_number(meta, "d", law.d);
  cli_meta_param_list(meta, "C", Cs, nC);
  if (p->gamma_opt)
    cli_meta_param_string(meta, "gamma", "opt");
  else
    cli_meta_param_number(meta, "gamma", p->gamma);
  if (cli_role_value(args, CLI_ROLE_SCHEDULE))
    cli_meta_param_string(meta, "schedule", p->schedule_spec);
  if (cli_role_value(args, CLI_ROLE_BATCH))
    cli_meta_param_number(meta, "batch", (double)p->batch);
  cli_meta_param_number(meta, "sigma2", sigma2);
  cli_meta_param_number(meta, "range", range);
  cli_meta_add(meta, "closed form", "M* = (C / log2 C)^(1/(a+1)), N* = C / M* (unit constants)");
  cli_meta_add(meta, "optimum",
               "whole M in [max(1, M*/%g), min(C, M* %g)] minimising the deterministic-equivalent "
               "risk after N = round(C / M) steps: 9-point log grid, then golden section",
               range, range);
  cli_meta_add(meta, "tail", "explicit eigenvalues 1..%zu; bound on the neglected tail %.3g",
               rc_deteq_cutoff(de), rc_deteq_tail_bound(de));
  rc_sgd_options opt = rc_sgd_options_default();
  opt.sigma2 = sigma2;
  opt.batch = p->batch;
  opt.threads = 1; /* the budgets' threads are the parallelism: none nested */
  const rc_schedule_kind kind = rc_schedule_get_kind(schedule);
  const double fixed_gamma =
      kind == RC_SCHEDULE_FILE || kind == RC_SCHEDULE_STAGES ? NAN : p->gamma;
  cli_progress progress;
  cli_progress_init(&progress, "optimal");
  /* The budgets are independent (the plan and the schedule are read-only): on OpenMP threads,
   * each writing its own row, the same bytes for any thread count; the first failing budget
   * in order is reported. */
  cells = calloc(nC, sizeof *cells);
  if (!cells) {
    cli_error("out of memory");
    goto done;
  }
  cli_grid g;
  cli_grid_init(&g, &progress, nC);
#pragma omp parallel num_threads(cli_grid_threads(nC))
  {
    cli_grid_tick tick;
    cli_grid_tick_init(&tick, &g);
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < nC; i++) {
      const size_t k = nC - 1 - i; /* last first: a list usually ends with its largest budget */
      if (cli_grid_skip(&g, k))
        continue;
      rc_error e = {0, ""};
      const double C = (double)Cs[k];
      rc_optimum at_closed, best;
      const double Mr = fmax(1.0, floor(Mc[k] + 0.5));
      const double Nr = fmax(1.0, floor(C / Mr + 0.5));
      double risk_closed = NAN;
      double gamma_closed = NAN;
      int st = p->gamma_opt ? rc_optimal_evaluate_tuned(de, Mr, (uint64_t)Nr, schedule, &opt, NULL,
                                                        &at_closed, &e)
                            : rc_optimal_evaluate(de, Mr, (uint64_t)Nr, schedule, &opt, NULL,
                                                  &at_closed, &e);
      if (st == RC_SUCCESS) {
        risk_closed = at_closed.risk;
        gamma_closed = p->gamma_opt ? at_closed.gamma : fixed_gamma;
      } else if (st != RC_EUNSTABLE) {
        snprintf(cells[k].message, sizeof cells[k].message, "closed-form allocation: %s",
                 e.message);
        cli_grid_fail(&g, k);
        continue;
      }
      if (p->gamma_opt
              ? rc_optimal_deteq_tuned(de, C, lo[k], hi[k], schedule, &opt, NULL, &best, &e)
              : rc_optimal_deteq(de, C, lo[k], hi[k], schedule, &opt, NULL, &best, &e)) {
        snprintf(cells[k].message, sizeof cells[k].message, "C = %llu: %s",
                 (unsigned long long)Cs[k], e.message);
        cli_grid_fail(&g, k);
        continue;
      }
      const double row[N_OPTIMAL_COLUMNS] = {C,
                                             Mc[k],
                                             Nc[k],
                                             risk_closed,
                                             best.M,
                                             best.N,
                                             best.risk,
                                             best.approx,
                                             best.bias,
                                             best.variance,
                                             (double)best.evaluations,
                                             gamma_closed,
                                             p->gamma_opt ? best.gamma : fixed_gamma};
      memcpy(data + k * N_OPTIMAL_COLUMNS, row, sizeof row);
      cli_grid_report(&tick, 1.0);
    }
  }
  cli_progress_done(&progress);
  if (g.cancelled) {
    cli_error("cancelled");
    goto done;
  }
  if (g.fail_min < nC) {
    cli_error("%s", cells[g.fail_min].message);
    goto done;
  }
  cli_figure fig;
  optimal_figure(p, &fig);
  const cli_table t = {optimal_columns, N_OPTIMAL_COLUMNS, NULL, data, nC};
  status = cli_emit(&p->out, meta, &t, &fig, NULL);
done:
  rc_deteq_free(de);
  free(Cs);
  free(lo);
  free(hi);
  free(Mc);
  free(Nc);
  free(data);
  free(cells);
  return status;
}

int cmd_optimal(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(optimal_groups, N_OPTIMAL_GROUPS, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc optimal --a A [--b B] --C LIST [--d D|inf] [--gamma G|opt] "
        "[--schedule SPEC] [--batch B] [--sigma2 S] [--range F] [--format tsv|csv|json] "
        "[--output FILE] [--plot FILE]",
        "Compute-optimal allocation of C = M N (model size times SGD steps of --batch samples,\n"
        "geometric schedule unless --schedule) for the power-law spectrum. Columns: C; the\n"
        "closed form M_closed = (C / log2 C)^(1/(a+1)), N_closed = C / M_closed and the\n"
        "deterministic-equivalent risk at that allocation (risk_closed, M rounded); the whole\n"
        "M minimising the deterministic-equivalent risk with N = round(C / M) (M_opt, N_opt,\n"
        "risk_opt and its parts); the number of risks computed; the base step at each\n"
        "allocation (gamma_closed, gamma_opt: tuned at every (M, N) with --gamma opt).\n"
        "Exit status: 0 success, 2 bad input.",
        optimal_groups, N_OPTIMAL_GROUPS);
    return CLI_EXIT_OK;
  }
  cli_problem p;
  int status = optimal_main(&args, command_line, &p);
  cli_problem_free(&p);
  return status;
}
