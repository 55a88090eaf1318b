/* src/core/minimize.h -- one-dimensional minimisation: GSL's Brent minimiser, guarded
 * (internal; the companion of core/root.h).
 *
 * It never reaches GSL's error handler: the solver state lives on the stack, the starting
 * triple is checked before gsl_min_fminimizer_set_with_values (which raises otherwise), and
 * the function GSL sees hands Brent only finite values: a non-finite value or an error of the
 * caller's function stops the search with a status. The function has the signature of
 * rc_root_fn and reports its own failures through the rc_error in its params. */
#ifndef RISKCALC_CORE_MINIMIZE_H
#define RISKCALC_CORE_MINIMIZE_H

#include <stddef.h>

#include "core/root.h"
#include "riskcalc/error.h"

/* A local minimum of fn in [lo, hi] from the triple lo < x < hi with fn(x) < fn(lo) and
 * fn(x) < fn(hi) (fx, flo, fhi: those values, already computed), by gsl_min_fminimizer_brent
 * until the bracket satisfies gsl_min_test_interval(epsabs, epsrel) or max_iter iterations.
 * `what` names the minimum in messages. Returns RC_SUCCESS with *xmin, *fmin, or RC_EINVAL
 * (a bad triple or tolerances), RC_ENOCONV (no convergence, non-finite value: the message
 * gives the bracket), RC_ENOMEM, or the status of fn. Thread-safe. */
int rc_min_brent(rc_root_fn fn, void *params, double lo, double x, double hi, double flo, double fx,
                 double fhi, double epsabs, double epsrel, size_t max_iter, const char *what,
                 double *xmin, double *fmin, rc_error *err);

#endif
