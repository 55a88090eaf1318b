#!/bin/sh
# The figures of docs/FIGURES.md: every figure kind of the tool, drawn by the tool itself.
# usage: sh docs/figures/figures.sh [BUILD]   (after `make`; from the repository root)
# Writes docs/img/fig_*.png; the tables, .dat and .gp files go to BUILD/figures/.
set -eu
R=${1:-build}/riskcalc
out=${1:-build}/figures
mkdir -p "$out" docs/img
S="--size 800,520"
fig() { # NAME ARGS...: riskcalc ARGS --plot docs/img/fig_NAME.png, the rest kept in $out
  name=$1
  shift
  "$R" "$@" $S --plot "$out/fig_$name.png" --output "$out/fig_$name.tsv" 2>>"$out/stderr.txt"
  cp "$out/fig_$name.png" docs/img/
}
fig curves linear --a 1.5 --d 1000 --M 64 --N 1e2:1e5:13 --gamma 0.1 --sigma2 0.1
fig clip linear --a 1.5 --d 200 --M 64 --N 1e2:1e7:11 --schedule const --gamma 0.3 --sigma2 0
fig curves_M linear --method de --a 1.5 --d inf --M 1e1:1e4:13 --N 1e4 --sigma2 0.1
fig family_N linear --method de --a 1.5 --d inf --M 10,32,100,316,1000 --N 1e2:1e6:17 --sigma2 0.1 --plot-kind curves-N --y risk
fig family_M linear --method de --a 1.5 --d inf --M 1e1:1e3:9 --N 1e2,1e3,1e4,1e5,1e6 --sigma2 0.1 --plot-kind curves-M --y risk,variance
fig heatmap linear --method de --a 1.5 --d inf --M 1e1:1e3:9 --N 1e2:1e6:17 --sigma2 0.1 --y risk --contours
fig mc linear --method mc --a 1.5 --d 200 --M 32 --N 1e1:1e4:7 --sigma2 0.1 --runs 400 --band
fig compare compare linear --a 1.5 --d 200 --M 32 --N 1e1:1e4:7 --sigma2 0.1 --runs 400
fig compare_parts compare linear --a 1.5 --d 200 --M 8,32 --N 1e1:1e4:7 --sigma2 0.1 --runs 200 --y risk,bias,variance
"$R" linear --method de --a 1.5 --d inf --M 1e1:1e4:13 --N 1e6 --output "$out/m.tsv"
fig fit fit "$out/m.tsv" --x M --y approx
"$R" linear --a 1.5 --d 2000 --M 20,40,80,160 --N 1e2:1e5:8 --sigma2 0 --output "$out/lin.tsv"
fig fit_joint fit "$out/lin.tsv" --joint --x M --x2 N --y risk
fig optimal optimal --a 1.5 --C 1e4:1e8:9
echo "wrote docs/img/fig_*.png (tables and scripts in $out)"
