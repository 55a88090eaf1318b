"""The ctypes structures of python/riskcalc/_lib.py have the C layout: every field's offset and
every structure's size equal what the C compiler gives through the public headers; and the
package finds its library as documented (RISKCALC_LIB, else the build tree)."""
import ctypes
import os
import subprocess
import sys
import tempfile

import harness
from harness import case, ROOT

from riskcalc import _lib


@case("every mirrored structure has the C sizes and field offsets")
def _():
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <riskcalc/riskcalc.h>",
             "int main(void) {"]
    for cname, cls in _lib.STRUCTS.items():
        lines.append('  printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
        for field, _ in cls._fields_:
            cfield = {"lam": "lambda", "lambda_": "lambda"}.get(field, field)  # Python keywords
            ctype = "rc_measure" if cname == "rc_measure" else cname
            lines.append('  printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (cname, field, ctype,
                                                                             cfield))
    lines += ["  return 0;", "}"]
    d = tempfile.mkdtemp(prefix="rc_abi_")
    src, exe = os.path.join(d, "abi.c"), os.path.join(d, "abi")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    gsl = subprocess.run(["pkg-config", "--cflags", "gsl"], capture_output=True,
                         text=True).stdout.split()
    subprocess.run(["cc", "-std=c11", "-I" + os.path.join(ROOT, "include")] + gsl +
                   [src, "-o", exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.split("\n")
    c = dict(line.split() for line in out if line)
    checked = 0
    for cname, cls in _lib.STRUCTS.items():
        assert int(c[cname]) == ctypes.sizeof(cls), (cname, c[cname], ctypes.sizeof(cls))
        for field, _ in cls._fields_:
            key = "%s.%s" % (cname, field)
            assert int(c[key]) == getattr(cls, field).offset, (key, c[key])
            checked += 1
    assert checked > 60, checked


@case("every mirrored structure mirrors every field the header declares (none missing)")
def _():
    import glob
    import re
    text = ""
    for h in sorted(glob.glob(os.path.join(ROOT, "include", "riskcalc", "*.h"))):
        text += open(h).read() + "\n"
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    checked = 0
    for cname, cls in _lib.STRUCTS.items():
        m = re.search(r"typedef\s+struct\s*\w*\s*\{([^{}]*)\}\s*" + re.escape(cname) + r"\s*;", text)
        if not m:
            continue  # an opaque or nested type: the offsets case covers what is mirrored
        names = []
        for decl in m.group(1).split(";"):
            decl = decl.strip()
            if not decl:
                continue
            fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)
            if fp:  # a function pointer member
                names.append(fp.group(1))
                continue
            parts = decl.split(",")
            first = re.findall(r"(\w+)\s*(?:\[[^\]]*\])*\s*$", parts[0])
            assert first, (cname, decl)
            names.append(first[0])
            for extra in parts[1:]:
                names.append(re.findall(r"(\w+)\s*(?:\[[^\]]*\])*\s*$", extra)[0])
        mirrored = [{"lam": "lambda", "lambda_": "lambda"}.get(f, f) for f, _ in cls._fields_]
        assert names == mirrored, (cname, names, mirrored)
        checked += 1
    assert checked >= 5, checked


@case("RISKCALC_LIB selects the library; a wrong path is an ImportError naming it")
def _():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    p = subprocess.run([sys.executable, "-c", "import riskcalc; print(riskcalc.library_path)"],
                       env=env, capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip() == os.environ["RISKCALC_LIB"], p
    env["RISKCALC_LIB"] = "/nonexistent/libriskcalc.so"
    p = subprocess.run([sys.executable, "-c", "import riskcalc"], env=env, capture_output=True,
                       text=True)
    assert p.returncode != 0 and "/nonexistent/libriskcalc.so" in p.stderr, p.stderr[-300:]


@case("without RISKCALC_LIB the build tree's library is found (python/../build)")
def _():
    if not os.path.exists(os.path.join(ROOT, "build", "libriskcalc.so")):
        raise AssertionError("no build/libriskcalc.so: run make")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    env.pop("RISKCALC_LIB")
    p = subprocess.run([sys.executable, "-c", "import riskcalc; print(riskcalc.library_path)"],
                       env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert os.path.samefile(p.stdout.strip(), os.path.join(ROOT, "build", "libriskcalc.so"))


@case("riskcalc.version() is the library's rc_version(), the tool's --version")
def _():
    import riskcalc
    _, out, _ = harness.tool("--version")
    assert out.strip() == "riskcalc " + riskcalc.version()


harness.finish("test_python_abi")
