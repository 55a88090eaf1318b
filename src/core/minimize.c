/* One-dimensional minimisation (see minimize.h). */
#include "core/minimize.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

/* Bytes of minimiser state kept on the stack; Brent's state is 10 doubles in GSL 2.x. */
#define MIN_STATE_BYTES 256

typedef struct {
  rc_root_fn fn;
  void *params;
  int status;
  double safe; /* a finite value returned after a failure so that GSL never raises */
} guard;

static double guarded(double x, void *vp) {
  guard *g = vp;
  if (g->status)
    return g->safe;
  double v;
  int s = g->fn(x, g->params, &v);
  if (s) {
    g->status = s;
    return g->safe;
  }
  if (!isfinite(v)) {
    g->status = RC_ENOCONV;
    return g->safe;
  }
  return v;
}

int rc_min_brent(rc_root_fn fn, void *params, double lo, double x, double hi, double flo, double fx,
                 double fhi, double epsabs, double epsrel, size_t max_iter, const char *what,
                 double *xmin, double *fmin, rc_error *err) {
  if (!fn || !xmin || !fmin)
    return rc_error_set(err, RC_EINVAL, "%s: function and outputs are required", what);
  if (!(isfinite(lo) && isfinite(hi) && lo < x && x < hi && isfinite(flo) && isfinite(fx) &&
        isfinite(fhi) && fx < flo && fx < fhi))
    return rc_error_set(err, RC_EINVAL,
                        "%s: [%.17g, %.17g, %.17g] with values [%g, %g, %g] does not bracket a "
                        "minimum",
                        what, lo, x, hi, flo, fx, fhi);
  if (!(epsabs >= 0 && epsrel >= 0) || max_iter == 0)
    return rc_error_set(err, RC_EINVAL, "%s: tolerances must be >= 0 and the iteration cap >= 1",
                        what);
  max_align_t stack_state[MIN_STATE_BYTES / sizeof(max_align_t)];
  const gsl_min_fminimizer_type *T = gsl_min_fminimizer_brent;
  void *state = stack_state;
  if (T->size > sizeof stack_state && !(state = malloc(T->size)))
    return rc_error_set(err, RC_ENOMEM, "%s: out of memory for a minimiser", what);
  gsl_min_fminimizer s;
  s.type = T;
  s.state = state;
  guard g = {fn, params, RC_SUCCESS, fx};
  gsl_function F = {guarded, &g};
  /* Cannot raise: the triple was checked above. */
  int gs = gsl_min_fminimizer_set_with_values(&s, &F, x, fx, lo, flo, hi, fhi);
  int status = RC_ENOCONV;
  if (gs) {
    status =
        rc_error_set(err, RC_ENOCONV, "%s: Brent could not start (%s)", what, gsl_strerror(gs));
    goto done;
  }
  for (size_t it = 0; it < max_iter; it++) {
    gs = gsl_min_fminimizer_iterate(&s);
    if (g.status) {
      status = g.status == RC_ENOCONV
                   ? rc_error_set(err, RC_ENOCONV, "%s: the function is not finite near %.17g",
                                  what, gsl_min_fminimizer_x_minimum(&s))
                   : g.status;
      goto done;
    }
    if (gs) {
      status = rc_error_set(err, RC_ENOCONV, "%s: Brent iteration failed near %.17g (%s)", what,
                            gsl_min_fminimizer_x_minimum(&s), gsl_strerror(gs));
      goto done;
    }
    const double a = gsl_min_fminimizer_x_lower(&s), b = gsl_min_fminimizer_x_upper(&s);
    if (gsl_min_test_interval(a, b, epsabs, epsrel) == GSL_SUCCESS) {
      *xmin = gsl_min_fminimizer_x_minimum(&s);
      *fmin = gsl_min_fminimizer_f_minimum(&s);
      status = RC_SUCCESS;
      goto done;
    }
  }
  status =
      rc_error_set(err, RC_ENOCONV, "%s: not converged in %zu Brent iterations: [%.17g, %.17g]",
                   what, max_iter, gsl_min_fminimizer_x_lower(&s), gsl_min_fminimizer_x_upper(&s));
done:
  if (state != (void *)stack_state)
    free(state);
  return status;
}
