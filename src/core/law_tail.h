/* src/core/law_tail.h -- values and tail sums of a parametric law (internal; the type and its
 * check are public in riskcalc/law.h).
 *
 * The tail i = n+1..d of a law (d may be infinite) enters the spectral sums through its moments
 *   U_m = sum_{i>n} (lambda_i / lambda_{n+1})^m,          m = 1..nmom-1,
 *   V_m = sum_{i>n} (lambda_i / lambda_{n+1})^m lambda_i p_i,  m = 0..nmom-1,
 * each summed by Euler-Maclaurin with four correction terms around the integral of the summand
 * over [n+1, d]. The integral is in closed form for the power law (and for the source signal
 * i^-b of the log-power law); the other log-power integrals are computed numerically (see
 * law.c). The remainder bound is rigorous when the summand's 8th derivative keeps one sign
 * (completely monotone summands: the power law, and the log-power law with a >= 0). */
#ifndef RISKCALC_CORE_LAW_TAIL_H
#define RISKCALC_CORE_LAW_TAIL_H

#include <stddef.h>

#include "riskcalc/error.h"
#include "riskcalc/law.h"

/* lambda_i and lambda_i p_i of a law at (real) index i >= 1 (the formulas of spectrum.c). */
double rc_law_lambda(const rc_law *law, double i);
double rc_law_signal(const rc_law *law, double i);

/* The first index i with lambda_{i+1} >= lambda_i, or 0 when the eigenvalues decrease (see
 * rc_law_is_decreasing; the law must pass rc_law_check). */
double rc_law_first_rise(const rc_law *law);

/* The tail moments above (U[0] is set to 0) past the n explicit eigenvalues, n >= 1 and
 * n < law->d, for a law that passes rc_law_check. *bound_U1 and *bound_V0 bound what the
 * summation neglects in U_1 and V_0 (Euler-Maclaurin remainder plus the quadrature error
 * estimate). Returns RC_SUCCESS, RC_EINVAL (a tail sum diverges), RC_ENOMEM or RC_ENOCONV (a
 * quadrature did not reach its tolerance). Thread-safe. */
int rc_law_tail_moments(const rc_law *law, double n, size_t nmom, double *U, double *V,
                        double *bound_U1, double *bound_V0, rc_error *err);

#endif
