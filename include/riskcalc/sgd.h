/* riskcalc/sgd.h -- the exact expected risk of one-pass SGD on sketched linear regression.
 *
 * docs/THEORY.md section 1. Given the sketch, SGD on v is an exactly well-specified
 * M-dimensional Gaussian regression with features z ~ N(0, G), G = S H S^T, and noise of
 * variance s2 = sigma2 + Approx. In the eigenbasis of G the diagonal c_j of the centred second
 * moment closes on itself:
 *   c_j <- (1 - 2 g mu_j + (1 + 1/B) g^2 mu_j^2) c_j + (g^2 / B) mu_j (sum_k nu_k mu_k c_k + s2)
 * with excess risk sum_j nu_j mu_j c_j. Bias starts from c(0) with s2 = 0, variance from
 * c = 0 with s2; they add exactly.
 *
 * Plan once, run many times: the measure (atoms mu_j with multiplicities nu_j and initial
 * c_j(0)) is built once -- from a drawn sketch here, from a deterministic equivalent
 * elsewhere -- and any number of schedules, batch sizes and horizons are run on it. */
#ifndef RISKCALC_SGD_H
#define RISKCALC_SGD_H

#include "riskcalc/api.h"

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/cost.h"
#include "riskcalc/error.h"
#include "riskcalc/measure.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sketch.h"
#include "riskcalc/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The measure type of riskcalc/measure.h under its earlier name (same type). */
typedef rc_measure rc_sgd_measure;

/* rc_measure_alloc and rc_measure_free under their earlier names (same behaviour). */
RC_API rc_sgd_measure *rc_sgd_measure_alloc(size_t n, rc_error *err);
RC_API void rc_sgd_measure_free(rc_sgd_measure *measure);

/* The measure of a fixed sketch: mu_j are the eigenvalues of G = S H S^T (from the singular
 * values of S H^1/2, which keeps the small eigenvalues accurate; for a wide sketch, d >= 4 M
 * and M d >= 2^20, from the Gram matrix when it is well conditioned, as in
 * rc_sgd_measure_gaussian below), nu_j = 1,
 * c_j(0) = (q_j^T S H P H S^T q_j) / mu_j^2 and Approx = tr(HP) - tr(G^+ S H P H S^T), with
 * the pseudo-inverse G^+ when G is singular (M > d or a rank-deficient spectrum; eigenvalues
 * below max(M, d) eps mu_max count as zero). Domain: sketch->d == spectrum->d == prior->d.
 * Returns NULL and sets err (RC_EINVAL, RC_ENOMEM, RC_ELINALG). */
RC_API rc_sgd_measure *rc_sgd_measure_from_sketch(const rc_spectrum *spectrum,
                                                  const rc_prior *prior, const rc_sketch *sketch,
                                                  rc_error *err);

/* The measure of the Gaussian sketch that rc_sketch_gaussian_alloc(M, spectrum->d, rng) would
 * draw (the same numbers: rng ends where that call leaves it), without storing the M x d
 * sketch when d >= 4 M and M d >= 2^20: G = S H S^T and S H P H S^T are accumulated over
 * blocks of 256 generated columns (one generator state per row: O(M^2 + 256 M) memory for
 * any d) and G is diagonalised by a symmetric eigensolver, used when its expected relative error
 * eps (mu_max / mu_min) tr(HP) / Approx is at most 2^-30 (src/linear/sketch_gram.h); otherwise
 * the sketch is drawn again, stored, and the SVD path of rc_sgd_measure_from_sketch is taken.
 * rc_sgd_measure_from_sketch takes the same Gram path on a stored sketch of that shape.
 * Domain: prior->d == spectrum->d, M >= 1, rng != NULL. Returns NULL and sets err
 * (RC_EINVAL, RC_ENOMEM, RC_ELINALG). */
RC_API rc_sgd_measure *rc_sgd_measure_gaussian(const rc_spectrum *spectrum, const rc_prior *prior,
                                               size_t M, gsl_rng *rng, rc_error *err);

/* Largest constant step g that is mean-square stable for batch size B on this measure:
 * g mu_j < 2B/(B+1) for all j and sum_j nu_j g mu_j / (2 - (1+1/B) g mu_j) < B, i.e. the
 * spectral radius of the one-step map is below one. Solved with a GSL bracketing root
 * finder to relative accuracy 1e-14 (the lower end of the final bracket is stored, so the step
 * is stable). Stores +inf when every mu_j is 0.
 * The largest mu_j must lie in [RC_SGD_MU_MIN, RC_SGD_MU_MAX] (or be 0): the recursion's
 * g^2 mu_j must be doubles; outside, RC_EDOMAIN names the bound.
 * Returns RC_EINVAL (B == 0, or an atom whose mu or nu is not finite and >= 0), RC_EDOMAIN or
 * RC_ENOCONV
 * (the root was not bracketed to 1e-14 in 200 iterations). */
#define RC_SGD_MU_MIN 1e-150
#define RC_SGD_MU_MAX 1e150
RC_API int rc_sgd_stable_gamma(const rc_sgd_measure *measure, size_t batch, double *gamma_max,
                               rc_error *err);

