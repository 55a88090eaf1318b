/* Problem options of `riskcalc linear` and `riskcalc compare linear`. */
#include "linear_problem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#define MAX_INTEGER ((uint64_t)1 << 53)

static int lib_error(const char *what, const rc_error *err) {
  cli_error("%s%s%s", what ? what : "", what ? ": " : "", err->message);
  return CLI_EXIT_BAD;
}

/* Refuses an M x d that cannot fit in memory (printing why); 0 when it fits. */
static int check_fits(uint64_t M, uint64_t d) {
  size_t bytes = rc_sketch_bytes((size_t)M, (size_t)d);
  size_t physical = rc_physical_memory();
  /* The engine holds S, S H^1/2 and the right singular vectors: about 3 copies. */
  if (bytes == 0 || (physical && bytes > physical / 3)) {
    cli_error("M = %llu, d = %llu does not fit in memory: the exact method needs about "
              "%.3g GiB for the sketch and its SVD, this machine has %.3g GiB",
              (unsigned long long)M, (unsigned long long)d,
              3.0 * 8.0 * (double)M * (double)d / 1073741824.0, (double)physical / 1073741824.0);
    return CLI_EXIT_BAD;
  }
  return 0;
}

/* Before anything O(d) is allocated: refuse an --M x --d that cannot fit. Values that do not
 * parse are left to the regular checks, which report them. */
static int precheck_memory(const cli_args *args) {
  const char *dtext = cli_get(args, "d"), *mtext = cli_get(args, "M");
  uint64_t d, *Ms = NULL;
  size_t nM = 0;
  if (!dtext || !mtext || rc_io_parse_uint(dtext, 1, MAX_INTEGER, &d, NULL) ||
      rc_io_parse_list(mtext, &Ms, &nM, NULL))
    return 0;
  int status = 0;
  for (size_t k = 0; k < nM && !status; k++)
    status = check_fits(Ms[k], d);
  free(Ms);
  return status;
}

/* The directory part of path must exist and be writable, so a long run does not fail only
 * when it writes its results. */
static int check_directory(const char *option, const char *path) {
  const char *slash = strrchr(path, '/');
  char dir[4096];
  if (!slash)
    snprintf(dir, sizeof dir, ".");
  else if (slash == path)
    snprintf(dir, sizeof dir, "/");
  else
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    cli_error("--%s: directory '%s' of '%s' does not exist", option, dir, path);
    return CLI_EXIT_BAD;
  }
  if (access(dir, W_OK | X_OK) != 0) {
    cli_error("--%s: cannot write into directory '%s': %s", option, dir, strerror(errno));
    return CLI_EXIT_BAD;
  }
  return 0;
}

static int check_output_paths(const linear_problem *p) {
  if (p->output && strcmp(p->output, "-") != 0 && check_directory("output", p->output))
    return CLI_EXIT_BAD;
  if (p->plot) {
    const char *dot = strrchr(p->plot, '.'), *slash = strrchr(p->plot, '/');
    if (!dot || (slash && dot < slash) || (strcmp(dot, ".png") != 0 && strcmp(dot, ".svg") != 0)) {
      cli_error("--plot: '%s' must end in .png or .svg", p->plot);
      return CLI_EXIT_BAD;
    }
    if (check_directory("plot", p->plot))
      return CLI_EXIT_BAD;
  }
  return 0;
}

