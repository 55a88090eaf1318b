/* src/ridge/ridge_min.h -- the minimiser over log lambda shared by the deterministic optimal
 * lambda (ridge.c) and the Monte Carlo tuner (ridge_mc.c) (internal). */
#ifndef RISKCALC_RIDGE_MIN_H
#define RISKCALC_RIDGE_MIN_H

#include "core/minimize.h"

/* Points of the scan before Brent. */
#define RIDGE_MIN_GRID 64
/* Brent iterations at most (each one evaluation). */
#define RIDGE_MIN_ITER 200

/* The minimum of fn(u) for u in [ulo, uhi] (u = log lambda, ulo < uhi): fn on RIDGE_MIN_GRID
 * evenly spaced points, then GSL's Brent minimiser (core/minimize.h) between the neighbours of
 * the best one, to |du| <= 1e-6. When the best grid point is an end, it is returned with
 * *at_edge = 1 (the minimum lies at or beyond that end), else *at_edge = 0; a best point whose
 * neighbours are not both larger (a flat grid) is returned as it is. *u and *f receive the
 * minimiser and fn there. Returns RC_SUCCESS or the status of fn or of the minimiser. */
int ridge_log_minimize(rc_min_fn fn, void *ctx, double ulo, double uhi, double *u, double *f,
                       int *at_edge, const char *what, rc_error *err);

#endif
