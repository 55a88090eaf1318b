/* The exact second-moment recursion of one-pass SGD in the eigenbasis of G
 * (docs/THEORY.md section 1). */
#include "riskcalc/sgd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/root.h"
#include "core/util.h"
#include "core/walker.h"
#include "linear/sketch_svd.h"
#include "linear/stage_jump.h"

rc_sgd_measure *rc_sgd_measure_alloc(size_t n, rc_error *err) {
  return rc_measure_alloc(n, err);
}

void rc_sgd_measure_free(rc_sgd_measure *m) {
  rc_measure_free(m);
}

rc_sgd_measure *rc_sgd_measure_from_sketch(const rc_spectrum *spectrum, const rc_prior *prior,
                                           const rc_sketch *sketch, rc_error *err) {
  if (!spectrum || !prior || !sketch) {
    rc_error_set(err, RC_EINVAL, "spectrum, prior and sketch are required");
    return NULL;
  }
  const size_t M = sketch->M, d = sketch->d;
  if (spectrum->d != d || prior->d != d) {
    rc_error_set(err, RC_EINVAL,
                 "dimensions disagree: sketch has d = %zu columns, spectrum d = %zu, prior d = %zu",
                 d, spectrum->d, prior->d);
    return NULL;
  }
  /* Y = S H^1/2 (M x d). Its singular values give the eigenvalues of G = Y Y^T without
   * squaring the condition number, and its right singular vectors V give the signal
   * q_j^T S H P H S^T q_j = mu_j sum_i lambda_i p_i V_ij^2 directly (src/sketch_svd.h). */
  rc_sketch_svd *svd = rc_sketch_svd_alloc(M, d, err);
  double *sqrt_lambda = svd ? rc_alloc_doubles(d, err) : NULL;
  rc_sgd_measure *m = sqrt_lambda ? rc_sgd_measure_alloc(svd->r, err) : NULL;
  if (!m)
    goto fail;
  const size_t r = svd->r;
  for (size_t i = 0; i < d; i++)
    sqrt_lambda[i] = sqrt(spectrum->lambda[i]);
  if (rc_sketch_svd_compute(svd, sketch->S, sqrt_lambda, err))
    goto fail;
  const double *sigma = svd->sigma, *VT = svd->VT;
  const double threshold = svd->threshold;
  size_t rank = 0;
  /* Per-coordinate residual 1 - sum_j V_ij^2 over the non-zero singular directions. */
  double *resid = sqrt_lambda; /* reuse: sqrt(lambda) no longer needed */
  for (size_t i = 0; i < d; i++)
    resid[i] = 1.0;
  for (size_t j = 0; j < r; j++) {
    m->nu[j] = 1.0;
    if (!(sigma[j] > threshold)) {
      m->mu[j] = 0.0; /* pseudo-inverse: this direction carries no signal */
      m->c0[j] = 0.0;
      continue;
    }
    rank++;
    const double mu = sigma[j] * sigma[j];
    double s = 0;
    const double *v = VT + j * d;
    for (size_t i = 0; i < d; i++) {
      s += spectrum->lambda[i] * prior->p[i] * v[i] * v[i];
      resid[i] -= v[i] * v[i];
    }
    m->mu[j] = mu;
    m->c0[j] = s / mu;
  }
  m->M = (double)M;
  m->rank = rank;
  m->pseudo_inverse = rank < M;
  m->signal = rc_prior_signal(spectrum, prior);
  if (rank == d) {
    m->approx = 0.0; /* the sketch sees every direction of H */
  } else {
    double approx = 0;
    for (size_t i = d; i-- > 0;)
      approx += spectrum->lambda[i] * prior->p[i] * resid[i];
    m->approx = approx > 0 ? approx : 0.0; /* a negative value is rounding of a true 0 */
  }
  rc_sketch_svd_free(svd);
  free(sqrt_lambda);
  return m;
fail:
  rc_sgd_measure_free(m);
  rc_sketch_svd_free(svd);
  free(sqrt_lambda);
  return NULL;
}

struct stability_params {
  const rc_sgd_measure *m;
  double batch;
};

