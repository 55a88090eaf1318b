/* src/core/minimize.h -- one-dimensional minimisation: GSL's Brent minimiser on a bracket
 * (internal).
 *
 * Used by the step-size tuners (the base step that minimises the final risk) and the ridge
 * tuner (the ridge that minimises the test error). Like the root helper it never reaches GSL's
 * error handler (include/riskcalc/error.h): the minimiser's state lives on the stack, the
 * bracket condition gsl_min_fminimizer_set_with_values would raise on is checked first, and the
 * function GSL sees hands it only finite values (a failure of the caller's function stops the
 * search with that status). */
#ifndef RISKCALC_CORE_MINIMIZE_H
#define RISKCALC_CORE_MINIMIZE_H

#include <stddef.h>

#include "riskcalc/error.h"

/* The function: returns RC_SUCCESS and sets *value (finite), or a status with the rc_error it
 * reaches through params filled. */
typedef int (*rc_min_fn)(double x, void *params, double *value);

typedef struct {
  double epsabs, epsrel; /* converged when the bracket [a, b] satisfies the test of
                            gsl_min_test_interval: b - a < epsabs + epsrel min(|a|, |b|) */
  size_t max_iter;       /* iterations before RC_ENOCONV, >= 1 */
} rc_min_options;

/* The minimum of fn on [a, b] by Brent's method, started from a point x in (a, b) with
 * fx < fa and fx < fb (the values given, not re-evaluated): on success *xmin and *fmin hold the
 * best point found. Returns RC_SUCCESS, RC_EINVAL (a point or value not finite, x not strictly
 * inside, or fx not below both ends: no bracket), RC_ENOCONV (no convergence within max_iter;
 * *xmin, *fmin still hold the best point so far) or the status of fn. Allocation-free. */
int rc_min_brent(rc_min_fn fn, void *params, double a, double fa, double x, double fx, double b,
                 double fb, const rc_min_options *opt, const char *what, double *xmin, double *fmin,
                 rc_error *err);

/* The scan-then-refine search of the step-size tuners: fn at n points evenly spaced on
 * [bottom, top] (2 <= n <= RC_MIN_SCAN_MAX), then, when the best point is interior and below both
 * neighbours, rc_min_brent on that bracket to 1e-6 relative (200 iterations). A value of
 * DBL_MAX marks a point outside the caller's valid range. *at_top is 1 when the best grid point is
 * the last valid one (the minimum may lie beyond top). Returns RC_SUCCESS, the first failing
 * status of fn, or RC_ENOCONV from Brent (*xbest, *fbest then hold the best point found). */
#define RC_MIN_SCAN_MAX 64
int rc_min_scan_brent(rc_min_fn fn, void *params, double bottom, double top, size_t n,
                      const char *what, double *xbest, double *fbest, int *at_top, rc_error *err);

#endif
