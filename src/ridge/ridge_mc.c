/* Monte Carlo of ridge and linear random features (docs/RIDGE.md section 4).
 *
 * One run = one draw of the training inputs (ridge) or of F and two training sets (random
 * features). Every fit is exact, from one thin SVD (LAPACKE dgesdd, column-major so that the
 * smaller n are the leading rows of the largest draw without a copy-transposition); the label
 * noise is integrated out exactly given the inputs, and the test error comes from H. Each
 * run records, per point (P, n, lambda), a few scalars and the vector u = H^1/2 (b_X - w*) of
 * its noise-free fit; the bias of the run-averaged predictor and the variances are estimated
 * from those afterwards, with delete-one jackknife standard errors. The runs go through the
 * shared runner (src/core/mc_runner.h): seeds from (seed, run), OpenMP, run-order reduction.
 *
 * Coordinates with lambda_i = 0 are dropped: x_i = 0, so they neither enter the fit nor the
 * test error. */
#include "riskcalc/ridge.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <lapacke.h>
#include <omp.h>

#include "core/mc_runner.h"
#include "core/util.h"
#include "ridge/ridge_min.h"

/* Scalars recorded per point before the d entries of u (ridge / random features). */
enum { R_EXCESS, R_VN, R_TRAIN, R_GCV, R_KAPPA, R_DF1, R_VUNIT, R_NS };
enum { F_EXCESS, F_VN, F_TRAIN, F_KAPPA1, F_KAPPA, F_DF1, F_DF2, F_HALF, F_NS };
/* Values per point of the tuner. */
enum { T_LOPT, T_TOPT, T_LGCV, T_TGCV, T_GCV, T_EDGE_OPT, T_EDGE_GCV, T_NS };

typedef struct {
  int rf;
  size_t d;                /* positive eigenvalues */
  double *lam, *sqlam, *w; /* lambda_i, sqrt(lambda_i), w*_i = sqrt(p_i) on those */
  const double *P, *n, *lambda;
  size_t nP, nn, nl;
  size_t Pmax, nmax, m_max; /* m: columns of the fitted matrix (d or P) */
  double sigma2;
  int tune;                 /* rc_ridge_mc_tune: per-run minimisers instead of the split */
  double ulo, uhi;          /* tune: log lambda interval */
  size_t ns, block, values; /* scalars per point, values per point, per run */
  size_t lwork, liwork, lwork_eig;
} model;

typedef struct {
  double *X, *A, *U, *s, *VT, *y0, *c, *tmp, *h, *a, *b, *beta, *u, *work;
  lapack_int *iwork;
  double *F, *G, *HF, *E, *mu, *Z, *W; /* random features only */
} work;

static void work_free(void *vp) {
  work *w = vp;
  if (!w)
    return;
  double *all[] = {w->X,    w->A, w->U,    w->s, w->VT, w->y0, w->c, w->tmp, w->h, w->a, w->b,
                   w->beta, w->u, w->work, w->F, w->G,  w->HF, w->E, w->mu,  w->Z, w->W};
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
    free(all[k]);
  free(w->iwork);
  free(w);
}

static void *work_alloc(const void *vm, rc_error *err) {
  const model *m = vm;
  work *w = calloc(1, sizeof *w);
  if (!w) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a Monte Carlo workspace");
    return NULL;
  }
  const size_t nmax = m->nmax, mm = m->m_max, d = m->d;
  const size_t rmax = nmax < mm ? nmax : mm;
  int ok = (w->X = rc_alloc_doubles(rc_mul_size(nmax, d), err)) &&
           (w->A = rc_alloc_doubles(rc_mul_size(nmax, mm), err)) &&
           (w->U = rc_alloc_doubles(rc_mul_size(nmax, rmax), err)) &&
           (w->s = rc_alloc_doubles(rmax, err)) &&
           (w->VT = rc_alloc_doubles(rc_mul_size(rmax, mm), err)) &&
           (w->y0 = rc_alloc_doubles(nmax, err)) && (w->c = rc_alloc_doubles(rmax, err)) &&
           (w->tmp = rc_alloc_doubles(nmax, err)) && (w->h = rc_alloc_doubles(rmax, err)) &&
           (w->a = rc_alloc_doubles(rmax, err)) && (w->b = rc_alloc_doubles(mm, err)) &&
           (w->beta = rc_alloc_doubles(d, err)) && (w->u = rc_alloc_doubles(d, err)) &&
           (w->work = rc_alloc_doubles(m->lwork > m->lwork_eig ? m->lwork : m->lwork_eig, err));
  if (ok && !(w->iwork = malloc(m->liwork * sizeof *w->iwork))) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a Monte Carlo workspace");
    ok = 0;
  }
  if (ok && m->rf) {
    const size_t P = m->Pmax;
    ok = (w->F = rc_alloc_doubles(rc_mul_size(d, P), err)) &&
         (w->G = rc_alloc_doubles(rc_mul_size(d, P), err)) &&
         (w->HF = rc_alloc_doubles(rc_mul_size(P, P), err)) &&
         (w->E = rc_alloc_doubles(rc_mul_size(P, P), err)) && (w->mu = rc_alloc_doubles(P, err)) &&
         (w->Z = rc_alloc_doubles(rc_mul_size(nmax, P), err)) &&
         (w->W = rc_alloc_doubles(rc_mul_size(rmax, P), err));
  }
  if (!ok) {
    work_free(w);
    return NULL;
  }
  return w;
}

/* Thin SVD of A (n x mcols, column-major, lda n; destroyed): U (n x r0), s, VT (r0 x mcols,
 * ld r0), r0 = min(n, mcols). Returns the numerical rank (singular values above
 * s_max max(n, mcols) eps: the minimum-norm cut-off) or -1 on failure. */
