/* The problem of `riskcalc linear` and `riskcalc compare linear`, and the pieces its methods
 * share: risk rows, figures, the table. */
#include "linear_problem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

const cli_option linear_spectrum_options[] = {
    {"a", "A", "power-law spectrum lambda_i = i^-A (default: --a 1.5)", CLI_ROLE_A},
    {"log-a", "A", "log-power-law spectrum lambda_i = i^-1 log(i+1)^-A", CLI_ROLE_LOG_A},
    {"spectrum", "FILE", "eigenvalues of H, one per line ('#' comments); d = their count",
     CLI_ROLE_SPECTRUM},
};

const cli_option linear_d_option[] = {
    {"d", "D",
     "dimension of the data (required with --a and --log-a); --method de and closed also take "
     "inf or any large D at the cost of a moderate one",
     CLI_ROLE_D},
};

/* compare simulates SGD in d dimensions whatever its theory: no inf. */
const cli_option linear_d_option_simulated[] = {
    {"d", "D",
     "dimension of the data (required with --a and --log-a): a whole number, since the "
     "simulation runs in d dimensions (riskcalc linear --method de and closed take inf)",
     CLI_ROLE_D},
};

const cli_option linear_problem_options[] = {
    {"b", "B",
     "source prior lambda_i E w*_i^2 = i^-B (default: isotropic E w*_i^2 = 1, which is B = A "
     "for the power law)",
     CLI_ROLE_B},
    {"prior", "FILE", "prior variances E w*_i^2, one per line", CLI_ROLE_PRIOR},
    {"sketch", "FILE", "the sketch S: M lines of d numbers", CLI_ROLE_NONE},
    {"seed", "K",
     "seed of the Gaussian sketch S, iid N(0, 1/M) from GSL's mt19937, and of the Monte Carlo "
     "runs (default 1)",
     CLI_ROLE_SEED},
    {"M", "LIST", "model sizes: integers and/or log-spaced ranges lo:hi:count", CLI_ROLE_NONE},
    {"N", "LIST", "numbers of SGD steps (samples / batch): e.g. 100,1000 or 1e2:1e6:9",
     CLI_ROLE_HORIZONS},
    {"gamma", "G",
     "base step size (default 0.1); riskcalc linear also takes a list (as --N: 0.05,0.1 or "
     "1e-3:1e-1:5; one row per value) or opt (--method exact or de: for each row the base step "
     "minimising its final risk over the mean-square stable range, printed in column gamma)",
     CLI_ROLE_GAMMA},
    {"batch", "B", "mini-batch size (default 1); riskcalc linear also takes a list of sizes",
     CLI_ROLE_BATCH},
    {"schedule", "SPEC",
     "const | geometric (default; halved every ceil(N/log2 N) steps) | step:K:F (times F every "
     "K steps) | poly:T0:P (gamma (1+t/T0)^-P) | cosine[:FLOOR] (f + (gamma-f)(1+cos(pi t/N))/2, "
     "f = FLOOR gamma) | linear[:FLOOR] (gamma + (f-gamma) t/N) | wsd:FRAC[:linear|cosine|sqrt] "
     "(constant, then decay over the last ceil(FRAC N) steps) | warmup:W:SPEC (gamma (t+1)/W "
     "for t < W, then SPEC) | twophase[:T1] (constant for T1 = N/2 steps, then geometric) | "
     "stages:PATH (lines 'count gamma', absolute) | file:PATH (absolute steps, one per line); "
     "formulas in docs/THEORY.md",
     CLI_ROLE_SCHEDULE},
    {"approx-schedule", "RTOL",
     "replace the smooth parts of the schedule (poly, cosine, linear, wsd's decay, warm-up "
     "ramps) by constant stages within which the exact step varies by less than a factor "
     "1 + RTOL, so whole stages are jumped (measured: risk parts move by at most 0.46 RTOL; "
     "docs/THEORY.md)",
     CLI_ROLE_APPROX_SCHEDULE},
    {"sigma2", "S",
     "label noise variance (default 1); riskcalc linear also takes a list (0 allowed as an item)",
     CLI_ROLE_SIGMA2},
    {"format", "FMT", "output format: tsv (default), csv or json", CLI_ROLE_FORMAT},
    {"output", "FILE", CLI_OUTPUT_HELP, CLI_ROLE_OUTPUT},
    {"plot", "FILE",
     "also draw a figure (.png, .svg or .pdf) with gnuplot; keeps FILE's .gp script and .dat "
     "data next to it (docs/FIGURES.md)",
     CLI_ROLE_PLOT},
};

