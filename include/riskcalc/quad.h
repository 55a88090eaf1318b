/* riskcalc/quad.h -- the quadratically parameterized model f(x) = <x, v.v> trained by one-pass
 * SGD (docs/QUAD.md, THEORY.md section 3; Ding, Zhang, Zhao, Fang 2025).
 *
 * Data x ~ N(0, diag(lambda)) in d dimensions (d finite or infinite), target
 * y = <x, w*> + xi with xi ~ N(0, sigma2) and w* >= 0. The model uses the first M coordinates:
 * f(x) = sum_{i<=M} x_i v_i^2 = <x_{1:M}, theta>, theta = v.v. SGD on the loss (1/2)(f - y)^2
 * with mini-batches of B fresh samples:
 *   v <- v - 2 eta_t v . (1/B) sum_b (f(x_b) - y_b) x_{b,1:M},
 * from v_i = v0 (all equal; the paper only needs a small initialisation). The risk is exact:
 *   risk = sigma2 + approx + sum_{i<=M} lambda_i E (theta_i - w*_i)^2,
 *   approx = sum_{i>M} lambda_i w*_i^2,
 * and its excess splits into bias = sum_i lambda_i (E theta_i - w*_i)^2 (the mean trajectory)
 * and variance = sum_i lambda_i Var theta_i.
 *
 * Three methods:
 *   analytic  a deterministic recursion for the first three moments of every theta_i, coupled
 *             through the scalar risk (mean field), closed by a Pearson type III (shifted
 *             gamma) law; long constant-step runs advance in blocks through the exact
 *             iterate of the linearised one-step map. It refuses (RC_EDOMAIN) to continue
 *             once fluctuations rival the mean (large eta): use the Monte Carlo method there.
 *   closed    noise-free logistic Phase I (activation times, effective dimension), the
 *             linearised Phase II as linear SGD (riskcalc/sgd.h), and the published rates.
 *   mc        real SGD on the model, many independent runs (riskcalc/mc.h's seeding).
 * Around them: the trajectory of every coordinate within one run (the picture of the two
 * phases), the base step tuned over the closure's domain, and cost queries.
 * The sketched variant f(x) = <S x, v.v> (a riskcalc extension, not the paper's model:
 * rc_quad_problem_sketched_alloc) couples the coordinates: only the Monte Carlo method runs it. */
#ifndef RISKCALC_QUAD_H
#define RISKCALC_QUAD_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/cost.h"
#include "riskcalc/error.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sgd.h"
#include "riskcalc/sketch.h"
#include "riskcalc/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How w* is given. */
typedef enum {
  RC_QUAD_TARGET_POWER = 0, /* lambda_i w*_i^2 = i^-beta (the reading of the paper's decay
                               assumption that reproduces its rates; docs/QUAD.md) */
  RC_QUAD_TARGET_VALUES     /* explicit w*_i >= 0, i = 1..d */
} rc_quad_target_kind;

/* Everything but the model size M. Obtain defaults from rc_quad_spec_default and set the
 * fields; arrays are read by rc_quad_problem_alloc and not kept. */
typedef struct {
  rc_spectrum_kind spectrum; /* RC_SPECTRUM_POWER lambda_i = i^-alpha (default),
                                RC_SPECTRUM_LOGPOWER lambda_i = i^-1 log(i+1)^-alpha,
                                RC_SPECTRUM_VALUES lambda[0..d-1] */
  double alpha;              /* exponent of the power / log-power law (default 2) */
  const double *lambda;      /* VALUES: d eigenvalues, finite and > 0 */
  rc_quad_target_kind target;
  double beta;             /* TARGET_POWER: signal exponent (default 1.5) */
  const double *wstar;     /* TARGET_VALUES: d values, finite and >= 0 */
  double d;                /* dimension: a whole number (>= M), or INFINITY (default) for the
                              power and log-power laws with the power target (then beta > 1) */
  double v0;               /* initial v_i, finite and > 0 (default 0.1) */
  const double *v0_values; /* optional: M initial values v_i (finite, > 0) instead of v0 */
  double sigma2;           /* label noise variance, finite and >= 0 (default 0.1) */
  size_t batch;            /* mini-batch size B >= 1 (default 1) */
} rc_quad_spec;

RC_API rc_quad_spec rc_quad_spec_default(void);

