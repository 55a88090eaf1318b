/* A progress bar on stderr, shown only when stderr is a terminal. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

void cli_progress_init(cli_progress *p, const char *label) {
  p->enabled = isatty(fileno(stderr));
  p->last_permille = -1;
  p->label = label;
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
  if (permille == p->last_permille)
    return 0;
  p->last_permille = permille;
  char bar[41];
  int filled = permille * 40 / 1000;
  for (int i = 0; i < 40; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[40] = '\0';
  fprintf(stderr, "\r%s [%s] %5.1f%%", p->label, bar, permille / 10.0);
  fflush(stderr);
  return 0;
}

void cli_progress_done(cli_progress *p) {
  if (p->enabled && p->last_permille >= 0) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
  }
}
