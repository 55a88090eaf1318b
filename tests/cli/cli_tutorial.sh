#!/bin/sh
# tests/cli/cli_tutorial.sh -- the exercises of docs/TUTORIAL.md have the answers the tool gives
# (issue 14). Each exercise carries a hidden block
#   <!-- check
#   $ riskcalc ...            (one or more commands, run in order in a temporary directory)
#   value: EXPR               (Python over t1, t2, ...: each command's rows as dicts of numbers;
#                              t is the last command's)
#   answer: A[, B ...]        (the numbers the answer states, in the order of EXPR's values)
#   tol: R                    (relative tolerance; 0 for exact)
#   -->
# The stated numbers must appear in the answer paragraph just above the block and agree with
# EXPR within R. Also checks that a wrong answer is caught. Prints "cli_tutorial: N passed, N failed".
. "$(dirname "$0")/lib_cli.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cli_begin cli_tutorial
cat >exercises.py <<'PY'
import os, re, shlex, subprocess, sys

def table(out):
    lines = [l for l in out.split("\n") if l and not l.startswith("#")]
    head = lines[0].split("\t")
    def num(x):
        try:
            return float(x)
        except ValueError:
            return x
    return [dict(zip(head, map(num, l.split("\t")))) for l in lines[1:]]

def check(doc, riskcalc, only=None):
    text = open(doc, encoding="utf-8").read()
    bad, count = [], 0
    for m in re.finditer(r"<!-- check\n(.*?)-->", text, re.S):
        count += 1
        if only is not None and count != only:
            continue
        body = m.group(1)
        cmds = [l[2:] for l in body.split("\n") if l.startswith("$ riskcalc ")]
        field = dict(re.findall(r"^(value|answer|tol): (.*)$", body, re.M))
        env = {}
        for k, c in enumerate(cmds):
            argv = shlex.split(c)
            r = subprocess.run([riskcalc] + argv[1:], capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                bad.append("exercise %d: `%s` exits %d: %s" % (count, c, r.returncode, r.stderr.strip()))
                break
            env["t%d" % (k + 1)] = env["t"] = table(r.stdout)
        else:
            value = eval(field["value"], {"min": min, "max": max, "round": round, "abs": abs}, env)
            value = value if isinstance(value, list) else [value]
            answer = [a.strip() for a in field["answer"].split(",")]
            tol = float(field["tol"])
            prose = text[max(0, m.start() - 900):m.start()]
            prose = prose[prose.rfind("**Answer.**"):]
            for a, v in zip(answer, value):
                if not re.search(r"(?<![\d.])" + re.escape(a) + r"(?![\d])", prose):
                    bad.append("exercise %d: the answer paragraph does not state %s" % (count, a))
                if abs(float(a) - v) > tol * abs(v):
                    bad.append("exercise %d: states %s, the tool gives %.6g" % (count, a, v))
            if len(answer) != len(value):
                bad.append("exercise %d: %d values, %d answers" % (count, len(value), len(answer)))
    return count, bad

count, bad = check(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
for b in bad:
    print("    " + b)
print("exercises:", count)
sys.exit(1 if bad or count == 0 else 0)
PY
n=$(grep -c '^<!-- check$' "$ROOT/docs/TUTORIAL.md")
check "docs/TUTORIAL.md has checked exercises ($n)" test "$n" -ge 6
k=1
while [ "$k" -le "$n" ]; do
  check "exercise $k: the stated answer is the tool's" $LIMIT python3 exercises.py "$ROOT/docs/TUTORIAL.md" "$R" "$k"
  k=$((k + 1))
done
# a wrong answer (exercise 1's number changed in both the text and the block) is caught
sed 's/0\.5647/0.5657/g' "$ROOT/docs/TUTORIAL.md" >wrong.md
if python3 exercises.py wrong.md "$R" 1 >wrong.txt 2>&1; then
  fail "a wrong stated answer is caught"
else
  check "a wrong stated answer is caught" grep -q "states 0.5657, the tool gives" wrong.txt
fi
echo "cli_tutorial: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
