/* The Monte Carlo verifier: one-pass SGD on sketched linear regression simulated run by run
 * (docs/THEORY.md sections 1 and 5, docs/mc.md). */
#include "riskcalc/mc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/mc_runner.h"
#include "core/normal.h"
#include "core/rng.h"
#include "core/util.h"
#include "core/walker.h"
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
/* Values a run records per N: risk, Approx(S, w*), bias, variance. */
#define MC_PARTS 4
/* Steps between progress reports and cancellation checks. */
#define MC_PROGRESS_STEPS ((uint64_t)4096)
/* Reduced mode with Philox: samples whose z and xi one rc_normal_fill call draws (the stream
 * is positional, so the split into calls does not change a draw). */
#define REDUCED_FILL_SAMPLES ((size_t)32)

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
  double *U;     /* raw: M x r left singular vectors (eigenvectors of G), for v* */
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
  o.generator = RC_MC_GENERATOR_PHILOX;
  return o;
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
    free(plan->U);
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
  const int svd_status = rc_sketch_svd_compute(svd, sketch->S, p->sqrt_lambda, err);
  if (svd_status) {
    rc_sketch_svd_free(svd);
    goto fail;
  }
  p->mu = rc_alloc_doubles(p->r, err);
  if (p->mu)
    eigenvalues_from_svd(svd, p->mu);
  p->rank = svd->rank;
  if (p->mu && p->mode == RC_MC_RAW) {
    /* Keep S for the samples and U for v* = U diag(1/mu) U^T S H w* (the bias path). */
    p->S = rc_alloc_doubles(rc_mul_size(M, d), err);
    if (p->S)
      memcpy(p->S, sketch->S, M * d * sizeof(double));
    p->U = svd->U;
    svd->U = NULL;
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
  int philox;                /* draws from ns (RC_MC_GENERATOR_PHILOX), else from rng */
  gsl_rng *rng;              /* the run's mt19937 generator (owned by the runner) */
  gsl_rng *saved;            /* its state at the start of the first horizon */
  rc_normal_stream ns;       /* the run's Philox stream */
  rc_normal_stream ns_saved; /* its state at the start of the first horizon */
  double *w;                 /* d: w* */
  double *h;                 /* d: H^1/2 w*, then scratch */
  double *X;                 /* block x d + 1 (raw): the last number holds a Philox draw of xi */
  double *Z;                 /* block x M (raw) or block x r (reduced); reduced with Philox:
                                REDUCED_FILL_SAMPLES x (r + 1) draws */
  double *y;                 /* block: labels, then residuals */
  double *grad;              /* M (raw) or r (reduced) */
  double *v;                 /* raw: v (M); reduced: e = U^T v - v* restricted to the rank (r) */
  double *vb;                /* the noise-free path driven by the same samples: raw v_b - v* (M);
                                reduced e_b (r); the variance path is v - v_b (it adds exactly) */
  double *yb;                /* block: the noise-free path's residuals */
  size_t queued, used;       /* raw: rows of X, Z, y drawn ahead (whole steps) and rows consumed */
  double *gradb;             /* M (raw) or r (reduced) */
  double *vstar;             /* reduced: v* in the eigenbasis (r); raw: v* (M) */
  double *a;                 /* r: V^T H^1/2 w* (reduced); U^T S H w* (raw) */
  double *S;                 /* resketch: M x d */
  double *mu;                /* resketch: r */
  rc_sketch_svd *svd;        /* resketch */
} mc_work;

