/* riskcalc/error.h -- status codes and the error record every fallible call fills.
 *
 * Every fallible function returns an int status (RC_SUCCESS == 0) and takes an optional
 * rc_error * (may be NULL) that receives a one-line, human-readable message. The library
 * never prints, exits or aborts. Codes and their descriptions come from one list so the
 * two cannot drift apart. */
#ifndef RISKCALC_ERROR_H
#define RISKCALC_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, description) */
#define RC_STATUS_LIST(X)                                                                          \
  X(RC_SUCCESS, 0, "success")                                                                      \
  X(RC_EINVAL, 1, "invalid argument")                                                              \
  X(RC_ENOMEM, 2, "not enough memory")                                                             \
  X(RC_EIO, 3, "input/output error")                                                               \
  X(RC_EPARSE, 4, "malformed input")                                                               \
  X(RC_EUNSTABLE, 5, "step size is not mean-square stable")                                        \
  X(RC_ENOCONV, 6, "iteration did not converge")                                                   \
  X(RC_ELINALG, 7, "linear algebra routine failed")                                                \
  X(RC_ECANCEL, 8, "cancelled by callback")                                                        \
  X(RC_EDOMAIN, 9, "outside the method's domain of validity")

enum rc_status {
#define RC_STATUS_ENUM(name, value, text) name = value,
  RC_STATUS_LIST(RC_STATUS_ENUM)
#undef RC_STATUS_ENUM
};

#define RC_ERROR_MESSAGE_SIZE 512

/* The error record: status and a message naming the problem. Caller-owned; zero it or
 * call rc_error_clear before use. */
typedef struct {
  int status;
  char message[RC_ERROR_MESSAGE_SIZE];
} rc_error;

/* Static description of a status code ("unknown status" for values not in the list). */
const char *rc_strerror(int status);

/* Resets err (if non-NULL) to RC_SUCCESS with an empty message. */
void rc_error_clear(rc_error *err);

/* Records status and a printf-style message in err (if non-NULL) and returns status.
 * Every error in the library is raised through this function: one breakpoint catches all. */
int rc_error_set(rc_error *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Progress hook for long computations: fraction in [0, 1]. Return non-zero to cancel
 * (the computation then returns RC_ECANCEL). */
typedef int (*rc_progress_fn)(void *context, double fraction);

#ifdef __cplusplus
}
#endif
#endif
