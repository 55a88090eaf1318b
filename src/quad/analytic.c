/* The analytic risk curve of the quadratic model: the three-moment recursion of every
 * coordinate (src/quad/moments.h) driven by the schedule walker, with multi-step blocks for
 * long constant-step runs (docs/QUAD.md sections 3 and 4). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/walker.h"
#include "quad/moments.h"
#include "quad/sketched.h"
#include "riskcalc/quad.h"

#define P_MIN 5     /* shortest block: 2^5 steps (shorter runs are iterated) */
#define P_MAX 60    /* longest block */
#define FD_REL 1e-7 /* relative step of the finite-difference Jacobian */

typedef struct {
  const rc_quad_problem *p;
  const rc_quad_analytic_options *opt;
  rc_quad_analytic_stats *stats;
  rc_quad_row *out;
  size_t M, count;
  quad_coord *c; /* per coordinate (eta set per run) */
  double *x;     /* 3M: m, v, s of every coordinate */
  /* block workspace, 3M (J: 9M) each */
  double *x0, *xf, *xh, *x2, *h0, *hR, *J, *Sh, *ShR, *ThR, *Sh1, *ShR1, *ThR1;
  int lev;           /* log2 of the next block length */
  uint64_t wait;     /* exact steps before the next block is tried */
  unsigned failures; /* consecutive rejected probes at P_MIN */
  uint64_t t;        /* steps done in the current pass */
  /* trajectory (rc_quad_analytic_trajectory): E theta_i recorded at these times of one pass */
  const uint64_t *trace_t;
  size_t trace_count, trace_next;
  double *trace_mean, *trace_var;
} qmodel;

static double risk_of(const qmodel *q, const double *x) {
  double r = 0;
  for (size_t i = q->M; i-- > 0;) {
    const double e = x[3 * i] - q->p->wstar[i];
    r += q->p->lambda[i] * (e * e + x[3 * i + 1]);
  }
  return q->p->sigma2 + q->p->approx + r;
}

/* Checks every coordinate is finite, has v >= 0 and a fluctuation ratio within the limit. */
static int check_domain(qmodel *q, rc_error *err) {
  const double limit = q->opt->domain_limit;
  for (size_t i = 0; i < q->M; i++) {
    const double m = q->x[3 * i], v = q->x[3 * i + 1], s = q->x[3 * i + 2];
    const double w = q->p->wstar[i];
    if (!(isfinite(m) && isfinite(v) && isfinite(s) && m > 0 && v >= 0))
      return rc_error_set(err, RC_EDOMAIN,
                          "the analytic closure broke down at step %llu (coordinate %zu: mean %g, "
                          "variance %g): fluctuations rival the drift (eta too large for the "
                          "moment closure); use --method mc",
                          (unsigned long long)q->t, i + 1, m, v);
    const double ratio = sqrt(v) / (m > w ? m : w);
    if (ratio > q->stats->max_ratio)
      q->stats->max_ratio = ratio;
    if (ratio > limit)
      return rc_error_set(
          err, RC_EDOMAIN,
          "the analytic closure leaves its domain at step %llu: coordinate %zu "
          "fluctuates with sd/max(mean, w*) = %.3g > %.3g (multiplicative noise "
          "rivals the drift: eta too large for the moment closure); use --method mc",
          (unsigned long long)q->t, i + 1, ratio, limit);
  }
  return RC_SUCCESS;
}

/* Iterates n steps. Returns the first coordinate whose mean jumped by more than half in one
 * step (the closure's moments exploding), or M. */
static size_t exact_steps(qmodel *q, uint64_t n) {
  size_t jump = q->M;
  for (uint64_t k = 0; k < n; k++) {
    const double R = risk_of(q, q->x);
    for (size_t i = 0; i < q->M; i++) {
      double dx[3];
      double *xi = q->x + 3 * i;
      quad_moment_increment(&q->c[i], R, xi, dx);
      if (!(fabs(dx[0]) <= 0.5 * xi[0]) && jump == q->M)
        jump = i;
      xi[0] += dx[0];
      xi[1] += dx[1];
      xi[2] += dx[2];
    }
  }
  q->t += n;
  q->stats->exact_steps += (double)n;
  return jump;
}

/* Increment h, Jacobian J (row-major, J[r][c] = d h_r / d x_c) and dh/dR of coordinate i at
 * state xi and risk R, by forward differences on the increment (no cancellation: the
 * increment is itself computed directly). */
