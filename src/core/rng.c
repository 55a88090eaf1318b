/* Generators and run seeds (src/core/rng.h, include/riskcalc/rng.h). */
#include "core/rng.h"

#include <stdlib.h>
#include <string.h>

#include "riskcalc/rng.h"

gsl_rng *rc_rng_alloc(rc_error *err) {
  const gsl_rng_type *type = gsl_rng_mt19937;
  gsl_rng *r = malloc(sizeof *r);
  void *state = r ? calloc(1, type->size) : NULL;
  if (!state) {
    free(r);
    rc_error_set(err, RC_ENOMEM, "out of memory for a random number generator");
    return NULL;
  }
  r->type = type;
  r->state = state;
  gsl_rng_set(r, gsl_rng_default_seed);
  return r;
}

gsl_rng *rc_rng_alloc_like(const gsl_rng *src, rc_error *err) {
  gsl_rng *r = malloc(sizeof *r);
  void *state = r ? malloc(src->type->size) : NULL;
  if (!state) {
    free(r);
    rc_error_set(err, RC_ENOMEM, "out of memory for a random number generator");
    return NULL;
  }
  r->type = src->type;
  r->state = state;
  memcpy(state, src->state, src->type->size);
  return r;
}

void rc_rng_free(gsl_rng *rng) {
  if (rng) {
    free(rng->state);
    free(rng);
  }
}

void rc_rng_copy(gsl_rng *dest, const gsl_rng *src) {
  /* same type by construction: gsl_rng_memcpy would raise through the handler otherwise */
  memcpy(dest->state, src->state, src->type->size);
}

static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* MurmurHash3's 32-bit finaliser: a bijection of 32-bit words. */
static uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}

uint32_t rc_mc_run_seed(uint64_t seed, uint64_t run) {
  return fmix32((uint32_t)splitmix64(seed) + (uint32_t)run);
}

const char *rc_mc_generator_name(rc_mc_generator generator) {
  switch (generator) {
  case RC_MC_GENERATOR_PHILOX:
    return "philox";
  case RC_MC_GENERATOR_MT19937:
    return "mt19937";
  }
  return "unknown";
}

int rc_mc_generator_parse(const char *text, rc_mc_generator *generator, rc_error *err) {
  if (text && strcmp(text, "philox") == 0)
    *generator = RC_MC_GENERATOR_PHILOX;
  else if (text && strcmp(text, "mt19937") == 0)
    *generator = RC_MC_GENERATOR_MT19937;
  else
    return rc_error_set(err, RC_EINVAL,
                        "unknown Monte Carlo generator '%s' (expected philox or mt19937)",
                        text ? text : "");
  return RC_SUCCESS;
}
