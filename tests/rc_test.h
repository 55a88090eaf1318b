/* tests/rc_test.h -- a tiny test harness.
 *
 * A test is a void function of no arguments made of checks; it passes when all its checks
 * pass. Failed checks print got/expected at %.17g. Each binary ends with the line
 * "<name>: N passed, N failed" (tests counted, not checks) that tests/run.sh adds up. */
#ifndef RC_TEST_H
#define RC_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rc_test_checks_failed_ = 0; /* failed checks in the current test */
static int rc_test_passed_ = 0, rc_test_failed_ = 0;

static void rc_test_fail_(const char *file, int line, const char *what) {
  printf("    %s:%d: %s\n", file, line, what);
  rc_test_checks_failed_++;
}

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      rc_test_fail_(__FILE__, __LINE__, "check failed: " #cond);                                   \
  } while (0)

/* |got - want| <= rtol |want| */
#define CHECK_REL(got, want, rtol)                                                                 \
  do {                                                                                             \
    double g_ = (got), w_ = (want), t_ = (rtol);                                                   \
    if (!(fabs(g_ - w_) <= t_ * fabs(w_))) {                                                       \
      char b_[512];                                                                                \
      snprintf(b_, sizeof b_, "%s = %.17g, expected %s = %.17g (rel err %.3g > %.3g)", #got, g_,   \
               #want, w_, fabs(g_ - w_) / fabs(w_), t_);                                           \
      rc_test_fail_(__FILE__, __LINE__, b_);                                                       \
    }                                                                                              \
  } while (0)

/* |got - want| <= atol */
#define CHECK_ABS(got, want, atol)                                                                 \
  do {                                                                                             \
    double g_ = (got), w_ = (want), t_ = (atol);                                                   \
    if (!(fabs(g_ - w_) <= t_)) {                                                                  \
      char b_[512];                                                                                \
      snprintf(b_, sizeof b_, "%s = %.17g, expected %s = %.17g (abs err %.3g > %.3g)", #got, g_,   \
               #want, w_, fabs(g_ - w_), t_);                                                      \
      rc_test_fail_(__FILE__, __LINE__, b_);                                                       \
    }                                                                                              \
  } while (0)

#define CHECK_STATUS(got, want)                                                                    \
  do {                                                                                             \
    int gs_ = (got), ws_ = (want);                                                                 \
    if (gs_ != ws_) {                                                                              \
      char b_[256];                                                                                \
      snprintf(b_, sizeof b_, "%s returned %d, expected %d", #got, gs_, ws_);                      \
      rc_test_fail_(__FILE__, __LINE__, b_);                                                       \
    }                                                                                              \
  } while (0)

#define RUN_TEST(fn)                                                                               \
  do {                                                                                             \
    rc_test_checks_failed_ = 0;                                                                    \
    fn();                                                                                          \
    if (rc_test_checks_failed_ == 0) {                                                             \
      rc_test_passed_++;                                                                           \
      printf("ok   %s\n", #fn);                                                                    \
    } else {                                                                                       \
      rc_test_failed_++;                                                                           \
      printf("FAIL %s\n", #fn);                                                                    \
    }                                                                                              \
    fflush(stdout);                                                                                \
  } while (0)

/* Starts tests/helpers/<script> <args> under /usr/bin/python3 and returns its stdout (pclose
 * it), or NULL after printing why. A missing python3 or mpmath must make the caller's check
 * fail, not skip it. */
static inline FILE *rc_test_helper(const char *script, const char *args) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s", __FILE__);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/helpers/%s %s", dir, script, args);
  FILE *f = popen(cmd, "r");
  if (!f)
    printf("    cannot run %s\n", cmd);
  return f;
}

#define TEST_MAIN_BEGIN() setvbuf(stdout, NULL, _IOLBF, 0)

#define TEST_MAIN_END(name)                                                                        \
  do {                                                                                             \
    printf("%s: %d passed, %d failed\n", name, rc_test_passed_, rc_test_failed_);                  \
    return rc_test_failed_ ? 1 : 0;                                                                \
  } while (0)

#endif
