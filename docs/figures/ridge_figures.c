/* Data for the power-law figures of docs/RIDGE.md (run by docs/figures/ridge_figures.sh).
 * Power law lambda_i = i^-a, source lambda_i p_i = i^-b at d = inf (the law's plan: 2^20
 * explicit eigenvalues and the analytic tail), and d = 1000 explicit for the interpolation
 * peak. Writes three tables to the directory argv[1] and prints the fitted exponents
 * (rc_fit_power_law) next to the theoretical ones. */
#include <math.h>
#include <stdio.h>

#include "riskcalc/riskcalc.h"

#define A 1.5
#define B 2.0

static rc_ridge *plan(size_t d, rc_error *err) {
  rc_spectrum *s = rc_spectrum_power_alloc(d, A, err);
  rc_prior *p = s ? rc_prior_source_alloc(s, B, err) : NULL;
  rc_ridge *r = p ? rc_ridge_alloc_values(s, p, err) : NULL;
  rc_spectrum_free(s);
  rc_prior_free(p);
  return r;
}

static void fit(const char *what, const double *x, const double *y, size_t n, double theory) {
  rc_fit_power f;
  rc_error err = {0, ""};
  if (rc_fit_power_law(x, y, NULL, n, NULL, &f, &err)) {
    printf("%s: fit failed: %s\n", what, err.message);
    return;
  }
  printf("%-52s fitted %.4f (95%%: %.4f..%.4f)   theory %.4f\n", what, f.exponent, f.exponent_lo,
         f.exponent_hi, theory);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  rc_error err = {0, ""};
  const rc_law law = {RC_SPECTRUM_POWER, A, RC_PRIOR_SOURCE, B, INFINITY};
  rc_ridge *r = rc_ridge_alloc_law(&law, &err), *r1k = plan(1000, &err);
  if (!r || !r1k) {
    fprintf(stderr, "ridge_figures: %s\n", err.message);
    return 1;
  }
  char path[1024];
  /* 1. ridge learning curves: lambda = 0 and sigma2 = 0 at d = inf (test ~ n^-(b-1));
   *    d = 1000, sigma2 = 0.05: the interpolation peak at n = d for lambda = 0, gone at 1e-2 */
  snprintf(path, sizeof path, "%s/ridge_n.dat", dir);
  FILE *f = fopen(path, "w");
  fprintf(f,
          "# n test(l=0,s2=0,d=inf) bias var_x test(l=0,s2=.05,d=1e3) test(l=1e-3) test(l=1e-2)\n");
  double xs[96], ys[96];
  size_t m = 0;
  for (int k = 0; k <= 80; k++) {
    const double n = round(pow(10, 1 + 4.0 * k / 80));
    rc_ridge_row a, b, c, e;
    rc_ridge_eval(r, n, 0.0, 0.0, &a, &err);
    const int pk = rc_ridge_eval(r1k, n, 0.0, 0.05, &b, &err);
    rc_ridge_eval(r1k, n, 1e-3, 0.05, &c, &err);
    rc_ridge_eval(r1k, n, 1e-2, 0.05, &e, &err);
    fprintf(f, "%g %.10g %.10g %.10g ", n, a.test, a.bias, a.var_x);
    if (pk)
      fprintf(f, "nan "); /* n = d, lambda = 0: refused (infinite) */
    else
      fprintf(f, "%.10g ", b.test);
    fprintf(f, "%.10g %.10g\n", c.test, e.test);
    if (n >= 1000)
      xs[m] = n, ys[m] = a.test, m++;
  }
  fclose(f);
  fit("ridge, d = inf, lambda = 0, sigma2 = 0: test vs n (n = 1e3..1e5)", xs, ys, m, B - 1);
  /* 2. random features against P: n = inf (E Approx), n = 1e3 and 1e4 (lambda = 1e-4) */
  snprintf(path, sizeof path, "%s/rf_P.dat", dir);
  f = fopen(path, "w");
  fprintf(f, "# P test(n=inf,l=0) test(n=1e3) var_f(n=1e3) test(n=1e4) var_f(n=1e4)\n");
  m = 0;
  for (int k = 0; k <= 80; k++) {
    const double P = round(pow(10, 1 + 4.0 * k / 80));
    rc_rf_row a, b, c;
    rc_rf_eval(r, P, INFINITY, 0.0, 0.0, &a, &err);
    rc_rf_eval(r, P, 1e3, 1e-4, 0.0, &b, &err);
    rc_rf_eval(r, P, 1e4, 1e-4, 0.0, &c, &err);
    fprintf(f, "%g %.10g %.10g %.10g %.10g %.10g\n", P, a.test, b.test, b.var_f, c.test, c.var_f);
    if (P >= 1000)
      xs[m] = P, ys[m] = a.test, m++;
  }
  fclose(f);
  fit("rf, d = inf, n = inf, lambda = 0: test vs P (P = 1e3..1e5)", xs, ys, m, B - 1);
  /* 3. the variance-limited regime: P >> n, test(P) - test(P = inf) ~ 1/P (n = 100, 1e3) */
  snprintf(path, sizeof path, "%s/rf_varlim.dat", dir);
  f = fopen(path, "w");
  fprintf(f, "# P gap(n=100) var_f(n=100) gap(n=1000) var_f(n=1000)\n");
  rc_rf_row inf1, inf2;
  rc_rf_eval(r, INFINITY, 100, 1e-4, 0.0, &inf1, &err);
  rc_rf_eval(r, INFINITY, 1000, 1e-4, 0.0, &inf2, &err);
  double ys2[96];
  m = 0;
  for (int k = 0; k <= 40; k++) {
    const double P = round(pow(10, 3.5 + 2.5 * k / 40));
    rc_rf_row a, b;
    rc_rf_eval(r, P, 100, 1e-4, 0.0, &a, &err);
    rc_rf_eval(r, P, 1000, 1e-4, 0.0, &b, &err);
    fprintf(f, "%g %.10g %.10g %.10g %.10g\n", P, a.test - inf1.test, a.var_f, b.test - inf2.test,
            b.var_f);
    if (P >= 1e4)
      xs[m] = P, ys[m] = a.test - inf1.test, ys2[m] = b.test - inf2.test, m++;
  }
  fclose(f);
  fit("rf, n = 100: test(P) - test(inf) vs P (P = 1e4..1e6)", xs, ys, m, 1.0);
  fit("rf, n = 1000: test(P) - test(inf) vs P (P = 1e4..1e6)", xs, ys2, m, 1.0);
  rc_ridge_free(r);
  rc_ridge_free(r1k);
  return 0;
}
