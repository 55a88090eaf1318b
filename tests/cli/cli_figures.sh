#!/bin/sh
# tests/cli/cli_figures.sh -- what the figures show (issue 10), read from the .dat and .gp the
# tool writes and from the points gnuplot draws (gnuplot -e 'tablefile="t"' FIG.gp writes them
# instead of the figure; tests/cli/figcheck.py reads them):
#   heat map: one cell centred on every grid value, axes spanning the cells, viridis, readable
#     colour-bar ticks whatever the range, contours on request;
#   log y axis: clipped six decades below the largest value, the legend naming a component that
#     leaves it, --ymin/--ymax override;
#   compare: theory as a line, simulation with 2-se bars, a tight range, the z-scores below;
#   families of curves (--plot-kind curves-N / curves-M), --y, excess by default when the noise
#     dominates, the parameters in the title, pdf and --size, the script beside every figure;
#   the Monte Carlo parts, --band and --per-run; fit --plot.
# Prints one ok/FAIL line per case and "cli_figures: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CHECK="/usr/bin/python3 $HERE/figcheck.py"
cli_begin cli_figures

if ! command -v gnuplot >/dev/null 2>&1; then
  ok "figures # skipped: gnuplot is not installed"
  echo "cli_figures: $passed passed, $failed failed"
  exit 0
fi

# draw NAME ARGS...: riskcalc ARGS --plot NAME.png (quietly), then the points of NAME.gp.
draw() {
  d_name=$1
  shift
  rm -f "$d_name".png "$d_name".gp "$d_name".dat "$d_name".pts
  $LIMIT "$R" "$@" --plot "$d_name.png" >"$d_name.tsv" 2>"$d_name.err"
  d_rc=$?
  [ $d_rc -le 1 ] && gnuplot -e "tablefile=\"$d_name.pts\"" "$d_name.gp" 2>"$d_name.gperr"
  return $d_rc
}
# fig NAME CHECK ARGS...: figcheck.py on NAME's script and points.
fig() {
  f_name=$1
  shift
  [ -s "$f_name.gp" ] && [ -s "$f_name.pts" ] && $CHECK "$f_name.gp" "$f_name.pts" "$@"
}

# ---------------------------------------------------------------- heat map
# --M 16,64 --N 1e2:1e3:3: six values; the old pm3d map drew two shifted rectangles.
draw heat linear --a 1.5 --d 60 --M 16,64 --N 1e2:1e3:3
check "heat map: exit 0" test $? -eq 0 -a -s heat.png
check "heat map: one box per grid value, centred, tiling the axes" fig heat cells
check "heat map: 6 cells" test "$(grep -c ' i$' heat.pts)" -eq 6
check "heat map: viridis palette, not the rainbow" sh -c "grep -q '#440154' heat.gp && grep -q '#FDE725' heat.gp && ! grep -q 'rgb 33,13,10' heat.gp"
check "heat map: at least 4 labelled colour-bar ticks (range within a decade)" fig heat tics cb 4
check "heat map: ticks at the grid values" sh -c "grep -q '^set xtics (\"100\" 100, \"316\" 316, \"1000\" 1e3)' heat.gp && grep -q '^set ytics (\"16\" 16, \"64\" 64)' heat.gp"
check "heat map: nothing gnuplot complains about" test ! -s heat.gperr
draw heatw linear --method de --a 1.5 --d inf --M 1e1:1e3:9 --N 1e2:1e7:21 --sigma2 0 --y bias --contours
check "wide heat map (bias over 7 decades): cells" fig heatw cells
check "wide heat map: at least 4 labelled colour-bar ticks" fig heatw tics cb 4
check "wide heat map: many N values get log ticks" fig heatw tics x 4
check "contours: drawn from the grid, at the colour bar's values" sh -c "grep -q 'set cntrparam levels discrete' heatw.gp && grep -q 'contours using (10\*\*\$1)' heatw.gp && [ \$(grep -c '^ [0-9.e+-]*  [0-9.e+-]*  i\$' heatw.pts) -gt 10 ]"
check "a heat map of the values below the colour bar says so" grep -q 'below the colour bar' heatw.gp

