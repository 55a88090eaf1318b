/* The optimal schedule for a horizon (include/riskcalc/tune.h, docs/THEORY.md "Tuning").
 *
 * The excess risk after N steps is E = sum_j w_j c_j(N), w_j = nu_j mu_j, where the total
 * moment c = bias + variance follows the affine map of one step at step g,
 *   c+ = a(g) c + h(g) mu (w . c + s2),  a(g) = (1 - g mu)^2 + g^2 mu^2 / B,  h(g) = g^2 / B,
 * from c(0) = c0 (bias and variance add exactly, so their sum obeys the same map). Its adjoint
 *   lambda(N) = w,  lambda(t) = a(g_t) lambda(t+1) + h(g_t) w (mu . lambda(t+1))
 * gives the exact derivative with respect to the step of step t,
 *   dE/dg_t = lambda(t+1) . [a'(g_t) c(t) + h'(g_t) mu (w . c(t) + s2)],
 *   a'(g) = 2 mu ((1 + 1/B) g mu - 1),  h'(g) = 2 g / B,
 * and the derivative with respect to a stage's step is the sum over its steps. The reverse
 * sweep needs c(t) backwards: states are checkpointed at every stage start and, inside a
 * stage, at every segment start (segments of about sqrt(length) steps), and each segment is
 * recomputed forward before it is swept back, so memory is O(n (K + sqrt(N))) and time about
 * three forward passes. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multimin.h>

#include "core/util.h"
#include "riskcalc/tune.h"

/* Workspace of one gradient evaluation. */
typedef struct {
  const rc_measure *m;
  double B, s2;
  size_t n, K;
  const uint64_t *length;
  double *c;      /* n: the forward state */
  double *lam;    /* n: the adjoint */
  double *a, *w;  /* n: a(g) of the current stage; w = nu mu */
  double *starts; /* (K + 1) x n: c at every stage start (and at N) */
  double *seg;    /* segment states: up to seg_len x n (the segment's steps) */
  double *marks;  /* segment-start states of one stage: up to seg_count x n */
  uint64_t seg_cap, mark_cap;
} adj_work;

static void coefficients(const adj_work *aw, double g, double *h) {
  const double B = aw->B;
  for (size_t j = 0; j < aw->n; j++) {
    const double x = g * aw->m->mu[j];
    aw->a[j] = (1.0 - x) * (1.0 - x) + x * x / B;
  }
  *h = g * g / B;
}

/* steps forward steps at step g on c (a and h from coefficients). */
static void forward(const adj_work *aw, double h, double *c, uint64_t steps) {
  const size_t n = aw->n;
  const double *mu = aw->m->mu, *a = aw->a, *w = aw->w;
  for (uint64_t t = 0; t < steps; t++) {
    double e = 0;
    for (size_t j = 0; j < n; j++)
      e += w[j] * c[j];
    const double f = h * (e + aw->s2);
    for (size_t j = 0; j < n; j++)
      c[j] = a[j] * c[j] + f * mu[j];
  }
}

/* One step backwards: adds dE/dg of step t (state c(t) in c) to *grad and moves lam from
 * lambda(t+1) to lambda(t). */
static void backward_step(const adj_work *aw, double g, double h, const double *c, double *grad) {
  const size_t n = aw->n;
  const double *mu = aw->m->mu, *a = aw->a, *w = aw->w;
  double *lam = aw->lam;
  const double B = aw->B, dh = 2.0 * g / B, k = (1.0 + 1.0 / B) * g;
  double wc = 0, mul = 0, lmu = 0;
  for (size_t j = 0; j < n; j++) {
    wc += w[j] * c[j];
    lmu += lam[j] * mu[j];
  }
  for (size_t j = 0; j < n; j++)
    mul += lam[j] * 2.0 * mu[j] * (k * mu[j] - 1.0) * c[j];
  *grad += mul + dh * lmu * (wc + aw->s2);
  for (size_t j = 0; j < n; j++)
    lam[j] = a[j] * lam[j] + h * w[j] * lmu;
}

