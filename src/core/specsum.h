/* src/core/specsum.h -- resolvent sums of a spectrum with signals, at any complex w
 * (internal; docs/DETEQ.md, THEORY.md section 2).
 *
 * What it computes. For eigenvalues lambda_i > 0 with signals s_i = lambda_i p_i (i = 1..d, d
 * possibly infinite for a law) and a point w of the complex plane off the spectrum,
 *   A1(w) = sum_i lambda_i / (lambda_i - w)
 *   A2(w) = sum_i lambda_i^2 / (lambda_i - w)^2
 *   A3(w) = sum_i lambda_i^2 / (lambda_i - w)^3
 *   B0(w) = sum_i s_i / (lambda_i - w)              = sum_i lambda_i p_i / (lambda_i - w)
 *   B1(w) = sum_i s_i lambda_i / (lambda_i - w)     = sum_i lambda_i^2 p_i / (lambda_i - w)
 *   B2(w) = sum_i s_i lambda_i / (lambda_i - w)^2   = sum_i lambda_i^2 p_i / (lambda_i - w)^2
 *   Sim(w) = sum_i s_i lambda_i / |lambda_i - w|^2
 *   C1(w) = sum_i lambda_i / (lambda_i - w)^2
 *   D1(w) = sum_i s_i / (lambda_i - w)^2            = sum_i lambda_i p_i / (lambda_i - w)^2
 * each as a complex number (real and imaginary parts; Sim is real). At a real negative point
 * w = -kappa, kappa > 0 (ridge regression, random features), they are the familiar
 *   A1 = sum lambda/(lambda+kappa),        A2 = sum lambda^2/(lambda+kappa)^2,
 *   B0 = sum lambda p/(lambda+kappa),      B2 = sum lambda^2 p/(lambda+kappa)^2,
 * with zero imaginary parts; other combinations follow from these by partial fractions, e.g.
 * sum lambda p kappa/(lambda+kappa)^2 = B0 - B2 and sum lambda kappa/(lambda+kappa)^2 = A1 - A2,
 * but these differences cancel when kappa << lambda_1 (a relative error of eps lambda_1/kappa):
 * kappa C1 and kappa D1 are the same quantities summed term by term (ridge, docs/RIDGE.md).
 * The sketch deterministic equivalent evaluates them at complex w (the variable
 * w = z (1 + delta(z)) of THEORY.md section 2).
 *
 * How. The plan holds the largest eigenvalues explicitly, in decreasing order, distinct values
 * merged (lam[j] with multiplicity cnt[j] and total signal sig[j]); a law with d beyond the
 * explicit cutoff adds its tail i > n through the tail moments of core/law_tail.h. A sum at w
 * adds the explicit eigenvalues above 0.4 |w| one by one (smallest first) and the rest through
 * the geometric series 1/(lambda - w) = -(1/w) sum_k (lambda/w)^k over precomputed moments
 * sum cnt lambda^m and sum sig lambda^m (m = 0..66, series cut when its terms fall below 1e-18
 * of the first, at most 64 terms). Levels K_l = 64 2^l give each |w| its own cutoff, so a sum
 * costs O(number of eigenvalues above 0.4 |w|) whatever d is.
 *
 * Domain and accuracy. w must stay off the spectrum and |w| >= rc_specsum_min_abs_w(plan)
 * (twice the largest eigenvalue left to the deepest tail; 0 when every eigenvalue is explicit):
 * below it the series would not converge and rc_specsum_eval returns RC_ENOCONV. The explicit
 * part is summed in double precision (relative rounding ~ 1e-16 times the condition of the sum,
 * which is 1 at real negative w where every term is positive); the tail series is truncated
 * below 1e-16 relative; a law's tail moments carry the Euler-Maclaurin bound of
 * rc_specsum_tail_bound (below 1e-12 relative for the laws of riskcalc/law.h at the default
 * cutoffs). At w on the spectrum (a real w equal to an explicit eigenvalue) terms are infinite.
 *
 * Thread safety. A plan is read-only after its _alloc: any number of threads may evaluate the
 * same const plan at once. The fields of rc_specsum are read-only for users. */
#ifndef RISKCALC_CORE_SPECSUM_H
#define RISKCALC_CORE_SPECSUM_H

#include <stddef.h>

#include "riskcalc/error.h"
#include "riskcalc/law.h"

