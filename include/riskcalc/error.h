/* riskcalc/error.h -- status codes and the error record every fallible call fills.
 *
 * Every fallible function returns an int status (RC_SUCCESS == 0) and takes an optional
 * rc_error * (may be NULL) that receives a one-line, human-readable message. The library
 * never prints, exits or aborts. Codes and their descriptions come from one list so the
 * two cannot drift apart.
 *
 * GSL's error handler. GSL reports errors through a process-wide handler whose default
 * prints and aborts. The library never reaches it, and never touches it either (swapping it
 * around calls is not thread-safe under OpenMP and would change the host program's handler).
 * Callers may leave it at its default. The guarantee rests on four rules, applied at every
 * GSL call of src/core and src/linear:
 *  1. Arguments are made valid before the call: sizes, indices, tolerances and brackets are
 *     checked (or are valid by construction), so the argument checks of GSL routines
 *     (GSL_ERROR on a bad length, a negative tolerance, lower > upper...) cannot fire. This
 *     includes special functions: their _e forms call the handler too (DOMAIN_ERROR,
 *     UNDERFLOW_ERROR and OVERFLOW_ERROR go through GSL_ERROR), so the conditions under which
 *     they raise are tested first (the Hurwitz zeta of src/quad/problem.c).
 *  2. GSL does not allocate where the library can: public structs are built on memory the
 *     library owns, so running out of memory is RC_ENOMEM, not a raise in an _alloc function:
 *     root and minimiser states on the stack (src/core/root.c, src/core/minimize.c), CQUAD
 *     workspaces (src/core/law.c), random number generators (src/core/rng.c), matrices and
 *     vectors as views (src/core/fit.c, src/linear/schedule_opt.c). Gauss-Legendre rules come
 *     from GSL's static tables or are computed (src/core/gauss.c).
 *  3. Routines that raise on numerical failure are not used: the log-power tail integrals use
 *     closed forms and gsl_integration_cquad (which returns GSL_EDIVERGE) instead of
 *     qag/qagiu, which raise when they miss their tolerance.
 *  4. Functions handed to GSL never give it a value it checks: the root and minimiser helpers
 *     (src/core/root.h, minimize.h) evaluate what GSL would check themselves and feed GSL a
 *     guard that replaces a non-finite value or a failure of the caller's function by a status.
 * Known residue, where GSL keeps private state the library cannot build: running out of memory
 * in gsl_multifit_linear_alloc, gsl_multifit_nlinear_alloc and the temporaries of
 * gsl_multifit_nlinear_covar (rc_fit_joint_power_law) or in gsl_multimin_fdfminimizer_alloc
 * (rc_sgd_schedule_opt) would reach the handler; so would gsl_multifit_wlinear's SVD failing
 * to converge within 100 N sweeps on finite data, and gsl_cdf_tdist_Pinv failing its final
 * accuracy check (2.2e7 points of the fits' domain, integer dof 1..4e9 and levels from 1e-300
 * to 1 - 1e-17, showed none). Replacing them would change the fits' digits.
 * Adding a GSL call: read its source (and that of what it calls; special functions without
 * _e raise on underflow) for GSL_ERROR, GSL_ERROR_VAL and GSL_ERROR_NULL; make each such
 * condition impossible by rules 1-4 and say how at the call site; then add the path, with
 * edge-case inputs, to tests/core/test_never_abort.c, which keeps GSL's default handler and
 * fails every library allocation in turn. Outside GSL, LAPACKE prints (it does not abort) when
 * its own workspace allocation fails. */
#ifndef RISKCALC_ERROR_H
#define RISKCALC_ERROR_H

#include "riskcalc/api.h"

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
RC_API const char *rc_strerror(int status);

/* Resets err (if non-NULL) to RC_SUCCESS with an empty message. */
RC_API void rc_error_clear(rc_error *err);

/* Records status and a printf-style message in err (if non-NULL) and returns status.
 * Every error in the library is raised through this function: one breakpoint catches all. */
RC_API int rc_error_set(rc_error *err, int status, const char *fmt, ...)
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
