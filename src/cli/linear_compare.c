/* `riskcalc compare linear`: the linear model's theories (exact for the fixed sketch, the
 * sketch-averaged deterministic equivalent) against its Monte Carlo simulation. */
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "linear_problem.h"

static const cli_option method_options[] = {
    {"method", "NAME",
     "theory to check: exact (default), the exact expected risk for the fixed sketch; de, the "
     "sketch-averaged deterministic equivalent (needs --resketch)",
     CLI_ROLE_NONE},
};

static const cli_group groups[] = {
    CLI_GROUP(method_options),          CLI_GROUP(cli_compare_options),
    CLI_GROUP(linear_spectrum_options), CLI_GROUP(linear_d_option_simulated),
    CLI_GROUP(linear_problem_options),  CLI_GROUP(cli_figure_options),
    CLI_GROUP(linear_mc_options),
};

/* A theory: fills rows[k] (the risk and its parts) for every N of p at model size M. sketch
 * is the fixed sketch (NULL with --resketch). Prints the error and returns CLI_EXIT_BAD, or 0. */
typedef struct {
  const char *name;
  int resketch; /* 1: a sketch-averaged theory, compared with --resketch simulations */
  int (*theory)(linear_problem *p, size_t M, const rc_sketch *sketch, rc_risk *rows);
  const char *description;
} theory_method;