/* sum_j nu_j g mu_j / (2 - (1+1/B) g mu_j) - B: increasing in g, zero at the stability edge. */
static int stability_function(double g, void *params, double *value) {
  const struct stability_params *p = params;
  const double B = p->batch, kappa = 1.0 + 1.0 / B;
  double sum = 0;
  for (size_t j = 0; j < p->m->n; j++) {
    const double x = g * p->m->mu[j];
    if (x > 0)
      sum += p->m->nu[j] * x / (2.0 - kappa * x);
  }
  *value = sum - B;
  return RC_SUCCESS;
}

/* The stability edge to 1e-14 relative; Brent needs about 10 to 40 iterations, 200 is a
 * safety cap. The lower end of the bracket is reported: a step there is certainly stable. */
static const rc_root_options stability_root = {0.0, 1e-14, 200, RC_ROOT_LOWER};

int rc_sgd_stable_gamma(const rc_sgd_measure *m, size_t batch, double *gamma_max, rc_error *err) {
  if (!m || !gamma_max)
    return rc_error_set(err, RC_EINVAL, "measure and output are required");
  if (batch == 0)
    return rc_error_set(err, RC_EINVAL, "batch size must be at least 1");
  double mu_max = 0;
  for (size_t j = 0; j < m->n; j++) {
    if (!(isfinite(m->mu[j]) && m->mu[j] >= 0 && isfinite(m->nu[j]) && m->nu[j] >= 0))
      return rc_error_set(err, RC_EINVAL,
                          "atom %zu of the measure has mu = %g, nu = %g (both must be finite and "
                          ">= 0)",
                          j, m->mu[j], m->nu[j]);
    mu_max = m->mu[j] > mu_max ? m->mu[j] : mu_max;
  }
  if (mu_max == 0) {
    *gamma_max = INFINITY;
    return RC_SUCCESS;
  }
  const double B = (double)batch;
  /* Past hi the top atom alone is unstable; just below it the function is huge and positive. */
  const double hi = 2.0 * B / ((B + 1.0) * mu_max) * (1.0 - 4 * DBL_EPSILON);
  struct stability_params params = {m, B};
  double f_hi;
  stability_function(hi, &params, &f_hi);
  if (f_hi <= 0) {
    *gamma_max = hi;
    return RC_SUCCESS;
  }
  return rc_root_brent(stability_function, &params, 0.0, hi, &stability_root,
                       "stability edge of the step size", gamma_max, err);
}

rc_sgd_options rc_sgd_options_default(void) {
  rc_sgd_options o = {1, 1.0, NULL, NULL, 0, 0};
  return o;
}

int rc_sgd_check_stability(const rc_sgd_measure *m, const rc_schedule *schedule, uint64_t N,
                           size_t batch, rc_error *err) {
  double g_stable;
  int status = rc_sgd_stable_gamma(m, batch, &g_stable, err);
  if (status)
    return status;
  const double g_max = rc_schedule_max(schedule, N);
  if (g_max < g_stable)
    return RC_SUCCESS;
  if (rc_schedule_get_kind(schedule) == RC_SCHEDULE_FILE)
    return rc_error_set(err, RC_EUNSTABLE,
                        "step size diverges: the schedule's largest step %.6g is not below the "
                        "largest mean-square stable step %.6g (batch %zu)",
                        g_max, g_stable, batch);
  const double base = rc_schedule_base(schedule);
  return rc_error_set(err, RC_EUNSTABLE,
                      "step size diverges: gamma = %.6g reaches step %.6g, not below the largest "
                      "mean-square stable step %.6g (batch %zu); the largest stable gamma is %.6g",
                      base, g_max, g_stable, batch, g_stable * base / g_max * (1 - 1e-12));
}

/* Workspace of one risk computation. */
typedef struct {
  double *bias, *var, *a;
} sgd_work;

