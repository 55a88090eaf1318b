/* Step-size schedules (include/riskcalc/schedule.h, docs/THEORY.md section 1). */
#include "riskcalc/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "riskcalc/io.h"

/* Nested warm-ups (warmup:W:warmup:...) deeper than this are refused. */
#define MAX_NESTING 4
/* A step below this fraction of the schedule's largest step does not train any more. */
#define STALL_FRACTION 1e-12

typedef enum { WSD_LINEAR, WSD_COSINE, WSD_SQRT } wsd_shape;

struct rc_schedule {
  rc_schedule_kind kind;
  double gamma;       /* base step (NaN for the absolute kinds file and stages) */
  uint64_t K;         /* step: stage length */
  double F;           /* step: factor per stage */
  double T0, P;       /* poly */
  double floor;       /* cosine, linear: final step as a fraction of gamma */
  int floor_given;    /* cosine, linear: the spec named a floor */
  double frac;        /* wsd: fraction of the horizon that decays */
  wsd_shape shape;    /* wsd */
  uint64_t W;         /* warmup: warm-up steps */
  rc_schedule *inner; /* warmup: the schedule after the warm-up */
  double *values;     /* file: absolute steps; stages: the step of each stage */
  uint64_t count;     /* file: number of steps; stages: number of stages */
  uint64_t *ends;     /* stages: cumulative end of each stage */
  char path[256];     /* file, stages: where they came from (for descriptions) */
  uint64_t T1;        /* twophase: length of phase one (0: floor(N/2)) */
  double approx_rtol; /* > 0: smooth parts replaced by constant stages (rc_schedule_approximate) */
};

static const char *const kinds_expected =
    "const, geometric, step:K:F, poly:T0:P, cosine[:FLOOR], linear[:FLOOR], wsd:FRAC[:SHAPE], "
    "warmup:W:SPEC, stages:FILE, file:PATH or twophase[:T1]";

/* ---------------------------------------------------------------- small helpers */

/* ceil(N / log2 N), 1 for N <= 1: the stage of the geometric schedule for horizon N. */
static uint64_t geometric_stage(uint64_t N) {
  if (N <= 1)
    return 1;
  double K = ceil((double)N / log2((double)N));
  return K < 1 ? 1 : (uint64_t)K;
}

/* twophase: the length of phase one for horizon N. */
static uint64_t twophase_T1(const rc_schedule *s, uint64_t N) {
  const uint64_t T1 = s->T1 ? s->T1 : N / 2;
  return T1 < N ? T1 : N;
}

/* wsd: the number of decay steps D = ceil(FRAC N) (at least 1, at most N). A product within
 * 1e-9 of a whole number is that number: 0.2 is not exactly 1/5 in binary, and ceil must not
 * turn 0.2 x 1000 into 201. */
static uint64_t wsd_decay(const rc_schedule *s, uint64_t N) {
  const double x = s->frac * (double)N, whole = nearbyint(x);
  double D = fabs(x - whole) <= 1e-9 * x ? whole : ceil(x);
  if (D < 1)
    D = 1;
  return D >= (double)N ? N : (uint64_t)D;
}

/* warmup: the warm-up steps within horizon N. */
static uint64_t warmup_W(const rc_schedule *s, uint64_t N) {
  return s->W < N ? s->W : N;
}

