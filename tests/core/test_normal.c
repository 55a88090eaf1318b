/* tests/core/test_normal.c -- the counter-based Gaussian streams (src/core/normal.h): the
 * documented definition of every draw (Philox4x32-10 of Random123 on the documented counters
 * and key, the ziggurat's inner rectangles) reproduced independently; fills of any sizes and
 * splits give the same sequence; copies continue identically; moments, tails (the tail path
 * beyond r), a binned chi-square (the wedges), Kolmogorov-Smirnov against gsl_cdf_ugaussian_P,
 * lag-1 correlation and the correlation between runs and seeds within k standard errors; the
 * edge keys (seed 0, run 0, run 2^64 - 1). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>
#include <gsl/gsl_cdf.h>

#include "core/normal.h"
#include "core/normal_tables.h"
#include "rc_test.h"

/* Standard errors allowed: the statistics below are near-normal, and about 20 of them are
 * checked, so 5 keeps the false-alarm rate of the file below 1e-5. */
#define K_SE 5.0

static uint64_t ref_splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Draw p's 64-bit word as docs/mc.md defines it: Philox4x32-10 keyed by
 * splitmix64(splitmix64(seed) + run) on the counter (64 g + q, 0, 0) with g = p / 128,
 * q = p mod 64; the low word pair for (p mod 128) < 64, the high pair otherwise. */
static uint64_t ref_word(uint64_t seed, uint64_t run, uint64_t p) {
  const uint64_t k = ref_splitmix64(ref_splitmix64(seed) + run);
  const uint64_t c = 64 * (p / 128) + p % 64;
  philox4x32_ctr_t ctr = {{(uint32_t)c, (uint32_t)(c >> 32), 0, 0}};
  philox4x32_key_t key = {{(uint32_t)k, (uint32_t)(k >> 32)}};
  philox4x32_ctr_t o = philox4x32(ctr, key);
  return p % 128 < 64 ? (uint64_t)o.v[0] | (uint64_t)o.v[1] << 32
                      : (uint64_t)o.v[2] | (uint64_t)o.v[3] << 32;
}

/* Every draw whose word lands inside its layer's rectangle (about 99%) equals
 * +-(m / 2^52) x_i bit for bit, computed here in plain scalar code (the library's vector
 * clone must round alike); the others are finite and beyond x_{i+1} in magnitude or in
 * another layer (checked by the distribution tests). */
static void test_definition(void) {
  enum { N = 20000 };
  static double z[N];
  const uint64_t seeds[] = {1, 0, 12345, UINT64_MAX}, runs[] = {0, 7, UINT64_MAX, 1u << 31};
  for (size_t c = 0; c < 4; c++) {
    rc_normal_stream s;
    rc_normal_init(&s, seeds[c], runs[c]);
    rc_normal_fill(&s, N, z);
    size_t inside = 0, same = 0;
    for (uint64_t p = 0; p < N; p++) {
      const uint64_t u = ref_word(seeds[c], runs[c], p);
      const uint64_t m = u >> 12, i = u & 255;
      if ((int64_t)m >= rc_normal_zig_k[i]) {
        CHECK(isfinite(z[p]));
        continue;
      }
      inside++;
      double x = ldexp((double)m, -52) * rc_normal_zig_x[i];
      if (u >> 8 & 1)
        x = -x;
      same += memcmp(&x, &z[p], sizeof x) == 0;
    }
    CHECK(same == inside);
    CHECK(inside > 0.98 * N && inside < N);
  }
}

/* Fills of sizes 1..300 in an irregular pattern, a fill of all, and a copy taken midway give
 * the same bits; another run and another seed differ. */
