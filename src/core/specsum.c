/* Resolvent sums of a spectrum with signals (see specsum.h; docs/DETEQ.md). */
#include "core/specsum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/law_tail.h"
#include "core/util.h"

#define SERIES_TERMS 64 /* at most this many terms of the tail series */
#define RATIO 0.4       /* a level serves w when its largest tail eigenvalue <= 0.4 |w| */
#define SPECSUM_LANES 8 /* partial sums of the long explicit parts (fixed: reproducible) */
#define RATIO_MAX 0.5   /* beyond 0.5 |w| the series is refused */

static rc_specsum *specsum_new(size_t n, rc_error *err) {
  rc_specsum *ss = calloc(1, sizeof *ss);
  if (!ss) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a spectral-sum plan");
    return NULL;
  }
  ss->n = n;
  ss->lam = rc_alloc_doubles(n, err);
  ss->cnt = ss->lam ? rc_alloc_doubles(n, err) : NULL;
  ss->sig = ss->cnt ? rc_alloc_doubles(n, err) : NULL;
  if (!ss->sig) {
    rc_specsum_free(ss);
    return NULL;
  }
  return ss;
}

void rc_specsum_free(rc_specsum *s) {
  if (s) {
    free(s->lam);
    free(s->cnt);
    free(s->sig);
    free(s);
  }
}

/* Levels and their tail moments; the deepest tail (past lam[n-1]) is given by tail_scale,
 * tailU, tailV (tail_scale == 0: no tail). */
static void build_levels(rc_specsum *ss, double tail_scale, const double *tailU,
                         const double *tailV) {
  size_t L = 0;
  size_t K = ss->n < 64 ? ss->n : 64;
  for (;;) {
    ss->K[L++] = K;
    if (K == ss->n || L == RC_SPECSUM_LEVELS - 1)
      break;
    K = K * 2 < ss->n ? K * 2 : ss->n;
  }
  if (ss->K[L - 1] != ss->n)
    ss->K[L++] = ss->n;
  ss->nlev = L;
  /* deepest level */
  ss->scale[L - 1] = tail_scale;
  for (int m = 0; m < RC_SPECSUM_MOMENTS; m++) {
    ss->U[L - 1][m] = tail_scale > 0 ? tailU[m] : 0;
    ss->V[L - 1][m] = tail_scale > 0 ? tailV[m] : 0;
  }
  for (size_t l = L - 1; l-- > 0;) {
    const double sc = ss->lam[ss->K[l]];
    ss->scale[l] = sc;
    double *U = ss->U[l], *V = ss->V[l];
    /* the deeper level's tail, rescaled */
    const double ratio = ss->scale[l + 1] / sc;
    double p = 1.0;
    for (int m = 0; m < RC_SPECSUM_MOMENTS; m++) {
      U[m] = p * ss->U[l + 1][m];
      V[m] = p * ss->V[l + 1][m];
      p *= ratio;
    }
    /* explicit eigenvalues between the two cutoffs, smallest first */
    for (size_t j = ss->K[l + 1]; j-- > ss->K[l];) {
      const double r = ss->lam[j] / sc, c = ss->cnt[j], s = ss->sig[j];
      double q = 1.0;
      V[0] += s;
      for (int m = 1; m < RC_SPECSUM_MOMENTS; m++) {
        q *= r;
        if (q < 1e-300)
          break;
        U[m] += c * q;
        V[m] += s * q;
      }
    }
  }
  /* totals */
  double tr = 0, tr2 = 0, sg = 0;
  for (size_t j = ss->n; j-- > 0;) {
    tr += ss->cnt[j] * ss->lam[j];
    tr2 += ss->cnt[j] * ss->lam[j] * ss->lam[j];
    sg += ss->sig[j];
  }
  if (tail_scale > 0) {
    tr += tail_scale * tailU[1];
    tr2 += tail_scale * tail_scale * tailU[2];
    sg += tailV[0];
  }
  ss->trace = tr;
  ss->trace2 = tr2;
  ss->signal = sg;
}

