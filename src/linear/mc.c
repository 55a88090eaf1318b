/* The Monte Carlo verifier: one-pass SGD on sketched linear regression simulated run by run
 * (docs/THEORY.md section 1, docs/mc.md). */
#include "riskcalc/mc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <omp.h>

#include "core/rng.h"
#include "core/util.h"
#include "linear/sketch_svd.h"
#include "riskcalc/sgd.h"

/* Rows of a mini-batch processed at once: the batch is cut into blocks of at most this many
 * numbers per matrix so the workspace stays small for any B. The block size depends only on
 * the problem's shape, so results do not depend on the number of threads. */
#define MC_BLOCK_NUMBERS ((size_t)1 << 18)
/* Raw mode: blocks of fewer rows form Z = X S^T row by row with dgemv (measured: with
 * M = 128, d = 2000 one dgemm row costs 70 us against 29 us for a dgemv; from 4 rows on
 * dgemm is as fast per row and then faster). The choice depends on the batch size only. */
#define MC_GEMM_MIN_ROWS ((size_t)4)
/* Steps between progress reports and cancellation checks. */
#define MC_PROGRESS_STEPS ((uint64_t)4096)

/* OpenBLAS's thread control, when OpenBLAS is the BLAS linked (weak: absent otherwise). The
 * rounding of its threaded dgemv depends on the number of BLAS threads (measured with 0.3.21:
 * S x, S^T v and V^T h change in the last bits between 1 and 2 threads), and the runs are
 * parallel already, so the simulation and the plan's factorisation run BLAS on one thread
 * and restore the caller's setting afterwards. */
extern void openblas_set_num_threads(int num_threads) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

/* Switches OpenBLAS to one thread; returns the previous count (0 when not OpenBLAS). */
static int blas_serial_begin(void) {
  if (!openblas_set_num_threads || !openblas_get_num_threads)
    return 0;
  const int previous = openblas_get_num_threads();
  if (previous != 1)
    openblas_set_num_threads(1);
  return previous;
}

static void blas_serial_end(int previous) {
  if (previous > 1)
    openblas_set_num_threads(previous);
}

struct rc_mc_plan {
  rc_mc_mode mode;
  int resketch;
  size_t M, d, r; /* r = min(M, d) */
  double *lambda; /* d eigenvalues of H */
  double *sqrt_lambda;
  double *sqrt_p; /* d prior standard deviations */
  double *ones;   /* r multiplicities for the stability check */
  /* Fixed sketch only: */
  double *S;     /* M x d copy (raw mode) */
  double *mu;    /* r eigenvalues of G (0 at or below the rank threshold) */
  size_t rank;   /* reduced mode: number of non-zero singular values */
  double *sigma; /* reduced: r singular values of S H^1/2 */
  double *VT;    /* reduced: r x d right singular vectors */
};

const char *rc_mc_mode_name(rc_mc_mode mode) {
  switch (mode) {
  case RC_MC_REDUCED:
    return "reduced";
  case RC_MC_RAW:
    return "raw";
  }
  return "unknown";
}

int rc_mc_mode_parse(const char *text, rc_mc_mode *mode, rc_error *err) {
  if (text && strcmp(text, "reduced") == 0)
    *mode = RC_MC_REDUCED;
  else if (text && strcmp(text, "raw") == 0)
    *mode = RC_MC_RAW;
  else
    return rc_error_set(err, RC_EINVAL, "unknown Monte Carlo mode '%s' (expected raw or reduced)",
                        text ? text : "");
  return RC_SUCCESS;
}

rc_mc_options rc_mc_options_default(void) {
  rc_mc_options o;
  memset(&o, 0, sizeof o);
  o.runs = 100;
  o.mode = RC_MC_REDUCED;
  o.resketch = 0;
  o.seed = 1;
  o.batch = 1;
  o.sigma2 = 1.0;
  o.threads = 0;
  return o;
}

static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* MurmurHash3's 32-bit finaliser: a bijection of 32-bit words. */
static uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}

