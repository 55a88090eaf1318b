#!/bin/sh
# Figures of docs/RIDGE.md section 6: builds docs/figures/ridge_figures.c against the library,
# writes its tables to build/figures/ and plots them with gnuplot into docs/img/.
# usage: sh docs/figures/ridge_figures.sh [BUILD]   (after `make`)
set -eu
build=${1:-build}
out="$build/figures"
mkdir -p "$out" docs/img
cc -std=c11 -O2 -Iinclude docs/figures/ridge_figures.c "$build/libriskcalc.a" \
  $(pkg-config --libs gsl lapacke openblas | sed 's/-lgslcblas//') -lm -fopenmp -o "$out/ridge_figures"
"$out/ridge_figures" "$out" | tee "$out/exponents.txt"
gnuplot <<GP
set terminal pngcairo size 900,620 font ",11"
set logscale xy
set format y "10^{%L}"
set format x "10^{%L}"
set key outside below
set grid
set output "docs/img/ridge_learning_curve.png"
set title "Ridge: test error against n (a = 1.5, b = 2)"
set xlabel "n"
set ylabel "test error"
plot "$out/ridge_n.dat" u 1:2 w l lw 2 t "lambda = 0, sigma2 = 0, d = inf (slope -(b-1) = -1)", \
     "" u 1:3 w l dt 2 t "  its bias", "" u 1:4 w l dt 3 t "  its var_x", \
     "" u 1:5 w l lw 2 t "lambda = 0, sigma2 = 0.05, d = 1000 (peak at n = d)", \
     "" u 1:6 w l t "lambda = 1e-3, d = 1000", "" u 1:7 w l t "lambda = 1e-2, d = 1000"
set output "docs/img/rf_against_P.png"
set title "Random features at d = inf: test error against P (a = 1.5, b = 2, sigma2 = 0, lambda = 1e-4)"
set xlabel "P"
plot "$out/rf_P.dat" u 1:2 w l lw 2 t "n = inf, lambda = 0 (= E Approx, slope -(b-1) = -1)", \
     "" u 1:3 w l lw 2 t "n = 1e3", "" u 1:4 w l dt 2 t "  var_f (n = 1e3)", \
     "" u 1:5 w l lw 2 t "n = 1e4", "" u 1:6 w l dt 2 t "  var_f (n = 1e4)"
set output "docs/img/rf_variance_limited.png"
set title "Random features at d = inf, variance-limited regime P >> n: test(P) - test(inf) scales as 1/P"
plot "$out/rf_varlim.dat" u 1:2 w l lw 2 t "n = 100", "" u 1:3 w l dt 2 t "  var_f (n = 100)", \
     "" u 1:4 w l lw 2 t "n = 1000", "" u 1:5 w l dt 2 t "  var_f (n = 1000)"
GP
