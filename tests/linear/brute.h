/* tests/brute.h -- a deliberately naive, full-matrix reference for the exact SGD engine.
 *
 * docs/THEORY.md section 1, computed the slow and obvious way so that it shares nothing with
 * src/sgd.c (no eigenbasis of G for the recursion, no singular value decomposition, no
 * src/ code, its own step-size formulas):
 *   G  = S H S^T                               (M x M)
 *   G^+ from LAPACKE_dsyev, eigenvalues below 1e-12 max treated as zero
 *   C0 = G^+ S H P H S^T G^+                   (second moment of v*)
 *   E Approx = tr(HP) - tr(G^+ S H P H S^T)
 * and the full M x M second-moment recursion, one step at a time,
 *   C+ = C - g (GC + CG) + g^2 [ (1+1/B) GCG + (1/B) tr(GC) G + (s2/B) G ],
 * for the bias (from C0, s2 = 0) and the variance (from 0, s2 = sigma2 + Approx), each
 * reported as tr(G C). Every matrix is a flat row-major block. The functions are static
 * inline so that a test including the header but not using all of them stays warning-free.
 * Allocation happens once per call, never per step. */
#ifndef RC_TESTS_BRUTE_H
#define RC_TESTS_BRUTE_H

#include <math.h>

#include <gsl/gsl_math.h> /* M_PI with -std=c11 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

/* Eigenvalues of G at or below this fraction of the largest count as zero in G^+. */
#define BRUTE_PINV_RTOL 1e-12

/* ---- step sizes, written from the definitions in include/riskcalc/schedule.h ---- */

typedef enum {
  BRUTE_CONST,     /* gamma */
  BRUTE_GEOMETRIC, /* gamma 2^-floor(t/K), K = ceil(N / log2 N), K = 1 for N = 1 */
  BRUTE_STEP,      /* gamma F^floor(t/K) */
  BRUTE_POLY,      /* gamma (1 + t/T0)^-P */
  BRUTE_LIST,      /* list[t] (absolute steps) */
  BRUTE_TWOPHASE,  /* gamma for t < T1 (K: T1, 0 for floor(N/2)), then geometric over N - T1 */
  BRUTE_COSINE,    /* F gamma + (1 - F) gamma (1 + cos(pi t/N)) / 2 */
  BRUTE_LINEAR,    /* gamma + (F gamma - gamma) t / N */
  BRUTE_WSD,       /* F = FRAC: gamma, then gamma (1 - s) over the last ceil(F N) steps */
  BRUTE_WARMUP,    /* K = W: gamma (t+1)/W, then step:T0:P (T0 = stage length, P = factor) */
  BRUTE_STAGES     /* list[k] for count steps each (T0 steps per stage), the last continuing */
} brute_kind;

typedef struct {
  brute_kind kind;
  double gamma;
  uint64_t K;         /* BRUTE_STEP; BRUTE_TWOPHASE: T1 (0: floor(N/2)) */
  double F;           /* BRUTE_STEP */
  double T0, P;       /* BRUTE_POLY */
  const double *list; /* BRUTE_LIST, borrowed */
  size_t count;       /* BRUTE_LIST */
} brute_schedule;

/* gamma_t for horizon N (t < N). */
static inline double brute_step(const brute_schedule *s, uint64_t t, uint64_t N) {
  switch (s->kind) {
  case BRUTE_CONST:
    return s->gamma;
  case BRUTE_GEOMETRIC: {
    double K = N == 1 ? 1.0 : ceil((double)N / log2((double)N));
    double halvings = floor((double)t / K);
    return s->gamma * pow(0.5, halvings);
  }
  case BRUTE_STEP:
    return s->gamma * pow(s->F, floor((double)t / (double)s->K));
  case BRUTE_POLY:
    return s->gamma / pow(1.0 + (double)t / s->T0, s->P);
  case BRUTE_LIST:
    return t < s->count ? s->list[t] : NAN;
  case BRUTE_COSINE:
    return s->F * s->gamma + (1 - s->F) * s->gamma * (1 + cos(M_PI * (double)t / (double)N)) / 2;
  case BRUTE_LINEAR:
    return s->gamma + (s->F * s->gamma - s->gamma) * (double)t / (double)N;
  case BRUTE_WSD: {
    const double D = fmin((double)N, fmax(1.0, ceil(s->F * (double)N - 1e-9)));
    const double t0 = (double)N - D;
    return (double)t < t0 ? s->gamma : s->gamma * (1 - ((double)t - t0) / D);
  }
  case BRUTE_WARMUP:
    if (t < s->K)
      return s->gamma * (double)(t + 1) / (double)s->K;
    return s->gamma * pow(s->P, floor((double)(t - s->K) / s->T0));
  case BRUTE_STAGES: {
    const size_t k = (size_t)((double)t / s->T0);
    return s->list[k < s->count ? k : s->count - 1];
  }
  case BRUTE_TWOPHASE: {
    const uint64_t T1 = s->K == 0 ? N / 2 : s->K < N ? s->K : N;
    if (t < T1)
      return s->gamma;
    const uint64_t L = N - T1;
    const double K = L == 1 ? 1.0 : ceil((double)L / log2((double)L));
    return s->gamma * pow(0.5, floor((double)(t - T1) / K));
  }
  }
  return NAN;
}