# ---------------------------------------------------------------- log y axis
# The bias of a constant step underflows (to 1e-30 and below at N = 1e7): the axis stops six
# decades below the largest value and the legend says from where the bias leaves it.
draw clip linear --a 1.5 --d 200 --M 64 --N 1e2:1e7:11 --schedule const --gamma 0.3 --sigma2 0
check "log axis: exit 0" test $? -eq 0
check "log axis: at most 6.7 decades shown (six and the margins)" fig clip decades 6.7
check "log axis: the legend says where the bias leaves the axis" grep -q "title 'bias (below [0-9.e-]* from N = [0-9]* on)'" clip.gp
check "log axis: every other point visible" fig clip visible
check "log axis: labelled ticks" fig clip tics y 4
draw clipo linear --a 1.5 --d 200 --M 64 --N 1e2:1e7:11 --schedule const --gamma 0.3 --sigma2 0 --ymin 1e-3 --ymax 2
check "--ymin/--ymax override the range" grep -q '^set yrange \[1e-3:2\]' clipo.gp
err_case "--ymin without --plot" "needs --plot" linear --a 1.5 --d 60 --M 8 --N 10 --ymin 1e-3
err_case "--ymin above --ymax" "--ymin" linear --a 1.5 --d 60 --M 8 --N 10 --ymin 1 --ymax 0.1 --plot x.png

# ---------------------------------------------------------------- compare
# Data within a factor 1.3: the old figure spanned a decade and hid the points under theory
# markers with 1-se bars.
draw cmp compare linear --a 1.5 --d 100 --M 16 --N 1e3:1e4:4 --sigma2 0.1 --runs 200
check "compare figure: exit 0" test $? -eq 0
check "compare figure: the theory is a line" grep -q "smooth unique with lines lw 2.5 lc rgb '#[0-9A-F]*' title 'risk: theory'" cmp.gp
check "compare figure: the simulation has 2-se error bars" grep -q 'using 1:4:(2\*\$5) with yerrorbars' cmp.gp
check "compare figure: a tight value axis" fig cmp tight 1.2
check "compare figure: every point visible" fig cmp visible
check "compare figure: the lower panel draws every z of the table" fig cmp zpanel cmp.tsv 6
check "compare figure: the band |z| <= 2 and the threshold" sh -c "grep -q '2 with filledcurves y=-2' cmp.gp && grep -q '^  4 with lines' cmp.gp"
draw cmpp compare linear --a 1.5 --d 100 --M 8,16 --N 10,100,1000 --runs 100 --y risk,bias,variance
check "compare, grid: a family with the parts" sh -c "grep -q \"title 'M = 8'\" cmpp.gp && grep -q \"title 'variance\" cmpp.gp"
check "compare, grid: every z drawn (risk)" fig cmpp zpanel cmpp.tsv 6
check "compare, grid: every z drawn (variance)" fig cmpp zpanel cmpp.tsv 18