/* Steps from t to t_end at constant step g. */
static void run_stage(const rc_sgd_measure *m, sgd_work *w, double g, double B, double s2,
                      uint64_t steps) {
  const size_t n = m->n;
  const double h = g * g / B;
  for (size_t j = 0; j < n; j++) {
    const double x = g * m->mu[j];
    /* 1 - 2x + (1+1/B)x^2 written without cancellation */
    w->a[j] = (1.0 - x) * (1.0 - x) + x * x / B;
  }
  for (uint64_t t = 0; t < steps; t++) {
    double eb = 0, ev = 0;
    for (size_t j = 0; j < n; j++) {
      const double wmu = m->nu[j] * m->mu[j];
      eb += wmu * w->bias[j];
      ev += wmu * w->var[j];
    }
    const double fb = h * eb, fv = h * (ev + s2);
    for (size_t j = 0; j < n; j++) {
      w->bias[j] = w->a[j] * w->bias[j] + fb * m->mu[j];
      w->var[j] = w->a[j] * w->var[j] + fv * m->mu[j];
    }
  }
}

static void record(const rc_sgd_measure *m, const sgd_work *w, uint64_t N, double sigma2,
                   rc_risk *row) {
  double bias = 0, var = 0;
  for (size_t j = m->n; j-- > 0;) {
    const double wmu = m->nu[j] * m->mu[j];
    bias += wmu * w->bias[j];
    var += wmu * w->var[j];
  }
  row->N = N;
  row->M = m->M;
  row->sigma2 = sigma2;
  row->approx = m->approx;
  row->bias = bias;
  row->variance = var;
  row->excess = bias + var;
  row->risk = sigma2 + m->approx + row->excess;
}

/* ------------------------------------------------------------ walking the schedule */

/* Shortest stage worth a jump (stage_jump.h: the eigen path's few n x n products, the
 * renewal path's contour of a few tens of nodes, against 6 n updates per step). */
static uint64_t jump_threshold(const rc_stage_jump *jump) {
  return rc_stage_jump_threshold(jump);
}

/* Stepped runs are cut to this many steps so progress and cancellation stay responsive. */
#define SGD_MAX_STEPPED_RUN ((uint64_t)1 << 20)

/* One risk curve walked pass by pass (the walker's model). */
typedef struct {
  const rc_sgd_measure *m;
  sgd_work w;
  double B, s2, sigma2;
  rc_stage_jump *jump; /* NULL: every step is iterated */
  rc_risk *out;
} sgd_walk;

static int walk_start(void *ctx, uint64_t horizon, rc_error *err) {
  (void)horizon;
  (void)err;
  sgd_walk *sw = ctx;
  memcpy(sw->w.bias, sw->m->c0, sw->m->n * sizeof(double));
  memset(sw->w.var, 0, sw->m->n * sizeof(double));
  return RC_SUCCESS;
}

static int walk_advance(void *ctx, double g, uint64_t steps, const rc_walk_pos *pos,
                        rc_error *err) {
  (void)pos;
  sgd_walk *sw = ctx;
  if (sw->jump && steps >= jump_threshold(sw->jump))
    return rc_stage_jump_apply(sw->jump, g, steps, sw->s2, sw->w.bias, sw->w.var, err);
  run_stage(sw->m, &sw->w, g, sw->B, sw->s2, steps);
  return RC_SUCCESS;
}

static int record_checked(const rc_sgd_measure *m, const sgd_work *w, uint64_t N, double sigma2,
                          rc_risk *row, rc_error *err) {
  record(m, w, N, sigma2, row);
  if (!isfinite(row->risk))
    return rc_error_set(err, RC_EUNSTABLE, "risk overflowed at N = %llu", (unsigned long long)N);
  return RC_SUCCESS;
}

static int walk_record(void *ctx, uint64_t N, size_t index, rc_error *err) {
  sgd_walk *sw = ctx;
  return record_checked(sw->m, &sw->w, N, sw->sigma2, &sw->out[index], err);
}

/* Horizon-dependent schedules with stage jumps: rather than one pass per horizon, all horizons
 * advance together, stage by stage; every horizon whose current step is the same g moves in
 * the same round, so each step size's propagator is built once (a geometric schedule uses
 * gamma 2^-k for every horizon) and applied to all of them in one matrix product. The
 * arithmetic per horizon is the same as in separate passes. */
