/* Fuzz target: the numeric file readers behind --spectrum, --prior, --target, --sketch,
 * stages: and file: (rc_io_read_table_bounded / rc_io_read_column_bounded, rc_io_scan):
 * either an error in one short line, or a rectangular table of finite numbers within the
 * bound. The first byte picks the bound. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "riskcalc/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const size_t bound = data[0] % 17; /* 0: the default bound */
  const char *path = fuzz_file(data + 1, size - 1);
  if (!path)
    return 0;
  rc_error err = {0, ""};
  double *v = NULL;
  size_t rows = 0, cols = 0;
  if (rc_io_read_table_bounded(path, bound, &v, &rows, &cols, &err) == RC_SUCCESS) {
    if (rows == 0 || cols == 0 || (bound && rows * cols > bound))
      abort();
    for (size_t k = 0; k < rows * cols; k++)
      if (!isfinite(v[k]))
        abort();
  } else if (strchr(err.message, '\n') || v != NULL) {
    abort();
  }
  free(v);
  v = NULL;
  size_t n = 0;
  if (rc_io_read_column_bounded(path, bound, &v, &n, &err) == RC_SUCCESS && n == 0)
    abort();
  free(v);
  return 0;
}
