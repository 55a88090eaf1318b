/* Tests of the Gauss-Legendre rules (src/core/gauss.c). */
#include <math.h>
#include <stdio.h>

#include "core/gauss.h"
#include "rc_test.h"

/* An n-point rule on [0, 1] exact for degree 2n - 1 is the Gauss-Legendre rule: check the
 * moments int_0^1 x^k dx = 1/(k+1), k < 2n, and the symmetry of nodes and weights, for the
 * sizes GSL tabulates and for those computed here. */
static void test_exactness(void) {
  double x[64], w[64];
  double worst_tab = 0, worst_own = 0;
  for (size_t n = 1; n <= 40; n++) {
    CHECK_STATUS(rc_gauss_legendre(n, x, w, NULL), RC_SUCCESS);
    int ordered = x[0] > 0 && x[n - 1] < 1, symmetric = 1;
    for (size_t i = 0; i < n; i++) {
      ordered &= i == 0 || x[i] > x[i - 1];
      symmetric &= fabs(x[i] + x[n - 1 - i] - 1) <= 2e-16 && fabs(w[i] - w[n - 1 - i]) <= 1e-16;
    }
    CHECK(ordered);
    CHECK(symmetric);
    double e = 0;
    for (size_t k = 0; k < 2 * n; k++) {
      double s = 0;
      for (size_t i = 0; i < n; i++)
        s += w[i] * pow(x[i], (double)k);
      e = fmax(e, fabs(s * (double)(k + 1) - 1));
    }
    if ((n >= 2 && n <= 20) || n == 32)
      worst_tab = fmax(worst_tab, e);
    else
      worst_own = fmax(worst_own, e);
  }
  printf("    moments: GSL tables %.2g, Newton %.2g (relative)\n", worst_tab, worst_own);
  CHECK(worst_tab < 4e-15); /* measured 1.1e-15 (double moments of degree up to 79) */
  CHECK(worst_own < 4e-15); /* measured 1.9e-15 */
  CHECK_STATUS(rc_gauss_legendre(0, x, w, NULL), RC_EINVAL);
  CHECK_STATUS(rc_gauss_legendre(1025, x, w, NULL), RC_EINVAL);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_exactness);
  TEST_MAIN_END("test_gauss");
}