static int setup_spectrum(const cli_args *args, linear_problem *p) {
  rc_error err = {0, ""};
  int given = cli_has(args, "a") + cli_has(args, "log-a") + cli_has(args, "spectrum");
  if (given > 1) {
    cli_error("give only one of --a, --log-a and --spectrum");
    return CLI_EXIT_BAD;
  }
  const char *dtext = cli_get(args, "d");
  const int d_inf = dtext && (strcmp(dtext, "inf") == 0 || strcmp(dtext, "infinity") == 0);
  if (d_inf && !p->analytic) {
    cli_error("--d inf is available with the analytic methods (--method de or closed) only");
    return CLI_EXIT_BAD;
  }
  uint64_t d = 0;
  if (dtext && !d_inf && cli_get_uint(args, "d", 1, MAX_INTEGER, 0, &d))
    return CLI_EXIT_BAD;
  if (d_inf && cli_has(args, "spectrum")) {
    cli_error("--d inf needs a spectrum law (--a or --log-a), not --spectrum");
    return CLI_EXIT_BAD;
  }
  if (cli_has(args, "spectrum")) {
    const char *path = cli_get(args, "spectrum");
    double *values;
    size_t count;
    if (rc_io_read_column(path, &values, &count, &err))
      return lib_error("--spectrum", &err);
    if (dtext && d != count) {
      free(values);
      cli_error("--d %llu disagrees with the %zu eigenvalues in '%s'", (unsigned long long)d, count,
                path);
      return CLI_EXIT_BAD;
    }
    p->spectrum = rc_spectrum_values_alloc(values, count, &err);
    free(values);
    if (!p->spectrum)
      return lib_error(path, &err);
    cli_meta_add(&p->meta, "spectrum", "file %s (d = %zu)", path, count);
    return 0;
  }
  if (!dtext) {
    cli_error("--d is required with --a or --log-a");
    return CLI_EXIT_BAD;
  }
  double a;
  int log_power = cli_has(args, "log-a");
  if (cli_get_double(args, log_power ? "log-a" : "a", 1.5, &a))
    return CLI_EXIT_BAD;
  if (p->analytic && (d_inf || (double)d > LINEAR_LAW_MIN_D)) {
    /* analytic methods at d = inf or huge d: the law, never d numbers */
    p->use_law = 1;
    p->law.kind = log_power ? RC_SPECTRUM_LOGPOWER : RC_SPECTRUM_POWER;
    p->law.a = a;
    p->law.prior = RC_PRIOR_ISOTROPIC;
    p->law.b = NAN;
    p->law.d = d_inf ? INFINITY : (double)d;
    cli_meta_add(&p->meta, "spectrum", "%s a = %.17g, d = %s",
                 log_power ? "log power law lambda_i = i^-1 log(i+1)^-a"
                           : "power law lambda_i = i^-a",
                 a, d_inf ? "inf" : dtext);
    return 0;
  }
  p->spectrum = log_power ? rc_spectrum_logpower_alloc((size_t)d, a, &err)
                          : rc_spectrum_power_alloc((size_t)d, a, &err);
  if (!p->spectrum)
    return lib_error(log_power ? "--log-a" : "--a", &err);
  cli_meta_add(&p->meta, "spectrum", "%s a = %.17g, d = %llu",
               log_power ? "log power law lambda_i = i^-1 log(i+1)^-a"
                         : "power law lambda_i = i^-a",
               a, (unsigned long long)d);
  return 0;
}

static int setup_prior(const cli_args *args, linear_problem *p) {
  rc_error err = {0, ""};
  if (cli_has(args, "b") && cli_has(args, "prior")) {
    cli_error("give only one of --b and --prior");
    return CLI_EXIT_BAD;
  }
  if (p->use_law) {
    if (cli_has(args, "prior")) {
      cli_error("--prior FILE needs d explicit values: not available with --d %s",
                isinf(p->law.d) ? "inf" : cli_get(args, "d"));
      return CLI_EXIT_BAD;
    }
    if (cli_has(args, "b")) {
      if (cli_get_double(args, "b", 0, &p->law.b))
        return CLI_EXIT_BAD;
      p->law.prior = RC_PRIOR_SOURCE;
      cli_meta_add(&p->meta, "prior", "source condition lambda_i E w*_i^2 = i^-b, b = %.17g",
                   p->law.b);
    } else {
      cli_meta_add(&p->meta, "prior", "isotropic E w*_i^2 = 1");
    }
    if (rc_law_check(&p->law, &err))
      return lib_error(NULL, &err);
    return 0; /* the signal tr(H P) is reported by the method */
  }
  const size_t d = p->spectrum->d;
  if (cli_has(args, "prior")) {
    const char *path = cli_get(args, "prior");
    double *values;
    size_t count;
    if (rc_io_read_column(path, &values, &count, &err))
      return lib_error("--prior", &err);
    if (count != d) {
      free(values);
      cli_error("--prior '%s' has %zu values but d = %zu", path, count, d);
      return CLI_EXIT_BAD;
    }
    p->prior = rc_prior_values_alloc(values, count, &err);
    free(values);
    if (!p->prior)
      return lib_error(path, &err);
    cli_meta_add(&p->meta, "prior", "file %s", path);
  } else if (cli_has(args, "b")) {
    double b;
    if (cli_get_double(args, "b", 0, &b))
      return CLI_EXIT_BAD;
    p->prior = rc_prior_source_alloc(p->spectrum, b, &err);
    if (!p->prior)
      return lib_error("--b", &err);
    cli_meta_add(&p->meta, "prior", "source condition lambda_i E w*_i^2 = i^-b, b = %.17g", b);
  } else {
    p->prior = rc_prior_isotropic_alloc(d, &err);
    if (!p->prior)
      return lib_error(NULL, &err);
    cli_meta_add(&p->meta, "prior", "isotropic E w*_i^2 = 1");
  }
  cli_meta_add(&p->meta, "signal", "tr(H P) = %.17g", rc_prior_signal(p->spectrum, p->prior));
  return 0;
}

