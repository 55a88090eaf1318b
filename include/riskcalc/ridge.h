/* riskcalc/ridge.h -- ridge regression and linear random features: deterministic equivalents
 * with the fine bias-variance split, and their Monte Carlo (docs/RIDGE.md, THEORY.md
 * section 4).
 *
 * x ~ N(0, H), H = diag(lambda), y = <x, w*> + xi, xi ~ N(0, sigma2), E w* w*^T = diag(p).
 *   ridge:            b = argmin (1/n)|y - X b|^2 + lam |b|^2          (lam = 0: minimum norm)
 *   random features:  b = F v, v = argmin (1/n)|y - X F v|^2 + lam |v|^2, F d x P iid N(0, 1/P)
 * Test error E (y - <x, b>)^2 averaged over training sets (and features).
 *
 * Plan once, evaluate many times: an rc_ridge holds the spectral sums of one problem (an
 * explicit spectrum and prior, or a law with d finite or infinite); rc_ridge_eval and
 * rc_rf_eval cost a root search on kappa (a few dozen spectral sums) per point.
 *
 * Conventions of the columns (docs/RIDGE.md sections 2, 3): df1 = sum lambda/(lambda+kappa),
 * df2 = sum lambda^2/(lambda+kappa)^2 are NOT normalised by n (effective dimensions); the
 * deterministic gcv equals test (GCV is asymptotically exact); bias is the error of the
 * predictor averaged over training sets (and features); var_x, var_noise, var_f are the
 * variances due to the sampled inputs, the label noise and the random features. */
#ifndef RISKCALC_RIDGE_H
#define RISKCALC_RIDGE_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/cost.h"
#include "riskcalc/deteq.h"
#include "riskcalc/error.h"
#include "riskcalc/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One row of ridge output, fields in column order (rc_ridge_columns). */
typedef struct {
  double n, lambda;
  double kappa;     /* renormalised ridge: kappa (1 - df1/n) = lambda */
  double df1, df2;  /* degrees of freedom at kappa (not normalised) */
  double bias;      /* kappa^2 sum p lambda / (lambda + kappa)^2 */
  double var_x;     /* bias gamma / (1 - gamma), gamma = df2 / n */
  double var_noise; /* sigma2 gamma / (1 - gamma) */
  double variance;  /* var_x + var_noise */
  double test;      /* sigma2 + bias + variance */
  double train;     /* expected training error (1/n)|y - X b|^2 */
  double gcv;       /* generalized cross-validation estimate (deterministic: = test) */
} rc_ridge_row;

/* One row of random-feature output, fields in column order (rc_rf_columns). */
typedef struct {
  double P, n, lambda;
  double kappa;  /* data-space ridge: kappa (1 - df1/n)(1 - df1/P) = lambda */
  double kappa1; /* feature-space ridge: kappa (1 - df1/P) */
  double df1, df2;
  double bias;      /* kappa^2 sum p lambda / (lambda + kappa)^2 */
  double var_x;     /* (bias + var_f) gamma1 / (1 - gamma1) */
  double var_noise; /* sigma2 gamma1 / (1 - gamma1) */
  double var_f;     /* kappa T2 (df1 - df2) / (P (1 - df2/P)) */
  double test;      /* sigma2 + bias + var_x + var_noise + var_f */
  double train;
} rc_rf_row;

/* Column names in field order; *count receives their number (12 ridge, 13 rf). */
RC_API const char *const *rc_ridge_columns(size_t *count);
RC_API const char *const *rc_rf_columns(size_t *count);
/* Copies a row's fields into values[0..count-1] in column order. */
RC_API void rc_ridge_row_values(const rc_ridge_row *row, double *values);
RC_API void rc_rf_row_values(const rc_rf_row *row, double *values);

/* ------------------------------------------------------------ deterministic equivalents */

typedef struct rc_ridge rc_ridge; /* opaque plan */

