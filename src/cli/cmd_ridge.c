/* riskcalc ridge: ridge regression's test error, its fine bias-variance split, the training
 * error and GCV, by the deterministic equivalent or by simulation (docs/RIDGE.md). */
#include <string.h>

#include "ridge_problem.h"

static const cli_group ridge_groups[] = {
    CLI_GROUP(ridge_method_options), CLI_GROUP(ridge_data_options),   CLI_GROUP(ridge_size_options),
    CLI_GROUP(ridge_mc_options),     CLI_GROUP(ridge_output_options), CLI_GROUP(cli_figure_options),
};
#define N_RIDGE_GROUPS (sizeof ridge_groups / sizeof ridge_groups[0])

static const char synopsis[] =
    "riskcalc ridge [--method de|mc] [--a A | --log-a A | --spectrum FILE] --d D|inf "
    "[--b B | --prior FILE] --n LIST --lambda LIST [--sigma2 S] [--optimal-lambda] [--runs R] "
    "[--seed K] [--format tsv|csv|json] [--output FILE] [--plot FILE]";

static const char description[] =
    "Ridge regression b = argmin (1/n)|y - X b|^2 + lambda |b|^2 on n samples x ~ N(0, H),\n"
    "y = <x, w*> + xi, xi ~ N(0, sigma2): for each (n, lambda) the columns\n"
    "  n lambda kappa df1 df2 bias var_x var_noise variance test train gcv\n"
    "kappa: the renormalised ridge, kappa (1 - df1/n) = lambda. df1 = sum lambda_i/(lambda_i +\n"
    "kappa), df2 = sum lambda_i^2/(lambda_i + kappa)^2: degrees of freedom NOT normalised by n\n"
    "(effective dimensions; df2/n is the variance inflation gamma). test = sigma2 + bias +\n"
    "variance, variance = var_x + var_noise: bias = |E b - w*|_H^2 of the predictor averaged\n"
    "over training sets, var_x = bias gamma/(1 - gamma) from the sampled inputs, var_noise =\n"
    "sigma2 gamma/(1 - gamma) from the label noise. train: the expected training error; gcv =\n"
    "train / (1 - df1_hat/n)^2 (the deterministic gcv equals test: GCV is asymptotically exact).\n"
    "lambda = 0 is the minimum-norm interpolator, on both sides of n = d; exactly at n = d\n"
    "(d = the number of non-zero eigenvalues) its expected test error is infinite: refused\n"
    "with the reason (exit 2), never printed.\n"
    "--method mc simulates: the same columns estimated from --runs training sets, then the\n"
    "standard error of each estimated column (kappa_se ... gcv_se); gcv there is each run's\n"
    "own GCV. --optimal-lambda prints instead\n"
    "  n lambda_opt test_opt lambda_gcv test_gcv gcv\n"
    "(mc: and their _se): de minimises the expected test error over lambda (its GCV minimiser\n"
    "is the same lambda); mc averages each training set's own minimisers of its test error\n"
    "(oracle) and of its GCV, with the test error the GCV-selected lambda gives.\n"
    "--plot: curves against the coordinate that varies (against lambda with the optimum\n"
    "marked), a heat map of the test error when n and lambda both vary.\n"
    "Exit status: 0 success, 2 bad input or a refused point.";

int cmd_ridge(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(ridge_groups, N_RIDGE_GROUPS, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(stdout, synopsis, description, ridge_groups, N_RIDGE_GROUPS);
    return CLI_EXIT_OK;
  }
  const char *method = cli_has(&args, "method") ? cli_get(&args, "method") : "de";
  if (strcmp(method, "de") != 0 && strcmp(method, "mc") != 0) {
    cli_error("--method: unknown method '%s' (available: de, mc)", CLI_EXCERPT(method));
    return CLI_EXIT_BAD;
  }
  ridge_problem p;
  int status = ridge_problem_setup(&args, command_line, 0,
                                   strcmp(method, "mc") == 0 ? RIDGE_MC : RIDGE_DE, &p);
  if (status == 0)
    status = ridge_run(&p);
  ridge_problem_free(&p);
  return status;
}
