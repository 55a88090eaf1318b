/* src/core/root.h -- one-dimensional root finding: bracket search and GSL's Brent (internal).
 *
 * One helper for every scalar root of the library (the stability edge of SGD, the secular
 * roots of stage jumps, kappa and the support edges of the deterministic equivalent). It never
 * reaches GSL's error handler (include/riskcalc/error.h): the solver state lives on the stack
 * (no allocation), the bracket and tolerances are checked before gsl_root_fsolver_set, the
 * end values are evaluated here first (a missing sign change is reported, not raised), and the
 * function GSL sees is a guard that hands Brent only finite values: a non-finite value or an
 * error of the caller's function stops the search with a status instead.
 *
 * The function reports its own failures: it returns RC_SUCCESS and sets *value, or returns a
 * status after filling the rc_error it was given through params (the search then returns that
 * status unchanged). */
#ifndef RISKCALC_CORE_ROOT_H
#define RISKCALC_CORE_ROOT_H

#include <stddef.h>

#include "riskcalc/error.h"

typedef int (*rc_root_fn)(double x, void *params, double *value);

/* Which estimate of the root is returned. */
typedef enum {
  RC_ROOT_BEST,  /* Brent's current iterate (gsl_root_fsolver_root) */
  RC_ROOT_LOWER, /* the lower end of the final bracket */
  RC_ROOT_UPPER  /* the upper end of the final bracket */
} rc_root_end;

typedef struct {
  /* Converged when the bracket [lo, hi] satisfies hi - lo < epsabs + epsrel min(|lo|, |hi|)
   * (min taken as 0 when the bracket contains 0), the test of gsl_root_test_interval, or when
   * lo and hi are adjacent doubles (no bracket can be narrower). Both >= 0. */
  double epsabs, epsrel;
  size_t max_iter; /* Brent iterations before RC_ENOCONV, >= 1 */
  rc_root_end end;
} rc_root_options;

/* A root of fn in [lo, hi] by Brent's method (gsl_root_fsolver_brent). Domain: lo <= hi both
 * finite; fn(lo) and fn(hi) finite, of opposite signs or one of them zero (that end is then
 * returned at once). `what` names the root in messages. Returns RC_SUCCESS and *root, or
 * RC_EINVAL (bad bracket or options), RC_ENOCONV (no sign change, a non-finite function value,
 * or no convergence within max_iter: the message gives the bracket and the residual), RC_ENOMEM
 * (only if a future GSL's Brent state outgrows the stack buffer and malloc fails) or the
 * status of fn. Thread-safe; allocation-free. */
int rc_root_brent(rc_root_fn fn, void *params, double lo, double hi, const rc_root_options *opt,
                  const char *what, double *root, rc_error *err);

/* Bracket search toward a point: evaluates fn at x_k = toward + e_k, e_0 = e0,
 * e_k = e_{k-1} * factor (the sequence is exact for factor a power of two), k = 0, 1, ..., and
 * stops at the first x_k where fn has the wanted sign (sign > 0: fn > 0; sign < 0: fn < 0).
 * Returns *x = x_k and *prev = x_{k-1} (prev0 for k = 0), so that [prev, x] or [x, prev]
 * brackets the sign change when fn(prev) has the other sign. Use factor < 1 to close in on a
 * pole or a limit point, factor > 1 to expand outward. Returns RC_SUCCESS, RC_EINVAL (e0 or
 * factor not finite, e0 == 0, factor <= 0 or == 1, sign == 0), RC_ENOCONV (max_steps points
 * tried, or x_k reached `toward` or left the doubles: the message gives the last point and
 * value; fn is never evaluated at `toward` itself), or the status of fn (including a
 * non-finite value: RC_ENOCONV). */
int rc_root_search(rc_root_fn fn, void *params, double toward, double e0, double factor, int sign,
                   size_t max_steps, double prev0, const char *what, double *x, double *prev,
                   rc_error *err);

#endif