uint32_t rc_mc_run_seed(uint64_t seed, uint64_t run) {
  return fmix32((uint32_t)splitmix64(seed) + (uint32_t)run);
}

void rc_mc_plan_free(rc_mc_plan *plan) {
  if (plan) {
    free(plan->lambda);
    free(plan->sqrt_lambda);
    free(plan->sqrt_p);
    free(plan->ones);
    free(plan->S);
    free(plan->mu);
    free(plan->sigma);
    free(plan->VT);
    free(plan);
  }
}

/* mu_j = sigma_j^2 above the rank threshold, else 0 (exactly as rc_sgd_measure_from_sketch). */
static void eigenvalues_from_svd(const rc_sketch_svd *svd, double *mu) {
  for (size_t j = 0; j < svd->r; j++)
    mu[j] = svd->sigma[j] > svd->threshold ? svd->sigma[j] * svd->sigma[j] : 0.0;
}

rc_mc_plan *rc_mc_plan_alloc(const rc_spectrum *spectrum, const rc_prior *prior,
                             const rc_sketch *sketch, size_t M, const rc_mc_options *options,
                             rc_error *err) {
  const rc_mc_options o = options ? *options : rc_mc_options_default();
  if (!spectrum || !prior) {
    rc_error_set(err, RC_EINVAL, "spectrum and prior are required");
    return NULL;
  }
  if (o.mode != RC_MC_RAW && o.mode != RC_MC_REDUCED) {
    rc_error_set(err, RC_EINVAL, "unknown Monte Carlo mode %d", (int)o.mode);
    return NULL;
  }
  const size_t d = spectrum->d;
  if (prior->d != d) {
    rc_error_set(err, RC_EINVAL, "dimensions disagree: spectrum d = %zu, prior d = %zu", d,
                 prior->d);
    return NULL;
  }
  if (o.resketch) {
    if (sketch) {
      rc_error_set(err, RC_EINVAL, "with resketch every run draws its own sketch: pass NULL");
      return NULL;
    }
    if (M == 0) {
      rc_error_set(err, RC_EINVAL, "model size M must be at least 1");
      return NULL;
    }
  } else {
    if (!sketch) {
      rc_error_set(err, RC_EINVAL, "a fixed sketch is required (or set resketch)");
      return NULL;
    }
    if (sketch->d != d) {
      rc_error_set(err, RC_EINVAL,
                   "dimensions disagree: sketch has d = %zu columns, spectrum d = %zu", sketch->d,
                   d);
      return NULL;
    }
    if (M != 0 && M != sketch->M) {
      rc_error_set(err, RC_EINVAL, "M = %zu disagrees with the sketch's %zu rows", M, sketch->M);
      return NULL;
    }
    M = sketch->M;
  }
  rc_mc_plan *p = calloc(1, sizeof *p);
  if (!p) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a Monte Carlo plan");
    return NULL;
  }
  p->mode = o.mode;
  p->resketch = o.resketch != 0;
  p->M = M;
  p->d = d;
  p->r = M < d ? M : d;
  p->lambda = rc_alloc_doubles(d, err);
  p->sqrt_lambda = p->lambda ? rc_alloc_doubles(d, err) : NULL;
  p->sqrt_p = p->sqrt_lambda ? rc_alloc_doubles(d, err) : NULL;
  p->ones = p->sqrt_p ? rc_alloc_doubles(p->r, err) : NULL;
  if (!p->ones)
    goto fail;
  for (size_t i = 0; i < d; i++) {
    p->lambda[i] = spectrum->lambda[i];
    p->sqrt_lambda[i] = sqrt(spectrum->lambda[i]);
    p->sqrt_p[i] = sqrt(prior->p[i]);
  }
  for (size_t j = 0; j < p->r; j++)
    p->ones[j] = 1.0;
  if (p->resketch)
    return p;

  /* Fixed sketch: factorise once. */
  rc_sketch_svd *svd = rc_sketch_svd_alloc(M, d, err);
  if (!svd)
    goto fail;
  const int blas_threads = blas_serial_begin();
  const int svd_status = rc_sketch_svd_compute(svd, sketch->S, p->sqrt_lambda, err);
  blas_serial_end(blas_threads);
  if (svd_status) {
    rc_sketch_svd_free(svd);
    goto fail;
  }
  p->mu = rc_alloc_doubles(p->r, err);
  if (p->mu)
    eigenvalues_from_svd(svd, p->mu);
  p->rank = svd->rank;
  if (p->mu && p->mode == RC_MC_RAW) {
    p->S = rc_alloc_doubles(rc_mul_size(M, d), err);
    if (p->S)
      memcpy(p->S, sketch->S, M * d * sizeof(double));
  } else if (p->mu) {
    /* Keep sigma and V^T: the map w* -> (v* in the eigenbasis of G, Approx). */
    p->sigma = svd->sigma;
    p->VT = svd->VT;
    svd->sigma = svd->VT = NULL;
  }
  rc_sketch_svd_free(svd);
  if (!p->mu || (p->mode == RC_MC_RAW ? !p->S : !p->VT))
    goto fail;
  return p;
