#!/bin/sh
# tests/cli/cli_output.sh -- the one output path of riskcalc is safe:
#   1. --plot names: every character of a path reaches gnuplot as data (quotes, backslashes,
#      blanks, newlines, $(...), backquotes, a leading '|' or '<', which gnuplot reads as a
#      pipe); the figure, its .dat and .gp carry the exact name and `gnuplot base.gp` redraws it.
#   2. --output targets: a regular file (or a new path) is replaced atomically; a character
#      device or a FIFO is written in place, and a write error on it is reported; a symbolic
#      link is followed (the link stays, the file it names is written); a directory is refused.
#   3. SIGINT, SIGTERM and SIGHUP, while computing or while gnuplot draws, leave no file behind,
#      kill gnuplot and end with status 128 + the signal number; a failed --plot leaves nothing.
#   4. --output (and --plot's .dat, .gp and figure) naming an input of the run is refused.
# Device nodes are created in the test's own directory (never the system's /dev as root); the
# system's /dev/null, /dev/full and /dev/stdout are used only as an unprivileged user.
# Prints one "ok"/"FAIL" line per case and "cli_output: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
cli_begin cli_output

SMALL="--a 1.5 --d 60 --M 12 --N 10,100"
tab=$(printf '\t')
nl=$(printf '\nx')
nl=${nl%x}
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1
REAL_PATH=$PATH

# The working directory must hold nothing but the names given, the fixtures (fx_*) and the
# harness's files; anything else is reported and removed, so one failure does not spill over.
only_left() {
  extra=
  for f in * .[!.]* ..?*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    case $f in fx_* | ec.* | run.* | bin | wrap) continue ;; esac
    keep=0
    for k in "$@"; do [ "$f" = "$k" ] && keep=1; done
    [ $keep -eq 1 ] && continue
    extra="$extra '$f'"
    rm -rf "./$f"
  done
  [ -z "$extra" ] || { echo "    left behind:$extra"; return 1; }
}
is_png() { [ "$(od -An -tx1 -N8 <"$1" 2>/dev/null | tr -d ' \n')" = 89504e470d0a1a0a ]; }
# same_rows A B: the files hold the same table rows (the headers record different commands).
same_rows() { [ -s "$1" ] && [ "$(grep -v '^#' <"$1")" = "$(grep -v '^#' <"$2")" ]; }

"$R" linear $SMALL >fx_table.tsv 2>/dev/null

# The path rules are stated where users look: every command's --help.
for c in linear compare fit optimal; do
  check "$c --help states the --output path rules" sh -c "'$R' $c --help | tr -s ' \n' ' ' |
    grep -q 'a regular file is replaced atomically, a device or FIFO .* written in place; a symbolic link is followed'"
done

