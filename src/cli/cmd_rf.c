/* riskcalc rf: linear random features <v, F^T x>, their test error and its fine
 * bias-variance split with the variance due to the features, by the deterministic equivalent
 * or by simulation (docs/RIDGE.md). */
#include <string.h>

#include "ridge_problem.h"

static const cli_group rf_groups[] = {
    CLI_GROUP(ridge_method_options), CLI_GROUP(ridge_data_options), CLI_GROUP(ridge_P_options),
    CLI_GROUP(ridge_size_options),   CLI_GROUP(ridge_mc_options),   CLI_GROUP(ridge_output_options),
    CLI_GROUP(cli_figure_options),
};
#define N_RF_GROUPS (sizeof rf_groups / sizeof rf_groups[0])

static const char synopsis[] =
    "riskcalc rf [--method de|mc] [--a A | --log-a A | --spectrum FILE] --d D|inf "
    "[--b B | --prior FILE] --P LIST --n LIST --lambda LIST [--sigma2 S] [--optimal-lambda] "
    "[--runs R] [--seed K] [--format tsv|csv|json] [--output FILE] [--plot FILE]";

static const char description[] =
    "Linear random features: predictor <v, F^T x>, F a d x P matrix of iid N(0, 1/P) entries,\n"
    "v = argmin (1/n)|y - X F v|^2 + lambda |v|^2. For each (P, n, lambda) the columns\n"
    "  P n lambda kappa kappa1 df1 df2 bias var_x var_noise var_f test train\n"
    "kappa: the data-space ridge, kappa (1 - df1/n)(1 - df1/P) = lambda; kappa1 = kappa (1 -\n"
    "df1/P) the feature-space ridge; df1, df2 as for ridge, at kappa, NOT normalised by n.\n"
    "test = sigma2 + bias + var_f + var_x + var_noise, the law of total variance conditioning\n"
    "on the features F first: bias = |E b - w*|_H^2 of the predictor averaged over features and\n"
    "training sets; var_f = Var_F E[b|F], the variance due to the random features (the main\n"
    "effect of F of the symmetric ANOVA split); var_x = E_F Var_X E[b|X,F], the variance\n"
    "due to the inputs INCLUDING their interaction with F (the main effect of X alone is\n"
    "bias df2/(n - df2), the interaction var_x minus that: docs/RIDGE.md section 3);\n"
    "var_noise = E Var(b|X,F) from the label noise. train: the expected training error.\n"
    "P = inf gives ridge (`riskcalc ridge`); n = inf with lambda = 0 gives the approximation\n"
    "error of `riskcalc linear --method de` at M = P (both accepted by the deterministic\n"
    "equivalent only; JSON shows inf as null).\n"
    "lambda = 0 at n = min(P, d) has an infinite expected test error: refused (exit 2).\n"
    "--method mc simulates: the same columns estimated from --runs draws of F with two\n"
    "training sets each, then kappa_se ... train_se. --optimal-lambda prints instead\n"
    "  P n lambda_opt test_opt lambda_gcv test_gcv gcv\n"
    "(mc: and their _se), as for `riskcalc ridge --optimal-lambda`.\n"
    "--plot: curves against the coordinate that varies (against lambda with the optimum\n"
    "marked), a heat map of the test error when two of P, n, lambda vary.\n"
    "Exit status: 0 success, 2 bad input or a refused point.";

int cmd_rf(int argc, char **argv, const char *command_line) {
  cli_args args;
  if (cli_parse(rf_groups, N_RF_GROUPS, 0, argc, argv, &args))
    return CLI_EXIT_BAD;
  if (args.help) {
    cli_print_help(stdout, synopsis, description, rf_groups, N_RF_GROUPS);
    return CLI_EXIT_OK;
  }
  const char *method = cli_has(&args, "method") ? cli_get(&args, "method") : "de";
  if (strcmp(method, "de") != 0 && strcmp(method, "mc") != 0) {
    cli_error("--method: unknown method '%s' (available: de, mc)", CLI_EXCERPT(method));
    return CLI_EXIT_BAD;
  }
  ridge_problem p;
  int status = ridge_problem_setup(&args, command_line, 1,
                                   strcmp(method, "mc") == 0 ? RIDGE_MC : RIDGE_DE, &p);
  if (status == 0)
    status = ridge_run(&p);
  ridge_problem_free(&p);
  return status;
}