/* A plan for a law (power or log-power spectrum, isotropic or source prior, d finite or inf;
 * rc_law_check's rules, decreasing eigenvalues). The sums at kappa go through the shared
 * spectral-sum engine: the top min(d, 2^20) eigenvalues explicitly (24 MiB), the rest through
 * the law's tail moments (docs/DETEQ.md section 2), so d = inf costs the same as a moderate d
 * (a sum adds only the eigenvalues above 0.4 kappa one by one). A kappa below
 * rc_ridge_kappa_min (about 2 lambda_{2^20 + 1}: 1.9e-9 for the power law a = 1.5) is not
 * served: the evaluations needing one return RC_ENOCONV. Returns NULL and sets err: RC_EINVAL,
 * RC_ENOMEM, RC_ENOCONV. Free with rc_ridge_free. */
RC_API rc_ridge *rc_ridge_alloc_law(const rc_law *law, rc_error *err);

/* A plan for an explicit spectrum and prior (spectrum->d == prior->d, at least one
 * eigenvalue > 0; zero eigenvalues never enter). Returns NULL and sets err (RC_EINVAL,
 * RC_ENOMEM). */
RC_API rc_ridge *rc_ridge_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior,
                                       rc_error *err);

RC_API void rc_ridge_free(rc_ridge *plan);

/* Number of non-zero eigenvalues (INFINITY for d = inf): the interpolation threshold. */
RC_API double rc_ridge_dimension(const rc_ridge *plan);

/* tr(H P) = sum lambda_i E w*_i^2 (tails included), the test error of the zero predictor
 * minus sigma2. */
RC_API double rc_ridge_signal(const rc_ridge *plan);

/* A law's plan: the eigenvalues held explicitly (the rest is its analytic tail; all of them
 * for an explicit spectrum), the bound on the part of tr(H) and tr(H P) the tail summation
 * neglects (relative; 0 without a tail), and the smallest kappa served (0 without a tail). */
RC_API size_t rc_ridge_explicit_count(const rc_ridge *plan);
RC_API double rc_ridge_tail_bound(const rc_ridge *plan);
RC_API double rc_ridge_kappa_min(const rc_ridge *plan);

/* The ridge equivalent at sample size n (real, >= 1), ridge lambda (finite, >= 0), noise
 * sigma2 (finite, >= 0). kappa to about 1e-14 relative. Refuses lambda = 0 with n equal to the
 * number of non-zero eigenvalues (the expected test error is infinite there).
 * Returns RC_SUCCESS, RC_EINVAL or RC_ENOCONV. */
RC_API int rc_ridge_eval(const rc_ridge *plan, double n, double lambda, double sigma2,
                         rc_ridge_row *row, rc_error *err);

/* The random-feature equivalent with P features (real, >= 1, or INFINITY: ridge) and n
 * samples (real, >= 1, or INFINITY: the population limit, test - sigma2 = E Approx of
 * rc_deteq_kappa at M = P when lambda = 0). Refuses the infinite peak of lambda = 0 at
 * n = min(P, dimension) (the rank of the feature covariance). Returns RC_SUCCESS, RC_EINVAL or
 * RC_ENOCONV. */
RC_API int rc_rf_eval(const rc_ridge *plan, double P, double n, double lambda, double sigma2,
                      rc_rf_row *row, rc_error *err);

/* Tables: rows[i * nl + j] = (n[i], lambda[j]) for ridge, rows[(k * nn + i) * nl + j] =
 * (P[k], n[i], lambda[j]) for random features. On failure the message names the point. */
RC_API int rc_ridge_curve(const rc_ridge *plan, const double *n, size_t nn, const double *lambda,
                          size_t nl, double sigma2, rc_ridge_row *rows, rc_error *err);
RC_API int rc_rf_curve(const rc_ridge *plan, const double *P, size_t nP, const double *n, size_t nn,
                       const double *lambda, size_t nl, double sigma2, rc_rf_row *rows,
                       rc_error *err);