/* stages: the stage holding step t (the last one continues for ever). */
static size_t stage_index(const rc_schedule *s, uint64_t t) {
  size_t lo = 0, hi = (size_t)s->count - 1;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (s->ends[mid] > t)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

static int split3(const char *spec, char *a, char *b, size_t n) {
  /* "kind:A:B" -> A, B (each shorter than n). */
  const char *c1 = strchr(spec, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c1 || !c2 || strchr(c2 + 1, ':') || (size_t)(c2 - c1 - 1) >= n || strlen(c2 + 1) >= n)
    return -1;
  memcpy(a, c1 + 1, (size_t)(c2 - c1 - 1));
  a[c2 - c1 - 1] = '\0';
  strcpy(b, c2 + 1);
  return 0;
}

/* ---------------------------------------------------------------- parsing */

/* cosine[:FLOOR] and linear[:FLOOR]: FLOOR finite and >= 0. */
static int parse_floor(rc_schedule *s, const char *spec, size_t name_len, rc_error *err) {
  s->floor = 0.0;
  if (spec[name_len] == '\0')
    return RC_SUCCESS;
  if (spec[name_len] != ':' || rc_io_parse_double(spec + name_len + 1, &s->floor, NULL) ||
      !(s->floor >= 0))
    return rc_error_set(err, RC_EINVAL,
                        "schedule '%s': expected %.*s or %.*s:FLOOR with FLOOR >= 0 (the final "
                        "step as a fraction of gamma)",
                        spec, (int)name_len, spec, (int)name_len, spec);
  s->floor_given = 1;
  return RC_SUCCESS;
}

static int parse_wsd(rc_schedule *s, const char *spec, rc_error *err) {
  const char *rest = spec + 4, *colon = strchr(rest, ':');
  char frac[64];
  const size_t len = colon ? (size_t)(colon - rest) : strlen(rest);
  int bad = len == 0 || len >= sizeof frac;
  if (!bad) {
    memcpy(frac, rest, len);
    frac[len] = '\0';
    bad = rc_io_parse_double(frac, &s->frac, NULL) || !(s->frac > 0 && s->frac <= 1);
  }
  s->shape = WSD_LINEAR;
  if (!bad && colon) {
    if (strcmp(colon + 1, "linear") == 0)
      s->shape = WSD_LINEAR;
    else if (strcmp(colon + 1, "cosine") == 0)
      s->shape = WSD_COSINE;
    else if (strcmp(colon + 1, "sqrt") == 0)
      s->shape = WSD_SQRT;
    else
      bad = 1;
  }
  if (bad)
    return rc_error_set(err, RC_EINVAL,
                        "schedule '%s': expected wsd:FRAC[:SHAPE] with 0 < FRAC <= 1 and SHAPE "
                        "linear (default), cosine or sqrt",
                        spec);
  return RC_SUCCESS;
}

/* Fills the stages of s from count[k] steps at gamma[k], k < K (checked). */
static int fill_stages(rc_schedule *s, const double *count, size_t cstride, const double *gamma,
                       size_t gstride, size_t K, const char *what, rc_error *err) {
  if (K == 0)
    return rc_error_set(err, RC_EPARSE, "%s: no stages", what);
  s->values = malloc(K * sizeof *s->values);
  s->ends = malloc(K * sizeof *s->ends);
  if (!s->values || !s->ends)
    return rc_error_set(err, RC_ENOMEM, "out of memory for %zu stages", K);
  uint64_t end = 0;
  for (size_t k = 0; k < K; k++) {
    const double c = count[k * cstride], g = gamma[k * gstride];
    if (!(c >= 1 && c == floor(c) && c <= 9007199254740992.0) || !(g > 0 && isfinite(g)))
      return rc_error_set(err, RC_EINVAL,
                          "%s: stage %zu is '%.17g %.17g': expected a whole count >= 1 and a step "
                          "> 0",
                          what, k + 1, c, g);
    if ((double)end + c > 9007199254740992.0)
      return rc_error_set(err, RC_EINVAL, "%s: more than 2^53 steps in all", what);
    end += (uint64_t)c;
    s->ends[k] = end;
    s->values[k] = g;
  }
  s->count = K;
  return RC_SUCCESS;
}

rc_schedule *rc_schedule_stages_alloc(const uint64_t *count, const double *gamma, size_t K,
                                      rc_error *err) {
  rc_schedule *s = calloc(1, sizeof *s);
  double *c = K ? malloc(K * sizeof *c) : NULL;
  if (!s || (K && !c)) {
    free(s);
    free(c);
    rc_error_set(err, RC_ENOMEM, "out of memory for a schedule");
    return NULL;
  }
  s->kind = RC_SCHEDULE_STAGES;
  s->gamma = NAN;
  for (size_t k = 0; k < K; k++)
    c[k] = (double)count[k];
  const int status = count && gamma
                         ? fill_stages(s, c, 1, gamma, 1, K, "stages", err)
                         : rc_error_set(err, RC_EINVAL, "stage counts and steps are required");
  free(c);
  if (status) {
    rc_schedule_free(s);
    return NULL;
  }
  return s;
}

/* stages:FILE: lines "count gamma" (count a whole number >= 1, gamma finite and > 0). */
static int parse_stages(rc_schedule *s, const char *path, rc_error *err) {
  double *table = NULL;
  size_t rows = 0, cols = 0;
  snprintf(s->path, sizeof s->path, "%s", path);
  int status = rc_io_read_table(path, &table, &rows, &cols, err);
  if (status)
    return status;
  if (cols != 2) {
    free(table);
    return rc_error_set(err, RC_EPARSE,
                        "stages file '%s': expected two columns 'count gamma' per line, found %zu",
                        path, cols);
  }
  char what[300];
  snprintf(what, sizeof what, "stages file '%s'", path);
  status = fill_stages(s, table, 2, table + 1, 2, rows, what, err);
  free(table);
  return status;
}

static rc_schedule *parse_nested(const char *spec, double gamma, int depth, rc_error *err);

static int parse_warmup(rc_schedule *s, const char *spec, double gamma, int depth, rc_error *err) {
  const char *rest = spec + 7, *colon = strchr(rest, ':');
  char W[32];
  const size_t len = colon ? (size_t)(colon - rest) : 0;
  if (!colon || len == 0 || len >= sizeof W || colon[1] == '\0')
    return rc_error_set(err, RC_EINVAL,
                        "schedule '%s': expected warmup:W:SPEC with W >= 1 warm-up steps and "
                        "the schedule SPEC that follows",
                        spec);
  memcpy(W, rest, len);
  W[len] = '\0';
  if (rc_io_parse_uint(W, 1, UINT64_MAX >> 11, &s->W, NULL))
    return rc_error_set(err, RC_EINVAL,
                        "schedule '%s': the warm-up length W must be a whole "
                        "number >= 1",
                        spec);
  const char *inner = colon + 1;
  if (strncmp(inner, "file:", 5) == 0 || strncmp(inner, "stages:", 7) == 0)
    return rc_error_set(err, RC_EINVAL,
                        "schedule '%s': a warm-up ramps to the base step gamma, which %s "
                        "schedules do not have (their steps are absolute)",
                        spec, inner[0] == 'f' ? "file:" : "stages:");
  if (depth >= MAX_NESTING)
    return rc_error_set(err, RC_EINVAL, "schedule '%s': warm-ups nested too deeply", spec);
  s->inner = parse_nested(inner, gamma, depth + 1, err);
  return s->inner ? RC_SUCCESS : err ? err->status : RC_EINVAL;
}

static rc_schedule *parse_nested(const char *spec, double gamma, int depth, rc_error *err) {
  if (!spec || !*spec) {
    rc_error_set(err, RC_EINVAL, "empty schedule (expected %s)", kinds_expected);
    return NULL;
  }
  rc_schedule *s = calloc(1, sizeof *s);
  if (!s) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a schedule");
    return NULL;
  }
  s->gamma = gamma;
  const int absolute = strncmp(spec, "file:", 5) == 0 || strncmp(spec, "stages:", 7) == 0;
  if (!absolute && !(isfinite(gamma) && gamma > 0)) {
    rc_error_set(err, RC_EINVAL, "step size gamma must be finite and > 0 (got %g)", gamma);
    goto fail;
  }
  char a[128], b[128];
  int status = RC_SUCCESS;
  if (strcmp(spec, "const") == 0) {
    s->kind = RC_SCHEDULE_CONST;
  } else if (strcmp(spec, "geometric") == 0) {
    s->kind = RC_SCHEDULE_GEOMETRIC;
  } else if (strcmp(spec, "twophase") == 0) {
    s->kind = RC_SCHEDULE_TWOPHASE;
  } else if (strncmp(spec, "twophase:", 9) == 0) {
    s->kind = RC_SCHEDULE_TWOPHASE;
    if (rc_io_parse_uint(spec + 9, 1, UINT64_MAX >> 11, &s->T1, NULL))
      status = rc_error_set(err, RC_EINVAL,
                            "schedule '%s': expected twophase or twophase:T1 with integer T1 >= 1",
                            spec);
  } else if (strncmp(spec, "step:", 5) == 0) {
    s->kind = RC_SCHEDULE_STEP;
    if (split3(spec, a, b, sizeof a) || rc_io_parse_uint(a, 1, UINT64_MAX >> 11, &s->K, NULL) ||
        rc_io_parse_double(b, &s->F, NULL) || !(s->F > 0))
      status = rc_error_set(err, RC_EINVAL,
                            "schedule '%s': expected step:K:F with integer K >= 1 and F > 0", spec);
  } else if (strncmp(spec, "poly:", 5) == 0) {
    s->kind = RC_SCHEDULE_POLY;
    if (split3(spec, a, b, sizeof a) || rc_io_parse_double(a, &s->T0, NULL) ||
        rc_io_parse_double(b, &s->P, NULL) || !(s->T0 > 0) || !(s->P >= 0))
      status = rc_error_set(err, RC_EINVAL,
                            "schedule '%s': expected poly:T0:P with T0 > 0 and P >= 0", spec);
  } else if (strncmp(spec, "cosine", 6) == 0 && (spec[6] == '\0' || spec[6] == ':')) {
    s->kind = RC_SCHEDULE_COSINE;
    status = parse_floor(s, spec, 6, err);
  } else if (strncmp(spec, "linear", 6) == 0 && (spec[6] == '\0' || spec[6] == ':')) {
    s->kind = RC_SCHEDULE_LINEAR;
    status = parse_floor(s, spec, 6, err);
  } else if (strncmp(spec, "wsd:", 4) == 0) {
    s->kind = RC_SCHEDULE_WSD;
    status = parse_wsd(s, spec, err);
  } else if (strncmp(spec, "warmup:", 7) == 0) {
    s->kind = RC_SCHEDULE_WARMUP;
    status = parse_warmup(s, spec, gamma, depth, err);
  } else if (strncmp(spec, "stages:", 7) == 0) {
    s->kind = RC_SCHEDULE_STAGES;
    s->gamma = NAN;
    status = parse_stages(s, spec + 7, err);
  } else if (strncmp(spec, "file:", 5) == 0) {
    s->kind = RC_SCHEDULE_FILE;
    const char *path = spec + 5;
    snprintf(s->path, sizeof s->path, "%s", path);
    size_t count;
    status = rc_io_read_column(path, &s->values, &count, err);
    for (size_t t = 0; !status && t < count; t++)
      if (!(s->values[t] > 0))
        status = rc_error_set(err, RC_EINVAL, "schedule file '%s': step %zu is %g, must be > 0",
                              path, t + 1, s->values[t]);
    s->count = count;
    s->gamma = NAN;
  } else {
    status =
        rc_error_set(err, RC_EINVAL, "unknown schedule '%s' (expected %s)", spec, kinds_expected);
  }
  if (status)
    goto fail;
  return s;
fail:
  rc_schedule_free(s);
  return NULL;
}