#define RC_SPECSUM_MOMENTS 67 /* tail moments m = 0..66 */
#define RC_SPECSUM_LEVELS 48

typedef struct {
  double d;                    /* number of non-zero eigenvalues (INFINITY for a law at d = inf) */
  size_t n;                    /* explicit distinct eigenvalues, decreasing */
  double *lam, *cnt, *sig;     /* n each: value, multiplicity, total signal sum lambda_i p_i */
  double trace, trace2;        /* sum lambda_i and sum lambda_i^2, tails included */
  double signal;               /* sum lambda_i p_i = tr(H P), tails included */
  double tail_bound;           /* see rc_specsum_tail_bound */
  size_t nlev;                 /* levels */
  size_t K[RC_SPECSUM_LEVELS]; /* level l sums lam[0..K_l-1] explicitly */
  double scale[RC_SPECSUM_LEVELS]; /* largest tail eigenvalue of level l (0: no tail) */
  double U[RC_SPECSUM_LEVELS][RC_SPECSUM_MOMENTS]; /* tail sums of cnt (lambda/scale)^m */
  double V[RC_SPECSUM_LEVELS][RC_SPECSUM_MOMENTS]; /* tail sums of sig (lambda/scale)^m */
} rc_specsum;

/* A plan for explicit values: lambda[i] >= 0 and p[i] (i < d); zero eigenvalues are dropped
 * (they enter no sum), equal ones merged. Returns NULL and sets err: RC_EINVAL (every
 * eigenvalue zero), RC_ENOMEM. The caller validated finiteness (rc_spectrum, rc_prior). */
rc_specsum *rc_specsum_alloc_values(const double *lambda, const double *p, size_t d, rc_error *err);

/* A plan for a law (rc_law_check must pass): eigenvalues 1..min(K, d) explicit, the rest
 * through the law's tail moments. Domain: K >= 1. Returns NULL and sets err: RC_EINVAL (the
 * law's eigenvalues do not decrease, exactly when rc_law_is_decreasing says so, or a tail sum
 * diverges), RC_ENOMEM, RC_ENOCONV (a tail quadrature failed). */
rc_specsum *rc_specsum_alloc_law(const rc_law *law, size_t K, rc_error *err);

void rc_specsum_free(rc_specsum *s);

/* Which sums rc_specsum_eval computes besides A1 (always): */
enum {
  RC_SPECSUM_A2 = 1, /* A2 */
  RC_SPECSUM_A3 = 2, /* A3 (implies A2) */
  RC_SPECSUM_B = 4,  /* B0, B1 and Sim */
  RC_SPECSUM_B2 = 8, /* B2 */
  RC_SPECSUM_C = 16, /* C1 and D1 */
  /* not a sum: with exactly A2 or B asked for and more than RC_SPECSUM_LANES_MIN explicit
   * terms, sum them in SIMD lanes (a different order of the same terms, the same for any
   * thread count; rounding differs from the ordered sums at the 1e-16 level) */
  RC_SPECSUM_LANES = 32
};
#define RC_SPECSUM_LANES_MIN 4096

typedef struct {
  double a1r, a1i, a2r, a2i, a3r, a3i, b0r, b0i, b1r, b1i, b2r, b2i;
  double sim;
  double c1r, c1i, d1r, d1i;
} rc_specsum_sums;

/* The sums at w = wr + i wi (fields not asked for are 0). Returns RC_SUCCESS, or RC_ENOCONV
 * when |w| < rc_specsum_min_abs_w(s) (the message names the cutoff). */
int rc_specsum_eval(const rc_specsum *s, double wr, double wi, unsigned what, rc_specsum_sums *out,
                    rc_error *err);

/* Smallest |w| the plan serves (0 when it has no tail). */
double rc_specsum_min_abs_w(const rc_specsum *s);

/* Largest explicit-tail eigenvalue lambda_{n+1} (0 when every eigenvalue is explicit). */
double rc_specsum_tail_scale(const rc_specsum *s);

/* Bound on the part of the trace and of the signal that the tail summation neglects, relative
 * to them (0 without a tail). */
double rc_specsum_tail_bound(const rc_specsum *s);

/* Number of eigenvalues held explicitly, with multiplicity. */
size_t rc_specsum_explicit_count(const rc_specsum *s);

#endif
