#!/bin/sh
# tests/cli/cli_docs.sh -- what the documentation says about the tool stays true (issue 10):
#   - every "docs/X.md §N" reference of the README lands on a section about its row's command;
#   - `make demo` writes no tracked file, and README examples write under plots/ (ignored);
#   - the README's sample output is what the example prints, digit for digit;
#   - the numbers quoted beside the fit examples (README, docs/FIT.md) are the tool's, and an
#     interval that excludes the theory's value is explained;
#   - the example of data/README.md stays below the risk of the zero predictor.
# Runs the examples with $RISKCALC in a temporary directory. Prints "cli_docs: N passed, N failed".
. "$(dirname "$0")/lib_cli.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cli_begin cli_docs
ln -s "$ROOT/data" data
mkdir plots

# ---------------------------------------------------------------- section references
check "README's section references land on their command's section" python3 - "$ROOT" <<'EOF'
import re, sys
root = sys.argv[1]
stop = {"with", "the", "and", "linear", "method", "riskcalc", "file"}
bad = []
for line in open(root + "/README.md", encoding="utf-8"):
    for doc, sec in re.findall(r"docs/([A-Za-z_]+\.md) §(\d+)", line):
        heads = [l for l in open(root + "/docs/" + doc, encoding="utf-8") if l.startswith("## %s. " % sec)]
        if not heads:
            bad.append("%s §%s: no such section" % (doc, sec))
            continue
        cell = line.split("|")[1] if line.startswith("|") else line
        words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", cell)} - stop
        title = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", heads[0])}
        if not words & title:
            bad.append("%s §%s (%s) is not about %s" % (doc, sec, heads[0].strip(), cell.strip()))
if bad:
    print("    " + "\n    ".join(bad))
    sys.exit(1)
EOF

# ---------------------------------------------------------------- files the examples write
demo_files=$(cd "$ROOT" && make -n demo 2>/dev/null | tr ' ' '\n' | awk '/^--(output|plot)$/ {getline; print}')
check "make demo names its outputs" test -n "$demo_files"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  tracked=""
  for f in $demo_files; do
    base=${f%.*}
    for g in "$f" "$base.gp" "$base.dat"; do
      git -C "$ROOT" ls-files --error-unmatch "$g" >/dev/null 2>&1 && tracked="$tracked $g"
    done
  done
  check "make demo modifies no tracked file" test -z "$tracked"
  [ -z "$tracked" ] || echo "    tracked:$tracked"
else
  ok "make demo modifies no tracked file # skipped: not a git checkout"
fi
check "README examples write under plots/ only" python3 - "$ROOT" <<'EOF'
import re, sys
bad = []
for line in open(sys.argv[1] + "/README.md", encoding="utf-8"):
    if "riskcalc " not in line:
        continue
    for opt, path in re.findall(r"--(output|plot|per-run|schedule-out) (\S+)", line):
        if re.match(r"[A-Z]+\b", path):  # a synopsis: FILE, NAME
            continue
        if not (path.startswith("plots/") or path.startswith("/tmp/") or path == "-"):
            bad.append("--%s %s" % (opt, path))
if bad:
    print("    " + ", ".join(bad))
    sys.exit(1)
EOF

# ---------------------------------------------------------------- the README's sample output
# The example command (a line continued with a backslash), run with the figure dropped; every
# line of the sample after "prints" must be in the output (a line ending in "..." as a prefix).
python3 - "$ROOT/README.md" >example.cmd <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = lines.index("## Example")
cmd = ""
for l in lines[i + 1:]:
    if l.startswith("    build/riskcalc") or cmd:
        cmd += l.strip().rstrip("\\") + " "
        if not l.rstrip().endswith("\\"):
            break
print(cmd.replace("build/riskcalc", "", 1).split(" --plot ")[0])
EOF
python3 - "$ROOT/README.md" >example.want <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("prints"))
for l in lines[i + 2:]:
    if not l.startswith("    "):
        break
    print(l[4:])
EOF
eval "$LIMIT \"\$R\" $(cat example.cmd)" >example.got 2>/dev/null
check "README sample output is what the example prints" python3 - example.want example.got <<'EOF'
import sys
got = open(sys.argv[2]).read().split("\n")
missing = []
for w in open(sys.argv[1]).read().split("\n"):
    if not w or w.startswith("...") or w.startswith("# ..."):
        continue
    if w.endswith("..."):
        ok = any(g.split(" ", 3)[:2] == w.split(" ", 3)[:2] for g in got)  # "# command: ..."
    else:
        ok = w in got
    if not ok:
        missing.append(w)
if missing:
    print("    not in the output: " + " | ".join(missing))
    sys.exit(1)
EOF

