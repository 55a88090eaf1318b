/* src/core/rng.h -- generators allocated without GSL's error handler (internal).
 *
 * gsl_rng_alloc reports an allocation failure through GSL's error handler, whose default
 * aborts the process. rc_rng_alloc builds the same generator (gsl_rng_mt19937, seeded with GSL's
 * default seed) on memory the library allocates and reports failure as RC_ENOMEM instead. */
#ifndef RISKCALC_CORE_RNG_H
#define RISKCALC_CORE_RNG_H

#include <gsl/gsl_rng.h>

#include "riskcalc/error.h"

/* A gsl_rng_mt19937 generator; NULL + RC_ENOMEM on failure. Free with rc_rng_free. */
gsl_rng *rc_rng_alloc(rc_error *err);
void rc_rng_free(gsl_rng *rng);

/* A generator of src's type (any gsl_rng type) holding a copy of src's state, allocated by the
 * library; NULL + RC_ENOMEM on failure. Free with rc_rng_free. */
gsl_rng *rc_rng_alloc_like(const gsl_rng *src, rc_error *err);

/* Copies the state of src into dest (same type: from rc_rng_alloc or rc_rng_alloc_like). */
void rc_rng_copy(gsl_rng *dest, const gsl_rng *src);

#endif