rc_schedule *rc_schedule_parse(const char *spec, double gamma, rc_error *err) {
  return parse_nested(spec, gamma, 0, err);
}

void rc_schedule_free(rc_schedule *schedule) {
  if (schedule) {
    rc_schedule_free(schedule->inner);
    free(schedule->values);
    free(schedule->ends);
    free(schedule);
  }
}

rc_schedule *rc_schedule_copy(const rc_schedule *s, rc_error *err) {
  rc_schedule *c = calloc(1, sizeof *c);
  if (!c) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a schedule");
    return NULL;
  }
  *c = *s;
  c->inner = NULL;
  c->values = NULL;
  c->ends = NULL;
  const size_t n = (size_t)s->count;
  if (s->values && !(c->values = malloc(n * sizeof *c->values)))
    goto fail;
  if (s->ends && !(c->ends = malloc(n * sizeof *c->ends)))
    goto fail;
  if (s->values)
    memcpy(c->values, s->values, n * sizeof *c->values);
  if (s->ends)
    memcpy(c->ends, s->ends, n * sizeof *c->ends);
  if (s->inner && !(c->inner = rc_schedule_copy(s->inner, err)))
    goto fail;
  return c;
fail:
  rc_schedule_free(c);
  rc_error_set(err, RC_ENOMEM, "out of memory for a schedule");
  return NULL;
}