/* Options of a risk computation. Obtain defaults from rc_sgd_options_default. */
typedef struct {
  size_t batch;            /* mini-batch size B >= 1 (default 1) */
  double sigma2;           /* label noise variance >= 0 (default 1) */
  rc_progress_fn progress; /* optional: called with the fraction of steps done */
  void *progress_context;
  int step_by_step; /* 0 (default): long constant-step stages are applied at once (a stage
                       jump, whatever the stage length); 1: every step is iterated,
                       O(n) per step -- the reference the stage jumps are tested against */
  int jump_method;  /* how a stage is jumped: 0 (default) automatic; 1 the eigen-decomposed
                       propagator, O(n^2) time and memory per step size (the default up to 1024
                       moving atoms); 2 the renewal equation inverted on a contour, O(24 n) per
                       stage and O(n) memory (the default above). Both agree to about 1e-13. */
  int threads;      /* OpenMP threads for the horizons of a horizon-dependent schedule that are
                       stepped (no stage jumps) and run without a progress callback: 0
                       (default) uses omp_get_max_threads(), 1 runs them one after the other;
                       the output is bit-identical for any count (each horizon's arithmetic is
                       the same) */
} rc_sgd_options;

RC_API rc_sgd_options rc_sgd_options_default(void);

/* Checks the options of a risk computation (liblinear style: the reason in err->message):
 * batch >= 1, sigma2 finite and >= 0, jump_method 0, 1 or 2. Returns RC_SUCCESS or
 * RC_EINVAL. */
RC_API int rc_sgd_options_check(const rc_sgd_options *options, rc_error *err);

/* One row of a risk curve. risk = sigma2 + approx + excess, excess = bias + variance. */
typedef struct {
  uint64_t N;
  double M;
  double sigma2;
  double approx;
  double bias;
  double variance;
  double excess;
  double risk;
} rc_risk;

/* The expected risk after N steps for every N in Ns[0..count-1] (any order, each >= 1 and
 * <= rc_schedule_capacity). Horizon-independent schedules are run once up to max N and
 * sampled; geometric runs each N separately. Before running, checks mean-square stability
 * of the largest step used and refuses (RC_EUNSTABLE, with the largest stable base step in
 * the message) a divergent setting. out[k] receives the row for Ns[k]. A constant-step stage
 * longer than about 8 n steps is applied at once through the eigen-decomposition of its
 * diagonal-plus-rank-one map (docs/THEORY.md section 1), cached per step size, so N up to
 * 2^53 costs a few stages for const, step and geometric schedules (measures of at most 4096
 * moving atoms; larger ones are iterated).
 * Returns RC_SUCCESS, RC_EINVAL, RC_EUNSTABLE, RC_ENOMEM or RC_ECANCEL. Allocates its
 * O(n) workspace once per call (once per thread when horizons run in parallel). */
RC_API int rc_sgd_risk_curve(const rc_sgd_measure *measure, const rc_schedule *schedule,
                             const uint64_t *Ns, size_t count, const rc_sgd_options *options,
                             rc_risk *out, rc_error *err);

/* The cost of rc_sgd_measure_from_sketch for an M x d sketch (M, d >= 1): bytes counts the
 * caller's sketch, the scaled copy S H^1/2, the singular vectors, LAPACKE's row-major
 * transposes and dgesdd's workspace (about 5 M d + 7 min(M, d)^2 numbers; the measured peak
 * is 0.92 to 1.04 times bytes, tests/linear/test_extreme.c: a caller should allow 15% more,
 * RC_COST_BYTES_MARGIN); updates the
 * O(M d min(M, d)) flops of the SVD. Returns RC_SUCCESS, or RC_EINVAL when M or d is 0 or the
 * size overflows. */
RC_API int rc_sgd_measure_from_sketch_cost(size_t M, size_t d, rc_cost *cost, rc_error *err);

/* The cost of rc_sgd_measure_gaussian (M, d >= 1): for a wide sketch (d >= 4 M, M d >= 2^20)
 * the Gram path without the stored sketch (one generator state per row, G and its eigenvectors,
 * a block of columns: O(M^2 + 256 M) numbers for any d), otherwise that of
 * rc_sgd_measure_from_sketch_cost. Should the Gram path's accuracy criterion send the sketch to
 * the SVD, both functions first check that path's memory (about 5 M d numbers) against the
 * machine's and fail with RC_ENOMEM, saying so, rather than start it. Returns RC_SUCCESS or
 * RC_EINVAL (M or d is 0, no output). */
RC_API int rc_sgd_measure_gaussian_cost(size_t M, size_t d, rc_cost *cost, rc_error *err);

/* The cost of rc_sgd_risk_curve on a measure of `atoms` atoms (an upper bound of its moving
 * atoms) for these horizons and options (NULL: defaults), making the engine's own choices:
 * up to 1024 atoms (or with jump_method 1) a constant-step run of at least 8 atoms + 16 steps
 * is one eigen stage jump (about 64 atoms^2 updates), above it a run of at least 64 steps is
 * one renewal jump (1440 atoms updates), whatever the number of atoms; every other step is
 * iterated (6 atoms updates).
 * The schedule is walked run by run up to 2^20 runs; steps past that count as iterated (an
 * upper bound). Returns RC_SUCCESS or RC_EINVAL (bad horizons or options). */
RC_API int rc_sgd_curve_cost(size_t atoms, const rc_schedule *schedule, const uint64_t *Ns,
                             size_t count, const rc_sgd_options *options, rc_cost *cost,
                             rc_error *err);

/* Checks the schedule's largest step over N steps against rc_sgd_stable_gamma; on failure
 * returns RC_EUNSTABLE with a message naming the largest stable step (and base gamma). */
RC_API int rc_sgd_check_stability(const rc_sgd_measure *measure, const rc_schedule *schedule,
                                  uint64_t N, size_t batch, rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
