#!/bin/sh
# make install PREFIX=...: the tool, headers, library and pkg-config file are installed, and a
# program built with `pkg-config --cflags --libs riskcalc` computes the same row as the tool.
set -u
build=$(dirname "${RISKCALC:-build/riskcalc}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
  if [ "$1" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi
}
extra=""
case "$build" in *asan*) extra="-fsanitize=address,undefined" ;; esac

make --no-print-directory -s install PREFIX="$tmp/prefix" BUILD="$build" >"$tmp/log" 2>&1
check $? "make install succeeds"
for f in bin/riskcalc lib/libriskcalc.a lib/pkgconfig/riskcalc.pc include/riskcalc/riskcalc.h \
  include/riskcalc/sgd.h include/riskcalc/error.h; do
  [ -f "$tmp/prefix/$f" ]
  check $? "installed $f"
done
"$tmp/prefix/bin/riskcalc" --version | grep -q '^riskcalc [0-9]'
check $? "installed tool runs"

cat >"$tmp/prog.c" <<'PROG'
#include <stdio.h>
#include <riskcalc/riskcalc.h>
int main(void) {
  rc_error err = {0, ""};
  rc_spectrum *H = rc_spectrum_power_alloc(200, 1.5, &err);
  rc_prior *P = rc_prior_isotropic_alloc(200, &err);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  rc_sketch *S = rc_sketch_gaussian_alloc(16, 200, rng, &err);
  rc_sgd_measure *m = rc_sgd_measure_from_sketch(H, P, S, &err);
  rc_schedule *sched = rc_schedule_parse("geometric", 0.1, &err);
  uint64_t N = 500;
  rc_risk row;
  rc_sgd_options opt = rc_sgd_options_default();
  if (!m || !sched || rc_sgd_risk_curve(m, sched, &N, 1, &opt, &row, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  printf("%.17g\n", row.risk);
  rc_schedule_free(sched); rc_sgd_measure_free(m); rc_sketch_free(S); gsl_rng_free(rng);
  rc_prior_free(P); rc_spectrum_free(H);
  return 0;
}
PROG
flags=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs riskcalc)
check $? "pkg-config knows riskcalc"
cc -std=c11 $extra "$tmp/prog.c" $flags -o "$tmp/prog" 2>"$tmp/cc.log"
check $? "a program compiles and links against the installed library"
lib=$("$tmp/prog")
tool=$("$tmp/prefix/bin/riskcalc" linear --a 1.5 --d 200 --M 16 --N 500 --seed 7 | awk '!/^#/ && $1 == 500 {print $7}')
[ -n "$lib" ] && [ "$lib" = "$tool" ]
check $? "library and tool give the same risk ($lib vs $tool)"
echo "cli_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