static void work_free(mc_work *w) {
  if (!w)
    return;
  rc_rng_free(w->saved);
  free(w->w);
  free(w->h);
  free(w->X);
  free(w->Z);
  free(w->y);
  free(w->grad);
  free(w->v);
  free(w->vb);
  free(w->yb);
  free(w->gradb);
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

/* Raw mode draws its samples ahead, whole steps at a time, as many as a block of
 * MC_BLOCK_NUMBERS numbers holds (X is rows x d, Z rows x M): a sample x ~ N(0, H) and its
 * label do not depend on v, so Z = X S^T is one dgemm (BLAS-3) over the samples of many steps,
 * and each step is left with its residuals and update, O(B M). A batch larger than the block
 * is cut into blocks within its step, as before. Depends on the shape only (not on threads). */
static size_t raw_rows(size_t d, size_t M, size_t batch) {
  const size_t cap = block_rows(d > M ? d : M, SIZE_MAX);
  return batch <= cap ? cap / batch * batch : cap;
}

static mc_work *work_alloc(const rc_mc_plan *p, size_t batch, rc_mc_generator generator,
                           rc_error *err) {
  mc_work *w = calloc(1, sizeof *w);
  if (!w) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a Monte Carlo workspace");
    return NULL;
  }
  const size_t M = p->M, d = p->d, r = p->r;
  const int raw = p->mode == RC_MC_RAW;
  const size_t width = raw ? M : r;
  const size_t rows = raw ? raw_rows(d, M, batch) : block_rows(r, batch);
  w->philox = generator == RC_MC_GENERATOR_PHILOX;
  /* reduced mode with Philox fills the z and xi of several samples in one call */
  const size_t fill = !raw && w->philox ? rc_mul_size(REDUCED_FILL_SAMPLES, r + 1) : 0;
  const size_t zsize = rc_mul_size(rows, width) > fill ? rc_mul_size(rows, width) : fill;
  w->saved = rc_rng_alloc(err);
  if (!w->saved) {
    work_free(w);
    return NULL;
  }
  int ok = (w->w = rc_alloc_doubles(d, err)) && (w->h = rc_alloc_doubles(d, err)) &&
           (w->Z = rc_alloc_doubles(zsize, err)) && (w->y = rc_alloc_doubles(rows, err)) &&
           (w->grad = rc_alloc_doubles(width, err)) && (w->v = rc_alloc_doubles(width, err)) &&
           (w->vb = rc_alloc_doubles(width, err)) && (w->yb = rc_alloc_doubles(rows, err)) &&
           (w->gradb = rc_alloc_doubles(width, err)) && (w->vstar = rc_alloc_doubles(width, err)) &&
           (w->a = rc_alloc_doubles(r, err));
  if (ok && raw)
    ok = (w->X = rc_alloc_doubles(rc_mul_size(rows, d) + 1, err)) != NULL;
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
  const double *U;     /* raw: M x r */
  const double *mu;    /* raw: r eigenvalues of G (0 beyond the rank) */
  size_t rank;
  double approx; /* Approx(S, w*) of this run */
} run_sketch;

/* Raw mode: draws nb samples into rows 0..nb-1 of the block: x ~ N(0, H) and its label
 * y = <x, w*> + xi (summed while x is drawn; a threaded BLAS dgemv would make the rounding
 * depend on the number of BLAS threads), then Z = X S^T. */
static void raw_draw(const rc_mc_plan *p, mc_work *w, const double *S, size_t nb, double noise_sd) {
  const size_t M = p->M, d = p->d;
  for (size_t b = 0; b < nb; b++) {
    double *x = w->X + b * d, label = 0;
    if (w->philox) {
      /* d + 1 draws: x, then xi in x[d] (the next row's first entry, or the spare number
       * after the block), read before the next row overwrites it */
      rc_normal_fill(&w->ns, d + 1, x);
      for (size_t i = 0; i < d; i++) {
        x[i] *= p->sqrt_lambda[i];
        label += x[i] * w->w[i];
      }
      w->y[b] = label + (noise_sd > 0 ? noise_sd * x[d] : 0.0);
      continue;
    }
    for (size_t i = 0; i < d; i++) {
      x[i] = gsl_ran_gaussian_ziggurat(w->rng, p->sqrt_lambda[i]);
      label += x[i] * w->w[i];
    }
    w->y[b] = label + (noise_sd > 0 ? gsl_ran_gaussian_ziggurat(w->rng, noise_sd) : 0.0);
  }
  if (nb < MC_GEMM_MIN_ROWS) {
    /* A few rows: dgemm would repack S for every call; one dgemv per row is faster. */
    for (size_t b = 0; b < nb; b++)
      cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)d, 1.0, S, (int)d, w->X + b * d, 1, 0.0,
                  w->Z + b * M, 1);
  } else {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)M, (int)d, 1.0, w->X, (int)d,
                S, (int)d, 0.0, w->Z, (int)M);
  }
}