rc_specsum *rc_specsum_alloc_values(const double *lambda, const double *p, size_t d,
                                    rc_error *err) {
  size_t *order = malloc((d ? d : 1) * sizeof *order);
  if (!order) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a spectrum of dimension %zu", d);
    return NULL;
  }
  size_t nz = 0;
  for (size_t i = 0; i < d; i++)
    if (lambda[i] > 0)
      order[nz++] = i;
  if (nz == 0) {
    free(order);
    rc_error_set(err, RC_EINVAL, "every eigenvalue is zero");
    return NULL;
  }
  /* indices by decreasing eigenvalue: bottom-up merge sort (stable, O(d log d)) */
  size_t *tmp = malloc(nz * sizeof *tmp);
  if (!tmp) {
    free(order);
    rc_error_set(err, RC_ENOMEM, "out of memory for a spectrum of dimension %zu", d);
    return NULL;
  }
  const double *lv = lambda;
  for (size_t width = 1; width < nz; width *= 2) {
    for (size_t lo = 0; lo < nz; lo += 2 * width) {
      size_t mid = lo + width < nz ? lo + width : nz,
             hi = lo + 2 * width < nz ? lo + 2 * width : nz;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = lv[order[i]] >= lv[order[j]] ? order[i++] : order[j++];
      while (i < mid)
        tmp[k++] = order[i++];
      while (j < hi)
        tmp[k++] = order[j++];
    }
    memcpy(order, tmp, nz * sizeof *order);
  }
  free(tmp);
  size_t distinct = 0;
  for (size_t k = 0; k < nz; k++)
    if (k == 0 || lv[order[k]] != lv[order[k - 1]])
      distinct++;
  rc_specsum *ss = specsum_new(distinct, err);
  if (!ss) {
    free(order);
    return NULL;
  }
  size_t j = 0;
  for (size_t k = 0; k < nz; k++) {
    const size_t i = order[k];
    if (k > 0 && lv[i] != lv[order[k - 1]])
      j++;
    if (k == 0 || lv[i] != lv[order[k - 1]]) {
      ss->lam[j] = lv[i];
      ss->cnt[j] = 0;
      ss->sig[j] = 0;
    }
    ss->cnt[j] += 1.0;
    ss->sig[j] += lv[i] * p[i];
  }
  free(order);
  ss->d = (double)nz;
  ss->tail_bound = 0;
  build_levels(ss, 0.0, NULL, NULL);
  return ss;
}

rc_specsum *rc_specsum_alloc_law(const rc_law *l, size_t K, rc_error *err) {
  const size_t n = l->d <= (double)K ? (size_t)l->d : K;
  rc_specsum *ss = specsum_new(n, err);
  if (!ss)
    return NULL;
  ss->d = l->d;
  for (size_t j = 0; j < ss->n; j++) {
    const double i = (double)(j + 1);
    ss->lam[j] = rc_law_lambda(l, i);
    ss->cnt[j] = 1.0;
    ss->sig[j] = rc_law_signal(l, i);
  }
  /* Decided on the law, not on the rounded values: eigenvalues that decrease by less than an
   * ulp (a power law with a ~ 1e-10) merely tie, which no sum minds. */
  const double rise = rc_law_first_rise(l);
  if (rise > 0) {
    rc_error_set(err, RC_EINVAL,
                 "the spectrum is not decreasing at i = %.0f (a law needs decreasing "
                 "eigenvalues: rc_law_is_decreasing)",
                 rise + 1);
    rc_specsum_free(ss);
    return NULL;
  }
  if ((double)ss->n >= l->d) {
    ss->tail_bound = 0;
    build_levels(ss, 0.0, NULL, NULL);
    return ss;
  }
  double U[RC_SPECSUM_MOMENTS], V[RC_SPECSUM_MOMENTS], bU1, bV0;
  if (rc_law_tail_moments(l, (double)ss->n, RC_SPECSUM_MOMENTS, U, V, &bU1, &bV0, err)) {
    rc_specsum_free(ss);
    return NULL;
  }
  const double scale = rc_law_lambda(l, (double)ss->n + 1.0);
  build_levels(ss, scale, U, V);
  const double r1 = scale * bU1 / ss->trace, r2 = bV0 / ss->signal;
  ss->tail_bound = r1 > r2 ? r1 : r2;
  return ss;
}

