/* One step of the moment recursion of one coordinate (src/quad/moments.h). Polynomials are
 * coefficient arrays, lowest degree first, in delta = theta - m. */
#include "quad/moments.h"

/* out[0..da+db] = a[0..da] * b[0..db]. out must not alias a or b. */
static inline void pmul(const double *a, int da, const double *b, int db, double *out) {
  for (int k = 0; k <= da + db; k++)
    out[k] = 0;
  for (int i = 0; i <= da; i++)
    for (int j = 0; j <= db; j++)
      out[i + j] += a[i] * b[j];
}

/* E[delta^shift p(delta)] = sum_j p_j mu_{j+shift}. */
static inline double expect(const double *p, int dp, const double *mu, int shift) {
  double e = 0;
  for (int j = dp; j >= 0; j--)
    e += p[j] * mu[j + shift];
  return e;
}

void quad_pearson3_moments(double v, double s, double mu[10]) {
  mu[0] = 1.0;
  for (int n = 1; n < 10; n++)
    mu[n] = 0.0;
  if (!(v > 0))
    return;
  /* cumulants k_n = (n-1)! v g^(n-2), g = s / 2v; moments from mu_n = sum_k C(n-1,k-1) k_k
   * mu_{n-k} (k_1 = 0). */
  const double g = s / (2.0 * v);
  double kap[10];
  kap[1] = 0.0;
  kap[2] = v;
  double f = 1.0, gp = 1.0;
  for (int n = 3; n < 10; n++) {
    f *= (double)(n - 1);
    gp *= g;
    kap[n] = f * v * gp;
  }
  static const double binom[9][9] = {
      {1},
      {1, 1},
      {1, 2, 1},
      {1, 3, 3, 1},
      {1, 4, 6, 4, 1},
      {1, 5, 10, 10, 5, 1},
      {1, 6, 15, 20, 15, 6, 1},
      {1, 7, 21, 35, 35, 21, 7, 1},
      {1, 8, 28, 56, 70, 56, 28, 8, 1},
  };
  for (int n = 2; n < 10; n++) {
    double acc = 0;
    for (int k = 2; k <= n; k++)
      acc += binom[n - 1][k - 1] * kap[k] * mu[n - k];
    mu[n] = acc;
  }
}

