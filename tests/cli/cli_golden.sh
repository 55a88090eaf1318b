#!/bin/sh
# tests/cli/cli_golden.sh -- byte-for-byte regression of the command-line contract.
# Runs every case of tests/golden/cases.txt in a fresh directory (./riskcalc, data/, fixtures/)
# and compares exit status, stdout, stderr and the files written (figures by existence only)
# with tests/golden/expected/<name>.out. A change of output is a change of contract: update the
# expected files deliberately (sh tests/cli/cli_golden.sh --update) and say why in the commit.
# Prints one ok/FAIL line per case and "golden: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
SRC=$(cd "$(dirname "$0")" && pwd)/golden
DATA=$PWD/data
update=0
[ "${1:-}" = "--update" ] && update=1
cli_begin golden

# describe DIR: the run's record (exit status, streams, files in name order).
describe() {
  printf '== exit: %s\n== stdout\n' "$(cat "$1/.rc")"
  cat "$1/.out"
  printf '== stderr\n'
  cat "$1/.err"
  for f in $(cd "$1" && ls | grep -v -e '^riskcalc$' -e '^data$' -e '^fixtures$' | sort); do
    case $f in
    *.png | *.svg) [ -s "$1/$f" ] && printf '== figure: %s (non-empty)\n' "$f" ||
      printf '== figure: %s (EMPTY)\n' "$f" ;;
    *) printf '== file: %s\n' "$f"; cat "$1/$f" ;;
    esac
  done
}

tab=$(printf '\t')
while IFS= read -r line; do
  case $line in '#'* | '') continue ;; esac
  name=${line%%"$tab"*}
  args=${line#*"$tab"}
  [ "$args" = "$line" ] && args=
  dir=$T/$name
  mkdir "$dir" && ln -s "$R" "$dir/riskcalc" && ln -s "$DATA" "$dir/data" &&
    ln -s "$SRC/fixtures" "$dir/fixtures" || exit 1
  case $args in
  env\ *) (cd "$dir" && eval "$LIMIT $args" >.out 2>.err; echo $? >.rc) ;;
  *) (cd "$dir" && eval "$LIMIT ./riskcalc $args" >.out 2>.err; echo $? >.rc) ;;
  esac
  describe "$dir" >"$T/$name.got"
  want=$SRC/expected/$name.out
  if [ $update -eq 1 ]; then
    cp "$T/$name.got" "$want"
    ok "$name (updated)"
  elif [ ! -f "$want" ]; then
    fail "$name" "no expected output (run sh tests/cli/cli_golden.sh --update)"
  elif cmp -s "$T/$name.got" "$want"; then
    ok "$name"
  else
    fail "$name" "$(diff "$want" "$T/$name.got" | head -n 8 | tr '\n' '|')"
  fi
done <"$SRC/cases.txt"
echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