static long svd(const model *m, work *w, size_t n, size_t mcols) {
  const size_t r0 = n < mcols ? n : mcols;
  const lapack_int info = LAPACKE_dgesdd_work(
      LAPACK_COL_MAJOR, 'S', (lapack_int)n, (lapack_int)mcols, w->A, (lapack_int)n, w->s, w->U,
      (lapack_int)n, w->VT, (lapack_int)r0, w->work, (lapack_int)m->lwork, w->iwork);
  if (info != 0)
    return -1;
  const double cut = w->s[0] * (double)(n > mcols ? n : mcols) * DBL_EPSILON;
  size_t r = 0;
  while (r < r0 && w->s[r] > cut)
    r++;
  return (long)r;
}

/* The scalars of one fit at ridge lam, given the SVD (rank r), c = U^T y0, out2 = |y0 - U c|^2
 * and h_j = (V^T H_features V)_jj. Also leaves a_j = f_j c_j / s_j (the fit is V a). */
typedef struct {
  double vunit, train, gcv, kappa, df1;
} fit_stats;

static void fit_lambda(const model *m, work *w, size_t n, size_t r, double out2, double lam,
                       fit_stats *o) {
  const double nl = (double)n * lam, s2 = m->sigma2;
  double vunit = 0, res = 0, t2sum = 0, df1 = 0, ktr = 0;
  for (size_t j = 0; j < r; j++) {
    const double sj = w->s[j], q = sj * sj, f = q / (q + nl), t = nl / (q + nl);
    w->a[j] = f * w->c[j] / sj;
    vunit += q / ((q + nl) * (q + nl)) * w->h[j];
    res += t * t * w->c[j] * w->c[j];
    t2sum += t * t;
    df1 += f;
    ktr += (double)n / (q + nl);
  }
  const double nr = (double)(n - r);
  o->vunit = vunit;
  o->train = (out2 + res + s2 * (nr + t2sum)) / (double)n;
  o->df1 = df1;
  if (r == n) {
    /* GCV with tau_j = 1/(s_j^2 + n lam): finite at lam = 0 (interpolation) */
    double num = 0, den = 0;
    for (size_t j = 0; j < r; j++) {
      const double tau = 1.0 / (w->s[j] * w->s[j] + nl);
      num += tau * tau * (w->c[j] * w->c[j] + s2);
      den += tau;
    }
    o->gcv = (double)n * num / (den * den);
    o->kappa = (double)n / ktr;
  } else {
    double tsum = nr;
    for (size_t j = 0; j < r; j++) {
      const double q = w->s[j] * w->s[j];
      tsum += nl / (q + nl);
    }
    const double num = (out2 + res + s2 * (nr + t2sum)) / (double)n, den = tsum / (double)n;
    o->gcv = num / (den * den);
    o->kappa = lam > 0 ? (double)n / (ktr + nr / lam) : 0.0;
  }
}

/* c = U^T y0 and out2 = |y0 - U c|^2 over the first n rows. */
static double project(work *w, size_t n, size_t r) {
  cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)r, 1.0, w->U, (int)n, w->y0, 1, 0.0, w->c, 1);
  memcpy(w->tmp, w->y0, n * sizeof(double));
  cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)r, -1.0, w->U, (int)n, w->c, 1, 1.0, w->tmp,
              1);
  return cblas_ddot((int)n, w->tmp, 1, w->tmp, 1);
}

static void draw_inputs(const model *m, work *w, gsl_rng *rng) {
  const size_t nmax = m->nmax;
  for (size_t i = 0; i < m->d; i++)
    for (size_t k = 0; k < nmax; k++)
      w->X[i * nmax + k] = gsl_ran_gaussian_ziggurat(rng, m->sqlam[i]);
  cblas_dgemv(CblasColMajor, CblasNoTrans, (int)nmax, (int)m->d, 1.0, w->X, (int)nmax, m->w, 1, 0.0,
              w->y0, 1);
}

static int fail_svd(size_t r, rc_error *err) {
  return rc_error_set(err, RC_ELINALG, "run %zu: the SVD (LAPACKE dgesdd) did not converge", r);
}

/* One fitted matrix (n rows, mcols columns: d for ridge, P for features) after its SVD. */
typedef struct {
  size_t n, r, r0, mcols;
  double out2;  /* |y0 - U c|^2 */
  double scale; /* features: b = F v / sqrt(P) */
} fit_shape;

/* The fit at ridge lam: its scalars into st and u = H^1/2 (b - w*) into w->u; returns |u|^2
 * (the noise-free excess test error). */
static double fit_at(const model *m, work *w, const fit_shape *f, double lam, fit_stats *st) {
  fit_lambda(m, w, f->n, f->r, f->out2, lam, st);
  cblas_dgemv(CblasColMajor, CblasTrans, (int)f->r, (int)f->mcols, 1.0, w->VT, (int)f->r0, w->a, 1,
              0.0, w->b, 1);
  const double *beta = w->b;
  if (m->rf) {
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)m->d, (int)f->mcols, f->scale, w->F, (int)m->d,
                w->b, 1, 0.0, w->beta, 1);
    beta = w->beta;
  }
  double uu = 0;
  for (size_t k = 0; k < m->d; k++) {
    const double u = m->sqlam[k] * (beta[k] - m->w[k]);
    w->u[k] = u;
    uu += u * u;
  }
  return uu;
}

/* The SVD of the first n rows of the fitted matrix already in w->A, c, out2 and
 * h_j = (V^T H V)_jj (ridge) or (V^T F^T H F V)_jj / P (features, through w->HF). */