/* ---- the problem: G, C0 and Approx from H, P and S ---- */

typedef struct {
  size_t M, d;
  double *G;     /* M x M */
  double *C0;    /* M x M */
  double signal; /* tr(HP) */
  double approx; /* tr(HP) - tr(G^+ S H P H S^T) */
  size_t rank;   /* eigenvalues of G above BRUTE_PINV_RTOL * max */
  double mu_max; /* largest eigenvalue of G */
} brute_problem;

static inline void brute_problem_free(brute_problem *bp) {
  free(bp->G);
  free(bp->C0);
  bp->G = bp->C0 = NULL;
}

/* Naive C = A B for n x n row-major matrices. */
static inline void brute_matmul(const double *A, const double *B, double *C, size_t n) {
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      double s = 0;
      for (size_t k = 0; k < n; k++)
        s += A[a * n + k] * B[k * n + b];
      C[a * n + b] = s;
    }
}

/* Builds G, C0 and Approx for lambda (d), p (d) and the row-major M x d sketch S.
 * Returns 0, or -1 on allocation or LAPACK failure (bp is then left empty). */
static inline int brute_problem_init(brute_problem *bp, const double *lambda, const double *p,
                                     const double *S, size_t M, size_t d) {
  memset(bp, 0, sizeof *bp);
  bp->M = M;
  bp->d = d;
  bp->G = calloc(M * M, sizeof(double));
  bp->C0 = calloc(M * M, sizeof(double));
  double *Q = calloc(M * M, sizeof(double));
  double *w = calloc(M, sizeof(double));
  double *Gp = calloc(M * M, sizeof(double));
  double *T = calloc(M * M, sizeof(double));
  double *tmp = calloc(M * M, sizeof(double));
  int status = -1;
  if (!bp->G || !bp->C0 || !Q || !w || !Gp || !T || !tmp)
    goto done;
  /* G = S H S^T and T = S H P H S^T */
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      double g = 0, t = 0;
      for (size_t i = 0; i < d; i++) {
        g += S[a * d + i] * lambda[i] * S[b * d + i];
        t += S[a * d + i] * lambda[i] * p[i] * lambda[i] * S[b * d + i];
      }
      bp->G[a * M + b] = g;
      T[a * M + b] = t;
    }
  /* G^+ = sum over non-zero eigenvalues of q q^T / w (columns of Q are eigenvectors) */
  memcpy(Q, bp->G, M * M * sizeof(double));
  if (LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)M, Q, (lapack_int)M, w) != 0)
    goto done;
  double wmax = 0;
  for (size_t j = 0; j < M; j++)
    wmax = fabs(w[j]) > wmax ? fabs(w[j]) : wmax;
  bp->mu_max = wmax;
  for (size_t j = 0; j < M; j++) {
    if (!(w[j] > BRUTE_PINV_RTOL * wmax))
      continue;
    bp->rank++;
    for (size_t a = 0; a < M; a++)
      for (size_t b = 0; b < M; b++)
        Gp[a * M + b] += Q[a * M + j] * Q[b * M + j] / w[j];
  }
  /* C0 = G^+ T G^+, Approx = tr(HP) - tr(G^+ T) */
  brute_matmul(Gp, T, tmp, M);
  brute_matmul(tmp, Gp, bp->C0, M);
  double signal = 0, explained = 0;
  for (size_t i = 0; i < d; i++)
    signal += lambda[i] * p[i];
  for (size_t a = 0; a < M; a++)
    explained += tmp[a * M + a];
  bp->signal = signal;
  bp->approx = signal - explained;
  status = 0;
done:
  free(Q);
  free(w);
  free(Gp);
  free(T);
  free(tmp);
  if (status)
    brute_problem_free(bp);
  return status;
}

/* ---- the full-matrix recursion ---- */

/* One SGD step of the second moment C (M x M, in place) at step g, batch B, noise s2.
 * C need not be symmetric: GC and CG are both formed, so the same function applies the map
 * to any matrix (the superoperator below feeds it unit matrices). work holds 3 M^2 doubles. */
