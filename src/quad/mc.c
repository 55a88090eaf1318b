/* Monte Carlo of real SGD on the quadratic model (docs/QUAD.md section 5): the runner's
 * simulate callback walks the schedule with the walker and records, per T, the run's risk and
 * theta. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/mc_runner.h"
#include "core/util.h"
#include "core/walker.h"
#include "riskcalc/quad.h"

typedef struct {
  const rc_quad_problem *p;
  const rc_schedule *schedule;
  const uint64_t *Ts;
  size_t count;
  double *sqrt_lambda; /* M */
  double tail_sd;      /* sd of the label part the model cannot see: sqrt(approx + sigma2) */
} qmc_model;

typedef struct {
  double *v; /* M */
  double *x; /* B x M */
  double *r; /* B */
  double *g; /* M */
  double *u; /* M standard normals (the sketched variant) */
} qmc_ws;

/* One run in progress: what the walker callbacks act on. */
typedef struct {
  const qmc_model *model;
  qmc_ws *ws;
  gsl_rng *rng;
  double *values;
  rc_mc_tick *tick;
  size_t run;
  uint64_t t;
} qmc_run;

static void *ws_alloc(const void *model, rc_error *err) {
  const qmc_model *m = model;
  const size_t M = m->p->M, B = m->p->batch;
  qmc_ws *w = calloc(1, sizeof *w);
  if (!w) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a Monte Carlo workspace");
    return NULL;
  }
  w->v = rc_alloc_doubles(M, err);
  w->x = w->v ? rc_alloc_doubles(rc_mul_size(B, M), err) : NULL;
  w->r = w->x ? rc_alloc_doubles(B, err) : NULL;
  w->g = w->r ? rc_alloc_doubles(M, err) : NULL;
  w->u = w->g ? rc_alloc_doubles(M, err) : NULL;
  if (!w->u) {
    free(w->v);
    free(w->x);
    free(w->r);
    free(w->g);
    free(w);
    return NULL;
  }
  return w;
}

static void ws_free(void *workspace) {
  qmc_ws *w = workspace;
  if (w) {
    free(w->v);
    free(w->x);
    free(w->r);
    free(w->g);
    free(w->u);
    free(w);
  }
}

static int run_start(void *ctx, uint64_t horizon, rc_error *err) {
  (void)horizon;
  (void)err;
  qmc_run *q = ctx;
  const rc_quad_problem *p = q->model->p;
  for (size_t i = 0; i < p->M; i++)
    q->ws->v[i] = sqrt(p->theta0[i]);
  q->t = 0;
  return RC_SUCCESS;
}

static int run_advance(void *ctx, double eta, uint64_t count, const rc_walk_pos *pos,
                       rc_error *err) {
  (void)pos;
  qmc_run *q = ctx;
  const rc_quad_problem *p = q->model->p;
  const size_t M = p->M, B = p->batch;
  const double *sl = q->model->sqrt_lambda, *w = p->wstar;
  const double tail = q->model->tail_sd, scale = 2.0 * eta / (double)B;
  double *v = q->ws->v, *x = q->ws->x, *r = q->ws->r, *g = q->ws->g;
  const double *L = p->feature_chol;
  double *u = q->ws->u;
  for (uint64_t step = 0; step < count; step++) {
    for (size_t b = 0; b < B; b++) {
      double *xb = x + b * M;
      double res = -tail * gsl_ran_gaussian_ziggurat(q->rng, 1.0);
      if (L) {
        /* sketched: z = L u; the label's part seen by z is <z, theta*> */
        for (size_t i = 0; i < M; i++)
          u[i] = gsl_ran_gaussian_ziggurat(q->rng, 1.0);
        for (size_t i = 0; i < M; i++) {
          const double *Li = L + i * M;
          double zi = 0;
          for (size_t j = 0; j <= i; j++)
            zi += Li[j] * u[j];
          xb[i] = zi;
          res += zi * (v[i] * v[i] - w[i]);
        }
      } else {
        for (size_t i = 0; i < M; i++) {
          const double xi = sl[i] * gsl_ran_gaussian_ziggurat(q->rng, 1.0);
          xb[i] = xi;
          res += xi * (v[i] * v[i] - w[i]);
        }
      }
      r[b] = res; /* f(x) - y */
    }
    for (size_t i = 0; i < M; i++)
      g[i] = 0.0;
    for (size_t b = 0; b < B; b++)
      for (size_t i = 0; i < M; i++)
        g[i] += r[b] * x[b * M + i];
    for (size_t i = 0; i < M; i++)
      v[i] *= 1.0 - scale * g[i];
  }
  q->t += count;
  for (size_t i = 0; i < M; i++)
    if (!isfinite(v[i]))
      return rc_error_set(err, RC_EUNSTABLE,
                          "SGD diverged in run %zu by step %llu (v_%zu not finite): the step "
                          "size is too large",
                          q->run, (unsigned long long)q->t, i + 1);
  if (rc_mc_tick_add(q->tick, (double)count))
    return rc_error_set(err, RC_ECANCEL, "simulation cancelled");
  return RC_SUCCESS;
}

