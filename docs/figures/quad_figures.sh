#!/bin/sh
# Figures and fitted exponents of docs/QUAD.md section 7, drawn with the tool alone: the rates in
# the published regime (M = D(T)) and at a fixed step with a large model, the quadratic model
# against linear SGD with tuned steps, and the two phases. Tables go to build/figures/quad/,
# figures to docs/img/. usage: sh docs/figures/quad_figures.sh [BUILD]   (after `make`; about
# ten minutes on a loaded 2-core machine)
set -eu
build=${1:-build}
R=$build/riskcalc
out=$build/figures/quad
mkdir -p "$out" docs/img

# exponent NAME FILE: the fitted exponent of risk - sigma2 (sigma2 = 0.1) against T with its
# 95% interval, as "e [lo, hi]".
exponent() {
  "$R" fit "$2" --x T --y risk --floor 0.1 | awk -F'\t' '$1 == "exponent" {
    printf "%.4f [%.4f, %.4f]", $2, $4, $5 }'
}

# tied NAME ALPHA BETA C MLIST: M = D(T) = C T^(1/max(beta, (alpha+beta)/2)), each M at the
# horizon where D(T) = M + 1/2 (the midpoint-rule size of the discrete tail); one table row per M.
tied() {
  name=$1 a=$2 b=$3 c=$4
  shift 4
  e=$(awk -v a="$a" -v b="$b" 'BEGIN { print (b > (a + b) / 2 ? b : (a + b) / 2) }')
  first=1
  for M in "$@"; do
    T=$(awk -v M="$M" -v c="$c" -v e="$e" 'BEGIN { printf "%.0f", ((M + 0.5) / c) ^ e }')
    "$R" quad --alpha "$a" --beta "$b" --d inf --M "$M" --T "$T" --eta 0.02 >"$out/one.tsv"
    if [ $first -eq 1 ]; then
      grep '^#' "$out/one.tsv" | sed "s/^# command: .*/# command: (one run per M, see quad_figures.sh)/"
      grep -v '^#' "$out/one.tsv"
      first=0
    else
      grep -v '^#' "$out/one.tsv" | tail -n 1
    fi
  done >"$out/$name.tsv"
  rm -f "$out/one.tsv"
}

tied tied_gt 2.5 1.5 0.05 5 8 13 22 36 59 100 158
tied tied_le 1.5 2.5 0.25 10 16 25 40 63 100 158
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 200 --T 1e3:1e5:6 --eta 0.02 >"$out/fixed_gt.tsv"
"$R" quad --alpha 1.5 --beta 2.5 --d inf --M 200 --T 1e3:1e5:6 --eta 0.02 >"$out/fixed_le.tsv"
e_tgt=$(exponent tied_gt "$out/tied_gt.tsv")
e_tle=$(exponent tied_le "$out/tied_le.tsv")
e_fgt=$(exponent fixed_gt "$out/fixed_gt.tsv")
e_fle=$(exponent fixed_le "$out/fixed_le.tsv")
{
  echo "alpha 2.5 beta 1.5, M = D(T) = 0.05 T^(1/2):   exponent $e_tgt (published 0.25)"
  echo "alpha 1.5 beta 2.5, M = D(T) = 0.25 T^(1/2.5): exponent $e_tle (published 0.6)"
  echo "alpha 2.5 beta 1.5, eta 0.02, M 200:          exponent $e_fgt"
  echo "alpha 1.5 beta 2.5, eta 0.02, M 200:          exponent $e_fle"
} | tee "$out/exponents.txt"

gnuplot <<GP
set terminal pngcairo size 960,640 enhanced font 'sans,11'
set output "docs/img/quad_rates.png"
set datafile separator tab
set datafile columnheaders
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set grid
set key outside below
set title "quadratic model, twophase eta = 0.02, sigma2 = 0.1: risk - sigma2 against T (analytic)" noenhanced
set xlabel "T (SGD steps)"
set ylabel "risk - sigma^2"
plot "$out/tied_gt.tsv" u 1:(\$7 - 0.1) w lp lw 2 pt 5 t "alpha 2.5, beta 1.5, M = D(T): slope -$e_tgt (published -0.25)", \
     "$out/tied_le.tsv" u 1:(\$7 - 0.1) w lp lw 2 pt 7 t "alpha 1.5, beta 2.5, M = D(T): slope -$e_tle (published -0.6)", \
     "$out/fixed_gt.tsv" u 1:(\$7 - 0.1) w lp lw 2 dt 2 pt 4 t "alpha 2.5, beta 1.5, M = 200: slope -$e_fgt (front with its logarithm)", \
     "$out/fixed_le.tsv" u 1:(\$7 - 0.1) w lp lw 2 dt 2 pt 6 t "alpha 1.5, beta 2.5, M = 200: slope -$e_fle (front ahead of D(T))"
GP

# the quadratic model against linear SGD, each with its step tuned per T
"$R" compare quad-vs-linear --alpha 2.5 --beta 1.5 --d inf --M 300 --T 1e3:1e5:5 \
  --output "$out/vs_gt.tsv" --plot "$out/quad_vs_linear_gt.png" 2>&1 | tee "$out/vs_gt.txt"
"$R" compare quad-vs-linear --alpha 1.5 --beta 2.5 --d inf --M 100 --T 1e3:1e5:5 --sigma2 1 \
  --output "$out/vs_le.tsv" --plot "$out/quad_vs_linear_le.png" 2>&1 | tee "$out/vs_le.txt"
# the two phases (as make demo)
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 100 --T 1e6 --eta 0.02 --phases \
  --output "$out/phases.tsv" --plot "$out/quad_phases.png"
cp "$out/quad_vs_linear_gt.png" "$out/quad_vs_linear_le.png" "$out/quad_phases.png" docs/img/
echo "wrote docs/img/quad_rates.png, quad_vs_linear_gt.png, quad_vs_linear_le.png, quad_phases.png"

# the sketched variant (section 9): risk and its parts against T, Monte Carlo
"$R" quad --method mc --alpha 1.5 --beta 1.2 --d 200 --M 20 --T 10:1e5:13 --eta 0.02 \
  --sketch gaussian --runs 100 --seed 3 --plot "$out/quad_sketch.png" --output "$out/quad_sketch.tsv"
cp "$out/quad_sketch.png" docs/img/
