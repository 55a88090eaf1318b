/* src/quad/sketched.h -- what the per-coordinate methods say about the sketched variant
 * (internal; rc_quad_problem_sketched_alloc, docs/QUAD.md section 9). */
#ifndef RISKCALC_QUAD_SKETCHED_H
#define RISKCALC_QUAD_SKETCHED_H

/* The analytic recursion, its tuner and the closed forms follow each coordinate theta_i of the
 * model on coordinates; the sketched features are correlated (K is not diagonal). */
#define QUAD_SKETCHED_REFUSAL                                                                      \
  "the sketched variant couples the coordinates (its features' covariance S H S^T is not "         \
  "diagonal), so the per-coordinate analytic and closed methods do not apply: use the Monte "      \
  "Carlo method"

#endif