int rc_schedule_set_base(rc_schedule *s, double gamma, rc_error *err) {
  if (s->kind == RC_SCHEDULE_FILE || s->kind == RC_SCHEDULE_STAGES)
    return rc_error_set(err, RC_EINVAL,
                        "a %s schedule gives absolute steps: it has no base step to set",
                        s->kind == RC_SCHEDULE_FILE ? "file:" : "stages:");
  if (!(isfinite(gamma) && gamma > 0))
    return rc_error_set(err, RC_EINVAL, "step size gamma must be finite and > 0 (got %g)", gamma);
  for (rc_schedule *p = s; p; p = p->inner)
    p->gamma = gamma;
  return RC_SUCCESS;
}

rc_schedule_kind rc_schedule_get_kind(const rc_schedule *s) {
  return s->kind;
}

double rc_schedule_base(const rc_schedule *s) {
  return s->gamma;
}

int rc_schedule_horizon_dependent(const rc_schedule *s) {
  switch (s->kind) {
  case RC_SCHEDULE_GEOMETRIC:
  case RC_SCHEDULE_TWOPHASE:
  case RC_SCHEDULE_COSINE:
  case RC_SCHEDULE_LINEAR:
  case RC_SCHEDULE_WSD:
    return 1;
  case RC_SCHEDULE_WARMUP:
    return rc_schedule_horizon_dependent(s->inner);
  default:
    return 0;
  }
}

size_t rc_schedule_phase_count(const rc_schedule *s) {
  return s->kind == RC_SCHEDULE_TWOPHASE ? 2 : 1;
}

size_t rc_schedule_phase(const rc_schedule *s, uint64_t t, uint64_t N) {
  return s->kind == RC_SCHEDULE_TWOPHASE && t >= twophase_T1(s, N) ? 1 : 0;
}

uint64_t rc_schedule_phase_end(const rc_schedule *s, uint64_t t, uint64_t N) {
  if (s->kind == RC_SCHEDULE_TWOPHASE && t < twophase_T1(s, N))
    return twophase_T1(s, N);
  return N;
}

uint64_t rc_schedule_capacity(const rc_schedule *s) {
  if (s->kind == RC_SCHEDULE_FILE)
    return s->count;
  if (s->kind == RC_SCHEDULE_WARMUP) {
    const uint64_t inner = rc_schedule_capacity(s->inner);
    return inner == UINT64_MAX ? UINT64_MAX : inner + s->W;
  }
  return UINT64_MAX;
}