fail:
  rc_mc_plan_free(p);
  return NULL;
}

/* One thread's workspace, allocated once per rc_mc_plan_run call. */
typedef struct {
  gsl_rng *rng, *saved;
  double *w;          /* d: w* */
  double *h;          /* d: H^1/2 w*, then scratch */
  double *X;          /* block x d (raw) */
  double *Z;          /* block x M (raw) or block x r (reduced) */
  double *y;          /* block: labels, then residuals */
  double *grad;       /* M (raw) or r (reduced) */
  double *v;          /* raw: v (M); reduced: e = U^T v - v* restricted to the rank (r) */
  double *vstar;      /* reduced: v* in the eigenbasis (r) */
  double *a;          /* r: V^T H^1/2 w* */
  double *S;          /* resketch: M x d */
  double *mu;         /* resketch: r */
  rc_sketch_svd *svd; /* resketch */
} mc_work;

static void work_free(mc_work *w) {
  if (!w)
    return;
  rc_rng_free(w->rng);
  rc_rng_free(w->saved);
  free(w->w);
  free(w->h);
  free(w->X);
  free(w->Z);
  free(w->y);
  free(w->grad);
  free(w->v);
  free(w->vstar);
  free(w->a);
  free(w->S);
  free(w->mu);
  rc_sketch_svd_free(w->svd);
  free(w);
}

static size_t block_rows(size_t width, size_t batch) {
  size_t rows = MC_BLOCK_NUMBERS / (width ? width : 1);
  if (rows < 1)
    rows = 1;
  return rows < batch ? rows : batch;
}

static mc_work *work_alloc(const rc_mc_plan *p, size_t batch, rc_error *err) {
  mc_work *w = calloc(1, sizeof *w);
  if (!w) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a Monte Carlo workspace");
    return NULL;
  }
  const size_t M = p->M, d = p->d, r = p->r;
  const int raw = p->mode == RC_MC_RAW;
  const size_t width = raw ? M : r;
  const size_t rows = block_rows(raw ? d : r, batch);
  w->rng = rc_rng_alloc(gsl_rng_mt19937, err);
  w->saved = w->rng ? rc_rng_alloc(gsl_rng_mt19937, err) : NULL;
  if (!w->saved) {
    work_free(w);
    return NULL;
  }
  int ok = (w->w = rc_alloc_doubles(d, err)) && (w->h = rc_alloc_doubles(d, err)) &&
           (w->Z = rc_alloc_doubles(rc_mul_size(rows, width), err)) &&
           (w->y = rc_alloc_doubles(rows, err)) && (w->grad = rc_alloc_doubles(width, err)) &&
           (w->v = rc_alloc_doubles(width, err)) && (w->vstar = rc_alloc_doubles(r, err)) &&
           (w->a = rc_alloc_doubles(r, err));
  if (ok && raw)
    ok = (w->X = rc_alloc_doubles(rc_mul_size(rows, d), err)) != NULL;
  if (ok && p->resketch)
    ok = (w->S = rc_alloc_doubles(rc_mul_size(M, d), err)) && (w->mu = rc_alloc_doubles(r, err)) &&
         (w->svd = rc_sketch_svd_alloc(M, d, err));
  if (!ok) {
    work_free(w);
    return NULL;
  }
  return w;
}