static int fit_prepare(const model *m, work *w, size_t n, size_t mcols, fit_shape *f) {
  const long rk = svd(m, w, n, mcols);
  if (rk < 0)
    return -1;
  f->n = n;
  f->mcols = mcols;
  f->r = (size_t)rk;
  f->r0 = n < mcols ? n : mcols;
  f->scale = m->rf ? 1.0 / sqrt((double)mcols) : 1.0;
  f->out2 = project(w, n, f->r);
  const size_t r = f->r, r0 = f->r0;
  if (!m->rf) {
    for (size_t j = 0; j < r; j++) {
      double h = 0;
      for (size_t k = 0; k < mcols; k++) {
        const double v = w->VT[j + k * r0];
        h += m->lam[k] * v * v;
      }
      w->h[j] = h;
    }
    return 0;
  }
  /* W = VT (F^T H F) / P */
  cblas_dsymm(CblasColMajor, CblasRight, CblasUpper, (int)r, (int)mcols, 1.0 / (double)mcols, w->HF,
              (int)m->Pmax, w->VT, (int)r0, 0.0, w->W, (int)r);
  for (size_t j = 0; j < r; j++) {
    double h = 0;
    for (size_t c = 0; c < mcols; c++)
      h += w->W[j + c * r] * w->VT[j + c * r0];
    w->h[j] = h;
  }
  return 0;
}

/* Copies the first n rows of the inputs (ridge) or of the features Z / sqrt(P) into w->A. */
static void fit_load(const model *m, work *w, size_t n, size_t P) {
  if (!m->rf) {
    for (size_t j = 0; j < m->d; j++)
      memcpy(w->A + j * n, w->X + j * m->nmax, n * sizeof(double));
    return;
  }
  const double scale = 1.0 / sqrt((double)P);
  for (size_t c = 0; c < P; c++)
    for (size_t k = 0; k < n; k++)
      w->A[c * n + k] = w->Z[c * m->nmax + k] * scale;
}

static int simulate_ridge(const model *m, work *w, size_t run, gsl_rng *rng, double *values,
                          rc_mc_tick *tick, rc_error *err) {
  const size_t d = m->d;
  draw_inputs(m, w, rng);
  for (size_t i = 0; i < m->nn; i++) {
    const size_t n = (size_t)m->n[i];
    fit_shape f;
    fit_load(m, w, n, 0);
    if (fit_prepare(m, w, n, d, &f))
      return fail_svd(run, err);
    for (size_t l = 0; l < m->nl; l++) {
      double *v = values + (i * m->nl + l) * m->block;
      fit_stats st;
      const double uu = fit_at(m, w, &f, m->lambda[l], &st);
      memcpy(v + R_NS, w->u, d * sizeof(double));
      v[R_EXCESS] = uu + m->sigma2 * st.vunit;
      v[R_VN] = m->sigma2 * st.vunit;
      v[R_TRAIN] = st.train;
      v[R_GCV] = st.gcv;
      v[R_KAPPA] = st.kappa;
      v[R_DF1] = st.df1;
      v[R_VUNIT] = st.vunit;
    }
    if (rc_mc_tick_add(tick, 1.0))
      return rc_error_set(err, RC_ECANCEL, "cancelled");
  }
  return RC_SUCCESS;
}

/* Draws F (d x P_max, N(0, 1) entries; the first P columns over sqrt(P) are the features of P)
 * and HF = F^T H F (upper triangle, unscaled). */
static void draw_features(const model *m, work *w, gsl_rng *rng) {
  const size_t d = m->d, Pm = m->Pmax;
  for (size_t k = 0; k < d * Pm; k++)
    w->F[k] = gsl_ran_gaussian_ziggurat(rng, 1.0);
  for (size_t p = 0; p < Pm; p++)
    for (size_t k = 0; k < d; k++)
      w->G[p * d + k] = m->sqlam[k] * w->F[p * d + k];
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)Pm, (int)d, 1.0, w->G, (int)d, 0.0, w->HF,
              (int)Pm);
}

/* Training inputs and the feature matrix Z = X F (unscaled). */
static void draw_feature_inputs(const model *m, work *w, gsl_rng *rng) {
  draw_inputs(m, w, rng);
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m->nmax, (int)m->Pmax, (int)m->d, 1.0,
              w->X, (int)m->nmax, w->F, (int)m->d, 0.0, w->Z, (int)m->nmax);
}

static int simulate_rf(const model *m, work *w, size_t run, gsl_rng *rng, double *values,
                       rc_mc_tick *tick, rc_error *err) {
  const size_t d = m->d, Pm = m->Pmax;
  draw_features(m, w, rng);
  for (int set = 0; set < 2; set++) {
    draw_feature_inputs(m, w, rng);
    for (size_t ip = 0; ip < m->nP; ip++) {
      const size_t P = (size_t)m->P[ip];
      const double invP = 1.0 / (double)P;
      /* eigenvalues of F^T H F at this P (for kappa) */
      for (size_t c = 0; c < P; c++)
        for (size_t rr = 0; rr <= c; rr++)
          w->E[c * P + rr] = w->HF[c * Pm + rr] * invP;
      if (LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)P, w->E, (lapack_int)P, w->mu,
                             w->work, (lapack_int)m->lwork_eig) != 0)
        return rc_error_set(err, RC_ELINALG, "run %zu: the eigenvalues of F^T H F (dsyev) failed",
                            run);
      const double mu_cut = w->mu[P - 1] * (double)P * DBL_EPSILON;
      for (size_t i = 0; i < m->nn; i++) {
        const size_t n = (size_t)m->n[i];
        fit_shape f;
        fit_load(m, w, n, P);
        if (fit_prepare(m, w, n, P, &f))
          return fail_svd(run, err);
        for (size_t l = 0; l < m->nl; l++) {
          double *v = values + ((ip * m->nn + i) * m->nl + l) * m->block;
          fit_stats st;
          const double uu = fit_at(m, w, &f, m->lambda[l], &st);
          /* kappa = P / tr (F^T H F + kappa1)^-1 (0 when F^T H F is singular and kappa1 = 0) */
          double tr = 0;
          int singular = 0;
          for (size_t c = 0; c < P; c++) {
            if (st.kappa == 0 && w->mu[c] <= mu_cut)
              singular = 1;
            else
              tr += 1.0 / (w->mu[c] + st.kappa);
          }
          const double kappa = singular ? 0.0 : (double)P / tr;
          /* df2 at this kappa, plugged into its definition (d when kappa = 0) */
          double df2 = 0;
          for (size_t k = 0; k < d; k++) {
            const double q = m->lam[k] / (m->lam[k] + kappa);
            df2 += q * q;
          }
          double half = 0;
          for (size_t k = 0; k < d; k++) {
            const double u = w->u[k];
            if (set == 0) {
              v[F_NS + k] = u;
            } else {
              const double u1 = v[F_NS + k];
              half += 0.5 * (u1 - u) * (u1 - u);
              v[F_NS + k] = 0.5 * (u1 + u);
            }
          }
          const double e = uu + m->sigma2 * st.vunit, vn = m->sigma2 * st.vunit;
          const double now[F_HALF] = {e, vn, st.train, st.kappa, kappa, st.df1, df2};
          for (size_t q = 0; q < F_HALF; q++)
            v[q] = set == 0 ? now[q] : 0.5 * (v[q] + now[q]);
          if (set == 1)
            v[F_HALF] = half;
        }
        if (rc_mc_tick_add(tick, 1.0))
          return rc_error_set(err, RC_ECANCEL, "cancelled");
      }
    }
  }
  return RC_SUCCESS;
}

