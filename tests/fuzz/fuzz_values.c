/* Fuzz target: the number and list parsers (rc_io_parse_double, _uint, _list, _values). The
 * first byte picks the flags of rc_io_parse_values; the rest is the text. A parse either fails
 * with a one-line message or yields values inside the documented domain. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "riskcalc/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const unsigned flags = data[0] & 7u;
  char *text = fuzz_string(data + 1, size - 1);
  if (!text)
    return 0;
  rc_error err = {0, ""};
  double x;
  if (rc_io_parse_double(text, &x, &err) == RC_SUCCESS && !isfinite(x))
    abort();
  if (err.status && (strchr(err.message, '\n') || strlen(err.message) > 200))
    abort(); /* one short line */
  uint64_t u;
  rc_io_parse_uint(text, 1, (uint64_t)1 << 53, &u, &err);
  uint64_t *list = NULL;
  size_t n = 0;
  if (rc_io_parse_list(text, &list, &n, &err) == RC_SUCCESS)
    for (size_t k = 0; k < n; k++)
      if (list[k] < 1 || list[k] > ((uint64_t)1 << 53))
        abort();
  free(list);
  double *values = NULL;
  if (rc_io_parse_values(text, flags, &values, &n, &err) == RC_SUCCESS)
    for (size_t k = 0; k < n; k++)
      if (isnan(values[k]) || values[k] < 0 || (values[k] == 0 && !(flags & RC_IO_LIST_ZERO)) ||
          (isinf(values[k]) && !(flags & RC_IO_LIST_INF)))
        abort();
  free(values);
  if (err.status && strchr(err.message, '\n'))
    abort();
  char buf[RC_IO_DOUBLE_CHARS];
  if (rc_io_parse_double(text, &x, &err) == RC_SUCCESS) {
    rc_io_format_double(x, buf, sizeof buf);
    if (strtod(buf, NULL) != x) /* the shortest text reads back exactly */
      abort();
  }
  free(text);
  return 0;
}
