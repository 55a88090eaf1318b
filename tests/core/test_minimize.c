/* tests/core/test_minimize.c -- the one-dimensional minimisers of src/core/minimize.c: Brent on a
 * bracket and the tuners' scan-then-refine search. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/minimize.h"
#include "rc_test.h"

typedef struct {
  double centre;   /* minimum of (x - centre)^2 + 1 */
  double valid_hi; /* points above are outside the valid range (DBL_MAX) */
  int calls, fail_at;
  rc_error *err;
} parabola;

static int parabola_fn(double x, void *vp, double *value) {
  parabola *p = vp;
  p->calls++;
  if (p->fail_at && p->calls >= p->fail_at)
    return rc_error_set(p->err, RC_EDOMAIN, "parabola: refused x = %g", x);
  *value = x > p->valid_hi ? DBL_MAX : (x - p->centre) * (x - p->centre) + 1.0;
  return RC_SUCCESS;
}

static void test_brent(void) {
  rc_error err = {0, ""};
  parabola p = {0.3, INFINITY, 0, 0, &err};
  const rc_min_options o = {0, 1e-6, 200};
  double x, f;
  CHECK_STATUS(
      rc_min_brent(parabola_fn, &p, -1, 2.69, 0, 1.09, 2, 3.89, &o, "parabola", &x, &f, &err),
      RC_SUCCESS);
  CHECK_ABS(x, 0.3, 1e-8);
  CHECK_REL(f, 1.0, 1e-15);
  /* no bracket: the middle value is not below both ends */
  CHECK_STATUS(
      rc_min_brent(parabola_fn, &p, -1, 2.69, 1.9, 3.56, 2, 3.89, &o, "parabola", &x, &f, &err),
      RC_EINVAL);
}

static void test_scan_brent(void) {
  rc_error err = {0, ""};
  double x, f;
  int top;
  /* an interior minimum: found to Brent's tolerance, not only to the grid's spacing */
  parabola p = {0.3, INFINITY, 0, 0, &err};
  CHECK_STATUS(rc_min_scan_brent(parabola_fn, &p, -2, 2, 9, "parabola", &x, &f, &top, &err),
               RC_SUCCESS);
  CHECK_ABS(x, 0.3, 1e-5);
  CHECK(top == 0);
  CHECK(p.calls > 9);
  /* the minimum beyond the top: the last grid point, flagged, no refinement */
  parabola q = {5.0, INFINITY, 0, 0, &err};
  CHECK_STATUS(rc_min_scan_brent(parabola_fn, &q, -2, 2, 9, "parabola", &x, &f, &top, &err),
               RC_SUCCESS);
  CHECK(x == 2.0 && top == 1 && q.calls == 9);
  /* the valid range ends inside the grid: the best valid point is flagged as the top */
  parabola r = {5.0, 1.2, 0, 0, &err};
  CHECK_STATUS(rc_min_scan_brent(parabola_fn, &r, -2, 2, 9, "parabola", &x, &f, &top, &err),
               RC_SUCCESS);
  CHECK(x >= 1.0 && x <= 1.2 && top == 1);
  /* a failing evaluation stops the scan with its status and message */
  parabola s = {0.3, INFINITY, 0, 4, &err};
  CHECK_STATUS(rc_min_scan_brent(parabola_fn, &s, -2, 2, 9, "parabola", &x, &f, &top, &err),
               RC_EDOMAIN);
  CHECK(strstr(err.message, "refused") != NULL && s.calls == 4);
  /* grid sizes outside 2..RC_MIN_SCAN_MAX */
  CHECK_STATUS(rc_min_scan_brent(parabola_fn, &p, -2, 2, 1, "parabola", &x, &f, &top, &err),
               RC_EINVAL);
  CHECK_STATUS(rc_min_scan_brent(parabola_fn, &p, -2, 2, RC_MIN_SCAN_MAX + 1, "parabola", &x, &f,
                                 &top, &err),
               RC_EINVAL);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_brent);
  RUN_TEST(test_scan_brent);
  TEST_MAIN_END("test_minimize");
}
