#!/bin/sh
# Figure of docs/DETEQ.md section 4, drawn from the tool's own tables and fits: E Approx against M
# (the deterministic equivalent's approx column at d = inf, sigma2 = 0) and the risk against
# N_eff = ceil(N / log2 N) at M = 1e4 (geometric schedule, gamma = 0.5, sigma2 = 0), for a = 1.5
# and 2.5 with b = a, each with the exponent `riskcalc fit` finds over M = 1e2..1e5 and
# N_eff = 50..6000. usage: sh docs/figures/deteq_exponents.sh [BUILD]   (after `make`)
# Writes docs/img/deteq_exponents.png; tables in BUILD/figures/deteq/.
set -eu
build=${1:-build}
R=$build/riskcalc
out=$build/figures/deteq
mkdir -p "$out" docs/img
slope() { # FILE X Y: the fitted exponent, 3 decimals
  "$R" fit "$1" --x "$2" --y "$3" | awk -F'\t' '$1 == "exponent" { printf "%.3f", $2 }'
}
for a in 1.5 2.5; do
  "$R" linear --method de --a $a --d inf --M 1e1:1e5:17 --N 1 --sigma2 0 --output "$out/M$a.tsv"
  "$R" linear --method de --a $a --d inf --M 1e2:1e5:13 --N 1 --sigma2 0 --output "$out/Mfit$a.tsv"
  "$R" linear --method de --a $a --d inf --M 1e4 --N 1e2:1e6:13 --gamma 0.5 --sigma2 0 --output "$out/N$a.tsv"
  # N_eff = ceil(N / log2 N), the length of the geometric schedule's first stage
  awk -F'\t' 'BEGIN { OFS = "\t" } /^#/ { next } $1 == "N" { print "N_eff", "risk"; next }
    { print ($1 / (log($1) / log(2)) == int($1 / (log($1) / log(2))) ? 0 : 1) + int($1 / (log($1) / log(2))), $7 }' \
    "$out/N$a.tsv" >"$out/Neff$a.tsv"
  awk -F'\t' 'NR == 1 || ($1 >= 50 && $1 <= 6000)' "$out/Neff$a.tsv" >"$out/Nefffit$a.tsv"
done
eM15=$(slope "$out/Mfit1.5.tsv" M approx)
eM25=$(slope "$out/Mfit2.5.tsv" M approx)
eN15=$(slope "$out/Nefffit1.5.tsv" N_eff risk)
eN25=$(slope "$out/Nefffit2.5.tsv" N_eff risk)
echo "approx against M: a = 1.5: $eM15 (theory 0.5), a = 2.5: $eM25 (1.5)"
echo "risk against N_eff: a = 1.5: $eN15 (theory 1/3), a = 2.5: $eN25 (0.6)"
gnuplot <<GP
set terminal pngcairo size 1100,460 enhanced font "sans,10"
set output "docs/img/deteq_exponents.png"
set datafile separator tab
set datafile columnheaders
set multiplot layout 1,2 title "Deterministic equivalent, power law, b = a, d = inf: fitted exponents (riskcalc fit)"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set grid
set key bottom left
set title "E Approx (N -> inf limit of the risk at sigma^2 = 0) against M"
set xlabel "M"
set ylabel "risk - sigma^2"
plot "$out/M1.5.tsv" u 2:3 w p pt 7 lc rgb "#9400d3" t "a = 1.5: fit over M = 10^2..10^5: M^{-$eM15} (theory -0.5)", \
     "$out/M2.5.tsv" u 2:3 w p pt 5 lc rgb "#009e73" t "a = 2.5: M^{-$eM25} (theory -1.5)"
set title "M = 10^4, geometric schedule, gamma = 0.5, sigma^2 = 0"
set xlabel "N_{eff} = N / log_2 N"
plot "$out/Neff1.5.tsv" u 1:2 w lp pt 7 lc rgb "#9400d3" t "a = 1.5: fit over N_{eff} = 50..6000: N_{eff}^{-$eN15} (theory -1/3)", \
     "$out/Neff2.5.tsv" u 1:2 w lp pt 5 lc rgb "#009e73" t "a = 2.5: N_{eff}^{-$eN25} (theory -0.6)"
unset multiplot
GP
echo "wrote docs/img/deteq_exponents.png"
