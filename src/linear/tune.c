/* Step sizes tuned to minimise the final risk (include/riskcalc/tune.h). */
#include "riskcalc/tune.h"

#include <math.h>
#include <string.h>

#include "core/minimize.h"

/* The excess risk after N steps at base step e^x (the minimiser's function). */
typedef struct {
  const rc_measure *m;
  rc_schedule *s; /* a copy whose base is set at each evaluation */
  uint64_t N;
  rc_sgd_options o;
  size_t evaluations;
  rc_risk last;
  rc_error *err;
} tune_ctx;

static int excess_at(double x, void *vp, double *value) {
  tune_ctx *c = vp;
  int status = rc_schedule_set_base(c->s, exp(x), c->err);
  if (!status)
    status = rc_sgd_risk_curve(c->m, c->s, &c->N, 1, &c->o, &c->last, c->err);
  if (status)
    return status;
  c->evaluations++;
  *value = c->last.excess;
  return RC_SUCCESS;
}

/* See docs/THEORY.md section 7 (the best base step). */
int rc_sgd_tune_gamma(const rc_measure *m, const rc_schedule *schedule, uint64_t N,
                      const rc_sgd_options *o, rc_gamma_tuned *out, rc_error *err) {
  if (!m || !schedule || !out)
    return rc_error_set(err, RC_EINVAL, "measure, schedule and output are required");
  rc_sgd_options opt = o ? *o : rc_sgd_options_default();
  opt.progress = NULL;
  int status = rc_sgd_options_check(&opt, err);
  if (!status)
    status = rc_schedule_check_horizons(schedule, &N, 1, NULL, err);
  if (status)
    return status;
  rc_schedule *s = rc_schedule_copy(schedule, err);
  if (!s)
    return RC_ENOMEM;
  tune_ctx c = {m, s, N, opt, 0, {0}, err};
  memset(out, 0, sizeof *out);
  /* the largest step over N is proportional to the base: the stable bases are those below
   * g* / (largest step at base 1) */
  double g_stable;
  if ((status = rc_schedule_set_base(s, 1.0, err)) ||
      (status = rc_sgd_stable_gamma(m, opt.batch, &g_stable, err)))
    goto done;
  if (!isfinite(g_stable)) {
    status = rc_error_set(err, RC_EINVAL,
                          "the measure has no moving atom: every step is stable "
                          "and none changes the risk");
    goto done;
  }
  out->gamma_max = g_stable / rc_schedule_max(s, N);
  const double top = log(out->gamma_max) + log1p(-1e-6), bottom = top - log(RC_TUNE_SPAN);
  double xbest, fbest;
  status = rc_min_scan_brent(excess_at, &c, bottom, top, RC_TUNE_GRID, "tuned step size", &xbest,
                             &fbest, &out->at_edge, err);
  if (status && status != RC_ENOCONV)
    goto done;
  out->gamma = exp(xbest);
  /* the row at the step returned (the minimiser's last evaluation may be another point) */
  const int final = excess_at(xbest, &c, &fbest);
  if (final)
    status = final;
  out->row = c.last;
  out->evaluations = c.evaluations;
done:
  rc_schedule_free(s);
  return status;
}