/* ---------------------------------------------------------------- exact steps */

static double exact_gamma(const rc_schedule *s, uint64_t t, uint64_t N) {
  switch (s->kind) {
  case RC_SCHEDULE_CONST:
    return s->gamma;
  case RC_SCHEDULE_GEOMETRIC:
    return ldexp(s->gamma, -(int)(t / geometric_stage(N)));
  case RC_SCHEDULE_STEP:
    return s->gamma * pow(s->F, (double)(t / s->K));
  case RC_SCHEDULE_POLY:
    return s->gamma * pow(1.0 + (double)t / s->T0, -s->P);
  case RC_SCHEDULE_FILE:
    return s->values[t];
  case RC_SCHEDULE_TWOPHASE: {
    const uint64_t T1 = twophase_T1(s, N);
    return t < T1 ? s->gamma : ldexp(s->gamma, -(int)((t - T1) / geometric_stage(N - T1)));
  }
  /* The decays are written without cancellation, so the last, smallest steps keep their
   * relative accuracy: (1 + cos(pi x))/2 = sin(pi (1 - x)/2)^2, 1 - x = (N - t)/N with N - t
   * exact, 1 - sqrt(x) = (1 - x)/(1 + sqrt(x)). */
  case RC_SCHEDULE_COSINE: {
    const double f = s->floor * s->gamma, c = sin(M_PI_2 * ((double)(N - t) / (double)N));
    return f + (s->gamma - f) * (c * c);
  }
  case RC_SCHEDULE_LINEAR: {
    const double f = s->floor * s->gamma;
    return s->gamma * ((double)(N - t) / (double)N) + f * ((double)t / (double)N);
  }
  case RC_SCHEDULE_WSD: {
    const uint64_t D = wsd_decay(s, N), t0 = N - D;
    if (t < t0)
      return s->gamma;
    const double x = (double)(t - t0) / (double)D, rest = (double)(D - (t - t0)) / (double)D;
    switch (s->shape) {
    case WSD_COSINE: {
      const double c = sin(M_PI_2 * rest);
      return s->gamma * (c * c);
    }
    case WSD_SQRT:
      return s->gamma * (rest / (1.0 + sqrt(x)));
    default:
      return s->gamma * rest;
    }
  }
  case RC_SCHEDULE_WARMUP: {
    const uint64_t W = warmup_W(s, N);
    if (t < W) /* (t + 1) / W first, so the last warm-up step is gamma exactly */
      return s->gamma * ((double)(t + 1) / (double)s->W);
    return exact_gamma(s->inner, t - W, N - W);
  }
  case RC_SCHEDULE_STAGES:
    return s->values[stage_index(s, t)];
  }
  return NAN;
}

/* The first step after t whose exact step differs from step t's (N if none). */
static uint64_t exact_stage_end(const rc_schedule *s, uint64_t t, uint64_t N) {
  uint64_t end = N;
  switch (s->kind) {
  case RC_SCHEDULE_CONST:
    break;
  case RC_SCHEDULE_GEOMETRIC: {
    const uint64_t K = geometric_stage(N);
    end = (t / K + 1) * K;
    break;
  }
  case RC_SCHEDULE_STEP:
    if (s->F != 1.0)
      end = (t / s->K + 1) * s->K;
    break;
  case RC_SCHEDULE_POLY:
    if (s->P != 0.0)
      end = t + 1;
    break;
  case RC_SCHEDULE_FILE:
    end = t + 1;
    while (end < N && s->values[end] == s->values[t])
      end++;
    break;
  case RC_SCHEDULE_TWOPHASE: {
    /* phase one and the first geometric stage share gamma: one stage */
    const uint64_t T1 = twophase_T1(s, N), K = T1 < N ? geometric_stage(N - T1) : 1;
    end = t < T1 + K ? T1 + K : T1 + ((t - T1) / K + 1) * K;
    break;
  }
  case RC_SCHEDULE_COSINE:
  case RC_SCHEDULE_LINEAR:
    if (s->floor != 1.0)
      end = t + 1;
    break;
  case RC_SCHEDULE_WSD: {
    /* the decay starts at gamma: step t0 still equals the stable steps */
    const uint64_t t0 = N - wsd_decay(s, N);
    end = t <= t0 ? t0 + 1 : t + 1;
    break;
  }
  case RC_SCHEDULE_WARMUP: {
    const uint64_t W = warmup_W(s, N);
    if (t + 1 < W || (t + 1 == W && W == N))
      end = t + 1;
    else if (t + 1 == W) /* the last warm-up step is gamma, like the first step after it */
      end =
          exact_gamma(s->inner, 0, N - W) == s->gamma ? W + exact_stage_end(s->inner, 0, N - W) : W;
    else
      end = W + exact_stage_end(s->inner, t - W, N - W);
    break;
  }
  case RC_SCHEDULE_STAGES: {
    size_t k = stage_index(s, t);
    while (k + 1 < s->count && s->values[k + 1] == s->values[k])
      k++;
    end = k + 1 < s->count ? s->ends[k] : N;
    break;
  }
  }
  return end < N ? end : N;
}

