/* Counter-based Gaussian streams: Philox4x32-10 driving a ziggurat (src/core/normal.h). */
#include "core/normal.h"

#include <math.h>
#include <string.h>

#include <Random123/philox.h>

#include "core/normal_tables.h"

/* x86-64 builds carry AVX-512 and AVX2 clones of the vector pass, chosen at load time: its
 * arithmetic is integer except for one subtraction and one product per draw, both exact or
 * correctly rounded at any width (no contraction under -std=c11). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define NORMAL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NORMAL_CLONES
#endif

static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void rc_normal_init(rc_normal_stream *stream, uint64_t seed, uint64_t run) {
  const uint64_t k = splitmix64(splitmix64(seed) + run);
  stream->key[0] = (uint32_t)k;
  stream->key[1] = (uint32_t)(k >> 32);
  stream->next = 0;
}

#if defined(__GNUC__)
#define NORMAL_INLINE static inline __attribute__((always_inline))
#else
#define NORMAL_INLINE static inline
#endif

/* The two 64-bit words of Philox(counter = (c, word2), key). Inlined so the chunk's loop over
 * counters vectorises. */
NORMAL_INLINE void philox_words(const uint32_t key[2], uint64_t c, uint32_t word2, uint64_t *w0,
                                uint64_t *w1) {
  const philox4x32_ctr_t ctr = {{(uint32_t)c, (uint32_t)(c >> 32), word2, 0}};
  const philox4x32_key_t k = {{key[0], key[1]}};
  const philox4x32_ctr_t o = philox4x32(ctr, k);
  *w0 = (uint64_t)o.v[0] | (uint64_t)o.v[1] << 32;
  *w1 = (uint64_t)o.v[2] | (uint64_t)o.v[3] << 32;
}

static inline double bits_double(uint64_t b) {
  double x;
  memcpy(&x, &b, sizeof x);
  return x;
}

static inline uint64_t double_bits(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}

/* m / 2^52 for m < 2^52, exactly: 1 + m 2^-52 built from its bits, minus 1. */
static inline double unit52(uint64_t m) {
  return bits_double(0x3ff0000000000000ULL | m) - 1.0;
}

/* The word's candidate: layer u mod 256, sign bit 8, uniform from bits 12..63, times x_layer. */
static inline double candidate(uint64_t u) {
  const double x = unit52(u >> 12) * rc_normal_zig_x[u & 255];
  return bits_double(double_bits(x) | (u >> 8 & 1) << 63);
}

static inline int inside(uint64_t u) {
  return (int64_t)(u >> 12) < rc_normal_zig_k[u & 255];
}

/* (0, 1] from the top 53 bits. */
static inline double open_unit(uint64_t w) {
  return (double)((w >> 11) + 1) * 0x1p-53;
}

/* The draw whose first word u fell outside its layer's rectangle: the wedge test (or, in the
 * base layer, Marsaglia's tail method beyond r), with fresh words from the counters (p, a). */
static double rejected(const uint32_t key[2], uint64_t p, uint64_t u) {
  for (uint32_t a = 1;; a++) {
    uint64_t w0, w1;
    philox_words(key, p, a, &w0, &w1);
    const size_t i = u & 255;
    const double sign = (u >> 8 & 1) ? -1.0 : 1.0;
    if (i == 0) {
      const double t = -log(open_unit(w0)) / RC_NORMAL_ZIG_R, y = -log(open_unit(w1));
      if (y + y > t * t)
        return sign * (RC_NORMAL_ZIG_R + t);
      continue; /* the tail again */
    }
    const double x = unit52(u >> 12) * rc_normal_zig_x[i];
    const double f0 = rc_normal_zig_f[i], f1 = rc_normal_zig_f[i + 1];
    if (f0 + unit52(w0 >> 12) * (f1 - f0) < exp(-0.5 * x * x))
      return sign * x;
    u = w1; /* a new draw */
    if (inside(u))
      return candidate(u);
  }
}

/* Group g: the words of the counters 64 g + q (q < 64) into u[q] (first half) and u[64 + q]
 * (second half), their candidates into out and, in rej, which ones fell outside. */
NORMAL_CLONES static void group_candidates(const uint32_t key[2], uint64_t g, uint64_t *restrict u,
                                           unsigned char *restrict rej, double *restrict out) {
  const uint64_t c0 = g * (RC_NORMAL_GROUP / 2);
#pragma omp simd
  for (size_t q = 0; q < RC_NORMAL_GROUP / 2; q++)
    philox_words(key, c0 + q, 0, &u[q], &u[RC_NORMAL_GROUP / 2 + q]);
#pragma omp simd
  for (size_t j = 0; j < RC_NORMAL_GROUP; j++) {
    out[j] = candidate(u[j]);
    rej[j] = (unsigned char)!inside(u[j]);
  }
}

/* The RC_NORMAL_GROUP draws of group g into out. */
static void group_fill(const uint32_t key[2], uint64_t g, double *out) {
  uint64_t u[RC_NORMAL_GROUP];
  unsigned char rej[RC_NORMAL_GROUP];
  group_candidates(key, g, u, rej, out);
  /* about 1% are rejected: skip eight flags at a time */
  for (size_t j0 = 0; j0 < RC_NORMAL_GROUP; j0 += 8) {
    uint64_t any;
    memcpy(&any, rej + j0, sizeof any);
    if (any)
      for (size_t j = j0; j < j0 + 8; j++)
        if (rej[j])
          out[j] = rejected(key, g * RC_NORMAL_GROUP + j, u[j]);
  }
}

void rc_normal_fill(rc_normal_stream *stream, size_t n, double *out) {
  uint64_t p = stream->next;
  size_t done = 0;
  while (done < n) {
    const size_t j = (size_t)(p % RC_NORMAL_GROUP);
    if (j == 0 && n - done >= RC_NORMAL_GROUP) {
      /* whole groups straight into out */
      group_fill(stream->key, p / RC_NORMAL_GROUP, out + done);
      p += RC_NORMAL_GROUP;
      done += RC_NORMAL_GROUP;
      continue;
    }
    if (j == 0)
      group_fill(stream->key, p / RC_NORMAL_GROUP, stream->buf);
    const size_t len = n - done < RC_NORMAL_GROUP - j ? n - done : RC_NORMAL_GROUP - j;
    memcpy(out + done, stream->buf + j, len * sizeof(double));
    p += len;
    done += len;
  }
  stream->next = p;
}
