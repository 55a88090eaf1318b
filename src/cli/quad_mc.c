/* `riskcalc quad --method mc`: real SGD on the model, parallel runs through the shared runner
 * (docs/QUAD.md section 5). */
#include <stdlib.h>

#include "quad_problem.h"

static const char *const mc_columns[] = {"T",       "M",        "risk",        "risk_se", "bias",
                                         "bias_se", "variance", "variance_se", "runs"};
#define N_MC_COLUMNS 9

int quad_mc_run(quad_problem *p) {
  cli_problem *b = &p->base;
  rc_quad_mc_options o;
  if (quad_mc_setup(p, &o))
    return CLI_EXIT_BAD;
  cli_meta_add(&b->meta, "method",
               "mc: Monte Carlo simulation of SGD on the model (docs/QUAD.md section 5)");
  if (p->sketched)
    cli_meta_add(&b->meta, "columns",
                 "risk = mean over the runs of each run's exact risk, risk_se = sample sd / "
                 "sqrt(runs); with thetabar the mean over the runs and C the sample covariance "
                 "(divisor runs - 1): variance = tr(K C), bias = (thetabar - theta*)^T K "
                 "(thetabar - theta*) - variance / runs (unbiased; bias + variance + sigma2 + "
                 "approx = risk exactly); bias_se, variance_se by the delta method over the runs");
  else
    cli_meta_add(&b->meta, "columns",
                 "risk = mean over the runs of each run's exact risk, risk_se = sample sd / "
                 "sqrt(runs); with thetabar_i the mean over the runs and s_i^2 the sample "
                 "variance (divisor runs - 1): variance = sum_i lambda_i s_i^2, bias = sum_i "
                 "lambda_i (thetabar_i - w*_i)^2 - variance / runs (unbiased; bias + variance + "
                 "sigma2 + approx = risk exactly); bias_se, variance_se by the delta method over "
                 "the runs");
  const size_t nrows = p->nM * b->nN;
  double *data = malloc(nrows * N_MC_COLUMNS * sizeof *data);
  rc_quad_mc_row *rows = malloc(b->nN * sizeof *rows);
  int status = CLI_EXIT_BAD;
  if (!data || !rows) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  cli_progress bar;
  cli_progress_init(&bar, "quad mc");
  o.progress = cli_progress_update;
  o.progress_context = &bar;
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_quad_problem *q = quad_problem_at(p, (size_t)p->Ms[m]);
    if (!q)
      goto done;
    const int rc = rc_quad_mc_curve(q, b->schedule, b->Ns, b->nN, &o, rows, &err);
    rc_quad_problem_free(q);
    if (rc) {
      cli_progress_done(&bar);
      cli_error("M = %llu: %s", (unsigned long long)p->Ms[m], err.message);
      goto done;
    }
    for (size_t n = 0; n < b->nN; n++) {
      const rc_quad_mc_row *r = &rows[n];
      double *row = data + (m * b->nN + n) * N_MC_COLUMNS;
      row[0] = (double)r->T;
      row[1] = r->M;
      row[2] = r->risk;
      row[3] = r->risk_se;
      row[4] = r->bias;
      row[5] = r->bias_se;
      row[6] = r->variance;
      row[7] = r->variance_se;
      row[8] = (double)r->runs;
    }
  }
  cli_progress_done(&bar);
  cli_figure fig;
  quad_figure_mc(p, &fig);
  const cli_table t = {mc_columns, N_MC_COLUMNS, NULL, data, nrows};
  status = cli_emit(&b->out, &b->meta, &t, &fig, NULL);
done:
  free(data);
  free(rows);
  return status;
}
