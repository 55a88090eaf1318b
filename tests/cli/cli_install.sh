#!/bin/sh
# make install DESTDIR=... PREFIX=...: the tool, headers, static and shared libraries (with their
# soname links), pkg-config file and man page are staged under DESTDIR; a program built with
# `pkg-config --cflags --libs riskcalc` links the installed shared library and computes the same
# row as the tool; make uninstall removes every file again.
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
py_env=""
case "$build" in *asan*)
  extra="-fsanitize=address,undefined"
  # a sanitized library loaded into Python needs the sanitizer runtimes first (tests/run.sh)
  py_env="LD_PRELOAD=$(cc -print-file-name=libasan.so):$(cc -print-file-name=libubsan.so) ASAN_OPTIONS=detect_leaks=0"
  ;;
esac

# DESTDIR stages, PREFIX is where the files would live: riskcalc.pc names PREFIX, so the
# staged copy is used through a prefix that is DESTDIR + PREFIX (as a package build would).
version=$(sed -n 's/^#define RC_VERSION_STRING "\(.*\)"$/\1/p' include/riskcalc/version.h)
major=${version%%.*}
make --no-print-directory -s install DESTDIR="$tmp/stage" PREFIX="$tmp/prefix" BUILD="$build" >"$tmp/log" 2>&1
check $? "make install DESTDIR=... succeeds"
[ -f "$tmp/stage$tmp/prefix/bin/riskcalc" ] && [ -f "$tmp/stage$tmp/prefix/lib/python3/dist-packages/riskcalc/__init__.py" ] && [ ! -e "$tmp/prefix" ]
check $? "DESTDIR stages the files (nothing written under PREFIX itself)"
mv "$tmp/stage$tmp/prefix" "$tmp/prefix"
for f in bin/riskcalc lib/libriskcalc.a "lib/libriskcalc.so.$version" lib/pkgconfig/riskcalc.pc \
  include/riskcalc/riskcalc.h include/riskcalc/api.h include/riskcalc/sgd.h \
  include/riskcalc/error.h share/man/man1/riskcalc.1; do
  [ -f "$tmp/prefix/$f" ]
  check $? "installed $f"
done
[ "$(readlink "$tmp/prefix/lib/libriskcalc.so")" = "libriskcalc.so.$major" ] &&
  [ "$(readlink "$tmp/prefix/lib/libriskcalc.so.$major")" = "libriskcalc.so.$version" ]
check $? "installed libriskcalc.so -> libriskcalc.so.$major -> libriskcalc.so.$version"
man -l "$tmp/prefix/share/man/man1/riskcalc.1" 2>/dev/null | grep -q 'riskcalc linear'
check $? "installed man page renders"
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
readelf -d "$tmp/prog" 2>/dev/null | grep -q "NEEDED.*libriskcalc.so.$major"
check $? "the program is linked against the shared libriskcalc.so.$major"
# The tool may restart itself on other OpenBLAS kernels (docs/GUIDE.md section 10); the
# program and Python run the kernels the tool runs, so the same digits are expected.
core=$(OPENBLAS_VERBOSE=2 "$tmp/prefix/bin/riskcalc" --version 2>&1 >/dev/null | sed -n "s/^Core: //p" | tail -n 1)
[ -n "$core" ] && export OPENBLAS_CORETYPE="$core"
lib=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/prog")
tool=$("$tmp/prefix/bin/riskcalc" linear --a 1.5 --d 200 --M 16 --N 500 --seed 7 | awk '!/^#/ && $1 == 500 {print $7}')
[ -n "$lib" ] && [ "$lib" = "$tool" ]
check $? "library and tool give the same risk ($lib vs $tool)"
# The installed Python package finds the installed library (no RISKCALC_LIB, no build tree).
py=$(cd "$tmp" && env -u RISKCALC_LIB $py_env PYTHONPATH="$tmp/prefix/lib/python3/dist-packages" /usr/bin/python3 -c "
import riskcalc
r = riskcalc.linear(a=1.5, d=200, M=16, N=[500], seed=7)
print(riskcalc.library_path)
print('%.17g' % r['risk'][0])" 2>&1)
[ "$(echo "$py" | tail -n 1)" = "$lib" ] && [ "$(echo "$py" | head -n 1)" = "$tmp/prefix/lib/libriskcalc.so.$major" ]
check $? "the installed Python package uses the installed library, same risk ($(echo "$py" | tr '\n' ' '))"
static_flags=$(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --static --cflags --libs riskcalc)
cc -std=c11 $extra "$tmp/prog.c" -I"$tmp/prefix/include" "$tmp/prefix/lib/libriskcalc.a" \
  $(echo "$static_flags" | sed 's/-lriskcalc//') -o "$tmp/prog_static" 2>"$tmp/cc.log" &&
  [ "$("$tmp/prog_static")" = "$lib" ]
check $? "pkg-config --static links the static library, same risk"
make --no-print-directory -s uninstall PREFIX="$tmp/prefix" BUILD="$build" >"$tmp/log" 2>&1
check $? "make uninstall succeeds"
left=$(find "$tmp/prefix" -type f -o -type l)
[ -z "$left" ]
check $? "make uninstall removes every installed file${left:+ (left: $left)}"
echo "cli_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
