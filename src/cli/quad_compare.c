/* `riskcalc compare quad` (the analytic recursion against the Monte Carlo simulation of real
 * SGD, a plug-in of the generic compare) and `riskcalc compare quad-vs-linear` (the quadratic
 * model against linear SGD on the same data, each with its step size tuned per T). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "quad_problem.h"

/* ---- compare quad: analytic against Monte Carlo ------------------------------------------ */

static const cli_group quad_groups[] = {
    CLI_GROUP(cli_compare_options),
    CLI_GROUP(quad_problem_options),
    CLI_GROUP(cli_figure_options),
    CLI_GROUP(quad_mc_options),
};

typedef struct {
  quad_problem p;
  rc_quad_mc_options o;
} quad_job;

static int quad_setup(const cli_args *args, const char *command_line, cli_compare_job *job) {
  quad_job *j = calloc(1, sizeof *j);
  if (!j) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  job->state = j;
  quad_problem *p = &j->p;
  if (quad_problem_setup(args, command_line, p))
    return CLI_EXIT_BAD;
  job->out = &p->base.out;
  job->meta = &p->base.meta;
  job->coord[0] = "T";
  job->coord[1] = "M";
  job->axis[0] = "T (SGD steps)";
  job->axis[1] = "M (model size)";
  job->count[0] = p->base.nN;
  job->count[1] = p->nM;
  job->title = "quadratic model: analytic recursion against Monte Carlo";
  /* approx is exact on both sides (the same tail sum): the parts that can disagree */
  job->parts[0] = "bias";
  job->parts[1] = "variance";
  job->nparts = 2;
  if (quad_check_analytic(p, 1.0, "--T or --M") || quad_mc_setup(p, &j->o))
    return CLI_EXIT_BAD;
  quad_caption(p, job->figure);
  cli_figure_caption_add(job->figure, "%zu runs, seed %llu", j->o.runs,
                         (unsigned long long)p->base.seed);
  const rc_quad_analytic_options o = rc_quad_analytic_options_default();
  cli_meta_add(job->meta, "theory",
               "analytic: the three-moment recursion with a Pearson III closure (docs/QUAD.md "
               "sections 3-4), block tolerance %g, domain limit %g (beyond it: exit status 2); "
               "its error against real SGD is measured in docs/QUAD.md section 7",
               o.tol, o.domain_limit);
  return 0;
}

static int quad_run(cli_compare_job *job, cli_progress *bar, double *data) {
  quad_job *j = job->state;
  const quad_problem *p = &j->p;
  const cli_problem *b = &p->base;
  const size_t nT = b->nN;
  rc_quad_row *theory = malloc(nT * sizeof *theory);
  rc_quad_mc_row *sim = malloc(nT * sizeof *sim);
  int status = CLI_EXIT_BAD;
  if (!theory || !sim) {
    cli_error("out of memory for %zu rows", nT);
    goto done;
  }
  rc_quad_mc_options o = j->o;
  o.progress = cli_progress_update;
  o.progress_context = bar;
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    const size_t M = (size_t)p->Ms[m];
    rc_quad_problem *q = quad_problem_at(p, M);
    if (!q)
      goto done;
    int rc = rc_quad_analytic_curve(q, b->schedule, b->Ns, nT, NULL, theory, NULL, &err);
    if (!rc)
      rc = rc_quad_mc_curve(q, b->schedule, b->Ns, nT, &o, sim, &err);
    rc_quad_problem_free(q);
    if (rc) {
      cli_progress_done(bar);
      cli_error("M = %zu: %s", M, err.message);
      goto done;
    }
    for (size_t n = 0; n < nT; n++) {
      double *row = data + (m * nT + n) * CLI_COMPARE_ROW(2);
      const double values[CLI_COMPARE_ROW(2)] = {
          (double)theory[n].T, (double)M,       theory[n].risk,    sim[n].risk,
          sim[n].risk_se,      theory[n].bias,  sim[n].bias,       sim[n].bias_se,
          theory[n].variance,  sim[n].variance, sim[n].variance_se};
      memcpy(row, values, sizeof values);
    }
  }
  status = 0;
done:
  free(theory);
  free(sim);
  return status;
}

static void quad_release(cli_compare_job *job) {
  quad_job *j = job->state;
  if (j) {
    quad_problem_free(&j->p);
    free(j);
  }
  job->state = NULL;
}