# ---------------------------------------------------------------- families, --y, caption
draw famN linear --method de --a 1.5 --d inf --M 10,100,1000 --N 1e2:1e6:9 --sigma2 0 --plot-kind curves-N --y risk
check "curves-N: one curve per M" fig famN curves 3
check "curves-N: legends M = ..." sh -c "grep -q \"title 'M = 10'\" famN.gp && grep -q \"title 'M = 1000'\" famN.gp"
check "curves-N: every point visible" fig famN visible
draw famM linear --method de --a 1.5 --d inf --M 10,100,1000 --N 1e2:1e6:9 --sigma2 0 --plot-kind curves-M --y risk,bias
check "curves-M: one curve per N and quantity (18)" fig famM curves 18
check "curves-M: abscissa M" grep -q "set xlabel 'M (model size)'" famM.gp
err_case "--plot-kind unknown" "curves-N, curves-M, heatmap" linear --a 1.5 --d 60 --M 8,16 --N 10,100 --plot x.png --plot-kind bars
err_case "--plot-kind heatmap needs a grid" "grid" linear --a 1.5 --d 60 --M 8 --N 10,100 --plot x.png --plot-kind heatmap
err_case "--y unknown name" "not one of risk, excess, approx, bias, variance" linear --a 1.5 --d 60 --M 8 --N 10 --plot x.png --y noise
err_case "--y: a heat map draws one quantity" "one quantity" linear --a 1.5 --d 60 --M 8,16 --N 10,100 --plot x.png --y bias,variance
check "bad figure options refused before any file is written" test ! -e x.png -a ! -e x.gp -a ! -e x.dat
# sigma2 = 1 is more than half of the risk: excess (column 6) instead of risk (column 7).
draw noisy linear --a 1.5 --d 60 --M 8 --N 10:1000:3
check "excess by default when the noise dominates" sh -c "grep -q 'using 1:6 ' noisy.gp && ! grep -q 'using 1:7 ' noisy.gp && grep -q 'excess shown' noisy.gp"
draw noisyr linear --a 1.5 --d 60 --M 8 --N 10:1000:3 --y risk
check "--y risk draws the risk" sh -c "grep -q 'using 1:7 ' noisyr.gp && grep -q 'noise σ² = 1' noisyr.gp"
draw parts linear --a 1.5 --d 60 --M 8 --N 10:1000:3 --sigma2 0.1 --y bias,variance
check "--y bias,variance draws those two only" sh -c "[ \$(grep 'with linespoints' parts.gp | grep -c \"title '\") -eq 2 ] && ! grep -q 'using 1:[367] ' parts.gp && grep -q 'using 1:4 ' parts.gp && grep -q 'using 1:5 ' parts.gp"
check "the parameters in the title" grep -q "^set title 'sketched linear regression, one-pass SGD (exact)'.\"\\\\012\".'a = 1.5, d = 60, geometric schedule γ = 0.1, σ² = 0.1, seed 1, M = 8'" parts.gp

# ---------------------------------------------------------------- formats and size
rm -f f.pdf f.gp f.dat
"$R" linear --a 1.5 --d 60 --M 8 --N 10:1000:3 --plot f.pdf --size 4,3 >/dev/null 2>&1
check "pdf: a PDF file, by pdfcairo, in inches" sh -c "[ \"\$(head -c 4 f.pdf)\" = '%PDF' ] && grep -q 'pdfcairo size 4in,3in' f.gp"
"$R" linear --a 1.5 --d 60 --M 8 --N 10:1000:3 --plot s.png --size 640,480 >/dev/null 2>&1
check "--size 640,480: a 640 x 480 PNG" test "$(od -An -tu1 -j16 -N8 s.png | tr -s ' ')" = " 0 0 2 128 0 0 1 224"
err_case "--size junk" "--size" linear --a 1.5 --d 60 --M 8 --N 10 --plot s.png --size big
err_case "--size of a pdf in inches" "inches" linear --a 1.5 --d 60 --M 8 --N 10 --plot s.pdf --size 960,640
# The script stays beside every figure kind and redraws it.
for k in heat heatw clip cmp cmpp famN famM noisy parts; do
  rm -f "$k.png"
  gnuplot "$k.gp" 2>/dev/null
  check "gnuplot $k.gp redraws $k.png" test -s "$k.png"
done

# ---------------------------------------------------------------- Monte Carlo parts, band, per-run
"$R" linear --method mc --a 1.5 --d 100 --M 16 --N 10,100,1000 --runs 300 --band --per-run runs.tsv --plot mcb.png >mcb.tsv 2>/dev/null
check "mc --band --per-run: exit 0" test $? -eq 0 -a -s runs.tsv -a -s mcb.png
check "mc: parts appended after the contract's five columns, then the band, the sweep last" test "$(rows mcb.tsv | head -n 1)" = "$(printf 'N\tM\trisk\trisk_se\truns\tapprox\tapprox_se\tbias\tbias_se\tvariance\tvariance_se\trisk_q10\trisk_q90\tgamma\tbatch\tsigma2')"
check "per-run table: N M run risk gamma batch sigma2, runs x N rows" sh -c "[ \"\$(grep -v "^#" runs.tsv | head -n 1)\" = \"\$(printf 'N\tM\trun\trisk\tgamma\tbatch\tsigma2')\" ] && [ \$(grep -v "^#" runs.tsv | sed 1d | wc -l) -eq 900 ]"
check "per-run: the mean of the runs is the risk column, the quantiles the band" python3 -c "
import statistics as st
rows = [l.split('\t') for l in open('runs.tsv') if l[0].isdigit()]
tab = [l.split('\t') for l in open('mcb.tsv') if l[0].isdigit()]
def q(v, p):
    v = sorted(v); pos = p * (len(v) - 1); i = int(pos)
    return v[i] + (pos - i) * (v[i + 1] - v[i]) if i + 1 < len(v) else v[-1]
