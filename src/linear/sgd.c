/* The exact second-moment recursion of one-pass SGD in the eigenbasis of G
 * (docs/THEORY.md section 1). */
#include "riskcalc/sgd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/root.h"
#include "core/util.h"
#include "linear/sketch_svd.h"
#include "linear/stage_jump.h"

rc_sgd_measure *rc_sgd_measure_alloc(size_t n, rc_error *err) {
  if (n == 0) {
    rc_error_set(err, RC_EINVAL, "a measure needs at least one atom");
    return NULL;
  }
  rc_sgd_measure *m = calloc(1, sizeof *m);
  if (!m) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a measure");
    return NULL;
  }
  m->n = n;
  m->mu = rc_alloc_doubles(n, err);
  m->nu = m->mu ? rc_alloc_doubles(n, err) : NULL;
  m->c0 = m->nu ? rc_alloc_doubles(n, err) : NULL;
  if (!m->c0) {
    rc_sgd_measure_free(m);
    return NULL;
  }
  memset(m->mu, 0, n * sizeof(double));
  memset(m->nu, 0, n * sizeof(double));
  memset(m->c0, 0, n * sizeof(double));
  return m;
}

void rc_sgd_measure_free(rc_sgd_measure *m) {
  if (m) {
    free(m->mu);
    free(m->nu);
    free(m->c0);
    free(m);
  }
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
  rc_sgd_options o = {1, 1.0, NULL, NULL, 0};
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

static int cmp_index_by_N(const void *pa, const void *pb, const uint64_t *Ns) {
  uint64_t a = Ns[*(const size_t *)pa], b = Ns[*(const size_t *)pb];
  return a < b ? -1 : a > b;
}

/* qsort has no context pointer in C11: insertion sort, counts are small. */
static void sort_indices(size_t *idx, size_t count, const uint64_t *Ns) {
  for (size_t i = 0; i < count; i++)
    idx[i] = i;
  for (size_t i = 1; i < count; i++) {
    size_t v = idx[i], j = i;
    while (j > 0 && cmp_index_by_N(&idx[j - 1], &v, Ns) > 0) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = v;
  }
}

/* Horizon-dependent schedules with stage jumps: rather than one pass per horizon, all horizons
 * advance together, stage by stage; every horizon whose current step is the same g moves in
 * the same round, so each step size's propagator is built once (a geometric schedule uses
 * gamma 2^-k for every horizon) and applied to all of them in one matrix product. The
 * arithmetic per horizon is the same as in separate passes. */
static int run_horizons_together(const rc_sgd_measure *m, const rc_schedule *schedule,
                                 const uint64_t *Ns, const size_t *idx, size_t count,
                                 const rc_sgd_options *o, double s2, rc_stage_jump *jump,
                                 double *a_work, rc_risk *out, rc_error *err) {
  const size_t n = m->n;
  size_t H = 0;
  for (size_t k = 0; k < count; k++)
    H += k == 0 || Ns[idx[k]] != Ns[idx[k - 1]];
  uint64_t *hN = malloc(H * sizeof *hN), *t = calloc(H, sizeof *t), *K = malloc(H * sizeof *K);
  double **bp = malloc(H * sizeof *bp), **vp = malloc(H * sizeof *vp);
  double *state = rc_alloc_doubles(rc_mul_size(2 * H, n), err);
  int status = RC_SUCCESS;
  if (!hN || !t || !K || !bp || !vp || !state) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for %zu horizons", H);
    goto done;
  }
  double total = 0, done_steps = 0;
  for (size_t k = 0, h = 0; k < count; k++)
    if (k == 0 || Ns[idx[k]] != Ns[idx[k - 1]]) {
      hN[h] = Ns[idx[k]];
      total += (double)hN[h];
      memcpy(state + 2 * h * n, m->c0, n * sizeof(double));
      memset(state + (2 * h + 1) * n, 0, n * sizeof(double));
      h++;
    }
  const uint64_t threshold = 8 * rc_stage_jump_size(jump) + 16;
  for (;;) {
    size_t h0 = 0;
    while (h0 < H && t[h0] == hN[h0])
      h0++;
    if (h0 == H)
      break;
    const double g = rc_schedule_gamma(schedule, t[h0], hN[h0]);
    /* When one horizon of this round needs the propagator, it is built once for all, and a
     * jump then costs a share of one matrix product: shorter stages join it too. */
    uint64_t cut = threshold;
    for (size_t h = h0; h < H; h++)
      if (t[h] < hN[h] && rc_schedule_gamma(schedule, t[h], hN[h]) == g &&
          rc_schedule_stage_end(schedule, t[h], hN[h]) - t[h] >= threshold)
        cut = rc_stage_jump_size(jump) / 4 + 16;
    size_t group = 0;
    for (size_t h = h0; h < H; h++) {
      if (t[h] == hN[h] || rc_schedule_gamma(schedule, t[h], hN[h]) != g)
        continue;
      const uint64_t end = rc_schedule_stage_end(schedule, t[h], hN[h]), steps = end - t[h];
      double *bias = state + 2 * h * n, *var = bias + n;
      if (steps >= cut) {
        K[group] = steps;
        bp[group] = bias;
        vp[group] = var;
        group++;
      } else {
        sgd_work view = {bias, var, a_work};
        run_stage(m, &view, g, (double)o->batch, s2, steps);
      }
      t[h] = end;
      done_steps += (double)steps;
    }
    if (group && (status = rc_stage_jump_apply_many(jump, g, group, K, s2, bp, vp, err)))
      goto done;
    if (o->progress && o->progress(o->progress_context, done_steps / total)) {
      status = rc_error_set(err, RC_ECANCEL, "cancelled");
      goto done;
    }
  }
  for (size_t k = 0, h = 0; k < count; k++) {
    if (k > 0 && Ns[idx[k]] != Ns[idx[k - 1]])
      h++;
    sgd_work view = {state + 2 * h * n, state + (2 * h + 1) * n, a_work};
    record(m, &view, Ns[idx[k]], o->sigma2, &out[idx[k]]);
    if (!isfinite(out[idx[k]].risk)) {
      status = rc_error_set(err, RC_EUNSTABLE, "risk overflowed at N = %llu",
                            (unsigned long long)Ns[idx[k]]);
      goto done;
    }
  }
done:
  free(hN);
  free(t);
  free(K);
  free(bp);
  free(vp);
  free(state);
  return status;
}

