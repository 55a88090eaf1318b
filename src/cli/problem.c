/* The options every model shares: parse, check (building the library objects), describe. */
#include "problem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INTEGER ((uint64_t)1 << 53)

/* The name of the option playing role (every role a step reads is declared by the command). */
static const char *name_of(const cli_problem *p, cli_role role) {
  const char *name = cli_role_name(p->args, role);
  return name ? name : "?";
}

static int lib_error(const char *what, const rc_error *err) {
  cli_error("%s%s%s", what ? what : "", what ? ": " : "", err->message);
  return CLI_EXIT_BAD;
}

/* "--name: <library message>" for the option playing role. */
static int role_error(const cli_problem *p, cli_role role, const rc_error *err) {
  cli_error("--%s: %s", name_of(p, role), err->message);
  return CLI_EXIT_BAD;
}

static int get_double(const cli_problem *p, cli_role role, double fallback, double *out) {
  const char *name = cli_role_name(p->args, role);
  if (!name) {
    *out = fallback;
    return 0;
  }
  return cli_get_double(p->args, name, fallback, out);
}

static int get_uint(const cli_problem *p, cli_role role, uint64_t lo, uint64_t hi,
                    uint64_t fallback, uint64_t *out) {
  const char *name = cli_role_name(p->args, role);
  if (!name) {
    *out = fallback;
    return 0;
  }
  return cli_get_uint(p->args, name, lo, hi, fallback, out);
}

const char *cli_number_list(const double *v, size_t n, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t k = 0; k < n && used + 1 < size; k++) {
    char x[RC_IO_DOUBLE_CHARS];
    const int w = snprintf(buf + used, size - used, "%s%s", k ? "," : "",
                           rc_io_format_double(v[k], x, sizeof x));
    if (w < 0 || (size_t)w >= size - used) { /* cut: say so */
      if (size > 4)
        strcpy(buf + size - 4, "...");
      break;
    }
    used += (size_t)w;
  }
  return buf;
}

