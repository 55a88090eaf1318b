/* src/ridge/ridge_sums.h -- the spectral sums of ridge and random features at w = -kappa
 * (internal; docs/RIDGE.md section 1).
 *
 * For kappa >= 0 (kappa = 0 drops the zero eigenvalues, so every sum stays finite):
 *   df1 = sum lambda/(lambda+kappa), df2 = sum lambda^2/(lambda+kappa)^2,
 *   dd  = sum kappa lambda/(lambda+kappa)^2 (= df1 - df2, summed as written),
 *   t1  = sum p lambda/(lambda+kappa), t2 = sum p lambda^2/(lambda+kappa)^2,
 *   b0  = kappa^2 sum p lambda/(lambda+kappa)^2.
 * Every term is non-negative: no cancellation. */
#ifndef RISKCALC_RIDGE_SUMS_H
#define RISKCALC_RIDGE_SUMS_H

#include "riskcalc/deteq.h"
#include "riskcalc/error.h"
#include "riskcalc/spectrum.h"

typedef struct {
  double df1, df2, dd, t1, t2, b0;
} ridge_sums;

typedef struct ridge_sums_plan ridge_sums_plan;

/* Explicit spectrum and prior (same d, at least one eigenvalue > 0). NULL + err on failure. */
ridge_sums_plan *ridge_sums_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior,
                                         rc_error *err);
/* A law (rc_law_check's rules). NULL + err on failure. */
ridge_sums_plan *ridge_sums_alloc_law(const rc_law *law, rc_error *err);
void ridge_sums_free(ridge_sums_plan *plan);

/* Number of non-zero eigenvalues (INFINITY for d = inf) and tr(H). */
double ridge_sums_dimension(const ridge_sums_plan *plan);
double ridge_sums_trace(const ridge_sums_plan *plan);

/* Terms one evaluation sums (its cost). */
size_t ridge_sums_terms(const ridge_sums_plan *plan);

/* The sums at kappa >= 0 (finite). Allocation-free, thread-safe. */
void ridge_sums_eval(const ridge_sums_plan *plan, double kappa, ridge_sums *out);

#endif