const char *const linear_risk_columns[LINEAR_RISK_COLUMNS + LINEAR_SWEEP_COLUMNS] = {
    "N", "M", "approx", "bias", "variance", "excess", "risk", "gamma", "batch", "sigma2"};

static int lib_error(const char *what, const rc_error *err) {
  cli_error("%s: %s", what, err->message);
  return CLI_EXIT_BAD;
}

/* The model sizes and the sketch (after the spectrum: a sketch file must match d). */
static int check_sizes(linear_problem *p) {
  rc_error err = {0, ""};
  const cli_problem *b = &p->base;
  if (p->sketch_file && b->seed_given && p->use != LINEAR_SIMULATED) {
    cli_error("give only one of --sketch and --seed");
    return CLI_EXIT_BAD;
  }
  if (p->use == LINEAR_ANALYTIC) {
    if (p->sketch_file) {
      cli_error("--sketch: the analytic methods average over sketches and use none");
      return CLI_EXIT_BAD;
    }
    if (!p->Ms) {
      cli_error("--M is required");
      return CLI_EXIT_BAD;
    }
    return 0;
  }
  const size_t d = b->spectrum->d;
  if (p->sketch_file) {
    size_t cols;
    /* Bounded by the readers' default (RC_IO_MAX_VALUES): a bound from --M would pre-empt the
     * clearer "--M disagrees with the rows of --sketch". */
    if (rc_io_read_table(p->sketch_file, &p->sketch_values, &p->sketch_rows, &cols, &err))
      return lib_error("--sketch", &err);
    if (cols != d) {
      cli_error("--sketch '%s' has %zu columns but d = %zu", p->sketch_file, cols, d);
      return CLI_EXIT_BAD;
    }
    if (p->Ms && (p->nM != 1 || p->Ms[0] != p->sketch_rows)) {
      cli_error("--M %s disagrees with the %zu rows of --sketch '%s'", cli_get(p->args, "M"),
                p->sketch_rows, p->sketch_file);
      return CLI_EXIT_BAD;
    }
    if (!p->Ms) {
      p->Ms = malloc(sizeof *p->Ms);
      if (!p->Ms) {
        cli_error("out of memory");
        return CLI_EXIT_BAD;
      }
      p->Ms[0] = p->sketch_rows;
      p->nM = 1;
    }
  } else if (!p->Ms) {
    cli_error("--M is required (or give the sketch with --sketch)");
    return CLI_EXIT_BAD;
  }
  return linear_check_memory(p, d);
}

static void describe(linear_problem *p, const char *command_line) {
  cli_problem *b = &p->base;
  cli_problem_describe_data(b, command_line);
  if (p->use != LINEAR_ANALYTIC && p->sketch_file) {
    cli_meta_add(&b->meta, "sketch", "file %s (M = %zu rows, d = %zu columns)", p->sketch_file,
                 p->sketch_rows, b->spectrum->d);
  } else if (p->use != LINEAR_ANALYTIC) {
    cli_meta_add(&b->meta, "sketch",
                 "Gaussian, iid N(0, 1/M) entries drawn row by row with "
                 "gsl_ran_gaussian_ziggurat from gsl_rng_mt19937 seeded with %llu (the same "
                 "seed for every M)",
                 (unsigned long long)b->seed);
    cli_meta_add(&b->meta, "seed", "%llu", (unsigned long long)b->seed);
  }
  cli_problem_describe_training(b);
  if (p->Ms)
    cli_meta_param_list(&b->meta, "M", p->Ms, p->nM);
}