/* a^T K b for the M x M row-major K. */
static double quad_form(const double *K, size_t M, const double *a, const double *b) {
  double s = 0;
  for (size_t i = 0; i < M; i++) {
    double kb = 0;
    for (size_t j = 0; j < M; j++)
      kb += K[i * M + j] * b[j];
    s += a[i] * kb;
  }
  return s;
}

static int run_record(void *ctx, uint64_t N, size_t index, rc_error *err) {
  qmc_run *q = ctx;
  const rc_quad_problem *p = q->model->p;
  const size_t M = p->M;
  double *row = q->values + index * (M + 1);
  double risk = 0;
  if (p->feature_cov) {
    double *e = q->ws->g; /* free between steps */
    for (size_t i = 0; i < M; i++) {
      row[1 + i] = q->ws->v[i] * q->ws->v[i];
      e[i] = row[1 + i] - p->wstar[i];
    }
    risk = quad_form(p->feature_cov, M, e, e);
  } else {
    for (size_t i = M; i-- > 0;) {
      const double th = q->ws->v[i] * q->ws->v[i], e = th - p->wstar[i];
      row[1 + i] = th;
      risk += p->lambda[i] * e * e;
    }
  }
  row[0] = p->sigma2 + p->approx + risk;
  if (!isfinite(row[0]))
    return rc_error_set(err, RC_EUNSTABLE, "run %zu: risk not finite after T = %llu", q->run,
                        (unsigned long long)N);
  return RC_SUCCESS;
}

static int simulate(const void *model, void *workspace, size_t run, gsl_rng *rng, double *values,
                    rc_mc_tick *tick, rc_error *err) {
  const qmc_model *m = model;
  qmc_run q = {m, workspace, rng, values, tick, run, 0};
  const rc_walk_callbacks cb = {run_start, run_advance, run_record};
  return rc_walk(m->schedule, m->Ts, m->count, &cb, &q, NULL, err);
}

/* The influence values of run th on the two estimators: psi = d^T A d and phi = 2 g^T A d with
 * d = th - thetabar, g = thetabar - theta* and A = diag(lambda), or K for the sketched variant
 * (kg = K g given). */
static void run_influence(const rc_quad_problem *p, const double *th, const double *tb,
                          const double *kg, double *psi_out, double *phi_out) {
  const size_t M = p->M;
  const double *lam = p->lambda, *w = p->wstar, *K = p->feature_cov;
  double psi = 0, phi = 0;
  for (size_t i = 0; i < M; i++) {
    const double dlt = th[i] - tb[i];
    if (K) {
      double kd = 0;
      for (size_t j = 0; j < M; j++)
        kd += K[i * M + j] * (th[j] - tb[j]);
      psi += dlt * kd;
      phi += 2.0 * kg[i] * dlt;
    } else {
      psi += lam[i] * dlt * dlt;
      phi += 2.0 * lam[i] * (tb[i] - w[i]) * dlt;
    }
  }
  *psi_out = psi;
  *phi_out = phi;
}

/* Bias and variance at horizon index k from the runs' theta (docs/QUAD.md sections 5 and 9), in
 * run order: variance = sum_i lambda_i s_i^2 (coordinate by coordinate) or tr(K C) = sum_r
 * psi_r / (R - 1) (sketched), bias = g^T A g - variance / R, standard errors from the spread of
 * the influence values psi_r and phi_r - psi_r / R. kg: M numbers of scratch. */