/* grad += Z^T (Z v - y) over rows row0..row0+nb-1 (y becomes the residuals), and for the
 * noise-free path, whose labels are <z, v*>, gradb += Z^T Z (v_b - v*). */
static void raw_accumulate(const rc_mc_plan *p, mc_work *w, size_t row0, size_t nb) {
  const size_t M = p->M;
  const double *Z = w->Z + row0 * M;
  double *y = w->y + row0, *yb = w->yb + row0;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)M, 1.0, Z, (int)M, w->v, 1, -1.0, y, 1);
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)M, 1.0, Z, (int)M, y, 1, 1.0, w->grad, 1);
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)M, 1.0, Z, (int)M, w->vb, 1, 0.0, yb, 1);
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)M, 1.0, Z, (int)M, yb, 1, 1.0, w->gradb, 1);
}

/* Raw mode: `steps` SGD steps at step g on v (length M) from step pos->t of a pass to
 * pos->horizon, data drawn in the space of x: ahead, whole steps at a time (raw_rows), never
 * past the horizon, in the order the steps use them. */
static void raw_steps(const rc_mc_plan *p, mc_work *w, const double *S, double g, size_t batch,
                      double noise_sd, uint64_t steps, const rc_walk_pos *pos) {
  const size_t M = p->M, rows = raw_rows(p->d, M, batch);
  const double scale = -g / (double)batch;
  for (uint64_t t = 0; t < steps; t++) {
    memset(w->grad, 0, M * sizeof(double));
    memset(w->gradb, 0, M * sizeof(double));
    if (batch <= rows) {
      if (w->used == w->queued) {
        const uint64_t left = pos->horizon - (pos->t + t), ahead = rows / batch;
        w->queued = (size_t)(left < ahead ? left : ahead) * batch;
        w->used = 0;
        raw_draw(p, w, S, w->queued, noise_sd);
      }
      raw_accumulate(p, w, w->used, batch);
      w->used += batch;
    } else {
      for (size_t b0 = 0; b0 < batch; b0 += rows) {
        const size_t nb = batch - b0 < rows ? batch - b0 : rows;
        raw_draw(p, w, S, nb, noise_sd);
        raw_accumulate(p, w, 0, nb);
      }
    }
    cblas_daxpy((int)M, scale, w->grad, 1, w->v, 1);
    cblas_daxpy((int)M, scale, w->gradb, 1, w->vb, 1);
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

/* Raw mode: u^T G u = |H^1/2 S^T u|^2 for u of length M. */
static double raw_energy(const rc_mc_plan *p, mc_work *w, const double *S, const double *u) {
  const size_t M = p->M, d = p->d;
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)M, (int)d, 1.0, S, (int)d, u, 1, 0.0, w->h, 1);
  double s = 0;
  for (size_t i = d; i-- > 0;)
    s += p->lambda[i] * w->h[i] * w->h[i];
  return s;
}

/* Raw mode: the bias (noise-free path) and variance (v - v_b) parts of the excess risk. */
static void raw_parts(const rc_mc_plan *p, mc_work *w, const double *S, double *bias,
                      double *variance) {
  const size_t M = p->M;
  *bias = raw_energy(p, w, S, w->vb);
  /* v - v_b = (v - v*) - (v_b - v*); gradb is free between steps */
  for (size_t k = 0; k < M; k++)
    w->gradb[k] = w->v[k] - w->vstar[k] - w->vb[k];
  *variance = raw_energy(p, w, S, w->gradb);
}

/* Raw mode: v* = G^+ S H w* = U diag(1/mu) U^T S H w* (j below the rank) and
 * Approx(S, w*) = |H^1/2 w*|^2 - sum_j (U^T S H w*)_j^2 / mu_j (0 when the rank is d). */