const cli_compare_model quad_compare_model = {
    "quad",
    quad_groups,
    sizeof quad_groups / sizeof quad_groups[0],
    "riskcalc compare quad [--alpha A | --log-alpha A | --spectrum FILE] --d D|inf [--beta B | "
    "--target FILE] --M LIST --T LIST [--eta E] [--schedule SPEC] [--v0 V] [--batch B] "
    "[--sigma2 S] [--runs R] [--seed K] [--z-max Z] [--format tsv|csv|json] [--output FILE] "
    "[--plot FILE]",
    "Checks the analytic risk of the quadratic model (riskcalc quad --method analytic)\n"
    "against the Monte Carlo simulation of real SGD at the same points: for each (M, T) the\n"
    "columns T M theory mean se z, with z = (mean - theory) / se, then the same four for\n"
    "the bias and the variance (bias_theory bias_mean bias_se bias_z, variance_...), a line\n"
    "'# parts: ...' and a verdict line ('# verdict: ...', also on standard error). The\n"
    "problem options are those of `riskcalc quad`. --plot draws the theory as a line, the\n"
    "simulation as points with 2-se error bars and the z-scores below (--y bias,variance\n"
    "for the parts). Exit status: 0 when every |z| (risk and parts) <= --z-max, 1 when not,\n"
    "2 on bad input or where the analytic closure leaves its domain.",
    quad_setup,
    quad_run,
    quad_release,
    NULL,
};

/* ---- compare quad-vs-linear: each model with its tuned step ------------------------------ */

static const cli_group vs_groups[] = {
    CLI_GROUP(quad_problem_options),
    CLI_GROUP(cli_figure_options),
};

static const char *const vs_columns[] = {"T",           "M",
                                         "quad_eta",    "quad_risk",
                                         "quad_error",  "linear_gamma",
                                         "linear_risk", "linear_error",
                                         "quad_edge",   "linear_edge"};
#define N_VS_COLUMNS 10

/* Evaluations per T of the two tuners (bracketing the closure's edge, the scan, Brent), for the
 * work estimate. */
#define QUAD_TUNE_CURVES (RC_TUNE_GRID + 60.0)
#define LINEAR_TUNE_CURVES (RC_TUNE_GRID + 40.0)

/* Linear SGD on the same data: features x_{1:M} ~ N(0, diag(lambda_1..M)), target w*_{1:M},
 * the rest of the label (approx + sigma2) as noise the model cannot fit, from w = 0. In its
 * eigenbasis (the coordinates) the exact engine's measure has atoms mu_i = lambda_i, nu_i = 1,
 * c_i(0) = w*_i^2. */
static rc_measure *linear_measure(const rc_quad_problem *q) {
  rc_error err = {0, ""};
  rc_measure *m = rc_measure_alloc(q->M, &err);
  if (!m) {
    cli_error("%s", err.message);
    return NULL;
  }
  for (size_t i = 0; i < q->M; i++) {
    m->mu[i] = q->lambda[i];
    m->nu[i] = 1.0;
    m->c0[i] = q->wstar[i] * q->wstar[i];
  }
  m->M = (double)q->M;
  m->approx = q->approx;
  m->signal = q->signal;
  m->rank = q->M;
  m->pseudo_inverse = 0;
  return m;
}

/* The published exponents of risk - sigma2 with tuned steps (THEORY.md sections 1 and 3): the
 * quadratic model 1 - 1/beta (alpha <= beta) or (2 beta - 2)/(alpha + beta); linear SGD 1 - 1/beta
 * (alpha <= beta: the step tuned down as T grows) or (beta - 1)/alpha (alpha > beta: the
 * largest stable step, bias-limited). */
static double linear_published_exponent(double alpha, double beta) {
  return alpha <= beta ? 1.0 - 1.0 / beta : (beta - 1.0) / alpha;
}

static int vs_check_work(const quad_problem *p) {
  const cli_problem *b = &p->base;
  rc_error err = {0, ""};
  rc_cost lin;
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = b->batch;
  opt.sigma2 = b->sigma2;
  if (rc_sgd_curve_cost((size_t)p->Ms[0], b->schedule, b->Ns, b->nN, &opt, &lin, &err)) {
    cli_error("%s", err.message);
    return CLI_EXIT_BAD;
  }
  rc_cost quad;
  if (rc_quad_analytic_cost((size_t)p->Ms[0], b->schedule, b->Ns, b->nN, &quad, &err)) {
    cli_error("%s", err.message);
    return CLI_EXIT_BAD;
  }
  return cli_check_work(QUAD_TUNE_CURVES * quad.updates + LINEAR_TUNE_CURVES * lin.updates,
                        "--T or --M");
}

/* "slope -e [-hi, -lo]" of a fit y ~ x^-e, into buf. */
static void slope_text(const rc_fit_power *f, char *buf, size_t n) {
  snprintf(buf, n, "slope %.3f [%.3f, %.3f]", -f->exponent, -f->exponent_hi, -f->exponent_lo);
}

