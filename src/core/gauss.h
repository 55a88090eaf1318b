/* src/core/gauss.h -- Gauss-Legendre rules (internal). */
#ifndef RISKCALC_CORE_GAUSS_H
#define RISKCALC_CORE_GAUSS_H

#include <stddef.h>

#include "riskcalc/error.h"

/* The n-point Gauss-Legendre rule on [0, 1]: nodes x[0] < ... < x[n-1] and weights w, exact
 * for polynomials of degree 2n - 1. For the n that GSL 2.x tabulates to 25 digits (2..20, 32,
 * 64, 96, 100, 128, 256, 512, 1024: gsl_integration_glfixed_table_alloc returns its static
 * table without allocating, so it cannot raise) the values are GSL's; other n are computed here
 * by Newton's method on the Legendre recurrence to full double precision (GSL would allocate
 * them, raising on ENOMEM, and stops its Newton iteration at 1e-10). Domain: 1 <= n <= 1024.
 * Returns RC_SUCCESS or RC_EINVAL. Thread-safe; allocation-free. */
int rc_gauss_legendre(size_t n, double *x, double *w, rc_error *err);

#endif