/* One problem at one model size. Caller-owned plain struct (fields read-only by convention);
 * made by rc_quad_problem_alloc, released with rc_quad_problem_free. */
typedef struct {
  size_t M;
  double d;       /* as in the spec (INFINITY allowed) */
  double *lambda; /* lambda_1..lambda_M */
  double *wstar;  /* w*_1..w*_M */
  double *theta0; /* initial theta_i = v_i^2 */
  double approx;  /* sum_{i>M} lambda_i w*_i^2 (Hurwitz zeta tail for d = inf) */
  double signal;  /* sum_{i<=M} lambda_i w*_i^2 */
  double sigma2;
  size_t batch;
  rc_spectrum_kind spectrum;
  double alpha; /* NaN for VALUES */
  rc_quad_target_kind target;
  double beta; /* NaN for TARGET_VALUES */
  /* The sketched variant (rc_quad_problem_sketched_alloc), NULL for the model on coordinates:
   * features z = S x of covariance K = S diag(lambda) S^T; there lambda holds diag(K), wstar
   * the best unconstrained theta* = K^-1 S diag(lambda) w* (entries of either sign) and
   * signal = theta*^T K theta*. */
  double *feature_cov;  /* K, M x M row-major */
  double *feature_chol; /* L, lower triangle of K = L L^T, M x M row-major (upper part 0) */
} rc_quad_problem;

/* Builds the problem of spec at model size M. Domain: M >= 1; M <= d; spectrum, target and
 * the numbers as documented in rc_quad_spec; d = inf needs a power or log-power spectrum
 * (alpha > 0 for the power law) and the power target with beta > 1 (a finite total signal);
 * every lambda_i > 0 for i <= M with the power target (w*_i = sqrt(i^-beta / lambda_i)).
 * approx: for d = inf the tail sum_{i>M} i^-beta is the Hurwitz zeta function
 * zeta(beta, M+1) (gsl_sf_hzeta_e); for finite d it is summed from the smallest term up (for
 * the power target and d - M > 2^20, as zeta(beta, M+1) - zeta(beta, d+1) when beta > 1).
 * Returns NULL and sets err (RC_EINVAL, RC_ENOMEM). */
RC_API rc_quad_problem *rc_quad_problem_alloc(const rc_quad_spec *spec, size_t M, rc_error *err);

/* The sketched variant, a riskcalc extension of the paper's model (docs/QUAD.md section 9):
 * f(x) = <S x, v.v> = <z, theta> with the M x d sketch S (riskcalc/sketch.h, for instance
 * rc_sketch_gaussian_alloc: iid N(0, 1/M) entries), on the d-dimensional data and target of spec
 * (d finite and equal to sketch->d; M = sketch->M <= d). The features z are Gaussian with
 * covariance K = S diag(lambda) S^T and the label is y = <z, theta*> + e + xi with e independent
 * of z of variance approx = sum_j lambda_j (w*_j - (S^T theta*)_j)^2, the error of the best
 * linear predictor on z (computed from the residual, not as a difference). The risk of theta is
 * sigma2 + approx + (theta - theta*)^T K (theta - theta*); theta = v.v >= 0 cannot reach a
 * theta* with negative entries, so on such a sketch the bias keeps a floor (the price of the
 * positivity): it is part of the bias, not of approx. Memory: the problem holds 2 M^2 + 3 M
 * numbers; building it needs 3 d + 1024 M more (K is accumulated over blocks of columns). Returns
 * NULL and sets err (RC_EINVAL: a spec or sketch outside the domain; RC_EDOMAIN: K not positive
 * definite, i.e. the sketched features are degenerate; RC_ENOMEM). Free with rc_quad_problem_free.
 */
RC_API rc_quad_problem *rc_quad_problem_sketched_alloc(const rc_quad_spec *spec,
                                                       const rc_sketch *sketch, rc_error *err);

RC_API void rc_quad_problem_free(rc_quad_problem *problem);

/* One row of the analytic or Monte Carlo risk curve. risk = sigma2 + approx + excess,
 * excess = bias + variance. */
typedef struct {
  uint64_t T;
  double M;
  double sigma2, approx, bias, variance, excess, risk;
  double active; /* analytic: #{i : E theta_i >= w*_i / 2} */
} rc_quad_row;

/* ---- analytic ---------------------------------------------------------------------------- */