int rc_sgd_stage_gradient(const rc_measure *m, const uint64_t *length, const double *gamma,
                          size_t K, const rc_sgd_options *options, double *excess, double *grad,
                          rc_error *err) {
  if (!m || !length || !gamma || K == 0 || !excess || !grad)
    return rc_error_set(err, RC_EINVAL, "measure, stages and outputs are required");
  const rc_sgd_options o = options ? *options : rc_sgd_options_default();
  int status = rc_sgd_options_check(&o, err);
  if (status)
    return status;
  uint64_t longest = 0;
  for (size_t k = 0; k < K; k++) {
    if (length[k] == 0 || !(gamma[k] > 0 && isfinite(gamma[k])))
      return rc_error_set(err, RC_EINVAL,
                          "stage %zu: a stage needs at least one step and a finite step > 0 (got "
                          "%llu steps at %g)",
                          k + 1, (unsigned long long)length[k], gamma[k]);
    longest = length[k] > longest ? length[k] : longest;
  }
  const size_t n = m->n;
  const uint64_t seg_len = (uint64_t)ceil(sqrt((double)longest));
  const uint64_t seg_count = (longest + seg_len - 1) / seg_len;
  adj_work aw = {m,
                 (double)o.batch,
                 o.sigma2 + m->approx,
                 n,
                 K,
                 length,
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 NULL,
                 seg_len,
                 seg_count};
  aw.c = rc_alloc_doubles(n, err);
  aw.lam = aw.c ? rc_alloc_doubles(n, err) : NULL;
  aw.a = aw.lam ? rc_alloc_doubles(n, err) : NULL;
  aw.w = aw.a ? rc_alloc_doubles(n, err) : NULL;
  aw.starts = aw.w ? rc_alloc_doubles(rc_mul_size(K + 1, n), err) : NULL;
  aw.seg = aw.starts ? rc_alloc_doubles(rc_mul_size((size_t)seg_len, n), err) : NULL;
  aw.marks = aw.seg ? rc_alloc_doubles(rc_mul_size((size_t)seg_count, n), err) : NULL;
  if (!aw.marks) {
    status = RC_ENOMEM;
    goto done;
  }
  for (size_t j = 0; j < n; j++)
    aw.w[j] = m->nu[j] * m->mu[j];
  /* forward, keeping every stage start */
  memcpy(aw.starts, m->c0, n * sizeof(double));
  for (size_t k = 0; k < K; k++) {
    double h;
    coefficients(&aw, gamma[k], &h);
    memcpy(aw.starts + (k + 1) * n, aw.starts + k * n, n * sizeof(double));
    forward(&aw, h, aw.starts + (k + 1) * n, length[k]);
  }
  double E = 0;
  for (size_t j = n; j-- > 0;)
    E += aw.w[j] * aw.starts[K * n + j];
  if (!isfinite(E)) {
    status = rc_error_set(err, RC_EUNSTABLE, "the risk is not finite: a step is not stable");
    goto done;
  }
  *excess = E;
  /* backwards, stage by stage, segment by segment */
  memcpy(aw.lam, aw.w, n * sizeof(double));
  for (size_t k = K; k-- > 0;) {
    double h;
    const uint64_t L = length[k], nseg = (L + seg_len - 1) / seg_len;
    coefficients(&aw, gamma[k], &h);
    memcpy(aw.c, aw.starts + k * n, n * sizeof(double));
    for (uint64_t s = 0; s < nseg; s++) {
      memcpy(aw.marks + s * n, aw.c, n * sizeof(double));
      forward(&aw, h, aw.c, s + 1 < nseg ? seg_len : L - s * seg_len);
    }
    double gk = 0;
    for (uint64_t s = nseg; s-- > 0;) {
      const uint64_t steps = s + 1 < nseg ? seg_len : L - s * seg_len;
      memcpy(aw.seg, aw.marks + s * n, n * sizeof(double));
      for (uint64_t t = 1; t < steps; t++) {
        memcpy(aw.seg + t * n, aw.seg + (t - 1) * n, n * sizeof(double));
        forward(&aw, h, aw.seg + t * n, 1);
      }
      for (uint64_t t = steps; t-- > 0;)
        backward_step(&aw, gamma[k], h, aw.seg + t * n, &gk);
    }
    grad[k] = gk;
  }
done:
  free(aw.c);
  free(aw.lam);
  free(aw.a);
  free(aw.w);
  free(aw.starts);
  free(aw.seg);
  free(aw.marks);
  return status;
}

/* ------------------------------------------------------------ the optimiser */

/* Steps are g_k = g_top s(z_k), s the logistic function: every step stays below the stability
 * edge and, for steps well below it, z_k is log g_k up to a constant (GSL's multimin runs on
 * log step sizes). */