for t in tab:
    r = [float(x[3]) for x in rows if x[0] == t[0]]
    assert len(r) == 300
    assert abs(st.fmean(r) - float(t[2])) <= 1e-12 * float(t[2]), (st.fmean(r), t[2])
    assert abs(st.stdev(r) / 300 ** 0.5 - float(t[3])) <= 1e-9 * float(t[3])
    assert abs(q(r, 0.1) - float(t[11])) <= 1e-12 * float(t[11]) and abs(q(r, 0.9) - float(t[12])) <= 1e-12 * float(t[12])
"
check "mc figure: the band drawn between the quantile columns" grep -q 'using 1:12:13 with filledcurves' mcb.gp
check "mc figure: parts with 2-se bars" sh -c "grep -q 'using 1:8:(2\*\$9) with yerrorbars' mcb.gp && grep -q 'using 1:10:(2\*\$11) with yerrorbars' mcb.gp"
err_case "--per-run with --method exact" "--method mc" linear --a 1.5 --d 60 --M 8 --N 10 --per-run r.tsv
err_case "--band with compare" "belongs to riskcalc linear --method mc" compare linear --a 1.5 --d 60 --M 8 --N 10 --band
err_case "--per-run onto --output" "--per-run" linear --method mc --a 1.5 --d 60 --M 8 --N 10 --per-run o.tsv --output o.tsv

# ---------------------------------------------------------------- fit --plot
"$R" linear --method de --a 1.5 --d inf --M 1e1:1e4:13 --N 1e6 --output m.tsv 2>/dev/null
draw fitp fit m.tsv --x M --y approx
check "fit --plot: exit 0" test $? -eq 0 -a -s fitp.png
check "fit --plot: its data are the points, with the fit and the residual" sh -c "[ \"\$(grep -v "^#" fitp.dat | head -n 1)\" = \"\$(printf 'x\ty\tse\tx2\tfit\tfit_lo\tfit_hi\tresidual')\" ] && [ \$(grep -v "^#" fitp.dat | sed 1d | wc -l) -eq 13 ]"
check "fit --plot: fit = c x^-e of the table, residual = (y - fit) / fit" python3 -c "
t = {l.split('\t')[0]: float(l.split('\t')[1]) for l in open('fitp.tsv') if not l.startswith('#') and not l.startswith('parameter')}
for l in open('fitp.dat'):
    if not l[0].isdigit(): continue
    x, y, se, x2, f, lo, hi, r = map(float, l.split('\t'))
    assert abs(f - t['prefactor'] * x ** -t['exponent']) <= 1e-12 * f
    assert abs(r - (y - f) / f) <= 1e-12 and lo < f < hi
"
check "fit --plot: curve, band and residual panel" sh -c "grep -q '^f(x, v) = floor + c \* x\*\*(-e)' fitp.gp && grep -q 'flo(x, 0)' fitp.gp && grep -q 'rlo(x, 0)' fitp.gp"
check "fit --plot: every point visible" fig fitp visible
draw fitj fit m.tsv --x M --y approx --se approx --se-relative
check "fit --plot with --se: 2-se error bars" grep -q 'using 1:2:(2\*\$3) with yerrorbars' fitj.gp
draw fitg fit "$HERE/golden/fixtures/grid.tsv" --joint --x M --x2 N --y risk
check "fit --joint --plot: one curve per x2" sh -c "grep -q \"title 'N = 100'\" fitg.gp && grep -q \"title 'N = 100000'\" fitg.gp"

echo "cli_figures: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