typedef struct {
  double tol; /* relative error allowed per block of the multi-step update
                 (default 1e-3; the accepted state is Richardson-extrapolated, so the
                 error is far below tol: docs/QUAD.md section 4 measures it) */
  double
      domain_limit;   /* the largest fluctuation ratio accepted (default 0.35, where the
                         closure's measured error reaches about 1.5%): see rc_quad_analytic_curve */
  int step_by_step;   /* 1: every step iterated exactly (the reference of the block update) */
  double *theta_mean; /* optional: count x M numbers, row k = E theta_i after Ts[k] */
  double *theta_var;  /* optional: count x M numbers, row k = Var theta_i after Ts[k] */
  rc_progress_fn progress;
  void *progress_context;
} rc_quad_analytic_options;

RC_API rc_quad_analytic_options rc_quad_analytic_options_default(void);

/* Work done by the last analytic curve (for benchmarks and tests). */
typedef struct {
  double steps;       /* SGD steps covered */
  double exact_steps; /* steps iterated one by one */
  double blocks;      /* accepted multi-step blocks */
  double rejected;    /* blocks rejected by the error test */
  double max_ratio;   /* largest fluctuation ratio met */
} rc_quad_analytic_stats;

/* The analytic risk after T steps for every T in Ts[0..count-1] (any order, each >= 1 and
 * <= the schedule's capacity): out[k] for Ts[k].
 *
 * Method (docs/QUAD.md section 3). Given v, the step multiplies theta_i by h_i^2,
 * h_i = 1 - 2 eta g_i, where g_i = (1/B) sum_b (x_bi^2 u_i + x_bi rho_b), u = theta - w* and
 * rho the rest of the residual, Gaussian with variance R_-i = R - lambda_i u_i^2 independent
 * of x_i; the cumulants of g_i are exact polynomials in u_i. Averaging over theta_i needs its
 * moments up to order 9: the first three are tracked, the others come from the Pearson type
 * III law with those three (cumulants k_n = (n-1)! k_2 (k_3 / 2 k_2)^(n-2)); R_-i is its mean.
 * Runs of constant step longer than a few steps advance in blocks of 2^p steps by the exact
 * iterate of the one-step map linearised at the block's start (and in the risk, assumed to
 * vary linearly over the block), each block checked against two half blocks (tol).
 *
 * Domain: the fluctuation ratio sqrt(Var theta_i) / E theta_i * min(1, E theta_i / w*_i)
 * (1 when w*_i = 0) of every coordinate stays <= domain_limit, and every moment stays finite
 * with Var theta_i >= 0. Otherwise RC_EDOMAIN, with a message naming the coordinate, the step
 * and the regime (multiplicative noise rivalling the drift: eta too large for the closure),
 * pointing to the Monte Carlo method. options and stats may be NULL.
 * Returns RC_SUCCESS, RC_EINVAL, RC_EDOMAIN, RC_ENOMEM or RC_ECANCEL. */
RC_API int rc_quad_analytic_curve(const rc_quad_problem *problem, const rc_schedule *schedule,
                                  const uint64_t *Ts, size_t count,
                                  const rc_quad_analytic_options *options, rc_quad_row *out,
                                  rc_quad_analytic_stats *stats, rc_error *err);

/* E theta_i (and optionally Var theta_i) after times[k] steps of the single run of horizon T
 * (times non-decreasing, each in [0, T]; time 0 is the initial state), for the picture of the
 * two phases: theta_mean[k * M + i] (count x M numbers; theta_var likewise, or NULL). The same
 * recursion, domain and statuses as rc_quad_analytic_curve (blocks never step over a time);
 * final, when not NULL, receives the row at T. options may be NULL (its theta_mean, theta_var
 * and progress fields are ignored). */
RC_API int rc_quad_analytic_trajectory(const rc_quad_problem *problem, const rc_schedule *schedule,
                                       uint64_t T, const uint64_t *times, size_t count,
                                       const rc_quad_analytic_options *options, double *theta_mean,
                                       double *theta_var, rc_quad_row *final, rc_error *err);

/* The cost of rc_quad_analytic_curve at model size M over Ts (riskcalc/cost.h), asked before
 * running it: the same walk over the schedule, each run of constant step counted as the engine
 * treats it (short runs and the start of a pass iterated, long runs in about two blocks per
 * doubling of their length; past 2^20 runs, such as a cosine schedule changing at every step,
 * the remaining steps count as iterated). An estimate, not a bound: the blocks adapt to the curve
 * (they shrink where coordinates activate); within a factor 1.35 of the work done on the cases of
 * tests/quad/test_quad_tools.c (test_cost). bytes: the state and the block workspace.
 * Returns RC_SUCCESS or
 * RC_EINVAL (M = 0, horizons outside the schedule). */