/* The sketch-dependent quantities of one run. */
typedef struct {
  const double *S;     /* raw: M x d */
  const double *sigma; /* reduced: singular values */
  const double *VT;    /* reduced: r x d */
  size_t rank;         /* reduced */
  double approx;       /* reduced: Approx(S, w*) of this run */
} run_sketch;

/* Raw mode: `steps` SGD steps at step g on v (length M), data drawn in the space of x. */
static void raw_steps(const rc_mc_plan *p, mc_work *w, const double *S, double g, size_t batch,
                      double noise_sd, uint64_t steps) {
  const size_t M = p->M, d = p->d, rows = block_rows(d, batch);
  const double scale = -g / (double)batch;
  for (uint64_t t = 0; t < steps; t++) {
    memset(w->grad, 0, M * sizeof(double));
    for (size_t b0 = 0; b0 < batch; b0 += rows) {
      const size_t nb = batch - b0 < rows ? batch - b0 : rows;
      /* x ~ N(0, H) and y = <x, w*> + xi, the label summed while x is drawn (O(d) per sample
       * like the draw itself; a threaded BLAS dgemv here would make the rounding depend on
       * the number of BLAS threads). */
      for (size_t b = 0; b < nb; b++) {
        double *x = w->X + b * d, label = 0;
        for (size_t i = 0; i < d; i++) {
          x[i] = gsl_ran_gaussian_ziggurat(w->rng, p->sqrt_lambda[i]);
          label += x[i] * w->w[i];
        }
        w->y[b] = label + (noise_sd > 0 ? gsl_ran_gaussian_ziggurat(w->rng, noise_sd) : 0.0);
      }
      /* Z = X S^T;  y <- Z v - y (the residuals);  grad += Z^T y. */
      if (nb < MC_GEMM_MIN_ROWS) {
        /* A few rows: dgemm would repack S for every call; one dgemv per row is faster. */
        for (size_t b = 0; b < nb; b++)
          cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)d, 1.0, S, (int)d, w->X + b * d, 1,
                      0.0, w->Z + b * M, 1);
      } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)M, (int)d, 1.0, w->X,
                    (int)d, S, (int)d, 0.0, w->Z, (int)M);
      }
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)M, 1.0, w->Z, (int)M, w->v, 1, -1.0,
                  w->y, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)M, 1.0, w->Z, (int)M, w->y, 1, 1.0,
                  w->grad, 1);
    }
    cblas_daxpy((int)M, scale, w->grad, 1, w->v, 1);
  }
}

/* Raw mode: sigma2 + (S^T v - w*)^T H (S^T v - w*). */
static double raw_risk(const rc_mc_plan *p, mc_work *w, const double *S, double sigma2) {
  const size_t M = p->M, d = p->d;
  memcpy(w->h, w->w, d * sizeof(double));
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)M, (int)d, 1.0, S, (int)d, w->v, 1, -1.0, w->h, 1);
  double s = 0;
  for (size_t i = d; i-- > 0;)
    s += p->lambda[i] * w->h[i] * w->h[i];
  return sigma2 + s;
}

/* Reduced mode: `steps` SGD steps on e = U^T v - v* (first `rank` coordinates):
 * z_j = sigma_j g_j, residual <z, e> - xi' with xi' ~ N(0, sigma2 + Approx(S, w*)). */