typedef struct {
  const rc_measure *m;
  const uint64_t *length;
  size_t K;
  rc_sgd_options o;
  double g_top;
  double *gamma, *grad;
  size_t evaluations;
  int status; /* first failure of an evaluation */
  rc_error *err;
} opt_ctx;

static double logistic(double z) {
  return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

static void evaluate(opt_ctx *c, const gsl_vector *z, double *f, gsl_vector *df) {
  for (size_t k = 0; k < c->K; k++)
    c->gamma[k] = c->g_top * logistic(gsl_vector_get(z, k));
  double E = DBL_MAX;
  if (!c->status)
    c->status = rc_sgd_stage_gradient(c->m, c->length, c->gamma, c->K, &c->o, &E, c->grad, c->err);
  c->evaluations++;
  if (c->status) {
    *f = DBL_MAX; /* finite, so GSL's own checks never fire; the caller stops on status */
    if (df)
      gsl_vector_set_zero(df);
    return;
  }
  *f = E;
  if (df)
    for (size_t k = 0; k < c->K; k++) {
      const double s = c->gamma[k] / c->g_top;
      gsl_vector_set(df, k, c->grad[k] * c->gamma[k] * (1.0 - s));
    }
}

static double opt_f(const gsl_vector *z, void *params) {
  double f;
  evaluate(params, z, &f, NULL);
  return f;
}

static void opt_df(const gsl_vector *z, void *params, gsl_vector *df) {
  double f;
  evaluate(params, z, &f, df);
}

static void opt_fdf(const gsl_vector *z, void *params, double *f, gsl_vector *df) {
  evaluate(params, z, f, df);
}

rc_schedule_opt_options rc_schedule_opt_options_default(void) {
  rc_schedule_opt_options o = {32, 0, 500, 1e-12};
  return o;
}

void rc_schedule_opt_result_free(rc_schedule_opt_result *r) {
  if (r) {
    free(r->length);
    free(r->gamma);
    r->length = NULL;
    r->gamma = NULL;
    r->count = 0;
  }
}

/* K stages of equal length (the first N mod K one step longer); per step: K = N of 1. */
static void layout(uint64_t N, uint64_t *length, size_t K) {
  for (size_t k = 0; k < K; k++)
    length[k] = N / K + (k < N % K);
}

int rc_sgd_schedule_opt(const rc_measure *m, uint64_t N, const rc_sgd_options *options,
                        const rc_schedule_opt_options *opt_in, rc_schedule_opt_result *out,
                        rc_error *err) {
  if (!m || !out)
    return rc_error_set(err, RC_EINVAL, "measure and output are required");
  memset(out, 0, sizeof *out);
  const rc_schedule_opt_options opt = opt_in ? *opt_in : rc_schedule_opt_options_default();
  rc_sgd_options o = options ? *options : rc_sgd_options_default();
  o.progress = NULL;
  int status = rc_sgd_options_check(&o, err);
  if (status)
    return status;
  if (N == 0)
    return rc_error_set(err, RC_EINVAL, "N must be at least 1");
  if (opt.per_step && N > RC_SCHEDULE_OPT_MAX_PER_STEP)
    return rc_error_set(err, RC_EINVAL,
                        "a free step per step is offered up to N = %d (got %llu): use stages",
                        RC_SCHEDULE_OPT_MAX_PER_STEP, (unsigned long long)N);
  const size_t K = opt.per_step ? (size_t)N : opt.stages;
  if (!opt.per_step && (K == 0 || K > RC_SCHEDULE_OPT_MAX_PER_STEP || K > N))
    return rc_error_set(err, RC_EINVAL, "%zu stages need 1 <= K <= min(N, %d) (N = %llu)", K,
                        RC_SCHEDULE_OPT_MAX_PER_STEP, (unsigned long long)N);
  if (opt.max_iter == 0 || !(opt.rtol >= 0))
    return rc_error_set(err, RC_EINVAL, "max_iter must be >= 1 and rtol >= 0");
  double g_stable;
  if ((status = rc_sgd_stable_gamma(m, o.batch, &g_stable, err)))
    return status;
  if (!isfinite(g_stable))
    return rc_error_set(err, RC_EINVAL, "the measure has no moving atom: no step changes the risk");
  out->length = malloc(K * sizeof *out->length);
  out->gamma = malloc(K * sizeof *out->gamma);
  /* grad and z share one block; z is a view (gsl_vector_alloc would raise on ENOMEM) */
  double *grad = malloc(2 * K * sizeof *grad);
  gsl_multimin_fdfminimizer *s = NULL;
  gsl_vector_view zv;
  gsl_vector *z = NULL;
  if (!out->length || !out->gamma || !grad) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for %zu stages", K);
    goto done;
  }
  out->count = K;
  layout(N, out->length, K);
  opt_ctx c = {m, out->length, K, o, g_stable * (1 - 1e-9), out->gamma, grad, 0, 0, err};
  zv = gsl_vector_view_array(grad + K, K);
  z = &zv.vector;
  /* the BFGS state is GSL's own allocation (include/riskcalc/error.h) */
  s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, K);
  if (!s) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for the minimiser");
    goto done;
  }
  /* Start from the best of the tuned baselines written on the stages (each stage takes the
   * baseline's step at its middle), so the result is never worse than that start. */
  static const char *const starts[] = {"const", "cosine", "geometric"};
  double best = DBL_MAX;
  for (size_t b = 0; b < sizeof starts / sizeof starts[0]; b++) {
    rc_schedule *base = rc_schedule_parse(starts[b], 1.0, err);
    rc_gamma_tuned tuned;
    status = base ? rc_sgd_tune_gamma(m, base, N, &o, &tuned, err) : RC_ENOMEM;
    if (status && status != RC_ENOCONV) {
      rc_schedule_free(base);
      goto done;
    }
    rc_schedule_set_base(base, tuned.gamma, NULL);
    uint64_t t0 = 0;
    for (size_t k = 0; k < K; k++) {
      const double g = fmin(rc_schedule_gamma(base, t0 + out->length[k] / 2, N), c.g_top);
      out->gamma[k] = fmax(g, c.g_top * 1e-300);
      t0 += out->length[k];
    }
    rc_schedule_free(base);
    double E;
    status = rc_sgd_stage_gradient(m, out->length, out->gamma, K, &o, &E, grad, err);
    if (status)
      goto done;
    if (E < best) {
      best = E;
      for (size_t k = 0; k < K; k++) {
        const double sk = fmin(fmax(out->gamma[k] / c.g_top, 1e-300), 1 - 1e-16);
        gsl_vector_set(z, k, log(sk) - log1p(-sk));
      }
    }
  }
  gsl_multimin_function_fdf F = {opt_f, opt_df, opt_fdf, K, &c};
  size_t iter = 0;
  int converged = 0;
  /* BFGS, restarted from its best point while a restart still improves (vector_bfgs2 can stall
   * on a line search far from the minimum) */
  for (int restart = 0; restart < 8 && !converged && iter < opt.max_iter; restart++) {
    const double before = best;
    gsl_multimin_fdfminimizer_set(s, &F, z, 0.1, 0.1);
    if (c.status) {
      status = c.status;
      goto done;
    }
    for (int stalled = 0; iter < opt.max_iter && !stalled; iter++) {
      const int st = gsl_multimin_fdfminimizer_iterate(s);
      if (c.status) {
        status = c.status;
        goto done;
      }
      const double f = s->f;
      stalled = st == GSL_ENOPROG || !(f < best) || best - f <= opt.rtol * f;
      if (f < best)
        best = f;
    }
    gsl_vector_memcpy(z, s->x);
    converged = !(best < before) || before - best <= opt.rtol * best;
  }
  out->iterations = iter;
  out->converged = converged;
  /* the final steps and their risk (the minimiser's x is its best point) */
  for (size_t k = 0; k < K; k++)
    out->gamma[k] = c.g_top * logistic(gsl_vector_get(z, k));
  /* the row with its parts, through the engine itself (stages jumped) */
  rc_schedule *st = rc_schedule_stages_alloc(out->length, out->gamma, K, err);
  status = st ? rc_sgd_risk_curve(m, st, &N, 1, &o, &out->row, err) : RC_ENOMEM;
  rc_schedule_free(st);
  if (status)
    goto done;
  out->evaluations = c.evaluations;
  out->gamma_max = c.g_top;
done:
  if (s)
    gsl_multimin_fdfminimizer_free(s);
  free(grad);
  if (status)
    rc_schedule_opt_result_free(out);
  return status;
}