int rc_specsum_eval(const rc_specsum *ss, double wr, double wi, unsigned what, rc_specsum_sums *s,
                    rc_error *err) {
  memset(s, 0, sizeof *s);
  const double aw = hypot(wr, wi);
  size_t l = 0;
  while (l + 1 < ss->nlev && ss->scale[l] > RATIO * aw)
    l++;
  const double sc = ss->scale[l];
  if (sc > RATIO_MAX * aw)
    return rc_error_set(err, RC_ENOCONV,
                        "|w| = %.3g is below the range this plan was prepared for (explicit "
                        "cutoff K = %zu, lambda_{K+1} = %.3g): prepare it for a larger M",
                        aw, ss->n, sc);
  const size_t K = ss->K[l];
  const double *lam = ss->lam, *cnt = ss->cnt, *sig = ss->sig;
  double a1r = 0, a1i = 0, a2r = 0, a2i = 0, a3r = 0, a3i = 0;
  double b0r = 0, b0i = 0, b1r = 0, b1i = 0, b2r = 0, b2i = 0, sim = 0;
  double c1r = 0, c1i = 0, d1r = 0, d1i = 0;
  const unsigned asked = what & ~(unsigned)RC_SPECSUM_LANES;
  const int lanes = (what & RC_SPECSUM_LANES) && K > RC_SPECSUM_LANES_MIN &&
                    (asked == RC_SPECSUM_A2 || asked == RC_SPECSUM_B);
  /* Lanes: SPECSUM_LANES interleaved partial sums, each its own fixed sequence of terms, joined
   * in a fixed order, so the result is the same at any optimisation level and vector width
   * (an `omp simd reduction` leaves its order to the compiler). */
  if (lanes) {
    double acc[7][SPECSUM_LANES];
    memset(acc, 0, sizeof acc);
    const int with_b = asked == RC_SPECSUM_B;
    size_t j = 0;
    for (; j + SPECSUM_LANES <= K; j += SPECSUM_LANES) {
#pragma omp simd
      for (size_t u = 0; u < SPECSUM_LANES; u++) {
        const double lj = lam[j + u], dr = lj - wr;
        const double inv2 = 1.0 / (dr * dr + wi * wi);
        const double rr = dr * inv2, ri = wi * inv2;
        const double cl = cnt[j + u] * lj;
        acc[0][u] += cl * rr;
        acc[1][u] += cl * ri;
        if (with_b) {
          const double sj = sig[j + u];
          acc[2][u] += sj * rr;
          acc[3][u] += sj * ri;
          acc[4][u] += sj * lj * rr;
          acc[5][u] += sj * lj * ri;
          acc[6][u] += sj * lj * inv2;
        } else {
          const double cll = cl * lj;
          acc[2][u] += cll * (rr * rr - ri * ri);
          acc[3][u] += cll * (2 * rr * ri);
        }
      }
    }
    for (; j < K; j++) { /* the last K mod SPECSUM_LANES terms, into lane 0 */
      const double lj = lam[j], dr = lj - wr;
      const double inv2 = 1.0 / (dr * dr + wi * wi);
      const double rr = dr * inv2, ri = wi * inv2;
      const double cl = cnt[j] * lj;
      acc[0][0] += cl * rr;
      acc[1][0] += cl * ri;
      if (with_b) {
        const double sj = sig[j];
        acc[2][0] += sj * rr;
        acc[3][0] += sj * ri;
        acc[4][0] += sj * lj * rr;
        acc[5][0] += sj * lj * ri;
        acc[6][0] += sj * lj * inv2;
      } else {
        const double cll = cl * lj;
        acc[2][0] += cll * (rr * rr - ri * ri);
        acc[3][0] += cll * (2 * rr * ri);
      }
    }
    double tot[7];
    for (int q = 0; q < 7; q++) {
      double t = 0;
      for (size_t u = 0; u < SPECSUM_LANES; u++)
        t += acc[q][u];
      tot[q] = t;
    }
    a1r = tot[0];
    a1i = tot[1];
    if (with_b) {
      b0r = tot[2];
      b0i = tot[3];
      b1r = tot[4];
      b1i = tot[5];
      sim = tot[6];
    } else {
      a2r = tot[2];
      a2i = tot[3];
    }
  }
  /* smallest terms first */
  for (size_t j = lanes ? 0 : K; j-- > 0;) {
    const double lj = lam[j], dr = lj - wr;
    const double inv2 = 1.0 / (dr * dr + wi * wi);
    const double rr = dr * inv2, ri = wi * inv2; /* 1 / (lambda - w) */
    const double cl = cnt[j] * lj;
    a1r += cl * rr;
    a1i += cl * ri;
    if (what & (RC_SPECSUM_A2 | RC_SPECSUM_A3)) {
      const double qr = rr * rr - ri * ri, qi = 2 * rr * ri, cll = cl * lj;
      a2r += cll * qr;
      a2i += cll * qi;
      if (what & RC_SPECSUM_A3) {
        a3r += cll * (qr * rr - qi * ri);
        a3i += cll * (qr * ri + qi * rr);
      }
    }
    if (what & RC_SPECSUM_B) {
      const double sj = sig[j];
      b0r += sj * rr;
      b0i += sj * ri;
      b1r += sj * lj * rr;
      b1i += sj * lj * ri;
      sim += sj * lj * inv2;
    }
    if (what & RC_SPECSUM_B2) {
      const double qr = rr * rr - ri * ri, qi = 2 * rr * ri, sl = sig[j] * lj;
      b2r += sl * qr;
      b2i += sl * qi;
    }
    if (what & RC_SPECSUM_C) {
      const double qr = rr * rr - ri * ri, qi = 2 * rr * ri;
      c1r += cl * qr;
      c1i += cl * qi;
      d1r += sig[j] * qr;
      d1i += sig[j] * qi;
    }
  }
  if (sc > 0) {
    /* tail: r = sc / w, terms in r^k */
    const double w2 = aw * aw;
    const double zr = sc * wr / w2, zi = -sc * wi / w2;
    const double rho = sc / aw;
    int kmax = (int)ceil(41.5 / -log(rho)) + 6;
    if (kmax > SERIES_TERMS)
      kmax = SERIES_TERMS;
    const double *U = ss->U[l], *V = ss->V[l];
    double pr = 1, pi = 0; /* r^k */
    double t1r = 0, t1i = 0, t2r = 0, t2i = 0, t3r = 0, t3i = 0, u0r = 0, u0i = 0, v1r = 0, v1i = 0;
    double v2r = 0, v2i = 0, c2r = 0, c2i = 0, w2r = 0, w2i = 0;
    for (int k = 0; k <= kmax + 3; k++) {
      /* pr, pi = r^k */
      if (k >= 1 && k <= kmax + 1) {
        t1r += U[k] * pr;
        t1i += U[k] * pi;
        v1r += V[k] * pr;
        v1i += V[k] * pi;
      }
      if (k >= 2 && k <= kmax + 2) {
        t2r += (k - 1) * U[k] * pr;
        t2i += (k - 1) * U[k] * pi;
      }
      if (k >= 3 && k <= kmax + 3) {
        const double c = 0.5 * (k - 2) * (k - 1) * U[k - 1];
        t3r += c * pr;
        t3i += c * pi;
      }
      if (k >= 1 && k <= kmax + 2) {
        u0r += V[k - 1] * pr;
        u0i += V[k - 1] * pi;
      }
      if (k >= 2 && k <= kmax + 2 && (what & RC_SPECSUM_B2)) {
        v2r += (k - 1) * V[k - 1] * pr;
        v2i += (k - 1) * V[k - 1] * pi;
      }
      /* 1/(lambda - w)^2 = w^-2 sum_n (n + 1) (lambda/w)^n: C1 = (1/sc) sum_k (k-1) U_{k-1} r^k,
       * D1 = (1/sc^2) sum_k (k-1) V_{k-2} r^k */
      if (k >= 2 && k <= kmax + 2 && (what & RC_SPECSUM_C)) {
        c2r += (k - 1) * U[k - 1] * pr;
        c2i += (k - 1) * U[k - 1] * pi;
        w2r += (k - 1) * V[k - 2] * pr;
        w2i += (k - 1) * V[k - 2] * pi;
      }
      const double nr = pr * zr - pi * zi, ni = pr * zi + pi * zr;
      pr = nr;
      pi = ni;
    }
    a1r -= t1r;
    a1i -= t1i;
    a2r += t2r;
    a2i += t2i;
    a3r -= t3r / sc;
    a3i -= t3i / sc;
    if (what & RC_SPECSUM_B) {
      b1r -= v1r;
      b1i -= v1i;
      b0r -= u0r / sc;
      b0i -= u0i / sc;
      /* sum sig lambda / |lambda - w|^2 = (sc/|w|^2) sum_n V_{n+1} rho^n U_n(cos phi) */
      const double c = wr / aw;
      double un1 = 0, un = 1, rp = 1, acc = 0;
      for (int k = 0; k <= kmax; k++) {
        acc += V[k + 1] * rp * un;
        const double next = 2 * c * un - un1;
        un1 = un;
        un = next;
        rp *= rho;
      }
      sim += sc / w2 * acc;
    }
    b2r += v2r / sc;
    b2i += v2i / sc;
    c1r += c2r / sc;
    c1i += c2i / sc;
    d1r += w2r / (sc * sc);
    d1i += w2i / (sc * sc);
  }
  s->a1r = a1r;
  s->a1i = a1i;
  s->a2r = a2r;
  s->a2i = a2i;
  s->a3r = a3r;
  s->a3i = a3i;
  s->b0r = b0r;
  s->b0i = b0i;
  s->b1r = b1r;
  s->b1i = b1i;
  s->b2r = b2r;
  s->b2i = b2i;
  s->sim = sim;
  s->c1r = c1r;
  s->c1i = c1i;
  s->d1r = d1r;
  s->d1i = d1i;
  if (!(what & (RC_SPECSUM_A2 | RC_SPECSUM_A3)))
    s->a2r = s->a2i = 0;
  if (!(what & RC_SPECSUM_A3))
    s->a3r = s->a3i = 0;
  return RC_SUCCESS;
}

double rc_specsum_min_abs_w(const rc_specsum *s) {
  return s->scale[s->nlev - 1] / RATIO_MAX;
}

double rc_specsum_tail_scale(const rc_specsum *s) {
  return s->scale[s->nlev - 1];
}

double rc_specsum_tail_bound(const rc_specsum *s) {
  return s->tail_bound;
}

size_t rc_specsum_explicit_count(const rc_specsum *s) {
  size_t total = 0;
  for (size_t j = 0; j < s->n; j++)
    total += (size_t)s->cnt[j];
  return total;
}
