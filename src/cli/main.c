/* riskcalc: the command-line tool. Uses only the public library API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* execv */

#include <cblas.h> /* OpenBLAS: openblas_set_num_threads */

#include "cli.h"
#include "emit.h"
#include "riskcalc/version.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv, const char *command_line);
  const char *summary;
} subcommand;

static const subcommand subcommands[] = {
    {"linear", cmd_linear, "risk curves of one-pass SGD on sketched linear regression"},
    {"quad", cmd_quad, "risk curves of the quadratically parameterized model (two-phase SGD)"},
    {"ridge", cmd_ridge, "ridge regression: test error, fine bias-variance split, train, GCV"},
    {"rf", cmd_rf, "linear random features: the same with the variance due to the features"},
    {"compare", cmd_compare, "a theory curve against the Monte Carlo simulation, with z-scores"},
    {"fit", cmd_fit, "power-law exponents with confidence intervals from a table"},
    {"optimal", cmd_optimal,
     "compute-optimal model size: closed form and deterministic equivalent"},
    {"schedule-opt", cmd_schedule_opt,
     "the step-size schedule minimising the final risk, against tuned baselines"},
    {"rerun", cmd_rerun, "re-run the command recorded in an output file and compare its rows"},
};
#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void usage(FILE *f) {
  fprintf(f,
          "usage: riskcalc SUBCOMMAND [options]   (riskcalc SUBCOMMAND --help for its options)\n\n"
          "Analytic risk curves of learning-theory models.\n\nsubcommands:\n");
  for (size_t k = 0; k < N_SUBCOMMANDS; k++)
    fprintf(f, "  %-13s %s\n", subcommands[k].name, subcommands[k].summary);
  fprintf(f, "\noptions:\n  --help        show this help\n  --version     show the version\n\n"
             "Exit status: 0 success, 1 disagreement (compare; fit --expect), 2 bad input or "
             "failure.\n");
}

/* OpenBLAS chooses its kernels from the CPU model when it loads. 0.3.21 (Debian 12) does not
 * know models newer than itself (Emerald Rapids, for one) and gives them its generic SSE3
 * "Prescott" kernels, 3 to 5 times slower in the exact engine's set-up (docs/BENCHMARKS.md).
 * On a CPU with the AVX-512 subsets its SkylakeX kernels need, the tool asks for those through
 * OpenBLAS's documented override, the environment variable OPENBLAS_CORETYPE, which is read
 * only when the library loads: so the tool sets it and starts itself again, once, before
 * anything else happens. A value the user set is left alone (OPENBLAS_CORETYPE=Prescott keeps
 * the generic kernels); python/riskcalc applies the same rule before it loads the library. */
static void choose_blas_kernels(char **argv) {
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
  if (getenv("OPENBLAS_CORETYPE"))
    return;
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl")))
    return;
  if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) != 0)
    return;
  fflush(NULL);
  execv("/proc/self/exe", argv);
  /* not restarted (no /proc, say): run on with the kernels already loaded */
  unsetenv("OPENBLAS_CORETYPE");
#else
  (void)argv;
#endif
}

int main(int argc, char **argv) {
  choose_blas_kernels(argv);
  /* One BLAS thread: a threaded OpenBLAS rounds differently for different thread counts, and
   * every digit the tool prints must be reproducible from its header on any machine. Monte
   * Carlo runs are parallel over runs (OpenMP) instead. */
  openblas_set_num_threads(1);
  /* A signal removes the run's temporary files and stops gnuplot before the tool ends. */
  cli_signals_install();
  if (argc < 2) {
    /* one line, like every other error; the full usage is one --help away */
    cli_error("a subcommand is needed: riskcalc SUBCOMMAND [options] (subcommands and options: "
              "riskcalc --help)");
    return CLI_EXIT_BAD;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("riskcalc %s\n", rc_version());
    return CLI_EXIT_OK;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  for (size_t k = 0; k < N_SUBCOMMANDS; k++)
    if (strcmp(argv[1], subcommands[k].name) == 0) {
      char *command_line = cli_command_line(argc, argv);
      if (!command_line) {
        cli_error("out of memory");
        return CLI_EXIT_BAD;
      }
      int status = subcommands[k].run(argc - 2, argv + 2, command_line);
      free(command_line);
      if (status == CLI_EXIT_OK || status == CLI_EXIT_DISAGREE)
        cli_warnings_flush();
      return status;
    }
  cli_error("unknown subcommand '%s' (try riskcalc --help)", CLI_EXCERPT(argv[1]));
  return CLI_EXIT_BAD;
}
