/* The problem of `riskcalc quad` and its comparisons (quad_problem.h). */
#include "quad_problem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --beta and --target play the prior's roles (the signal's exponent and its file): the shared
 * parser reads them and records the file as an input; the model builds w* from them itself. */
const cli_option quad_problem_options[] = {
    {"alpha", "A", "power-law spectrum lambda_i = i^-A (default: --alpha 2)", CLI_ROLE_A},
    {"log-alpha", "A", "log-power-law spectrum lambda_i = i^-1 log(i+1)^-A", CLI_ROLE_LOG_A},
    {"spectrum", "FILE", "eigenvalues lambda_i, one per line ('#' comments); d = their count",
     CLI_ROLE_SPECTRUM},
    {"d", "D",
     "dimension of the data, a whole number or inf (required with --alpha and --log-alpha); only "
     "the first M coordinates are ever held, the rest enter through approx",
     CLI_ROLE_D},
    {"beta", "B",
     "target lambda_i w*_i^2 = i^-B, w*_i >= 0 (default: --beta 1.5; B > 1 with --d inf)",
     CLI_ROLE_B},
    {"target", "FILE", "the target w*_i >= 0, one per line (d values)", CLI_ROLE_PRIOR},
    {"v0", "V", "initial v_i = V for every i, so theta_i(0) = V^2 (default 0.1: small)",
     CLI_ROLE_NONE},
    {"M", "LIST",
     "model sizes (the model uses coordinates 1..M): integers and/or ranges lo:hi:count",
     CLI_ROLE_NONE},
    {"T", "LIST", "numbers of SGD steps (samples / batch): e.g. 1000,10000 or 1e2:1e6:9",
     CLI_ROLE_HORIZONS},
    {"eta", "E", "base step size (default 0.01)", CLI_ROLE_GAMMA},
    {"batch", "B", "mini-batch size (default 1)", CLI_ROLE_BATCH},
    {"schedule", "SPEC",
     "twophase[:T1] (default: constant for T1 = floor(T/2) steps, then geometric) | const | "
     "geometric | step:K:F | poly:T0:P | cosine[:FLOOR] | linear[:FLOOR] | wsd:FRAC[:SHAPE] | "
     "warmup:W:SPEC | stages:FILE | file:PATH (formulas in docs/THEORY.md)",
     CLI_ROLE_SCHEDULE},
    {"approx-schedule", "RTOL",
     "replace the smooth parts of the schedule (poly, cosine, linear, wsd's decay, warm-up "
     "ramps) by constant stages within which the exact step varies by less than a factor "
     "1 + RTOL, so the analytic method advances them in blocks (docs/THEORY.md)",
     CLI_ROLE_APPROX_SCHEDULE},
    {"sigma2", "S", "label noise variance (default 0.1)", CLI_ROLE_SIGMA2},
    {"format", "FMT", "output format: tsv (default), csv or json", CLI_ROLE_FORMAT},
    {"output", "FILE", CLI_OUTPUT_HELP, CLI_ROLE_OUTPUT},
    {"plot", "FILE",
     "also draw a figure (.png or .svg) with gnuplot; keeps FILE's .gp script and .dat data "
     "next to it",
     CLI_ROLE_PLOT},
    {"seed", "K", "Monte Carlo: base seed of the runs (default 1)", CLI_ROLE_SEED},
};

const cli_option quad_mc_options[] = {
    {"runs", "R", "Monte Carlo: number of independent runs, >= 2 (default 100)", CLI_ROLE_NONE},
};

const cli_option quad_sketch_options[] = {
    {"sketch", "gaussian",
     "Monte Carlo only: the sketched variant f(x) = <S x, v.v> with an M x d Gaussian sketch S "
     "(iid N(0, 1/M), GSL's mt19937 seeded with --seed; d finite), a riskcalc extension, not the "
     "paper's model (docs/QUAD.md section 9)",
     CLI_ROLE_QUAD_SKETCH},
};

