/* What a linear job costs, checked before it runs. Each estimate is the engine's business and
 * lives in ONE function here until the library publishes it (riskcalc/cost.h:
 * rc_sgd_measure_from_sketch_cost, rc_sgd_curve_cost, rc_mc_cost). */
#include "linear_problem.h"

#include <stdlib.h>

/* Steps a run iterates: every horizon from the start, or once to the largest. */
static double iterated_steps(const cli_problem *b) {
  double steps = 0;
  uint64_t N_max = 0;
  for (size_t k = 0; k < b->nN; k++) {
    steps += (double)b->Ns[k];
    N_max = b->Ns[k] > N_max ? b->Ns[k] : N_max;
  }
  return rc_schedule_horizon_dependent(b->schedule) ? steps : (double)N_max;
}

/* runs x steps x batch x cost_per_M x M, summed over the model sizes. */
static double work(const linear_problem *p, double runs, double cost_per_M) {
  const double steps = iterated_steps(&p->base);
  double total = 0;
  for (size_t m = 0; m < p->nM; m++)
    total += runs * steps * (double)p->base.batch * cost_per_M * (double)p->Ms[m];
  return total;
}

int linear_check_memory(const linear_problem *p, uint64_t d) {
  const size_t physical = rc_physical_memory();
  for (size_t k = 0; k < p->nM; k++) {
    const uint64_t M = p->Ms[k];
    const size_t bytes = rc_sketch_bytes((size_t)M, (size_t)d);
    /* The engine holds S, S H^1/2 and the right singular vectors: about 3 copies. */
    if (bytes == 0 || (physical && bytes > physical / 3)) {
      cli_error("M = %llu, d = %llu does not fit in memory: the exact method needs about "
                "%.3g GiB for the sketch and its SVD, this machine has %.3g GiB",
                (unsigned long long)M, (unsigned long long)d,
                3.0 * 8.0 * (double)M * (double)d / 1073741824.0, (double)physical / 1073741824.0);
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

int linear_check_iterated(const linear_problem *p, const char *what) {
  /* Steps are iterated one by one when no stage jump applies: under a poly schedule (the step
   * changes every step) or for more moving atoms than the jumps take (4096, sgd.h); the
   * analytic measures have fewer atoms than M. */
  int iterated = rc_schedule_get_kind(p->base.schedule) == RC_SCHEDULE_POLY;
  for (size_t m = 0; m < p->nM && p->use != LINEAR_ANALYTIC; m++)
    iterated |= p->Ms[m] > 4096;
  return iterated ? cli_check_work(work(p, 1.0, 3.0), what) : 0;
}

int linear_check_mc(const linear_problem *p, const rc_mc_options *o) {
  /* Every simulated sample costs about M updates in reduced mode and (M + 1) d in raw mode
   * (drawing x, then S x). */
  const double per_M = o->mode == RC_MC_RAW ? (double)p->base.spectrum->d * 1.5 : 2.0;
  return cli_check_work(work(p, (double)o->runs, per_M), "--N, --runs, --M or --batch");
}