static void linearise(const quad_coord *c, double R, const double *xi, double *h, double *J,
                      double *hR) {
  quad_moment_increment(c, R, xi, h);
  const double m = xi[0], v = xi[1], s = xi[2];
  const double steps[3] = {FD_REL * m, FD_REL * v, FD_REL * fmax(fabs(s), v * sqrt(v))};
  for (int col = 0; col < 3; col++) {
    double xp[3] = {m, v, s}, hp[3];
    const double dstep = steps[col] > 0 ? steps[col] : FD_REL * 1e-300;
    xp[col] += dstep;
    quad_moment_increment(c, R, xp, hp);
    for (int r = 0; r < 3; r++)
      J[3 * r + col] = (hp[r] - h[r]) / dstep;
  }
  const double dR = FD_REL * R;
  double hp[3];
  quad_moment_increment(c, R + dR, xi, hp);
  for (int r = 0; r < 3; r++)
    hR[r] = (hp[r] - h[r]) / dR;
}

static inline void matvec(const double *A, const double *x, double *y) {
  for (int r = 0; r < 3; r++)
    y[r] = A[3 * r] * x[0] + A[3 * r + 1] * x[1] + A[3 * r + 2] * x[2];
}

/* With A = I + J: Sh = S_n h, ShR = S_n hR, ThR = T_n hR for n = 2^p, and the same at
 * n = 2^(p-1) in Sh1, ShR1, ThR1 (p >= 1), where S_n = sum_{j<n} A^j and
 * T_n = sum_{j<n} j A^(n-1-j) (the response to a forcing growing by one per step). Doubling:
 * S_2n = S_n + A^n S_n, T_2n = A^n T_n + n S_n + T_n, A^2n = A^n A^n. */
static void power_block(const double *J, const double *h, const double *hR, int p, double *Sh,
                        double *ShR, double *ThR, double *Sh1, double *ShR1, double *ThR1) {
  double P[9], P2[9], y[3];
  for (int k = 0; k < 9; k++)
    P[k] = J[k];
  P[0] += 1.0;
  P[4] += 1.0;
  P[8] += 1.0;
  double sh[3] = {h[0], h[1], h[2]}, shr[3] = {hR[0], hR[1], hR[2]}, thr[3] = {0, 0, 0};
  double n = 1.0;
  for (int level = 1; level <= p; level++) {
    if (level == p) {
      memcpy(Sh1, sh, sizeof sh);
      memcpy(ShR1, shr, sizeof shr);
      memcpy(ThR1, thr, sizeof thr);
    }
    matvec(P, thr, y);
    for (int r = 0; r < 3; r++)
      thr[r] += y[r] + n * shr[r];
    matvec(P, sh, y);
    for (int r = 0; r < 3; r++)
      sh[r] += y[r];
    matvec(P, shr, y);
    for (int r = 0; r < 3; r++)
      shr[r] += y[r];
    if (level < p) {
      for (int r = 0; r < 3; r++)
        for (int cc = 0; cc < 3; cc++)
          P2[3 * r + cc] = P[3 * r] * P[cc] + P[3 * r + 1] * P[3 + cc] + P[3 * r + 2] * P[6 + cc];
      memcpy(P, P2, sizeof P);
    }
    n *= 2.0;
  }
  memcpy(Sh, sh, sizeof sh);
  memcpy(ShR, shr, sizeof shr);
  memcpy(ThR, thr, sizeof thr);
}

/* xout = x0 + Sh + (dR / n) ThR with dR = R(xout) - R(x0), solved by fixed-point iteration
 * (R is quadratic in dR). Returns 0, or -1 when the iteration does not settle. */
static int block_end(const qmodel *q, const double *x0, double R0, const double *Sh,
                     const double *ThR, double n, double *xout) {
  double dR = 0;
  for (int it = 0; it < 60; it++) {
    for (size_t k = 0; k < 3 * q->M; k++)
      xout[k] = x0[k] + Sh[k] + dR / n * ThR[k];
    const double next = risk_of(q, xout) - R0;
    if (!isfinite(next))
      return -1;
    if (fabs(next - dR) <= 1e-14 * R0) {
      if (next != dR)
        for (size_t k = 0; k < 3 * q->M; k++)
          xout[k] = x0[k] + Sh[k] + next / n * ThR[k];
      return 0;
    }
    dR = next;
  }
  return -1;
}

/* Difference of two states, relative to what each moment feeds into the risk: means to
 * themselves (an error there is a shift of the coordinate's activation, which persists), the
 * variance to the second moment E (theta - w)^2 = (m - w)^2 + v and the third moment to its
 * 3/2 power (errors there are forgotten as the coordinate relaxes). */