static void reduced_steps(const rc_mc_plan *p, mc_work *w, const run_sketch *rs, double g,
                          size_t batch, double noise_sd, uint64_t steps) {
  const size_t n = rs->rank, rows = block_rows(p->r, batch);
  const int ld = n ? (int)n : 1;
  const double scale = -g / (double)batch;
  const double *sigma = rs->sigma;
  for (uint64_t t = 0; t < steps; t++) {
    memset(w->grad, 0, n * sizeof(double));
    for (size_t b0 = 0; b0 < batch; b0 += rows) {
      const size_t nb = batch - b0 < rows ? batch - b0 : rows;
      for (size_t b = 0; b < nb; b++) {
        double *z = w->Z + b * n;
        for (size_t j = 0; j < n; j++)
          z[j] = gsl_ran_gaussian_ziggurat(w->rng, sigma[j]);
        w->y[b] = noise_sd > 0 ? gsl_ran_gaussian_ziggurat(w->rng, noise_sd) : 0.0;
      }
      if (n == 0)
        continue;
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)n, 1.0, w->Z, ld, w->v, 1, -1.0, w->y,
                  1);
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)n, 1.0, w->Z, ld, w->y, 1, 1.0, w->grad,
                  1);
    }
    if (n)
      cblas_daxpy((int)n, scale, w->grad, 1, w->v, 1);
  }
}

/* Reduced mode: sigma2 + Approx(S, w*) + sum_j mu_j e_j^2. */
static double reduced_risk(const mc_work *w, const run_sketch *rs, double sigma2) {
  double s = 0;
  for (size_t j = rs->rank; j-- > 0;) {
    const double x = rs->sigma[j] * w->v[j];
    s += x * x;
  }
  return sigma2 + rs->approx + s;
}

/* Reduced mode: v* in the eigenbasis and Approx(S, w*) for the run's w* (in w->w):
 * a = V^T H^1/2 w*, v*_j = a_j / sigma_j, Approx = |(I - V V^T) H^1/2 w*|^2. */
static void reduced_target(const rc_mc_plan *p, mc_work *w, run_sketch *rs) {
  const size_t d = p->d, n = rs->rank;
  for (size_t i = 0; i < d; i++)
    w->h[i] = p->sqrt_lambda[i] * w->w[i];
  if (n == 0) {
    double s = 0;
    for (size_t i = d; i-- > 0;)
      s += w->h[i] * w->h[i];
    rs->approx = s;
    return;
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, rs->VT, (int)d, w->h, 1, 0.0, w->a,
              1);
  for (size_t j = 0; j < n; j++)
    w->vstar[j] = w->a[j] / rs->sigma[j];
  if (n == d) {
    rs->approx = 0.0; /* the sketch sees every direction of H */
    return;
  }
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, -1.0, rs->VT, (int)d, w->a, 1, 1.0, w->h,
              1);
  double s = 0;
  for (size_t i = d; i-- > 0;)
    s += w->h[i] * w->h[i];
  rs->approx = s;
}

/* Shared state of one rc_mc_plan_run call. */
typedef struct {
  const rc_mc_plan *plan;
  const rc_schedule *schedule;
  const uint64_t *Ns;
  const size_t *order; /* indices of Ns by increasing N */
  size_t count;
  uint64_t N_max;
  int per_horizon;
  rc_mc_options o;
  double *risks;       /* runs x count */
  uint64_t done_steps; /* progress (atomic) */
  double total_steps;
  int cancelled;   /* atomic */
  size_t fail_min; /* lowest failed run so far (runs when none) */
} mc_shared;

/* A thread's first failure (its runs come in increasing order). */
typedef struct {
  size_t run;
  rc_error err;
} mc_failure;

static int report_progress(mc_shared *sh, uint64_t steps) {
#pragma omp atomic
  sh->done_steps += steps;
  int cancelled;
#pragma omp atomic read
  cancelled = sh->cancelled;
  if (cancelled)
    return 1;
  if (sh->o.progress && omp_get_thread_num() == 0) {
    uint64_t done;
#pragma omp atomic read
    done = sh->done_steps;
    if (sh->o.progress(sh->o.progress_context, (double)done / sh->total_steps)) {
#pragma omp atomic write
      sh->cancelled = 1;
      return 1;
    }
  }
  return 0;
}

