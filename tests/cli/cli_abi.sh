#!/bin/sh
# tests/cli/cli_abi.sh -- the shared library exports exactly the public API: the functions
# defined in libriskcalc.so's dynamic symbol table (nm -D --defined-only) are the rc_ functions
# declared in include/riskcalc/*.h, both ways (a private function leaking, or a public one
# missing its RC_API, fails); and the library carries its soname and versioned file name.
. "$(dirname "$0")/lib_cli.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$(dirname "$R")" && pwd)
cli_begin cli_abi
so=$build/libriskcalc.so
major=$(sed -n 's/^#define RC_VERSION_MAJOR \([0-9]*\)$/\1/p' "$ROOT/include/riskcalc/version.h")
version=$(sed -n 's/^#define RC_VERSION_STRING "\(.*\)"$/\1/p' "$ROOT/include/riskcalc/version.h")

check "libriskcalc.so.$version is a file" test -f "$build/libriskcalc.so.$version" -a ! -h "$build/libriskcalc.so.$version"
check "libriskcalc.so -> libriskcalc.so.$major -> libriskcalc.so.$version" \
  test "$(readlink "$so")" = "libriskcalc.so.$major" -a "$(readlink "$build/libriskcalc.so.$major")" = "libriskcalc.so.$version"
check "soname is libriskcalc.so.$major" sh -c "readelf -d '$so' | grep -q 'SONAME.*\\[libriskcalc.so.$major\\]'"

# Every rc_ identifier followed by '(' in the preprocessed public headers is a function
# declaration (macros are expanded, comments gone; typedefs of function pointers read
# "(*rc_name)(").
cc -E -P -Iinclude $(pkg-config --cflags gsl 2>/dev/null) "$ROOT/include/riskcalc/riskcalc.h" -I"$ROOT/include" >headers.i
python3 - headers.i >declared.txt <<'PY'
import re, sys
text = open(sys.argv[1]).read()
print("\n".join(sorted(set(re.findall(r"\b(rc_\w+)\s*\(", text)))))
PY
nm -D --defined-only "$so" | awk '$2 ~ /^[TtWiDdBbRrVv]$/ {print $3}' | sed 's/@.*//' | sort -u >exported.txt
grep -v '^rc_' exported.txt | grep -v -E '^(_init|_fini)$' >other.txt
check "the headers declare functions ($(wc -l <declared.txt))" test "$(wc -l <declared.txt)" -gt 100
missing=$(comm -23 declared.txt exported.txt | tr '\n' ' ')
extra=$(grep '^rc_' exported.txt | comm -13 declared.txt - | tr '\n' ' ')
if [ -z "$missing" ]; then ok "every declared rc_ function is exported"; else fail "every declared rc_ function is exported" "not exported: $missing"; fi
if [ -z "$extra" ]; then ok "no undeclared rc_ symbol is exported"; else fail "no undeclared rc_ symbol is exported" "exported but private: $extra"; fi
if [ ! -s other.txt ]; then ok "no other symbol is exported"; else fail "no other symbol is exported" "$(tr '\n' ' ' <other.txt)"; fi
# the private functions exist in the static library (tests link them) but stay hidden
priv=$(nm --defined-only "$build/libriskcalc.a" 2>/dev/null | awk '$2 == "T" {print $3}' | grep '^rc_' | sort -u | comm -23 - declared.txt | head -n 1)
check "private rc_ functions (e.g. ${priv:-none}) are in the static library, not exported" \
  sh -c "test -n '$priv' && ! grep -qx '$priv' exported.txt"
echo "cli_abi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
