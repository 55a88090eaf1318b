/* One-dimensional minimisation (see minimize.h). */
#include "core/minimize.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

/* Bytes of minimiser state kept on the stack; Brent's state is 8 doubles in GSL 2.x. */
#define MIN_STATE_BYTES 256

/* What GSL's Brent calls: after a failure it returns the largest finite value, so the
 * minimiser's own finiteness check never fires; the search stops as soon as status is set. */
typedef struct {
  rc_min_fn fn;
  void *params;
  const char *what;
  rc_error *err;
  int status;
} guard;

static double guarded(double x, void *vp) {
  guard *g = vp;
  if (g->status)
    return DBL_MAX;
  double y;
  g->status = g->fn(x, g->params, &y);
  if (!g->status && !isfinite(y))
    g->status =
        rc_error_set(g->err, RC_ENOCONV, "%s: the function is not finite at x = %.17g", g->what, x);
  return g->status ? DBL_MAX : y;
}

int rc_min_brent(rc_min_fn fn, void *params, double a, double fa, double x, double fx, double b,
                 double fb, const rc_min_options *opt, const char *what, double *xmin, double *fmin,
                 rc_error *err) {
  if (!fn || !opt || !xmin || !fmin)
    return rc_error_set(err, RC_EINVAL, "%s: function, options and outputs are required", what);
  if (!(isfinite(a) && isfinite(x) && isfinite(b) && isfinite(fa) && isfinite(fx) && isfinite(fb) &&
        a < x && x < b))
    return rc_error_set(err, RC_EINVAL, "%s: %.17g < %.17g < %.17g is not a finite bracket", what,
                        a, x, b);
  if (!(fx < fa && fx < fb))
    return rc_error_set(err, RC_EINVAL,
                        "%s: f(%.17g) = %.17g is not below both ends (%.17g, %.17g)", what, x, fx,
                        fa, fb);
  if (!(opt->epsabs >= 0 && opt->epsrel >= 0) || opt->max_iter == 0)
    return rc_error_set(err, RC_EINVAL, "%s: tolerances must be >= 0 and the cap >= 1", what);
  const gsl_min_fminimizer_type *type = gsl_min_fminimizer_brent;
  if (type->size > MIN_STATE_BYTES)
    return rc_error_set(err, RC_ENOMEM, "%s: the minimiser's state outgrows its buffer", what);
  _Alignas(16) unsigned char state[MIN_STATE_BYTES];
  memset(state, 0, sizeof state);
  gsl_min_fminimizer s;
  memset(&s, 0, sizeof s);
  s.type = type;
  s.state = state;
  guard g = {fn, params, what, err, RC_SUCCESS};
  gsl_function F = {guarded, &g};
  /* checked above: x strictly inside with fx below both ends, so set cannot raise */
  gsl_min_fminimizer_set_with_values(&s, &F, x, fx, a, fa, b, fb);
  *xmin = x;
  *fmin = fx;
  for (size_t iter = 0; iter < opt->max_iter; iter++) {
    gsl_min_fminimizer_iterate(&s);
    if (g.status)
      return g.status;
    if (s.f_minimum < *fmin) {
      *xmin = s.x_minimum;
      *fmin = s.f_minimum;
    }
    const double lo = s.x_lower, hi = s.x_upper;
    const double m = lo > 0 ? lo : hi < 0 ? -hi : 0.0; /* min |x| over the bracket */
    if (hi - lo < opt->epsabs + opt->epsrel * m || nextafter(lo, INFINITY) >= hi)
      return RC_SUCCESS;
  }
  return rc_error_set(err, RC_ENOCONV,
                      "%s: no convergence in %zu iterations (bracket [%.17g, %.17g], best f(%.17g) "
                      "= %.17g)",
                      what, opt->max_iter, s.x_lower, s.x_upper, *xmin, *fmin);
}

int rc_min_scan_brent(rc_min_fn fn, void *params, double bottom, double top, size_t n,
                      const char *what, double *xbest, double *fbest, int *at_top, rc_error *err) {
  if (n < 2 || n > RC_MIN_SCAN_MAX)
    return rc_error_set(err, RC_EINVAL, "%s: a scan needs 2 to %d points (got %zu)", what,
                        RC_MIN_SCAN_MAX, n);
  double x[RC_MIN_SCAN_MAX], f[RC_MIN_SCAN_MAX];
  size_t best = 0;
  for (size_t k = 0; k < n; k++) {
    x[k] = bottom + (top - bottom) * (double)k / (double)(n - 1);
    const int status = fn(x[k], params, &f[k]);
    if (status)
      return status;
    if (f[k] < f[best])
      best = k;
  }
  *xbest = x[best];
  *fbest = f[best];
  *at_top = best + 1 == n || f[best + 1] == DBL_MAX;
  if (best > 0 && best + 1 < n && f[best] < f[best - 1] && f[best] < f[best + 1]) {
    const rc_min_options mo = {1e-6, 0.0, 200};
    return rc_min_brent(fn, params, x[best - 1], f[best - 1], x[best], f[best], x[best + 1],
                        f[best + 1], &mo, what, xbest, fbest, err);
  }
  return RC_SUCCESS;
}
