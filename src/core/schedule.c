/* Step-size schedules (docs/THEORY.md section 1). */
#include "riskcalc/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskcalc/io.h"

struct rc_schedule {
  rc_schedule_kind kind;
  double gamma;   /* base step */
  uint64_t K;     /* step: stage length */
  double F;       /* step: factor per stage */
  double T0, P;   /* poly */
  double *values; /* file: absolute steps */
  uint64_t count; /* file: number of steps */
  char path[256]; /* file: where they came from (for descriptions) */
  uint64_t T1;    /* twophase: length of phase one (0: floor(N/2)) */
};

/* Stage length of the geometric schedule for horizon N: ceil(N / log2 N), 1 when N == 1. */
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

rc_schedule *rc_schedule_parse(const char *spec, double gamma, rc_error *err) {
  if (!spec || !*spec) {
    rc_error_set(err, RC_EINVAL,
                 "empty schedule (expected const, geometric, step:K:F, "
                 "poly:T0:P or file:PATH)");
    return NULL;
  }
  rc_schedule *s = calloc(1, sizeof *s);
  if (!s) {
    rc_error_set(err, RC_ENOMEM, "out of memory for a schedule");
    return NULL;
  }
  s->gamma = gamma;
  int is_file = strncmp(spec, "file:", 5) == 0;
  if (!is_file && !(isfinite(gamma) && gamma > 0)) {
    rc_error_set(err, RC_EINVAL, "step size gamma must be finite and > 0 (got %g)", gamma);
    goto fail;
  }
  char a[128], b[128];
  if (strcmp(spec, "const") == 0) {
    s->kind = RC_SCHEDULE_CONST;
  } else if (strcmp(spec, "geometric") == 0) {
    s->kind = RC_SCHEDULE_GEOMETRIC;
  } else if (strcmp(spec, "twophase") == 0) {
    s->kind = RC_SCHEDULE_TWOPHASE;
  } else if (strncmp(spec, "twophase:", 9) == 0) {
    s->kind = RC_SCHEDULE_TWOPHASE;
    if (rc_io_parse_uint(spec + 9, 1, UINT64_MAX >> 11, &s->T1, NULL)) {
      rc_error_set(err, RC_EINVAL,
                   "schedule '%s': expected twophase or twophase:T1 with integer "
                   "T1 >= 1",
                   spec);
      goto fail;
    }
  } else if (strncmp(spec, "step:", 5) == 0) {
    s->kind = RC_SCHEDULE_STEP;
    uint64_t K;
    if (split3(spec, a, b, sizeof a) || rc_io_parse_uint(a, 1, UINT64_MAX >> 11, &K, NULL) ||
        rc_io_parse_double(b, &s->F, NULL) || !(s->F > 0)) {
      rc_error_set(err, RC_EINVAL, "schedule '%s': expected step:K:F with integer K >= 1 and F > 0",
                   spec);
      goto fail;
    }
    s->K = K;
  } else if (strncmp(spec, "poly:", 5) == 0) {
    s->kind = RC_SCHEDULE_POLY;
    if (split3(spec, a, b, sizeof a) || rc_io_parse_double(a, &s->T0, NULL) ||
        rc_io_parse_double(b, &s->P, NULL) || !(s->T0 > 0) || !(s->P >= 0)) {
      rc_error_set(err, RC_EINVAL, "schedule '%s': expected poly:T0:P with T0 > 0 and P >= 0",
                   spec);
      goto fail;
    }
  } else if (is_file) {
    s->kind = RC_SCHEDULE_FILE;
    const char *path = spec + 5;
    snprintf(s->path, sizeof s->path, "%s", path);
    size_t count;
    if (rc_io_read_column(path, &s->values, &count, err))
      goto fail;
    for (size_t t = 0; t < count; t++)
      if (!(s->values[t] > 0)) {
        rc_error_set(err, RC_EINVAL, "schedule file '%s': step %zu is %g, must be > 0", path, t + 1,
                     s->values[t]);
        goto fail;
      }
    s->count = count;
    s->gamma = NAN;
  } else {
    rc_error_set(err, RC_EINVAL,
                 "unknown schedule '%s' (expected const, geometric, step:K:F, poly:T0:P, "
                 "file:PATH or twophase[:T1])",
                 spec);
    goto fail;
  }
  return s;
fail:
  rc_schedule_free(s);
  return NULL;
}

void rc_schedule_free(rc_schedule *schedule) {
  if (schedule) {
    free(schedule->values);
    free(schedule);
  }
}

rc_schedule_kind rc_schedule_get_kind(const rc_schedule *s) {
  return s->kind;
}

double rc_schedule_base(const rc_schedule *s) {
  return s->gamma;
}

int rc_schedule_horizon_dependent(const rc_schedule *s) {
  return s->kind == RC_SCHEDULE_GEOMETRIC || s->kind == RC_SCHEDULE_TWOPHASE;
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
  return s->kind == RC_SCHEDULE_FILE ? s->count : UINT64_MAX;
}

double rc_schedule_gamma(const rc_schedule *s, uint64_t t, uint64_t N) {
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
  }
  return NAN;
}

uint64_t rc_schedule_stage_end(const rc_schedule *s, uint64_t t, uint64_t N) {
  uint64_t end = N;
  switch (s->kind) {
  case RC_SCHEDULE_CONST:
    break;
  case RC_SCHEDULE_GEOMETRIC: {
    uint64_t K = geometric_stage(N);
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
  }
  return end < N ? end : N;
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
  default:
    return s->gamma; /* const, geometric, poly with P >= 0 never exceed the base step */
  }
}

void rc_schedule_describe(const rc_schedule *s, char *buf, size_t n) {
  switch (s->kind) {
  case RC_SCHEDULE_CONST:
    snprintf(buf, n, "const gamma=%.17g", s->gamma);
    break;
  case RC_SCHEDULE_GEOMETRIC:
    snprintf(buf, n, "geometric gamma=%.17g (halved every ceil(N/log2 N) steps)", s->gamma);
    break;
  case RC_SCHEDULE_STEP:
    snprintf(buf, n, "step:%llu:%.17g gamma=%.17g", (unsigned long long)s->K, s->F, s->gamma);
    break;
  case RC_SCHEDULE_POLY:
    snprintf(buf, n, "poly:%.17g:%.17g gamma=%.17g", s->T0, s->P, s->gamma);
    break;
  case RC_SCHEDULE_FILE:
    snprintf(buf, n, "file:%s (%llu absolute steps)", s->path, (unsigned long long)s->count);
    break;
  case RC_SCHEDULE_TWOPHASE:
    if (s->T1)
      snprintf(buf, n,
               "twophase:%llu gamma=%.17g (constant for T1 = %llu steps, then halved every "
               "ceil(L/log2 L) of the remaining L = N - T1 steps)",
               (unsigned long long)s->T1, s->gamma, (unsigned long long)s->T1);
    else
      snprintf(buf, n,
               "twophase gamma=%.17g (constant for T1 = floor(N/2) steps, then halved every "
               "ceil(L/log2 L) of the remaining L = N - T1 steps)",
               s->gamma);
    break;
  }
}