/* Simulates run r; returns RC_SUCCESS or a status with err filled. */
static int simulate_run(mc_shared *sh, mc_work *w, size_t r, rc_error *err) {
  const rc_mc_plan *p = sh->plan;
  const size_t M = p->M, d = p->d;
  const int raw = p->mode == RC_MC_RAW;
  gsl_rng_set(w->rng, rc_mc_run_seed(sh->o.seed, r));
  run_sketch rs = {p->S, p->sigma, p->VT, p->rank, 0.0};
  if (p->resketch) {
    const double scale = 1.0 / sqrt((double)M);
    for (size_t k = 0; k < M * d; k++)
      w->S[k] = gsl_ran_gaussian_ziggurat(w->rng, scale);
    int status = rc_sketch_svd_compute(w->svd, w->S, p->sqrt_lambda, err);
    if (status)
      return status;
    eigenvalues_from_svd(w->svd, w->mu);
    rc_sgd_measure m;
    memset(&m, 0, sizeof m);
    m.n = p->r;
    m.mu = w->mu;
    m.nu = p->ones;
    m.M = (double)M;
    status = rc_sgd_check_stability(&m, sh->schedule, sh->N_max, sh->o.batch, err);
    if (status)
      return status;
    rs.S = w->S;
    rs.sigma = w->svd->sigma;
    rs.VT = w->svd->VT;
    rs.rank = w->svd->rank;
  }
  for (size_t i = 0; i < d; i++)
    w->w[i] = gsl_ran_gaussian_ziggurat(w->rng, p->sqrt_p[i]);
  if (!raw)
    reduced_target(p, w, &rs);
  const double noise_sd = sqrt(sh->o.sigma2 + (raw ? 0.0 : rs.approx));
  if (sh->per_horizon)
    gsl_rng_memcpy(w->saved, w->rng);
  double *row = sh->risks + r * sh->count;
  size_t k = 0;
  while (k < sh->count) {
    const uint64_t horizon = sh->per_horizon ? sh->Ns[sh->order[k]] : sh->N_max;
    if (sh->per_horizon && k > 0)
      gsl_rng_memcpy(w->rng, w->saved); /* the same data stream for every horizon */
    if (raw)
      memset(w->v, 0, M * sizeof(double));
    else
      for (size_t j = 0; j < rs.rank; j++)
        w->v[j] = -w->vstar[j];
    uint64_t t = 0;
    while (k < sh->count && (!sh->per_horizon || sh->Ns[sh->order[k]] == horizon)) {
      const uint64_t target = sh->Ns[sh->order[k]];
      while (t < target) {
        uint64_t end = rc_schedule_stage_end(sh->schedule, t, horizon);
        if (end > target)
          end = target;
        if (end - t > MC_PROGRESS_STEPS)
          end = t + MC_PROGRESS_STEPS;
        const double g = rc_schedule_gamma(sh->schedule, t, horizon);
        if (raw)
          raw_steps(p, w, rs.S, g, sh->o.batch, noise_sd, end - t);
        else
          reduced_steps(p, w, &rs, g, sh->o.batch, noise_sd, end - t);
        if (report_progress(sh, end - t))
          return rc_error_set(err, RC_ECANCEL, "cancelled");
        t = end;
      }
      const double risk =
          raw ? raw_risk(p, w, rs.S, sh->o.sigma2) : reduced_risk(w, &rs, sh->o.sigma2);
      if (!isfinite(risk))
        return rc_error_set(err, RC_EUNSTABLE,
                            "the simulated risk of run %zu is not finite at N = %llu", r,
                            (unsigned long long)target);
      row[sh->order[k]] = risk;
      k++;
    }
  }
  return RC_SUCCESS;
}