/* The lambda in [lambda_lo, lambda_hi] (0 < lo < hi, finite) minimising the deterministic test
 * error at (n, P) (P = INFINITY: ridge): a scan of 64 log-spaced points, then GSL's Brent
 * minimiser on log lambda around the best one, to |d log lambda| <= 1e-6 (a minimum is only
 * located to about the square root of the machine epsilon). *at_edge is set to 1
 * when the minimum is at an end of the interval (the optimum lies outside or at 0), else 0.
 * Since the deterministic gcv equals test, the GCV minimiser is the same lambda; the
 * Monte Carlo reports the empirical GCV per training set (rc_ridge_mc). Returns RC_SUCCESS,
 * RC_EINVAL or RC_ENOCONV. */
RC_API int rc_ridge_optimal_lambda(const rc_ridge *plan, double P, double n, double sigma2,
                                   double lambda_lo, double lambda_hi, double *lambda_opt,
                                   int *at_edge, rc_error *err);

/* Evaluations of the test error rc_ridge_optimal_lambda makes at most (for its cost). */
#define RC_RIDGE_OPTIMAL_POINTS 264

/* What `points` evaluations (rc_ridge_eval, rc_rf_eval; an rc_ridge_optimal_lambda counts as
 * RC_RIDGE_OPTIMAL_POINTS) cost on plan: an upper estimate of the multiply-adds of the spectral
 * sums of the root searches (riskcalc/cost.h); bytes 0 (nothing is allocated). Returns
 * RC_SUCCESS or RC_EINVAL. */
RC_API int rc_ridge_eval_cost(const rc_ridge *plan, double points, rc_cost *cost, rc_error *err);

/* ------------------------------------------------------------ Monte Carlo */

typedef struct {
  size_t runs;   /* R >= 3 (the jackknife of the bias needs 3) */
  uint64_t seed; /* run r draws from rc_mc_run_seed(seed, r) */
  int threads;   /* OpenMP threads, 0: omp_get_max_threads() */
  rc_progress_fn progress;
  void *progress_context;
} rc_ridge_mc_options;

/* runs 100, seed 1, threads 0, no progress. */
RC_API rc_ridge_mc_options rc_ridge_mc_options_default(void);

/* Returns RC_SUCCESS or RC_EINVAL with the reason. */
RC_API int rc_ridge_mc_options_check(const rc_ridge_mc_options *options, rc_error *err);

/* Ridge by simulation (docs/RIDGE.md section 4): each run draws X (n_max x d; the smaller n
 * use its first rows), fits every lambda exactly from one thin SVD per n (LAPACKE dgesdd;
 * minimum norm at lambda = 0), conditions exactly on the label noise and evaluates the test
 * error from H. The target is w*_i = sqrt(p_i) (equal in expectation to any prior with these
 * variances). mean[i * nl + j] receives the estimates at (n[i], lambda[j]): test, train, gcv,
 * var_noise, kappa, df1 as run means; bias and var_x from the run-averaged predictor with the
 * finite-runs correction; df2 = n v/(1 + v), v = var_noise/sigma2 per unit noise. se (may be
 * NULL) receives standard errors (jackknife for bias, var_x, variance, df2 by the delta
 * method). n: whole numbers >= 1; lambda >= 0; lambda = 0 refuses |n - d| <= 1 (infinite
 * expected error). BLAS is called from the runs: keep it single-threaded for reproducibility.
 * Returns RC_SUCCESS, RC_EINVAL, RC_ENOMEM, RC_ELINALG, RC_ECANCEL. */
RC_API int rc_ridge_mc(const rc_spectrum *spectrum, const rc_prior *prior, const double *n,
                       size_t nn, const double *lambda, size_t nl, double sigma2,
                       const rc_ridge_mc_options *options, rc_ridge_row *mean, rc_ridge_row *se,
                       rc_error *err);