/* ------------------------------------------- piecewise-constant approximation */

/* The smooth kinds change their step every step; everything else is piecewise constant. */
static int smooth_kind(const rc_schedule *s) {
  switch (s->kind) {
  case RC_SCHEDULE_POLY:
  case RC_SCHEDULE_COSINE:
  case RC_SCHEDULE_LINEAR:
  case RC_SCHEDULE_WSD:
  case RC_SCHEDULE_WARMUP:
    return 1;
  default:
    return 0;
  }
}

/* The piece [*lo, *hi) around t on which the exact step is monotone and continuous (the
 * approximation's stages never cross its ends). */
static void monotone_piece(const rc_schedule *s, uint64_t t, uint64_t N, uint64_t *lo,
                           uint64_t *hi) {
  switch (s->kind) {
  case RC_SCHEDULE_POLY:
  case RC_SCHEDULE_COSINE:
  case RC_SCHEDULE_LINEAR:
    *lo = 0;
    *hi = N;
    return;
  case RC_SCHEDULE_WSD: {
    const uint64_t t0 = N - wsd_decay(s, N);
    *lo = t <= t0 ? 0 : t0 + 1;
    *hi = t <= t0 ? t0 + 1 : N;
    return;
  }
  case RC_SCHEDULE_WARMUP: {
    const uint64_t W = warmup_W(s, N);
    if (t < W) {
      *lo = 0;
      *hi = W;
      return;
    }
    uint64_t a, b;
    monotone_piece(s->inner, t - W, N - W, &a, &b);
    *lo = W + a;
    *hi = W + b;
    return;
  }
  default: /* piecewise constant: from t to the end of its stage (one level throughout) */
    *lo = t;
    *hi = exact_stage_end(s, t, N);
  }
}

/* The level of a step: steps within one level differ by less than the factor 1 + rtol. */
static double level_of(const rc_schedule *s, double g) {
  return floor(log(g / s->gamma) / log1p(s->approx_rtol));
}

/* The approximated stage [*a, *b) holding t: the run of steps of t's level within its monotone
 * piece, found by bisection (the level is monotone on the piece). */
static void approx_stage(const rc_schedule *s, uint64_t t, uint64_t N, uint64_t *a, uint64_t *b) {
  uint64_t lo, hi;
  monotone_piece(s, t, N, &lo, &hi);
  const double level = level_of(s, exact_gamma(s, t, N));
  /* first u in (t, hi] with another level (hi when none) */
  uint64_t l = t, h = hi;
  while (h - l > 1) {
    const uint64_t m = l + (h - l) / 2;
    if (level_of(s, exact_gamma(s, m, N)) == level)
      l = m;
    else
      h = m;
  }
  *b = h;
  /* first u in [lo, t] with t's level */
  l = lo;
  h = t;
  if (level_of(s, exact_gamma(s, lo, N)) == level) {
    *a = lo;
    return;
  }
  while (h - l > 1) {
    const uint64_t m = l + (h - l) / 2;
    if (level_of(s, exact_gamma(s, m, N)) == level)
      h = m;
    else
      l = m;
  }
  *a = h;
}

int rc_schedule_approximate(rc_schedule *s, double rtol, rc_error *err) {
  if (!(rtol > 0 && rtol < 1))
    return rc_error_set(err, RC_EINVAL, "approximation tolerance must be in (0, 1) (got %g)", rtol);
  if (s->kind == RC_SCHEDULE_FILE || s->kind == RC_SCHEDULE_STAGES)
    return rc_error_set(err, RC_EINVAL,
                        "a %s schedule is already piecewise constant: nothing to approximate",
                        s->kind == RC_SCHEDULE_FILE ? "file:" : "stages:");
  s->approx_rtol = rtol;
  return RC_SUCCESS;
}

double rc_schedule_approximation(const rc_schedule *s) {
  return s->approx_rtol;
}

/* ---------------------------------------------------------------- public queries */

double rc_schedule_gamma(const rc_schedule *s, uint64_t t, uint64_t N) {
  if (s->approx_rtol > 0 && smooth_kind(s)) {
    uint64_t a, b;
    approx_stage(s, t, N, &a, &b);
    return exact_gamma(s, a + (b - a - 1) / 2, N); /* the step at the stage's middle */
  }
  return exact_gamma(s, t, N);
}