/* Without sweeps, a list or opt for the step, batch or noise is refused by name. */
static int refuse_sweeps(const cli_args *args) {
  static const cli_role roles[] = {CLI_ROLE_GAMMA, CLI_ROLE_BATCH, CLI_ROLE_SIGMA2};
  for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
    const char *v = cli_role_value(args, roles[k]);
    if (v && (strchr(v, ',') || strchr(v, ':') || strcmp(v, "opt") == 0)) {
      cli_error("--%s %s: lists%s are riskcalc linear's; this command takes one value",
                cli_role_name(args, roles[k]), v, roles[k] == CLI_ROLE_GAMMA ? " and opt" : "");
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

static int setup(const cli_args *args, const char *command_line, linear_use use, int sweeps,
                 linear_problem *p) {
  memset(p, 0, sizeof *p);
  p->args = args;
  p->use = use;
  cli_problem *b = &p->base;
  rc_error err = {0, ""};
  /* Parse ... */
  if (sweeps ? cli_problem_parse_sweeps(args, b)
             : refuse_sweeps(args) || cli_problem_parse(args, b))
    return CLI_EXIT_BAD;
  p->sketch_file = cli_get(args, "sketch");
  cli_outputs_add_input(&b->out, "sketch", p->sketch_file);
  if (use == LINEAR_SIMULATED)
    cli_outputs_add_side(&b->out, "per-run", "the per-run table", cli_get(args, "per-run"));
  if (cli_has(args, "M") && rc_io_parse_list(cli_get(args, "M"), &p->Ms, &p->nM, &err))
    return lib_error("--M", &err);
  /* ... check (before anything of size d is allocated, refuse an M x d that cannot fit) ... */
  /* --d inf: said for what the run does, never naming a method that would refuse it too. */
  const cli_spectrum_rules rules = {
      use == LINEAR_ANALYTIC, LINEAR_LAW_MIN_D,
      use == LINEAR_SIMULATED
          ? "--d inf: the Monte Carlo simulation runs in d dimensions, so D must be a whole "
            "number (riskcalc linear --method de or closed take inf)"
          : "--d inf: the exact method works with the d eigenvalues of one sketch, so D must "
            "be a whole number (--method de or closed take inf)"};
  /* What is missing or cannot fit is said before d eigenvalues are built (a typo --d 2e8
   * without --N took 17 s to be told --N is required: found by tests/fuzz/fuzz_args.c). */
  if (cli_problem_check_outputs(b) || cli_problem_check_horizons(b, "1e2:1e5:13") ||
      (use != LINEAR_ANALYTIC && b->d_text && !b->d_inf && p->Ms && linear_check_memory(p, b->d)))
    return CLI_EXIT_BAD;
  if (use != LINEAR_ANALYTIC && !p->Ms && !p->sketch_file) {
    cli_error("--M is required (or give the sketch with --sketch)");
    return CLI_EXIT_BAD;
  }
  if (cli_problem_check_spectrum(b, &rules) || cli_problem_check_prior(b) || check_sizes(p) ||
      cli_problem_check_training(b))
    return CLI_EXIT_BAD;
  /* ... describe. */
  describe(p, command_line);
  return 0;
}

int linear_problem_setup(const cli_args *args, const char *command_line, linear_use use,
                         linear_problem *p) {
  return setup(args, command_line, use, 0, p);
}

int linear_problem_setup_sweeps(const cli_args *args, const char *command_line, linear_use use,
                                linear_problem *p) {
  return setup(args, command_line, use, 1, p);
}

size_t linear_row(const linear_problem *p, size_t m, size_t c, size_t n) {
  return (m * cli_problem_sweep_count(&p->base) + c) * p->base.nN + n;
}

void linear_sweep_cells(const linear_problem *p, double gamma, double *cells) {
  const rc_schedule_kind kind = rc_schedule_get_kind(p->base.schedule);
  /* file: and stages: schedules give absolute steps and no base step: their first step */
  cells[0] = kind == RC_SCHEDULE_FILE || kind == RC_SCHEDULE_STAGES
                 ? rc_schedule_gamma(p->base.schedule, 0, p->base.Ns[0])
                 : gamma;
  cells[1] = (double)p->base.batch;
  cells[2] = p->base.sigma2;
}

const char *linear_sweep_text(const linear_problem *p, char *buf, size_t n) {
  const cli_problem *b = &p->base;
  char g[RC_IO_DOUBLE_CHARS], s2[RC_IO_DOUBLE_CHARS];
  buf[0] = '\0';
  if (b->ngamma > 1)
    snprintf(buf, n, ", gamma = %s", rc_io_format_double(b->gamma, g, sizeof g));
  if (b->nbatch > 1)
    snprintf(buf + strlen(buf), n - strlen(buf), ", batch = %zu", b->batch);
  if (b->nsigma2 > 1)
    snprintf(buf + strlen(buf), n - strlen(buf), ", sigma2 = %s",
             rc_io_format_double(b->sigma2, s2, sizeof s2));
  return buf;
}

/* The coordinates a figure could draw besides N, and how many of them vary. */
static size_t varying(const linear_problem *p, const char **names) {
  const cli_problem *b = &p->base;
  const size_t count[4] = {p->nM, b->ngamma, b->nbatch, b->nsigma2};
  static const char *const name[4] = {"M", "gamma", "batch", "sigma2"};
  size_t n = 0;
  for (int k = 0; k < 4; k++)
    if (count[k] > 1)
      names[n++] = name[k];
  return n;
}

int linear_sweep_plot_check(const linear_problem *p) {
  const char *names[4];
  if (!p->base.out.plot || varying(p, names) < 2)
    return 0;
  cli_error("--plot: a figure draws the curves of one swept quantity besides N, but %s and %s "
            "both take several values (give one value of all but one, or leave out --plot)",
            names[0], names[1]);
  return CLI_EXIT_BAD;
}

void linear_problem_free(linear_problem *p) {
  cli_problem_free(&p->base);
  free(p->Ms);
  free(p->sketch_values);
  memset(p, 0, sizeof *p);
}

rc_sketch *linear_problem_sketch(const linear_problem *p, size_t M) {
  rc_error err = {0, ""};
  rc_sketch *s;
  const size_t d = p->base.spectrum->d;
  if (p->sketch_values) {
    s = rc_sketch_values_alloc(p->sketch_values, p->sketch_rows, d, &err);
  } else {
    s = cli_gaussian_sketch(p->base.seed, M, d, &err);
  }
  if (!s)
    lib_error("sketch", &err);
  return s;
}

rc_sgd_measure *linear_problem_measure(const linear_problem *p, size_t M, rc_error *err) {
  const cli_problem *b = &p->base;
  if (p->sketch_values) {
    rc_sketch *s = rc_sketch_values_alloc(p->sketch_values, p->sketch_rows, b->spectrum->d, err);
    rc_sgd_measure *m = s ? rc_sgd_measure_from_sketch(b->spectrum, b->prior, s, err) : NULL;
    rc_sketch_free(s);
    return m;
  }
  /* the generator of cli_gaussian_sketch: the same sketch, drawn block by block */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a random number generator");
    return NULL;
  }
  gsl_rng_set(rng, (unsigned long)b->seed);
  rc_sgd_measure *m = rc_sgd_measure_gaussian(b->spectrum, b->prior, M, rng, err);
  gsl_rng_free(rng);
  return m;
}

static void risk_row(const rc_risk *r, double *row) {
  row[0] = (double)r->N;
  row[1] = r->M;
  row[2] = r->approx;
  row[3] = r->bias;
  row[4] = r->variance;
  row[5] = r->excess;
  row[6] = r->risk;
}

/* The grid of `riskcalc linear`: one cell per risk curve (m, c), or with --gamma opt per tuned
 * row (m, c, n). Cells are independent given the measures, so they run on OpenMP threads, each
 * writing its own rows; a cell computes the same bytes on any thread, so the table is the same
 * for any thread count. */

/* What a cell leaves behind besides its rows. */
typedef struct {
  int failed;
  char message[LINEAR_ERROR_SIZE];          /* the error, as printed after the region */
  size_t at_edge, unconverged, evaluations; /* --gamma opt: what the tuner did */
} grid_cell;

/* Runs cell k of the grid on q (this thread's copy of the problem, its own schedule) into
 * data; rows: scratch of nN entries. */
static void grid_cell_run(linear_problem *q, const rc_sgd_measure *const *measures, size_t k,
                          size_t per, cli_grid_tick *tick, rc_risk *rows, double *data,
                          grid_cell *out) {
  rc_error err = {0, ""};
  cli_problem *b = &q->base;
  const size_t ncombo = cli_problem_sweep_count(b);
  const size_t m = k / (ncombo * per), c = k / per % ncombo;
  const size_t ncols = LINEAR_RISK_COLUMNS + LINEAR_SWEEP_COLUMNS;
  cli_problem_sweep_set(b, c);
  rc_sgd_options opt = rc_sgd_options_default();
  opt.batch = b->batch;
  opt.sigma2 = b->sigma2;
  opt.threads = 1; /* the grid's threads are the parallelism: none nested */
  char swept[160];
  linear_sweep_text(q, swept, sizeof swept);
  if (b->gamma_opt) {
    const size_t n = k % per;
    rc_gamma_tuned t;
    const int rc = rc_sgd_tune_gamma(measures[m], b->schedule, b->Ns[n], &opt, &t, &err);
    if (rc && rc != RC_ENOCONV) {
      out->failed = 1;
      snprintf(out->message, sizeof out->message, "M = %llu%s, N = %llu: tuning the step: %s",
               (unsigned long long)q->Ms[m], swept, (unsigned long long)b->Ns[n], err.message);
      return;
    }
    out->at_edge = (size_t)t.at_edge;
    out->unconverged = rc == RC_ENOCONV;
    out->evaluations = t.evaluations;
    double *row = data + linear_row(q, m, c, n) * ncols;
    risk_row(&t.row, row);
    linear_sweep_cells(q, t.gamma, row + LINEAR_RISK_COLUMNS);
    return;
  }
  opt.progress = cli_grid_report;
  opt.progress_context = tick;
  if (rc_sgd_risk_curve(measures[m], b->schedule, b->Ns, b->nN, &opt, rows, &err)) {
    out->failed = 1;
    snprintf(out->message, sizeof out->message, "M = %llu%s: %s", (unsigned long long)q->Ms[m],
             swept, err.message);
    return;
  }
  for (size_t n = 0; n < b->nN; n++) {
    double *row = data + linear_row(q, m, c, n) * ncols;
    risk_row(&rows[n], row);
    linear_sweep_cells(q, b->gamma, row + LINEAR_RISK_COLUMNS);
  }
}

int linear_grid_run(linear_problem *p, const rc_sgd_measure *const *measures, size_t nm,
                    cli_progress *progress, double *data) {
  const cli_problem *b = &p->base;
  const size_t per = b->gamma_opt ? b->nN : 1;
  const size_t ncells = nm * cli_problem_sweep_count(b) * per;
  if (ncells == 0)
    return 0;
  grid_cell *cells = calloc(ncells, sizeof *cells);
  if (!cells) {
    cli_progress_done(progress);
    cli_error("out of memory for %zu risk curves", ncells);
    return CLI_EXIT_BAD;
  }
  cli_grid g;
  cli_grid_init(&g, progress, ncells);
#pragma omp parallel num_threads(cli_grid_threads(ncells))
  {
    /* this thread's problem: the shared one with its own schedule (a combination sets its
     * base step) */
    rc_error err = {0, ""};
    linear_problem q = *p;
    q.base.schedule = rc_schedule_copy(b->schedule, &err);
    rc_risk *rows = q.base.schedule ? malloc(b->nN * sizeof *rows) : NULL;
    cli_grid_tick tick;
    cli_grid_tick_init(&tick, &g);
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < ncells; i++) {
      const size_t k = ncells - 1 - i; /* last first: larger M and N, the longest cells */
      if (cli_grid_skip(&g, k))
        continue; /* cancelled, or after the first failure: not needed */
      tick.last = 0.0;
      if (rows) {
        grid_cell_run(&q, measures, k, per, &tick, rows, data, &cells[k]);
      } else {
        cells[k].failed = 1;
        snprintf(cells[k].message, sizeof cells[k].message, "out of memory for a risk curve");
      }
      if (cells[k].failed)
        cli_grid_fail(&g, k);
      else
        cli_grid_report(&tick, 1.0);
    }
    free(rows);
    rc_schedule_free(q.base.schedule);
  }
  int status = 0;
  if (g.cancelled) {
    cli_progress_done(progress);
    cli_error("cancelled");
    status = CLI_EXIT_BAD;
  } else if (g.fail_min < ncells) {
    cli_progress_done(progress);
    cli_error("%s", cells[g.fail_min].message);
    status = CLI_EXIT_BAD;
  } else if (b->gamma_opt) {
    for (size_t k = 0; k < ncells; k++) {
      p->tuned_rows++;
      p->tuned_at_edge += cells[k].at_edge;
      p->tuned_unconverged += cells[k].unconverged;
      p->tuned_evaluations += cells[k].evaluations;
    }
  }
  free(cells);
  return status;
}

