/* A grid of independent cells on OpenMP threads: progress, failure and cancellation (cli.h). */
#include <omp.h>

#include "cli.h"

int cli_grid_threads(size_t ncells) {
  int threads = omp_get_max_threads();
  if (threads < 1)
    threads = 1;
  if ((size_t)threads > ncells)
    threads = ncells ? (int)ncells : 1;
  return threads;
}

void cli_grid_init(cli_grid *g, cli_progress *bar, size_t ncells) {
  g->bar = bar;
  g->total = (double)ncells;
  g->done = 0.0;
  g->cancelled = 0;
  g->fail_min = ncells;
}

void cli_grid_tick_init(cli_grid_tick *t, cli_grid *g) {
  t->grid = g;
  t->last = 0.0;
  t->reporter = omp_get_thread_num() == 0;
}

int cli_grid_skip(cli_grid *g, size_t k) {
  size_t fail_min;
  int cancelled;
#pragma omp atomic read
  fail_min = g->fail_min;
#pragma omp atomic read
  cancelled = g->cancelled;
  return cancelled || k > fail_min;
}

void cli_grid_fail(cli_grid *g, size_t k) {
/* unnamed, as in the library's runner */
#pragma omp critical
  {
    if (k < g->fail_min)
      g->fail_min = k;
  }
}

int cli_grid_report(void *context, double fraction) {
  cli_grid_tick *t = context;
  cli_grid *g = t->grid;
  const double delta = fraction - t->last;
  t->last = fraction;
#pragma omp atomic
  g->done += delta;
  int cancelled;
#pragma omp atomic read
  cancelled = g->cancelled;
  if (cancelled)
    return 1;
  if (t->reporter && g->bar) {
    double done;
#pragma omp atomic read
    done = g->done;
    if (cli_progress_update(g->bar, done / g->total)) {
#pragma omp atomic write
      g->cancelled = 1;
      return 1;
    }
  }
  return 0;
}