void quad_moment_increment(const quad_coord *c, double R, const double x[3], double dx[3]) {
  const double lam = c->lambda, eta = c->eta, iB = c->inv_batch;
  const double m = x[0], v = x[1], s = x[2];
  const double e = m - c->w;
  double Rm = R - lam * (e * e + v); /* R_-i: the rest of the residual */
  if (Rm < 0)
    Rm = 0; /* rounding of a non-negative sum */
  const double b2 = lam * Rm;
  /* a = lambda u = lambda (e + delta) */
  const double a[2] = {lam * e, lam};
  /* power sums P_n = p^n + q^n: P_0 = 2, P_1 = 2a, P_n = 2a P_{n-1} + b2 P_{n-2} */
  double P[7][7] = {{0}};
  P[0][0] = 2.0;
  P[1][0] = 2.0 * a[0];
  P[1][1] = 2.0 * a[1];
  for (int n = 2; n <= 6; n++) {
    for (int j = 0; j <= n; j++) {
      double t = b2 * (j <= n - 2 ? P[n - 2][j] : 0.0);
      if (j <= n - 1)
        t += 2.0 * a[0] * P[n - 1][j];
      if (j >= 1)
        t += 2.0 * a[1] * P[n - 1][j - 1];
      P[n][j] = t;
    }
  }
  /* cumulants of h = 1 - 2 eta g, n >= 2: k_n = (-2 eta)^n (n-1)!/2 P_n / B^(n-1) */
  double k[7][7] = {{0}};
  {
    double f = 0.5, sc = 1.0, bp = 1.0; /* (n-1)!/2, (-2 eta)^n, B^-(n-1) */
    sc = 4.0 * eta * eta;
    bp = iB;
    for (int n = 2; n <= 6; n++) {
      if (n > 2) {
        f *= (double)(n - 1);
        sc *= -2.0 * eta;
        bp *= iB;
      }
      const double coef = sc * f * bp;
      for (int j = 0; j <= n; j++)
        k[n][j] = coef * P[n][j];
    }
  }
  /* c = E h = 1 - 2 eta a */
  const double cc[2] = {1.0 - 2.0 * eta * a[0], -2.0 * eta * a[1]};
  double c2[3], c3[4];
  pmul(cc, 1, cc, 1, c2);
  pmul(c2, 2, cc, 1, c3);
  /* D2 = E h^2 - 1 = -4 eta a + 4 eta^2 a^2 + k2 */
  double D2[3];
  D2[0] = -4.0 * eta * a[0] + 4.0 * eta * eta * a[0] * a[0] + k[2][0];
  D2[1] = -4.0 * eta * a[1] + 8.0 * eta * eta * a[0] * a[1] + k[2][1];
  D2[2] = 4.0 * eta * eta * a[1] * a[1] + k[2][2];
  /* V2 = Var h^2 = 4 c^2 k2 + 4 c k3 + k4 + 2 k2^2 (degree 4) */
  double V2[5], t4[5], t6[7], t6b[7];
  pmul(c2, 2, k[2], 2, t4);
  for (int j = 0; j <= 4; j++)
    V2[j] = 4.0 * t4[j] + k[4][j];
  pmul(cc, 1, k[3], 3, t4);
  for (int j = 0; j <= 4; j++)
    V2[j] += 4.0 * t4[j];
  double k22[5];
  pmul(k[2], 2, k[2], 2, k22);
  for (int j = 0; j <= 4; j++)
    V2[j] += 2.0 * k22[j];
  /* V3 = third central moment of h^2 = 8 c^3 k3 + 12 c^2 (k4 + 2 k2^2)
   *      + 6 c (k5 + 8 k2 k3) + k6 + 12 k2 k4 + 10 k3^2 + 8 k2^3 (degree 6) */
  double V3[7];
  pmul(c3, 3, k[3], 3, t6);
  for (int j = 0; j <= 6; j++)
    V3[j] = 8.0 * t6[j] + k[6][j];
  double k4p[5];
  for (int j = 0; j <= 4; j++)
    k4p[j] = k[4][j] + 2.0 * k22[j];
  pmul(c2, 2, k4p, 4, t6);
  for (int j = 0; j <= 6; j++)
    V3[j] += 12.0 * t6[j];
  double k5p[6], k23[6];
  pmul(k[2], 2, k[3], 3, k23);
  for (int j = 0; j <= 5; j++)
    k5p[j] = k[5][j] + 8.0 * k23[j];
  pmul(cc, 1, k5p, 5, t6);
  for (int j = 0; j <= 6; j++)
    V3[j] += 6.0 * t6[j];
  pmul(k[2], 2, k[4], 4, t6);
  pmul(k[3], 3, k[3], 3, t6b);
  for (int j = 0; j <= 6; j++)
    V3[j] += 12.0 * t6[j] + 10.0 * t6b[j];
  pmul(k22, 4, k[2], 2, t6);
  for (int j = 0; j <= 6; j++)
    V3[j] += 8.0 * t6[j];
  /* theta = m + delta and its powers */
  const double th[2] = {m, 1.0};
  double th2[3], th3[4];
  pmul(th, 1, th, 1, th2);
  pmul(th2, 2, th, 1, th3);
  double D[4], G2[7], G3[10];
  pmul(th, 1, D2, 2, D);   /* conditional mean minus theta */
  pmul(th2, 2, V2, 4, G2); /* conditional variance */
  pmul(th3, 3, V3, 6, G3); /* conditional third central moment */
  double mu[10];
  quad_pearson3_moments(v, s, mu);
  const double ED = expect(D, 3, mu, 0);
  double Dt[4] = {D[0] - ED, D[1], D[2], D[3]}; /* D - E D */
  double Dt2[7], Dt3[10];
  pmul(Dt, 3, Dt, 3, Dt2);
  pmul(Dt2, 6, Dt, 3, Dt3);
  /* q1 = (theta' conditional mean) - m' = delta + Dt */
  double q1[4] = {Dt[0], Dt[1] + 1.0, Dt[2], Dt[3]};
  double G2q[10];
  pmul(G2, 6, q1, 3, G2q);
  dx[0] = ED;
  dx[1] = expect(G2, 6, mu, 0) + 2.0 * expect(Dt, 3, mu, 1) + expect(Dt2, 6, mu, 0);
  dx[2] = expect(G3, 9, mu, 0) + 3.0 * expect(G2q, 9, mu, 0) + 3.0 * expect(Dt, 3, mu, 2) +
          3.0 * expect(Dt2, 6, mu, 1) + expect(Dt3, 9, mu, 0);
}
