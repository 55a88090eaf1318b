/* riskcalc/deteq.h -- the sketch-averaged deterministic equivalent (docs/DETEQ.md, THEORY.md
 * section 2).
 *
 * For G = S H S^T with a Gaussian sketch S (M x d, iid N(0, 1/M)) the resolvent of G is
 * replaced by its deterministic equivalent. In the variable w = z (1 + delta(z)) (delta of
 * THEORY.md section 2; w = -1/m with m(z) = (1/M) tr (G - z)^-1) the equation is explicit,
 *   z = x(w) = w (1 - (1/M) sum_i lambda_i / (lambda_i - w)),
 * and on the real axis x > 0 the eigenvalue and signal densities of G are
 *   rho(x)   = (M / pi) Im w / |w|^2,
 *   sigma(x) = (Im w / (pi x)) sum_i lambda_i^2 p_i / |lambda_i - w|^2,
 * with w the root of x(w) = x in the upper half plane. Their masses are min(M, d) and
 * tr(H P) - E Approx. rc_deteq_measure turns them into the atoms of an rc_sgd_measure, so the
 * exact engine's recursion (every schedule, batch size and stability check) runs on it.
 *
 * Plan once, evaluate many times: an rc_deteq holds the spectral sums of one problem
 * (spectrum and prior, finite or infinite d) prepared for every model size M <= M_max. The
 * largest eigenvalues are summed explicitly, the rest through tail moments (analytic for the
 * power and log-power laws), so d = infinity costs the same as a moderate d. */
#ifndef RISKCALC_DETEQ_H
#define RISKCALC_DETEQ_H

#include "riskcalc/api.h"

#include <stddef.h>

#include "riskcalc/error.h"
#include "riskcalc/law.h"
#include "riskcalc/sgd.h"
#include "riskcalc/spectrum.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rc_deteq rc_deteq; /* opaque plan */

/* Prepares the spectral sums of a law for every M in [1, M_max] (M_max finite, >= 1). The
 * largest K eigenvalues are held explicitly: K = d when d <= K0, the smallest power of two
 * >= max(4096, 8 M_max); otherwise K = K0 4^j for the smallest j with lambda_{K+1} <= 0.2 |w_c|,
 * w_c the lower edge of the spectrum of G at M_max in the variable w (docs/DETEQ.md), at most
 * 2^25. The tail i > K enters through its moments sum_{i>K} lambda_i^m and
 * sum_{i>K} lambda_i^m (lambda_i p_i), m = 0..66, computed by Euler-Maclaurin summation
 * (the integral in closed form for the power law; for the log-power law the slowly decaying
 * part in closed form and the rest by GSL's CQUAD, src/core/law.c) up to d or infinity.
 * Memory is O(K), never O(d). The bound on what the tail
 * summation neglects is reported by rc_deteq_tail_bound.
 * Returns NULL and sets err: RC_EINVAL (bad law or M_max, or a law whose eigenvalues do not
 * decrease: exactly the laws for which rc_law_is_decreasing returns 0, so a caller can tell
 * that case apart beforehand and use rc_deteq_alloc_values instead), RC_ENOMEM, RC_ENOCONV (a
 * tail integral or the cutoff search failed). */
RC_API rc_deteq *rc_deteq_alloc_law(const rc_law *law, double M_max, rc_error *err);

/* The same for an explicit spectrum and prior (finite d, any values): every eigenvalue is
 * summed explicitly (equal eigenvalues are merged with their multiplicity, zero eigenvalues
 * dropped since they do not enter G). Domain: spectrum->d == prior->d, 1 <= M_max finite. */
RC_API rc_deteq *rc_deteq_alloc_values(const rc_spectrum *spectrum, const rc_prior *prior,
                                       double M_max, rc_error *err);

/* The plan of an explicit spectrum and prior, as the tool and the Python package build it:
 * through their law (rc_deteq_alloc_law, its tail summed analytically) when the spectrum is a
 * power or log-power law and the prior isotropic or a source condition, and the law is either
 * invalid (its error is reported, not hidden by the values) or has decreasing eigenvalues;
 * else through the explicit values (rc_deteq_alloc_values). Same domain and status codes. */
RC_API rc_deteq *rc_deteq_alloc_problem(const rc_spectrum *spectrum, const rc_prior *prior,
                                        double M_max, rc_error *err);

RC_API void rc_deteq_free(rc_deteq *de);