static double state_diff(const qmodel *q, const double *a, const double *b) {
  double e = 0;
  for (size_t i = 0; i < q->M; i++) {
    const double *x = a + 3 * i, *y = b + 3 * i;
    const double u = x[0] - q->p->wstar[i], m2 = u * u + x[1];
    const double em = fabs(x[0] - y[0]) / x[0];
    const double ev = fabs(x[1] - y[1]) / m2;
    const double es = fabs(x[2] - y[2]) / (m2 * sqrt(m2));
    const double ei = fmax(em, fmax(ev, es));
    if (!(ei <= e))
      e = ei; /* also catches NaN */
  }
  return e;
}

/* Tries one block of 2^p steps; on success the state advances. Returns 1 accepted, 0 rejected. */
static int try_block(qmodel *q, int p) {
  const size_t M = q->M;
  const double n = ldexp(1.0, p), half = ldexp(1.0, p - 1);
  memcpy(q->x0, q->x, 3 * M * sizeof(double));
  const double R0 = risk_of(q, q->x0);
  for (size_t i = 0; i < M; i++) {
    const size_t o = 3 * i;
    linearise(&q->c[i], R0, q->x0 + o, q->h0 + o, q->J + 9 * i, q->hR + o);
    power_block(q->J + 9 * i, q->h0 + o, q->hR + o, p, q->Sh + o, q->ShR + o, q->ThR + o,
                q->Sh1 + o, q->ShR1 + o, q->ThR1 + o);
  }
  if (block_end(q, q->x0, R0, q->Sh, q->ThR, n, q->xf) ||
      block_end(q, q->x0, R0, q->Sh1, q->ThR1, half, q->xh))
    return 0;
  for (size_t i = 0; i < M; i++)
    if (!(q->xh[3 * i] > 0 && q->xh[3 * i + 1] > 0))
      return 0;
  const double Rh = risk_of(q, q->xh);
  for (size_t i = 0; i < M; i++) {
    const size_t o = 3 * i;
    double dummy[3];
    linearise(&q->c[i], Rh, q->xh + o, q->h0 + o, q->J + 9 * i, q->hR + o);
    power_block(q->J + 9 * i, q->h0 + o, q->hR + o, p - 1, q->Sh + o, q->ShR + o, q->ThR + o,
                q->Sh1 + o, q->ShR1 + o, dummy);
  }
  if (block_end(q, q->xh, Rh, q->Sh, q->ThR, half, q->x2))
    return 0;
  const double e = state_diff(q, q->x2, q->xf);
  if (!(e <= q->opt->tol))
    return 0;
  /* Richardson: the local error is third order (two half blocks carry a quarter of the full
   * block's), so x2 + (x2 - xf) / 3 cancels its leading term */
  for (size_t k = 0; k < 3 * M; k++)
    q->x[k] = q->x2[k] + (q->x2[k] - q->xf[k]) / 3.0;
  q->t += (uint64_t)n;
  q->stats->blocks += 1.0;
  /* the estimate grows ~8x per doubling: double the next block when well inside tol */
  if (e < q->opt->tol / 10 && q->lev < P_MAX)
    q->lev = p + 1;
  else
    q->lev = p;
  return 1;
}

/* Records the trajectory at every trace time reached. */
static void trace(qmodel *q) {
  for (; q->trace_next < q->trace_count && q->trace_t[q->trace_next] == q->t; q->trace_next++) {
    const size_t k = q->trace_next;
    for (size_t i = 0; i < q->M; i++) {
      q->trace_mean[k * q->M + i] = q->x[3 * i];
      if (q->trace_var)
        q->trace_var[k * q->M + i] = q->x[3 * i + 1];
    }
  }
}

static int cb_start(void *model, uint64_t horizon, rc_error *err) {
  (void)horizon;
  (void)err;
  qmodel *q = model;
  for (size_t i = 0; i < q->M; i++) {
    q->x[3 * i] = q->p->theta0[i];
    q->x[3 * i + 1] = 0.0;
    q->x[3 * i + 2] = 0.0;
  }
  q->t = 0;
  q->trace_next = 0;
  if (q->trace_count)
    trace(q);
  q->lev = P_MIN;
  q->wait = (uint64_t)1 << P_MIN;
  q->failures = 0;
  return RC_SUCCESS;
}

