/* riskcalc schedule-opt: the step-size schedule that minimises the final risk of one-pass SGD
 * on sketched linear regression for one (M, N), beside the tuned constant, geometric and
 * cosine schedules (include/riskcalc/tune.h, docs/THEORY.md "Tuning"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"

static const cli_option schedule_opt_options[] = {
    {"method", "NAME",
     "the risk being minimised: de (default), the sketch-averaged deterministic equivalent "
     "(d = inf allowed), or exact, the exact expected risk for one fixed sketch",
     CLI_ROLE_NONE},
    {"a", "A", "power-law spectrum lambda_i = i^-A (default: --a 1.5)", CLI_ROLE_A},
    {"log-a", "A", "log-power-law spectrum lambda_i = i^-1 log(i+1)^-A", CLI_ROLE_LOG_A},
    {"spectrum", "FILE", "eigenvalues of H, one per line ('#' comments); d = their count",
     CLI_ROLE_SPECTRUM},
    {"d", "D", "dimension of the data (required with --a and --log-a); inf with --method de",
     CLI_ROLE_D},
    {"b", "B", "source prior lambda_i E w*_i^2 = i^-B (default: isotropic E w*_i^2 = 1)",
     CLI_ROLE_B},
    {"prior", "FILE", "prior variances E w*_i^2, one per line", CLI_ROLE_PRIOR},
    {"sketch", "FILE", "--method exact: the sketch S, M lines of d numbers", CLI_ROLE_NONE},
    {"seed", "K", "--method exact: seed of the Gaussian sketch (default 1)", CLI_ROLE_SEED},
    {"M", "M", "the model size (one value)", CLI_ROLE_NONE},
    {"N", "N", "the horizon: number of SGD steps (one value)", CLI_ROLE_HORIZONS},
    {"stages", "K",
     "optimise K constant stages of equal length, 1 <= K <= min(N, 100000) (default 32)",
     CLI_ROLE_NONE},
    {"per-step", NULL, "optimise a free step at every step (N <= 100000)", CLI_ROLE_NONE},
    {"batch", "B", "mini-batch size (default 1)", CLI_ROLE_BATCH},
    {"sigma2", "S", "label noise variance (default 1)", CLI_ROLE_SIGMA2},
    {"schedule-out", "FILE",
     "also write the optimal schedule as a stages: file (lines 'count gamma'), replaced "
     "atomically like --output",
     CLI_ROLE_NONE},
    {"format", "FMT", "output format: tsv (default), csv or json", CLI_ROLE_FORMAT},
    {"output", "FILE", CLI_OUTPUT_HELP, CLI_ROLE_OUTPUT},
};
static const cli_group schedule_opt_groups[] = {CLI_GROUP(schedule_opt_options)};

static const char *const columns[] = {"kind",     "risk",        "approx",    "bias",
                                      "variance", "gamma_first", "gamma_last"};
#define N_COLUMNS 7
#define N_KINDS 4

/* One row: the risk of a schedule and its first and last steps. */
static void fill_row(double *row, const rc_risk *r, double first, double last) {
  row[0] = r->risk;
  row[1] = r->approx;
  row[2] = r->bias;
  row[3] = r->variance;
  row[4] = first;
  row[5] = last;
}

/* A baseline: the schedule kind with its base step tuned (rc_sgd_tune_gamma). */
static int tuned_row(linear_problem *p, const rc_sgd_measure *m, const char *kind, double *row) {
  const cli_problem *b = &p->base;
  rc_error err = {0, ""};
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = b->batch;
  o.sigma2 = b->sigma2;
  rc_schedule *s = rc_schedule_parse(kind, 1.0, &err);
  rc_gamma_tuned t;
  const uint64_t N = b->Ns[0];
  if (!s || rc_sgd_tune_gamma(m, s, N, &o, &t, &err)) {
    rc_schedule_free(s);
    cli_error("tuning the %s schedule: %s", kind, err.message);
    return CLI_EXIT_BAD;
  }
  rc_schedule_set_base(s, t.gamma, NULL);
  fill_row(row, &t.row, rc_schedule_gamma(s, 0, N), rc_schedule_gamma(s, N - 1, N));
  char key[48];
  snprintf(key, sizeof key, "tuned %s", kind);
  cli_meta_add(&p->base.meta, key, "base step %.17g (stable below %.17g)%s", t.gamma, t.gamma_max,
               t.at_edge ? "; the risk still fell at the stability edge" : "");
  rc_schedule_free(s);
  return 0;
}