uint64_t rc_schedule_stage_end(const rc_schedule *s, uint64_t t, uint64_t N) {
  if (s->approx_rtol > 0 && smooth_kind(s)) {
    uint64_t a, b;
    approx_stage(s, t, N, &a, &b);
    /* neighbouring stages may share a value (a piece's end at a level's middle): merge them */
    const double g = exact_gamma(s, a + (b - a - 1) / 2, N);
    while (b < N && rc_schedule_gamma(s, b, N) == g) {
      uint64_t a2;
      approx_stage(s, b, N, &a2, &b);
    }
    return b;
  }
  return exact_stage_end(s, t, N);
}

int rc_schedule_check_horizons(const rc_schedule *s, const uint64_t *Ns, size_t count,
                               uint64_t *N_max, rc_error *err) {
  if (!s || !Ns || count == 0)
    return rc_error_set(err, RC_EINVAL, "a schedule and a non-empty list of N are required");
  uint64_t largest = 0;
  for (size_t k = 0; k < count; k++) {
    if (Ns[k] == 0)
      return rc_error_set(err, RC_EINVAL, "N must be at least 1");
    if (Ns[k] > rc_schedule_capacity(s))
      return rc_error_set(err, RC_EINVAL,
                          "N = %llu needs %llu steps but the schedule file holds only %llu",
                          (unsigned long long)Ns[k], (unsigned long long)Ns[k],
                          (unsigned long long)rc_schedule_capacity(s));
    largest = Ns[k] > largest ? Ns[k] : largest;
  }
  if (N_max)
    *N_max = largest;
  return RC_SUCCESS;
}

double rc_schedule_max(const rc_schedule *s, uint64_t N) {
  if (N == 0)
    return 0;
  switch (s->kind) {
  case RC_SCHEDULE_STEP:
    return s->F <= 1.0 ? s->gamma : rc_schedule_gamma(s, N - 1, N);
  case RC_SCHEDULE_FILE: {
    double m = 0;
    for (uint64_t t = 0; t < N && t < s->count; t++)
      m = s->values[t] > m ? s->values[t] : m;
    return m;
  }
  case RC_SCHEDULE_STAGES: {
    double m = 0;
    for (size_t k = 0; k < s->count && (k == 0 || s->ends[k - 1] < N); k++)
      m = s->values[k] > m ? s->values[k] : m;
    return m;
  }
  case RC_SCHEDULE_COSINE:
  case RC_SCHEDULE_LINEAR:
    /* monotone from gamma (t = 0) towards the floor: a floor above 1 rises */
    return s->floor <= 1.0 ? rc_schedule_gamma(s, 0, N) : rc_schedule_gamma(s, N - 1, N);
  case RC_SCHEDULE_WARMUP: {
    const uint64_t W = warmup_W(s, N);
    const double ramp = rc_schedule_gamma(s, W - 1, N);
    if (W == N)
      return ramp;
    const double after = rc_schedule_max(s->inner, N - W);
    return ramp > after ? ramp : after;
  }
  default:
    /* const, geometric, twophase, wsd and poly with P >= 0 never exceed the base step (an
     * approximated stage takes a value the exact schedule has) */
    return s->gamma;
  }
}

uint64_t rc_schedule_stall(const rc_schedule *s, uint64_t N) {
  const double threshold = STALL_FRACTION * rc_schedule_max(s, N);
  /* Steps that keep decreasing: find the first step below the threshold by bisection over
   * the part where the schedule is non-increasing; the other kinds are scanned stage by stage
   * (a bounded number of stages: file and stages hold their steps in memory). */
  switch (s->kind) {
  case RC_SCHEDULE_CONST:
    return N;
  case RC_SCHEDULE_STEP:
    if (s->F >= 1.0)
      return N;
    /* fall through */
  case RC_SCHEDULE_GEOMETRIC:
  case RC_SCHEDULE_POLY:
  case RC_SCHEDULE_TWOPHASE:
  case RC_SCHEDULE_COSINE:
  case RC_SCHEDULE_LINEAR:
  case RC_SCHEDULE_WSD: {
    if ((s->kind == RC_SCHEDULE_COSINE || s->kind == RC_SCHEDULE_LINEAR) && s->floor > 1.0)
      return N;
    if (!(rc_schedule_gamma(s, N - 1, N) < threshold))
      return N;
    uint64_t lo = 0, hi = N - 1; /* step hi is below, step lo is not */
    if (rc_schedule_gamma(s, 0, N) < threshold)
      return 0;
    while (hi - lo > 1) {
      const uint64_t m = lo + (hi - lo) / 2;
      if (rc_schedule_gamma(s, m, N) < threshold)
        hi = m;
      else
        lo = m;
    }
    return hi;
  }
  case RC_SCHEDULE_WARMUP: {
    const uint64_t W = warmup_W(s, N);
    if (W == N)
      return N;
    const uint64_t inner = rc_schedule_stall(s->inner, N - W);
    return inner == N - W ? N : W + inner;
  }
  case RC_SCHEDULE_FILE: {
    /* the first step from which every later step is below the threshold */
    uint64_t from = N;
    while (from > 0 && s->values[from - 1] < threshold)
      from--;
    return from;
  }
  case RC_SCHEDULE_STAGES: {
    size_t k = stage_index(s, N - 1);
    uint64_t from = N;
    while (s->values[k] < threshold) {
      from = k > 0 ? s->ends[k - 1] : 0;
      if (k == 0)
        break;
      k--;
    }
    return from < N ? from : N;
  }
  }
  return N;
}

