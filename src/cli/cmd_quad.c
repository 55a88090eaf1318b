/* riskcalc quad: risk curves of the quadratically parameterized model trained by one-pass SGD
 * (docs/QUAD.md). */
#include <string.h>

#include "quad_problem.h"

static const cli_option method_options[] = {
    {"method", "NAME",
     "analytic (default): the three-moment recursion with a Pearson III closure, exit status 2 "
     "where the closure leaves its domain (large eta: use mc there); closed: activation times, "
     "the published effective dimension and rates (power laws); mc: Monte Carlo simulation of "
     "SGD over --runs runs",
     CLI_ROLE_NONE},
    {"phases", NULL,
     "analytic: instead of the risk table, the two phases: E theta_i(t) / w*_i for the "
     "coordinates i <= M at log-spaced times t of the run of the largest T, with the noise-free "
     "activation front D(t) (columns t i theta wstar ratio front; one --M); --plot draws them",
     CLI_ROLE_NONE},
};

static const cli_group quad_groups[] = {
    CLI_GROUP(method_options),  CLI_GROUP(quad_problem_options), CLI_GROUP(cli_figure_options),
    CLI_GROUP(quad_mc_options), CLI_GROUP(quad_sketch_options),
};
#define N_QUAD_GROUPS (sizeof quad_groups / sizeof quad_groups[0])

typedef struct {
  const char *name;
  int (*run)(quad_problem *p);
  void (*figure)(const quad_problem *p, cli_figure *fig);
} quad_method;

static const quad_method quad_methods[] = {
    {"analytic", quad_analytic_run, quad_figure_risk},
    {"closed", quad_closed_run, quad_figure_closed},
    {"mc", quad_mc_run, quad_figure_mc},
};

/* The figure the run will draw, checked (--plot-kind, --y) before any work. */
static int check_figure(const quad_problem *p, const quad_method *m, int phases) {
  cli_figure fig;
  if (phases) {
    if (p->nM != 1) {
      cli_error("--phases draws one model size: give a single --M");
      return CLI_EXIT_BAD;
    }
    uint64_t T;
    size_t nt, nc;
    quad_phases_shape(p, &T, &nt, &nc);
    quad_figure_phases(p, &fig, T, nt, nc);
  } else {
    m->figure(p, &fig);
  }
  return cli_figure_check(&p->base.out, &fig);
}

int cmd_quad(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(quad_groups, N_QUAD_GROUPS, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(
        stdout,
        "riskcalc quad [--method analytic|closed|mc] [--alpha A | --log-alpha A | --spectrum "
        "FILE] --d D|inf [--beta B | --target FILE] --M LIST --T LIST [--eta E] [--schedule "
        "SPEC] [--v0 V] [--batch B] [--sigma2 S] [--runs R --seed K [--sketch gaussian]] "
        "[--phases] "
        "[--format "
        "tsv|csv|json] [--output FILE] [--plot FILE [--plot-kind K] [--y LIST] ...]",
        "Risk of one-pass SGD on the quadratically parameterized model f(x) = <x_{1:M}, v.v>\n"
        "(docs/QUAD.md): for each (M, T) the columns\n"
        "T M approx bias variance excess risk active, with excess = bias + variance,\n"
        "risk = sigma2 + approx + excess and active = #{i : E theta_i >= w*_i / 2}.\n"
        "--method closed prints T M D_eff t_adapt approx rate_bias rate_variance rate_risk;\n"
        "--method mc prints T M risk risk_se bias bias_se variance variance_se runs.\n"
        "T counts SGD steps; each step uses --batch fresh samples. Every convention is\n"
        "stated in the output header. Exit status: 0 success, 2 bad input, or the analytic\n"
        "closure leaving its domain (eta too large: the message points to --method mc).",
        quad_groups, N_QUAD_GROUPS);
    return CLI_EXIT_OK;
  }
  const char *method = cli_has(&args, "method") ? cli_get(&args, "method") : "analytic";
  const quad_method *chosen = NULL;
  for (size_t k = 0; k < sizeof quad_methods / sizeof quad_methods[0]; k++)
    if (strcmp(quad_methods[k].name, method) == 0)
      chosen = &quad_methods[k];
  if (!chosen) {
    cli_error("--method: unknown method '%s' (available: analytic, closed, mc)", method);
    return CLI_EXIT_BAD;
  }
  if (quad_mc_check_args(&args, method))
    return CLI_EXIT_BAD;
  if (cli_has(&args, "sketch") && strcmp(method, "mc") != 0) {
    cli_error("--sketch gaussian: the sketched variant couples the coordinates, so only --method "
              "mc simulates it (the analytic and closed methods follow each coordinate)");
    return CLI_EXIT_BAD;
  }
  const int phases = cli_has(&args, "phases");
  if (phases && strcmp(method, "analytic") != 0) {
    cli_error("--phases draws the analytic trajectory: use it with --method analytic");
    return CLI_EXIT_BAD;
  }
  quad_problem p;
  int status = quad_problem_setup(&args, command_line, &p);
  if (status == 0)
    status = check_figure(&p, chosen, phases);
  if (status == 0)
    status = phases ? quad_phases_run(&p) : chosen->run(&p);
  quad_problem_free(&p);
  return status;
}