static inline void brute_update(const brute_problem *bp, double *C, double g, double B, double s2,
                                double *work) {
  const size_t M = bp->M;
  double *GC = work, *CG = work + M * M, *GCG = work + 2 * M * M;
  brute_matmul(bp->G, C, GC, M);
  brute_matmul(C, bp->G, CG, M);
  brute_matmul(GC, bp->G, GCG, M);
  double trGC = 0;
  for (size_t a = 0; a < M; a++)
    trGC += GC[a * M + a];
  for (size_t a = 0; a < M; a++)
    for (size_t b = 0; b < M; b++) {
      const double first = GC[a * M + b] + CG[a * M + b];
      const double second =
          (1.0 + 1.0 / B) * GCG[a * M + b] + (trGC / B + s2 / B) * bp->G[a * M + b];
      C[a * M + b] += -g * first + g * g * second;
    }
}

static inline double brute_trace_GC(const brute_problem *bp, const double *C) {
  double s = 0;
  for (size_t a = 0; a < bp->M; a++)
    for (size_t k = 0; k < bp->M; k++)
      s += bp->G[a * bp->M + k] * C[k * bp->M + a];
  return s;
}

typedef struct {
  double approx, bias, variance, excess, risk;
} brute_result;

/* Expected risk after N >= 1 steps of the schedule (horizon N), batch B >= 1, label noise
 * sigma2 >= 0. Returns 0, or -1 when out of memory. */
static inline int brute_risk(const brute_problem *bp, const brute_schedule *s, uint64_t N, size_t B,
                             double sigma2, brute_result *out) {
  const size_t M = bp->M;
  double *Cb = malloc(M * M * sizeof(double));
  double *Cv = calloc(M * M, sizeof(double));
  double *work = malloc(3 * M * M * sizeof(double));
  if (!Cb || !Cv || !work) {
    free(Cb);
    free(Cv);
    free(work);
    return -1;
  }
  memcpy(Cb, bp->C0, M * M * sizeof(double));
  const double s2 = sigma2 + bp->approx;
  for (uint64_t t = 0; t < N; t++) {
    const double g = brute_step(s, t, N);
    brute_update(bp, Cb, g, (double)B, 0.0, work);
    brute_update(bp, Cv, g, (double)B, s2, work);
  }
  out->approx = bp->approx;
  out->bias = brute_trace_GC(bp, Cb);
  out->variance = brute_trace_GC(bp, Cv);
  out->excess = out->bias + out->variance;
  out->risk = sigma2 + bp->approx + out->excess;
  free(Cb);
  free(Cv);
  free(work);
  return 0;
}

/* The matrix (M^2 x M^2, row-major, caller-allocated) of the noise-free one-step map
 * C -> C - g (GC + CG) + g^2 [ (1+1/B) GCG + (1/B) tr(GC) G ] on all M x M matrices, column
 * (c M + e) being the image of the unit matrix E_ce. work holds 4 M^2 doubles. */
static inline void brute_superoperator(const brute_problem *bp, double g, double B, double *L,
                                       double *work) {
  const size_t M = bp->M, n = M * M;
  double *E = work + 3 * n;
  for (size_t col = 0; col < n; col++) {
    memset(E, 0, n * sizeof(double));
    E[col] = 1.0;
    brute_update(bp, E, g, B, 0.0, work);
    for (size_t row = 0; row < n; row++)
      L[row * n + col] = E[row];
  }
}

/* Spectral radius of the map above (general eigenvalue problem, LAPACKE_dgeev); NAN on
 * failure. */
static inline double brute_radius(const brute_problem *bp, double g, double B) {
  const size_t n = bp->M * bp->M;
  double *L = malloc(n * n * sizeof(double));
  double *work = malloc(4 * n * sizeof(double));
  double *wr = malloc(n * sizeof(double));
  double *wi = malloc(n * sizeof(double));
  double radius = NAN;
  if (L && work && wr && wi) {
    brute_superoperator(bp, g, B, L, work);
    if (LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int)n, L, (lapack_int)n, wr, wi, NULL, 1,
                      NULL, 1) == 0) {
      radius = 0;
      for (size_t k = 0; k < n; k++)
        radius = hypot(wr[k], wi[k]) > radius ? hypot(wr[k], wi[k]) : radius;
    }
  }
  free(L);
  free(work);
  free(wr);
  free(wi);
  return radius;
}

/* Relative difference |got - want| / |want| (0 when both are 0, inf when only want is). */
static inline double brute_rel(double got, double want) {
  if (got == want)
    return 0;
  return fabs(got - want) / fabs(want);
}

#endif