RC_API int rc_quad_analytic_cost(size_t M, const rc_schedule *schedule, const uint64_t *Ts,
                                 size_t count, rc_cost *cost, rc_error *err);

/* The base step that minimises the analytic risk after T steps over the range where the
 * closure holds. */
typedef struct {
  double eta;         /* the tuned base step */
  double eta_max;     /* the closure holds at T for base steps up to eta_max (its edge, found by
                         bisection to 1e-3 relative; the domain is taken to be an interval) */
  rc_quad_row row;    /* the analytic row at eta */
  int at_edge;        /* 1: the risk still fell at the top of the valid range, so eta is its top
                         grid point: the real optimum may lie beyond, where only the Monte Carlo
                         method can go */
  size_t evaluations; /* analytic curves computed */
} rc_quad_eta_tuned;

/* The base step of schedule's shape (its own base is only the starting point of the search,
 * and schedule is not modified) that minimises the analytic risk after T steps, over the base
 * steps whose analytic curve stays in the closure's domain: the edge eta_max is bracketed
 * (doubling or halving from the schedule's base, then bisection on log eta), a scan of
 * RC_TUNE_GRID log-spaced points covers [eta_max / RC_TUNE_SPAN, eta_max] and an interior best
 * point is refined by Brent on log eta to 1e-6 relative (riskcalc/tune.h's search for linear
 * SGD). options: tol, domain_limit and step_by_step are used (NULL: defaults). Domain: a
 * schedule with a base step (not file: or stages:), T >= 1 within its capacity. Returns
 * RC_SUCCESS, RC_EINVAL (also when nothing bounds the step), RC_EDOMAIN (no step keeps the
 * closure in its domain), RC_ENOMEM or RC_ENOCONV (out holds the best point found). */
RC_API int rc_quad_tune_eta(const rc_quad_problem *problem, const rc_schedule *schedule, uint64_t T,
                            const rc_quad_analytic_options *options, rc_quad_eta_tuned *out,
                            rc_error *err);

/* ---- closed ------------------------------------------------------------------------------ */

/* The noise-free Phase I solution of coordinate i at constant step eta (logistic):
 *   theta_i(t) = w_i / (1 + (w_i / theta_i(0) - 1) exp(-4 eta lambda_i w_i t)),
 * its activation time (theta_i reaches w_i / 2), t_i = log(w_i / theta_i(0) - 1) /
 * (4 eta lambda_i w_i) (0 when theta_i(0) >= w_i / 2, +inf when lambda_i w_i = 0). */
RC_API double rc_quad_activation_time(const rc_quad_problem *problem, size_t i, double eta);

/* One row of the closed forms. */
typedef struct {
  uint64_t T;
  double M;
  double D_eff;   /* min(M, T^(1 / max(beta, (alpha + beta) / 2))) (NaN unless power laws) */
  double D_t;     /* coordinates activated by step T (noise-free Phase I at the base step) */
  double t_adapt; /* activation time of coordinate ceil(D_eff) (of D_t without power laws) */
  double sigma2, approx;
  double rate_bias;     /* D_eff^(1 - beta) - M^(1 - beta) (unit constants) */
  double rate_variance; /* sigma2 D_eff / (T B) */
  double rate_risk;     /* sigma2 + approx + rate_bias + rate_variance */
} rc_quad_closed_row;

/* The closed forms above for every T in Ts (each >= 1) at base step eta (finite, > 0).
 * Returns RC_SUCCESS or RC_EINVAL. */
RC_API int rc_quad_closed_curve(const rc_quad_problem *problem, double eta, const uint64_t *Ts,
                                size_t count, rc_quad_closed_row *out, rc_error *err);

