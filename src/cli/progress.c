/* A progress bar on stderr, shown only when stderr is a terminal: the bar, the percentage, the
 * time elapsed and an estimate of the time left (elapsed (1 - f) / f, once a little is done). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* "m:ss", or "h:mm:ss" from an hour on. */
static void duration(double seconds, char *buf, size_t n) {
  const long s = seconds < 0 ? 0 : (long)(seconds + 0.5);
  if (s >= 3600)
    snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

void cli_progress_init(cli_progress *p, const char *label) {
  p->enabled = isatty(fileno(stderr));
  p->last_permille = -1;
  p->label = label;
  p->start = now();
  p->last_draw = 0;
}

int cli_progress_update(void *context, double fraction) {
  cli_progress *p = context;
  if (!p || !p->enabled)
    return 0;
  int permille = (int)(fraction * 1000.0);
  if (permille < 0)
    permille = 0;
  if (permille > 1000)
    permille = 1000;
  const double t = now(), elapsed = t - p->start;
  /* Redraw when the bar moves, and at least every second for the clock. */
  if (permille == p->last_permille && t - p->last_draw < 1.0)
    return 0;
  p->last_permille = permille;
  p->last_draw = t;
  char bar[41];
  int filled = permille * 40 / 1000;
  for (int i = 0; i < 40; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[40] = '\0';
  char spent[32], left[32] = "?";
  duration(elapsed, spent, sizeof spent);
  /* An estimate only once it means something: 1% done or two seconds spent. */
  if (fraction > 0 && (fraction >= 0.01 || elapsed >= 2))
    duration(elapsed * (1 - fraction) / fraction, left, sizeof left);
  fprintf(stderr, "\r%s [%s] %5.1f%%  %s elapsed, about %s left\033[K", p->label, bar,
          permille / 10.0, spent, left);
  fflush(stderr);
  return 0;
}

void cli_progress_done(cli_progress *p) {
  if (p->enabled && p->last_permille >= 0) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
  }
}
