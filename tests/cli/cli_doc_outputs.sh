#!/bin/sh
# tests/cli/cli_doc_outputs.sh -- the worked examples of docs/GUIDE.md, docs/TUTORIAL.md and
# docs/PAPERS.md print what the tool prints (issue 14): every "$ riskcalc ..." command written
# there is run (without its --plot) and its output compared line by line with the doc's
# (docs/figures/outputs.py check). Monte Carlo examples (--runs, compare) are rerun by
# `make figures` only: here they would take minutes. `make figures` rewrites the outputs.
# Prints "cli_doc_outputs: N passed, N failed".
. "$(dirname "$0")/lib_cli.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(dirname "$R")
cli_begin cli_doc_outputs
for doc in GUIDE TUTORIAL PAPERS; do
  check "docs/$doc.md: the printed examples are the tool's output" \
    sh -c "cd '$ROOT' && python3 docs/figures/outputs.py check '$BUILD' docs/$doc.md"
done
# drift is caught: one printed number changed, and an example whose output was left out
cat >drift.md <<'MD'
    $ riskcalc linear --method de --a 1.5 --d inf --M 64 --N 1e2 --sigma2 0.1
MD
(cd "$ROOT" && python3 docs/figures/outputs.py update "$BUILD" "$T/drift.md") >/dev/null 2>&1
check "update writes the tool's output under the command" grep -q '^    N	M	approx' drift.md
check "check accepts the output update wrote" sh -c "cd '$ROOT' && python3 docs/figures/outputs.py check '$BUILD' '$T/drift.md' >/dev/null"
sed 's/^\(    100.64.\)0\.4646588873/\10.4646588874/' drift.md >drift2.md  # the data row only
if (cd "$ROOT" && python3 docs/figures/outputs.py check "$BUILD" "$T/drift2.md" >"$T/drift2.txt" 2>&1); then
  fail "a changed printed number is caught"
else
  check "a changed printed number is caught" grep -q "doc:  100.64.0\.4646588874" drift2.txt
fi
echo "cli_doc_outputs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
