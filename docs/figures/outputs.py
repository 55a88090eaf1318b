"""The worked examples of a Markdown doc, run by the tool itself (issue 14).

usage: python3 docs/figures/outputs.py update|check BUILD DOC.md...

A worked example is an indented block whose lines start with "$ riskcalc ..." (a command,
continued with a trailing backslash), each followed by what it prints. The commands of one doc
run in order in one temporary directory (a later command may read a file an earlier one
wrote), as `riskcalc` with BUILD on the PATH, so the "# command:" line is what a reader sees.

update: runs every command as written, replaces the printed lines in the doc with the tool's
        output and copies each `--plot NAME.png` to docs/img/NAME.png;
check:  runs them without --plot (no figure is drawn) and fails, naming the first differing
        line, when the doc's printed lines are not the tool's ("# command:" lines, which carry
        the --plot, are compared without it). Monte Carlo examples and blocks after a line
        "<!-- slow -->" are rerun by update only. `make figures` (or update) refreshes them.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile


def blocks(lines):
    """(start, end, [(command, [printed lines])]) of every worked example."""
    i = 0
    while i < len(lines):
        if not lines[i].startswith("    $ riskcalc "):
            i += 1
            continue
        start = i
        items = []
        while i < len(lines) and lines[i].startswith("    $ riskcalc "):
            cmd = lines[i][6:]
            while cmd.endswith("\\"):
                i += 1
                cmd = cmd[:-1] + " " + lines[i].strip()
            i += 1
            out = []
            while i < len(lines) and lines[i].startswith("    ") and not lines[i].startswith("    $ "):
                out.append(lines[i][4:])
                i += 1
            items.append((" ".join(cmd.split()), out))
        yield start, i, items


def drop_plot(argv):
    """The command without its figure: --plot and the options that only shape the figure."""
    if "--plot" not in argv:
        return list(argv)
    shaping = {"--plot", "--plot-kind", "--size", "--ymin", "--ymax"}
    if "fit" not in argv[:2]:
        shaping.add("--y")  # fit's --y names the fitted column
    out = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--contours":
            pass
        elif a in shaping:
            skip = True
        else:
            out.append(a)
    return out


def run(cmd, build, cwd, plot):
    argv = shlex.split(cmd)
    if not plot:
        argv = drop_plot(argv)
    env = dict(os.environ, PATH=os.path.abspath(build) + os.pathsep + os.environ["PATH"])
    env["OPENBLAS_NUM_THREADS"] = "1"
    r = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode not in (0, 1):  # compare and fit --expect may exit 1 with a verdict
        sys.exit("%s: exit %d: %s" % (cmd, r.returncode, r.stderr.strip()))
    return r.stdout.rstrip("\n").split("\n") if r.stdout.strip() else []


def slow(cmd):
    """Monte Carlo examples, rerun by update only (minutes on a loaded machine)."""
    return "--runs" in cmd.split() or cmd.split()[1:2] == ["compare"]


def comparable(line):
    if line.startswith("# command: "):
        return " ".join(drop_plot(shlex.split(line[11:])))
    return line


def main():
    mode, build, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    bad = 0
    for doc in docs:
        lines = open(doc, encoding="utf-8").read().split("\n")
        tmp = tempfile.mkdtemp(prefix="rc_outputs.")
        try:
            new = []
            last = 0
            for start, end, items in blocks(lines):
                new += lines[last:start]
                marked = [l for l in lines[:start] if l.strip()][-1:] == ["<!-- slow -->"]
                for cmd, printed in items:
                    if mode == "check" and (marked or slow(cmd)):
                        new += wrap("$ " + cmd) + ["    " + p if p else "" for p in printed]
                        continue
                    got = run(cmd, build, tmp, mode == "update")
                    head = "$ " + cmd
                    new += wrap(head)
                    new += ["    " + g if g else "" for g in got]
                    if mode == "check":
                        want = [comparable(p) for p in printed]
                        have = [comparable(g) for g in got]
                        if want != have:
                            k = next((j for j in range(max(len(want), len(have)))
                                      if j >= len(want) or j >= len(have) or want[j] != have[j]), 0)
                            print("    %s: `%s`\n      doc:  %s\n      tool: %s" % (
                                doc, cmd, want[k] if k < len(want) else "(nothing)",
                                have[k] if k < len(have) else "(nothing)"))
                            bad += 1
                    else:
                        for name in re.findall(r"--plot (\S+\.png)", cmd):
                            shutil.copy(os.path.join(tmp, name), os.path.join("docs", "img", os.path.basename(name)))
                last = end
            new += lines[last:]
            if mode == "update":
                open(doc, "w", encoding="utf-8").write("\n".join(new))
        finally:
            shutil.rmtree(tmp)
    sys.exit(1 if bad else 0)


def wrap(head):
    """A long command over lines of at most 100 characters, continued with backslashes."""
    out = []
    cur = "    "
    for w in head.split(" "):
        if len(cur) + 1 + len(w) > 97 and w.startswith("--") and cur.strip():
            out.append(cur + " \\")
            cur = "        " + w
        else:
            cur = cur + (" " if cur.strip() else "") + w
    out.append(cur)
    return out


if __name__ == "__main__":
    main()
