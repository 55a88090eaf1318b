"""docs/examples/*.py run as a reader runs them (PYTHONPATH=python /usr/bin/python3 FILE OUT),
write their figure, and risk_vs_N.py prints the table of docs/img/fig_curves.png's command digit
for digit."""
import glob
import os
import subprocess
import sys
import tempfile

import harness
from harness import case, ROOT

TMP = tempfile.mkdtemp(prefix="rc_example_")


def run(path, out):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    p = subprocess.run([sys.executable, path, out], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


examples = sorted(glob.glob(os.path.join(ROOT, "docs", "examples", "*.py")))


@case("docs/examples has notebook-style scripts (%d)" % len(examples))
def _():
    assert examples


for path in examples:
    name = os.path.basename(path)

    @case("%s runs and writes its figure" % name)
    def _(path=path, name=name):
        out = os.path.join(TMP, name[:-3] + ".png")
        stdout = run(path, out)
        assert os.path.getsize(out) > 1000, out
        with open(out, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        if name == "risk_vs_N.py":
            rows = [l.split("\t") for l in stdout.splitlines() if l and not l.startswith("#")]
            # the command of docs/img/fig_curves.png (docs/figures/figures.sh)
            _, columns, tool_rows = harness.tool_table(
                "linear", "--a", "1.5", "--d", "1000", "--M", "64", "--N", "1e2:1e5:13",
                "--gamma", "0.1", "--sigma2", "0.1")
            assert rows == tool_rows, (rows[:2], tool_rows[:2])
            assert "# columns: " + " ".join(columns) in stdout


harness.finish("test_python_example")
