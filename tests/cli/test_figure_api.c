/* The parts of the figure API (src/cli/emit.h) that the linear tool does not use but the
 * other models' figures do: a linear colour scale with a curve over the heat map (the quadratic
 * model's phase map), an abscissa holding 0 drawn linear, a marked optimum, a reference line and
 * a quantity's own colour (a ridge sweep over lambda), the noise floor of a named quantity.
 * Each figure is drawn by gnuplot in a temporary directory and its script read back. Needs
 * gnuplot (skipped without it). Linked with the tool's objects (all but main.o). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "rc_test.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  char *text = calloc(1, 1 << 16);
  if (text)
    fread(text, 1, (1 << 16) - 1, f);
  fclose(f);
  return text;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Draws t with fig into name (.png), its script returned (malloc'd) or NULL. */
static char *draw(const char *name, const cli_table *t, const cli_figure *fig) {
  cli_outputs o;
  memset(&o, 0, sizeof o);
  o.output = "/dev/null";
  o.plot = name;
  o.style.ymin = o.style.ymax = NAN;
  cli_meta meta;
  memset(&meta, 0, sizeof meta);
  char *script = NULL;
  if (cli_outputs_check(&o) == 0 && cli_figure_check(&o, fig) == 0 &&
      cli_emit(&o, &meta, t, fig, NULL) == 0) {
    char gp[256];
    snprintf(gp, sizeof gp, "%.*s.gp", (int)(strlen(name) - 4), name);
    script = file_size(name) > 0 ? slurp(gp) : NULL;
  }
  cli_outputs_free(&o);
  return script;
}

static void test_phase_map(void) {
  static const char *const cols[] = {"t", "i", "theta", "front"};
  double data[6 * 5 * 4];
  size_t r = 0;
  for (int i = 1; i <= 5; i++)
    for (int k = 0; k < 6; k++, r++) {
      const double t = pow(10, k);
      double *row = data + 4 * r;
      row[0] = t;
      row[1] = i;
      row[2] = 1 - exp(-t / pow(10, i));
      row[3] = 1 + log10(t + 1);
    }
  const cli_table t = {cols, 4, NULL, data, r};
  cli_figure fig;
  cli_figure_init(&fig, CLI_FIGURE_RESULT, "two phases", "theta");
  cli_figure_axis(&fig, 0, "t", "t (SGD steps)", 1, 6);
  cli_figure_axis(&fig, 1, "i", "coordinate i", 2, 5);
  cli_figure_quantity(&fig, "theta", "E theta_i(t) / w*_i", 3, 0);
  fig.linear_z = 1;
  cli_figure_overlay(&fig, 4, "activation front D(t)");
  char *gp = draw("phases.png", &t, &fig);
  CHECK(gp != NULL);
  if (!gp)
    return;
  CHECK(strstr(gp, "unset logscale cb\nset cbrange [0:1]") != NULL);
  CHECK(strstr(gp, "with boxxyerror") != NULL);
  /* on the log axis of the coordinates a count of 0 is left out (NaN) */
  CHECK(strstr(gp, "datafile using 1:($4 > 0 ? $4 : NaN) every :::0::0 with lines lw 3") != NULL);
  CHECK(strstr(gp, "title 'activation front D(t)'") != NULL);
  CHECK(strstr(gp, "\"-0\"") == NULL);
  free(gp);
}

static void test_lambda_sweep(void) {
  static const char *const cols[] = {"lambda", "test", "bias"};
  const double lambda[] = {0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1};
  double data[8 * 3];
  for (int k = 0; k < 8; k++) {
    data[3 * k] = lambda[k];
    data[3 * k + 1] = 0.5 + (lambda[k] - 0.1) * (lambda[k] - 0.1);
    data[3 * k + 2] = 0.1 + lambda[k];
  }
  const cli_table t = {cols, 3, NULL, data, 8};
  cli_figure fig;
  cli_figure_init(&fig, CLI_FIGURE_RESULT, "ridge against lambda", "error");
  cli_figure_axis(&fig, 0, "lambda", "lambda (ridge)", 1, 8);
  cli_quantity *q = cli_figure_quantity(&fig, "test", "test", 2, 0);
  q->colour = "#9400D3";
  cli_figure_quantity(&fig, "bias", "bias", 3, 0);
  cli_figure_hline(&fig, 0.3, "a reference");
  cli_figure_mark(&fig, 0.1, 0.5, "optimal lambda");
  fig.noise = 0.25;
  fig.noise_of = "test";
  char *gp = draw("sweep.png", &t, &fig);
  CHECK(gp != NULL);
  if (!gp)
    return;
  CHECK(strstr(gp, "set logscale x") == NULL);          /* lambda = 0: a linear abscissa */
  CHECK(strstr(gp, "set xrange [-0.03:1.03]") != NULL); /* 3% margins */
  CHECK(strstr(gp, "lc rgb '#9400D3' title 'test'") != NULL);
  CHECK(strstr(gp, "0.3 with lines lw 1.5 dt 4 lc rgb '#555555' title 'a reference'") != NULL);
  CHECK(strstr(gp, "set arrow from 0.1, graph 0 to 0.1, graph 1") != NULL);
  CHECK(strstr(gp, "'+' using (0.1):(0.5) every ::0::0 with points") != NULL);
  CHECK(strstr(gp, "title 'noise σ² = 0.25'") != NULL);
  free(gp);
  /* The noise belongs to "test": drawing bias alone leaves it out. */
  fig.default_y = "bias";
  gp = draw("bias.png", &t, &fig);
  CHECK(gp != NULL && strstr(gp, "noise") == NULL);
  free(gp);
}

int main(void) {
  TEST_MAIN_BEGIN();
  if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
    printf("ok   figure API # skipped: gnuplot is not installed\n");
    printf("test_figure_api: 0 passed, 0 failed\n");
    return 0;
  }
  char dir[] = "/tmp/rc_figure_api.XXXXXX";
  if (!mkdtemp(dir) || chdir(dir) != 0) {
    printf("cannot make a temporary directory\n");
    return 1;
  }
  cli_signals_install();
  RUN_TEST(test_phase_map);
  RUN_TEST(test_lambda_sweep);
  char rm[64];
  snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
  if (chdir("/") != 0 || system(rm) != 0)
    printf("    could not remove %s\n", dir);
  TEST_MAIN_END("test_figure_api");
}
