/* Random number generators on library-owned memory (see rng.h). */
#include "core/rng.h"

#include <stdlib.h>

gsl_rng *rc_rng_alloc(const gsl_rng_type *T, rc_error *err) {
  gsl_rng *r = malloc(sizeof *r);
  void *state = r ? calloc(1, T->size) : NULL;
  if (!state) {
    free(r);
    rc_error_set(err, RC_ENOMEM, "out of memory for a random number generator");
    return NULL;
  }
  r->type = T;
  r->state = state;
  gsl_rng_set(r, gsl_rng_default_seed); /* cannot raise */
  return r;
}

void rc_rng_free(gsl_rng *r) {
  if (r) {
    free(r->state);
    free(r);
  }
}
