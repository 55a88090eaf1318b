/* The base step of the quadratic model that minimises the analytic risk after T steps over
 * the range where the moment closure holds (include/riskcalc/quad.h, docs/QUAD.md). The same
 * kind of search as rc_sgd_tune_gamma: a logarithmic scan, then Brent on log eta. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/minimize.h"
#include "quad/sketched.h"
#include "riskcalc/quad.h"
#include "riskcalc/tune.h"

#define EDGE_RTOL 1e-3     /* the domain edge is bracketed to this relative width */
#define MAX_DOUBLINGS 2100 /* enough to cross the whole range of doubles */

typedef struct {
  const rc_quad_problem *p;
  rc_schedule *s; /* a copy whose base is set at each evaluation */
  uint64_t T;
  rc_quad_analytic_options o;
  size_t evaluations;
  rc_quad_row last;
  rc_error *err;
} tune_ctx;

/* The analytic row at base step eta; RC_EDOMAIN when the closure leaves its domain. */
static int row_at(tune_ctx *c, double eta) {
  int status = rc_schedule_set_base(c->s, eta, c->err);
  if (!status)
    status = rc_quad_analytic_curve(c->p, c->s, &c->T, 1, &c->o, &c->last, NULL, c->err);
  c->evaluations++;
  return status;
}

/* The minimiser's function: the risk at e^x; a step outside the closure's domain (the edge is
 * only bracketed, and the domain need not be exactly an interval) counts as the worst value,
 * so the search stays inside. */
static int risk_at(double x, void *vp, double *value) {
  tune_ctx *c = vp;
  const int status = row_at(c, exp(x));
  if (status == RC_EDOMAIN) {
    *value = DBL_MAX;
    return RC_SUCCESS;
  }
  if (!status)
    *value = c->last.risk;
  return status;
}

/* 1 when the closure holds at eta, 0 when it leaves its domain, < 0 on another error (its
 * status negated). */
static int valid_at(tune_ctx *c, double eta) {
  const int status = row_at(c, eta);
  return status == RC_SUCCESS ? 1 : status == RC_EDOMAIN ? 0 : -status;
}

/* Brackets the closure's domain edge: lo valid, hi invalid, hi / lo <= 1 + EDGE_RTOL, starting
 * from the schedule's own base step. */
static int domain_edge(tune_ctx *c, double start, double *lo_out, double *hi_out) {
  double lo = start, hi = start;
  int v = valid_at(c, start);
  if (v < 0)
    return -v;
  if (v) {
    for (int k = 0; k < MAX_DOUBLINGS && v == 1; k++) {
      lo = hi;
      hi *= 2.0;
      v = valid_at(c, hi);
    }
    if (v < 0)
      return -v;
    if (v)
      return rc_error_set(c->err, RC_EINVAL,
                          "the closure holds for every base step up to %g: nothing bounds the "
                          "step size (does any coordinate move?)",
                          hi);
  } else {
    for (int k = 0; k < MAX_DOUBLINGS && v == 0; k++) {
      hi = lo;
      lo *= 0.5;
      v = valid_at(c, lo);
    }
    if (v < 0)
      return -v;
    if (!v)
      return rc_error_set(c->err, RC_EDOMAIN,
                          "the analytic closure leaves its domain for every base step down to "
                          "%g at T = %llu; use the Monte Carlo method",
                          lo, (unsigned long long)c->T);
  }
  while (hi > lo * (1.0 + EDGE_RTOL)) {
    const double mid = sqrt(lo * hi);
    v = valid_at(c, mid);
    if (v < 0)
      return -v;
    if (v)
      lo = mid;
    else
      hi = mid;
  }
  *lo_out = lo;
  *hi_out = hi;
  return RC_SUCCESS;
}

int rc_quad_tune_eta(const rc_quad_problem *problem, const rc_schedule *schedule, uint64_t T,
                     const rc_quad_analytic_options *options, rc_quad_eta_tuned *out,
                     rc_error *err) {
  if (!problem || !schedule || !out)
    return rc_error_set(err, RC_EINVAL, "problem, schedule and output are required");
  memset(out, 0, sizeof *out);
  if (problem->feature_cov)
    return rc_error_set(err, RC_EINVAL, "%s", QUAD_SKETCHED_REFUSAL);
  const rc_schedule_kind kind = rc_schedule_get_kind(schedule);
  if (kind == RC_SCHEDULE_FILE || kind == RC_SCHEDULE_STAGES)
    return rc_error_set(err, RC_EINVAL,
                        "a file or stages schedule gives absolute steps: there is no base step "
                        "to tune");
  int status = rc_schedule_check_horizons(schedule, &T, 1, NULL, err);
  if (status)
    return status;
  rc_schedule *s = rc_schedule_copy(schedule, err);
  if (!s)
    return RC_ENOMEM;
  tune_ctx c = {problem, s, T, rc_quad_analytic_options_default(), 0, {0}, err};
  if (options) {
    c.o.tol = options->tol;
    c.o.domain_limit = options->domain_limit;
    c.o.step_by_step = options->step_by_step;
  }
  double lo = 0, hi = 0;
  if ((status = domain_edge(&c, rc_schedule_base(schedule), &lo, &hi)))
    goto done;
  out->eta_max = lo;
  const double top = log(lo), bottom = top - log(RC_TUNE_SPAN);
  double xbest, fbest;
  status = rc_min_scan_brent(risk_at, &c, bottom, top, RC_TUNE_GRID, "tuned step size", &xbest,
                             &fbest, &out->at_edge, err);
  if (status && status != RC_ENOCONV)
    goto done;
  out->eta = fmin(exp(xbest), lo); /* exp(log(lo)) may round above the edge found */
  /* the row at the step returned (the minimiser's last evaluation may be another point) */
  const int final = row_at(&c, out->eta);
  if (final)
    status = final;
  out->row = c.last;
  if (status == RC_SUCCESS)
    rc_error_clear(err); /* the search met the domain's edge on the way: not an error */
done:
  out->evaluations = c.evaluations;
  rc_schedule_free(s);
  return status;
}