static void raw_target(const rc_mc_plan *p, mc_work *w, run_sketch *rs) {
  const size_t M = p->M, d = p->d, r = p->r;
  double total = 0;
  for (size_t i = 0; i < d; i++) {
    w->h[i] = p->lambda[i] * w->w[i];
    total += w->h[i] * w->w[i];
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)d, 1.0, rs->S, (int)d, w->h, 1, 0.0,
              w->gradb, 1);
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)M, (int)r, 1.0, rs->U, (int)r, w->gradb, 1, 0.0, w->a,
              1);
  double seen = 0;
  for (size_t j = 0; j < r; j++) {
    const double c = j < rs->rank ? w->a[j] / rs->mu[j] : 0.0;
    seen += c * w->a[j];
    w->a[j] = c;
  }
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)M, (int)r, 1.0, rs->U, (int)r, w->a, 1, 0.0,
              w->vstar, 1);
  rs->approx = rs->rank == d ? 0.0 : fmax(total - seen, 0.0);
}

/* <z, a> and <z, b> in 8 partial sums (lane l: j = l mod 8) added in a fixed tree: the same
 * rounding whether or not, and however wide, the compiler vectorises (-O1 and -O2 builds
 * print the same digits). */
#if defined(__GNUC__)
__attribute__((always_inline)) /* into each clone of reduced_sample */
#endif
static inline void
dot2_lanes(size_t n, const double *restrict z, const double *restrict a, const double *restrict b,
           double *za, double *zb) {
  double sa[8] = {0}, sb[8] = {0};
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
#pragma omp simd
    for (size_t l = 0; l < 8; l++) {
      sa[l] += z[j + l] * a[j + l];
      sb[l] += z[j + l] * b[j + l];
    }
  }
  for (size_t l = 0; j < n; j++, l++) {
    sa[l] += z[j] * a[j];
    sb[l] += z[j] * b[j];
  }
  *za = ((sa[0] + sa[1]) + (sa[2] + sa[3])) + ((sa[4] + sa[5]) + (sa[6] + sa[7]));
  *zb = ((sb[0] + sb[1]) + (sb[2] + sb[3])) + ((sb[4] + sb[5]) + (sb[6] + sb[7]));
}

/* x86-64 builds carry AVX-512 and AVX2 clones of the reduced-mode kernels, chosen at load
 * time: elementwise products and sums, and dot2_lanes' fixed tree, round alike at any width
 * (no contraction into fused multiply-adds under -std=c11), so every clone gives the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define MC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MC_CLONES
#endif

/* z_j <- sigma_j z_j. */
MC_CLONES static void scale_by(size_t n, const double *restrict sigma, double *restrict z) {
#pragma omp simd
  for (size_t j = 0; j < n; j++)
    z[j] *= sigma[j];
}

/* One sample of reduced mode: the residuals of the noisy path, r = <z, e> - xi, and of the
 * noise-free path, rb = <z, e_b>, on the same z; then (batch 1) e += scale r z and
 * e_b += scale rb z, or (a mini-batch) grad += r z and gradb += rb z. */
MC_CLONES static void reduced_sample(size_t n, const double *restrict z, double xi, double scale,
                                     int single, double *restrict v, double *restrict vb,
                                     double *restrict grad, double *restrict gradb) {
  double r, rb;
  dot2_lanes(n, z, v, vb, &r, &rb);
  r -= xi;
  if (single) {
    const double cr = scale * r, crb = scale * rb;
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
      v[j] += cr * z[j];
      vb[j] += crb * z[j];
    }
  } else {
#pragma omp simd
    for (size_t j = 0; j < n; j++) {
      grad[j] += r * z[j];
      gradb[j] += rb * z[j];
    }
  }
}

/* Reduced mode: `steps` SGD steps on e = U^T v - v* (first `rank` coordinates):
 * z_j = sigma_j g_j, residual <z, e> - xi' with xi' ~ N(0, sigma2 + Approx(S, w*)).
 * One sample at a time in plain loops (BLAS calls on vectors of n ~ 100 cost more in call
 * overhead than in arithmetic). With Philox each sample takes rank + 1 draws (g, then xi' /
 * its standard deviation), REDUCED_FILL_SAMPLES samples per fill; with mt19937 the draws come
 * in the same order as before (z, then xi' when its variance is positive). */
