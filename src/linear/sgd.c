/* The exact second-moment recursion of one-pass SGD in the eigenbasis of G
 * (docs/THEORY.md section 1). */
#include "riskcalc/sgd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "core/rng.h"
#include "core/root.h"
#include "core/util.h"
#include "core/walker.h"
#include "linear/sketch_gram.h"
#include "linear/sketch_svd.h"
#include "linear/stage_jump.h"

rc_sgd_measure *rc_sgd_measure_alloc(size_t n, rc_error *err) {
  return rc_measure_alloc(n, err);
}

void rc_sgd_measure_free(rc_sgd_measure *m) {
  rc_measure_free(m);
}

/* The measure through the thin SVD of S H^1/2 (sketch and dimensions checked). */
static rc_sgd_measure *measure_svd(const rc_spectrum *spectrum, const rc_prior *prior,
                                   const rc_sketch *sketch, rc_error *err) {
  const size_t M = sketch->M, d = sketch->d;
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

/* The Gram path is tried for wide sketches (d >= 4 M) of at least 2^20 entries: there its
 * 2 M^2 d flops and O(M^2 + M b) memory beat the SVD's O(M^2 d) flops and 5 M d numbers;
 * smaller sketches keep the SVD, which costs little there and is the most accurate. */
static int gram_pays(size_t M, size_t d) {
  return d >= 4 * M && (double)M * (double)d >= 1048576.0;
}

/* Columns per block of the Gram path: M x 256 doubles per block. */
#define SGD_GRAM_BLOCK 256

static int check_dimensions(const rc_spectrum *spectrum, const rc_prior *prior, size_t d,
                            rc_error *err) {
  if (spectrum->d != d || prior->d != d)
    return rc_error_set(
        err, RC_EINVAL,
        "dimensions disagree: sketch has d = %zu columns, spectrum d = %zu, prior d = %zu", d,
        spectrum->d, prior->d);
  return RC_SUCCESS;
}

/* Numbers the SVD path holds for an M x d sketch (rc_sgd_measure_from_sketch_cost). */
static double svd_numbers(double m, double dd) {
  const double r = m < dd ? m : dd;
  return 3 * m * dd + 2 * (m * r + r * dd) + 4 * r * r + 7 * r + 4 * r + dd + 3 * r +
         (m > dd ? m : dd);
}

/* The Gram path found G too ill-conditioned and sends a wide sketch to the SVD: refuse before
 * allocating when that path cannot fit in this machine's memory (the caller's up-front
 * estimate, rc_sgd_measure_gaussian_cost, counts the Gram path). */
static int svd_fallback_fits(size_t M, size_t d, rc_error *err) {
  const double bytes = 8 * svd_numbers((double)M, (double)d),
               physical = (double)rc_physical_memory();
  if (physical > 0 && RC_COST_BYTES_MARGIN * bytes > physical)
    return rc_error_set(err, RC_ENOMEM,
                        "G = S H S^T of this %zu x %zu sketch is too ill-conditioned for its "
                        "eigensolver (src/linear/sketch_gram.h), and the SVD that would replace it "
                        "needs %.3g GiB, more than this machine's %.3g GiB: use a smaller d or M",
                        M, d, RC_COST_BYTES_MARGIN * bytes / 1073741824.0, physical / 1073741824.0);
  return RC_SUCCESS;
}

rc_sgd_measure *rc_sgd_measure_from_sketch(const rc_spectrum *spectrum, const rc_prior *prior,
                                           const rc_sketch *sketch, rc_error *err) {
  if (!spectrum || !prior || !sketch) {
    rc_error_set(err, RC_EINVAL, "spectrum, prior and sketch are required");
    return NULL;
  }
  if (check_dimensions(spectrum, prior, sketch->d, err))
    return NULL;
  if (gram_pays(sketch->M, sketch->d)) {
    rc_measure *m = NULL;
    if (rc_sketch_gram_measure(spectrum, prior, sketch->M, SGD_GRAM_BLOCK, rc_sketch_stored_columns,
                               (void *)sketch, &m, err))
      return NULL;
    if (m)
      return m;
    if (svd_fallback_fits(sketch->M, sketch->d, err))
      return NULL;
  }
  return measure_svd(spectrum, prior, sketch, err);
}

rc_sgd_measure *rc_sgd_measure_gaussian(const rc_spectrum *spectrum, const rc_prior *prior,
                                        size_t M, gsl_rng *rng, rc_error *err) {
  if (!spectrum || !prior || !rng) {
    rc_error_set(err, RC_EINVAL, "spectrum, prior and generator are required");
    return NULL;
  }
  const size_t d = spectrum->d;
  if (check_dimensions(spectrum, prior, d, err))
    return NULL;
  rc_measure *m = NULL;
  if (M >= 1 && gram_pays(M, d)) {
    gsl_rng *start = rc_rng_alloc_like(rng, err);
    rc_sketch_stream *st = start ? rc_sketch_stream_alloc(M, d, rng, err) : NULL;
    const int status = st ? rc_sketch_gram_measure(spectrum, prior, M, SGD_GRAM_BLOCK,
                                                   rc_sketch_stream_columns, st, &m, err)
                          : RC_ENOMEM;
    rc_sketch_stream_free(st);
    if (status || m || svd_fallback_fits(M, d, err)) {
      rc_rng_free(start);
      return m;
    }
    /* The criterion wants the SVD: the same sketch again, stored this time; rng already
     * stands where drawing it leaves it. */
    rc_sketch *sketch = rc_sketch_gaussian_alloc(M, d, start, err);
    m = sketch ? measure_svd(spectrum, prior, sketch, err) : NULL;
    rc_sketch_free(sketch);
    rc_rng_free(start);
    return m;
  }
  rc_sketch *sketch = rc_sketch_gaussian_alloc(M, d, rng, err);
  m = sketch ? measure_svd(spectrum, prior, sketch, err) : NULL;
  rc_sketch_free(sketch);
  return m;
}

struct stability_params {
  const rc_sgd_measure *m;
  double batch;
  double mu_max; /* the scale: the function is solved in t = g mu_max */
};

/* sum_j nu_j t (mu_j / mu_max) / (2 - (1+1/B) t mu_j / mu_max) - B: increasing in t = g mu_max,
 * zero at the stability edge. Scaled so that eigenvalues of any magnitude (1e-320, 1e308)
 * give t of order 1. */
static int stability_function(double t, void *params, double *value) {
  const struct stability_params *p = params;
  const double B = p->batch, kappa = 1.0 + 1.0 / B;
  double sum = 0;
  for (size_t j = 0; j < p->m->n; j++) {
    const double x = t * (p->m->mu[j] / p->mu_max);
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
  const double hi = 2.0 * B / (B + 1.0) * (1.0 - 4 * DBL_EPSILON);
  struct stability_params params = {m, B, mu_max};
  double f_hi, t;
  stability_function(hi, &params, &f_hi);
  if (f_hi <= 0)
    t = hi;
  else {
    int status = rc_root_brent(stability_function, &params, 0.0, hi, &stability_root,
                               "stability edge of the step size", &t, err);
    if (status)
      return status;
  }
  /* The edge is t / mu_max. The recursion multiplies g^2 by mu: with mu_max outside
   * [RC_SGD_MU_MIN, RC_SGD_MU_MAX] g^2 would leave the doubles (1e250 lost the variance to an
   * underflow of g^2, a subnormal spectrum overflowed the step itself). */
  if (!(mu_max >= RC_SGD_MU_MIN && mu_max <= RC_SGD_MU_MAX))
    return rc_error_set(err, RC_EDOMAIN,
                        "the largest eigenvalue of S H S^T is %g: it must lie in [%g, %g] so that "
                        "the steps and their squares are doubles (rescale H, and the step by the "
                        "inverse factor)",
                        mu_max, RC_SGD_MU_MIN, RC_SGD_MU_MAX);
  *gamma_max = t / mu_max;
  return RC_SUCCESS;
}

rc_sgd_options rc_sgd_options_default(void) {
  rc_sgd_options o = {1, 1.0, NULL, NULL, 0, 0, 0};
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
  if (!isfinite(g_max)) /* a growing schedule (step:K:F with F > 1) past the doubles */
    return rc_error_set(err, RC_EUNSTABLE,
                        "step size diverges: the schedule's step grows past the largest double "
                        "within N = %llu steps (the largest mean-square stable step is %.6g, batch "
                        "%zu)",
                        (unsigned long long)N, g_stable, batch);
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

/* Workspace of one risk computation. eb, ev cache sum_j nu_j mu_j c_j of the current bias and
 * variance (valid while dots is set), so consecutive one-step runs (poly, cosine and file
 * schedules) make one pass over the atoms per step. */
typedef struct {
  double *bias, *var, *wmu; /* wmu_j = nu_j mu_j */
  double eb, ev;
  int dots;
} sgd_work;

/* The step path sums over atoms in SGD_LANES partial sums, lane l holding the atoms j = l mod
 * SGD_LANES, added in a fixed tree: the order, hence every rounding, is the same whatever
 * vector width the kernel runs at (the library is compiled with -std=c11, which also keeps
 * the compiler from contracting a * b + c into fused multiply-adds). */
#define SGD_LANES 8

/* x86-64 builds carry AVX-512 and AVX2 clones of the kernels, chosen at load time; the
 * arithmetic is the same in each, only wider. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SGD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SGD_CLONES
#endif

static double lanes_sum(const double *s) {
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* sum_j w_j x_j in the lane order above. */
SGD_CLONES static double lanes_dot(size_t n, const double *restrict w, const double *restrict x) {
  double s[SGD_LANES] = {0};
  size_t j = 0;
  for (; j + SGD_LANES <= n; j += SGD_LANES) {
#pragma omp simd
    for (size_t l = 0; l < SGD_LANES; l++)
      s[l] += w[j + l] * x[j + l];
  }
  for (size_t l = 0; j < n; j++, l++)
    s[l] += w[j] * x[j];
  return lanes_sum(s);
}

/* One step on every atom: c_j <- a_j c_j + f mu_j with a_j = (1 - x)^2 + x^2 / B (written
 * without cancellation), x = g mu_j, for the bias (f = fb) and the variance (f = fv); stores
 * the next step's sums sum_j wmu_j c_j in dots[0..1]. One pass, no divide. */
SGD_CLONES static void step_atoms(size_t n, const double *restrict mu, const double *restrict wmu,
                                  double g, double inv_B, double fb, double fv,
                                  double *restrict bias, double *restrict var, double dots[2]) {
  double sb[SGD_LANES] = {0}, sv[SGD_LANES] = {0};
  size_t j = 0;
  for (; j + SGD_LANES <= n; j += SGD_LANES) {
#pragma omp simd
    for (size_t l = 0; l < SGD_LANES; l++) {
      const double m = mu[j + l], x = g * m, y = 1.0 - x, a = y * y + x * x * inv_B;
      const double b = a * bias[j + l] + fb * m, v = a * var[j + l] + fv * m;
      bias[j + l] = b;
      var[j + l] = v;
      sb[l] += wmu[j + l] * b;
      sv[l] += wmu[j + l] * v;
    }
  }
  for (size_t l = 0; j < n; j++, l++) {
    const double m = mu[j], x = g * m, y = 1.0 - x, a = y * y + x * x * inv_B;
    const double b = a * bias[j] + fb * m, v = a * var[j] + fv * m;
    bias[j] = b;
    var[j] = v;
    sb[l] += wmu[j] * b;
    sv[l] += wmu[j] * v;
  }
  dots[0] = lanes_sum(sb);
  dots[1] = lanes_sum(sv);
}

/* steps steps at constant step g: per step, the coefficients h = g^2 / B, fb and fv once, then
 * one pass over the atoms. */
static void run_stage(const rc_sgd_measure *m, sgd_work *w, double g, double B, double s2,
                      uint64_t steps) {
  const size_t n = m->n;
  const double inv_B = 1.0 / B, h = g * g * inv_B;
  if (!w->dots) {
    w->eb = lanes_dot(n, w->wmu, w->bias);
    w->ev = lanes_dot(n, w->wmu, w->var);
    w->dots = 1;
  }
  double dots[2] = {w->eb, w->ev};
  for (uint64_t t = 0; t < steps; t++)
    step_atoms(n, m->mu, w->wmu, g, inv_B, h * dots[0], h * (dots[1] + s2), w->bias, w->var, dots);
  w->eb = dots[0];
  w->ev = dots[1];
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
  sw->w.dots = 0;
  return RC_SUCCESS;
}

static int walk_advance(void *ctx, double g, uint64_t steps, const rc_walk_pos *pos,
                        rc_error *err) {
  (void)pos;
  sgd_walk *sw = ctx;
  if (sw->jump && steps >= jump_threshold(sw->jump)) {
    sw->w.dots = 0;
    return rc_stage_jump_apply(sw->jump, g, steps, sw->s2, sw->w.bias, sw->w.var, err);
  }
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
      sgd_work view = {bias, var, st->base.w.wmu, 0, 0, 0};
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
  sgd_work view = {
      st->state + 2 * pass * n, st->state + (2 * pass + 1) * n, st->base.w.wmu, 0, 0, 0};
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

/* Stepped horizons of a horizon-dependent schedule, each its own pass, spread over OpenMP
 * threads (one workspace per thread). Each horizon walks exactly as in rc_walk's pass for it,
 * so the rows are bit-identical to the sequential walk; on failure the error of the lowest
 * index is reported. */
static int run_horizons_parallel(const sgd_walk *base, const rc_schedule *schedule,
                                 const uint64_t *Ns, size_t count, int threads,
                                 const rc_walk_options *wo, rc_error *err) {
  const size_t n = base->m->n;
  size_t bad = count;
  int bad_status = RC_SUCCESS, no_memory = 0;
  rc_error bad_err = {0, ""};
#pragma omp parallel num_threads(threads)
  {
    sgd_walk sw = *base;
    rc_error e = {0, ""};
    sw.w.bias = rc_alloc_doubles(n, &e);
    sw.w.var = sw.w.bias ? rc_alloc_doubles(n, &e) : NULL;
    if (!sw.w.var) {
#pragma omp atomic write
      no_memory = 1;
    }
#pragma omp for schedule(dynamic, 1)
    for (size_t k = 0; k < count; k++) {
      int status = RC_ENOMEM;
      if (sw.w.var) {
        const rc_walk_callbacks cb = {walk_start, walk_advance, walk_record};
        sw.out = base->out + k;
        status = rc_walk(schedule, Ns + k, 1, &cb, &sw, wo, &e);
      }
      if (status) {
#pragma omp critical
        if (k < bad) {
          bad = k;
          bad_status = status;
          bad_err = e;
        }
      }
    }
    free(sw.w.bias);
    free(sw.w.var);
  }
  /* a thread without its workspace is an error even when the others did its share */
  if (no_memory)
    return rc_error_set(err, RC_ENOMEM, "out of memory for the recursion workspace");
  if (bad < count) {
    if (err)
      *err = bad_err;
    return bad_status;
  }
  return RC_SUCCESS;
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
  if (o->threads < 0)
    return rc_error_set(err, RC_EINVAL, "thread count must be >= 0 (got %d)", o->threads);
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

  sgd_walk sw = {
      m, {NULL, NULL, NULL, 0, 0, 0}, (double)o.batch, o.sigma2 + m->approx, o.sigma2, NULL, out};
  sw.w.bias = rc_alloc_doubles(m->n, err);
  sw.w.var = sw.w.bias ? rc_alloc_doubles(m->n, err) : NULL;
  sw.w.wmu = sw.w.var ? rc_alloc_doubles(m->n, err) : NULL;
  if (!sw.w.wmu) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for the recursion workspace");
    goto done;
  }
  for (size_t j = 0; j < m->n; j++)
    sw.w.wmu[j] = m->nu[j] * m->mu[j];
  if ((status = make_jump(m, &o, N_max, &sw.jump, err)))
    goto done;
  rc_walk_options wo = {sw.jump ? 0 : SGD_MAX_STEPPED_RUN, o.progress, o.progress_context};
  const size_t state_bytes = rc_mul_size(rc_mul_size(2 * count, m->n), sizeof(double));
  if (rc_schedule_horizon_dependent(schedule) && sw.jump && state_bytes != 0 &&
      state_bytes <= ((size_t)256 << 20)) {
    status = run_together(&sw, schedule, Ns, count, &wo, err);
  } else if (rc_schedule_horizon_dependent(schedule) && !sw.jump && !o.progress &&
             distinct_horizons(Ns, count) > 1) {
    const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
    status = run_horizons_parallel(&sw, schedule, Ns, count, threads < 1 ? 1 : threads, &wo, err);
  } else {
    const rc_walk_callbacks cb = {walk_start, walk_advance, walk_record};
    status = rc_walk(schedule, Ns, count, &cb, &sw, &wo, err);
  }
done:
  rc_stage_jump_free(sw.jump);
  free(sw.w.bias);
  free(sw.w.var);
  free(sw.w.wmu);
  return status;
}

/* ------------------------------------------------------------ costs */

int rc_sgd_measure_gaussian_cost(size_t M, size_t d, rc_cost *cost, rc_error *err) {
  if (!cost)
    return rc_error_set(err, RC_EINVAL, "output is required");
  if (M == 0 || d == 0)
    return rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu: both must be at least 1", M,
                        d);
  if (!gram_pays(M, d))
    return rc_sgd_measure_from_sketch_cost(M, d, cost, err); /* the sketch is stored */
  const double m = (double)M, dd = (double)d;
  /* the Gram path without the stored sketch: one generator state per row and the start state
   * (gsl_rng_mt19937: 5,000 bytes each), the block, G, K, U, dsyevr's work, the measure, and
   * the packing buffers OpenBLAS fills in dsyrk (measured 1.6 to 3.8 MB with the generic
   * kernels, more with SkylakeX's: 6 MiB counted), which this small footprint no longer hides */
  const double numbers = (m + 1) * 5000.0 / 8.0 + 3 * m * m + SGD_GRAM_BLOCK * m + 26 * m + 5 * m +
                         2 * m + dd + 3 * m + 786432.0;
  cost->bytes = 8 * numbers;
  cost->updates = 2 * m * m * dd + 10 * m * m * m;
  return RC_SUCCESS;
}

int rc_sgd_measure_from_sketch_cost(size_t M, size_t d, rc_cost *cost, rc_error *err) {
  if (!cost)
    return rc_error_set(err, RC_EINVAL, "output is required");
  if (M == 0 || d == 0)
    return rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu: both must be at least 1", M,
                        d);
  const double m = (double)M, dd = (double)d, r = m < dd ? m : dd;
  if (gram_pays(M, d)) {
    /* the Gram path: the sketch, G, K and U (M^2 each), one block of M x SGD_GRAM_BLOCK columns,
     * dsyevr's work (26 M numbers, 10 M integers), the eigenvalues and support, sqrt(lambda) and
     * the measure. Should its accuracy criterion send the sketch to the SVD, that path needs
     * the memory of the formula below (about 5 M d numbers). */
    const double numbers =
        m * dd + 3 * m * m + SGD_GRAM_BLOCK * m + 26 * m + 5 * m + 2 * m + dd + 3 * m;
    if (!(numbers * 8 < 1.8e19))
      return rc_error_set(err, RC_EINVAL, "sketch size M x d = %zu x %zu overflows", M, d);
    cost->bytes = 8 * numbers;
    cost->updates = 2 * m * m * dd + 10 * m * m * m;
    return RC_SUCCESS;
  }
  /* sketch + S H^1/2 + LAPACKE's transposed input, U and V^T with their transposes, dgesdd's
   * work (about 4 r^2 + 7 r beyond them) and integer work, sqrt(lambda), the measure */
  const double numbers = svd_numbers(m, dd);
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
