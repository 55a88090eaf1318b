#!/bin/sh
# Figure of docs/THEORY.md "Tuning": the optimal 64-stage schedule of `riskcalc schedule-opt`
# against the const, geometric and cosine schedules with their base step tuned, for the power
# law a = 1.5 with an easy target b = 2.5 (d = inf, M = 64, N = 1e5, sigma2 = 0.5).
# usage: sh docs/figures/schedule_opt.sh [BUILD]   (after `make`); writes docs/img/schedule_opt.png
set -eu
build=${1:-build}
out="$build/figures"
mkdir -p "$out" docs/img
"$build/riskcalc" schedule-opt --a 1.5 --b 2.5 --d inf --M 64 --N 100000 --sigma2 0.5 \
  --stages 64 --schedule-out "$out/schedule_opt.stages" --output "$out/schedule_opt.tsv"
base() { sed -n "s/^# tuned $1: base step \([0-9.e+-]*\).*/\1/p" "$out/schedule_opt.tsv"; }
excess() { awk -v k="$1" -F'\t' '$1 == k { printf "%.4g", $4 + $5 }' "$out/schedule_opt.tsv"; }
N=100000
# the steps of each schedule at every 100th step (formulas of docs/THEORY.md)
awk -v N=$N -v gc="$(base const)" -v gg="$(base geometric)" -v gs="$(base cosine)" 'BEGIN {
  K = int(N / (log(N) / log(2))) + 1; pi = atan2(0, -1)
  for (t = 0; t < N; t += 100)
    printf "%d %.17g %.17g %.17g\n", t, gc, gg * 2 ^ -int(t / K), gs * (1 + cos(pi * t / N)) / 2 }' \
  >"$out/schedule_opt_baselines.dat"
awk '!/^#/ { for (i = 0; i < $1; i++) { if (t % 100 == 0) print t, $2; t++ } }' \
  "$out/schedule_opt.stages" >"$out/schedule_opt_optimal.dat"
gnuplot <<GP
set terminal pngcairo size 960,620 enhanced font "sans,11"
set output "docs/img/schedule_opt.png"
set title "Step sizes minimising the risk after N = 10^5 steps (a = 1.5, b = 2.5, d = inf, M = 64, sigma^2 = 0.5)" noenhanced
set xlabel "step t"
set ylabel "step size gamma_t"
set logscale y
set format y "10^{%L}"
set yrange [1e-7:0.1]
set grid
set key outside below
plot "$out/schedule_opt_optimal.dat" u 1:2 w steps lw 3 t "optimal, 64 stages: excess risk $(excess optimal)", \
     "$out/schedule_opt_baselines.dat" u 1:2 w l lw 2 t "const, tuned: excess risk $(excess const)", \
     "" u 1:3 w steps lw 2 t "geometric, tuned: excess risk $(excess geometric)", \
     "" u 1:4 w l lw 2 t "cosine, tuned: excess risk $(excess cosine)"
GP
echo "wrote docs/img/schedule_opt.png"