static int setup_sizes(const cli_args *args, linear_problem *p) {
  rc_error err = {0, ""};
  if (!cli_has(args, "N")) {
    cli_error("--N is required (for example --N 1e2:1e5:13)");
    return CLI_EXIT_BAD;
  }
  if (rc_io_parse_list(cli_get(args, "N"), &p->Ns, &p->nN, &err))
    return lib_error("--N", &err);
  if (cli_has(args, "sketch") && cli_has(args, "seed")) {
    cli_error("give only one of --sketch and --seed");
    return CLI_EXIT_BAD;
  }
  if (p->analytic) {
    /* sketch-averaged methods: no sketch */
    if (cli_has(args, "sketch")) {
      cli_error("--sketch: the analytic methods average over sketches and use none");
      return CLI_EXIT_BAD;
    }
    if (!cli_has(args, "M")) {
      cli_error("--M is required");
      return CLI_EXIT_BAD;
    }
    if (rc_io_parse_list(cli_get(args, "M"), &p->Ms, &p->nM, &err))
      return lib_error("--M", &err);
    return 0;
  }
  if (cli_has(args, "sketch")) {
    size_t cols;
    p->sketch_file = cli_get(args, "sketch");
    if (rc_io_read_table(p->sketch_file, &p->sketch_values, &p->sketch_rows, &cols, &err))
      return lib_error("--sketch", &err);
    if (cols != p->spectrum->d) {
      cli_error("--sketch '%s' has %zu columns but d = %zu", p->sketch_file, cols, p->spectrum->d);
      return CLI_EXIT_BAD;
    }
    if (cli_has(args, "M")) {
      if (rc_io_parse_list(cli_get(args, "M"), &p->Ms, &p->nM, &err))
        return lib_error("--M", &err);
      if (p->nM != 1 || p->Ms[0] != p->sketch_rows) {
        cli_error("--M %s disagrees with the %zu rows of --sketch '%s'", cli_get(args, "M"),
                  p->sketch_rows, p->sketch_file);
        return CLI_EXIT_BAD;
      }
    } else {
      p->Ms = malloc(sizeof *p->Ms);
      if (!p->Ms) {
        cli_error("out of memory");
        return CLI_EXIT_BAD;
      }
      p->Ms[0] = p->sketch_rows;
      p->nM = 1;
    }
    cli_meta_add(&p->meta, "sketch", "file %s (M = %zu rows, d = %zu columns)", p->sketch_file,
                 p->sketch_rows, cols);
  } else {
    if (!cli_has(args, "M")) {
      cli_error("--M is required (or give the sketch with --sketch)");
      return CLI_EXIT_BAD;
    }
    if (rc_io_parse_list(cli_get(args, "M"), &p->Ms, &p->nM, &err))
      return lib_error("--M", &err);
    if (cli_get_uint(args, "seed", 0, MAX_INTEGER, 1, &p->seed))
      return CLI_EXIT_BAD;
    cli_meta_add(&p->meta, "sketch",
                 "Gaussian, iid N(0, 1/M) entries drawn row by row with "
                 "gsl_ran_gaussian_ziggurat from gsl_rng_mt19937 seeded with %llu (the same "
                 "seed for every M)",
                 (unsigned long long)p->seed);
    cli_meta_add(&p->meta, "seed", "%llu", (unsigned long long)p->seed);
  }
  /* Refuse a sketch that cannot fit before computing anything. */
  for (size_t k = 0; k < p->nM; k++)
    if (check_fits(p->Ms[k], p->spectrum->d))
      return CLI_EXIT_BAD;
  return 0;
}