/* Advances count steps at the current step size. */
static int advance(qmodel *q, uint64_t count, rc_error *err) {
  while (count > 0) {
    int st;
    if (q->opt->step_by_step || q->wait > 0 || count < ((uint64_t)1 << P_MIN)) {
      uint64_t n = q->opt->step_by_step ? count : (q->wait > 0 ? q->wait : count);
      if (n > count)
        n = count;
      /* check the domain after every step so a blow-up is caught while finite */
      n = 1;
      const size_t jump = exact_steps(q, n);
      count -= n;
      if (jump < q->M)
        return rc_error_set(err, RC_EDOMAIN,
                            "the analytic closure broke down at step %llu: the mean of "
                            "coordinate %zu jumped by more than half in one step (multiplicative "
                            "noise rivals the drift: eta too large for the moment closure); use "
                            "--method mc",
                            (unsigned long long)q->t, jump + 1);
      if (q->wait > 0)
        q->wait = q->wait > n ? q->wait - n : 0;
      if ((st = check_domain(q, err)))
        return st;
      continue;
    }
    int p = q->lev;
    while (p > P_MIN && ((uint64_t)1 << p) > count)
      p--;
    if (try_block(q, p)) {
      q->failures = 0;
      count -= (uint64_t)1 << p;
      if ((st = check_domain(q, err)))
        return st;
    } else {
      q->stats->rejected += 1.0;
      if (p > P_MIN) {
        q->lev = p - 1;
      } else { /* iterate a while before probing again, longer after repeated failures */
        q->failures = q->failures < 6 ? q->failures + 1 : 6;
        q->wait = (uint64_t)1 << (P_MIN + q->failures - 1);
        q->lev = P_MIN;
      }
    }
  }
  return RC_SUCCESS;
}

static int cb_advance(void *model, double gamma, uint64_t count, const rc_walk_pos *pos,
                      rc_error *err) {
  (void)pos;
  qmodel *q = model;
  for (size_t i = 0; i < q->M; i++)
    q->c[i].eta = gamma;
  q->stats->steps += (double)count;
  /* a trajectory cuts the run at its times (blocks never step over one) */
  while (q->trace_count && q->trace_next < q->trace_count &&
         q->trace_t[q->trace_next] - q->t < count) {
    const uint64_t n = q->trace_t[q->trace_next] - q->t;
    int st = advance(q, n, err);
    if (st)
      return st;
    count -= n;
    trace(q);
  }
  int st = advance(q, count, err);
  if (!st && q->trace_count)
    trace(q);
  return st;
}

static int cb_record(void *model, uint64_t N, size_t index, rc_error *err) {
  (void)err;
  qmodel *q = model;
  const rc_quad_problem *p = q->p;
  double bias = 0, var = 0, active = 0;
  for (size_t i = q->M; i-- > 0;) {
    const double m = q->x[3 * i], e = m - p->wstar[i];
    bias += p->lambda[i] * e * e;
    var += p->lambda[i] * q->x[3 * i + 1];
    if (m >= 0.5 * p->wstar[i])
      active += 1.0;
  }
  rc_quad_row *r = &q->out[index];
  r->T = N;
  r->M = (double)q->M;
  r->sigma2 = p->sigma2;
  r->approx = p->approx;
  r->bias = bias;
  r->variance = var;
  r->excess = bias + var;
  r->risk = p->sigma2 + p->approx + r->excess;
  r->active = active;
  if (q->opt->theta_mean)
    for (size_t i = 0; i < q->M; i++)
      q->opt->theta_mean[index * q->M + i] = q->x[3 * i];
  if (q->opt->theta_var)
    for (size_t i = 0; i < q->M; i++)
      q->opt->theta_var[index * q->M + i] = q->x[3 * i + 1];
  return RC_SUCCESS;
}

rc_quad_analytic_options rc_quad_analytic_options_default(void) {
  rc_quad_analytic_options o = {0};
  o.tol = 1e-3;
  o.domain_limit = 0.35;
  return o;
}

