/* riskcalc/tune.h -- step sizes tuned to minimise the final risk (docs/THEORY.md, "Tuning").
 *
 * A schedule's shape is fixed by its kind and parameters; its base step gamma scales every
 * step. For a measure (a drawn sketch, or the deterministic equivalent), a horizon N and the
 * options of the recursion, rc_sgd_tune_gamma finds the base step that minimises the expected
 * risk after N steps over the mean-square-stable range: a scan of the excess risk on a
 * logarithmic grid, then GSL's Brent minimiser on log gamma around the best grid point. */
#ifndef RISKCALC_TUNE_H
#define RISKCALC_TUNE_H

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"
#include "riskcalc/measure.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sgd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Points of the logarithmic scan, and its span below the stability edge (a factor). */
#define RC_TUNE_GRID 25
#define RC_TUNE_SPAN 1e6

typedef struct {
  double gamma;       /* the tuned base step */
  double gamma_max;   /* the stable base steps of this shape at N are those below gamma_max */
  rc_risk row;        /* the risk and its parts at the tuned step */
  int at_edge;        /* 1: the risk still fell at the top of the stable range, so gamma is the
                         top grid point (1 - 1e-6) gamma_max, not an interior minimum */
  size_t evaluations; /* risk curves computed */
} rc_gamma_tuned;

/* The base step of schedule's shape (its own base is not used, and schedule is not modified)
 * that minimises the risk after N steps on the measure, with the recursion options o (NULL:
 * defaults; progress is not reported). The scan covers RC_TUNE_GRID log-spaced points on
 * [gamma_max / RC_TUNE_SPAN, (1 - 1e-6) gamma_max]; an interior best point is refined by Brent
 * to 1e-6 relative in gamma. Domain: a schedule with a base step (not file: or stages:),
 * N >= 1 within its capacity, a measure with a moving atom. Returns RC_SUCCESS, RC_EINVAL,
 * RC_ENOMEM, RC_ENOCONV (the minimiser did not converge: out holds the best point found). */
int rc_sgd_tune_gamma(const rc_measure *measure, const rc_schedule *schedule, uint64_t N,
                      const rc_sgd_options *o, rc_gamma_tuned *out, rc_error *err);

#ifdef __cplusplus
}
#endif
#endif