static int vs_fit(const double *data, size_t nT, size_t col, rc_fit_power *f) {
  double x[64], y[64];
  rc_error err = {0, ""};
  for (size_t n = 0; n < nT; n++) {
    x[n] = data[n * N_VS_COLUMNS];
    y[n] = data[n * N_VS_COLUMNS + col];
  }
  if (rc_fit_power_law(x, y, NULL, nT, NULL, f, &err)) {
    cli_error("fitting %s against T: %s", vs_columns[col], err.message);
    return CLI_EXIT_BAD;
  }
  return 0;
}

static int vs_command(const cli_args *args, const char *command_line) {
  if (cli_has(args, "seed")) {
    cli_error("--seed: compare quad-vs-linear computes both models exactly (no simulation)");
    return CLI_EXIT_BAD;
  }
  quad_problem p;
  double *data = NULL;
  rc_quad_problem *q = NULL;
  rc_measure *lm = NULL;
  int status = CLI_EXIT_BAD;
  if (quad_problem_setup(args, command_line, &p))
    goto done;
  cli_problem *b = &p.base;
  const size_t nT = b->nN;
  if (p.nM != 1) {
    cli_error("--M: compare quad-vs-linear compares at one model size: give a single --M");
    goto done;
  }
  if (nT < 3 || nT > 64) {
    cli_error("--T: give 3 to 64 horizons (the slopes are fitted over them; got %zu)", nT);
    goto done;
  }
  const rc_schedule_kind kind = rc_schedule_get_kind(b->schedule);
  if (kind == RC_SCHEDULE_FILE || kind == RC_SCHEDULE_STAGES) {
    cli_error("--schedule: '%s' gives absolute steps, but both models' steps are tuned here "
              "(give a shape with a base step, such as twophase or const)",
              b->schedule_spec);
    goto done;
  }
  cli_figure fig;
  quad_figure_vs_linear(&p, &fig, "quadratic model (tuned eta)", "linear SGD (tuned gamma)", 0);
  if (cli_figure_check(&b->out, &fig) || vs_check_work(&p))
    goto done;
  const size_t M = (size_t)p.Ms[0];
  if (!(q = quad_problem_at(&p, M)) || !(lm = linear_measure(q)))
    goto done;
  const int power = quad_problem_power_laws(&p);
  const double alpha = p.spec.alpha, beta = p.spec.beta;
  cli_meta *meta = &b->meta;
  cli_meta_add(meta, "method",
               "tuned per T: the quadratic model's base step eta minimises its analytic risk "
               "at T over the steps where the closure holds (rc_quad_tune_eta: edge bracketed "
               "to 1e-3, %d-point log scan over %g below it, Brent); linear SGD's base step "
               "gamma minimises its exact risk at T over the mean-square-stable steps "
               "(rc_sgd_tune_gamma); both use the schedule's shape above",
               RC_TUNE_GRID, RC_TUNE_SPAN);
  cli_meta_add(meta, "linear",
               "linear SGD w <- w - gamma_t (1/B) sum_b (<x_{b,1:M}, w> - y_b) x_{b,1:M} from "
               "w = 0 on the same data, target and noise, with the same number of steps and "
               "samples; its risk sigma2 + approx + sum_{i<=M} lambda_i E(w_i - w*_i)^2 is exact "
               "(the second-moment recursion on atoms lambda_i with c_i(0) = w*_i^2)");
  cli_meta_add(meta, "columns",
               "quad_eta, linear_gamma: the tuned base steps; *_risk: the risks at them; "
               "*_error = risk - sigma2 (approx + bias + variance: the error above the noise, "
               "what the published rates bound); *_edge = 1 when the risk still fell at the top "
               "of the allowed range (the closure's domain for the quadratic model, stability "
               "for linear SGD), so the tuned step is that top");
  if (power)
    cli_meta_add(meta, "published",
                 "risk - sigma2 ~ T^-%.6g for the quadratic model (%s), T^-%.6g for linear SGD "
                 "(%s), with M above the effective dimensions",
                 quad_published_exponent(alpha, beta),
                 alpha <= beta ? "alpha <= beta: 1 - 1/beta"
                               : "alpha > beta: (2 beta - 2)/(alpha "
                                 "+ beta)",
                 linear_published_exponent(alpha, beta),
                 alpha <= beta ? "1 - 1/beta, the same optimal rate"
                               : "(beta - 1)/alpha: slower, the quadratic model wins");
  data = malloc(nT * N_VS_COLUMNS * sizeof *data);
  if (!data) {
    cli_error("out of memory for %zu rows", nT);
    goto done;
  }
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = b->batch;
  opt.sigma2 = b->sigma2;
  cli_progress bar;
  cli_progress_init(&bar, "compare quad-vs-linear");
  for (size_t n = 0; n < nT; n++) {
    rc_error err = {0, ""};
    const uint64_t T = b->Ns[n];
    rc_quad_eta_tuned qt;
    rc_gamma_tuned lt;
    int rc = rc_quad_tune_eta(q, b->schedule, T, NULL, &qt, &err);
    if (rc && rc != RC_ENOCONV) {
      cli_progress_done(&bar);
      cli_error("quadratic model, T = %llu: %s", (unsigned long long)T, err.message);
      goto done;
    }
    cli_progress_update(&bar, (n + 0.5) / (double)nT);
    rc = rc_sgd_tune_gamma(lm, b->schedule, T, &opt, &lt, &err);
    if (rc && rc != RC_ENOCONV) {
      cli_progress_done(&bar);
      cli_error("linear SGD, T = %llu: %s", (unsigned long long)T, err.message);
      goto done;
    }
    cli_progress_update(&bar, (n + 1.0) / (double)nT);
    double *row = data + n * N_VS_COLUMNS;
    row[0] = (double)T;
    row[1] = (double)M;
    row[2] = qt.eta;
    row[3] = qt.row.risk;
    row[4] = qt.row.risk - b->sigma2;
    row[5] = lt.gamma;
    row[6] = lt.row.risk;
    row[7] = lt.row.risk - b->sigma2;
    row[8] = qt.at_edge;
    row[9] = lt.at_edge;
  }
  cli_progress_done(&bar);
  rc_fit_power fq, fl;
  if (vs_fit(data, nT, 4, &fq) || vs_fit(data, nT, 7, &fl))
    goto done;
  char sq[96], sl[96], quad_label[160], linear_label[160], text[600], trailer[700];
  slope_text(&fq, sq, sizeof sq);
  slope_text(&fl, sl, sizeof sl);
  snprintf(quad_label, sizeof quad_label, "quadratic model (tuned eta): %s", sq);
  snprintf(linear_label, sizeof linear_label, "linear SGD (tuned gamma): %s", sl);
  const char *reading = fq.exponent_lo > fl.exponent_hi ? "the quadratic model's error falls faster"
                        : fl.exponent_lo > fq.exponent_hi ? "linear SGD's error falls faster"
                                                          : "both fall at the same rate within the "
                                                            "intervals";
  int len = snprintf(text, sizeof text,
                     "fitted slopes of risk - sigma2 against T (95%% intervals): quadratic %s, "
                     "linear %s: %s",
                     sq, sl, reading);
  if (power && len > 0 && (size_t)len < sizeof text)
    snprintf(text + len, sizeof text - (size_t)len, "; published -%.3g and -%.3g",
             quad_published_exponent(alpha, beta), linear_published_exponent(alpha, beta));
  if (b->out.format == CLI_FORMAT_JSON)
    cli_meta_add(meta, "slopes", "%s", text);
  snprintf(trailer, sizeof trailer, "# slopes: %s", text);
  quad_figure_vs_linear(&p, &fig, quad_label, linear_label, q->approx);
  const cli_table t = {vs_columns, N_VS_COLUMNS, NULL, data, nT};
  if (cli_emit(&b->out, meta, &t, &fig, trailer))
    goto done;
  fprintf(stderr, "riskcalc compare: %s\n", text);
  status = CLI_EXIT_OK;
done:
  free(data);
  rc_quad_problem_free(q);
  rc_measure_free(lm);
  quad_problem_free(&p);
  return status;
}

