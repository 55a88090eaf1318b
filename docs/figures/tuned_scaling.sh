#!/bin/sh
# Figure of docs/THEORY.md "Tuning": the scaling law of the excess risk in N with the base step
# tuned at every N (`riskcalc linear --gamma opt`) against a fixed base step (gamma = 0.1), for an
# easy target b > a (a = 1.5, b = 2.5) and for b = a (a = b = 1.5): deterministic equivalent,
# geometric schedule, d = inf, M = 2000, sigma2 = 0.1, N = 1e2 .. 1e6. Slopes: `riskcalc fit`
# of the excess on 1e3 <= N <= 3.2e4 (four horizons), before N^(1/a) reaches M (N ~ 9e4), where
# the finite model bends the b = a curves down.
# usage: sh docs/figures/tuned_scaling.sh [BUILD]   (after `make`); writes docs/img/tuned_scaling.png
set -eu
build=${1:-build}
out="$build/figures"
mkdir -p "$out" docs/img
R="$build/riskcalc"
for b in 2.5 1.5; do
  for g in opt 0.1; do
    t="$out/tuned_scaling_b${b}_g${g}"
    "$R" linear --method de --a 1.5 --b $b --d inf --M 2000 --N 1e2:1e6:9 --sigma2 0.1 \
      --gamma $g --output "$t.tsv"
    awk -F'\t' '/^#/ || !/^[0-9]/ || ($1 >= 1e3 && $1 <= 4e4)' "$t.tsv" >"$t.tail.tsv"
    "$R" fit "$t.tail.tsv" --x N --y excess --output "$t.fit"
  done
done
slope() { awk -F'\t' '$1 == "exponent" { printf "%.3f (se %.3f)", $2, $3 }' "$out/tuned_scaling_b$1_g$2.fit"; }
gnuplot <<GP
set terminal pngcairo size 960,640 enhanced font "sans,11"
set output "docs/img/tuned_scaling.png"
set title "Excess risk with the base step tuned at every N against a fixed step\n(deterministic equivalent, geometric schedule, a = 1.5, d = inf, M = 2000, σ² = 0.1; slopes fitted on 10^3 ≤ N ≤ 3.2·10^4)" noenhanced
set xlabel "N (SGD steps)"
set ylabel "excess risk = bias + variance"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set grid
set key outside below maxrows 2 noenhanced
set datafile commentschars "#"
set datafile columnheaders
d = "$out/tuned_scaling"
plot d."_b2.5_gopt.tsv" u 1:6 w lp lw 2 pt 7 ps 0.6 lc rgb "#0072B2" t "b = 2.5 > a, γ tuned at each N: slope -$(slope 2.5 opt)", \
     d."_b2.5_g0.1.tsv" u 1:6 w lp lw 2 dt 2 pt 6 ps 0.6 lc rgb "#0072B2" t "b = 2.5 > a, γ = 0.1: slope -$(slope 2.5 0.1)", \
     d."_b1.5_gopt.tsv" u 1:6 w lp lw 2 pt 7 ps 0.6 lc rgb "#D55E00" t "b = a = 1.5, γ tuned at each N: slope -$(slope 1.5 opt)", \
     d."_b1.5_g0.1.tsv" u 1:6 w lp lw 2 dt 2 pt 6 ps 0.6 lc rgb "#D55E00" t "b = a = 1.5, γ = 0.1: slope -$(slope 1.5 0.1)"
GP
echo "wrote docs/img/tuned_scaling.png"
