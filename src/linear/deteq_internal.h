/* src/linear/deteq_internal.h -- the pieces of the sketch-averaged deterministic equivalent
 * shared by its three files (internal; docs/DETEQ.md, THEORY.md section 2).
 *
 * Everything is written in the variable w = z (1 + delta(z)) = -1/m(z), in which the
 * resolvent equation is explicit: z = x(w) = w (1 - A1(w)/M), A1(w) = sum_i lambda_i /
 * (lambda_i - w), and dx/dw = 1 - A2(w)/M, A2(w) = sum_i lambda_i^2 / (lambda_i - w)^2. The
 * spectral sums come from core/specsum.h (explicit eigenvalues, levels and the analytic tail of
 * a law).
 *
 *   deteq_plan.c     the plan (from a law or from values), accessors, kappa, the lower edge
 *   deteq_support.c  the support of the density of G: top edge, gaps, intervals
 *   deteq_measure.c  w(x) by Newton and continuation (the Stieltjes transform), adaptive
 *                    Gauss-Legendre quadrature of the densities into the atoms of a measure */
#ifndef RISKCALC_LINEAR_DETEQ_INTERNAL_H
#define RISKCALC_LINEAR_DETEQ_INTERNAL_H

#include <stddef.h>

#include "core/root.h"
#include "core/specsum.h"
#include "riskcalc/deteq.h"

struct rc_deteq {
  int is_law;
  rc_law law;
  double d; /* number of non-zero eigenvalues (INFINITY) */
  double M_max;
  rc_specsum *ss; /* the spectral sums */
};

typedef rc_specsum_sums sums;
enum { S_A2 = RC_SPECSUM_A2, S_A3 = RC_SPECSUM_A3, S_B = RC_SPECSUM_B };

/* The sums at w = wr + i wi (rc_specsum_eval), on the real axis, and x(w) for real w. */
int deteq_sums(const rc_deteq *de, double wr, double wi, unsigned what, sums *s, rc_error *err);
int deteq_real_sums(const rc_deteq *de, double w, unsigned what, sums *s, rc_error *err);
int deteq_x_of_w_real(const rc_deteq *de, double M, double w, double *x, rc_error *err);

/* Root functions of the plan (core/root.h): h(w) = A2(w)/M - 1 and A3(w) on the real axis. */
typedef struct {
  const rc_deteq *de;
  double M;
  rc_error *err;
} deteq_root_params;

int deteq_fn_h(double w, void *vp, double *value);
int deteq_fn_a3(double w, void *vp, double *value);

/* Brent to 1e-15 relative (or adjacent doubles), 300 iterations at most. */
int deteq_brent(rc_root_fn fn, deteq_root_params *p, double lo, double hi, double *root,
                const char *what);

/* Bracket searches halve (or quarter) the distance to a limit point; 2000 steps reach any
 * double from any start. */
#define DETEQ_SEARCH_STEPS 2000

/* kappa and E Approx at M (rc_deteq_kappa without the argument checks). */
int deteq_find_kappa(const rc_deteq *de, double M, double *kappa, double *approx, rc_error *err);

/* Lower edge of the support in w: h(w_c) = 1 with w_c in (-kappa, 0) when d > M, in
 * (0, lambda_min) when d < M, and w_c = 0 (a hard edge at x = 0) when d == M. */
int deteq_lower_edge(const rc_deteq *de, double M, double kappa, double *wc, rc_error *err);

/* A support interval of the density of G. */
typedef struct {
  double lo_x, hi_x; /* support interval */
  double lo_w, hi_w; /* real w at its edges */
  double expected;   /* eigenvalue count (< 0: the bulk, whose count is the remainder) */
} deteq_support;

/* Support intervals in increasing x (top edge, the gaps that isolate top eigenvalues, lower
 * edge). *out is malloc'd. */
int deteq_find_support(const rc_deteq *de, double M, double kappa, deteq_support **out,
                       size_t *nout, rc_error *err);

/* The eigenvalues a law's plan for M_max sums explicitly at first (rc_deteq_alloc_law may
 * take 4 times more when the tail is too large at the lower edge). */
size_t deteq_law_terms(double M_max);

#endif
