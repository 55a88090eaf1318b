/* Fuzz target: the table `riskcalc fit` reads (fit_table_read over rc_io_scan with the
 * separator detected, then column lookup by name and by index). Links the tool's objects. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_table.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size);
  if (!path)
    return 0;
  fit_table t;
  memset(&t, 0, sizeof t);
  if (fit_table_read(path, &t) == 0) {
    fit_table_column(&t, path, "x", "1");
    fit_table_column(&t, path, "y", "N");
    fit_table_column(&t, path, "y", "risk");
    fit_table_column(&t, path, "se", "3");
  }
  fit_table_free(&t);
  return 0;
}
