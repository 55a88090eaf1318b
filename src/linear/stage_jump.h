/* src/stage_jump.h -- a whole constant-step stage of the second-moment recursion at once
 * (internal; docs/THEORY.md section 1, "stage jumps").
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

/* Largest number of moving atoms for which jumps are used (the propagator is n x n). */
#define RC_STAGE_JUMP_MAX_ATOMS 4096

/* Workspace for propagators of one measure, caching up to `cache` step sizes. NULL + err on
 * failure (RC_ENOMEM) or when the measure has more moving atoms than RC_STAGE_JUMP_MAX_ATOMS
 * (RC_EINVAL: the caller then steps). */
rc_stage_jump *rc_stage_jump_alloc(const rc_sgd_measure *m, size_t batch, rc_error *err);
void rc_stage_jump_free(rc_stage_jump *w);

/* Number of moving atoms (mu_j > 0). */
size_t rc_stage_jump_size(const rc_stage_jump *w);

/* Advances bias (noise-free) and var (noise s2) by K steps at step g. The step must be
 * mean-square stable on the measure. Returns RC_SUCCESS, RC_ENOCONV (secular root not
 * bracketed: should not happen for a stable g) or RC_ENOMEM. */
int rc_stage_jump_apply(rc_stage_jump *w, double g, uint64_t K, double s2, double *bias,
                        double *var, rc_error *err);

/* The same for `count` independent states at once (one matrix product for all of them):
 * state c is advanced by K[c] steps at step g; bias[c] and var[c] point to its vectors. Its
 * workspace grows to the largest count seen (never within a step loop). */
int rc_stage_jump_apply_many(rc_stage_jump *w, double g, size_t count, const uint64_t *K, double s2,
                             double *const *bias, double *const *var, rc_error *err);

#endif
