#include "riskcalc/error.h"

#include <stdarg.h>
#include <stdio.h>

const char *rc_strerror(int status) {
  switch (status) {
#define RC_STATUS_CASE(name, value, text)                                                          \
  case name:                                                                                       \
    return text;
    RC_STATUS_LIST(RC_STATUS_CASE)
#undef RC_STATUS_CASE
  default:
    return "unknown status";
  }
}

void rc_error_clear(rc_error *err) {
  if (err) {
    err->status = RC_SUCCESS;
    err->message[0] = '\0';
  }
}

int rc_error_set(rc_error *err, int status, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* One line whatever a quoted value holds (a schedule spec with a line break, found by
     * tests/fuzz/fuzz_schedule.c): control characters become '?'. */
    for (char *c = err->message; *c; c++)
      if ((unsigned char)*c < 0x20 || *c == 0x7f)
        *c = '?';
    err->status = status;
  }
  return status;
}