void linear_describe_tuning(linear_problem *p) {
  if (!p->base.gamma_opt)
    return;
  cli_meta_add(&p->base.meta, "gamma tuning",
               "%zu rows tuned with %zu risk curves; %zu at the edge of the stable range (the "
               "risk still falls at (1 - 1e-6) gamma_max); %zu where Brent did not converge (best "
               "point kept)",
               p->tuned_rows, p->tuned_evaluations, p->tuned_at_edge, p->tuned_unconverged);
}

int linear_stable_text(const linear_problem *p, const rc_sgd_measure *measure, double M, char *text,
                       size_t n, char *error, size_t nerror) {
  const cli_problem *b = &p->base;
  text[0] = '\0';
  for (size_t k = 0; k < b->nbatch; k++) {
    rc_error err = {0, ""};
    double g = 0;
    if (rc_sgd_stable_gamma(measure, b->batches[k], &g, &err)) {
      snprintf(error, nerror, "M = %.0f: %s", M, err.message);
      return CLI_EXIT_BAD;
    }
    const size_t used = strlen(text);
    snprintf(text + used, n - used, "%s%.6g (batch %zu)", k ? ", " : "", g, b->batches[k]);
  }
  return 0;
}

void linear_figure(const linear_problem *p, cli_figure *fig, cli_figure_mode mode,
                   const char *title, const char *ylabel, size_t ncols) {
  const cli_problem *b = &p->base;
  cli_figure_init(fig, mode, title, ylabel);
  cli_figure_axis(fig, 0, "N", "N (SGD steps)", 1, b->nN);
  /* The second coordinate: M, or the one swept quantity (linear_sweep_plot_check). */
  if (p->nM == 1 && b->ngamma > 1)
    cli_figure_axis(fig, 1, "gamma", "γ (base step)", ncols + 1, b->ngamma);
  else if (p->nM == 1 && b->nbatch > 1)
    cli_figure_axis(fig, 1, "batch", "batch size", ncols + 2, b->nbatch);
  else if (p->nM == 1 && b->nsigma2 > 1)
    cli_figure_axis(fig, 1, "sigma2", "σ² (label noise)", ncols + 3, b->nsigma2);
  else
    cli_figure_axis(fig, 1, "M", "M (model size)", 2, p->nM);
  /* a sweep is drawn as one curve per value (--plot-kind heatmap still draws the grid) */
  fig->family = fig->axis[1].col != 2;
  cli_problem_caption(&p->base, fig);
  if (fig->family)
    cli_figure_caption_add(fig, "M = %llu", (unsigned long long)p->Ms[0]);
  if (p->use != LINEAR_ANALYTIC && p->sketch_file)
    cli_figure_caption_add(fig, "sketch %s", p->sketch_file);
  else if (p->use != LINEAR_ANALYTIC)
    cli_figure_caption_add(fig, "seed %llu", (unsigned long long)p->base.seed);
  fig->noise = b->nsigma2 > 1 ? 0 : b->sigma2; /* one floor per curve: none drawn */
}

void linear_risk_figure(const linear_problem *p, cli_figure *fig, const char *title, size_t ncols) {
  linear_figure(p, fig, CLI_FIGURE_RESULT, title, "risk and its parts", ncols);
  cli_figure_quantity(fig, "risk", "risk", 7, 0);
  cli_figure_quantity(fig, "excess", "excess = bias + variance", 6, 0);
  cli_figure_quantity(fig, "approx", "approximation", 3, 0);
  cli_figure_quantity(fig, "bias", "bias", 4, 0);
  cli_figure_quantity(fig, "variance", "variance", 5, 0);
  fig->default_y = "risk,approx,bias,variance";
}

int linear_risk_table(const linear_problem *p, const char *const *columns, size_t ncols,
                      const double *data, size_t nrows, const char *title) {
  cli_figure fig;
  linear_risk_figure(p, &fig, title, ncols - LINEAR_SWEEP_COLUMNS);
  const cli_table t = {columns, ncols, NULL, data, nrows};
  return cli_emit(&p->base.out, &p->base.meta, &t, &fig, NULL);
}