static void test_splits_and_copies(void) {
  enum { N = 50000 };
  double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c);
  rc_normal_stream s, t;
  rc_normal_init(&s, 42, 3);
  rc_normal_fill(&s, N, a);
  CHECK(s.next == N);
  rc_normal_init(&s, 42, 3);
  rc_normal_fill(&s, 0, b);
  for (size_t k = 0, step = 0; k < N; step++) {
    size_t m = (step * 37 + 11) % 300 + 1;
    if (m > N - k)
      m = N - k;
    rc_normal_fill(&s, m, b + k);
    k += m;
    if (step == 100) {
      t = s; /* a copy continues identically */
      rc_normal_fill(&t, N - k, c + k);
      memcpy(c, b, k * sizeof *c);
    }
  }
  CHECK(memcmp(a, b, N * sizeof *a) == 0);
  CHECK(memcmp(a, c, N * sizeof *a) == 0);
  rc_normal_init(&s, 42, 4);
  rc_normal_fill(&s, 8, b);
  CHECK(memcmp(a, b, 8 * sizeof *a) != 0);
  rc_normal_init(&s, 43, 3);
  rc_normal_fill(&s, 8, b);
  CHECK(memcmp(a, b, 8 * sizeof *a) != 0);
  free(a);
  free(b);
  free(c);
}

/* The implementations (the library's Philox and the compiler's vectorisation; AVX2 and
 * AVX-512 intrinsics, where this machine has them) give the same bits for whole groups,
 * rejected draws included, at small and huge group indices. */
static void test_variants_agree(void) {
  const uint32_t keys[3][2] = {{0, 0}, {0x12345678u, 0x9abcdef0u}, {UINT32_MAX, UINT32_MAX}};
  double ref[RC_NORMAL_GROUP], got[RC_NORMAL_GROUP];
  int variants = 0;
  size_t groups = 0;
  for (int v = 1; v <= 2; v++) {
    int available = 0;
    for (size_t c = 0; c < 3; c++)
      for (uint64_t i = 0; i < 400; i++) {
        const uint64_t g = i < 200 ? i : (UINT64_MAX / 128) - (i - 200) * 7919;
        CHECK(rc_normal_group_variant(keys[c], g, ref, 0) == 1);
        if (!rc_normal_group_variant(keys[c], g, got, v))
          continue;
        available = 1;
        groups++;
        CHECK(memcmp(ref, got, sizeof ref) == 0);
      }
    variants += available;
  }
  printf("    %d vector variants on this machine, %zu groups compared\n", variants, groups);
}

static int cmp_double(const void *pa, const void *pb) {
  const double a = *(const double *)pa, b = *(const double *)pb;
  return a < b ? -1 : a > b;
}

/* |stat - want| <= K_SE se, printed. */
static void check_z(const char *what, double stat, double want, double se) {
  const double z = (stat - want) / se;
  printf("    %-28s %.6g (expected %.6g, z = %+.2f)\n", what, stat, want, z);
  CHECK(fabs(z) <= K_SE);
}

/* 1e7 draws of one stream: mean, variance, fourth moment, P(|z| > 3), P(|z| > r) (the tail
 * path only), P(|z| > 4), a chi-square over 256 equiprobable bins, lag-1 correlation; the
 * Kolmogorov-Smirnov statistic of the first 1e6 against gsl_cdf_ugaussian_P. */
