/* src/util.h -- internal helpers shared by the library modules (not public API). */
#ifndef RISKCALC_UTIL_H
#define RISKCALC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "riskcalc/error.h"

/* malloc of n doubles with overflow and physical-memory checks; NULL + RC_ENOMEM on failure. */
double *rc_alloc_doubles(size_t n, rc_error *err);

/* a * b, or 0 when it overflows size_t. */
size_t rc_mul_size(size_t a, size_t b);

#endif
