/* Counter-based Gaussian streams: Philox4x32-10 driving a ziggurat (src/core/normal.h). */
#include "core/normal.h"

#include <math.h>
#include <string.h>

#include <Random123/philox.h>

#if defined(__GNUC__) && defined(__x86_64__)
#define NORMAL_X86 1
#include <immintrin.h>
#else
#define NORMAL_X86 0
#endif

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

/* The words of group g: Philox of the counters 64 g + q (q < 64), the low halves into u[q], the
 * high halves into u[64 + q]. Three implementations, the same bits (test_normal checks them
 * against each other): the library's philox4x32 in a loop the compiler vectorises, and on x86-64
 * the same rounds (Random123's multipliers and key increments) with AVX2 or AVX-512
 * intrinsics, which keep each 32-bit word in a 64-bit lane so that a 32 x 32 -> 64-bit product
 * is one vpmuludq: the compiler's vectorisation of the library's code shuffles lanes around
 * every product and ran 3x slower here. */
static void philox_group_lib(const uint32_t key[2], uint64_t g, uint64_t *restrict u) {
  const uint64_t c0 = g * (RC_NORMAL_GROUP / 2);
#pragma omp simd
  for (size_t q = 0; q < RC_NORMAL_GROUP / 2; q++)
    philox_words(key, c0 + q, 0, &u[q], &u[RC_NORMAL_GROUP / 2 + q]);
}

#if NORMAL_X86
#define NORMAL_ROUNDS 10
/* The round keys: key + r (W0, W1) modulo 2^32. */
static void round_keys(const uint32_t key[2], uint64_t k0[NORMAL_ROUNDS],
                       uint64_t k1[NORMAL_ROUNDS]) {
  for (int r = 0; r < NORMAL_ROUNDS; r++) {
    k0[r] = (uint32_t)(key[0] + (uint32_t)r * PHILOX_W32_0);
    k1[r] = (uint32_t)(key[1] + (uint32_t)r * PHILOX_W32_1);
  }
}

__attribute__((target("avx2"))) static void philox_group_avx2(const uint32_t key[2], uint64_t g,
                                                              uint64_t *restrict u) {
  uint64_t k0[NORMAL_ROUNDS], k1[NORMAL_ROUNDS];
  round_keys(key, k0, k1);
  const __m256i m0 = _mm256_set1_epi64x(PHILOX_M4x32_0), m1 = _mm256_set1_epi64x(PHILOX_M4x32_1);
  const __m256i lo = _mm256_set1_epi64x(0xffffffffLL), lane = _mm256_set_epi64x(3, 2, 1, 0);
  const uint64_t c0 = g * (RC_NORMAL_GROUP / 2);
  for (size_t q = 0; q < RC_NORMAL_GROUP / 2; q += 4) {
    const __m256i c = _mm256_add_epi64(_mm256_set1_epi64x((long long)(c0 + q)), lane);
    __m256i x0 = _mm256_and_si256(c, lo), x1 = _mm256_srli_epi64(c, 32);
    __m256i x2 = _mm256_setzero_si256(), x3 = x2;
    for (int r = 0; r < NORMAL_ROUNDS; r++) {
      const __m256i p0 = _mm256_mul_epu32(x0, m0), p1 = _mm256_mul_epu32(x2, m1);
      x0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1),
                            _mm256_set1_epi64x((long long)k0[r]));
      x1 = _mm256_and_si256(p1, lo);
      x2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3),
                            _mm256_set1_epi64x((long long)k1[r]));
      x3 = _mm256_and_si256(p0, lo);
    }
    _mm256_storeu_si256((__m256i *)(u + q), _mm256_or_si256(x0, _mm256_slli_epi64(x1, 32)));
    _mm256_storeu_si256((__m256i *)(u + RC_NORMAL_GROUP / 2 + q),
                        _mm256_or_si256(x2, _mm256_slli_epi64(x3, 32)));
  }
}

__attribute__((target("avx512f"))) static void
philox_group_avx512(const uint32_t key[2], uint64_t g, uint64_t *restrict u) {
  uint64_t k0[NORMAL_ROUNDS], k1[NORMAL_ROUNDS];
  round_keys(key, k0, k1);
  const __m512i m0 = _mm512_set1_epi64(PHILOX_M4x32_0), m1 = _mm512_set1_epi64(PHILOX_M4x32_1);
  const __m512i lo = _mm512_set1_epi64(0xffffffffLL);
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  const uint64_t c0 = g * (RC_NORMAL_GROUP / 2);
  for (size_t q = 0; q < RC_NORMAL_GROUP / 2; q += 8) {
    const __m512i c = _mm512_add_epi64(_mm512_set1_epi64((long long)(c0 + q)), lane);
    __m512i x0 = _mm512_and_si512(c, lo), x1 = _mm512_srli_epi64(c, 32);
    __m512i x2 = _mm512_setzero_si512(), x3 = x2;
    for (int r = 0; r < NORMAL_ROUNDS; r++) {
      const __m512i p0 = _mm512_mul_epu32(x0, m0), p1 = _mm512_mul_epu32(x2, m1);
      x0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), x1),
                            _mm512_set1_epi64((long long)k0[r]));
      x1 = _mm512_and_si512(p1, lo);
      x2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), x3),
                            _mm512_set1_epi64((long long)k1[r]));
      x3 = _mm512_and_si512(p0, lo);
    }
    _mm512_storeu_si512(u + q, _mm512_or_si512(x0, _mm512_slli_epi64(x1, 32)));
    _mm512_storeu_si512(u + RC_NORMAL_GROUP / 2 + q,
                        _mm512_or_si512(x2, _mm512_slli_epi64(x3, 32)));
  }
}
#endif

