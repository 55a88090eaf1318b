#!/bin/sh
# The figures of docs/FIGURES.md: every figure kind of the tool, drawn by the tool itself.
# usage: sh docs/figures/figures.sh [BUILD]   (after `make`; from the repository root)
# Writes docs/img/fig_*.png; the tables, .dat and .gp files go to BUILD/figures/.
set -eu
R=${1:-build}/riskcalc
out=${1:-build}/figures
mkdir -p "$out" docs/img
S="--size 800,520"
fig() { # NAME.png ARGS...: riskcalc ARGS --plot docs/img/NAME.png, the rest kept in $out
  name=${1%.png}
  shift
  "$R" "$@" $S --plot "$out/$name.png" --output "$out/$name.tsv" 2>>"$out/stderr.txt"
  cp "$out/$name.png" docs/img/
}
fig fig_curves.png linear --a 1.5 --d 1000 --M 64 --N 1e2:1e5:13 --gamma 0.1 --sigma2 0.1
fig fig_clip.png linear --a 1.5 --d 200 --M 64 --N 1e2:1e7:11 --schedule const --gamma 0.3 --sigma2 0
fig fig_curves_M.png linear --method de --a 1.5 --d inf --M 1e1:1e4:13 --N 1e4 --sigma2 0.1
fig fig_family_N.png linear --method de --a 1.5 --d inf --M 10,32,100,316,1000 --N 1e2:1e6:17 --sigma2 0.1 --plot-kind curves-N --y risk
fig fig_family_M.png linear --method de --a 1.5 --d inf --M 1e1:1e3:9 --N 1e2,1e3,1e4,1e5,1e6 --sigma2 0.1 --plot-kind curves-M --y risk,variance
fig fig_heatmap.png linear --method de --a 1.5 --d inf --M 1e1:1e3:9 --N 1e2:1e6:17 --sigma2 0.1 --y risk --contours
fig fig_mc.png linear --method mc --a 1.5 --d 200 --M 32 --N 1e1:1e4:7 --sigma2 0.1 --runs 400 --band
fig fig_compare.png compare linear --a 1.5 --d 200 --M 32 --N 1e1:1e4:7 --sigma2 0.1 --runs 400
fig fig_compare_parts.png compare linear --a 1.5 --d 200 --M 8,32 --N 1e1:1e4:7 --sigma2 0.1 --runs 200 --y risk,bias,variance
"$R" linear --method de --a 1.5 --d inf --M 1e1:1e4:13 --N 1e6 --output "$out/m.tsv"
fig fig_fit.png fit "$out/m.tsv" --x M --y approx
"$R" linear --a 1.5 --d 2000 --M 20,40,80,160 --N 1e2:1e5:8 --sigma2 0 --output "$out/lin.tsv"
fig fig_fit_joint.png fit "$out/lin.tsv" --joint --x M --x2 N --y risk
fig fig_optimal.png optimal --a 1.5 --C 1e4:1e8:9
echo "wrote docs/img/fig_*.png (tables and scripts in $out)"