/* Writes the stages file into a registered temporary beside its target, committed with the
 * table by cli_emit (or removed with it). */
static int write_schedule_out(const linear_problem *p, const cli_target *target,
                              const rc_schedule_opt_result *r) {
  int fd;
  if (cli_temp_create(target->target, &fd) < 0)
    return CLI_EXIT_BAD;
  size_t cap = 256 + 48 * r->count, len = 0;
  char *text = malloc(cap);
  if (!text) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  const cli_meta *meta = &p->base.meta;
  for (size_t k = 0; k < meta->count; k++) {
    const size_t need = strlen(meta->key[k]) + strlen(meta->value[k]) + 8;
    if (len + need + 64 * r->count + 64 > cap) {
      cap = 2 * (len + need) + 64 * r->count + 64;
      char *t = realloc(text, cap);
      if (!t) {
        free(text);
        cli_error("out of memory");
        return CLI_EXIT_BAD;
      }
      text = t;
    }
    len += (size_t)snprintf(text + len, cap - len, "# %s: %s\n", meta->key[k], meta->value[k]);
  }
  len += (size_t)snprintf(text + len, cap - len, "# count gamma (use as --schedule stages:FILE)\n");
  for (size_t k = 0; k < r->count; k++)
    len += (size_t)snprintf(text + len, cap - len, "%llu %.17g\n", (unsigned long long)r->length[k],
                            r->gamma[k]);
  const int bad = cli_write_all(fd, text, len) != 0;
  free(text);
  if (bad) {
    cli_error("--schedule-out: cannot write '%s'", target->path);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* The problem's header says "schedule: <the default>"; here the schedule is the result. */
static void describe_schedule(cli_meta *meta) {
  for (size_t k = 0; k < meta->count; k++)
    if (strcmp(meta->key[k], "schedule") == 0) {
      static const char text[] = "optimised: see the rows and the optimisation line";
      char *v = malloc(sizeof text);
      if (v) {
        memcpy(v, text, sizeof text);
        free(meta->value[k]);
        meta->value[k] = v;
      }
    }
}

static int run(const cli_args *args, const char *command_line, linear_problem *p) {
  const char *method = cli_has(args, "method") ? cli_get(args, "method") : "de";
  linear_use use;
  if (strcmp(method, "de") == 0)
    use = LINEAR_ANALYTIC;
  else if (strcmp(method, "exact") == 0)
    use = LINEAR_FIXED_SKETCH;
  else {
    cli_error("--method: unknown method '%s' (available: de, exact)", CLI_EXCERPT(method));
    return CLI_EXIT_BAD;
  }
  rc_schedule_opt_options opt = rc_schedule_opt_options_default();
  uint64_t stages = 32;
  if (cli_get_uint(args, "stages", 1, RC_SCHEDULE_OPT_MAX_PER_STEP, 32, &stages))
    return CLI_EXIT_BAD;
  opt.stages = (size_t)stages;
  opt.per_step = cli_has(args, "per-step");
  if (opt.per_step && cli_has(args, "stages")) {
    cli_error("give only one of --stages and --per-step");
    return CLI_EXIT_BAD;
  }
  cli_target out_target;
  memset(&out_target, 0, sizeof out_target);
  if (linear_problem_setup(args, command_line, use, p))
    return CLI_EXIT_BAD;
  cli_problem *b = &p->base;
  describe_schedule(&b->meta);
  if (p->nM != 1 || b->nN != 1) {
    cli_error("--M and --N take one value each here (got %zu and %zu)", p->nM, b->nN);
    return CLI_EXIT_BAD;
  }
  const char *sched_out = cli_get(args, "schedule-out");
  if (sched_out) {
    if (cli_target_resolve(&out_target, "schedule-out", "the schedule", sched_out, 0))
      return CLI_EXIT_BAD;
    int clash = b->out.table.path && cli_target_same(&out_target, &b->out.table);
    for (size_t k = 0; k < b->out.ninputs && !clash; k++) {
      cli_target in;
      memset(&in, 0, sizeof in);
      if (cli_target_resolve(&in, "input", "an input", b->out.inputs[k].path, 1) == 0)
        clash = cli_target_same(&out_target, &in);
      cli_target_free(&in);
    }
    if (clash) {
      cli_error("--schedule-out '%s' names another input or output of this run", sched_out);
      cli_target_free(&out_target);
      return CLI_EXIT_BAD;
    }
  }
  const size_t M = (size_t)p->Ms[0];
  const uint64_t N = b->Ns[0];
  int status = CLI_EXIT_BAD;
  rc_sgd_measure *m = NULL;
  if (use == LINEAR_ANALYTIC) {
    m = linear_de_measure(p, M);
  } else {
    rc_error err = {0, ""};
    m = linear_problem_measure(p, M, &err);
    if (!m)
      cli_error("%s", err.message);
    cli_meta_add(&b->meta, "method", "exact: the expected risk for this sketch");
  }
  rc_schedule_opt_result r;
  memset(&r, 0, sizeof r);
  if (!m)
    goto done;
  rc_error err = {0, ""};
  rc_sgd_options o = rc_sgd_options_default();
  o.batch = b->batch;
  o.sigma2 = b->sigma2;
  /* a gradient costs about three passes of 6 n updates per step; the minimiser makes at most
   * max_iter iterations of a few evaluations; the baselines' scans add about 700 passes */
  const double work = (3.0 * (double)opt.max_iter * 3 * 6 + 700 * 6) * (double)m->n * (double)N;
  if (cli_check_work(work, "--N or --M"))
    goto done;
  if (rc_sgd_schedule_opt(m, N, &o, &opt, &r, &err)) {
    cli_error("M = %zu: %s", M, err.message);
    goto done;
  }
  cli_meta_add(&b->meta, "optimisation",
               "%zu stages of equal length%s; GSL vector BFGS on steps g_k = g_max s(z_k) (s "
               "logistic, g_max = "
               "%.17g just below the stability edge), exact gradients by the adjoint recursion, "
               "restarted while it improves, started from the best of the tuned const, cosine and "
               "geometric schedules written on the stages; %zu iterations, %zu evaluations, %s",
               r.count, opt.per_step ? " (one per step)" : "", r.gamma_max, r.iterations,
               r.evaluations, r.converged ? "converged" : "stopped at the iteration limit");
  static const char *const kinds[N_KINDS] = {"optimal", "const", "geometric", "cosine"};
  double data[N_KINDS * (N_COLUMNS - 1)];
  fill_row(data, &r.row, r.gamma[0], r.gamma[r.count - 1]);
  for (size_t k = 1; k < N_KINDS; k++)
    if (tuned_row(p, m, kinds[k], data + k * (N_COLUMNS - 1)))
      goto done;
  if (sched_out && write_schedule_out(p, &out_target, &r))
    goto done;
  const cli_table t = {columns, N_COLUMNS, kinds, data, N_KINDS};
  status = cli_emit(&b->out, &b->meta, &t, NULL, NULL);
done:
  if (status)
    cli_temps_abort();
  rc_schedule_opt_result_free(&r);
  rc_sgd_measure_free(m);
  cli_target_free(&out_target);
  return status;
}

int cmd_schedule_opt(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(schedule_opt_groups, 1, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc schedule-opt [--method de|exact] [--a A | --log-a A | --spectrum FILE] "
        "--d D|inf [--b B | --prior FILE] [--sketch FILE | --seed K] --M M --N N [--stages K | "
        "--per-step] [--batch B] [--sigma2 S] [--schedule-out FILE] [--format tsv|csv|json] "
        "[--output FILE]",
        "The step-size schedule that minimises the risk of one-pass SGD after N steps for one\n"
        "model size M: K constant stages (or a free step per step), optimised by BFGS with\n"
        "exact gradients from the adjoint recursion, every step below the stability edge.\n"
        "Columns kind risk approx bias variance gamma_first gamma_last, one row each for\n"
        "optimal and for the const, geometric and cosine schedules with their base step\n"
        "tuned (docs/THEORY.md, \"Tuning\"). --schedule-out writes the optimum as a stages:\n"
        "file for --schedule stages:FILE. Exit status: 0 success, 2 bad input.",
        schedule_opt_groups, 1);
    return CLI_EXIT_OK;
  }
  linear_problem p;
  memset(&p, 0, sizeof p);
  const int status = run(&args, command_line, &p);
  linear_problem_free(&p);
  return status;
}
