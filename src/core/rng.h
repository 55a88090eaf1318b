/* src/core/rng.h -- random number generators the library allocates itself (internal). */
#ifndef RISKCALC_CORE_RNG_H
#define RISKCALC_CORE_RNG_H

#include <gsl/gsl_rng.h>

#include "riskcalc/error.h"

/* A generator of type T, seeded like gsl_rng_alloc (gsl_rng_default_seed). gsl_rng is a public
 * struct: it is built here on malloc'd memory because gsl_rng_alloc raises GSL's error on
 * ENOMEM. Returns NULL and sets err (RC_ENOMEM). Free with rc_rng_free. */
gsl_rng *rc_rng_alloc(const gsl_rng_type *T, rc_error *err);
void rc_rng_free(gsl_rng *r);

#endif
