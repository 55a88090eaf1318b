/* The tool's grids on OpenMP threads (src/cli/grid.c, linear_build_threads): the first failing
 * cell in cell order is the one reported whatever the threads' timing, every cell before it
 * runs, progress counts the whole grid; the set-ups of linear --method exact run at most as
 * many at once as fit in memory together. Linked with the tool's objects (all but main.o). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "linear_problem.h"
#include "rc_test.h"

#define CELLS 200

/* A grid of CELLS cells in which the cells listed in bad fail; ran[k] counts the runs of k.
 * Returns fail_min; done: the progress counted. Cells run last first, as the tool's do. */
static size_t run_grid(int threads, const size_t *bad, size_t nbad, int *ran, double *done) {
  cli_progress bar;
  memset(&bar, 0, sizeof bar); /* disabled: draws nothing */
  cli_grid g;
  cli_grid_init(&g, &bar, CELLS);
  memset(ran, 0, CELLS * sizeof *ran);
#pragma omp parallel num_threads(threads)
  {
    cli_grid_tick tick;
    cli_grid_tick_init(&tick, &g);
#pragma omp for schedule(dynamic, 1)
    for (size_t i = 0; i < CELLS; i++) {
      const size_t k = CELLS - 1 - i;
      if (cli_grid_skip(&g, k))
        continue;
      tick.last = 0;
      ran[k]++;
      cli_grid_report(&tick, 0.25);
      /* some work, so that threads interleave */
      volatile double x = 0;
      for (int j = 0; j < 20000 * (int)(k % 7 + 1); j++)
        x += 1.0 / (j + 1.0);
      int failed = 0;
      for (size_t b = 0; b < nbad; b++)
        failed |= bad[b] == k;
      if (failed)
        cli_grid_fail(&g, k);
      else
        cli_grid_report(&tick, 1.0);
    }
  }
  *done = g.done;
  CHECK(!g.cancelled);
  return g.fail_min;
}

static void test_first_failure(void) {
  static const size_t bad[] = {150, 61, 37, 199};
  int ran[CELLS];
  for (int threads = 1; threads <= 3; threads++)
    for (int rep = 0; rep < 5; rep++) {
      double done = 0;
      const size_t first = run_grid(threads, bad, 4, ran, &done);
      CHECK(first == 37);
      for (size_t k = 0; k <= 37; k++)
        CHECK(ran[k] == 1); /* every cell up to the first failure ran, once */
      for (size_t k = 38; k < CELLS; k++)
        CHECK(ran[k] <= 1);
    }
  double done = 0;
  CHECK(run_grid(3, NULL, 0, ran, &done) == CELLS);
  for (size_t k = 0; k < CELLS; k++)
    CHECK(ran[k] == 1);
  CHECK_ABS(done, (double)CELLS, 1e-9); /* each cell's fractions add up to one */
}

static void test_grid_threads(void) {
  CHECK(cli_grid_threads(0) == 1);
  CHECK(cli_grid_threads(1) == 1);
  CHECK(cli_grid_threads(1000) == (omp_get_max_threads() > 0 ? omp_get_max_threads() : 1));
}

/* The dimension at which a set-up of M x d with a stored sketch (p: LINEAR_SIMULATED) needs
 * about `fraction` of the memory (bisection on linear_setup_cost). */
static uint64_t d_for(const linear_problem *p, size_t M, double fraction) {
  const double physical = (double)rc_physical_memory();
  uint64_t lo = 1, hi = (uint64_t)1 << 40;
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    rc_cost c;
    rc_error err = {0, ""};
    if (linear_setup_cost(p, M, (size_t)mid, &c, &err) ||
        RC_COST_BYTES_MARGIN * c.bytes > fraction * physical)
      hi = mid;
    else
      lo = mid;
  }
  return lo;
}

static void test_build_threads(void) {
  if (rc_physical_memory() == 0) {
    printf("  (physical memory unknown: skipped)\n");
    return;
  }
  uint64_t Ms[3] = {512, 512, 512};
  linear_problem p;
  memset(&p, 0, sizeof p);
  p.Ms = Ms;
  p.nM = 3;
  p.use = LINEAR_SIMULATED; /* a stored sketch: its memory grows with d (the generated Gram
                             * path's hardly does) */
  CHECK(linear_build_threads(&p, 1000, 8) == 3); /* small: all at once, at most nM */
  CHECK(linear_build_threads(&p, 1000, 2) == 2);
  CHECK(linear_build_threads(&p, 1000, 1) == 1);
  CHECK(linear_build_threads(&p, d_for(&p, 512, 0.4), 3) == 2); /* two fit, three do not */
  CHECK(linear_build_threads(&p, d_for(&p, 512, 0.3), 3) == 3);
  CHECK(linear_build_threads(&p, d_for(&p, 512, 0.6), 3) == 1); /* one at a time */
  /* mixed sizes: the largest together bound it */
  Ms[0] = 16;
  const uint64_t d = d_for(&p, 512, 0.6);
  CHECK(linear_build_threads(&p, d, 3) == 1); /* the two 512 do not fit together */
  Ms[1] = 16;
  CHECK(linear_build_threads(&p, d, 3) == 3); /* 512 + 16 + 16: about 0.6 + 2 x 0.1 */
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_first_failure);
  RUN_TEST(test_grid_threads);
  RUN_TEST(test_build_threads);
  TEST_MAIN_END("test_cli_grid");
}
