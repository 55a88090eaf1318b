/* src/quad/moments.h -- one SGD step of the quadratic model on the first three moments of one
 * coordinate theta_i (internal; docs/QUAD.md section 3).
 *
 * Given theta_i = theta, the step multiplies it by h^2, h = 1 - 2 eta g, where
 * g = (1/B) sum_b s_b and s = x^2 u + x rho (x ~ N(0, lambda), u = theta - w, rho ~ N(0, R_-i)
 * independent of x). The cumulant generating function of s is -1/2 log(1 - 2 a t - b2 t^2)
 * (a = lambda u, b2 = lambda R_-i), so k_n(s) = (n-1)!/2 (p^n + q^n) with p + q = 2a,
 * pq = -b2: exact polynomials in u. The conditional mean, variance and third central moment
 * of theta' are then polynomials in theta of degrees 3, 6 and 9, and their averages over
 * theta need its central moments up to order 9: the closure supplies orders 4..9 from the
 * tracked mean m, variance v and third central moment s by the Pearson type III law (a
 * shifted gamma law: cumulants k_n = (n-1)! v (s / 2v)^(n-2)). The increments are formed
 * without subtracting nearly equal numbers (h^2 - 1 and the central moments of h^2 are
 * assembled from the cumulants of h), so a converged coordinate's tiny variance keeps its
 * relative accuracy. */
#ifndef RISKCALC_QUAD_MOMENTS_H
#define RISKCALC_QUAD_MOMENTS_H

/* The fixed data of one coordinate at one step size. */
typedef struct {
  double lambda, w; /* eigenvalue and target */
  double eta;       /* step size */
  double inv_batch; /* 1 / B */
} quad_coord;

/* Increments dx = x' - x of x = (m, v, s) after one step, where R is the mean-field risk
 * sigma2 + approx + sum_j lambda_j ((m_j - w_j)^2 + v_j) (the coordinate's own term is taken
 * out inside). Requires m > 0 and v >= 0 (v == 0 makes the law a point mass). */
void quad_moment_increment(const quad_coord *c, double R, const double x[3], double dx[3]);

/* Central moments mu_0..mu_9 of the Pearson type III law with variance v >= 0 and third central
 * moment s (a point mass when v == 0). */
void quad_pearson3_moments(double v, double s, double mu[10]);

#endif