static int theory_exact(linear_problem *p, size_t M, const rc_sketch *sketch, rc_risk *rows) {
  rc_error err = {0, ""};
  cli_problem *b = &p->base;
  rc_sgd_measure *measure = rc_sgd_measure_from_sketch(b->spectrum, b->prior, sketch, &err);
  if (!measure) {
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = b->batch;
  opt.sigma2 = b->sigma2;
  int rc = rc_sgd_risk_curve(measure, b->schedule, b->Ns, b->nN, &opt, rows, &err);
  if (rc == 0) {
    char key[32];
    snprintf(key, sizeof key, "G (M = %zu)", M);
    cli_meta_add(&b->meta, key, "rank %zu%s; Approx = %.17g", measure->rank,
                 measure->pseudo_inverse ? " (singular: v* uses the pseudo-inverse of G)" : "",
                 measure->approx);
  }
  rc_sgd_measure_free(measure);
  if (rc) {
    cli_error("M = %zu: %s", M, err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

static const theory_method theories[] = {
    {"exact", 0, theory_exact,
     "exact: second-moment recursion in the eigenbasis of G = S H S^T for the fixed sketch"},
    {"de", 1, linear_de_theory,
     "de: sketch-averaged deterministic equivalent (docs/DETEQ.md); its O(1/M) bias against "
     "the average over sketches is measured there"},
};

typedef struct {
  linear_problem p;
  const theory_method *theory;
  rc_mc_options o;
} linear_job;

static int setup(const cli_args *args, const char *command_line, cli_compare_job *job) {
  const char *method = cli_has(args, "method") ? cli_get(args, "method") : "exact";
  const theory_method *chosen = NULL;
  for (size_t k = 0; k < sizeof theories / sizeof theories[0]; k++)
    if (strcmp(theories[k].name, method) == 0)
      chosen = &theories[k];
  if (!chosen) {
    cli_error("--method: unknown theory method '%s' (available: exact, de)", CLI_EXCERPT(method));
    return CLI_EXIT_BAD;
  }
  if (cli_has(args, "resketch") != chosen->resketch) {
    cli_error(chosen->resketch ? "--method %s is a sketch-averaged theory: add --resketch"
                               : "--resketch averages over sketches, but --method %s is the "
                                 "theory of one fixed sketch (the sketch-averaged theory is "
                                 "--method de)",
              chosen->name);
    return CLI_EXIT_BAD;
  }
  if (linear_mc_check_args(args, NULL))
    return CLI_EXIT_BAD;
  linear_job *j = calloc(1, sizeof *j);
  if (!j) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  job->state = j;
  j->theory = chosen;
  linear_problem *p = &j->p;
  if (linear_problem_setup(args, command_line, LINEAR_SIMULATED, p))
    return CLI_EXIT_BAD;
  job->out = &p->base.out;
  job->meta = &p->base.meta;
  job->coord[0] = "N";
  job->coord[1] = "M";
  job->axis[0] = "N (SGD steps)";
  job->axis[1] = "M (model size)";
  job->count[0] = p->base.nN;
  job->count[1] = p->nM;
  job->title = "sketched linear regression: theory against Monte Carlo";
  job->parts[0] = "approx";
  job->parts[1] = "bias";
  job->parts[2] = "variance";
  job->nparts = 3;
  if (linear_mc_setup(p, &j->o))
    return CLI_EXIT_BAD;
  cli_problem_caption(&p->base, job->figure);
  if (p->sketch_file)
    cli_figure_caption_add(job->figure, "sketch %s", p->sketch_file);
  cli_figure_caption_add(job->figure, "%zu runs, seed %llu%s", j->o.runs,
                         (unsigned long long)p->base.seed, j->o.resketch ? ", resketched" : "");
  cli_meta_add(job->meta, "theory", "%s", chosen->description);
  return 0;
}

static int run(cli_compare_job *job, cli_progress *bar, double *data) {
  linear_job *j = job->state;
  linear_problem *p = &j->p;
  const size_t nN = p->base.nN;
  rc_risk *theory = malloc(nN * sizeof *theory);
  rc_mc_risk *sim = malloc(nN * sizeof *sim);
  int status = CLI_EXIT_BAD;
  if (!theory || !sim) {
    cli_error("out of memory for %zu rows", nN);
    goto done;
  }
  for (size_t m = 0; m < p->nM; m++) {
    const size_t M = (size_t)p->Ms[m];
    rc_sketch *sketch = NULL;
    if (!j->o.resketch && !(sketch = linear_problem_sketch(p, M)))
      goto done;
    int rc = j->theory->theory(p, M, sketch, theory) ||
             linear_mc_simulate(p, &j->o, M, sketch, sim, NULL, bar, (double)m / (double)p->nM,
                                1.0 / (double)p->nM);
    rc_sketch_free(sketch);
    if (rc)
      goto done;
    for (size_t n = 0; n < nN; n++) {
      const rc_risk *t = &theory[n];
      const rc_mc_risk *s = &sim[n];
      const double v[CLI_COMPARE_ROW(3)] = {
          (double)s->N, s->M,    t->risk, s->mean,    s->se,       t->approx,   s->approx,
          s->approx_se, t->bias, s->bias, s->bias_se, t->variance, s->variance, s->variance_se};
      memcpy(data + (m * nN + n) * CLI_COMPARE_ROW(3), v, sizeof v);
    }
  }
  status = 0;
done:
  free(theory);
  free(sim);
  return status;
}

static void release(cli_compare_job *job) {
  linear_job *j = job->state;
  if (j) {
    linear_problem_free(&j->p);
    free(j);
  }
  job->state = NULL;
}

const cli_compare_model linear_compare_model = {
    "linear",
    groups,
    sizeof groups / sizeof groups[0],
    "riskcalc compare linear [--method exact|de] [--a A | --log-a A | --spectrum FILE] --d D "
    "[--b B | --prior FILE] [--sketch FILE | --seed K] --M LIST --N LIST [--gamma G] "
    "[--batch B] [--schedule SPEC] [--sigma2 S] [--runs R] [--mc-mode raw|reduced] "
    "[--z-max Z] [--format tsv|csv|json] [--output FILE] [--plot FILE]",
    "Checks a theory curve against the Monte Carlo simulation of SGD at the same points:\n"
    "for each (M, N) the columns N M theory mean se z, with z = (mean - theory) / se,\n"
    "then a verdict line ('# verdict: ...', also on standard error). The problem options\n"
    "are those of `riskcalc linear`; the simulation uses the same sketch as the theory.\n"
    "The parts of the risk are compared too: columns approx_theory approx_mean approx_se\n"
    "approx_z, and the same for bias and variance, then a line '# parts: ...'.\n"
    "--plot draws the theory as a line and the simulation as points with 2-se error bars\n"
    "and the z-scores in a panel below (against N, or against M when M is the list; one\n"
    "curve per M for a grid); --y approx,bias,variance draws the parts. Exit status: 0 when\n"
    "every |z| (risk and parts) <= --z-max, 1 when not, 2 on bad input.",
    setup,
    run,
    release,
    NULL,
};