typedef struct {
  sgd_walk base;
  double *state; /* pass h: bias at state + 2 h n, variance after it */
  uint64_t *K;
  double **bp, **vp;
} sgd_together;

static int together_start(void *ctx, size_t pass, uint64_t horizon, rc_error *err) {
  (void)horizon;
  (void)err;
  sgd_together *st = ctx;
  const size_t n = st->base.m->n;
  memcpy(st->state + 2 * pass * n, st->base.m->c0, n * sizeof(double));
  memset(st->state + (2 * pass + 1) * n, 0, n * sizeof(double));
  return RC_SUCCESS;
}

static int together_group(void *ctx, double g, size_t count, const size_t *ids,
                          const uint64_t *steps, rc_error *err) {
  sgd_together *st = ctx;
  const size_t n = st->base.m->n;
  /* When one pass of this round needs the propagator, it is built once for all, and a jump
   * then costs a share of one matrix product: shorter stages join it too. */
  uint64_t cut = jump_threshold(st->base.jump);
  for (size_t k = 0; k < count; k++)
    if (steps[k] >= jump_threshold(st->base.jump))
      cut = rc_stage_jump_group_threshold(st->base.jump);
  size_t group = 0;
  for (size_t k = 0; k < count; k++) {
    double *bias = st->state + 2 * ids[k] * n, *var = bias + n;
    if (steps[k] >= cut) {
      st->K[group] = steps[k];
      st->bp[group] = bias;
      st->vp[group] = var;
      group++;
    } else {
      sgd_work view = {bias, var, st->base.w.a};
      run_stage(st->base.m, &view, g, st->base.B, st->base.s2, steps[k]);
    }
  }
  if (group)
    return rc_stage_jump_apply_many(st->base.jump, g, group, st->K, st->base.s2, st->bp, st->vp,
                                    err);
  return RC_SUCCESS;
}

static int together_record(void *ctx, size_t pass, uint64_t N, size_t index, rc_error *err) {
  sgd_together *st = ctx;
  const size_t n = st->base.m->n;
  sgd_work view = {st->state + 2 * pass * n, st->state + (2 * pass + 1) * n, st->base.w.a};
  return record_checked(st->base.m, &view, N, st->base.sigma2, &st->base.out[index], err);
}

/* Number of distinct values in Ns. */
static size_t distinct_horizons(const uint64_t *Ns, size_t count) {
  size_t H = 0;
  for (size_t k = 0; k < count; k++) {
    int seen = 0;
    for (size_t q = 0; q < k && !seen; q++)
      seen = Ns[q] == Ns[k];
    H += !seen;
  }
  return H;
}

static int run_together(sgd_walk *sw, const rc_schedule *schedule, const uint64_t *Ns, size_t count,
                        const rc_walk_options *wo, rc_error *err) {
  const size_t n = sw->m->n, H = distinct_horizons(Ns, count);
  sgd_together st = {*sw, NULL, NULL, NULL, NULL};
  st.state = rc_alloc_doubles(rc_mul_size(2 * H, n), err);
  st.K = malloc(H * sizeof *st.K);
  st.bp = malloc(H * sizeof *st.bp);
  st.vp = malloc(H * sizeof *st.vp);
  int status;
  if (!st.state || !st.K || !st.bp || !st.vp) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for %zu horizons", H);
  } else {
    const rc_walk_group_callbacks cb = {together_start, together_group, together_record};
    status = rc_walk_together(schedule, Ns, count, &cb, &st, wo, err);
  }
  free(st.state);
  free(st.K);
  free(st.bp);
  free(st.vp);
  return status;
}