/* ---------------------------------------------------------------- tuning */

typedef struct {
  const model *m;
  work *w;
  const fit_shape *f;
  int gcv; /* 0: the test error, 1: GCV */
} tune_ctx;

/* The test error or the GCV of this training set at lambda = e^u. */
static int tune_objective(double u, void *vp, double *value) {
  const tune_ctx *c = vp;
  fit_stats st;
  const double uu = fit_at(c->m, c->w, c->f, exp(u), &st);
  *value = c->gcv ? st.gcv : c->m->sigma2 + uu + c->m->sigma2 * st.vunit;
  return isfinite(*value) ? RC_SUCCESS : RC_ELINALG;
}

/* Minimises the test error and the GCV of one fitted training set over lambda in
 * [e^ulo, e^uhi] and records lambda, the test error there, the GCV minimum and the edge
 * flags into v (T_NS values). */
static int tune_point(const model *m, work *w, const fit_shape *f, size_t run, double *v,
                      rc_error *err) {
  double lam[2], fmin[2];
  int edge[2];
  for (int g = 0; g < 2; g++) {
    tune_ctx c = {m, w, f, g};
    double u;
    const int status = ridge_log_minimize(tune_objective, &c, m->ulo, m->uhi, &u, &fmin[g],
                                          &edge[g], g ? "GCV lambda" : "optimal lambda", err);
    if (status)
      return status == RC_ELINALG
                 ? rc_error_set(err, RC_ELINALG, "run %zu: a fit is not finite", run)
                 : status;
    /* the ends exactly, not exp(log(end)) */
    lam[g] = !edge[g] ? exp(u) : u == m->ulo ? m->lambda[0] : m->lambda[1];
  }
  tune_ctx c = {m, w, f, 0};
  double test_gcv;
  tune_objective(log(lam[1]), &c, &test_gcv);
  v[T_LOPT] = lam[0];
  v[T_TOPT] = fmin[0];
  v[T_LGCV] = lam[1];
  v[T_TGCV] = test_gcv;
  v[T_GCV] = fmin[1];
  v[T_EDGE_OPT] = edge[0];
  v[T_EDGE_GCV] = edge[1];
  return RC_SUCCESS;
}

static int simulate_tune(const model *m, work *w, size_t run, gsl_rng *rng, double *values,
                         rc_mc_tick *tick, rc_error *err) {
  if (m->rf) {
    draw_features(m, w, rng);
    draw_feature_inputs(m, w, rng);
  } else {
    draw_inputs(m, w, rng);
  }
  for (size_t ip = 0; ip < (m->rf ? m->nP : 1); ip++) {
    const size_t mcols = m->rf ? (size_t)m->P[ip] : m->d;
    for (size_t i = 0; i < m->nn; i++) {
      const size_t n = (size_t)m->n[i];
      fit_shape f;
      fit_load(m, w, n, mcols);
      if (fit_prepare(m, w, n, mcols, &f))
        return fail_svd(run, err);
      const int status = tune_point(m, w, &f, run, values + (ip * m->nn + i) * T_NS, err);
      if (status)
        return status;
      if (rc_mc_tick_add(tick, 1.0))
        return rc_error_set(err, RC_ECANCEL, "cancelled");
    }
  }
  return RC_SUCCESS;
}

static int simulate(const void *vm, void *vw, size_t run, gsl_rng *rng, double *values,
                    rc_mc_tick *tick, rc_error *err) {
  const model *m = vm;
  const int status = m->tune ? simulate_tune(m, vw, run, rng, values, tick, err)
                     : m->rf ? simulate_rf(m, vw, run, rng, values, tick, err)
                             : simulate_ridge(m, vw, run, rng, values, tick, err);
  if (status)
    return status;
  for (size_t k = 0; k < m->values; k++)
    if (!isfinite(values[k]))
      return rc_error_set(err, RC_ELINALG, "run %zu: a simulated value is not finite", run);
  return RC_SUCCESS;
}

/* ---------------------------------------------------------------- reduction */

/* Estimates from the u blocks of one point over R runs (row r of rv at offset off):
 * bias = (|S|^2 - Q) / (R (R - 1)), var = (Q - |S|^2 / R) / (R - 1), S = sum u_r,
 * Q = sum |u_r|^2, and the delete-one jackknife standard errors of bias, var and
 * var + coef mean(extra) (extra[r] per run: ridge's variance = var_x + var_noise, coef 1;
 * random features' var_f = var(pair mean) - var_x / 2, coef -1/2). */
typedef struct {
  double bias, var, se_bias, se_var, se_var_plus;
} u_est;