static void test_distribution(void) {
  enum { N = 10000000, NKS = 1000000, BINS = 256 };
  double *z = malloc(N * sizeof *z);
  rc_normal_stream s;
  rc_normal_init(&s, 2026, 11);
  rc_normal_fill(&s, N, z);
  double edge[BINS - 1];
  for (size_t k = 0; k + 1 < BINS; k++)
    edge[k] = gsl_cdf_ugaussian_Pinv((double)(k + 1) / BINS);
  size_t counts[BINS] = {0}, t3 = 0, tr = 0, t4 = 0;
  double m1 = 0, m2 = 0, m4 = 0, lag = 0;
  for (size_t i = 0; i < N; i++) {
    const double x = z[i], a = fabs(x);
    m1 += x;
    m2 += x * x;
    m4 += x * x * x * x;
    if (i + 1 < N)
      lag += x * z[i + 1];
    t3 += a > 3;
    tr += a > RC_NORMAL_ZIG_R;
    t4 += a > 4;
    size_t lo = 0, hi = BINS - 1; /* the bin: first edge above x */
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (x < edge[mid])
        hi = mid;
      else
        lo = mid + 1;
    }
    counts[lo]++;
  }
  const double n = N;
  check_z("mean", m1 / n, 0, 1 / sqrt(n));
  check_z("variance", m2 / n, 1, sqrt(2 / n));
  check_z("fourth moment", m4 / n, 3, sqrt(96 / n));
  check_z("lag-1 correlation", lag / (n - 1), 0, 1 / sqrt(n - 1));
  const double tails[3] = {3, RC_NORMAL_ZIG_R, 4};
  const size_t hits[3] = {t3, tr, t4};
  const char *names[3] = {"P(|z| > 3)", "P(|z| > r) (tail path)", "P(|z| > 4)"};
  for (int k = 0; k < 3; k++) {
    const double q = 2 * gsl_cdf_ugaussian_Q(tails[k]);
    check_z(names[k], hits[k] / n, q, sqrt(q * (1 - q) / n));
  }
  double chi2 = 0;
  for (size_t k = 0; k < BINS; k++) {
    const double e = n / BINS;
    chi2 += (counts[k] - e) * (counts[k] - e) / e;
  }
  /* chi-square with 255 degrees of freedom: mean 255, sd sqrt(510) */
  check_z("chi-square, 256 bins", chi2, BINS - 1, sqrt(2.0 * (BINS - 1)));
  qsort(z, NKS, sizeof *z, cmp_double);
  double ks = 0;
  for (size_t i = 0; i < NKS; i++) {
    const double F = gsl_cdf_ugaussian_P(z[i]);
    ks = fmax(ks, fmax((double)(i + 1) / NKS - F, F - (double)i / NKS));
  }
  /* sqrt(n) D: P(> 1.95) = 1e-3 (Kolmogorov's distribution) */
  printf("    Kolmogorov-Smirnov sqrt(n) D = %.4f (1e-3 level 1.95)\n", sqrt((double)NKS) * ks);
  CHECK(sqrt((double)NKS) * ks < 1.95);
  free(z);
}

/* Sample correlations between streams of neighbouring runs, of neighbouring seeds and of the
 * edge keys are within K_SE / sqrt(n) of 0; edge keys give finite draws of unit variance. */
static void test_streams_uncorrelated(void) {
  enum { N = 1000000 };
  double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
  const uint64_t pairs[][4] = {{1, 0, 1, 1},          {1, 5, 2, 5},
                               {0, 0, 0, UINT64_MAX}, {UINT64_MAX, 0, 0, 0},
                               {0, 1, 1, 0},          {7, UINT64_MAX - 1, 7, UINT64_MAX}};
  for (size_t c = 0; c < sizeof pairs / sizeof pairs[0]; c++) {
    rc_normal_stream s;
    rc_normal_init(&s, pairs[c][0], pairs[c][1]);
    rc_normal_fill(&s, N, a);
    rc_normal_init(&s, pairs[c][2], pairs[c][3]);
    rc_normal_fill(&s, N, b);
    double ab = 0, bb = 0;
    int finite = 1;
    for (size_t i = 0; i < N; i++) {
      ab += a[i] * b[i];
      bb += b[i] * b[i];
      finite &= isfinite(b[i]) != 0;
    }
    CHECK(finite);
    char what[96];
    snprintf(what, sizeof what, "corr (%llu,%llu)-(%llu,%llu)", (unsigned long long)pairs[c][0],
             (unsigned long long)pairs[c][1], (unsigned long long)pairs[c][2],
             (unsigned long long)pairs[c][3]);
    check_z(what, ab / N, 0, 1 / sqrt((double)N));
    check_z("  its variance", bb / N, 1, sqrt(2.0 / N));
  }
  free(a);
  free(b);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_definition);
  RUN_TEST(test_splits_and_copies);
  RUN_TEST(test_variants_agree);
  RUN_TEST(test_distribution);
  RUN_TEST(test_streams_uncorrelated);
  TEST_MAIN_END("test_normal");
}