/* The walk behind the curve and the trajectory (tr: the trace fields of a qmodel, or NULL). */
static int analytic_walk(const rc_quad_problem *problem, const rc_schedule *schedule,
                         const uint64_t *Ts, size_t count, const rc_quad_analytic_options *options,
                         rc_quad_row *out, rc_quad_analytic_stats *stats, const qmodel *tr,
                         rc_error *err) {
  const rc_quad_analytic_options defaults = rc_quad_analytic_options_default();
  const rc_quad_analytic_options *opt = options ? options : &defaults;
  if (!(opt->tol > 0 && opt->tol < 1))
    return rc_error_set(err, RC_EINVAL, "block tolerance must be in (0, 1) (got %g)", opt->tol);
  if (!(opt->domain_limit > 0 && isfinite(opt->domain_limit)))
    return rc_error_set(err, RC_EINVAL, "domain limit must be finite and > 0 (got %g)",
                        opt->domain_limit);
  if (problem->feature_cov)
    return rc_error_set(err, RC_EINVAL, "%s", QUAD_SKETCHED_REFUSAL);
  rc_quad_analytic_stats local_stats;
  memset(&local_stats, 0, sizeof local_stats);
  if (!stats)
    stats = &local_stats;
  memset(stats, 0, sizeof *stats);
  const size_t M = problem->M;
  qmodel q;
  memset(&q, 0, sizeof q);
  q.p = problem;
  q.opt = opt;
  q.stats = stats;
  q.out = out;
  q.M = M;
  q.count = count;
  if (tr) {
    q.trace_t = tr->trace_t;
    q.trace_count = tr->trace_count;
    q.trace_mean = tr->trace_mean;
    q.trace_var = tr->trace_var;
  }
  int st = RC_ENOMEM;
  q.c = malloc(M * sizeof *q.c);
  double *block = rc_alloc_doubles(rc_mul_size(M, 3 * 13 + 9), err);
  if (!q.c || !block) {
    if (!q.c)
      rc_error_set(err, RC_ENOMEM, "out of memory for %zu coordinates", M);
    goto done;
  }
  double **slots[] = {&q.x,  &q.x0,  &q.xf,  &q.xh,  &q.x2,   &q.h0,  &q.hR,
                      &q.Sh, &q.ShR, &q.ThR, &q.Sh1, &q.ShR1, &q.ThR1};
  for (size_t k = 0; k < sizeof slots / sizeof slots[0]; k++)
    *slots[k] = block + 3 * M * k;
  q.J = block + 3 * M * 13;
  for (size_t i = 0; i < M; i++) {
    q.c[i].lambda = problem->lambda[i];
    q.c[i].w = problem->wstar[i];
    q.c[i].eta = 0;
    q.c[i].inv_batch = 1.0 / (double)problem->batch;
  }
  const rc_walk_callbacks cb = {cb_start, cb_advance, cb_record};
  rc_walk_options wo = {0};
  wo.max_run = 0;
  wo.progress = opt->progress;
  wo.progress_context = opt->progress_context;
  st = rc_walk(schedule, Ts, count, &cb, &q, &wo, err);
done:
  free(q.c);
  free(block);
  return st;
}

/* See docs/THEORY.md sections 3.2 and 3.3 (exact one-step moments, the Pearson III closure)
 * and docs/QUAD.md sections 3 and 4. */
int rc_quad_analytic_curve(const rc_quad_problem *problem, const rc_schedule *schedule,
                           const uint64_t *Ts, size_t count,
                           const rc_quad_analytic_options *options, rc_quad_row *out,
                           rc_quad_analytic_stats *stats, rc_error *err) {
  if (!problem || !schedule || !Ts || !out)
    return rc_error_set(err, RC_EINVAL, "problem, schedule, horizons and output are required");
  int st = rc_schedule_check_horizons(schedule, Ts, count, NULL, err);
  if (st)
    return st;
  return analytic_walk(problem, schedule, Ts, count, options, out, stats, NULL, err);
}

int rc_quad_analytic_trajectory(const rc_quad_problem *problem, const rc_schedule *schedule,
                                uint64_t T, const uint64_t *times, size_t count,
                                const rc_quad_analytic_options *options, double *theta_mean,
                                double *theta_var, rc_quad_row *final, rc_error *err) {
  if (!problem || !schedule || !times || !theta_mean || count == 0)
    return rc_error_set(err, RC_EINVAL,
                        "problem, schedule, a non-empty list of times and the output are "
                        "required");
  int st = rc_schedule_check_horizons(schedule, &T, 1, NULL, err);
  if (st)
    return st;
  for (size_t k = 0; k < count; k++)
    if (times[k] > T || (k > 0 && times[k] < times[k - 1]))
      return rc_error_set(err, RC_EINVAL,
                          "trajectory times must be non-decreasing and <= T = %llu (time %zu is "
                          "%llu)",
                          (unsigned long long)T, k + 1, (unsigned long long)times[k]);
  qmodel tr;
  memset(&tr, 0, sizeof tr);
  tr.trace_t = times;
  tr.trace_count = count;
  tr.trace_mean = theta_mean;
  tr.trace_var = theta_var;
  rc_quad_row row;
  st = analytic_walk(problem, schedule, &T, 1, options, &row, NULL, &tr, err);
  if (!st && final)
    *final = row;
  return st;
}