static void reduced_steps(const rc_mc_plan *p, mc_work *w, const run_sketch *rs, double g,
                          size_t batch, double noise_sd, uint64_t steps) {
  (void)p;
  const size_t n = rs->rank;
  const double scale = -g / (double)batch;
  const double *sigma = rs->sigma;
  double *v = w->v, *vb = w->vb, *grad = w->grad, *gradb = w->gradb;
  size_t filled = 0, used = 0; /* samples drawn into Z by the last fill, and used */
  for (uint64_t t = 0; t < steps; t++) {
    if (batch > 1) {
      memset(grad, 0, n * sizeof(double));
      memset(gradb, 0, n * sizeof(double));
    }
    for (size_t b = 0; b < batch; b++) {
      double *z = w->Z, xi;
      if (w->philox) {
        if (used == filled) {
          /* samples left in this call, capped */
          const uint64_t left =
              steps - t > REDUCED_FILL_SAMPLES ? REDUCED_FILL_SAMPLES : (steps - t) * batch - b;
          filled = left < REDUCED_FILL_SAMPLES ? (size_t)left : REDUCED_FILL_SAMPLES;
          rc_normal_fill(&w->ns, filled * (n + 1), w->Z);
          used = 0;
        }
        z = w->Z + used++ * (n + 1);
        scale_by(n, sigma, z);
        xi = noise_sd > 0 ? noise_sd * z[n] : 0.0;
      } else {
        for (size_t j = 0; j < n; j++)
          z[j] = gsl_ran_gaussian_ziggurat(w->rng, sigma[j]);
        xi = noise_sd > 0 ? gsl_ran_gaussian_ziggurat(w->rng, noise_sd) : 0.0;
      }
      reduced_sample(n, z, xi, scale, batch == 1, v, vb, grad, gradb);
    }
    if (batch > 1)
#pragma omp simd
      for (size_t j = 0; j < n; j++) {
        v[j] += scale * grad[j];
        vb[j] += scale * gradb[j];
      }
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

/* Reduced mode: bias sum_j mu_j e_b,j^2 and variance sum_j mu_j (e_j - e_b,j)^2. */
static void reduced_parts(const mc_work *w, const run_sketch *rs, double *bias, double *variance) {
  double b = 0, v = 0;
  for (size_t j = rs->rank; j-- > 0;) {
    const double xb = rs->sigma[j] * w->vb[j], xv = rs->sigma[j] * (w->v[j] - w->vb[j]);
    b += xb * xb;
    v += xv * xv;
  }
  *bias = b;
  *variance = v;
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

/* What every run of one rc_mc_plan_run call shares (read-only during the runs). */
typedef struct {
  const rc_mc_plan *plan;
  const rc_schedule *schedule;
  const uint64_t *Ns;
  size_t count;
  uint64_t N_max;
  rc_mc_options o;
} mc_model;

/* One run's walk over the schedule (the walker's model). */
typedef struct {
  const mc_model *model;
  mc_work *w;
  run_sketch rs;
  double noise_sd;
  size_t run;
  size_t passes;  /* passes started */
  double *values; /* this run's MC_PARTS values per index of Ns */
  rc_mc_tick *tick;
} mc_walk;

static int walk_start(void *ctx, uint64_t horizon, rc_error *err) {
  (void)horizon;
  (void)err;
  mc_walk *mw = ctx;
  const rc_mc_plan *p = mw->model->plan;
  /* every horizon of a horizon-dependent schedule sees the same data stream */
  if (mw->passes++ > 0) {
    rc_rng_copy(mw->w->rng, mw->w->saved);
    mw->w->ns = mw->w->ns_saved;
  }
  if (p->mode == RC_MC_RAW) {
    mw->w->queued = mw->w->used = 0; /* samples drawn ahead belong to the pass that drew them */
    memset(mw->w->v, 0, p->M * sizeof(double));
    for (size_t k = 0; k < p->M; k++)
      mw->w->vb[k] = -mw->w->vstar[k];
  } else {
    for (size_t j = 0; j < mw->rs.rank; j++)
      mw->w->v[j] = mw->w->vb[j] = -mw->w->vstar[j];
  }
  return RC_SUCCESS;
}

static int walk_advance(void *ctx, double g, uint64_t steps, const rc_walk_pos *pos,
                        rc_error *err) {
  mc_walk *mw = ctx;
  const mc_model *mm = mw->model;
  if (mm->plan->mode == RC_MC_RAW)
    raw_steps(mm->plan, mw->w, mw->rs.S, g, mm->o.batch, mw->noise_sd, steps, pos);
  else
    reduced_steps(mm->plan, mw->w, &mw->rs, g, mm->o.batch, mw->noise_sd, steps);
  if (rc_mc_tick_add(mw->tick, (double)steps))
    return rc_error_set(err, RC_ECANCEL, "cancelled");
  return RC_SUCCESS;
}

static int walk_record(void *ctx, uint64_t N, size_t index, rc_error *err) {
  mc_walk *mw = ctx;
  const mc_model *mm = mw->model;
  const double sigma2 = mm->o.sigma2;
  const int raw = mm->plan->mode == RC_MC_RAW;
  const double risk =
      raw ? raw_risk(mm->plan, mw->w, mw->rs.S, sigma2) : reduced_risk(mw->w, &mw->rs, sigma2);
  double bias, variance;
  if (raw)
    raw_parts(mm->plan, mw->w, mw->rs.S, &bias, &variance);
  else
    reduced_parts(mw->w, &mw->rs, &bias, &variance);
  if (!isfinite(risk) || !isfinite(bias) || !isfinite(variance))
    return rc_error_set(err, RC_EUNSTABLE,
                        "the simulated risk of run %zu is not finite at N = %llu", mw->run,
                        (unsigned long long)N);
  double *v = mw->values + MC_PARTS * index;
  v[0] = risk;
  v[1] = mw->rs.approx;
  v[2] = bias;
  v[3] = variance;
  return RC_SUCCESS;
}

static void *runner_workspace_alloc(const void *model, rc_error *err) {
  const mc_model *mm = model;
  return work_alloc(mm->plan, mm->o.batch, mm->o.generator, err);
}

static void runner_workspace_free(void *workspace) {
  work_free(workspace);
}

/* Run r: its sketch (with resketch), its w*, then the walk over the schedule. */
static int run_walk(const mc_model *mm, mc_work *w, size_t r, gsl_rng *rng, double *values,
                    rc_mc_tick *tick, rc_error *err) {
  const rc_mc_plan *p = mm->plan;
  const size_t M = p->M, d = p->d;
  const int raw = p->mode == RC_MC_RAW;
  w->rng = rng;
  rc_normal_init(&w->ns, mm->o.seed, r);
  mc_walk mw = {mm, w, {p->S, p->sigma, p->VT, p->U, p->mu, p->rank, 0.0}, 0.0, r, 0, values, tick};
  if (p->resketch) {
    const double scale = 1.0 / sqrt((double)M);
    if (w->philox) {
      rc_normal_fill(&w->ns, M * d, w->S);
      for (size_t k = 0; k < M * d; k++)
        w->S[k] *= scale;
    } else {
      for (size_t k = 0; k < M * d; k++)
        w->S[k] = gsl_ran_gaussian_ziggurat(rng, scale);
    }
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
    status = rc_sgd_check_stability(&m, mm->schedule, mm->N_max, mm->o.batch, err);
    if (status)
      return status;
    mw.rs.S = w->S;
    mw.rs.sigma = w->svd->sigma;
    mw.rs.VT = w->svd->VT;
    mw.rs.U = w->svd->U;
    mw.rs.mu = w->mu;
    mw.rs.rank = w->svd->rank;
  }
  if (w->philox) {
    rc_normal_fill(&w->ns, d, w->w);
    for (size_t i = 0; i < d; i++)
      w->w[i] *= p->sqrt_p[i];
  } else {
    for (size_t i = 0; i < d; i++)
      w->w[i] = gsl_ran_gaussian_ziggurat(rng, p->sqrt_p[i]);
  }
  if (raw)
    raw_target(p, w, &mw.rs);
  else
    reduced_target(p, w, &mw.rs);
  mw.noise_sd = sqrt(mm->o.sigma2 + (raw ? 0.0 : mw.rs.approx));
  if (rc_schedule_horizon_dependent(mm->schedule)) {
    rc_rng_copy(w->saved, rng);
    w->ns_saved = w->ns;
  }
  const rc_walk_callbacks cb = {walk_start, walk_advance, walk_record};
  const rc_walk_options wo = {MC_PROGRESS_STEPS, NULL, NULL};
  return rc_walk(mm->schedule, mm->Ns, mm->count, &cb, &mw, &wo, err);
}

static int simulate_run(const void *model, void *workspace, size_t r, gsl_rng *rng, double *values,
                        rc_mc_tick *tick, rc_error *err) {
  const mc_model *mm = model;
  rc_error e = {0, ""};
  const int status = run_walk(mm, workspace, r, rng, values, tick, &e);
  /* a divergence with resketch belongs to that run's own sketch: say which run */
  if (status == RC_EUNSTABLE && mm->plan->resketch)
    return rc_error_set(err, status, "run %zu (its own sketch): %s", r, e.message);
  return status ? rc_error_set(err, status, "%s", e.message) : RC_SUCCESS;
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
  int status = rc_mc_options_check(o, err);
  if (status)
    return status;
  if (rc_mul_size(o->runs, count) == 0)
    return rc_error_set(err, RC_EINVAL, "%zu runs x %zu values of N overflow", o->runs, count);
  status = rc_schedule_check_horizons(schedule, Ns, count, NULL, err);
  if (status)
    return status;
  /* BLAS takes int dimensions. */
  if (p->d > (size_t)1 << 31 || p->M > (size_t)1 << 31)
    return rc_error_set(err, RC_EINVAL, "dimensions beyond 2^31 are not supported");
  return RC_SUCCESS;
}

int rc_mc_options_check(const rc_mc_options *o, rc_error *err) {
  if (!o)
    return rc_error_set(err, RC_EINVAL, "options are required");
  if (o->mode != RC_MC_RAW && o->mode != RC_MC_REDUCED)
    return rc_error_set(err, RC_EINVAL, "unknown Monte Carlo mode %d", (int)o->mode);
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
  if (o->generator != RC_MC_GENERATOR_PHILOX && o->generator != RC_MC_GENERATOR_MT19937)
    return rc_error_set(err, RC_EINVAL, "unknown Monte Carlo generator %d", (int)o->generator);
  return RC_SUCCESS;
}

int rc_mc_plan_run(const rc_mc_plan *p, const rc_schedule *schedule, const uint64_t *Ns,
                   size_t count, const rc_mc_options *options, rc_mc_risk *out, double *run_risks,
                   rc_error *err) {
  const rc_mc_options o = options ? *options : rc_mc_options_default();
  int status = check_options(p, schedule, Ns, count, &o, out, err);
  if (status)
    return status;
  mc_model mm = {p, schedule, Ns, count, 0, o};
  for (size_t k = 0; k < count; k++)
    mm.N_max = Ns[k] > mm.N_max ? Ns[k] : mm.N_max;
  if (!p->resketch) {
    /* The same refusal as the exact engine, on the same eigenvalues. */
    rc_sgd_measure m;
    memset(&m, 0, sizeof m);
    m.n = p->r;
    m.mu = p->mu;
    m.nu = p->ones;
    m.M = (double)p->M;
    status = rc_sgd_check_stability(&m, schedule, mm.N_max, o.batch, err);
    if (status)
      return status;
  }
  const size_t nv = MC_PARTS * count;
  double *mean = rc_alloc_doubles(nv, err);
  double *se = mean ? rc_alloc_doubles(nv, err) : NULL;
  double *values = se && run_risks ? rc_alloc_doubles(rc_mul_size(o.runs, nv), err) : NULL;
  if (!se || (run_risks && !values)) {
    free(mean);
    free(se);
    return RC_ENOMEM;
  }
  const rc_mc_runner_callbacks cb = {runner_workspace_alloc, runner_workspace_free, simulate_run};
  const rc_mc_runner_options ro = {o.runs,
                                   o.seed,
                                   o.threads,
                                   nv,
                                   rc_walk_steps(schedule, Ns, count),
                                   o.progress,
                                   o.progress_context};
  status = rc_mc_runner_run(&cb, &mm, &ro, values, mean, se, err);
  for (size_t k = 0; k < count && status == RC_SUCCESS; k++) {
    const double *m = mean + MC_PARTS * k, *e = se + MC_PARTS * k;
    out[k].N = Ns[k];
    out[k].M = (double)p->M;
    out[k].mean = m[0];
    out[k].se = e[0];
    out[k].runs = o.runs;
    out[k].approx = m[1];
    out[k].approx_se = e[1];
    out[k].bias = m[2];
    out[k].bias_se = e[2];
    out[k].variance = m[3];
    out[k].variance_se = e[3];
  }
  if (status == RC_SUCCESS && run_risks)
    for (size_t r = 0; r < o.runs; r++)
      for (size_t k = 0; k < count; k++)
        run_risks[r * count + k] = values[r * nv + MC_PARTS * k];
  free(mean);
  free(se);
  free(values);
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

int rc_mc_cost(size_t M, size_t d, const rc_schedule *schedule, const uint64_t *Ns, size_t count,
               const rc_mc_options *options, rc_cost *cost, rc_error *err) {
  if (!cost)
    return rc_error_set(err, RC_EINVAL, "output is required");
  if (M == 0 || d == 0)
    return rc_error_set(err, RC_EINVAL, "problem size M x d = %zu x %zu: both must be at least 1",
                        M, d);
  const rc_mc_options o = options ? *options : rc_mc_options_default();
  int status = rc_mc_options_check(&o, err);
  if (!status)
    status = rc_schedule_check_horizons(schedule, Ns, count, NULL, err);
  if (status)
    return status;
  const int raw = o.mode == RC_MC_RAW;
  const double m = (double)M, dd = (double)d, r = m < dd ? m : dd;
  const double per_M = raw ? dd * 1.5 : 2.0;
  double updates =
      (double)o.runs * rc_walk_steps(schedule, Ns, count) * (double)o.batch * per_M * m;
  if (o.resketch)
    updates += (double)o.runs * (4 * m * dd * r + 10 * r * r * r);
  /* plan: spectrum, sqrt, prior, the fixed sketch (raw) or its factors (reduced) and the SVD
   * made once; workspace: w*, scratch, a block of samples, the run's sketch with resketch */
  const double rows = raw ? (double)raw_rows(d, M, o.batch)
                          : fmin((double)o.batch, fmax(1.0, floor((double)MC_BLOCK_NUMBERS / r)));
  double plan = 3 * dd + 2 * r;
  if (!o.resketch)
    plan += raw ? m * dd : r * dd + r;
  double svd = 3 * m * dd + 2 * (m * r + r * dd) + 4 * r * r + 7 * r;
  /* the block of samples: raw X (plus the noise draw) and Z; reduced Z, which with Philox holds
   * the draws of REDUCED_FILL_SAMPLES samples */
  const double block = raw ? rows * (dd + m) + 1
                           : fmax(rows * r, o.generator == RC_MC_GENERATOR_PHILOX
                                                ? (double)REDUCED_FILL_SAMPLES * (r + 1)
                                                : 0.0);
  double work = 2 * dd + block + rows + 4 * (raw ? m : r);
  if (o.resketch)
    work += m * dd + r + svd;
  const double threads = o.threads > 0 ? (double)o.threads : 1.0;
  cost->updates = updates;
  cost->bytes =
      8 * (plan + (o.resketch ? 0 : svd) + threads * work) + (double)o.runs * (double)count * 8;
  return RC_SUCCESS;
}
