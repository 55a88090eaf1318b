#include "core/util.h"

#include <stdlib.h>
#include <unistd.h>

#include "riskcalc/sketch.h"

size_t rc_mul_size(size_t a, size_t b) {
  if (a != 0 && b > SIZE_MAX / a)
    return 0;
  return a * b;
}

size_t rc_physical_memory(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || size <= 0)
    return 0;
  return rc_mul_size((size_t)pages, (size_t)size);
}

double *rc_alloc_doubles(size_t n, rc_error *err) {
  size_t bytes = rc_mul_size(n ? n : 1, sizeof(double));
  size_t physical = rc_physical_memory();
  if (bytes == 0 || (physical && bytes > physical)) {
    rc_error_set(err, RC_ENOMEM, "%zu numbers (%.3g GiB) do not fit in this machine's memory", n,
                 (double)n * 8.0 / (1024.0 * 1024.0 * 1024.0));
    return NULL;
  }
  double *p = malloc(bytes);
  if (!p)
    rc_error_set(err, RC_ENOMEM, "out of memory allocating %zu numbers", n);
  return p;
}
