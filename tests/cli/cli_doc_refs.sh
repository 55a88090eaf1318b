#!/bin/sh
# tests/cli/cli_doc_refs.sh -- the documentation's references resolve and its figures are drawn
# (issue 14), checked by tests/cli/docrefs.py:
#   - every section reference ("THEORY.md section 2", "§3.1", "docs/X.md "Title""), named doc and
#     relative link or anchor in docs/*.md, README.md and the comments of src/, include/ and
#     docs/figures/ lands on an existing file and heading;
#   - every image docs/ and the README show exists and is drawn, by name, by a script in
#     docs/figures/ (or by a worked example a script reruns), and `make figures` runs every script.
# Also checks that the checker catches what it must (a broken reference, an undrawn figure).
# Prints "cli_doc_refs: N passed, N failed".
. "$(dirname "$0")/lib_cli.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=$ROOT/tests/cli/docrefs.py
cli_begin cli_doc_refs

check "section references, named docs, links and anchors resolve" python3 "$PY" "$ROOT" refs
check "every figure shown is drawn by a script that make figures runs" python3 "$PY" "$ROOT" figures

# the checker itself, on a copy with planted faults
mkdir -p copy/docs/img copy/docs/figures copy/src/x
cp "$ROOT"/docs/*.md copy/docs/ && cp "$ROOT"/README.md "$ROOT"/Makefile copy/
cp "$ROOT"/docs/figures/*.sh "$ROOT"/docs/figures/*.py copy/docs/figures/
cp "$ROOT"/docs/img/*.png copy/docs/img/
printf 'see THEORY.md section 42, QUAD.md "No such heading", [x](GUIDE.md#nowhere) and [y](NOPE.md)\n' >>copy/docs/GUIDE.md
printf '/* the derivation (docs/DETEQ.md section 99) */\n' >copy/src/x/x.c
python3 "$PY" "$PWD/copy" refs >planted.txt 2>&1
check "the checker reports a missing section" grep -q "THEORY.md has no section 42" planted.txt
check "the checker reports a missing heading" grep -q 'no heading "No such heading"' planted.txt
check "the checker reports a missing anchor and a missing file" sh -c \
  'grep -q "GUIDE.md#nowhere: no such heading" planted.txt && grep -q "NOPE.md: no such file" planted.txt'
check "the checker reports a code comment citing a missing section" grep -q "src/x/x.c.*DETEQ.md has no section 99" planted.txt
printf '![lost](img/never_drawn.png)\n' >>copy/docs/GUIDE.md
rm copy/docs/img/fig_curves.png
python3 "$PY" "$PWD/copy" figures >planted2.txt 2>&1
check "the checker reports a figure no script draws" grep -q "img/never_drawn.png is drawn by no script" planted2.txt
check "the checker reports a missing figure file" grep -q "img/fig_curves.png, which does not exist" planted2.txt
touch copy/docs/img/stray.png
python3 "$PY" "$PWD/copy" figures >planted3.txt 2>&1
check "the checker reports a figure no doc shows" grep -q "docs/img/stray.png is shown by no doc" planted3.txt

echo "cli_doc_refs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
