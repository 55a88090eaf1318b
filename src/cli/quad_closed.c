/* `riskcalc quad --method closed`: the noise-free logistic Phase I (activation times) and the
 * published rates (docs/QUAD.md section 6). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "quad_problem.h"

static const char *const closed_columns[] = {"T",      "M",         "D_eff",         "t_adapt",
                                             "approx", "rate_bias", "rate_variance", "rate_risk"};
#define N_CLOSED_COLUMNS 8

int quad_closed_run(quad_problem *p) {
  cli_problem *b = &p->base;
  if (!quad_problem_power_laws(p)) {
    cli_error("--method closed states the published rates, which need the power laws: "
              "--alpha and --beta (not --log-alpha, --spectrum or --target)");
    return CLI_EXIT_BAD;
  }
  const double a = p->spec.alpha, be = p->spec.beta;
  char eta[RC_IO_DOUBLE_CHARS], expo[RC_IO_DOUBLE_CHARS], rate[RC_IO_DOUBLE_CHARS];
  rc_io_format_double(b->gamma, eta, sizeof eta);
  rc_io_format_double(1.0 / fmax(be, 0.5 * (a + be)), expo, sizeof expo);
  snprintf(rate, sizeof rate, "%.6g", quad_published_exponent(a, be)); /* a formula's value */
  cli_meta_add(&b->meta, "method",
               "closed: orders with unit constants (docs/QUAD.md section 6). Phase I "
               "(adaptation), noise-free, at the base step eta = %s: theta_i(t) = w*_i / (1 + "
               "(w*_i / theta_i(0) - 1) exp(-4 eta lambda_i w*_i t)), coordinate i activates "
               "(theta_i = w*_i / 2) at t_i = log(w*_i / theta_i(0) - 1) / (4 eta lambda_i "
               "w*_i); the rates are the published orders of the two phases together",
               eta);
  cli_meta_add(&b->meta, "columns",
               "D_eff = min(M, T^(1/max(beta, (alpha+beta)/2))) = min(M, T^%s), the "
               "published effective dimension; t_adapt = t_i of coordinate i = ceil(D_eff); "
               "rate_bias = D_eff^(1-beta) - M^(1-beta); rate_variance = sigma2 D_eff / (T B); "
               "rate_risk = sigma2 + approx + rate_bias + rate_variance",
               expo);
  cli_meta_add(&b->meta, "published rate", "risk - sigma2 ~ T^-%.17g for M above D_eff (%s)",
               quad_published_exponent(a, be),
               a <= be ? "alpha <= beta: T^-(1 - 1/beta), the optimal rate"
                       : "alpha > beta: T^-(2 beta - 2)/(alpha + beta), faster than linear SGD's "
                         "T^-(beta - 1)/alpha");
  const size_t nrows = p->nM * b->nN;
  double *data = malloc(nrows * N_CLOSED_COLUMNS * sizeof *data);
  rc_quad_closed_row *rows = malloc(b->nN * sizeof *rows);
  int status = CLI_EXIT_BAD;
  if (!data || !rows) {
    cli_error("out of memory for %zu rows", nrows);
    goto done;
  }
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_quad_problem *q = quad_problem_at(p, (size_t)p->Ms[m]);
    if (!q)
      goto done;
    const int rc = rc_quad_closed_curve(q, b->gamma, b->Ns, b->nN, rows, &err);
    rc_quad_problem_free(q);
    if (rc) {
      cli_error("M = %llu: %s", (unsigned long long)p->Ms[m], err.message);
      goto done;
    }
    for (size_t n = 0; n < b->nN; n++) {
      const rc_quad_closed_row *r = &rows[n];
      double *row = data + (m * b->nN + n) * N_CLOSED_COLUMNS;
      row[0] = (double)r->T;
      row[1] = r->M;
      row[2] = r->D_eff;
      row[3] = r->t_adapt;
      row[4] = r->approx;
      row[5] = r->rate_bias;
      row[6] = r->rate_variance;
      row[7] = r->rate_risk;
    }
  }
  cli_figure fig;
  quad_figure_closed(p, &fig);
  const cli_table t = {closed_columns, N_CLOSED_COLUMNS, NULL, data, nrows};
  status = cli_emit(&b->out, &b->meta, &t, &fig, NULL);
done:
  free(data);
  free(rows);
  return status;
}
