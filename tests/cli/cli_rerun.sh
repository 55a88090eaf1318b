#!/bin/sh
# tests/cli/cli_rerun.sh -- `riskcalc rerun FILE`: the run recorded in an output's header is
# executed again (output to a pipe: no file written, no figure drawn) and its data rows are
# compared byte for byte: 0 the same (TSV, CSV, JSON; exact, de, Monte Carlo), 1 with the first
# differing row, 2 for a file that is no output of riskcalc or a recorded command that fails.
# Uses $RISKCALC (default build/riskcalc). Prints "cli_rerun: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
cli_begin cli_rerun

"$R" linear --method mc --a 1.5 --d 50 --M 8 --N 10,100 --runs 20 --output mc.tsv --plot mc.png 2>/dev/null
"$R" linear --method de --a 1.5 --d inf --M 32 --N 1e2:1e4:3 --format csv --output de.csv 2>/dev/null
"$R" linear --a 2 --d 40 --M 6 --N 10,50 --format json --output ex.json 2>/dev/null
for f in mc.tsv de.csv ex.json; do
  before=$(ls | grep -v '^rr\.' | cksum)
  "$R" rerun "$f" >rr.out 2>rr.err
  rc=$?
  check "$f: same rows, exit 0" test $rc -eq 0 -a ! -s rr.err
  check "$f: says so" grep -q "the data rows are the same byte for byte" rr.out
  check "$f: wrote no file (the recorded --output and --plot are dropped)" \
    test "$before" = "$(ls | grep -v '^rr\.' | cksum)"
done
# the figure's options and --per-run go with --plot (they need it): the re-run still runs
"$R" linear --method mc --a 1.5 --d 50 --M 8,16 --N 10,100 --runs 20 --band --per-run pr.tsv \
  --output fo.tsv --plot fo.png --plot-kind curves-N --y risk,bias --ymin 1e-3 --ymax 10 \
  --size 640,480 --contours 2>/dev/null
before=$(ls | grep -v '^rr\.' | cksum)
"$R" rerun fo.tsv >rr.out 2>rr.err
check "figure options, --band and --per-run: same rows, exit 0" test $? -eq 0 -a ! -s rr.err
check "figure options and --per-run: no file written" test "$before" = "$(ls | grep -v '^rr\.' | cksum)"
"$R" rerun --quiet ex.json >q.out 2>&1
check "quiet" test $? -eq 0 -a ! -s q.out

# an output made before --generator existed (mt19937, its header naming it without the option):
# the re-run draws from mt19937 again; an output made with --generator mt19937 reruns as it is
"$R" linear --method mc --a 1.5 --d 50 --M 8 --N 10,100 --runs 20 --generator mt19937 \
  --output mt.tsv 2>/dev/null
sed -e 's/ --generator mt19937//' -e 's/ (--generator mt19937);/;/' mt.tsv >old.tsv
check "the pre-generator header: no --generator in it" sh -c "! grep -q -e '--generator' old.tsv"
"$R" rerun old.tsv >rr.out 2>rr.err
check "pre-generator mc output: reruns with mt19937, same rows" test $? -eq 0 -a ! -s rr.err
"$R" rerun mt.tsv >rr.out 2>rr.err
check "--generator mt19937 output: same rows" test $? -eq 0 -a ! -s rr.err
check "philox and mt19937 rows differ" sh -c "! cmp -s mc.tsv mt.tsv"

# a changed row: exit 1 and the first differing row
sed 's/^100\t8\t/100\t8\t9/' mc.tsv >changed.tsv
"$R" rerun changed.tsv >ch.out 2>ch.err
check "changed row: exit 1" test $? -eq 1
check "changed row: names it" grep -q "data row 2 differs" ch.err
head -n -1 de.csv >short.csv
"$R" rerun short.csv >/dev/null 2>sh.err
check "missing row: exit 1" test $? -eq 1
check "missing row: says so" grep -q "has more data rows" sh.err

# errors
printf 'N\trisk\n1\t2\n' >plain.tsv
err_case "no command recorded" "records no command" rerun plain.tsv
err_case "missing file" "No such file" rerun nosuch.tsv
err_case "no file given" "which output file" rerun
printf 'a\000b\n' >nul.tsv
err_case "NUL byte" "not a text file" rerun nul.tsv
sed 's/^# command: \([^ ]*\) linear /# command: \1 linear --bogus 1 /' mc.tsv >bad.tsv
"$R" rerun bad.tsv >bad.out 2>bad.err
check "recorded command that fails: exit 2" test $? -eq 2
check "recorded command that fails: its message and ours" sh -c "grep -q -- '--bogus' bad.err && grep -q 'failed when run again' bad.err"
sed 's/^# command: \([^ ]*\) linear .*/# command: \1 rerun mc.tsv/' mc.tsv >loop.tsv
err_case "a recorded rerun" "records a rerun" rerun loop.tsv

echo "cli_rerun: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
