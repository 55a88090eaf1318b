/* src/stage_jump.h -- a whole constant-step stage of the second-moment recursion at once
 * (internal; docs/THEORY.md section 1, "stage jumps"). Two paths:
 *
 * The renewal path (any number of atoms): the stage's renewal (Volterra) equation in
 * z-transform form, inverted on a Talbot contour; O(atoms x RC_STAGE_JUMP_NODES) time and
 * O(atoms) memory per stage whatever its length (stage_jump.c says how it keeps its digits).
 *
 * The eigen path (the propagator, at most RC_STAGE_JUMP_EIGEN_MAX_ATOMS atoms by default):
 *
 * At constant step g the recursion on the measure (mu_j, nu_j) is c+ = A c + h s2 mu with
 * A = diag(a_j) + h mu (nu mu)^T, h = g^2 / B. With y_j = sqrt(nu_j) c_j it becomes
 * y+ = A_s y + h s2 u, A_s = I - (Delta - h u u^T), Delta = diag(1 - a_j), u_j = sqrt(nu_j) mu_j:
 * a symmetric diagonal-minus-rank-one matrix. Its eigenpairs come from the secular equation
 * 1 - h sum_j u_j^2 / (delta_j - eps) = 0, solved root by root relative to the nearest pole
 * (so small eps, the slow modes that matter over long stages, keep full relative accuracy),
 * with eigenvectors from Loewner's formula (Gu and Eisenstat) so they stay orthogonal. Then
 * K steps cost O(n^2) whatever K is:
 *   y_K = X diag(theta^K) X^T y_0 + X diag((1 - theta^K) / (1 - theta)) X^T (h s2 u). */
#ifndef RISKCALC_STAGE_JUMP_H
#define RISKCALC_STAGE_JUMP_H

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"
#include "riskcalc/sgd.h"

typedef struct rc_stage_jump rc_stage_jump;

typedef enum {
  RC_STAGE_JUMP_AUTO = 0, /* eigen up to RC_STAGE_JUMP_EIGEN_MAX_ATOMS moving atoms, else renewal */
  RC_STAGE_JUMP_EIGEN = 1,
  RC_STAGE_JUMP_RENEWAL = 2
} rc_stage_jump_method;

/* Largest number of moving atoms the automatic choice gives the eigen path (its O(n^2)
 * propagator is cheaper than the contour's O(60 nodes n) only on small measures, and it keeps
 * the relative digits of every mode). */
#define RC_STAGE_JUMP_EIGEN_MAX_ATOMS 1024

/* Contour nodes of the renewal path (half of them evaluated, by conjugate symmetry), and the
 * shortest stage it inverts (shorter ones are iterated inside the jump). */
#define RC_STAGE_JUMP_NODES 24
#define RC_STAGE_JUMP_RENEWAL_MIN 64

/* Workspace for the stage jumps of one measure. The eigen path caches propagators for up to
 * 64 step sizes within 256 MiB and is refused (RC_ENOMEM) when one propagator exceeds a
 * quarter of the machine's memory; the renewal path takes O(atoms) memory. NULL + err on
 * failure: RC_EINVAL (no moving atom, unknown method) or RC_ENOMEM. The measure must outlive
 * the workspace. */
rc_stage_jump *rc_stage_jump_alloc(const rc_sgd_measure *m, size_t batch, rc_error *err);
rc_stage_jump *rc_stage_jump_alloc_method(const rc_sgd_measure *m, size_t batch,
                                          rc_stage_jump_method method, rc_error *err);
void rc_stage_jump_free(rc_stage_jump *w);

/* The path in use, and the number of moving atoms (mu_j > 0). */
rc_stage_jump_method rc_stage_jump_get_method(const rc_stage_jump *w);
size_t rc_stage_jump_size(const rc_stage_jump *w);

/* Shortest stage worth a jump: alone, and when joining a group whose propagator is built
 * anyway (rc_stage_jump_apply_many). */
uint64_t rc_stage_jump_threshold(const rc_stage_jump *w);
uint64_t rc_stage_jump_group_threshold(const rc_stage_jump *w);

/* Elementary updates of one jump on `atoms` moving atoms by the eigen path (eigen != 0) or
 * the renewal path (for cost estimates before the measure exists). */
double rc_stage_jump_cost(size_t atoms, int eigen);

/* Advances bias (noise-free) and var (noise s2) by K steps at step g, any K. The step must be
 * mean-square stable on the measure. Returns RC_SUCCESS, RC_ENOCONV (secular root not
 * bracketed: should not happen for a stable g) or RC_ENOMEM. */
int rc_stage_jump_apply(rc_stage_jump *w, double g, uint64_t K, double s2, double *bias,
                        double *var, rc_error *err);

/* The same for `count` independent states at once (one matrix product for all of them):
 * state c is advanced by K[c] steps at step g; bias[c] and var[c] point to its vectors. Its
 * workspace grows to the largest count seen (never within a step loop). The renewal path
 * spreads the states over OpenMP threads; each state's arithmetic does not depend on the
 * thread count, so neither do the results. */
int rc_stage_jump_apply_many(rc_stage_jump *w, double g, size_t count, const uint64_t *K, double s2,
                             double *const *bias, double *const *var, rc_error *err);

#endif