/* One value into a list of one (the lists are always there). */
static int single_lists(cli_problem *p) {
  p->gammas = malloc(sizeof *p->gammas);
  p->batches = malloc(sizeof *p->batches);
  p->sigma2s = malloc(sizeof *p->sigma2s);
  if (!p->gammas || !p->batches || !p->sigma2s) {
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  p->gammas[0] = p->gamma;
  p->batches[0] = p->batch;
  p->sigma2s[0] = p->sigma2;
  p->ngamma = p->nbatch = p->nsigma2 = 1;
  return 0;
}

/* The list of the option playing role (NULL: the fallback alone), parsed by
 * rc_io_parse_values with flags. */
static int get_list(const cli_problem *p, cli_role role, unsigned flags, double fallback,
                    double **values, size_t *count) {
  rc_error err = {0, ""};
  const char *text = cli_role_value(p->args, role);
  if (!text) {
    *values = malloc(sizeof **values);
    if (!*values) {
      cli_error("out of memory");
      return CLI_EXIT_BAD;
    }
    (*values)[0] = fallback;
    *count = 1;
    return 0;
  }
  if (rc_io_parse_values(text, flags, values, count, &err))
    return role_error(p, role, &err);
  if (*count == 0) {
    cli_error("--%s: empty list", name_of(p, role));
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* --gamma LIST|opt, --batch LIST, --sigma2 LIST. */
static int parse_sweeps(cli_problem *p) {
  const char *g = cli_role_value(p->args, CLI_ROLE_GAMMA);
  p->gamma_opt = g && strcmp(g, "opt") == 0;
  double *batches = NULL;
  if (p->gamma_opt) {
    p->gammas = malloc(sizeof *p->gammas);
    if (!p->gammas) {
      cli_error("out of memory");
      return CLI_EXIT_BAD;
    }
    p->gammas[0] = 0.1; /* shapes the schedule; every row's step is tuned */
    p->ngamma = 1;
  } else if (get_list(p, CLI_ROLE_GAMMA, 0, 0.1, &p->gammas, &p->ngamma)) {
    return CLI_EXIT_BAD;
  }
  if (get_list(p, CLI_ROLE_BATCH, RC_IO_LIST_WHOLE, 1, &batches, &p->nbatch) ||
      get_list(p, CLI_ROLE_SIGMA2, RC_IO_LIST_ZERO, 1, &p->sigma2s, &p->nsigma2)) {
    free(batches);
    return CLI_EXIT_BAD;
  }
  p->batches = malloc(p->nbatch * sizeof *p->batches);
  if (!p->batches) {
    free(batches);
    cli_error("out of memory");
    return CLI_EXIT_BAD;
  }
  for (size_t k = 0; k < p->nbatch; k++) {
    if (batches[k] > (double)((uint64_t)1 << 32)) {
      cli_error("--%s: %.17g is above the largest batch 4294967296", name_of(p, CLI_ROLE_BATCH),
                batches[k]);
      free(batches);
      return CLI_EXIT_BAD;
    }
    p->batches[k] = (size_t)batches[k];
  }
  free(batches);
  p->gamma = p->gammas[0];
  p->batch = p->batches[0];
  p->sigma2 = p->sigma2s[0];
  return 0;
}

static int parse(const cli_args *args, cli_problem *p, int sweeps) {
  memset(p, 0, sizeof *p);
  p->args = args;
  rc_error err = {0, ""};
  if (cli_parse_format(cli_role_value(args, CLI_ROLE_FORMAT), &p->out.format))
    return CLI_EXIT_BAD;
  p->out.output = cli_role_value(args, CLI_ROLE_OUTPUT);
  p->out.plot = cli_role_value(args, CLI_ROLE_PLOT);
  if (cli_plot_style_parse(args, &p->out))
    return CLI_EXIT_BAD;

  p->spectrum_options = (cli_role_value(args, CLI_ROLE_A) != NULL) +
                        (cli_role_value(args, CLI_ROLE_LOG_A) != NULL) +
                        (cli_role_value(args, CLI_ROLE_SPECTRUM) != NULL);
  p->spectrum_file = cli_role_value(args, CLI_ROLE_SPECTRUM);
  const int log_power = cli_role_value(args, CLI_ROLE_LOG_A) != NULL;
  p->law_kind = log_power ? RC_SPECTRUM_LOGPOWER : RC_SPECTRUM_POWER;
  p->a_given = cli_role_value(args, log_power ? CLI_ROLE_LOG_A : CLI_ROLE_A) != NULL;
  if (get_double(p, log_power ? CLI_ROLE_LOG_A : CLI_ROLE_A, 1.5, &p->a))
    return CLI_EXIT_BAD;
  p->d_text = cli_role_value(args, CLI_ROLE_D);
  p->d_inf = p->d_text && (strcmp(p->d_text, "inf") == 0 || strcmp(p->d_text, "infinity") == 0);
  if (p->d_text && !p->d_inf && get_uint(p, CLI_ROLE_D, 1, MAX_INTEGER, 0, &p->d))
    return CLI_EXIT_BAD;

  p->b_given = cli_role_value(args, CLI_ROLE_B) != NULL;
  p->prior_file = cli_role_value(args, CLI_ROLE_PRIOR);
  if (get_double(p, CLI_ROLE_B, 0, &p->b))
    return CLI_EXIT_BAD;

  const char *spec = cli_role_value(args, CLI_ROLE_SCHEDULE);
  p->schedule_spec = spec ? spec : "geometric";
  if (strncmp(p->schedule_spec, "file:", 5) == 0)
    p->schedule_file = p->schedule_spec + 5;
  else if (strncmp(p->schedule_spec, "stages:", 7) == 0)
    p->schedule_file = p->schedule_spec + 7;
  if (get_double(p, CLI_ROLE_APPROX_SCHEDULE, 0.0, &p->approx_rtol))
    return CLI_EXIT_BAD;
  p->gamma_given = cli_role_value(args, CLI_ROLE_GAMMA) != NULL;
  if (sweeps) {
    if (parse_sweeps(p))
      return CLI_EXIT_BAD;
  } else {
    uint64_t batch;
    if (get_double(p, CLI_ROLE_GAMMA, 0.1, &p->gamma) ||
        get_uint(p, CLI_ROLE_BATCH, 0, (uint64_t)1 << 32, 1, &batch) ||
        get_double(p, CLI_ROLE_SIGMA2, 1.0, &p->sigma2))
      return CLI_EXIT_BAD;
    p->batch = (size_t)batch;
    if (single_lists(p))
      return CLI_EXIT_BAD;
  }
  const char *horizons = cli_role_value(args, CLI_ROLE_HORIZONS);
  if (horizons && rc_io_parse_list(horizons, &p->Ns, &p->nN, &err))
    return role_error(p, CLI_ROLE_HORIZONS, &err);
  p->seed_given = cli_role_value(args, CLI_ROLE_SEED) != NULL;
  if (get_uint(p, CLI_ROLE_SEED, 0, MAX_INTEGER, 1, &p->seed))
    return CLI_EXIT_BAD;

  cli_outputs_add_input(&p->out, name_of(p, CLI_ROLE_SPECTRUM), p->spectrum_file);
  cli_outputs_add_input(&p->out, name_of(p, CLI_ROLE_PRIOR), p->prior_file);
  cli_outputs_add_input(&p->out, name_of(p, CLI_ROLE_SCHEDULE), p->schedule_file);
  return 0;
}

int cli_problem_parse(const cli_args *args, cli_problem *p) {
  return parse(args, p, 0);
}

int cli_problem_parse_sweeps(const cli_args *args, cli_problem *p) {
  return parse(args, p, 1);
}

size_t cli_problem_sweep_count(const cli_problem *p) {
  return p->ngamma * p->nbatch * p->nsigma2;
}

int cli_problem_swept(const cli_problem *p) {
  return p->ngamma > 1 || p->nbatch > 1 || p->nsigma2 > 1;
}

void cli_problem_sweep_set(cli_problem *p, size_t c) {
  const size_t s = c % p->nsigma2, b = c / p->nsigma2 % p->nbatch, g = c / (p->nsigma2 * p->nbatch);
  p->gamma = p->gammas[g];
  p->batch = p->batches[b];
  p->sigma2 = p->sigma2s[s];
  const rc_schedule_kind kind = p->schedule ? rc_schedule_get_kind(p->schedule) : RC_SCHEDULE_FILE;
  if (kind != RC_SCHEDULE_FILE && kind != RC_SCHEDULE_STAGES && !p->gamma_opt)
    rc_schedule_set_base(p->schedule, p->gamma, NULL); /* checked: a base step > 0 */
}

void cli_problem_free(cli_problem *p) {
  rc_spectrum_free(p->spectrum);
  rc_prior_free(p->prior);
  rc_schedule_free(p->schedule);
  free(p->Ns);
  free(p->gammas);
  free(p->batches);
  free(p->sigma2s);
  cli_outputs_free(&p->out);
  cli_meta_free(&p->meta);
  memset(p, 0, sizeof *p);
}

int cli_problem_check_outputs(cli_problem *p) {
  return cli_outputs_check(&p->out);
}

int cli_problem_check_spectrum(cli_problem *p, const cli_spectrum_rules *rules) {
  rc_error err = {0, ""};
  const char *a = name_of(p, CLI_ROLE_A), *log_a = name_of(p, CLI_ROLE_LOG_A);
  const char *file = name_of(p, CLI_ROLE_SPECTRUM), *d = name_of(p, CLI_ROLE_D);
  if (p->spectrum_options > 1) {
    cli_error("give only one of --%s, --%s and --%s", a, log_a, file);
    return CLI_EXIT_BAD;
  }
  if (p->d_inf && !rules->law_ok) {
    cli_error("%s", rules->inf_refused);
    return CLI_EXIT_BAD;
  }
  if (p->d_inf && p->spectrum_file) {
    cli_error("--%s inf needs a spectrum law (--%s or --%s), not --%s", d, a, log_a, file);
    return CLI_EXIT_BAD;
  }
  if (p->spectrum_file) {
    double *values;
    size_t count;
    /* With --d, more than d values is refused as soon as the file holds them. */
    const size_t bound = p->d_text && p->d < RC_IO_MAX_VALUES ? (size_t)p->d : 0;
    if (rc_io_read_column_bounded(p->spectrum_file, bound, &values, &count, &err))
      return role_error(p, CLI_ROLE_SPECTRUM, &err);
    if (p->d_text && p->d != count) {
      free(values);
      cli_error("--%s %llu disagrees with the %zu eigenvalues in '%s'", d, (unsigned long long)p->d,
                count, p->spectrum_file);
      return CLI_EXIT_BAD;
    }
    p->spectrum = rc_spectrum_values_alloc(values, count, &err);
    free(values);
    return p->spectrum ? 0 : lib_error(p->spectrum_file, &err);
  }
  if (!p->d_text) {
    cli_error("--%s is required with --%s or --%s", d, a, log_a);
    return CLI_EXIT_BAD;
  }
  const int log_power = p->law_kind == RC_SPECTRUM_LOGPOWER;
  if (rules->law_ok && (p->d_inf || (double)p->d > rules->law_min_d)) {
    p->use_law = 1;
    p->law.kind = p->law_kind;
    p->law.a = p->a;
    p->law.prior = RC_PRIOR_ISOTROPIC;
    p->law.b = NAN;
    p->law.d = p->d_inf ? INFINITY : (double)p->d;
    return 0; /* checked with the prior */
  }
  p->spectrum = log_power ? rc_spectrum_logpower_alloc((size_t)p->d, p->a, &err)
                          : rc_spectrum_power_alloc((size_t)p->d, p->a, &err);
  return p->spectrum ? 0 : role_error(p, log_power ? CLI_ROLE_LOG_A : CLI_ROLE_A, &err);
}

int cli_problem_check_prior(cli_problem *p) {
  rc_error err = {0, ""};
  const char *b = name_of(p, CLI_ROLE_B), *file = name_of(p, CLI_ROLE_PRIOR);
  if (p->b_given && p->prior_file) {
    cli_error("give only one of --%s and --%s", b, file);
    return CLI_EXIT_BAD;
  }
  if (p->use_law) {
    if (p->prior_file) {
      cli_error("--%s FILE needs d explicit values: not available with --%s %s", file,
                name_of(p, CLI_ROLE_D), p->d_inf ? "inf" : p->d_text);
      return CLI_EXIT_BAD;
    }
    if (p->b_given) {
      p->law.prior = RC_PRIOR_SOURCE;
      p->law.b = p->b;
    }
    return rc_law_check(&p->law, &err) ? lib_error(NULL, &err) : 0;
  }
  const size_t d = p->spectrum->d;
  if (p->prior_file) {
    double *values;
    size_t count;
    if (rc_io_read_column_bounded(p->prior_file, d, &values, &count, &err))
      return role_error(p, CLI_ROLE_PRIOR, &err);
    if (count != d) {
      free(values);
      cli_error("--%s '%s' has %zu values but d = %zu", file, p->prior_file, count, d);
      return CLI_EXIT_BAD;
    }
    p->prior = rc_prior_values_alloc(values, count, &err);
    free(values);
    return p->prior ? 0 : lib_error(p->prior_file, &err);
  }
  if (p->b_given) {
    p->prior = rc_prior_source_alloc(p->spectrum, p->b, &err);
    return p->prior ? 0 : role_error(p, CLI_ROLE_B, &err);
  }
  p->prior = rc_prior_isotropic_alloc(d, &err);
  return p->prior ? 0 : lib_error(NULL, &err);
}

int cli_problem_check_horizons(cli_problem *p, const char *example) {
  if (!p->Ns) {
    const char *n = name_of(p, CLI_ROLE_HORIZONS);
    cli_error("--%s is required (for example --%s %s)", n, n, example);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* The library decides which batch and noise are valid (rc_sgd_options_check); each option is
 * checked alone so that the message names it. */
static int check_sgd_option(const cli_problem *p, cli_role role) {
  const size_t n = role == CLI_ROLE_BATCH ? p->nbatch : p->nsigma2;
  for (size_t k = 0; k < n; k++) {
    rc_error err = {0, ""};
    rc_sgd_options o = rc_sgd_options_default();
    if (role == CLI_ROLE_BATCH)
      o.batch = p->batches[k];
    else
      o.sigma2 = p->sigma2s[k];
    if (rc_sgd_options_check(&o, &err))
      return role_error(p, role, &err);
  }
  return 0;
}

int cli_problem_check_training(cli_problem *p) {
  rc_error err = {0, ""};
  /* A model may set its own defaults after parsing: a list of one is the current value. */
  if (p->ngamma == 1 && !p->gamma_opt)
    p->gammas[0] = p->gamma;
  if (p->nbatch == 1)
    p->batches[0] = p->batch;
  if (p->nsigma2 == 1)
    p->sigma2s[0] = p->sigma2;
  /* Named here: the schedule's own check would blame --schedule. */
  for (size_t k = 0; k < p->ngamma; k++)
    if (!(p->gammas[k] > 0 && isfinite(p->gammas[k]))) {
      cli_error("--%s must be > 0 (got %g)", name_of(p, CLI_ROLE_GAMMA), p->gammas[k]);
      return CLI_EXIT_BAD;
    }
  if (check_sgd_option(p, CLI_ROLE_BATCH) || check_sgd_option(p, CLI_ROLE_SIGMA2))
    return CLI_EXIT_BAD;
  const char *schedule = name_of(p, CLI_ROLE_SCHEDULE);
  p->schedule = rc_schedule_parse(p->schedule_spec, p->gamma, &err);
  if (!p->schedule)
    return role_error(p, CLI_ROLE_SCHEDULE, &err);
  uint64_t maxN = 0;
  for (size_t k = 0; k < p->nN; k++)
    maxN = p->Ns[k] > maxN ? p->Ns[k] : maxN;
  if (maxN > rc_schedule_capacity(p->schedule)) {
    cli_error("--%s: '%s' holds %llu steps but --%s asks for %llu", schedule, p->schedule_spec,
              (unsigned long long)rc_schedule_capacity(p->schedule), name_of(p, CLI_ROLE_HORIZONS),
              (unsigned long long)maxN);
    return CLI_EXIT_BAD;
  }
  /* A list or opt sets the base step of every row: the schedule must have one. */
  if ((p->ngamma > 1 || p->gamma_opt) && rc_schedule_set_base(p->schedule, p->gamma, &err)) {
    cli_error("--%s %s: the schedule '%s' has no base step (it gives absolute steps)",
              name_of(p, CLI_ROLE_GAMMA), p->gamma_opt ? "opt" : "LIST", p->schedule_spec);
    return CLI_EXIT_BAD;
  }
  const rc_schedule_kind kind = rc_schedule_get_kind(p->schedule);
  if ((kind == RC_SCHEDULE_FILE || kind == RC_SCHEDULE_STAGES) && p->gamma_given)
    fprintf(stderr, "riskcalc: warning: --%s is ignored: %s schedules give absolute steps\n",
            name_of(p, CLI_ROLE_GAMMA), kind == RC_SCHEDULE_FILE ? "file" : "stages");
  if (cli_role_value(p->args, CLI_ROLE_APPROX_SCHEDULE) &&
      rc_schedule_approximate(p->schedule, p->approx_rtol, &err))
    return role_error(p, CLI_ROLE_APPROX_SCHEDULE, &err);
  /* a schedule that has stopped training for a good part of the run deserves a word */
  const uint64_t stall = rc_schedule_stall(p->schedule, maxN);
  if (maxN - stall >= (maxN + 99) / 100 && stall < maxN) {
    snprintf(p->stall, sizeof p->stall,
             "the schedule stops training: from step %llu on, the last %.3g%% of N = %llu, every "
             "step is below 1e-12 of its largest step",
             (unsigned long long)stall, 100.0 * (double)(maxN - stall) / (double)maxN,
             (unsigned long long)maxN);
    cli_warn_later("%s", p->stall);
  }
  return 0;
}

static const char *law_text(rc_spectrum_kind kind) {
  return kind == RC_SPECTRUM_LOGPOWER ? "log power law lambda_i = i^-1 log(i+1)^-a"
                                      : "power law lambda_i = i^-a";
}

void cli_problem_describe_data(cli_problem *p, const char *command_line) {
  cli_meta *meta = &p->meta;
  char a[RC_IO_DOUBLE_CHARS]; /* inputs are echoed as the shortest text that reads back */
  rc_io_format_double(p->a, a, sizeof a);
  cli_meta_add(meta, "riskcalc", "%s", rc_version());
  cli_meta_add(meta, "command", "%s", command_line);
  if (p->spectrum_file)
    cli_meta_add(meta, "spectrum", "file %s (d = %zu)", p->spectrum_file, p->spectrum->d);
  else if (p->use_law)
    cli_meta_add(meta, "spectrum", "%s a = %s, d = %s", law_text(p->law_kind), a,
                 p->d_inf ? "inf" : p->d_text);
  else
    cli_meta_add(meta, "spectrum", "%s a = %s, d = %llu", law_text(p->law_kind), a,
                 (unsigned long long)p->d);
  if (p->prior_file)
    cli_meta_add(meta, "prior", "file %s", p->prior_file);
  else if (p->b_given)
    cli_meta_add(meta, "prior", "source condition lambda_i E w*_i^2 = i^-b, b = %s",
                 rc_io_format_double(p->b, a, sizeof a));
  else
    cli_meta_add(meta, "prior", "isotropic E w*_i^2 = 1");
  /* With a law, the signal tr(H P) is reported by the method (it needs the tail sums). */
  if (!p->use_law)
    cli_meta_add(meta, "signal", "tr(H P) = %.17g", rc_prior_signal(p->spectrum, p->prior));
}

void cli_problem_describe_training(cli_problem *p) {
  char desc[512];
  rc_schedule_describe(p->schedule, desc, sizeof desc);
  cli_meta_add(&p->meta, "schedule", "%s", desc);
  if (p->stall[0])
    cli_meta_add(&p->meta, "warning", "%s", p->stall);
  char list[1024];
  if (p->gamma_opt)
    cli_meta_add(&p->meta, "gamma",
                 "opt: the base step of every row tuned to minimise the risk at its N for the "
                 "schedule's shape (rc_sgd_tune_gamma: %d log-spaced steps over [gamma_max / %g, "
                 "(1 - 1e-6) gamma_max], gamma_max the mean-square stability edge of the "
                 "schedule's largest step, then Brent on log gamma to 1e-6 relative); column "
                 "gamma holds it, the schedule above shows the shape only",
                 RC_TUNE_GRID, RC_TUNE_SPAN);
  else if (p->ngamma > 1)
    cli_meta_add(&p->meta, "gamma",
                 "swept: %s (column gamma; the schedule above is shown at "
                 "the first)",
                 cli_number_list(p->gammas, p->ngamma, list, sizeof list));
  double batches[64];
  const size_t nb = p->nbatch < 64 ? p->nbatch : 64;
  for (size_t k = 0; k < nb; k++)
    batches[k] = (double)p->batches[k];
  if (p->nbatch > 1)
    cli_meta_add(&p->meta, "batch", "%s%s", cli_number_list(batches, nb, list, sizeof list),
                 nb < p->nbatch ? ",..." : "");
  else
    cli_meta_add(&p->meta, "batch", "%zu", p->batch);
  /* one value: the current one (a model may set its own default after parsing) */
  cli_meta_add(&p->meta, "sigma2", "%s",
               p->nsigma2 > 1 ? cli_number_list(p->sigma2s, p->nsigma2, list, sizeof list)
                              : rc_io_format_double(p->sigma2, list, sizeof list));
  cli_problem_parameters(p);
}

void cli_problem_parameters(cli_problem *p) {
  cli_meta *m = &p->meta;
  const cli_args *args = p->args;
  if (p->spectrum_file)
    cli_meta_param_string(m, name_of(p, CLI_ROLE_SPECTRUM), p->spectrum_file);
  else
    cli_meta_param_number(
        m, name_of(p, p->law_kind == RC_SPECTRUM_LOGPOWER ? CLI_ROLE_LOG_A : CLI_ROLE_A), p->a);
  if (p->d_text)
    cli_meta_param_number(m, name_of(p, CLI_ROLE_D), p->d_inf ? INFINITY : (double)p->d);
  else if (p->spectrum)
    cli_meta_param_number(m, name_of(p, CLI_ROLE_D), (double)p->spectrum->d);
  if (p->prior_file)
    cli_meta_param_string(m, name_of(p, CLI_ROLE_PRIOR), p->prior_file);
  else if (p->b_given)
    cli_meta_param_number(m, name_of(p, CLI_ROLE_B), p->b);
  if (cli_role_name(args, CLI_ROLE_SCHEDULE))
    cli_meta_param_string(m, "schedule", p->schedule_spec);
  if (cli_role_name(args, CLI_ROLE_GAMMA) && p->gamma_opt)
    cli_meta_param_string(m, cli_role_name(args, CLI_ROLE_GAMMA), "opt");
  else if (cli_role_name(args, CLI_ROLE_GAMMA) && p->ngamma > 1)
    cli_meta_param_numbers(m, cli_role_name(args, CLI_ROLE_GAMMA), p->gammas, p->ngamma);
  else if (cli_role_name(args, CLI_ROLE_GAMMA))
    cli_meta_param_number(m, cli_role_name(args, CLI_ROLE_GAMMA), p->gamma);
  if (cli_role_name(args, CLI_ROLE_BATCH) && p->nbatch > 1) {
    double *v = malloc(p->nbatch * sizeof *v);
    for (size_t k = 0; v && k < p->nbatch; k++)
      v[k] = (double)p->batches[k];
    if (v)
      cli_meta_param_numbers(m, cli_role_name(args, CLI_ROLE_BATCH), v, p->nbatch);
    free(v);
  } else if (cli_role_name(args, CLI_ROLE_BATCH)) {
    cli_meta_param_number(m, cli_role_name(args, CLI_ROLE_BATCH), (double)p->batch);
  }
  if (cli_role_name(args, CLI_ROLE_SIGMA2) && p->nsigma2 > 1)
    cli_meta_param_numbers(m, cli_role_name(args, CLI_ROLE_SIGMA2), p->sigma2s, p->nsigma2);
  else if (cli_role_name(args, CLI_ROLE_SIGMA2))
    cli_meta_param_number(m, cli_role_name(args, CLI_ROLE_SIGMA2), p->sigma2);
  if (p->Ns)
    cli_meta_param_list(m, cli_role_name(args, CLI_ROLE_HORIZONS), p->Ns, p->nN);
  if (cli_role_name(args, CLI_ROLE_SEED))
    cli_meta_param_number(m, cli_role_name(args, CLI_ROLE_SEED), (double)p->seed);
}

/* An option's name in a caption: the Greek letter when it names one (gamma, eta, alpha,
 * beta), else the name itself. */
static const char *symbol(const cli_problem *p, cli_role role) {
  static const char *const greek[][2] = {
      {"gamma", "γ"}, {"eta", "η"}, {"alpha", "α"}, {"log-alpha", "log-α"}, {"beta", "β"}};
  const char *name = name_of(p, role);
  for (size_t k = 0; k < sizeof greek / sizeof greek[0]; k++)
    if (strcmp(name, greek[k][0]) == 0)
      return greek[k][1];
  return name;
}

void cli_problem_caption(const cli_problem *p, cli_figure *fig) {
  char v[RC_IO_DOUBLE_CHARS];
  const cli_args *args = p->args;
  if (p->spectrum_file)
    cli_figure_caption_add(fig, "%s %s", name_of(p, CLI_ROLE_SPECTRUM), p->spectrum_file);
  else
    cli_figure_caption_add(
        fig, "%s = %s",
        symbol(p, p->law_kind == RC_SPECTRUM_LOGPOWER ? CLI_ROLE_LOG_A : CLI_ROLE_A),
        rc_io_format_double(p->a, v, sizeof v));
  if (p->d_text)
    cli_figure_caption_add(fig, "%s = %s", name_of(p, CLI_ROLE_D), p->d_inf ? "inf" : p->d_text);
  if (p->prior_file)
    cli_figure_caption_add(fig, "%s %s", name_of(p, CLI_ROLE_PRIOR), p->prior_file);
  else if (p->b_given)
    cli_figure_caption_add(fig, "%s = %s", symbol(p, CLI_ROLE_B),
                           rc_io_format_double(p->b, v, sizeof v));
  if (cli_role_name(args, CLI_ROLE_SCHEDULE) && p->schedule_file)
    cli_figure_caption_add(fig, "schedule %s", p->schedule_spec);
  else if (cli_role_name(args, CLI_ROLE_SCHEDULE) && p->gamma_opt)
    cli_figure_caption_add(fig, "%s schedule, %s tuned", p->schedule_spec,
                           symbol(p, CLI_ROLE_GAMMA));
  else if (cli_role_name(args, CLI_ROLE_SCHEDULE) && p->ngamma > 1)
    cli_figure_caption_add(fig, "%s schedule", p->schedule_spec);
  else if (cli_role_name(args, CLI_ROLE_SCHEDULE))
    cli_figure_caption_add(fig, "%s schedule %s = %s", p->schedule_spec, symbol(p, CLI_ROLE_GAMMA),
                           rc_io_format_double(p->gamma, v, sizeof v));
  else if (cli_role_name(args, CLI_ROLE_GAMMA))
    cli_figure_caption_add(fig, "%s = %s", symbol(p, CLI_ROLE_GAMMA),
                           rc_io_format_double(p->gamma, v, sizeof v));
  if (cli_role_name(args, CLI_ROLE_BATCH) && p->nbatch == 1 && p->batch != 1)
    cli_figure_caption_add(fig, "batch %zu", p->batch);
  if (cli_role_name(args, CLI_ROLE_SIGMA2) && p->nsigma2 == 1)
    cli_figure_caption_add(fig, "σ² = %s", rc_io_format_double(p->sigma2, v, sizeof v));
}

int cli_check_work(double work, const char *what) {
  if (work <= RC_WORK_LIMIT)
    return 0;
  cli_error("this job needs about %.2g elementary updates, more than the %.0e (about a day at "
            "1e9 per second) riskcalc accepts in one run; reduce %s",
            work, RC_WORK_LIMIT, what);
  return CLI_EXIT_BAD;
}

rc_sketch *cli_gaussian_sketch(uint64_t seed, size_t M, size_t d, rc_error *err) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a random number generator");
    return NULL;
  }
  gsl_rng_set(rng, (unsigned long)seed);
  rc_sketch *s = rc_sketch_gaussian_alloc(M, d, rng, err);
  gsl_rng_free(rng);
  return s;
}