/* ---------------------------------------------------------------- descriptions */

/* Numbers as the shortest text that reads back exactly (rc_io_format_double). */
#define FMT(x, k) rc_io_format_double((x), num[k], sizeof num[k])

static void describe_exact(const rc_schedule *s, char *buf, size_t n) {
  static const char *const shapes[] = {"linear", "cosine", "sqrt"};
  char num[3][RC_IO_DOUBLE_CHARS];
  switch (s->kind) {
  case RC_SCHEDULE_CONST:
    snprintf(buf, n, "const gamma=%s", FMT(s->gamma, 0));
    break;
  case RC_SCHEDULE_GEOMETRIC:
    snprintf(buf, n, "geometric gamma=%s (halved every ceil(N/log2 N) steps)", FMT(s->gamma, 0));
    break;
  case RC_SCHEDULE_STEP:
    snprintf(buf, n, "step:%llu:%s gamma=%s", (unsigned long long)s->K, FMT(s->F, 0),
             FMT(s->gamma, 1));
    break;
  case RC_SCHEDULE_POLY:
    snprintf(buf, n, "poly:%s:%s gamma=%s", FMT(s->T0, 0), FMT(s->P, 1), FMT(s->gamma, 2));
    break;
  case RC_SCHEDULE_FILE:
    snprintf(buf, n, "file:%s (%llu absolute steps)", s->path, (unsigned long long)s->count);
    break;
  case RC_SCHEDULE_TWOPHASE:
    if (s->T1)
      snprintf(buf, n,
               "twophase:%llu gamma=%s (constant for T1 = %llu steps, then halved every "
               "ceil(L/log2 L) of the remaining L = N - T1 steps)",
               (unsigned long long)s->T1, FMT(s->gamma, 0), (unsigned long long)s->T1);
    else
      snprintf(buf, n,
               "twophase gamma=%s (constant for T1 = floor(N/2) steps, then halved every "
               "ceil(L/log2 L) of the remaining L = N - T1 steps)",
               FMT(s->gamma, 0));
    break;
  case RC_SCHEDULE_COSINE:
    snprintf(buf, n, "cosine:%s gamma=%s (f + (gamma - f)(1 + cos(pi t/N))/2, f = %s gamma)",
             FMT(s->floor, 0), FMT(s->gamma, 1), num[0]);
    break;
  case RC_SCHEDULE_LINEAR:
    snprintf(buf, n, "linear:%s gamma=%s (gamma + (f - gamma) t/N, f = %s gamma)", FMT(s->floor, 0),
             FMT(s->gamma, 1), num[0]);
    break;
  case RC_SCHEDULE_WSD:
    snprintf(buf, n,
             "wsd:%s:%s gamma=%s (constant, then a %s decay over the last ceil(%s N) steps)",
             FMT(s->frac, 0), shapes[s->shape], FMT(s->gamma, 1), shapes[s->shape], num[0]);
    break;
  case RC_SCHEDULE_WARMUP: {
    char inner[384];
    describe_exact(s->inner, inner, sizeof inner);
    snprintf(buf, n, "warmup:%llu (gamma (t+1)/%llu for t < %llu), then %s",
             (unsigned long long)s->W, (unsigned long long)s->W, (unsigned long long)s->W, inner);
    break;
  }
  case RC_SCHEDULE_STAGES:
    snprintf(buf, n, "stages%s%s (%llu stages of absolute steps, %llu steps; the last continues)",
             s->path[0] ? ":" : "", s->path, (unsigned long long)s->count,
             (unsigned long long)s->ends[s->count - 1]);
    break;
  }
}
#undef FMT

void rc_schedule_describe(const rc_schedule *s, char *buf, size_t n) {
  describe_exact(s, buf, n);
  if (s->approx_rtol > 0 && smooth_kind(s)) {
    const size_t used = strlen(buf);
    if (used + 1 < n)
      snprintf(buf + used, n - used,
               "; approximated by constant stages within which the exact step varies by less "
               "than a factor 1 + %.3g (the stage takes the step of its middle)",
               s->approx_rtol);
  }
}