# ---------------------------------------------------------------- 1. figure names
# plot_name LABEL NAME: --plot NAME must draw NAME (with NAME's .dat and .gp), run nothing,
# and `gnuplot base.gp` must draw it again.
plot_name() {
  p_label=$1
  p_name=$2
  p_base=${p_name%.*}
  p_ext=${p_name##*.}
  $LIMIT "$R" linear $SMALL --output run.tsv --plot "$p_name" >run.out 2>run.err
  rc=$?
  if [ $rc -ne 0 ] || [ -s run.out ] || [ -s run.err ]; then
    fail "plot $p_label: exit 0, quiet" "exit $rc: $(head -c 300 run.err)"
  else
    ok "plot $p_label: exit 0, quiet"
  fi
  if [ "$p_ext" = png ]; then
    check "plot $p_label: the figure has the exact name" is_png "$p_name"
  else
    check "plot $p_label: the figure has the exact name" grep -q '<svg' -- "$p_name"
  fi
  check "plot $p_label: data and script have the exact names" test -s "$p_base.dat" -a -s "$p_base.gp"
  check "plot $p_label: data = table" sh -c '[ "$(grep -v "^#" <"$1")" = "$(grep -v "^#" <"$2" | grep -v "^\$")" ]' \
    - run.tsv "$p_base.dat"
  check "plot $p_label: nothing ran" test ! -e PWNED -a ! -e DOLLAR -a ! -e BQ -a ! -e PIPED
  rm -f -- "$p_name"
  case $p_base in /*) p_script=$p_base.gp ;; *) p_script=./$p_base.gp ;; esac
  gnuplot "$p_script" >/dev/null 2>&1
  if [ "$p_ext" = png ]; then
    check "plot $p_label: gnuplot base.gp redraws it" is_png "$p_name"
  else
    check "plot $p_label: gnuplot base.gp redraws it" grep -q '<svg' -- "$p_name"
  fi
  check "plot $p_label: the rerun ran nothing" test ! -e PWNED -a ! -e DOLLAR -a ! -e BQ -a ! -e PIPED
  rm -f -- "$p_name" "$p_base.dat" "$p_base.gp" run.tsv run.out run.err PWNED DOLLAR BQ PIPED
  check "plot $p_label: nothing else written" only_left "$P_KEEP"
}

P_KEEP=
if [ $have_gnuplot -eq 1 ]; then
  plot_name "injection" "x';system('touch PWNED');'.png"
  plot_name "quote" "it's.png"
  plot_name "double quote" 'say "cheese".svg'
  plot_name "backslash" 'back\slash\.png'
  plot_name "trailing backslash in the base" 'end\.png'
  plot_name "spaces" "my figure .png"
  plot_name "newline" "two${nl}lines.png"
  plot_name "tab and carriage return" "a${tab}b$(printf '\r')c.svg"
  plot_name "\$(...)" '$(touch DOLLAR).png'
  plot_name "backquotes" '`touch BQ`.png'
  plot_name "leading |" '|touch PIPED;.png'
  plot_name "leading <" '<touch PIPED;.png'
  plot_name "leading \$ (a datablock name)" '$data.png'
  plot_name "leading -" '-e.png'
  plot_name "leading ~" '~fig.svg'
  plot_name "at sign (gnuplot macros)" '@x.png'
  P_KEEP="we'ird\$(touch PWNED) dir"
  mkdir "$P_KEEP"
  plot_name "directory with a quote" "$P_KEEP/fig.png"
  rm -rf "$P_KEEP"
  P_KEEP=
  plot_name "absolute path" "$T/abs'fig.png"
else
  ok "figure names # skipped: gnuplot is not installed"
fi

# ---------------------------------------------------------------- 2. --output targets
mkfifo fx_fifo
$LIMIT cat fx_fifo >fx_fifo.got &
reader=$!
$LIMIT "$R" linear $SMALL --output fx_fifo >run.out 2>run.err
rc=$?
# When the FIFO was replaced, the reader waits for ever: stop it.
i=0
while kill -0 $reader 2>/dev/null && [ $i -lt 50 ]; do
  sleep 0.1
  i=$((i + 1))
done
kill $reader 2>/dev/null
wait $reader 2>/dev/null
check "--output FIFO: exit 0" test $rc -eq 0 -a ! -s run.err
check "--output FIFO: still a FIFO" test -p fx_fifo
check "--output FIFO: the reader got the table" same_rows fx_fifo.got fx_table.tsv
rm -f fx_fifo fx_fifo.got run.out run.err

if mknod fx_null c 1 3 2>/dev/null && mknod fx_full c 1 7 2>/dev/null; then
  "$R" linear $SMALL --output fx_null >run.out 2>run.err
  check "--output character device: exit 0, quiet" test $? -eq 0 -a ! -s run.out -a ! -s run.err
  check "--output character device: still the device" test -c fx_null
  err_case "--output a full device: the write error is reported" "No space left" \
    linear $SMALL --output fx_full
  check "--output a full device: still the device" test -c fx_full
  if [ $have_gnuplot -eq 1 ]; then
    err_case "--output a full device with --plot: error" "No space left" \
      linear $SMALL --output fx_full --plot fig.png
    check "  ... no figure, data or script left" only_left
  fi
  rm -f fx_null fx_full
else
  ok "device nodes # skipped: mknod is not permitted"
fi

if [ $have_gnuplot -eq 1 ]; then
  $LIMIT "$R" linear $SMALL --plot fig.png >/dev/full 2>run.err
  rc=$?
  check "standard output full, with --plot: exit 2, one line" test $rc -eq 2 -a \
    "$(wc -l <run.err)" -eq 1
  check "  ... names standard output" grep -q '^riskcalc: .*standard output' run.err
  rm -f run.err
  check "  ... no figure, data or script left" only_left
fi

printf 'old\n' >fx_real.tsv
ln -s fx_real.tsv fx_link.tsv
"$R" linear $SMALL --output fx_link.tsv >run.out 2>run.err
check "--output symlink: exit 0" test $? -eq 0 -a ! -s run.err
check "--output symlink: the link stays a link" test -L fx_link.tsv
check "--output symlink: the file it names holds the table" same_rows fx_real.tsv fx_table.tsv
ln -s fx_new.tsv fx_dangling.tsv
"$R" linear $SMALL --output fx_dangling.tsv >run.out 2>run.err
check "--output dangling symlink: the link stays" test -L fx_dangling.tsv
check "--output dangling symlink: creates the file it names" same_rows fx_new.tsv fx_table.tsv
ln -s fx_loop1 fx_loop2
ln -s fx_loop2 fx_loop1
err_case "--output symlink loop: refused" "fx_loop1" linear $SMALL --output fx_loop1
rm -f fx_real.tsv fx_link.tsv fx_new.tsv fx_dangling.tsv fx_loop1 fx_loop2 run.out run.err
mkdir adir
err_case "--output a directory: refused" "directory" linear $SMALL --output adir
check "  ... the directory is untouched" sh -c 'test -d adir && [ -z "$(ls -A adir)" ]'
rmdir adir
check "--output cases leave nothing else" only_left

# The system's devices, as an unprivileged user (who cannot replace them whatever the tool does).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
  setpriv --reuid=65534 --regid=65534 --clear-groups "$R" --version >/dev/null 2>&1; then
  AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
elif [ "$(id -u)" -ne 0 ]; then
  AS_NOBODY=
else
  AS_NOBODY=none
fi
if [ "$AS_NOBODY" != none ]; then
  $AS_NOBODY "$R" linear $SMALL --output /dev/null >run.out 2>run.err
  check "unprivileged --output /dev/null: exit 0, quiet" test $? -eq 0 -a ! -s run.out -a ! -s run.err
  $AS_NOBODY "$R" linear $SMALL --output /dev/full >run.out 2>run.err
  rc=$?
  check "unprivileged --output /dev/full: exit 2, one line naming the error" sh -c \
    "test $rc -eq 2 && test \$(wc -l <run.err) -eq 1 && grep -q '^riskcalc: .*No space left' run.err"
  $AS_NOBODY "$R" linear $SMALL --output /dev/stdout >run.out 2>run.err
  check "unprivileged --output /dev/stdout into a file" test $? -eq 0 -a ! -s run.err
  check "  ... holds the table" same_rows run.out fx_table.tsv
  $AS_NOBODY "$R" linear $SMALL --output /dev/stdout 2>run.err | cat >run.out
  check "unprivileged --output /dev/stdout into a pipe" same_rows run.out fx_table.tsv
  rm -f run.out run.err
else
  ok "system devices # skipped: no unprivileged user to run as"
fi

# ---------------------------------------------------------------- 3. signals and failed plots
mkdir bin
# fake_gnuplot BODY: a gnuplot first on PATH that runs BODY (its pid is written to bin/pid).
fake_gnuplot() {
  printf '#!/bin/sh\necho $$ >"%s/bin/pid"\n%s\n' "$T" "$1" >bin/gnuplot
  chmod +x bin/gnuplot
  rm -f bin/pid
}
# interrupt PATH SIG WAIT ARGS...: runs riskcalc ARGS (with PATH, "-" to keep it) and default
# signal dispositions, waits for
# the file WAIT to appear (or WAIT seconds), sends SIG and prints the exit status (128 + n for
# a signal), or "early STATUS" when the run ended first.
interrupt() {
  $PY - "$@" <<'PY'
import os, signal, subprocess, sys, time
env = dict(os.environ)
if sys.argv[1] != "-":
    env["PATH"] = sys.argv[1]
sig = getattr(signal, "SIG" + sys.argv[2])
wait = sys.argv[3]
def defaults():
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(s, signal.SIG_DFL)
p = subprocess.Popen([os.environ["R"]] + sys.argv[4:], stdout=open("run.out", "w"),
                     stderr=open("run.err", "w"), preexec_fn=defaults, env=env)
deadline = time.time() + 60
try:
    seconds = float(wait)
    time.sleep(seconds)
except ValueError:
    while not os.path.exists(wait) and time.time() < deadline and p.poll() is None:
        time.sleep(0.02)
    time.sleep(0.2)
if p.poll() is not None:
    print("early %d" % p.returncode)
    sys.exit(0)
p.send_signal(sig)
try:
    rc = p.wait(60)
except subprocess.TimeoutExpired:
    p.kill()
    print("hung")
    sys.exit(0)
print(128 - rc if rc < 0 else rc)
PY
}
export R
LONG="linear --method mc --a 1.5 --d 200 --M 100 --N 1e6 --runs 400"
for sig in INT TERM HUP; do
  case $sig in INT) n=130 ;; TERM) n=143 ;; HUP) n=129 ;; esac
  got=$(OMP_NUM_THREADS=1 interrupt - $sig 0.5 $LONG --output out.tsv --plot fig.png)
  check "SIG$sig while computing: exit $n (got $got)" test "$got" = $n
  check "  ... nothing left" only_left
  if [ $have_gnuplot -eq 1 ]; then
    fake_gnuplot 'exec sleep 30'
    got=$(interrupt "$T/bin:$REAL_PATH" $sig "$T/bin/pid" linear $SMALL --output out.tsv \
      --plot fig.png)
    check "SIG$sig while gnuplot draws: exit $n (got $got)" test "$got" = $n
    pid=$(cat bin/pid 2>/dev/null)
    sleep 0.2
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      fail "  ... gnuplot was stopped" "pid $pid still runs"
      kill -9 "$pid"
    else
      ok "  ... gnuplot was stopped"
    fi
    check "  ... nothing left (no table, .dat, .gp, log or temporary)" only_left
  fi
done
rm -f run.out run.err

# Failed figures leave nothing: no gnuplot on PATH, gnuplot failing, a directory as the path.
# with_path DIRS COMMAND...: COMMAND with riskcalc seeing PATH=DIRS (the harness keeps its own).
mkdir wrap
with_path() {
  printf '#!/bin/sh\nPATH="%s" exec "%s" "$@"\n' "$1" "$R" >wrap/riskcalc
  chmod +x wrap/riskcalc
  shift
  R0=$R
  R=$T/wrap/riskcalc
  "$@"
  R=$R0
}
with_path "$T/bin" err_case "no gnuplot on PATH" "gnuplot" linear $SMALL --output out.tsv \
  --plot fig.png
check "  ... nothing left" only_left
fake_gnuplot 'echo "line 3: undefined variable: boom" >&2; exit 1'
with_path "$T/bin:$REAL_PATH" err_case "gnuplot fails" "undefined variable" linear $SMALL \
  --output out.tsv --plot fig.png
check "  ... nothing left" only_left
fake_gnuplot 'kill -9 $$'
with_path "$T/bin:$REAL_PATH" err_case "gnuplot dies of a signal" "gnuplot" linear $SMALL \
  --output out.tsv --plot fig.png
check "  ... nothing left" only_left
rm -f bin/gnuplot bin/pid
mkdir fig.png
err_case "--plot names a directory" "directory" linear $SMALL --output out.tsv --plot fig.png
check "  ... nothing left" only_left fig.png
rmdir fig.png
mkdir fig.gp
err_case "--plot whose script path is a directory" "fig.gp" linear $SMALL --output out.tsv \
  --plot fig.png
check "  ... nothing left" only_left fig.gp
rmdir fig.gp

# ---------------------------------------------------------------- 4. inputs are never outputs
printf '1\n0.5\n0.25\n0.125\n' >fx_spec.txt
printf '2\n1\n0.5\n0.25\n' >fx_prior.txt
printf '0.31 -0.52 0.17 0.9\n-0.4 0.23 0.61 -0.08\n' >fx_sketch.txt
printf '0.05\n0.05\n0.05\n0.025\n0.025\n' >fx_steps.txt
cp fx_spec.txt fig.dat
ln fx_spec.txt fx_hard.txt
ln -s fx_prior.txt fx_soft.txt
snapshot() { cat fx_spec.txt fx_prior.txt fx_sketch.txt fx_steps.txt fig.dat | cksum; }
before=$(snapshot)
F="--spectrum fx_spec.txt --M 2 --N 3,5"
err_case "--output = --spectrum" "fx_spec.txt" linear $F --output fx_spec.txt
err_case "--output = ./--spectrum" "input" linear $F --output ./fx_spec.txt
err_case "--output = a hard link of --spectrum" "input" linear $F --output fx_hard.txt
err_case "--output = --prior through a symlink" "input" linear $F --prior fx_prior.txt \
  --output fx_soft.txt
err_case "--output = --sketch" "input" linear --spectrum fx_spec.txt --sketch fx_sketch.txt \
  --N 3 --output fx_sketch.txt
err_case "--output = --schedule file:" "input" linear $F --schedule file:fx_steps.txt \
  --output fx_steps.txt
err_case "--output = --sketch (mc)" "input" linear --method mc --spectrum fx_spec.txt \
  --sketch fx_sketch.txt --N 3 --runs 2 --output fx_sketch.txt
err_case "--output = --spectrum (de)" "input" linear --method de $F --output fx_spec.txt
err_case "--output = --spectrum (compare)" "input" compare linear $F --runs 2 \
  --output fx_spec.txt
err_case "--output = fit's input table" "input" fit fx_table.tsv --x N --y risk \
  --output fx_table.tsv
err_case "--plot's data file = --spectrum" "fig.dat" linear --spectrum fig.dat --M 2 --N 3 \
  --plot fig.png
cp fx_prior.txt fx_prior.gp
err_case "--plot's script = --prior" "input" linear $F --prior fx_prior.gp --plot fx_prior.png
rm -f fx_prior.gp
check "the inputs are unchanged" test "$(snapshot)" = "$before"
err_case "--output = --plot's data file" "fig.dat" linear $SMALL --output fig.dat --plot fig.png
err_case "--output = --plot's figure" "fig.png" linear $SMALL --output fig.png --plot fig.png
err_case "--output = --plot's script" "fig.gp" linear $SMALL --output ./fig.gp --plot fig.png
err_case "optimal: --output = --plot's data file" "opt.dat" optimal --a 1.5 --C 1e4 \
  --output opt.dat --plot opt.png
rm -f fig.dat fx_hard.txt fx_soft.txt
check "refused runs leave nothing" only_left

echo "cli_output: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