static void estimate_u(const double *rv, size_t R, size_t stride, size_t off, size_t d,
                       const double *extra, double coef, double *S, double *dots, u_est *o) {
  memset(S, 0, d * sizeof(double));
  double Q = 0;
  for (size_t r = 0; r < R; r++) {
    const double *u = rv + r * stride + off;
    for (size_t k = 0; k < d; k++)
      S[k] += u[k];
  }
  double SS = 0;
  for (size_t k = 0; k < d; k++)
    SS += S[k] * S[k];
  for (size_t r = 0; r < R; r++) {
    const double *u = rv + r * stride + off;
    double uu = 0, su = 0;
    for (size_t k = 0; k < d; k++) {
      uu += u[k] * u[k];
      su += S[k] * u[k];
    }
    dots[2 * r] = uu;
    dots[2 * r + 1] = su;
    Q += uu;
  }
  const double Rd = (double)R, R1 = Rd - 1;
  o->bias = (SS - Q) / (Rd * R1);
  o->var = (Q - SS / Rd) / R1;
  double ex_sum = 0;
  for (size_t r = 0; r < R; r++)
    ex_sum += extra[r];
  /* jackknife */
  double mb = 0, mv = 0, mvp = 0;
  for (int pass = 0; pass < 2; pass++) {
    double sb = 0, sv = 0, svp = 0;
    for (size_t r = 0; r < R; r++) {
      const double uu = dots[2 * r], su = dots[2 * r + 1];
      const double SSr = SS - 2 * su + uu, Qr = Q - uu;
      const double br = (SSr - Qr) / (R1 * (R1 - 1)), vr = (Qr - SSr / R1) / (R1 - 1);
      const double vpr = vr + coef * (ex_sum - extra[r]) / R1;
      if (pass == 0) {
        sb += br;
        sv += vr;
        svp += vpr;
      } else {
        sb += (br - mb) * (br - mb);
        sv += (vr - mv) * (vr - mv);
        svp += (vpr - mvp) * (vpr - mvp);
      }
    }
    if (pass == 0) {
      mb = sb / Rd;
      mv = sv / Rd;
      mvp = svp / Rd;
    } else {
      o->se_bias = sqrt(R1 / Rd * sb);
      o->se_var = sqrt(R1 / Rd * sv);
      o->se_var_plus = sqrt(R1 / Rd * svp);
    }
  }
}

/* ---------------------------------------------------------------- set-up */

static int whole(double x, double max) {
  return x >= 1 && x <= max && x == floor(x);
}

static int check_inputs(const rc_spectrum *spectrum, const rc_prior *prior, const double *P,
                        size_t nP, const double *n, size_t nn, const double *lambda, size_t nl,
                        double sigma2, const rc_ridge_mc_options *o, const void *mean, int rf,
                        size_t *dpos, rc_error *err) {
  if (!spectrum || !prior || !n || !lambda || !mean || nn == 0 || nl == 0 || (rf && (!P || !nP)))
    return rc_error_set(err, RC_EINVAL,
                        "spectrum, prior, non-empty lists of %sn and lambda and the output are "
                        "required",
                        rf ? "P, " : "");
  if (spectrum->d != prior->d)
    return rc_error_set(err, RC_EINVAL, "spectrum (d = %zu) and prior (d = %zu) differ in d",
                        spectrum->d, prior->d);
  int status = rc_ridge_mc_options_check(o, err);
  if (status)
    return status;
  if (!(isfinite(sigma2) && sigma2 >= 0))
    return rc_error_set(err, RC_EINVAL, "noise variance sigma2 must be finite and >= 0 (got %g)",
                        sigma2);
  size_t d = 0;
  for (size_t i = 0; i < spectrum->d; i++) {
    if (!(isfinite(spectrum->lambda[i]) && spectrum->lambda[i] >= 0 && isfinite(prior->p[i]) &&
          prior->p[i] >= 0))
      return rc_error_set(err, RC_EINVAL,
                          "eigenvalue and prior %zu must be finite and >= 0 (got %g, %g)", i + 1,
                          spectrum->lambda[i], prior->p[i]);
    d += spectrum->lambda[i] > 0;
  }
  if (d == 0)
    return rc_error_set(err, RC_EINVAL, "the spectrum has no positive eigenvalue");
  const double cap = 1048576.0; /* BLAS/LAPACK take int dimensions; products stay below 2^31 */
  if ((double)d > cap)
    return rc_error_set(err, RC_EINVAL, "the Monte Carlo needs d <= %g (got %zu)", cap, d);
  for (size_t i = 0; i < nn; i++)
    if (!whole(n[i], cap))
      return rc_error_set(err, RC_EINVAL,
                          "sample size n must be a whole number in [1, %g] (got %g)", cap, n[i]);
  for (size_t k = 0; rf && k < nP; k++)
    if (!whole(P[k], cap))
      return rc_error_set(err, RC_EINVAL,
                          "feature count P must be a whole number in [1, %g] (got %g)", cap, P[k]);
  for (size_t j = 0; j < nl; j++) {
    if (!(isfinite(lambda[j]) && lambda[j] >= 0))
      return rc_error_set(err, RC_EINVAL, "ridge lambda must be finite and >= 0 (got %g)",
                          lambda[j]);
    if (lambda[j] > 0)
      continue;
    for (size_t k = 0; k < (rf ? nP : 1); k++)
      for (size_t i = 0; i < nn; i++) {
        const double q = rf && P[k] < (double)d ? P[k] : (double)d;
        if (fabs(n[i] - q) <= 1)
          return rc_error_set(err, RC_EINVAL,
                              "lambda = 0 at n = %g within 1 of the rank %g: the expected test "
                              "error is infinite (the interpolation peak)",
                              n[i], q);
      }
  }
  *dpos = d;
  return RC_SUCCESS;
}