static int setup_training(const cli_args *args, linear_problem *p) {
  rc_error err = {0, ""};
  uint64_t batch;
  if (cli_get_double(args, "gamma", 0.1, &p->gamma) ||
      cli_get_uint(args, "batch", 1, (uint64_t)1 << 32, 1, &batch) ||
      cli_get_double(args, "sigma2", 1.0, &p->sigma2))
    return CLI_EXIT_BAD;
  p->batch = (size_t)batch;
  if (!(p->gamma > 0)) {
    cli_error("--gamma must be > 0 (got %g)", p->gamma);
    return CLI_EXIT_BAD;
  }
  if (!(p->sigma2 >= 0)) {
    cli_error("--sigma2 must be >= 0 (got %g)", p->sigma2);
    return CLI_EXIT_BAD;
  }
  const char *spec = cli_has(args, "schedule") ? cli_get(args, "schedule") : "geometric";
  p->schedule = rc_schedule_parse(spec, p->gamma, &err);
  if (!p->schedule)
    return lib_error("--schedule", &err);
  uint64_t maxN = 0;
  for (size_t k = 0; k < p->nN; k++)
    maxN = p->Ns[k] > maxN ? p->Ns[k] : maxN;
  if (maxN > rc_schedule_capacity(p->schedule)) {
    cli_error("--schedule: '%s' holds %llu steps but --N asks for %llu", spec,
              (unsigned long long)rc_schedule_capacity(p->schedule), (unsigned long long)maxN);
    return CLI_EXIT_BAD;
  }
  if (rc_schedule_get_kind(p->schedule) == RC_SCHEDULE_FILE && cli_has(args, "gamma"))
    fprintf(stderr, "riskcalc: warning: --gamma is ignored: file schedules give absolute steps\n");
  char desc[512];
  rc_schedule_describe(p->schedule, desc, sizeof desc);
  cli_meta_add(&p->meta, "schedule", "%s", desc);
  cli_meta_add(&p->meta, "batch", "%zu", p->batch);
  cli_meta_add(&p->meta, "sigma2", "%.17g", p->sigma2);
  return 0;
}

static int problem_setup(const cli_args *args, const char *command_line, linear_problem *p,
                         int analytic) {
  memset(p, 0, sizeof *p);
  p->analytic = analytic;
  cli_meta_add(&p->meta, "riskcalc", "%s", rc_version());
  cli_meta_add(&p->meta, "command", "%s", command_line);
  if (cli_parse_format(cli_get(args, "format"), &p->format))
    return CLI_EXIT_BAD;
  p->output = cli_get(args, "output");
  p->plot = cli_get(args, "plot");
  if (check_output_paths(p) || (!analytic && precheck_memory(args)))
    return CLI_EXIT_BAD;
  if (setup_spectrum(args, p) || setup_prior(args, p) || setup_sizes(args, p) ||
      setup_training(args, p))
    return CLI_EXIT_BAD;
  return 0;
}

int linear_problem_setup(const cli_args *args, const char *command_line, linear_problem *p) {
  return problem_setup(args, command_line, p, 0);
}

int linear_problem_setup_analytic(const cli_args *args, const char *command_line,
                                  linear_problem *p) {
  return problem_setup(args, command_line, p, 1);
}

void linear_problem_free(linear_problem *p) {
  rc_spectrum_free(p->spectrum);
  rc_prior_free(p->prior);
  rc_schedule_free(p->schedule);
  free(p->Ns);
  free(p->Ms);
  free(p->sketch_values);
  cli_meta_free(&p->meta);
  memset(p, 0, sizeof *p);
}

rc_sketch *linear_problem_sketch(const linear_problem *p, size_t M) {
  rc_error err = {0, ""};
  rc_sketch *s;
  if (p->sketch_values) {
    s = rc_sketch_values_alloc(p->sketch_values, p->sketch_rows, p->spectrum->d, &err);
  } else {
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
      cli_error("out of memory for a random number generator");
      return NULL;
    }
    gsl_rng_set(rng, (unsigned long)p->seed);
    s = rc_sketch_gaussian_alloc(M, p->spectrum->d, rng, &err);
    gsl_rng_free(rng);
  }
  if (!s)
    lib_error("sketch", &err);
  return s;
}

int linear_check_work(const linear_problem *p, double runs, double cost_per_step_per_M,
                      const char *what) {
  double steps = 0;
  uint64_t N_max = 0;
  for (size_t k = 0; k < p->nN; k++) {
    steps += (double)p->Ns[k];
    N_max = p->Ns[k] > N_max ? p->Ns[k] : N_max;
  }
  /* Horizon-independent schedules run once to the largest N. */
  if (!rc_schedule_horizon_dependent(p->schedule))
    steps = (double)N_max;
  double work = 0;
  for (size_t m = 0; m < p->nM; m++)
    work += runs * steps * (double)p->batch * cost_per_step_per_M * (double)p->Ms[m];
  if (work <= LINEAR_WORK_LIMIT)
    return 0;
  cli_error("this job needs about %.2g elementary updates, more than the %.0e (about a day at "
            "1e9 per second) riskcalc accepts in one run; reduce %s",
            work, LINEAR_WORK_LIMIT, what);
  return CLI_EXIT_BAD;
}