int quad_problem_power_laws(const quad_problem *p) {
  return p->spec.spectrum == RC_SPECTRUM_POWER && p->spec.target == RC_QUAD_TARGET_POWER;
}

double quad_published_exponent(double alpha, double beta) {
  return alpha <= beta ? 1.0 - 1.0 / beta : (2.0 * beta - 2.0) / (alpha + beta);
}

rc_quad_problem *quad_problem_at_quiet(const quad_problem *p, size_t M, rc_error *err) {
  rc_quad_problem *q = NULL;
  if (p->sketched) {
    rc_sketch *S = cli_gaussian_sketch(p->base.seed, M, (size_t)p->spec.d, err);
    if (S)
      q = rc_quad_problem_sketched_alloc(&p->spec, S, err);
    rc_sketch_free(S);
  } else {
    q = rc_quad_problem_alloc(&p->spec, M, err);
  }
  return q;
}

rc_quad_problem *quad_problem_at(const quad_problem *p, size_t M) {
  rc_error err = {0, ""};
  rc_quad_problem *q = quad_problem_at_quiet(p, M, &err);
  if (!q)
    cli_error("M = %zu: %s", M, err.message);
  return q;
}

/* The shared parser's defaults are the linear model's: the quadratic model has its own (the
 * library's) for the options not given. */
static void quad_defaults(quad_problem *p) {
  cli_problem *b = &p->base;
  if (!b->a_given)
    b->a = QUAD_DEFAULT_ALPHA;
  if (!b->b_given)
    b->b = QUAD_DEFAULT_BETA;
  if (!b->gamma_given)
    b->gamma = QUAD_DEFAULT_ETA;
  if (!cli_role_value(p->args, CLI_ROLE_SIGMA2))
    b->sigma2 = QUAD_DEFAULT_SIGMA2;
  if (!cli_role_value(p->args, CLI_ROLE_SCHEDULE))
    b->schedule_spec = QUAD_DEFAULT_SCHEDULE;
}

/* The target: --beta or --target FILE (d values; d finite). */
static int check_target(quad_problem *p) {
  cli_problem *b = &p->base;
  rc_error err = {0, ""};
  if (b->b_given && b->prior_file) {
    cli_error("give only one of --beta and --target");
    return CLI_EXIT_BAD;
  }
  if (!b->prior_file) {
    p->spec.target = RC_QUAD_TARGET_POWER;
    p->spec.beta = b->b;
    return 0;
  }
  if (b->d_inf) {
    cli_error("--target FILE gives d values: not available with --d inf");
    return CLI_EXIT_BAD;
  }
  size_t count;
  const size_t bound = p->spec.d < (double)RC_IO_MAX_VALUES ? (size_t)p->spec.d : 0;
  if (rc_io_read_column_bounded(b->prior_file, bound, &p->target, &count, &err)) {
    cli_error("--target: %s", err.message);
    return CLI_EXIT_BAD;
  }
  if ((double)count != p->spec.d) {
    cli_error("--target '%s' has %zu values but d = %.0f", b->prior_file, count, p->spec.d);
    return CLI_EXIT_BAD;
  }
  p->spec.target = RC_QUAD_TARGET_VALUES;
  p->spec.wstar = p->target;
  p->spec.beta = NAN;
  return 0;
}

/* The spectrum as the model takes it: a law at any d (only the first M eigenvalues are used),
 * or the values of a file. */
static int check_spectrum(quad_problem *p) {
  cli_problem *b = &p->base;
  const cli_spectrum_rules rules = {1, 0.0, NULL};
  if (cli_problem_check_spectrum(b, &rules))
    return CLI_EXIT_BAD;
  if (b->use_law) {
    p->spec.spectrum = b->law.kind;
    p->spec.alpha = b->law.a;
    p->spec.d = b->law.d;
  } else {
    p->spec.spectrum = RC_SPECTRUM_VALUES;
    p->spec.lambda = b->spectrum->lambda;
    p->spec.alpha = NAN;
    p->spec.d = (double)b->spectrum->d;
  }
  return 0;
}

