/* src/core/normal.h -- counter-based Gaussian streams for the Monte Carlo (internal).
 *
 * Draw p of the stream of (seed, run) is a function of (seed, run, p) alone: Random123's
 * Philox4x32-10 (librandom123-dev) keyed by splitmix64(splitmix64(seed) + run) -- a bijection
 * of run for each seed, so the runs of one seed never share a key -- encrypts the counter
 * (64 g + q, 0) with g = p / 128, q = p mod 64, and its 64-bit half (p mod 128) / 64 (the halves
 * of a group of 128 draws come out as two contiguous vectors) drives a 256-layer ziggurat (tables
 * from the exact formulas, scripts/ziggurat_tables.py): 8 bits pick the layer, 1 bit the sign, 52
 * bits the uniform. The 1% of draws that land outside a layer's inner rectangle finish with the
 * ziggurat's exact wedge and tail tests on further words of their own, Philox of the counter
 * (p, attempt), attempt = 1, 2, ...
 *
 * Hence: a run is reproducible alone and independent of threads; fills of any sizes and splits
 * give the same sequence; the common path is integer arithmetic, one exact subtraction and one
 * product per draw, vectorised (AVX-512 or AVX2 intrinsics on x86-64, else the library's code
 * as the compiler vectorises it: the same bits, tested), so the bits are the same at every
 * vector width and optimisation level (the wedge and tail use the scalar exp and log of the C
 * library). Distribution: exact up to the rounding
 * of the tables and the 52-bit uniforms. */
#ifndef RISKCALC_CORE_NORMAL_H
#define RISKCALC_CORE_NORMAL_H

#include <stddef.h>
#include <stdint.h>

/* Draws generated together (a group); fills that do not cover whole groups go through the
 * stream's copy of the current group. */
#define RC_NORMAL_GROUP 128

/* A stream: plain data, copied with = (the copy continues identically). */
typedef struct {
  uint32_t key[2];             /* Philox key of (seed, run) */
  uint64_t next;               /* index of the next draw */
  double buf[RC_NORMAL_GROUP]; /* the group of draw `next` when next is not a multiple of it */
} rc_normal_stream;

/* The stream of run `run` of seed `seed`, positioned at its first draw. Any values. */
void rc_normal_init(rc_normal_stream *stream, uint64_t seed, uint64_t run);

/* Writes the next n standard normal draws to out[0..n-1] and advances the stream by n (no
 * allocation; n = 0 does nothing). The stream has 2^64 draws; it wraps around after them. */
void rc_normal_fill(rc_normal_stream *stream, size_t n, double *out);

/* For tests: the draws 128 g .. 128 g + 127 of the stream with key `key` into out, by
 * implementation `variant`: 0 the library's philox4x32 and the compiler-vectorised ziggurat;
 * 1 Philox in AVX2 intrinsics and the same ziggurat; 2 both in AVX-512 intrinsics. Returns 0
 * (out untouched) when this machine or build lacks the variant, else 1. */
int rc_normal_group_variant(const uint32_t key[2], uint64_t g, double *out, int variant);

#endif