int rc_sgd_options_check(const rc_sgd_options *o, rc_error *err) {
  if (!o)
    return rc_error_set(err, RC_EINVAL, "options are required");
  if (o->batch == 0)
    return rc_error_set(err, RC_EINVAL, "batch size must be at least 1");
  if (!(isfinite(o->sigma2) && o->sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        o->sigma2);
  if (o->jump_method < 0 || o->jump_method > 2)
    return rc_error_set(err, RC_EINVAL, "stage jump method must be 0, 1 or 2 (got %d)",
                        o->jump_method);
  return RC_SUCCESS;
}

/* Stage jumps for this computation, or NULL when every step is iterated (asked for, horizons
 * too short to gain, or a measure without moving atoms).
 * Running out of memory is an error, never a silent switch to stepping. */
static int make_jump(const rc_sgd_measure *m, const rc_sgd_options *o, uint64_t N_max,
                     rc_stage_jump **jump, rc_error *err) {
  *jump = NULL;
  if (o->step_by_step || N_max < 64)
    return RC_SUCCESS;
  rc_error e = {0, ""};
  *jump = rc_stage_jump_alloc_method(m, o->batch, (rc_stage_jump_method)o->jump_method, &e);
  if (!*jump && e.status != RC_EINVAL)
    return rc_error_set(err, e.status, "%s", e.message);
  return RC_SUCCESS;
}

/* See docs/THEORY.md section 1 (the recursion, stability, stage jumps) and section 2.4 (the
 * same recursion as a Volterra equation). */
int rc_sgd_risk_curve(const rc_sgd_measure *m, const rc_schedule *schedule, const uint64_t *Ns,
                      size_t count, const rc_sgd_options *options, rc_risk *out, rc_error *err) {
  if (!m || !schedule || !Ns || !out || count == 0)
    return rc_error_set(err, RC_EINVAL, "measure, schedule and a non-empty list of N are required");
  rc_sgd_options o = options ? *options : rc_sgd_options_default();
  int status = rc_sgd_options_check(&o, err);
  if (status)
    return status;
  uint64_t N_max = 0;
  status = rc_schedule_check_horizons(schedule, Ns, count, &N_max, err);
  if (status)
    return status;
  status = rc_sgd_check_stability(m, schedule, N_max, o.batch, err);
  if (status)
    return status;

  sgd_walk sw = {m, {NULL, NULL, NULL}, (double)o.batch, o.sigma2 + m->approx, o.sigma2, NULL, out};
  sw.w.bias = rc_alloc_doubles(m->n, err);
  sw.w.var = sw.w.bias ? rc_alloc_doubles(m->n, err) : NULL;
  sw.w.a = sw.w.var ? rc_alloc_doubles(m->n, err) : NULL;
  if (!sw.w.a) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for the recursion workspace");
    goto done;
  }
  if ((status = make_jump(m, &o, N_max, &sw.jump, err)))
    goto done;
  rc_walk_options wo = {sw.jump ? 0 : SGD_MAX_STEPPED_RUN, o.progress, o.progress_context};
  const size_t state_bytes = rc_mul_size(rc_mul_size(2 * count, m->n), sizeof(double));
  if (rc_schedule_horizon_dependent(schedule) && sw.jump && state_bytes != 0 &&
      state_bytes <= ((size_t)256 << 20)) {
    status = run_together(&sw, schedule, Ns, count, &wo, err);
  } else {
    const rc_walk_callbacks cb = {walk_start, walk_advance, walk_record};
    status = rc_walk(schedule, Ns, count, &cb, &sw, &wo, err);
  }
done:
  rc_stage_jump_free(sw.jump);
  free(sw.w.bias);
  free(sw.w.var);
  free(sw.w.a);
  return status;
}

/* ------------------------------------------------------------ costs */

int rc_sgd_measure_from_sketch_cost(size_t M, size_t d, rc_cost *cost, rc_error *err) {
  if (!cost)
    return rc_error_set(err, RC_EINVAL, "output is required");
  if (M == 0 || d == 0)
    return rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu: both must be at least 1", M,
                        d);
  const double m = (double)M, dd = (double)d, r = m < dd ? m : dd;
  /* sketch + S H^1/2 + LAPACKE's transposed input, U and V^T with their transposes, dgesdd's
   * work (about 4 r^2 + 7 r beyond them) and integer work, sqrt(lambda), the measure */
  const double numbers = 3 * m * dd + 2 * (m * r + r * dd) + 4 * r * r + 7 * r + 4 * r + dd +
                         3 * r + (m > dd ? m : dd);
  if (!(numbers * 8 < 1.8e19))
    return rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu overflows", M, d);
  cost->bytes = 8 * numbers;
  cost->updates = 4 * m * dd * r + 10 * r * r * r;
  return RC_SUCCESS;
}