const cli_compare_model quad_vs_linear_compare_model = {
    "quad-vs-linear",
    vs_groups,
    sizeof vs_groups / sizeof vs_groups[0],
    "riskcalc compare quad-vs-linear [--alpha A | --log-alpha A | --spectrum FILE] --d D|inf "
    "[--beta B | --target FILE] --M M --T LIST [--eta E] [--schedule SPEC] [--v0 V] [--batch "
    "B] [--sigma2 S] [--format tsv|csv|json] [--output FILE] [--plot FILE]",
    "The quadratic model against linear SGD on the same data, target and noise, with the\n"
    "same number of steps and samples, each with its base step tuned per T to minimise the\n"
    "final risk (the quadratic model over the steps where its analytic closure holds,\n"
    "linear SGD over the stable steps; both exact, no simulation): for each T the columns\n"
    "T M quad_eta quad_risk quad_error linear_gamma linear_risk linear_error quad_edge\n"
    "linear_edge (error = risk - sigma2), then the slopes of both errors fitted against T\n"
    "('# slopes: ...', also on standard error). The quadratic model wins for alpha > beta;\n"
    "for alpha <= beta both reach the optimal rate. --eta is only where the search starts.\n"
    "--plot draws both errors on log-log axes with the slopes in the legend.\n"
    "Exit status: 0 success, 2 bad input.",
    NULL,
    NULL,
    NULL,
    vs_command,
};