/* Largest workspace of dgesdd over the shapes (n, mcols) used, and of dsyev over P. */
static int query_work(model *m, rc_error *err) {
  size_t lw = 1, liw = 1, lwe = 1;
  double q;
  lapack_int iq;
  for (size_t k = 0; k < (m->rf ? m->nP : 1); k++) {
    const size_t mc = m->rf ? (size_t)m->P[k] : m->d;
    for (size_t i = 0; i < m->nn; i++) {
      const size_t n = (size_t)m->n[i], r0 = n < mc ? n : mc;
      if (LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, 'S', (lapack_int)n, (lapack_int)mc, NULL,
                              (lapack_int)n, NULL, NULL, (lapack_int)n, NULL, (lapack_int)r0, &q,
                              -1, &iq) != 0)
        return rc_error_set(err, RC_ELINALG, "the SVD workspace query failed");
      lw = (size_t)q > lw ? (size_t)q : lw;
      liw = 8 * r0 > liw ? 8 * r0 : liw;
    }
    if (m->rf) {
      if (LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)mc, NULL, (lapack_int)mc, NULL,
                             &q, -1) != 0)
        return rc_error_set(err, RC_ELINALG, "the eigenvalue workspace query failed");
      lwe = (size_t)q > lwe ? (size_t)q : lwe;
    }
  }
  m->lwork = lw + 1;
  m->liwork = liw;
  m->lwork_eig = lwe + 1;
  return RC_SUCCESS;
}

rc_ridge_mc_options rc_ridge_mc_options_default(void) {
  rc_ridge_mc_options o = {100, 1, 0, NULL, NULL};
  return o;
}

int rc_ridge_mc_options_check(const rc_ridge_mc_options *o, rc_error *err) {
  if (!o)
    return rc_error_set(err, RC_EINVAL, "options are required");
  if (o->runs < 3)
    return rc_error_set(err, RC_EINVAL,
                        "at least 3 runs are needed for the jackknife of the bias (got %zu)",
                        o->runs);
  if (o->threads < 0)
    return rc_error_set(err, RC_EINVAL, "thread count must be >= 0 (got %d)", o->threads);
  return RC_SUCCESS;
}

static void model_free(model *m) {
  free(m->lam);
  free(m->sqlam);
  free(m->w);
}

static int model_init(model *m, const rc_spectrum *spectrum, const rc_prior *prior, size_t d,
                      rc_error *err) {
  m->d = d;
  m->lam = rc_alloc_doubles(d, err);
  m->sqlam = m->lam ? rc_alloc_doubles(d, err) : NULL;
  m->w = m->sqlam ? rc_alloc_doubles(d, err) : NULL;
  if (!m->w) {
    model_free(m);
    return RC_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < spectrum->d; i++)
    if (spectrum->lambda[i] > 0) {
      m->lam[k] = spectrum->lambda[i];
      m->sqlam[k] = sqrt(spectrum->lambda[i]);
      m->w[k] = sqrt(prior->p[i]);
      k++;
    }
  m->nmax = 0;
  for (size_t i = 0; i < m->nn; i++)
    m->nmax = (size_t)m->n[i] > m->nmax ? (size_t)m->n[i] : m->nmax;
  m->Pmax = 0;
  for (size_t i = 0; m->rf && i < m->nP; i++)
    m->Pmax = (size_t)m->P[i] > m->Pmax ? (size_t)m->P[i] : m->Pmax;
  m->m_max = m->rf ? m->Pmax : d;
  m->ns = m->tune ? T_NS : m->rf ? F_NS : R_NS;
  m->block = m->tune ? T_NS : m->ns + d;
  const size_t points = (m->rf ? m->nP : 1) * m->nn * (m->tune ? 1 : m->nl);
  m->values = rc_mul_size(points, m->block);
  int status =
      m->values ? query_work(m, err) : rc_error_set(err, RC_EINVAL, "too many points x dimensions");
  if (status)
    model_free(m);
  return status;
}

/* Runs the simulation; *rv receives every run's values (caller frees), mean/se per value. */
static int run_all(model *m, const rc_ridge_mc_options *o, double **rv, double **mean, double **se,
                   rc_error *err) {
  const size_t total = rc_mul_size(o->runs, m->values);
  *rv = total ? rc_alloc_doubles(total, err) : NULL;
  *mean = *rv ? rc_alloc_doubles(m->values, err) : NULL;
  *se = *mean ? rc_alloc_doubles(m->values, err) : NULL;
  if (!*se) {
    free(*rv);
    free(*mean);
    *rv = *mean = NULL;
    return total
               ? RC_ENOMEM
               : rc_error_set(err, RC_EINVAL, "%zu runs x %zu values overflow", o->runs, m->values);
  }
  const rc_mc_runner_callbacks cb = {work_alloc, work_free, simulate};
  const double units = (double)((m->rf ? (m->tune ? 1 : 2) * m->nP : 1) * m->nn);
  const rc_mc_runner_options ro = {o->runs, o->seed,     o->threads,         m->values,
                                   units,   o->progress, o->progress_context};
  return rc_mc_runner_run(&cb, m, &ro, *rv, *mean, *se, err);
}

/* Every run's values with their means and standard errors (run_all), and the scratch of
 * estimate_u; everything NULL until estimates_run succeeds. */
typedef struct {
  double *rv, *mu, *sd;
  double *S, *dots, *extra;
} estimates;

static int estimates_run(model *m, const rc_ridge_mc_options *o, size_t d, estimates *e,
                         rc_error *err) {
  *e = (estimates){0};
  int status = run_all(m, o, &e->rv, &e->mu, &e->sd, err);
  if (!status) {
    e->S = rc_alloc_doubles(d, err);
    e->dots = e->S ? rc_alloc_doubles(2 * o->runs, err) : NULL;
    e->extra = e->dots ? rc_alloc_doubles(o->runs, err) : NULL;
    if (!e->extra)
      status = RC_ENOMEM;
  }
  return status;
}

static void estimates_free(estimates *e) {
  free(e->S);
  free(e->dots);
  free(e->extra);
  free(e->rv);
  free(e->mu);
  free(e->sd);
}