/* Builds the problem of every M once: the library refuses what it cannot do (M > d, a target
 * with no finite signal, a zero eigenvalue under the power target, ...) before any work. */
static int check_sizes(quad_problem *p) {
  if (!p->Ms) {
    cli_error("--M is required (for example --M 100)");
    return CLI_EXIT_BAD;
  }
  for (size_t m = 0; m < p->nM; m++) {
    if (p->Ms[m] == 0 || (double)p->Ms[m] > 1e9) {
      cli_error("--M: model size %llu is outside 1..1e9", (unsigned long long)p->Ms[m]);
      return CLI_EXIT_BAD;
    }
    /* the sketched problem (drawing S, forming K) is built by the Monte Carlo set-up's cost
     * query, before any work: not here as well */
    if (p->sketched)
      continue;
    rc_quad_problem *q = quad_problem_at(p, (size_t)p->Ms[m]);
    if (!q)
      return CLI_EXIT_BAD;
    rc_quad_problem_free(q);
  }
  return 0;
}

static void describe(quad_problem *p, const char *command_line) {
  cli_problem *b = &p->base;
  cli_meta *meta = &b->meta;
  const rc_quad_spec *s = &p->spec;
  char alpha[RC_IO_DOUBLE_CHARS], beta[RC_IO_DOUBLE_CHARS], v0[RC_IO_DOUBLE_CHARS],
      th0[RC_IO_DOUBLE_CHARS];
  rc_io_format_double(s->alpha, alpha, sizeof alpha);
  rc_io_format_double(s->beta, beta, sizeof beta);
  rc_io_format_double(s->v0, v0, sizeof v0);
  rc_io_format_double(s->v0 * s->v0, th0, sizeof th0);
  cli_meta_add(meta, "riskcalc", "%s", rc_version());
  cli_meta_add(meta, "command", "%s", command_line);
  if (p->sketched)
    cli_meta_add(meta, "model",
                 "the sketched variant of quadratically parameterized linear regression, a "
                 "riskcalc extension, not the paper's model (docs/QUAD.md section 9): f(x) = "
                 "<S x, v.v> = <z, theta>, theta = v.v, S an M x d Gaussian sketch with iid "
                 "N(0, 1/M) entries from GSL's mt19937 seeded with %llu (row by row)",
                 (unsigned long long)b->seed);
  else
    cli_meta_add(meta, "model",
                 "quadratically parameterized linear regression (Ding, Zhang, Zhao, Fang 2025): "
                 "f(x) = sum_{i<=M} x_i v_i^2 = <x_{1:M}, theta>, theta = v.v, on the first M "
                 "coordinates");
  const char *dtext = isinf(s->d) ? "inf" : NULL;
  char dbuf[32];
  if (!dtext) {
    snprintf(dbuf, sizeof dbuf, "%.0f", s->d);
    dtext = dbuf;
  }
  if (s->spectrum == RC_SPECTRUM_VALUES)
    cli_meta_add(meta, "data", "x ~ N(0, diag(lambda)), lambda from file %s (d = %s)",
                 b->spectrum_file, dtext);
  else
    cli_meta_add(meta, "data", "x ~ N(0, diag(lambda)), %s, alpha = %s, d = %s",
                 s->spectrum == RC_SPECTRUM_LOGPOWER ? "lambda_i = i^-1 log(i+1)^-alpha"
                                                     : "lambda_i = i^-alpha",
                 alpha, dtext);
  if (s->target == RC_QUAD_TARGET_VALUES)
    cli_meta_add(meta, "target",
                 "y = <x, w*> + xi, xi ~ N(0, sigma2), w* from file %s (d values >= 0)",
                 b->prior_file);
  else
    cli_meta_add(meta, "target",
                 "y = <x, w*> + xi, xi ~ N(0, sigma2), w*_i = sqrt(i^-beta / lambda_i) >= 0 "
                 "(lambda_i w*_i^2 = i^-beta), beta = %s: the reading of the paper's decay "
                 "assumption that reproduces its rates (docs/QUAD.md)",
                 beta);
  cli_meta_add(meta, "init", "v_i(0) = v0 = %s for every i <= M (theta_i(0) = %s)", v0, th0);
  cli_meta_add(meta, "sgd",
               "loss (1/2)(f(x) - y)^2; v <- v - 2 eta_t v . (1/B) sum_b (f(x_b) - y_b) "
               "x_{b,1:M}, B fresh samples per step; T counts steps");
  if (p->sketched)
    cli_meta_add(meta, "risk",
                 "risk = sigma2 + approx + excess with K = S diag(lambda) S^T and theta* = K^-1 S "
                 "diag(lambda) w* (the best linear predictor on z = S x), approx = sum_j lambda_j "
                 "(w*_j - (S^T theta*)_j)^2, excess = (theta - theta*)^T K (theta - theta*) = "
                 "bias + variance, bias = (E theta - theta*)^T K (E theta - theta*), variance = "
                 "tr(K Cov theta); theta = v.v >= 0 cannot reach a theta* with negative "
                 "entries: that floor stays in the bias");
  else
    cli_meta_add(meta, "risk",
                 "risk = sigma2 + approx + excess, approx = sum_{i>M} lambda_i w*_i^2%s, excess "
                 "= bias + variance, bias = sum_{i<=M} lambda_i (E theta_i - w*_i)^2 (the mean "
                 "trajectory), variance = sum_{i<=M} lambda_i Var theta_i",
                 isinf(s->d) ? " (Hurwitz zeta tail)" : "");
  cli_problem_describe_training(b);
  /* the typed parameters the shared problem does not know (JSON) */
  if (!b->b_given && !b->prior_file)
    cli_meta_param_number(meta, "beta", s->beta);
  cli_meta_param_number(meta, "v0", s->v0);
  cli_meta_param_list(meta, "M", p->Ms, p->nM);
}

