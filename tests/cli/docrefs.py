"""Checks the documentation's references (issue 14); used by tests/cli/cli_doc_refs.sh.

usage: python3 docrefs.py ROOT refs|figures

refs: every reference in docs/*.md, README.md and the comments and strings of src/, include/
and docs/figures/ resolves:
  - "X.md section N", "X.md sections N and M", "X.md §N", "§N-M", "§3.1": docs/X.md has a
    heading "## N." ("### 3.1"); a bare "section N" / "§N" in a doc means that doc;
  - "X.md "Title"" / "X.md, "Title"": docs/X.md has a heading containing Title;
  - a named docs/X.md exists;
  - Markdown links and images [..](target) that are not URLs: the file exists, and a
    "#anchor" is the GitHub slug of one of its headings.
figures: every image a doc or the README shows exists in docs/img/ and is written, by name, by
  a script in docs/figures/; every file of docs/img/ is shown by a doc; every script of
  docs/figures/ is run by `make figures`.
Prints one line per problem; exit 1 when there is any.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = sys.argv[1]
MODE = sys.argv[2]
problems = []


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def headings(path):
    """(number, title) of every Markdown heading of a file, outside code blocks."""
    out = []
    fence = False
    for line in read(path).split("\n"):
        if line.startswith("```"):
            fence = not fence
        if fence:
            continue
        m = re.match(r"(#{1,6}) +(.*)", line)
        if m:
            title = m.group(2).strip()
            num = re.match(r"(?:§\s*)?(\d+(?:\.\d+)*)\.?\s", title + " ")
            out.append((num.group(1) if num else None, title))
    return out


def titles(path):
    """Headings and the bold lead-ins of paragraphs ("**Caution with exact data.**")."""
    return [t for _, t in headings(path)] + re.findall(r"^\*\*([^*]+)\*\*", read(path), re.M)


def slug(title):
    s = title.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def doc_path(name, here):
    """docs/X.md for a name X.md or docs/X.md; README.md at the root."""
    base = os.path.basename(name)
    if base == "README.md" and "docs/" not in name:
        return os.path.join(ROOT, "README.md")
    if name.startswith("/"):
        return name
    return os.path.join(ROOT, "docs", base)


def check_section(target, num, where):
    if not os.path.exists(target):
        problems.append("%s: cites %s, which does not exist" % (where, os.path.relpath(target, ROOT)))
        return
    nums = {n for n, _ in headings(target) if n}
    if num not in nums:
        problems.append("%s: %s has no section %s" % (where, os.path.relpath(target, ROOT), num))


SEC = re.compile(
    r"(?:((?:docs/)?[A-Za-z_]+\.md)[,]?\s+(?:\([^)]*\)\s+)?)?"
    r"(sections?|§)\s*(\d+(?:\.\d+)*)((?:\s*(?:,|and|-|–|to)\s*§?\d+(?:\.\d+)*)*)"
)
TITLE = re.compile(r"((?:docs/)?[A-Za-z_]+\.md),?\s+\"([^\"]+)\"")
NAMED = re.compile(r"(?<![\w/.])((?:docs/)[A-Za-z_]+\.md)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def flatten(text, code):
    """One line per paragraph-ish unit: comment markers and wraps removed."""
    if code:
        text = re.sub(r"\"\s*\n\s*\"", "", text)  # adjacent C string literals
        text = re.sub(r"\n\s*(?:\*(?!/)|//|#)?\s*", " ", text)
    else:
        text = re.sub(r"\n(?!\n)", " ", text)
    return text


def scan(path, code):
    where = os.path.relpath(path, ROOT)
    text = flatten(read(path), code)
    here_doc = path if path.endswith(".md") else None
    for m in SEC.finditer(text):
        name, word, first, rest = m.groups()
        if name:
            target = doc_path(name, path)
        elif here_doc:
            target = here_doc
        else:
            continue  # a bare "section N" in code names no document
        if name and name.endswith("README.md") and not here_doc:
            continue
        nums = [first] + re.findall(r"\d+(?:\.\d+)*", rest or "")
        if rest and re.search(r"-|–|to", rest):
            lo, hi = int(first.split(".")[0]), int(nums[-1].split(".")[0])
            nums = [str(k) for k in range(lo, hi + 1)] if "." not in first else nums
        for n in nums:
            check_section(target, n, where + ' ("%s")' % m.group(0).strip())
    for m in TITLE.finditer(text):
        target = doc_path(m.group(1), path)
        if not os.path.exists(target):
            problems.append("%s: cites %s, which does not exist" % (where, m.group(1)))
        elif not any(m.group(2).lower() in t.lower() for t in titles(target)):
            problems.append('%s: %s has no heading "%s"' % (where, m.group(1), m.group(2)))
    for m in NAMED.finditer(text):
        if not os.path.exists(os.path.join(ROOT, m.group(1))):
            problems.append("%s: names %s, which does not exist" % (where, m.group(1)))
    if code:
        return
    for m in LINK.finditer(read(path)):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
        if not os.path.exists(dest):
            problems.append("%s: link %s: no such file" % (where, target))
        elif anchor and dest.endswith(".md") and anchor not in {slug(t) for _, t in headings(dest)}:
            problems.append("%s: link %s: no such heading" % (where, target))


def docs():
    return sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) + [os.path.join(ROOT, "README.md")]


if MODE == "refs":
    for p in docs():
        scan(p, False)
    code = []
    for pat in ("src/*/*.[ch]", "include/riskcalc/*.h", "docs/figures/*.sh", "docs/figures/*.c"):
        code += sorted(glob.glob(os.path.join(ROOT, pat)))
    for p in code:
        scan(p, True)
elif MODE == "figures":
    scripts = sorted(glob.glob(os.path.join(ROOT, "docs", "figures", "*.sh")))
    bodies = {s: read(s) for s in scripts}
    # a script that reruns a doc's worked examples (outputs.py) draws the --plot of each
    for s in scripts:
        for doc in set(re.findall(r"docs/[A-Za-z_]+\.md", bodies[s])):
            if "outputs.py" in bodies[s] and os.path.exists(os.path.join(ROOT, doc)):
                cmds = re.findall(r"^    \$ riskcalc (?:.*\\\n)*.*", read(os.path.join(ROOT, doc)), re.M)
                bodies[s] += "\n" + "\n".join(cmds)
    for p in docs():
        for m in re.finditer(r"(?:docs/)?img/([A-Za-z0-9_.-]+\.(?:png|svg|pdf))", read(p)):
            name = m.group(1)
            where = os.path.relpath(p, ROOT)
            if not os.path.exists(os.path.join(ROOT, "docs", "img", name)):
                problems.append("%s: shows img/%s, which does not exist" % (where, name))
            if not any(re.search(r"(?<![\w.-])" + re.escape(name), b) for b in bodies.values()):
                problems.append("%s: img/%s is drawn by no script in docs/figures/" % (where, name))
    shown = "\n".join(read(p) for p in docs())
    for img in sorted(glob.glob(os.path.join(ROOT, "docs", "img", "*"))):
        if "img/" + os.path.basename(img) not in shown:
            problems.append("docs/img/%s is shown by no doc (make figures would not redraw it)"
                            % os.path.basename(img))
    made = subprocess.run(["make", "-n", "-C", ROOT, "figures"], capture_output=True, text=True)
    if made.returncode != 0:
        problems.append("make -n figures fails: " + made.stderr.strip().split("\n")[-1])
    for s in scripts:
        if os.path.relpath(s, ROOT) not in made.stdout:
            problems.append("make figures does not run %s" % os.path.relpath(s, ROOT))
else:
    sys.exit("usage: docrefs.py ROOT refs|figures")

for p in problems:
    print("    " + p)
sys.exit(1 if problems else 0)
