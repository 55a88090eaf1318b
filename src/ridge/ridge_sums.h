/* src/ridge/ridge_sums.h -- the spectral sums of ridge and random features at w = -kappa
 * (internal; docs/RIDGE.md section 1), through the shared spectral-sum engine (core/specsum.h)
 * for explicit spectra and laws alike (d = inf: explicit top eigenvalues and analytic tails).
 *
 * For kappa >= 0 (kappa = 0 drops the zero eigenvalues, so every sum stays finite):
 *   df1 = sum lambda/(lambda+kappa), df2 = sum lambda^2/(lambda+kappa)^2,
 *   dd  = sum kappa lambda/(lambda+kappa)^2 (= df1 - df2, summed as written: kappa C1),
 *   t1  = sum p lambda/(lambda+kappa), t2 = sum p lambda^2/(lambda+kappa)^2,
 *   b0  = kappa^2 sum p lambda/(lambda+kappa)^2 (kappa^2 D1).
 * Every term is non-negative: no cancellation. */
#ifndef RISKCALC_RIDGE_SUMS_H
#define RISKCALC_RIDGE_SUMS_H

#include <stddef.h>

#include "riskcalc/error.h"
#include "riskcalc/law.h"
#include "riskcalc/spectrum.h"

/* Explicit eigenvalues a law's plan holds (the rest is its tail): 2^20, 24 MiB; kappa down to
 * about 2 lambda_{2^20 + 1} is served (rc_ridge_kappa_min). */
#define RIDGE_LAW_EXPLICIT ((size_t)1 << 20)

typedef struct {
  double df1, df2, dd, t1, t2, b0;
} ridge_sums;

typedef struct ridge_sums_plan ridge_sums_plan;

/* Explicit spectrum and prior (same d, at least one eigenvalue > 0). NULL + err on failure. */
ridge_sums_plan *ridge_sums_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior,
                                         rc_error *err);
/* A law (rc_law_check's rules, decreasing eigenvalues). NULL + err on failure. */
ridge_sums_plan *ridge_sums_alloc_law(const rc_law *law, rc_error *err);
void ridge_sums_free(ridge_sums_plan *plan);

/* Number of non-zero eigenvalues (INFINITY for d = inf), tr(H) and tr(H P). */
double ridge_sums_dimension(const ridge_sums_plan *plan);
double ridge_sums_trace(const ridge_sums_plan *plan);
double ridge_sums_signal(const ridge_sums_plan *plan);
/* The smallest kappa the plan serves (0 when every eigenvalue is explicit), and the bound on
 * the part of the trace and signal its tail neglects (relative; 0 without a tail). */
double ridge_sums_kappa_min(const ridge_sums_plan *plan);
double ridge_sums_tail_bound(const ridge_sums_plan *plan);
/* Explicit distinct eigenvalues (an evaluation sums at most these terms: its cost), and the
 * explicit eigenvalues with multiplicity. */
size_t ridge_sums_terms(const ridge_sums_plan *plan);
size_t ridge_sums_explicit(const ridge_sums_plan *plan);

/* The sums at kappa >= 0 (finite). Allocation-free, thread-safe. Returns RC_SUCCESS or
 * RC_ENOCONV (kappa below ridge_sums_kappa_min, message names it). */
int ridge_sums_eval(const ridge_sums_plan *plan, double kappa, ridge_sums *out, rc_error *err);

#endif