int rc_sgd_risk_curve(const rc_sgd_measure *m, const rc_schedule *schedule, const uint64_t *Ns,
                      size_t count, const rc_sgd_options *options, rc_risk *out, rc_error *err) {
  if (!m || !schedule || !Ns || !out || count == 0)
    return rc_error_set(err, RC_EINVAL, "measure, schedule and a non-empty list of N are required");
  rc_sgd_options o = options ? *options : rc_sgd_options_default();
  if (o.batch == 0)
    return rc_error_set(err, RC_EINVAL, "batch size must be at least 1");
  if (!(isfinite(o.sigma2) && o.sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        o.sigma2);
  uint64_t N_max = 0;
  int status = rc_schedule_check_horizons(schedule, Ns, count, &N_max, err);
  if (status)
    return status;
  status = rc_sgd_check_stability(m, schedule, N_max, o.batch, err);
  if (status)
    return status;

  const double B = (double)o.batch, s2 = o.sigma2 + m->approx;
  sgd_work w = {NULL, NULL, NULL};
  rc_stage_jump *jump = NULL;
  size_t *idx = malloc(count * sizeof *idx);
  w.bias = idx ? rc_alloc_doubles(m->n, err) : NULL;
  w.var = w.bias ? rc_alloc_doubles(m->n, err) : NULL;
  w.a = w.var ? rc_alloc_doubles(m->n, err) : NULL;
  if (!w.a) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for the recursion workspace");
    goto done;
  }
  sort_indices(idx, count, Ns);
  /* Stage jumps pay off only for stages much longer than the number of atoms. */
  if (!o.step_by_step && N_max >= 64)
    jump = rc_stage_jump_alloc(m, o.batch, NULL); /* NULL: too many atoms, iterate instead */
  const int per_horizon = rc_schedule_horizon_dependent(schedule);
  const size_t state_bytes = rc_mul_size(rc_mul_size(2 * count, m->n), sizeof(double));
  if (per_horizon && jump && state_bytes != 0 && state_bytes <= ((size_t)256 << 20)) {
    status = run_horizons_together(m, schedule, Ns, idx, count, &o, s2, jump, w.a, out, err);
    goto done;
  }
  double total = 0, done_steps = 0;
  if (per_horizon)
    for (size_t k = 0; k < count; k++)
      total += (double)Ns[k];
  else
    total = (double)N_max;

  /* One pass per horizon (geometric) or a single pass sampled at every N. */
  size_t k = 0;
  while (k < count) {
    const uint64_t horizon = per_horizon ? Ns[idx[k]] : N_max;
    memcpy(w.bias, m->c0, m->n * sizeof(double));
    memset(w.var, 0, m->n * sizeof(double));
    uint64_t t = 0;
    while (k < count && (per_horizon ? Ns[idx[k]] == horizon : 1)) {
      const uint64_t target = Ns[idx[k]];
      while (t < target) {
        uint64_t end = rc_schedule_stage_end(schedule, t, horizon);
        if (end > target)
          end = target;
        const double g = rc_schedule_gamma(schedule, t, horizon);
        if (jump && end - t >= 8 * rc_stage_jump_size(jump) + 16) {
          status = rc_stage_jump_apply(jump, g, end - t, s2, w.bias, w.var, err);
          if (status)
            goto done;
        } else {
          /* Cut long stepped stages so progress and cancellation stay responsive. */
          const uint64_t chunk = (uint64_t)1 << 20;
          if (end - t > chunk)
            end = t + chunk;
          run_stage(m, &w, g, B, s2, end - t);
        }
        done_steps += (double)(end - t);
        t = end;
        if (o.progress && o.progress(o.progress_context, done_steps / total)) {
          status = rc_error_set(err, RC_ECANCEL, "cancelled");
          goto done;
        }
      }
      record(m, &w, target, o.sigma2, &out[idx[k]]);
      if (!isfinite(out[idx[k]].risk)) {
        status = rc_error_set(err, RC_EUNSTABLE, "risk overflowed at N = %llu",
                              (unsigned long long)target);
        goto done;
      }
      k++;
    }
  }
done:
  rc_stage_jump_free(jump);
  free(idx);
  free(w.bias);
  free(w.var);
  free(w.a);
  return status;
}
