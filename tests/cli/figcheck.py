#!/usr/bin/python3
"""tests/cli/figcheck.py -- reads what a riskcalc figure draws, for tests/cli/cli_figures.sh.

    figcheck.py SCRIPT.gp DUMP CHECK [ARGS...]

DUMP is what `gnuplot -e 'tablefile="DUMP"' SCRIPT.gp` wrote (gnuplot's set table: every
plotted point of every curve, with its title). The script's `set xrange`, `set yrange`,
`set cbrange` and `set ?tics (...)` lines give the ranges and ticks of each plot command, in
order. Each CHECK prints nothing and exits 0 when it holds, else prints why and exits 1:

    visible              every finite point of every curve of every plot lies within that
                         plot's x and y ranges, unless the curve's title says it leaves the
                         axis ("below", "above", "outside")
    cells                a heat map: one box per grid value, centred on it (in log), boxes
                         tiling the x and y ranges exactly (up to the 0.1% overlap drawn)
    tics AXIS K          at least K labelled ticks of AXIS (x, y, cb) inside its range
    decades MAX          the (first) y range spans at most MAX decades
    ratio MAX            the (first) y range's hi/lo is at most MAX
    tight F              the (first) y range spans at most F times the (log) span of the points
                         drawn in the first plot
    curves N             the first plot has N curves with at least one point drawn
    zpanel TSV ZCOL      the second plot's points are the z column ZCOL (1-based) of TSV
"""
import math
import re
import sys


def parse_script(path):
    """The ranges and ticks in force at each plot command, in order."""
    plots, state = [], {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"set (x|y|cb)range \[([^:\]]*):([^\]]*)\]", line)
        if m:
            state[m.group(1) + "range"] = (float(m.group(2)), float(m.group(3)))
        m = re.match(r"set (x|y|cb)tics \((.*)\)\s*$", line)
        if m:
            tics = re.findall(r'"([^"]*)" ([-+0-9.eE]+)( 1)?', m.group(2))
            state[m.group(1) + "tics"] = [(lab, float(v), bool(minor)) for lab, v, minor in tics]
        if line.startswith("plot "):
            plots.append(dict(state))
    return plots


def parse_dump(path):
    """Plots (a list each) of curves: {'title': str, 'cols': [...], 'rows': [[float]]}."""
    plots, curve = [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r"# Curve (\d+) of (\d+)", line)
        if m:
            if m.group(1) == "0":
                plots.append([])
            curve = {"title": "", "cols": [], "rows": []}
            plots[-1].append(curve)
            continue
        if curve is None:
            continue
        if line.startswith("# Curve title:"):
            curve["title"] = line.split(":", 1)[1].strip().strip('"')
        elif line.startswith("# "):
            curve["cols"] = line[2:].split()
        elif line.strip() and not line.startswith("#"):
            fields = line.split()
            row = []
            for f in fields:
                try:
                    row.append(float(f))
                except ValueError:
                    row.append(f)
            curve["rows"].append(row)
    return plots


def fail(msg):
    print("    " + msg)
    sys.exit(1)


def finite(v):
    return isinstance(v, float) and math.isfinite(v)


def check_visible(script, dump):
    for k, (ranges, curves) in enumerate(zip(script, dump)):
        xr, yr = ranges.get("xrange"), ranges.get("yrange")
        for c in curves:
            if any(w in c["title"] for w in ("below", "above", "outside")):
                continue
            for row in c["rows"]:
                if row[-1] != "i":  # gnuplot's own flag: i inside, o outside, u undefined
                    if row[-1] == "o":
                        fail("plot %d, curve '%s': point %s flagged outside" % (k, c["title"], row))
                    continue
                x, y = row[0], row[1]
                if xr and finite(x) and not xr[0] <= x <= xr[1]:
                    fail("plot %d, curve '%s': x = %g outside %s" % (k, c["title"], x, xr))
                if yr and finite(y) and not yr[0] <= y <= yr[1]:
                    fail("plot %d, curve '%s': y = %g outside %s" % (k, c["title"], y, yr))