/* The linearised Phase II as a linear SGD measure (riskcalc/sgd.h): near w*, theta' =
 * theta - 4 eta w* . g to first order, which is SGD with step eta on features of covariance
 * diag(4 lambda_i w*_i) (atoms mu_i = 4 lambda_i w*_i, nu_i = 1), starting from
 * c_i(0) = (theta_i(0) - w*_i)^2 / (4 w*_i), with approx of the problem. Coordinates with
 * w*_i = 0 are left out (they never move at first order). rc_sgd_risk_curve with noise
 * sigma2 on this measure gives the linearised excess risk. Returns NULL and sets err
 * (RC_EINVAL when every w*_i is 0, RC_ENOMEM). Free with rc_sgd_measure_free. */
RC_API rc_sgd_measure *rc_quad_linear_measure(const rc_quad_problem *problem, rc_error *err);

/* ---- Monte Carlo ------------------------------------------------------------------------- */

typedef struct {
  size_t runs;   /* R >= 2 (default 100) */
  uint64_t seed; /* base seed (default 1); run r uses rc_mc_run_seed(seed, r) */
  int threads;   /* OpenMP threads (0: all) */
  rc_progress_fn progress;
  void *progress_context;
} rc_quad_mc_options;

RC_API rc_quad_mc_options rc_quad_mc_options_default(void);

/* One row of the simulated curve: means over the runs and their standard errors. */
typedef struct {
  uint64_t T;
  double M;
  double risk, risk_se;
  double bias, bias_se;
  double variance, variance_se;
  size_t runs;
} rc_quad_mc_row;

/* The cost of rc_quad_mc_curve on problem (either variant: the sketched one draws z = L u, M^2 / 2
 * more updates per sample, and keeps K and L), as rc_quad_mc_cost otherwise. */
RC_API int rc_quad_mc_problem_cost(const rc_quad_problem *problem, const rc_schedule *schedule,
                                   const uint64_t *Ts, size_t count,
                                   const rc_quad_mc_options *options, rc_cost *cost, rc_error *err);

/* The cost of rc_quad_mc_curve at model size M and batch B over Ts with options (NULL:
 * defaults): every run walks every pass of the schedule, B (4M + 2) + 2M updates per step; bytes
 * counts the runs' kept values (R x count x (M + 1)) and one workspace per thread. Checks the
 * options the simulation checks. Returns RC_SUCCESS or RC_EINVAL (runs < 2, M or B = 0,
 * horizons outside the schedule). */
RC_API int rc_quad_mc_cost(size_t M, size_t batch, const rc_schedule *schedule, const uint64_t *Ts,
                           size_t count, const rc_quad_mc_options *options, rc_cost *cost,
                           rc_error *err);

/* Simulates R runs of real SGD on the problem (docs/QUAD.md section 5): each step draws B
 * samples x_{1:M} ~ N(0, diag(lambda_1..M)) and the rest of the label, sum_{i>M} x_i w*_i + xi,
 * which is exactly N(0, approx + sigma2) and independent of x_{1:M}; the risk of theta = v.v
 * is exact. Horizon-dependent schedules restart every distinct T from v0 (same stream).
 * Estimators, with theta_ri the run r's theta_i after T steps, thetabar_i their mean and s_i^2
 * their sample variance (divisor R - 1):
 *   risk     = mean of the runs' risks, se = sample sd / sqrt(R);
 *   variance = sum_i lambda_i s_i^2 (unbiased);
 *   bias     = sum_i lambda_i (thetabar_i - w*_i)^2 - variance / R (the finite-runs correction:
 *              unbiased, and bias + variance + sigma2 + approx = risk exactly);
 *   se of bias and variance by the delta method: the sample sd over runs / sqrt(R) of the
 *   influence values 2 sum_i lambda_i (thetabar_i - w*_i)(theta_ri - thetabar_i) and
 *   sum_i lambda_i (theta_ri - thetabar_i)^2.
 * The sketched variant (rc_quad_problem_sketched_alloc) draws z = L u from M standard normals u
 * and replaces lambda_i (a_i)(b_i) by the quadratic form a^T K b throughout (risk, variance,
 * bias and influence values).
 * Results are bit-identical for any thread count. Memory: R x count x (M + 1) numbers.
 * A run whose v becomes non-finite stops everything with RC_EUNSTABLE (run and step named).
 * Returns RC_SUCCESS, RC_EINVAL, RC_EUNSTABLE, RC_ENOMEM or RC_ECANCEL. */
RC_API int rc_quad_mc_curve(const rc_quad_problem *problem, const rc_schedule *schedule,
                            const uint64_t *Ts, size_t count, const rc_quad_mc_options *options,
                            rc_quad_mc_row *out, rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