/* Counts a walk without running it (the walker's model for rc_sgd_curve_cost). */
typedef struct {
  double n, threshold; /* atoms; jump threshold (INFINITY: no jumps) */
  double updates, walked;
  uint64_t runs;
  double jump; /* updates of one jump */
} cost_walk;

#define COST_MAX_RUNS ((uint64_t)1 << 20)

static int cost_start(void *ctx, uint64_t horizon, rc_error *err) {
  (void)ctx;
  (void)horizon;
  (void)err;
  return RC_SUCCESS;
}

static int cost_advance(void *ctx, double g, uint64_t steps, const rc_walk_pos *pos,
                        rc_error *err) {
  (void)g;
  (void)pos;
  (void)err;
  cost_walk *cw = ctx;
  cw->updates += (double)steps >= cw->threshold ? cw->jump : 6 * cw->n * (double)steps;
  cw->walked += (double)steps;
  return ++cw->runs >= COST_MAX_RUNS ? RC_ECANCEL : RC_SUCCESS;
}

static int cost_record(void *ctx, uint64_t N, size_t index, rc_error *err) {
  (void)ctx;
  (void)N;
  (void)index;
  (void)err;
  return RC_SUCCESS;
}

int rc_sgd_curve_cost(size_t atoms, const rc_schedule *schedule, const uint64_t *Ns, size_t count,
                      const rc_sgd_options *options, rc_cost *cost, rc_error *err) {
  if (!cost)
    return rc_error_set(err, RC_EINVAL, "output is required");
  const rc_sgd_options o = options ? *options : rc_sgd_options_default();
  uint64_t N_max = 0;
  int status = rc_sgd_options_check(&o, err);
  if (!status)
    status = rc_schedule_check_horizons(schedule, Ns, count, &N_max, err);
  if (status)
    return status;
  const double n = (double)atoms;
  const int jumps = !o.step_by_step && N_max >= 64 && atoms >= 1;
  const int eigen = o.jump_method == RC_STAGE_JUMP_EIGEN ||
                    (o.jump_method == RC_STAGE_JUMP_AUTO && atoms <= RC_STAGE_JUMP_EIGEN_MAX_ATOMS);
  cost_walk cw = {n, jumps ? (eigen ? 8 * n + 16 : RC_STAGE_JUMP_RENEWAL_MIN) : INFINITY,
                  0, 0,
                  0, rc_stage_jump_cost(atoms, eigen)};
  const rc_walk_callbacks cb = {cost_start, cost_advance, cost_record};
  const rc_walk_options wo = {jumps ? 0 : SGD_MAX_STEPPED_RUN, NULL, NULL};
  status = rc_walk(schedule, Ns, count, &cb, &cw, &wo, NULL);
  if (status == RC_ECANCEL) /* too many runs to count: the rest is iterated */
    cw.updates += 6 * n * (rc_walk_steps(schedule, Ns, count) - cw.walked);
  else if (status)
    return rc_error_set(err, status, "cannot walk the schedule to estimate its cost");
  cost->updates = cw.updates;
  /* bias, variance and coefficients; the jumps' propagator cache (at most 256 MiB) and the
   * states of horizons advanced together (at most 256 MiB) */
  double bytes = 3 * n * 8 + (double)count * sizeof(rc_risk);
  if (jumps && eigen) {
    const double per = n * n * 8 + 4 * n * 8, cached = floor((256.0 * 1048576) / per);
    bytes += (cached < 1 ? 1 : cached > 64 ? 64 : cached) * per + 10 * n * 8;
  } else if (jumps) { /* the renewal path: per-atom arrays and one node table per thread */
    bytes += (16 + (RC_STAGE_JUMP_NODES + 1) * 2.0) * n * 8;
  }
  if (jumps) {
    if (rc_schedule_horizon_dependent(schedule))
      bytes += fmin(2 * (double)count * n * 8, 256.0 * 1048576);
  }
  cost->bytes = bytes;
  return RC_SUCCESS;
}