/* A ridge row from the values v at a point (the means or the standard errors); shift is
 * sigma2 for the mean's test error (0 for its error); the estimates of U's parts by argument. */
static void ridge_row_fill(rc_ridge_row *row, double n, double lambda, const double *v,
                           double shift, double df2, double bias, double var_x, double variance) {
  row->n = n;
  row->lambda = lambda;
  row->kappa = v[R_KAPPA];
  row->df1 = v[R_DF1];
  row->df2 = df2;
  row->bias = bias;
  row->var_x = var_x;
  row->var_noise = v[R_VN];
  row->variance = variance;
  row->test = shift + v[R_EXCESS];
  row->train = v[R_TRAIN];
  row->gcv = v[R_GCV];
}

/* The same for a random-feature row. */
static void rf_row_fill(rc_rf_row *row, double P, double n, double lambda, const double *v,
                        double shift, double bias, double var_x, double var_f) {
  row->P = P;
  row->n = n;
  row->lambda = lambda;
  row->kappa = v[F_KAPPA];
  row->kappa1 = v[F_KAPPA1];
  row->df1 = v[F_DF1];
  row->df2 = v[F_DF2];
  row->bias = bias;
  row->var_x = var_x;
  row->var_f = var_f;
  row->var_noise = v[F_VN];
  row->test = shift + v[F_EXCESS];
  row->train = v[F_TRAIN];
}

int rc_ridge_mc(const rc_spectrum *spectrum, const rc_prior *prior, const double *n, size_t nn,
                const double *lambda, size_t nl, double sigma2, const rc_ridge_mc_options *options,
                rc_ridge_row *mean, rc_ridge_row *se, rc_error *err) {
  const rc_ridge_mc_options o = options ? *options : rc_ridge_mc_options_default();
  size_t d;
  int status =
      check_inputs(spectrum, prior, NULL, 0, n, nn, lambda, nl, sigma2, &o, mean, 0, &d, err);
  if (status)
    return status;
  model m = {0};
  m.n = n;
  m.nn = nn;
  m.lambda = lambda;
  m.nl = nl;
  m.sigma2 = sigma2;
  if ((status = model_init(&m, spectrum, prior, d, err)))
    return status;
  estimates e;
  status = estimates_run(&m, &o, d, &e, err);
  for (size_t i = 0; i < nn && !status; i++)
    for (size_t l = 0; l < nl; l++) {
      const size_t off = (i * nl + l) * m.block;
      for (size_t r = 0; r < o.runs; r++)
        e.extra[r] = e.rv[r * m.values + off + R_VN];
      u_est u;
      estimate_u(e.rv, o.runs, m.values, off + R_NS, d, e.extra, 1.0, e.S, e.dots, &u);
      const double *mv = e.mu + off, *sv = e.sd + off, vu = mv[R_VUNIT];
      ridge_row_fill(mean + i * nl + l, n[i], lambda[l], mv, sigma2, n[i] * vu / (1 + vu), u.bias,
                     u.var, u.var + mv[R_VN]);
      if (se)
        ridge_row_fill(se + i * nl + l, n[i], lambda[l], sv, 0.0,
                       n[i] * sv[R_VUNIT] / ((1 + vu) * (1 + vu)), u.se_bias, u.se_var,
                       u.se_var_plus);
    }
  estimates_free(&e);
  model_free(&m);
  return status;
}

int rc_rf_mc(const rc_spectrum *spectrum, const rc_prior *prior, const double *P, size_t nP,
             const double *n, size_t nn, const double *lambda, size_t nl, double sigma2,
             const rc_ridge_mc_options *options, rc_rf_row *mean, rc_rf_row *se, rc_error *err) {
  const rc_ridge_mc_options o = options ? *options : rc_ridge_mc_options_default();
  size_t d;
  int status =
      check_inputs(spectrum, prior, P, nP, n, nn, lambda, nl, sigma2, &o, mean, 1, &d, err);
  if (status)
    return status;
  model m = {0};
  m.rf = 1;
  m.P = P;
  m.nP = nP;
  m.n = n;
  m.nn = nn;
  m.lambda = lambda;
  m.nl = nl;
  m.sigma2 = sigma2;
  if ((status = model_init(&m, spectrum, prior, d, err)))
    return status;
  estimates e;
  status = estimates_run(&m, &o, d, &e, err);
  for (size_t k = 0; k < nP && !status; k++)
    for (size_t i = 0; i < nn; i++)
      for (size_t l = 0; l < nl; l++) {
        const size_t pt = (k * nn + i) * nl + l, off = pt * m.block;
        for (size_t r = 0; r < o.runs; r++)
          e.extra[r] = e.rv[r * m.values + off + F_HALF];
        u_est u;
        estimate_u(e.rv, o.runs, m.values, off + F_NS, d, e.extra, -0.5, e.S, e.dots, &u);
        /* var(mean of the pair) = var_f + var_x / 2 */
        const double *mv = e.mu + off, *sv = e.sd + off, var_x = mv[F_HALF];
        rf_row_fill(mean + pt, P[k], n[i], lambda[l], mv, sigma2, u.bias, var_x,
                    u.var - 0.5 * var_x /* = u.var_plus */);
        if (se)
          rf_row_fill(se + pt, P[k], n[i], lambda[l], sv, 0.0, u.se_bias, sv[F_HALF],
                      u.se_var_plus);
      }
  estimates_free(&e);
  model_free(&m);
  return status;
}

