/* One-dimensional root finding (see root.h). */
#include "core/root.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

/* Bytes of solver state kept on the stack; Brent's state is 8 doubles in GSL 2.x. */
#define ROOT_STATE_BYTES 256

/* Evaluates fn at x, turning a non-finite value into RC_ENOCONV. */
static int evaluate(rc_root_fn fn, void *params, double x, const char *what, double *value,
                    rc_error *err) {
  int status = fn(x, params, value);
  if (status)
    return status;
  if (!isfinite(*value))
    return rc_error_set(err, RC_ENOCONV, "%s: the function is not finite at x = %.17g (%g)", what,
                        x, *value);
  return RC_SUCCESS;
}

/* What GSL's Brent calls: the caller's function, or the values already known at the bracket
 * ends while gsl_root_fsolver_set evaluates them. After a failure it only returns 0 (a finite
 * value, so GSL's own check never fires); the search stops as soon as status is set. */
typedef struct {
  rc_root_fn fn;
  void *params;
  const char *what;
  rc_error *err;
  int status;
  int setting;
  double lo, flo, hi, fhi;
  double last_x, last_f; /* the latest evaluation, for messages */
} guard;

static double guarded(double x, void *vp) {
  guard *g = vp;
  if (g->setting && x == g->lo)
    return g->flo;
  if (g->setting && x == g->hi)
    return g->fhi;
  if (g->status)
    return 0.0;
  double y;
  g->status = evaluate(g->fn, g->params, x, g->what, &y, g->err);
  g->last_x = x;
  g->last_f = y;
  return g->status ? 0.0 : y;
}

int rc_root_brent(rc_root_fn fn, void *params, double lo, double hi, const rc_root_options *opt,
                  const char *what, double *root, rc_error *err) {
  if (!fn || !opt || !root)
    return rc_error_set(err, RC_EINVAL, "%s: function, options and output are required", what);
  if (!(isfinite(lo) && isfinite(hi) && lo <= hi))
    return rc_error_set(err, RC_EINVAL, "%s: [%.17g, %.17g] is not a finite bracket", what, lo, hi);
  if (!(opt->epsabs >= 0 && opt->epsrel >= 0) || opt->max_iter == 0)
    return rc_error_set(err, RC_EINVAL,
                        "%s: tolerances must be >= 0 and the iteration cap >= 1 (epsabs %g, "
                        "epsrel %g, max_iter %zu)",
                        what, opt->epsabs, opt->epsrel, opt->max_iter);
  double flo, fhi;
  int status = evaluate(fn, params, lo, what, &flo, err);
  if (!status)
    status = evaluate(fn, params, hi, what, &fhi, err);
  if (status)
    return status;
  if (flo == 0) {
    *root = lo;
    return RC_SUCCESS;
  }
  if (fhi == 0) {
    *root = hi;
    return RC_SUCCESS;
  }
  if ((flo > 0) == (fhi > 0))
    return rc_error_set(err, RC_ENOCONV, "%s: no sign change in [%.17g, %.17g] (f = %g, %g)", what,
                        lo, hi, flo, fhi);

  /* gsl_root_fsolver is a public struct: built here on a stack buffer instead of
   * gsl_root_fsolver_alloc, whose failure would raise. */
  max_align_t stack_state[ROOT_STATE_BYTES / sizeof(max_align_t)];
  const gsl_root_fsolver_type *T = gsl_root_fsolver_brent;
  void *state = stack_state;
  if (T->size > sizeof stack_state && !(state = malloc(T->size)))
    return rc_error_set(err, RC_ENOMEM, "%s: out of memory for a root finder", what);
  gsl_root_fsolver s;
  s.type = T;
  s.function = NULL;
  s.state = state;
  guard g = {fn, params, what, err, RC_SUCCESS, 1, lo, flo, hi, fhi, hi, fhi};
  gsl_function F = {guarded, &g};
  /* Cannot raise: lo <= hi, both values finite and of opposite signs. */
  int gs = gsl_root_fsolver_set(&s, &F, lo, hi);
  g.setting = 0;
  if (gs) {
    status = rc_error_set(err, RC_ENOCONV, "%s: Brent could not start on [%.17g, %.17g] (%s)", what,
                          lo, hi, gsl_strerror(gs));
    goto done;
  }
  status = RC_ENOCONV;
  for (size_t it = 0; it < opt->max_iter; it++) {
    gs = gsl_root_fsolver_iterate(&s);
    if (g.status) {
      status = g.status;
      goto done;
    }
    if (gs) {
      status = rc_error_set(err, RC_ENOCONV, "%s: Brent iteration failed near x = %.17g (%s)", what,
                            gsl_root_fsolver_root(&s), gsl_strerror(gs));
      goto done;
    }
    const double a = gsl_root_fsolver_x_lower(&s), b = gsl_root_fsolver_x_upper(&s);
    /* Cannot raise: tolerances >= 0 and Brent keeps a <= b. */
    gs = gsl_root_test_interval(a, b, opt->epsabs, opt->epsrel);
    if (gs == GSL_CONTINUE && nextafter(a, INFINITY) >= b)
      gs = GSL_SUCCESS; /* adjacent doubles: no narrower bracket exists */
    if (gs == GSL_SUCCESS) {
      *root = opt->end == RC_ROOT_LOWER   ? a
              : opt->end == RC_ROOT_UPPER ? b
                                          : gsl_root_fsolver_root(&s);
      status = RC_SUCCESS;
      goto done;
    }
  }
  status = rc_error_set(err, RC_ENOCONV,
                        "%s: not converged in %zu Brent iterations: bracket [%.17g, %.17g], "
                        "f(%.17g) = %g (tolerance %g + %g |x|)",
                        what, opt->max_iter, gsl_root_fsolver_x_lower(&s),
                        gsl_root_fsolver_x_upper(&s), g.last_x, g.last_f, opt->epsabs, opt->epsrel);
done:
  if (state != (void *)stack_state)
    free(state);
  return status;
}

int rc_root_search(rc_root_fn fn, void *params, double toward, double e0, double factor, int sign,
                   size_t max_steps, double prev0, const char *what, double *x, double *prev,
                   rc_error *err) {
  if (!fn || !x || !prev)
    return rc_error_set(err, RC_EINVAL, "%s: function and outputs are required", what);
  if (!(isfinite(toward) && isfinite(e0) && e0 != 0 && isfinite(factor) && factor > 0 &&
        factor != 1 && sign != 0))
    return rc_error_set(err, RC_EINVAL,
                        "%s: bad bracket search (toward %g, first offset %g, factor %g, sign %d)",
                        what, toward, e0, factor, sign);
  double e = e0, last = prev0, value = NAN;
  for (size_t k = 0; k < max_steps; k++, e *= factor) {
    const double xk = toward + e;
    if (xk == toward || !isfinite(xk))
      return rc_error_set(err, RC_ENOCONV,
                          "%s: no sign change found: %s reached %.17g after %zu points (last f = "
                          "%g at %.17g)",
                          what, factor < 1 ? "the search" : "the expansion", xk, k, value, last);
    int status = evaluate(fn, params, xk, what, &value, err);
    if (status)
      return status;
    if (sign > 0 ? value > 0 : value < 0) {
      *x = xk;
      *prev = last;
      return RC_SUCCESS;
    }
    last = xk;
  }
  return rc_error_set(err, RC_ENOCONV,
                      "%s: no sign change found in %zu points (last f = %g at %.17g, toward %.17g)",
                      what, max_steps, value, last, toward);
}