int quad_problem_setup(const cli_args *args, const char *command_line, quad_problem *p) {
  memset(p, 0, sizeof *p);
  p->args = args;
  cli_problem *b = &p->base;
  rc_error err = {0, ""};
  /* Parse ... */
  if (cli_problem_parse(args, b))
    return CLI_EXIT_BAD;
  quad_defaults(p);
  p->spec = rc_quad_spec_default();
  if (cli_get_double(args, "v0", p->spec.v0, &p->spec.v0))
    return CLI_EXIT_BAD;
  const char *sketch = cli_role_value(args, CLI_ROLE_QUAD_SKETCH); /* NULL: not declared */
  if (sketch) {
    if (strcmp(sketch, "gaussian") != 0) {
      cli_error("--sketch: the quadratic model offers the Gaussian sketch only (--sketch "
                "gaussian)");
      return CLI_EXIT_BAD;
    }
    p->sketched = 1;
  }
  if (cli_has(args, "M") && rc_io_parse_list(cli_get(args, "M"), &p->Ms, &p->nM, &err)) {
    cli_error("--M: %s", err.message);
    return CLI_EXIT_BAD;
  }
  /* ... check ... */
  if (cli_problem_check_outputs(b) || check_spectrum(p) || check_target(p) ||
      cli_problem_check_horizons(b, "1e2:1e5:7") || cli_problem_check_training(b))
    return CLI_EXIT_BAD;
  p->spec.sigma2 = b->sigma2;
  p->spec.batch = b->batch;
  if (p->sketched && isinf(p->spec.d)) {
    cli_error("--sketch gaussian draws an M x d sketch: give a finite --d");
    return CLI_EXIT_BAD;
  }
  if (check_sizes(p))
    return CLI_EXIT_BAD;
  /* ... describe. */
  describe(p, command_line);
  return 0;
}

