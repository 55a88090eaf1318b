/* What a linear job costs, asked of the library before it runs (riskcalc/cost.h): the tool
 * holds no model of the engines, only the refusal limit RC_WORK_LIMIT and the machine's
 * memory. */
#include "linear_problem.h"

#include <math.h>
#include <stdlib.h>

static int cost_error(const linear_problem *p, size_t m, const rc_error *err) {
  cli_error("M = %llu: %s", (unsigned long long)p->Ms[m], err->message);
  return CLI_EXIT_BAD;
}

/* The exact engine on a drawn sketch never stores it where the Gram path pays. */
static int generated(const linear_problem *p) {
  return p->use == LINEAR_FIXED_SKETCH && !p->sketch_file;
}

int linear_setup_cost(const linear_problem *p, size_t M, size_t d, rc_cost *cost, rc_error *err) {
  return generated(p) ? rc_sgd_measure_gaussian_cost(M, d, cost, err)
                      : rc_sgd_measure_from_sketch_cost(M, d, cost, err);
}

int linear_check_memory(const linear_problem *p, uint64_t d) {
  const size_t physical = rc_physical_memory();
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_cost cost;
    const int status = linear_setup_cost(p, (size_t)p->Ms[m], (size_t)d, &cost, &err);
    if (status || (physical && RC_COST_BYTES_MARGIN * cost.bytes > (double)physical)) {
      /* the Gram path on a generated sketch costs less than the stored sketch's path */
      rc_cost stored = cost;
      rc_sgd_measure_from_sketch_cost((size_t)p->Ms[m], (size_t)d, &stored, NULL);
      cli_error("M = %llu, d = %llu does not fit in memory: %s need %s%.3g "
                "GiB (15%% margin included), this machine has %.3g GiB",
                (unsigned long long)p->Ms[m], (unsigned long long)d,
                !status && stored.bytes > cost.bytes
                    ? "the Gram matrix of the sketch generated block by block and its eigenvectors"
                    : "the sketch and its SVD",
                status ? "more than " : "",
                status ? 1.8e19 / 1073741824.0 : RC_COST_BYTES_MARGIN * cost.bytes / 1073741824.0,
                (double)physical / 1073741824.0);
      return CLI_EXIT_BAD;
    }
  }
  return 0;
}

int linear_build_threads(const linear_problem *p, uint64_t d, int threads) {
  const size_t physical = rc_physical_memory();
  if ((size_t)threads > p->nM)
    threads = (int)p->nM;
  if (threads <= 1 || !physical)
    return 1 > threads ? 1 : threads;
  double *bytes = malloc(p->nM * sizeof *bytes);
  if (!bytes)
    return 1;
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_cost cost = {0, 0};
    /* checked by linear_check_memory: a failure here is counted as too large */
    bytes[m] = linear_setup_cost(p, (size_t)p->Ms[m], (size_t)d, &cost, &err) ? (double)physical
                                                                              : cost.bytes;
  }
  /* the t largest, by repeated selection (nM is small) */
  double total = 0;
  int fit = 0;
  for (int t = 0; t < threads; t++) {
    size_t big = 0;
    for (size_t m = 1; m < p->nM; m++)
      if (bytes[m] > bytes[big])
        big = m;
    total += bytes[big];
    bytes[big] = -1;
    if (RC_COST_BYTES_MARGIN * total > (double)physical)
      break;
    fit = t + 1;
  }
  free(bytes);
  return fit > 1 ? fit : 1;
}

/* The risk curves of one model size with `atoms` atoms for every batch of p: one curve per
 * combination, or with --gamma opt a tuning per horizon of about RC_TUNE_GRID + TUNE_BRENT
 * curves to that horizon alone. */
#define TUNE_BRENT 30
static int curves_cost(const linear_problem *p, size_t m, size_t atoms, double *work) {
  const cli_problem *b = &p->base;
  const double others = (double)(b->ngamma * b->nsigma2);
  for (size_t k = 0; k < b->nbatch; k++) {
    rc_error err = {0, ""};
    rc_sgd_options opt = rc_sgd_options_default();
    opt.batch = b->batches[k];
    opt.sigma2 = b->sigma2;
    rc_cost curve;
    if (!b->gamma_opt) {
      if (rc_sgd_curve_cost(atoms, b->schedule, b->Ns, b->nN, &opt, &curve, &err))
        return cost_error(p, m, &err);
      *work += others * curve.updates;
      continue;
    }
    for (size_t n = 0; n < b->nN; n++) {
      if (rc_sgd_curve_cost(atoms, b->schedule, &b->Ns[n], 1, &opt, &curve, &err))
        return cost_error(p, m, &err);
      *work += others * (RC_TUNE_GRID + TUNE_BRENT) * curve.updates;
    }
  }
  return 0;
}

int linear_check_iterated(const linear_problem *p, const char *what) {
  const cli_problem *b = &p->base;
  double work = 0, M_max = 0;
  for (size_t m = 0; m < p->nM; m++)
    M_max = fmax(M_max, (double)p->Ms[m]);
  for (size_t m = 0; m < p->nM; m++) {
    rc_error err = {0, ""};
    rc_cost svd = {0, 0}, measure = {0, 0};
    /* The deterministic equivalent builds one measure per M on a plan for the largest M. */
    if (p->use == LINEAR_ANALYTIC &&
        rc_deteq_measure_cost(b->use_law ? &b->law : NULL, b->spectrum ? b->spectrum->d : 0, M_max,
                              &measure, &err))
      return cost_error(p, m, &err);
    /* The measure has at most M atoms (and at most d for a sketch): the SVD, then the curves. */
    size_t atoms = (size_t)p->Ms[m];
    if (p->use != LINEAR_ANALYTIC) {
      const size_t d = b->spectrum->d;
      atoms = atoms < d ? atoms : d;
      if (linear_setup_cost(p, (size_t)p->Ms[m], d, &svd, &err))
        return cost_error(p, m, &err);
    }
    work += svd.updates + measure.updates;
    if (curves_cost(p, m, atoms, &work))
      return CLI_EXIT_BAD;
  }
  return cli_check_work(work, what);
}

int linear_check_mc(const linear_problem *p, const rc_mc_options *o) {
  const cli_problem *b = &p->base;
  double work = 0;
  for (size_t m = 0; m < p->nM; m++)
    for (size_t k = 0; k < b->nbatch; k++) {
      rc_error err = {0, ""};
      rc_cost cost;
      rc_mc_options ob = *o;
      ob.batch = b->batches[k];
      if (rc_mc_cost((size_t)p->Ms[m], b->spectrum->d, b->schedule, b->Ns, b->nN, &ob, &cost, &err))
        return cost_error(p, m, &err);
      work += (double)(b->ngamma * b->nsigma2) * cost.updates;
    }
  return cli_check_work(work, cli_problem_swept(b) ? "--N, --runs, --M, --batch or the lists of "
                                                     "--gamma, --batch, --sigma2"
                                                   : "--N, --runs, --M or --batch");
}
