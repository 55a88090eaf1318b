/* Fuzz target: schedule specifications (rc_schedule_parse) and the schedules they build:
 * the largest step of a parsed schedule is > 0 (not NaN) for the horizons it is asked about. A spec
 * naming a file (stages:, file:) reads the fuzz input's own file (fuzz_numfile covers the
 * readers); other paths are not opened. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "riskcalc/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *spec = fuzz_string(data, size);
  if (!spec)
    return 0;
  /* a file spec points at a file holding the spec itself */
  if (strstr(spec, "stages:") || strstr(spec, "file:")) {
    const char *path = fuzz_file(data, size);
    const char *kind = strstr(spec, "stages:") ? "stages:" : "file:";
    char *s = path ? malloc(strlen(kind) + strlen(path) + 1) : NULL;
    if (s) {
      strcpy(s, kind);
      strcat(s, path);
    }
    free(spec);
    spec = s;
    if (!spec)
      return 0;
  }
  rc_error err = {0, ""};
  rc_schedule *s = rc_schedule_parse(spec, 0.1, &err);
  if (s) {
    const uint64_t Ns[] = {1, 2, 7, 100, 12345, (uint64_t)1 << 40};
    for (size_t k = 0; k < sizeof Ns / sizeof Ns[0]; k++) {
      if (Ns[k] > rc_schedule_capacity(s))
        continue;
      const double m = rc_schedule_max(s, Ns[k]);
      if (!(m > 0)) /* inf is legal: step:K:F with F > 1 grows past the doubles */
        abort();
    }
    rc_schedule_free(s);
  } else if (strchr(err.message, '\n')) {
    abort();
  }
  free(spec);
  return 0;
}