# ---------------------------------------------------------------- quoted fit results
# "exponent E, 95% interval [L, H]" (README) and "exponent E, 95% interval [L, H]" /
# "alpha A [L, H], beta B [L, H]" (docs/FIT.md) against the tool's output of the quoted command.
quoted() { # FILE PATTERN: the comment line after the command matching PATTERN
  awk -v p="$2" 'found { print; exit } index($0, p) { found = 1 }' "$1"
}
run_doc() { # the command line of a doc (build/riskcalc ... ), run here
  eval "$LIMIT \"\$R\" $(echo "$1" | sed 's|^ *build/riskcalc||')"
}
run_doc "$(grep -m1 'output plots/m.tsv' "$ROOT/README.md")" >/dev/null 2>&1
run_doc "$(grep -m1 'fit plots/m.tsv' "$ROOT/README.md" | sed 's/ --plot [^ ]*//')" >fit.tsv 2>/dev/null
claim=$(quoted "$ROOT/README.md" "fit plots/m.tsv")
check "README fit example: quoted exponent and interval are the tool's" python3 - fit.tsv "$claim" <<'EOF'
import re, sys
row = [l.split("\t") for l in open(sys.argv[1]) if l.startswith("exponent")][0]
e, l, h = re.search(r"exponent ([0-9.]+), 95% interval \[([0-9.]+), ([0-9.]+)\]", sys.argv[2]).groups()
for quoted, exact in ((e, row[1]), (l, row[3]), (h, row[4])):
    if abs(float(quoted) - float(exact)) > 0.6 * 10 ** -len(quoted.split(".")[1]):
        print("    quoted %s, the tool gives %s" % (quoted, exact)); sys.exit(1)
EOF
check "README fit example: an interval excluding the theory's value is explained" python3 - "$ROOT/README.md" "$claim" <<'EOF'
import re, sys
e, l, h = map(float, re.search(r"exponent ([0-9.]+), 95% interval \[([0-9.]+), ([0-9.]+)\]", sys.argv[2]).groups())
theory = float(re.search(r"theory .*= ([0-9.]+)", sys.argv[2]).group(1))
text = open(sys.argv[1], encoding="utf-8").read()
if not l <= theory <= h and "excludes it" not in text:
    print("    [%g, %g] excludes %g and the README does not say why" % (l, h, theory)); sys.exit(1)
EOF
run_doc "$(grep -m1 'output plots/lin.tsv' "$ROOT/docs/FIT.md")" >/dev/null 2>&1
run_doc "$(grep -m1 'fit plots/lin.tsv --x N' "$ROOT/docs/FIT.md")" >one.tsv 2>/dev/null
run_doc "$(grep -m1 'fit plots/lin.tsv --joint' "$ROOT/docs/FIT.md" | sed 's/ --plot [^ ]*//')" >joint.tsv 2>/dev/null
check "FIT.md examples: the quoted single and joint fits are the tool's, and explained" python3 - one.tsv joint.tsv "$(quoted "$ROOT/docs/FIT.md" "fit plots/lin.tsv --x N")" "$(quoted "$ROOT/docs/FIT.md" "fit plots/lin.tsv --joint")" "$ROOT/docs/FIT.md" <<'EOF'
import re, sys
def rows(f):
    return {l.split("\t")[0]: [float(x) for x in l.split("\t")[1:]] for l in open(f)
            if not l.startswith("#") and not l.startswith("parameter")}
one, joint = rows(sys.argv[1]), rows(sys.argv[2])
e, l, h = map(float, re.search(r"exponent ([0-9.]+), 95% interval \[([0-9.]+), ([0-9.]+)\]", sys.argv[3]).groups())
got = [(e, one["exponent"][0]), (l, one["exponent"][2]), (h, one["exponent"][3])]
for name in ("alpha", "beta"):
    v, lo, hi = map(float, re.search(name + r" ([0-9.]+) \[([0-9.]+), ([0-9.]+)\]", sys.argv[4]).groups())
    got += [(v, joint[name][0]), (lo, joint[name][2]), (hi, joint[name][3])]
for q, x in got:
    if abs(q - x) > 6e-4:
        print("    quoted %g, the tool gives %g" % (q, x)); sys.exit(1)
if "What these numbers say" not in open(sys.argv[5], encoding="utf-8").read():
    print("    the exponents differ from the theory's 0.5 and 1/3 and FIT.md does not say why"); sys.exit(1)
EOF

# ---------------------------------------------------------------- data/README.md
cmd=$(awk '/build\/riskcalc/ { c = $0; while (c ~ /\\$/) { sub(/\\$/, "", c); getline l; c = c " " l } print c; exit }' "$ROOT/data/README.md")
run_doc "$cmd" >warm.tsv 2>/dev/null
check "data/README.md example: the risk stays below the zero predictor's sigma2 + tr(H P)" python3 - warm.tsv <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
signal = float(re.search(r"# signal: tr\(H P\) = ([0-9.eE+-]+)", text).group(1))
sigma2 = float(re.search(r"# sigma2: ([0-9.eE+-]+)", text).group(1))
risks = [float(l.split("\t")[6]) for l in text.split("\n") if l[:1].isdigit()]
if not risks or max(risks) >= sigma2 + signal:
    print("    risks %s, zero predictor %g" % (risks, sigma2 + signal)); sys.exit(1)
EOF

echo "cli_docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
