#!/bin/sh
# The worked examples of docs/GUIDE.md, docs/TUTORIAL.md and docs/PAPERS.md: reruns every
# "$ riskcalc ..." command written there, rewrites the printed lines with the tool's output and
# copies each figure it draws (--plot NAME.png) to docs/img/NAME.png (docs/figures/outputs.py).
# usage: sh docs/figures/guide_figures.sh [BUILD]   (after `make`; a few minutes)
set -eu
build=${1:-build}
python3 docs/figures/outputs.py update "$build" docs/GUIDE.md docs/TUTORIAL.md docs/PAPERS.md
echo "rewrote the outputs of docs/GUIDE.md, docs/TUTORIAL.md, docs/PAPERS.md and redrew their figures"