def check_cells(script, dump):
    ranges, boxes = script[-1], [r for c in dump[-1] for r in c["rows"] if len(r) >= 7]
    xs = sorted({b[0] for b in boxes})
    ys = sorted({b[1] for b in boxes})
    if len(boxes) != len(xs) * len(ys):
        fail("%d boxes for %d x %d grid values" % (len(boxes), len(xs), len(ys)))
    for b in boxes:
        x, y, xlo, xhi, ylo, yhi = b[:6]
        if not (xlo < x < xhi and ylo < y < yhi):
            fail("box %s does not hold its value" % b[:6])
        # centred: exactly on a log-uniform grid, within a tenth of the cell's width otherwise
        if abs(math.log(math.sqrt(xlo * xhi) / x)) > 0.1 * math.log(xhi / xlo) or \
           abs(math.log(math.sqrt(ylo * yhi) / y)) > 0.1 * math.log(yhi / ylo):
            fail("box %s is not centred on its value" % b[:6])
    for vals, lo_i, hi_i, axis in ((xs, 2, 3, "x"), (ys, 4, 5, "y")):
        r = ranges[axis + "range"]
        tol = 0.007 * math.log(r[1] / r[0])  # the overlap drawn against seams
        edges = {}
        for b in boxes:
            v = b[0] if axis == "x" else b[1]
            edges[v] = (b[lo_i], b[hi_i])
        for a, c in zip(vals, vals[1:]):
            if abs(math.log(edges[a][1] / edges[c][0])) > tol:
                fail("%s cells of %g and %g do not meet: %g, %g" % (axis, a, c, edges[a][1], edges[c][0]))
            if edges[a][1] / edges[c][0] < 1 - 1e-9:
                fail("a gap between the %s cells of %g and %g" % (axis, a, c))
        if abs(math.log(edges[vals[0]][0] / r[0])) > tol or abs(math.log(edges[vals[-1]][1] / r[1])) > tol:
            fail("%s range %s is not the span of the cells [%g, %g]" % (axis, r, edges[vals[0]][0], edges[vals[-1]][1]))


def check_tics(script, axis, count):
    ranges = script[-1] if axis == "cb" else script[0]
    tics, r = ranges.get(axis + "tics"), ranges.get(axis + "range")
    if not tics or not r:
        fail("no explicit %s tics or range" % axis)
    inside = [t for t in tics if not t[2] and t[0] and r[0] <= t[1] <= r[1]]
    if len(inside) < count:
        fail("%d labelled %s ticks within %s: %s" % (len(inside), axis, r, tics))


def main():
    script, dump = parse_script(sys.argv[1]), parse_dump(sys.argv[2])
    check, args = sys.argv[3], sys.argv[4:]
    if check == "visible":
        check_visible(script, dump)
    elif check == "cells":
        check_cells(script, dump)
    elif check == "tics":
        check_tics(script, args[0], int(args[1]))
    elif check in ("decades", "ratio"):
        lo, hi = script[0]["yrange"]
        span = math.log10(hi / lo) if check == "decades" else hi / lo
        if span > float(args[0]):
            fail("y range [%g, %g]: %s %g > %s" % (lo, hi, check, span, args[0]))
    elif check == "tight":
        ys = [r[1] for c in dump[0] for r in c["rows"] if r[-1] == "i" and finite(r[1]) and r[1] > 0]
        for c in dump[0]:  # error bars and bands reach further than the points
            if "ylow" in c["cols"]:
                i, j = c["cols"].index("ylow"), c["cols"].index("yhigh")
                ys += [r[k] for r in c["rows"] for k in (i, j) if finite(r[k]) and r[k] > 0]
        lo, hi = script[0]["yrange"]
        data = math.log(max(ys) / min(ys))
        if math.log(hi / lo) > float(args[0]) * data + 1e-9:
            fail("y range [%g, %g] is not tight around the data [%g, %g]" % (lo, hi, min(ys), max(ys)))
    elif check == "curves":
        n = sum(1 for c in dump[0] if any(r[-1] == "i" for r in c["rows"]))
        if n != int(args[0]):
            fail("%d curves with points, expected %s" % (n, args[0]))
    elif check == "zpanel":
        rows = [l.rstrip("\n").split("\t") for l in open(args[0])
                if not l.startswith("#") and l[0].isdigit()]
        got = [(r[0], r[1]) for c in dump[1] for r in c["rows"] if r[-1] == "i"]
        for r in rows:
            x, z = float(r[0]), float(r[int(args[1]) - 1])
            if not any(abs(gx - x) <= 1e-6 * x and abs(gz - z) <= 1e-4 * max(1, abs(z)) for gx, gz in got):
                fail("z = %g at x = %g of the table is not drawn in the lower panel" % (z, x))
    else:
        fail("unknown check " + check)


if __name__ == "__main__":
    main()
