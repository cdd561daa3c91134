#!/usr/bin/env bash
# A C/C++ compiler that refuses the tracker's addon (any source under native/) and compiles
# everything else with the system's gcc/g++: CI uses it as CC, CXX and LINK to show that an install
# where the addon cannot build still works (scripts/ci/install-without-addon.sh).
set -euo pipefail
for arg in "$@"; do
  case "$arg" in
    */native/*|*tracker_native*) echo "cc-without-addon: refusing $arg (as a machine without a compiler would)" >&2; exit 1 ;;
  esac
done
case "$(basename "$0")" in
  *++*) exec g++ "$@" ;;
  *) exec gcc "$@" ;;
esac
