#!/bin/sh
# tests/cli/cli_man.sh -- the man page docs/riskcalc.1 says what --help says: every subcommand
# of `riskcalc --help` has its section (.SH "riskcalc NAME") and its line in SUBCOMMANDS, and
# every option of `riskcalc NAME --help` (and of `riskcalc compare MODEL --help`) is named in
# that section; the page renders without groff warnings.
. "$(dirname "$0")/lib_cli.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$ROOT/docs/riskcalc.1
cli_begin cli_man

check "docs/riskcalc.1 exists" test -s "$MAN"
subs=$("$R" --help | awk '/^subcommands:/ {on = 1; next} /^$/ {on = 0} on {print $1}')
check "riskcalc --help lists subcommands" test -n "$subs"
# The option names of a help text: lines "  --name ...".
help_options() { "$R" "$@" --help 2>&1 | sed -n 's/^  \(--[A-Za-z0-9-]*\).*/\1/p' | sort -u; }
for s in $subs; do
  python3 - "$MAN" "$s" >section.txt <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
# roff to plain words: font escapes dropped, \- as -
plain = re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-").replace('"', "")
parts = re.split(r"^\.SH ", plain, flags=re.M)
for p in parts:
    head = p.split("\n", 1)[0].strip()
    if head == "riskcalc " + sys.argv[2]:
        print(p)
        sys.exit(0)
sys.exit(1)
PY
  if [ $? -ne 0 ]; then
    fail "man page has a section for $s"
    continue
  fi
  ok "man page has a section for $s"
  if grep -q "^\.B $(echo "$s" | sed 's/-/\\\\-/g')\$" "$MAN"; then ok "SUBCOMMANDS lists $s"; else fail "SUBCOMMANDS lists $s"; fi
  opts=$(help_options "$s")
  if [ "$s" = compare ]; then
    for m in linear quad quad-vs-linear ridge rf; do opts="$opts $(help_options compare "$m")"; done
  fi
  missing=""
  for o in $(echo "$opts" | tr ' ' '\n' | sort -u); do
    [ "$o" = --help ] && continue
    grep -qE -- "$o([^A-Za-z0-9-]|\$)" section.txt || missing="$missing $o"
  done
  if [ -z "$missing" ]; then
    ok "every option of riskcalc $s --help is in its man section ($(echo "$opts" | wc -w) options)"
  else
    fail "every option of riskcalc $s --help is in its man section" "missing:$missing"
  fi
done
if command -v groff >/dev/null 2>&1; then
  groff -man -ww -z "$MAN" >groff.log 2>&1
  check "groff renders the page without warnings" test ! -s groff.log
  [ -s groff.log ] && head -n 5 groff.log
else
  ok "groff renders the page without warnings # skipped: no groff"
fi
echo "cli_man: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