static void mc_parts(const rc_quad_problem *p, uint64_t T, const double *all, size_t V, size_t o0,
                     const double *mean, const double *se, size_t R, double *kg,
                     rc_quad_mc_row *row) {
  const size_t M = p->M;
  const double *lam = p->lambda, *w = p->wstar, *K = p->feature_cov, *tb = mean + o0 + 1;
  const double Rd = (double)R;
  double var = 0, gap = 0;
  if (K) {
    for (size_t i = 0; i < M; i++) {
      double sum = 0;
      for (size_t j = 0; j < M; j++)
        sum += K[i * M + j] * (tb[j] - w[j]);
      kg[i] = sum;
      gap += (tb[i] - w[i]) * sum;
    }
  } else {
    for (size_t i = 0; i < M; i++) {
      double ss = 0;
      for (size_t r = 0; r < R; r++) {
        const double dlt = all[r * V + o0 + 1 + i] - tb[i];
        ss += dlt * dlt;
      }
      var += lam[i] * ss / (Rd - 1.0);
      gap += lam[i] * (tb[i] - w[i]) * (tb[i] - w[i]);
    }
  }
  double spsi = 0, sphi = 0, mpsi = 0, mphi = 0, sum_psi = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (size_t r = 0; r < R; r++) {
      double psi, phi;
      run_influence(p, all + r * V + o0 + 1, tb, kg, &psi, &phi);
      phi -= psi / Rd;
      if (pass == 0) {
        sum_psi += psi;
        mpsi += psi;
        mphi += phi;
      } else {
        spsi += (psi - mpsi) * (psi - mpsi);
        sphi += (phi - mphi) * (phi - mphi);
      }
    }
    if (pass == 0) {
      mpsi /= Rd;
      mphi /= Rd;
    }
  }
  if (K)
    var = sum_psi / (Rd - 1.0);
  row->T = T;
  row->M = (double)M;
  row->risk = mean[o0];
  row->risk_se = se[o0];
  row->bias = gap - var / Rd;
  row->bias_se = sqrt(sphi / (Rd - 1.0) / Rd);
  row->variance = var;
  row->variance_se = sqrt(spsi / (Rd - 1.0) / Rd);
  row->runs = R;
}

rc_quad_mc_options rc_quad_mc_options_default(void) {
  rc_quad_mc_options o = {0};
  o.runs = 100;
  o.seed = 1;
  return o;
}

int rc_quad_mc_curve(const rc_quad_problem *problem, const rc_schedule *schedule,
                     const uint64_t *Ts, size_t count, const rc_quad_mc_options *options,
                     rc_quad_mc_row *out, rc_error *err) {
  if (!problem || !schedule || !Ts || !out)
    return rc_error_set(err, RC_EINVAL, "problem, schedule, horizons and output are required");
  int st = rc_schedule_check_horizons(schedule, Ts, count, NULL, err);
  if (st)
    return st;
  const rc_quad_mc_options defaults = rc_quad_mc_options_default();
  const rc_quad_mc_options *o = options ? options : &defaults;
  if (o->runs < 2)
    return rc_error_set(err, RC_EINVAL, "at least 2 runs are needed (got %zu)", o->runs);
  const size_t M = problem->M, R = o->runs, V = rc_mul_size(count, M + 1);
  const size_t total = rc_mul_size(R, V);
  if (V == 0 || total == 0)
    return rc_error_set(err, RC_ENOMEM, "%zu runs x %zu horizons x %zu coordinates overflow", R,
                        count, M + 1);
  qmc_model model = {problem, schedule, Ts, count, NULL, sqrt(problem->approx + problem->sigma2)};
  double *all = rc_alloc_doubles(total, err);
  double *mean = all ? rc_alloc_doubles(V, err) : NULL;
  double *se = mean ? rc_alloc_doubles(V, err) : NULL;
  model.sqrt_lambda = se ? rc_alloc_doubles(M, err) : NULL;
  st = RC_ENOMEM;
  if (!model.sqrt_lambda)
    goto done;
  for (size_t i = 0; i < M; i++)
    model.sqrt_lambda[i] = sqrt(problem->lambda[i]);
  const rc_mc_runner_callbacks cb = {ws_alloc, ws_free, simulate};
  rc_mc_runner_options ro = {0};
  ro.runs = R;
  ro.seed = o->seed;
  ro.threads = o->threads;
  ro.values = V;
  ro.work_per_run = rc_walk_steps(schedule, Ts, count);
  ro.progress = o->progress;
  ro.progress_context = o->progress_context;
  if ((st = rc_mc_runner_run(&cb, &model, &ro, all, mean, se, err)))
    goto done;
  /* bias and variance from the runs (the scale factors are no longer needed: scratch) */
  for (size_t k = 0; k < count; k++)
    mc_parts(problem, Ts[k], all, V, k * (M + 1), mean, se, R, model.sqrt_lambda, &out[k]);
  st = RC_SUCCESS;
done:
  free(all);
  free(mean);
  free(se);
  free(model.sqrt_lambda);
  return st;
}