/* The fastest implementation this machine runs. */
static void philox_group(const uint32_t key[2], uint64_t g, uint64_t *restrict u) {
#if NORMAL_X86
  if (__builtin_cpu_supports("avx512f")) {
    philox_group_avx512(key, g, u);
    return;
  }
  if (__builtin_cpu_supports("avx2")) {
    philox_group_avx2(key, g, u);
    return;
  }
#endif
  philox_group_lib(key, g, u);
}

/* The candidates of the words u[0 .. RC_NORMAL_GROUP - 1] into out and, in bit j mod 64 of
 * rej[j / 64], which ones fell outside their rectangle. */
NORMAL_CLONES static void group_candidates(const uint64_t *restrict u, double *restrict out,
                                           uint64_t rej[2]) {
  unsigned char flag[RC_NORMAL_GROUP];
#pragma omp simd
  for (size_t j = 0; j < RC_NORMAL_GROUP; j++) {
    out[j] = candidate(u[j]);
    flag[j] = (unsigned char)!inside(u[j]);
  }
  rej[0] = rej[1] = 0;
  for (size_t j = 0; j < RC_NORMAL_GROUP; j++)
    rej[j / 64] |= (uint64_t)flag[j] << (j % 64);
}

#if NORMAL_X86
/* The same with AVX-512 gathers from the tables (the compiler's vectorisation of the loop above
 * loads them one by one): the same integer operations, subtraction and product, so the same
 * bits. */
__attribute__((target("avx512f"))) static void
group_candidates_avx512(const uint64_t *restrict u, double *restrict out, uint64_t rej[2]) {
  const __m512i byte = _mm512_set1_epi64(255), one = _mm512_set1_epi64(1);
  const __m512i exponent = _mm512_set1_epi64(0x3ff0000000000000LL);
  const __m512d unit = _mm512_set1_pd(1.0);
  rej[0] = rej[1] = 0;
  for (size_t j = 0; j < RC_NORMAL_GROUP; j += 8) {
    const __m512i w = _mm512_loadu_si512(u + j);
    const __m512i layer = _mm512_and_si512(w, byte), m = _mm512_srli_epi64(w, 12);
    const __m512i k = _mm512_i64gather_epi64(layer, rc_normal_zig_k, 8);
    const __m512d x = _mm512_i64gather_pd(layer, rc_normal_zig_x, 8);
    const __m512d f = _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(m, exponent)), unit);
    const __m512i v = _mm512_castpd_si512(_mm512_mul_pd(f, x));
    const __m512i sign = _mm512_slli_epi64(_mm512_and_si512(_mm512_srli_epi64(w, 8), one), 63);
    _mm512_storeu_pd(out + j, _mm512_castsi512_pd(_mm512_or_si512(v, sign)));
    rej[j / 64] |= (uint64_t)_mm512_cmpge_epi64_mask(m, k) << (j % 64);
  }
}
#endif

/* The rejected draws of group g (bits of rej) finished in out. */
static void group_rejected(const uint32_t key[2], uint64_t g, const uint64_t *u,
                           const uint64_t rej[2], double *out) {
  for (size_t h = 0; h < 2; h++)
    for (uint64_t bits = rej[h]; bits; bits &= bits - 1) {
      const size_t j = 64 * h + (size_t)__builtin_ctzll(bits);
      out[j] = rejected(key, g * RC_NORMAL_GROUP + j, u[j]);
    }
}

/* The RC_NORMAL_GROUP draws of group g into out, by the fastest implementation. */
static void group_fill(const uint32_t key[2], uint64_t g, double *out) {
  uint64_t u[RC_NORMAL_GROUP], rej[2];
#if NORMAL_X86
  if (__builtin_cpu_supports("avx512f")) {
    philox_group_avx512(key, g, u);
    group_candidates_avx512(u, out, rej);
    group_rejected(key, g, u, rej, out);
    return;
  }
#endif
  philox_group(key, g, u);
  group_candidates(u, out, rej);
  group_rejected(key, g, u, rej, out);
}

int rc_normal_group_variant(const uint32_t key[2], uint64_t g, double *out, int variant) {
  uint64_t u[RC_NORMAL_GROUP], rej[2];
  if (variant == 0) {
    philox_group_lib(key, g, u);
    group_candidates(u, out, rej);
  }
#if NORMAL_X86
  else if (variant == 1 && __builtin_cpu_supports("avx2")) {
    philox_group_avx2(key, g, u);
    group_candidates(u, out, rej);
  } else if (variant == 2 && __builtin_cpu_supports("avx512f")) {
    philox_group_avx512(key, g, u);
    group_candidates_avx512(u, out, rej);
  }
#endif
  else
    return 0;
  group_rejected(key, g, u, rej, out);
  return 1;
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