/* Number of non-zero eigenvalues of H (INFINITY for d = inf). */
RC_API double rc_deteq_dimension(const rc_deteq *de);
/* tr(H) and the total signal tr(H P), tails included. */
RC_API double rc_deteq_trace(const rc_deteq *de);
RC_API double rc_deteq_signal(const rc_deteq *de);
/* Number of eigenvalues summed explicitly (K above; d for explicit spectra). */
RC_API size_t rc_deteq_cutoff(const rc_deteq *de);
/* Bound on the part of tr(H) and tr(H P) the analytic tail neglects, relative to them
 * (Euler-Maclaurin remainder plus the quadrature error estimate; 0 when there is no tail). The
 * truncation of the tail power series in every resolvent sum is below 1e-16 relative. */
RC_API double rc_deteq_tail_bound(const rc_deteq *de);

/* 1 and *law filled when the plan was made by rc_deteq_alloc_law, else 0. */
RC_API int rc_deteq_get_law(const rc_deteq *de, rc_law *law);

/* The k largest eigenvalues lambda_1 >= ... >= lambda_k and their signals lambda_i p_i.
 * Domain: k <= rc_deteq_cutoff(de) and k <= the number of non-zero eigenvalues. */
RC_API int rc_deteq_top(const rc_deteq *de, size_t k, double *lambda, double *signal,
                        rc_error *err);

/* kappa solving sum_i lambda_i / (lambda_i + kappa) = M (docs/DETEQ.md) and
 * E Approx = kappa sum_i p_i lambda_i / (lambda_i + kappa). When M >= the number of non-zero
 * eigenvalues, kappa = 0 and Approx = 0. Accuracy: relative 1e-14 on kappa.
 * Domain: 1 <= M <= M_max of the plan. Returns RC_EINVAL or RC_ENOCONV. */
RC_API int rc_deteq_kappa(const rc_deteq *de, double M, double *kappa, double *approx,
                          rc_error *err);

/* The Stieltjes transform m(z) = (1/M) tr (G - z)^-1 of the deterministic equivalent at
 * z = x + i eta (eta >= 0; eta = 0 gives the limit from above, x > 0), by continuation of the
 * solution from large Im z down to eta (damped Newton at each level). Used to check the
 * measure. Returns RC_EINVAL or RC_ENOCONV. */
RC_API int rc_deteq_stieltjes(const rc_deteq *de, double M, double x, double eta, double *m_re,
                              double *m_im, rc_error *err);

/* Options of the discretisation. Obtain defaults from rc_deteq_options_default. */
typedef struct {
  double rtol;      /* a panel is accepted when its n-node and 2n-node masses (eigenvalue and
                       signal) agree to rtol relative (default 1e-5) */
  size_t nodes;     /* Gauss-Legendre nodes n per half panel, 2..32 (default 6) */
  double max_ratio; /* largest x_hi / x_lo within one accepted panel, > 1 (default 2) */
  size_t max_atoms; /* refuse (RC_ENOCONV) beyond this many atoms (default 100000) */
} rc_deteq_options;

RC_API rc_deteq_options rc_deteq_options_default(void);

/* Diagnostics of one measure. */
typedef struct {
  double M;
  double kappa, approx;                /* as rc_deteq_kappa */
  double signal;                       /* tr(H P) */
  double mass, mass_expected;          /* sum of nu and min(M, d) */
  double signal_mass, signal_expected; /* sum of mu nu c0 and tr(H P) - approx */
  double separated_mass_error;         /* max |mass - eigenvalue count| over the isolated bumps */
  size_t intervals;                    /* support intervals of the density (bumps + bulk) */
  size_t atoms;
  double x_min, x_max; /* edges of the support */
  size_t fallbacks;    /* nodes solved by continuation from large Im z */
} rc_deteq_info;

/* The sketch-averaged measure at model size M (docs/DETEQ.md): finds the support of the
 * eigenvalue density of G from the real critical points of x(w) (top edge, the gaps that
 * separate isolated top eigenvalues, lower edge), then integrates rho and sigma over each
 * support interval with adaptive Gauss-Legendre panels in theta, x = x_lo + (x_hi - x_lo)
 * sin^2(theta/2) (smooth across the square-root edges). Each node of an accepted panel is one
 * atom: mu = x, nu = rho(x) dx, c0 = sigma(x) / (x rho(x)); approx = E Approx. The atoms are
 * sorted by increasing mu; the caller owns the measure (rc_sgd_measure_free). info (may be
 * NULL) receives the diagnostics. Domain: 1 <= M <= M_max, options NULL for the defaults.
 * Returns NULL and sets err: RC_EINVAL, RC_ENOMEM, RC_ENOCONV (a root or the discretisation
 * failed; the message names where). */
RC_API rc_sgd_measure *rc_deteq_measure(const rc_deteq *de, double M,
                                        const rc_deteq_options *options, rc_deteq_info *info,
                                        rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
