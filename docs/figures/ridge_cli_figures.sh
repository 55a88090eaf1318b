#!/bin/sh
# Figures of docs/RIDGE.md sections 8 and 9, drawn by the tool itself (riskcalc ridge, rf,
# compare rf); tables, .dat and .gp go to build/figures/, the figures to docs/img/.
# usage: sh docs/figures/ridge_cli_figures.sh [BUILD]   (after `make`; about a minute)
set -eu
build=${1:-build}
R="$build/riskcalc"
out="$build/figures"
mkdir -p "$out" docs/img
"$R" ridge --method mc --a 1.5 --d 400 --b 2 --n 200 --lambda 1e-5:10:25 --sigma2 0.1 --runs 100 \
  --plot "$out/ridge_lambda_mc.png" --output "$out/ridge_lambda_mc.tsv"
"$R" rf --a 1.5 --d 1000 --b 2 --P 10:1e4:40 --n 300 --lambda 1e-4 --sigma2 0.05 \
  --plot "$out/rf_P_parts.png" --output "$out/rf_P_parts.tsv"
"$R" compare rf --a 1.5 --d 400 --b 2 --P 20:800:8 --n 200 --lambda 1e-3 --sigma2 0.1 --runs 200 \
  --plot "$out/compare_rf.png" --y test,bias,var_f,var_x --output "$out/compare_rf.tsv" ||
  true # exit 1 is a verdict
cp "$out/ridge_lambda_mc.png" "$out/rf_P_parts.png" "$out/compare_rf.png" docs/img/
