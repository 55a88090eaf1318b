#!/bin/sh
# Installs the Debian packages riskcalc needs, only those missing. As root it runs apt-get;
# otherwise it prints the exact command to run and exits 2.
set -u
# Extra packages a target needs may be given as arguments (make valgrind: valgrind).
PACKAGES="build-essential pkg-config libgsl-dev liblapacke-dev libopenblas-dev librandom123-dev gnuplot-nox python3 python3-mpmath python3-numpy $*"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "riskcalc: missing packages:$missing" >&2
  echo "run: sudo apt-get install -y$missing" >&2
  exit 2
fi
echo "riskcalc: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
  echo "riskcalc: apt-get install failed for:$missing" >&2
  exit 2
}
