/* Spectral measures (include/riskcalc/measure.h). */
#include "riskcalc/measure.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

rc_measure *rc_measure_alloc(size_t n, rc_error *err) {
  if (n == 0) {
    rc_error_set(err, RC_EINVAL, "a measure needs at least one atom");
    return NULL;
  }
  rc_measure *m = calloc(1, sizeof *m);
  if (!m) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a measure");
    return NULL;
  }
  m->n = n;
  m->mu = rc_alloc_doubles(n, err);
  m->nu = m->mu ? rc_alloc_doubles(n, err) : NULL;
  m->c0 = m->nu ? rc_alloc_doubles(n, err) : NULL;
  if (!m->c0) {
    rc_measure_free(m);
    return NULL;
  }
  memset(m->mu, 0, n * sizeof(double));
  memset(m->nu, 0, n * sizeof(double));
  memset(m->c0, 0, n * sizeof(double));
  return m;
}

void rc_measure_free(rc_measure *m) {
  if (m) {
    free(m->mu);
    free(m->nu);
    free(m->c0);
    free(m);
  }
}