int rc_ridge_mc_tune(const rc_spectrum *spectrum, const rc_prior *prior, const double *P, size_t nP,
                     const double *n, size_t nn, double sigma2, double lambda_lo, double lambda_hi,
                     const rc_ridge_mc_options *options, rc_ridge_tuned_row *mean,
                     rc_ridge_tuned_row *se, rc_error *err) {
  const rc_ridge_mc_options o = options ? *options : rc_ridge_mc_options_default();
  if (!(isfinite(lambda_lo) && isfinite(lambda_hi) && lambda_lo > 0 && lambda_lo < lambda_hi))
    return rc_error_set(err, RC_EINVAL,
                        "the lambda interval must satisfy 0 < lo < hi, both finite (got [%g, %g])",
                        lambda_lo, lambda_hi);
  const int rf = P != NULL;
  const double ends[2] = {lambda_lo, lambda_hi};
  size_t d;
  int status = check_inputs(spectrum, prior, P, nP, n, nn, ends, 2, sigma2, &o, mean, rf, &d, err);
  if (status)
    return status;
  model m = {0};
  m.rf = rf;
  m.tune = 1;
  m.P = P;
  m.nP = rf ? nP : 0;
  m.n = n;
  m.nn = nn;
  m.lambda = ends;
  m.nl = 2;
  m.ulo = log(lambda_lo);
  m.uhi = log(lambda_hi);
  m.sigma2 = sigma2;
  if ((status = model_init(&m, spectrum, prior, d, err)))
    return status;
  double *rv, *mu, *sd;
  status = run_all(&m, &o, &rv, &mu, &sd, err);
  for (size_t k = 0; k < (rf ? nP : 1) && !status; k++)
    for (size_t i = 0; i < nn; i++) {
      const size_t off = (k * nn + i) * T_NS;
      for (int pass = 0; pass < (se ? 2 : 1); pass++) {
        const double *v = (pass ? sd : mu) + off;
        rc_ridge_tuned_row *t = (pass ? se : mean) + k * nn + i;
        t->P = rf ? P[k] : INFINITY;
        t->n = n[i];
        t->lambda_opt = v[T_LOPT];
        t->test_opt = v[T_TOPT];
        t->lambda_gcv = v[T_LGCV];
        t->test_gcv = v[T_TGCV];
        t->gcv = v[T_GCV];
        t->edge_opt = v[T_EDGE_OPT];
        t->edge_gcv = v[T_EDGE_GCV];
      }
    }
  free(rv);
  free(mu);
  free(sd);
  model_free(&m);
  return status;
}

/* ---------------------------------------------------------------- cost */

/* The cost of nl fits per (P, n) and of recording per_point values per (P, n) (tune) or per
 * (P, n, lambda) (per_point 0: the split, d + a few). */
static int mc_cost(const rc_spectrum *spectrum, const double *P, size_t nP, const double *n,
                   size_t nn, size_t nl, size_t per_point, const rc_ridge_mc_options *options,
                   rc_cost *cost, rc_error *err) {
  if (!spectrum || !n || nn == 0 || nl == 0 || !cost || (P && nP == 0))
    return rc_error_set(err, RC_EINVAL, "spectrum, non-empty lists and the output are required");
  const rc_ridge_mc_options o = options ? *options : rc_ridge_mc_options_default();
  const double d = (double)spectrum->d, R = (double)o.runs;
  const double threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  double nmax = 0, Pmax = 0;
  for (size_t i = 0; i < nn; i++)
    nmax = n[i] > nmax ? n[i] : nmax;
  for (size_t k = 0; P && k < nP; k++)
    Pmax = P[k] > Pmax ? P[k] : Pmax;
  if (!(isfinite(nmax) && isfinite(Pmax)))
    return rc_error_set(err, RC_EINVAL, "the Monte Carlo needs finite n and P");
  /* per run: the draws, then per fitted matrix an SVD (about 6 n m min(n, m) + 8 min^3
   * multiply-adds) and per lambda one fit (r m, plus d P for features, plus d) */
  double run = 0, values = 0, mm = P ? Pmax : d;
  const double sets = P ? 2 : 1;
  if (P)
    run += 4 * d * Pmax + d * Pmax * Pmax + sets * (5 * nmax * d + nmax * d * Pmax);
  else
    run += 5 * nmax * d;
  for (size_t k = 0; k < (P ? nP : 1); k++) {
    const double m = P ? P[k] : d;
    if (P)
      run += sets * (m * m + 4 * m * m * m);
    for (size_t i = 0; i < nn; i++) {
      const double r0 = n[i] < m ? n[i] : m;
      run += sets * (n[i] * m + 6 * n[i] * m * r0 + 8 * r0 * r0 * r0 + 2 * n[i] * r0 +
                     r0 * m * (P ? m : 1.0) + nl * (2 * r0 + r0 * m + (P ? d * m + m : 0) + 4 * d));
      values += per_point ? (double)per_point : (double)nl * (d + F_NS);
    }
  }
  /* the reduction reads every value of every run a few times */
  cost->updates = R * run + 4 * R * values;
  const double work_bytes =
      8.0 * (nmax * d + 2 * nmax * mm + 2 * mm * mm + 4 * (nmax > mm ? nmax : mm) + 4 * d +
             (P ? 2 * d * Pmax + 2 * Pmax * Pmax + nmax * Pmax + mm * Pmax + 34 * Pmax : 0));
  cost->bytes = 8.0 * (R + 2) * values + threads * work_bytes;
  return RC_SUCCESS;
}

int rc_ridge_mc_cost(const rc_spectrum *spectrum, const double *P, size_t nP, const double *n,
                     size_t nn, size_t nl, const rc_ridge_mc_options *options, rc_cost *cost,
                     rc_error *err) {
  return mc_cost(spectrum, P, nP, n, nn, nl, 0, options, cost, err);
}

int rc_ridge_mc_tune_cost(const rc_spectrum *spectrum, const double *P, size_t nP, const double *n,
                          size_t nn, const rc_ridge_mc_options *options, rc_cost *cost,
                          rc_error *err) {
  /* two minimisations (test error, GCV) of at most grid + iterations fits, and one more */
  return mc_cost(spectrum, P, nP, n, nn, 2 * (RIDGE_MIN_GRID + RIDGE_MIN_ITER) + 1, T_NS, options,
                 cost, err);
}
