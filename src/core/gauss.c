/* Gauss-Legendre rules (see gauss.h). */
#include "core/gauss.h"

#include <math.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>

/* The sizes gsl/integration/glfixed.c holds as static tables (GSL 2.x). */
static int tabulated(size_t n) {
  static const size_t sizes[] = {32, 64, 96, 100, 128, 256, 512, 1024};
  if (n >= 2 && n <= 20)
    return 1;
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
    if (n == sizes[k])
      return 1;
  return 0;
}

/* P_n(z) and P_n'(z) by the three-term recurrence, in long double (x87 extended precision
 * where available) so that the rounded nodes and weights are accurate to the last bit or two. */
static long double legendre(size_t n, long double z, long double *dp) {
  long double p0 = 1.0L, p1 = z;
  for (size_t k = 2; k <= n; k++) {
    const long double p2 =
        ((long double)(2 * k - 1) * z * p1 - (long double)(k - 1) * p0) / (long double)k;
    p0 = p1;
    p1 = p2;
  }
  *dp = (long double)n * (z * p1 - p0) / (z * z - 1.0L);
  return p1;
}

int rc_gauss_legendre(size_t n, double *x, double *w, rc_error *err) {
  if (n < 1 || n > 1024 || !x || !w)
    return rc_error_set(err, RC_EINVAL, "Gauss-Legendre rule of %zu points: need 1..1024", n);
  if (tabulated(n)) {
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(n);
    if (!t) /* cannot happen for a tabulated n */
      return rc_error_set(err, RC_ENOMEM, "no Gauss-Legendre table of %zu points", n);
    /* cannot raise: k < n */
    for (size_t k = 0; k < n; k++)
      gsl_integration_glfixed_point(0.0, 1.0, k, &x[k], &w[k], t);
    gsl_integration_glfixed_table_free(t); /* a no-op for static tables */
    return RC_SUCCESS;
  }
  /* Newton from the asymptotic guess cos(pi (i + 3/4) / (n + 1/2)) for the i-th largest
   * root; a step below 1e-19 relative means converged, and one more step is taken. The weights
   * 2 / ((1 - z^2) P_n'(z)^2) use the final derivative. */
  for (size_t i = 0; i < (n + 1) / 2; i++) {
    long double z = cosl(M_PI * ((long double)i + 0.75L) / ((long double)n + 0.5L)), dp = 0;
    int settle = 0;
    for (int it = 0; it < 100 && settle < 2; it++) {
      const long double dz = legendre(n, z, &dp) / dp;
      z -= dz;
      settle += fabsl(dz) <= 1e-19L * fabsl(z) + 1e-300L;
    }
    legendre(n, z, &dp);
    const long double wi = 2.0L / ((1.0L - z * z) * dp * dp);
    /* on [0, 1]: x = (1 + z) / 2, weight / 2 */
    x[n - 1 - i] = (double)(0.5L + 0.5L * z);
    x[i] = (double)(0.5L - 0.5L * z);
    w[n - 1 - i] = w[i] = (double)(0.5L * wi);
  }
  if (n % 2)
    x[n / 2] = 0.5; /* the middle root is 0 exactly */
  return RC_SUCCESS;
}
