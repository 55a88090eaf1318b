/* riskcalc/cost.h -- what a computation will cost, asked before running it.
 *
 * A caller (the tool, a notebook) can refuse a job that cannot finish or cannot fit before
 * anything large is allocated or iterated: each engine publishes a cost query
 * (rc_sgd_measure_from_sketch_cost, rc_sgd_curve_cost, rc_mc_cost) that mirrors the decisions
 * the engine itself makes (which stages are jumped, which are stepped, what is allocated). */
#ifndef RISKCALC_COST_H
#define RISKCALC_COST_H

#include "riskcalc/api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The cost of one computation. */
typedef struct {
  double updates; /* elementary O(1) updates iterated (a multiply-add on one number), an upper
                     estimate: about 1e9 per second per core on this kind of code */
  double bytes;   /* peak memory the computation allocates, bytes (within the margin stated
                     by each query) */
} rc_cost;

/* The refusal limit of the tool: jobs above this many updates (about a day at 1e9 updates per
 * second) are refused up front. A library caller chooses its own. */
#define RC_WORK_LIMIT 1e14

#ifdef __cplusplus
}
#endif
#endif
