/* src/cli/linear_problem.h -- the problem options shared by every method of
 * `riskcalc linear` and by `riskcalc compare linear`: spectrum, prior, sketch source,
 * schedule, sizes, noise, batch, output. */
#ifndef RISKCALC_CLI_LINEAR_PROBLEM_H
#define RISKCALC_CLI_LINEAR_PROBLEM_H

#include "cli.h"
#include "riskcalc/riskcalc.h"

/* The option table entries of the problem (used by linear and compare). */
#define LINEAR_PROBLEM_OPTIONS                                                             \
  {"a", "A", "power-law spectrum lambda_i = i^-A (default: --a 1.5)"},                     \
      {"log-a", "A", "log-power-law spectrum lambda_i = i^-1 log(i+1)^-A"},                \
      {"spectrum", "FILE", "eigenvalues of H, one per line ('#' comments); d = their count"}, \
      {"d", "D", "dimension of the data (required with --a and --log-a)"},                 \
      {"b", "B", "source prior lambda_i E w*_i^2 = i^-B (default: isotropic E w*_i^2 = 1, "  \
                 "which is B = A for the power law)"},                                     \
      {"prior", "FILE", "prior variances E w*_i^2, one per line"},                          \
      {"sketch", "FILE", "the sketch S: M lines of d numbers"},                             \
      {"seed", "K", "seed of the Gaussian sketch S, iid N(0, 1/M) from GSL's mt19937 "     \
                    "(default 1)"},                                                        \
      {"M", "LIST", "model sizes: integers and/or log-spaced ranges lo:hi:count"},          \
      {"N", "LIST", "numbers of SGD steps (samples / batch): e.g. 100,1000 or 1e2:1e6:9"},  \
      {"gamma", "G", "base step size (default 0.1)"},                                       \
      {"batch", "B", "mini-batch size (default 1)"},                                        \
      {"schedule", "SPEC", "const | geometric (default) | step:K:F | poly:T0:P | file:PATH "  \
                           "(absolute steps, one per line)"},                               \
      {"sigma2", "S", "label noise variance (default 1)"},                                  \
      {"format", "FMT", "output format: tsv (default), csv or json"},                       \
      {"output", "FILE", "write the table to FILE atomically instead of standard output"},  \
      {"plot", "FILE", "also draw a figure (.png or .svg) with gnuplot; keeps FILE's .gp "  \
                       "script and .dat data next to it"}

typedef struct {
  rc_spectrum *spectrum;
  rc_prior *prior;
  rc_schedule *schedule;
  uint64_t *Ns, *Ms;
  size_t nN, nM;
  double *sketch_values; /* --sketch FILE contents (rows x d), or NULL */
  size_t sketch_rows;
  const char *sketch_file;
  uint64_t seed;
  size_t batch;
  double sigma2;
  double gamma;
  cli_format format;
  const char *output;
  const char *plot;
  cli_meta meta; /* parameters recorded in every output */
} linear_problem;

/* Reads and validates the problem options (printing any error); fills meta with the
 * version, the command line and every parameter. Returns 0 or CLI_EXIT_BAD. */
int linear_problem_setup(const cli_args *args, const char *command_line, linear_problem *p);
void linear_problem_free(linear_problem *p);

/* The sketch for model size M: from --sketch, or drawn from --seed (the same seed for
 * every M). Prints the error and returns NULL on failure. */
rc_sketch *linear_problem_sketch(const linear_problem *p, size_t M);

#endif