void quad_problem_free(quad_problem *p) {
  cli_problem_free(&p->base);
  free(p->target);
  free(p->Ms);
  memset(p, 0, sizeof *p);
}

int quad_check_analytic(const quad_problem *p, double per_T, const char *what) {
  const cli_problem *b = &p->base;
  double work = 0;
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_cost cost;
    if (rc_quad_analytic_cost((size_t)p->Ms[m], b->schedule, b->Ns, b->nN, &cost, &err)) {
      cli_error("M = %llu: %s", (unsigned long long)p->Ms[m], err.message);
      return CLI_EXIT_BAD;
    }
    work += per_T * cost.updates;
  }
  return cli_check_work(work, what);
}

int quad_mc_check_args(const cli_args *args, const char *method) {
  if (method && strcmp(method, "mc") != 0) {
    const char *names[] = {"runs", "seed"};
    for (size_t k = 0; k < 2; k++)
      if (cli_has(args, names[k])) {
        cli_error("--%s belongs to the Monte Carlo simulation: use it with quad --method mc or "
                  "compare quad",
                  names[k]);
        return CLI_EXIT_BAD;
      }
  }
  return 0;
}

int quad_mc_setup(quad_problem *p, rc_quad_mc_options *o) {
  cli_problem *b = &p->base;
  *o = rc_quad_mc_options_default();
  uint64_t runs;
  if (cli_get_uint(p->args, "runs", 0, (uint64_t)1 << 40, 100, &runs))
    return CLI_EXIT_BAD;
  o->runs = (size_t)runs;
  o->seed = b->seed;
  o->threads = 0; /* OpenMP's default; the output does not depend on it */
  double work = 0;
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_cost cost;
    int st;
    if (p->sketched) {
      /* the sketched problem's cost counts z = L u; building it also checks the sketch fits */
      rc_quad_problem *q = quad_problem_at(p, (size_t)p->Ms[m]);
      if (!q)
        return CLI_EXIT_BAD;
      st = rc_quad_mc_problem_cost(q, b->schedule, b->Ns, b->nN, o, &cost, &err);
      char key[48], value[RC_IO_DOUBLE_CHARS];
      snprintf(key, sizeof key, "approx (M = %llu)", (unsigned long long)p->Ms[m]);
      rc_io_format_double(q->approx, value, sizeof value);
      cli_meta_add(&b->meta, key, "%s (this sketch's best linear predictor on z = S x)", value);
      rc_quad_problem_free(q);
    } else {
      st = rc_quad_mc_cost((size_t)p->Ms[m], b->batch, b->schedule, b->Ns, b->nN, o, &cost, &err);
    }
    if (st) {
      cli_error("--runs: %s", err.message);
      return CLI_EXIT_BAD;
    }
    work += cost.updates;
  }
  if (cli_check_work(work, "--T, --runs, --M or --batch"))
    return CLI_EXIT_BAD;
  if (p->sketched)
    cli_meta_add(&b->meta, "runs",
                 "%zu independent runs of real SGD; each step draws B samples z = L u ~ N(0, K) "
                 "(K = L L^T, u standard normal) and the label part z does not explain, "
                 "y - <z, theta*> ~ N(0, approx + sigma2) independent of z; the risk of theta = "
                 "v.v is evaluated exactly",
                 o->runs);
  else
    cli_meta_add(&b->meta, "runs",
                 "%zu independent runs of real SGD; each step draws B samples x_{1:M} ~ "
                 "N(0, diag(lambda_1..M)) and the label part the model cannot see, "
                 "sum_{i>M} x_i w*_i + xi ~ N(0, approx + sigma2); the risk of theta = v.v is "
                 "evaluated exactly",
                 o->runs);
  cli_meta_add(&b->meta, "mc seed",
               "%llu: run r uses gsl_rng_mt19937 seeded with rc_mc_run_seed(%llu, r); the output "
               "is the same for any number of threads",
               (unsigned long long)o->seed, (unsigned long long)o->seed);
  return 0;
}