/* Random features by simulation: each run draws F (d x P_max; smaller P use its first
 * columns, rescaled) and two independent training sets (so that var_x and var_f separate,
 * docs/RIDGE.md section 4). rows[(k * nn + i) * nl + j] as rc_rf_curve. kappa1 is estimated
 * from the feature matrix, kappa = P / tr(F^T H F + kappa1)^-1, df1 in feature space, df2 as
 * sum lambda^2 / (lambda + kappa)^2 at each run's kappa (the plug-in estimate). lambda = 0 refuses
 * |n - min(P, d)| <= 1 (infinite expected error). Returns as rc_ridge_mc. */
RC_API int rc_rf_mc(const rc_spectrum *spectrum, const rc_prior *prior, const double *P, size_t nP,
                    const double *n, size_t nn, const double *lambda, size_t nl, double sigma2,
                    const rc_ridge_mc_options *options, rc_rf_row *mean, rc_rf_row *se,
                    rc_error *err);

/* What rc_ridge_mc (P NULL) or rc_rf_mc with these lists costs: an upper estimate of the
 * multiply-adds of the draws, the SVDs and the nl fits per (P, n), and the peak memory (every
 * run's values are kept for the reduction, plus one workspace per thread; threads 0 counts
 * omp_get_max_threads()). Returns RC_SUCCESS or RC_EINVAL. */
RC_API int rc_ridge_mc_cost(const rc_spectrum *spectrum, const double *P, size_t nP,
                            const double *n, size_t nn, size_t nl,
                            const rc_ridge_mc_options *options, rc_cost *cost, rc_error *err);

/* ------------------------------------------------------------ tuning by simulation */

/* Averages over the runs of rc_ridge_mc_tune, per (P, n). */
typedef struct {
  double P, n;       /* P = INFINITY for ridge */
  double lambda_opt; /* the lambda minimising the run's own test error (an oracle: H is known) */
  double test_opt;   /* that test error */
  double lambda_gcv; /* the lambda minimising the run's GCV (what a user without H can do) */
  double test_gcv;   /* the test error of the fit at lambda_gcv */
  double gcv;        /* the GCV minimum (an estimate of test_gcv from the training data) */
  double edge_opt;   /* fraction of runs whose test minimum is at an end of the interval */
  double edge_gcv;   /* the same for the GCV minimum */
} rc_ridge_tuned_row;

/* Tuning lambda by simulation: each run draws a training set (random features: F and one
 * training set) and, for every (P, n), minimises over lambda in [lambda_lo, lambda_hi]
 * (0 < lo < hi) both that training set's exact test error and its GCV (docs/RIDGE.md section
 * 4), each by a 64-point scan of log lambda and Brent to |d log lambda| <= 1e-6; mean (and se,
 * may be NULL) receive the run averages and their standard errors, rows[k * nn + i] (ridge:
 * P NULL, nP ignored, rows[i]). The deterministic counterpart is rc_ridge_optimal_lambda,
 * which minimises the expected test error: E min <= min E, equal in the limit. Inputs as
 * rc_ridge_mc / rc_rf_mc (lambda = 0 never occurs). Returns as rc_ridge_mc. */
RC_API int rc_ridge_mc_tune(const rc_spectrum *spectrum, const rc_prior *prior, const double *P,
                            size_t nP, const double *n, size_t nn, double sigma2, double lambda_lo,
                            double lambda_hi, const rc_ridge_mc_options *options,
                            rc_ridge_tuned_row *mean, rc_ridge_tuned_row *se, rc_error *err);

/* What rc_ridge_mc_tune costs (as rc_ridge_mc_cost, with the fits of both minimisations). */
RC_API int rc_ridge_mc_tune_cost(const rc_spectrum *spectrum, const double *P, size_t nP,
                                 const double *n, size_t nn, const rc_ridge_mc_options *options,
                                 rc_cost *cost, rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