static int check_options(const rc_mc_plan *p, const rc_schedule *schedule, const uint64_t *Ns,
                         size_t count, const rc_mc_options *o, rc_mc_risk *out, rc_error *err) {
  if (!p || !schedule || !Ns || !out || count == 0)
    return rc_error_set(err, RC_EINVAL,
                        "plan, schedule, output and a non-empty list of N are "
                        "required");
  if (o->mode != p->mode || (o->resketch != 0) != p->resketch)
    return rc_error_set(err, RC_EINVAL,
                        "options ask for mode %s%s but the plan was made for mode %s%s",
                        rc_mc_mode_name(o->mode), o->resketch ? " with resketch" : "",
                        rc_mc_mode_name(p->mode), p->resketch ? " with resketch" : "");
  if (o->runs < 2)
    return rc_error_set(err, RC_EINVAL, "at least 2 runs are needed for a standard error (got %zu)",
                        o->runs);
  if (o->batch == 0)
    return rc_error_set(err, RC_EINVAL, "batch size must be at least 1");
  if (o->batch > (size_t)1 << 31)
    return rc_error_set(err, RC_EINVAL, "batch size %zu is too large (at most 2^31)", o->batch);
  if (!(isfinite(o->sigma2) && o->sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        o->sigma2);
  if (o->threads < 0)
    return rc_error_set(err, RC_EINVAL, "thread count must be >= 0 (got %d)", o->threads);
  if (rc_mul_size(o->runs, count) == 0)
    return rc_error_set(err, RC_EINVAL, "%zu runs x %zu values of N overflow", o->runs, count);
  int checked = rc_schedule_check_horizons(schedule, Ns, count, NULL, err);
  if (checked)
    return checked;
  /* BLAS takes int dimensions. */
  if (p->d > (size_t)1 << 31 || p->M > (size_t)1 << 31)
    return rc_error_set(err, RC_EINVAL, "dimensions beyond 2^31 are not supported");
  return RC_SUCCESS;
}

/* Insertion sort of indices by N (counts are small). */
static void sort_by_N(size_t *order, const uint64_t *Ns, size_t count) {
  for (size_t i = 0; i < count; i++)
    order[i] = i;
  for (size_t i = 1; i < count; i++) {
    size_t v = order[i], j = i;
    while (j > 0 && Ns[order[j - 1]] > Ns[v]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = v;
  }
}

int rc_mc_plan_run(const rc_mc_plan *p, const rc_schedule *schedule, const uint64_t *Ns,
                   size_t count, const rc_mc_options *options, rc_mc_risk *out, double *run_risks,
                   rc_error *err) {
  const rc_mc_options o = options ? *options : rc_mc_options_default();
  int status = check_options(p, schedule, Ns, count, &o, out, err);
  if (status)
    return status;
  mc_shared sh;
  memset(&sh, 0, sizeof sh);
  sh.plan = p;
  sh.schedule = schedule;
  sh.Ns = Ns;
  sh.count = count;
  sh.o = o;
  sh.per_horizon = rc_schedule_horizon_dependent(schedule);
  for (size_t k = 0; k < count; k++)
    sh.N_max = Ns[k] > sh.N_max ? Ns[k] : sh.N_max;
  if (!p->resketch) {
    /* The same refusal as the exact engine, on the same eigenvalues. */
    rc_sgd_measure m;
    memset(&m, 0, sizeof m);
    m.n = p->r;
    m.mu = p->mu;
    m.nu = p->ones;
    m.M = (double)p->M;
    status = rc_sgd_check_stability(&m, schedule, sh.N_max, o.batch, err);
    if (status)
      return status;
  }
  /* Steps per run: max N, or the sum of the distinct horizons (geometric). */
  double per_run = (double)sh.N_max;
  if (sh.per_horizon) {
    per_run = 0;
    for (size_t k = 0; k < count; k++) {
      int seen = 0;
      for (size_t q = 0; q < k; q++)
        seen |= Ns[q] == Ns[k];
      per_run += seen ? 0.0 : (double)Ns[k];
    }
  }
  sh.total_steps = per_run * (double)o.runs;

  size_t *order = malloc(count * sizeof *order);
  double *risks = run_risks ? run_risks : rc_alloc_doubles(rc_mul_size(o.runs, count), err);
  int nthreads = o.threads > 0 ? o.threads : omp_get_max_threads();
  if (nthreads < 1)
    nthreads = 1;
  if ((size_t)nthreads > o.runs)
    nthreads = (int)o.runs;
  mc_failure *failures = calloc((size_t)nthreads, sizeof *failures);
  if (!order || !risks || !failures) {
    status =
        rc_error_set(err, RC_ENOMEM, "out of memory for %zu runs x %zu values of N", o.runs, count);
    goto done;
  }
  sort_by_N(order, Ns, count);
  sh.order = order;
  sh.risks = risks;
  sh.fail_min = o.runs;
  for (int t = 0; t < nthreads; t++)
    failures[t].run = o.runs;

  const int blas_threads = blas_serial_begin();
#pragma omp parallel num_threads(nthreads)
  {
    const int tid = omp_get_thread_num();
    mc_failure *mine = &failures[tid];
    rc_error alloc_err = {0, ""};
    mc_work *w = work_alloc(p, o.batch, &alloc_err);
#pragma omp for schedule(dynamic, 1)
    for (size_t r = 0; r < o.runs; r++) {
      size_t fail_min;
      int cancelled;
#pragma omp atomic read
      fail_min = sh.fail_min;
#pragma omp atomic read
      cancelled = sh.cancelled;
      /* Runs below the first failure still execute, so the failure reported is always the
       * lowest-numbered one whatever the thread timing. */
      if (cancelled || r > fail_min)
        continue;
      rc_error run_err = {0, ""};
      int rs = w ? simulate_run(&sh, w, r, &run_err) : alloc_err.status;
      if (rs == RC_ECANCEL)
        continue;
      if (rs) {
        mine->run = r;
        mine->err = w ? run_err : alloc_err;
#pragma omp critical(rc_mc_fail)
        {
          if (r < sh.fail_min)
            sh.fail_min = r;
        }
      }
    }
    work_free(w);
  }
  blas_serial_end(blas_threads);

  if (sh.cancelled) {
    status = rc_error_set(err, RC_ECANCEL, "cancelled");
    goto done;
  }
  if (sh.fail_min < o.runs) {
    for (int t = 0; t < nthreads; t++)
      if (failures[t].run == sh.fail_min) {
        const rc_error *e = &failures[t].err;
        if (p->resketch && e->status == RC_EUNSTABLE)
          status =
              rc_error_set(err, e->status, "run %zu (its own sketch): %s", sh.fail_min, e->message);
        else
          status = rc_error_set(err, e->status, "%s", e->message);
      }
    goto done;
  }
  /* Mean and standard error, summed in run order: independent of the thread count. */
  for (size_t k = 0; k < count; k++) {
    double sum = 0;
    for (size_t r = 0; r < o.runs; r++)
      sum += risks[r * count + k];
    const double mean = sum / (double)o.runs;
    double ss = 0;
    for (size_t r = 0; r < o.runs; r++) {
      const double dev = risks[r * count + k] - mean;
      ss += dev * dev;
    }
    out[k].N = Ns[k];
    out[k].M = (double)p->M;
    out[k].mean = mean;
    out[k].se = sqrt(ss / ((double)o.runs - 1.0) / (double)o.runs);
    out[k].runs = o.runs;
  }
done:
  free(order);
  if (!run_risks)
    free(risks);
  free(failures);
  return status;
}

int rc_mc_risk_curve(const rc_spectrum *spectrum, const rc_prior *prior, const rc_sketch *sketch,
                     size_t M, const rc_schedule *schedule, const uint64_t *Ns, size_t count,
                     const rc_mc_options *options, rc_mc_risk *out, rc_error *err) {
  rc_error local;
  rc_error *e = err ? err : &local;
  rc_error_clear(e);
  rc_mc_plan *plan = rc_mc_plan_alloc(spectrum, prior, sketch, M, options, e);
  if (!plan)
    return e->status;
  int status = rc_mc_plan_run(plan, schedule, Ns, count, options, out, NULL, e);
  rc_mc_plan_free(plan);
  return status;
}
