#!/usr/bin/env bash
# Prints the OPENBLAS_CORETYPE this x86-64 CPU should run, or nothing (OpenBLAS then picks).
# Debian 12's OpenBLAS 0.3.21 picks its kernels by CPU model number and falls back to the generic
# SSE3 "Prescott" ones on models newer than it (Intel Emerald Rapids, model 207, on our
# machines): matrix products 5-6x slower. The CPU's feature flags name the right kernels instead.
# The Makefile exports the answer unless OPENBLAS_CORETYPE is already set.
set -euo pipefail
flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2 || true) "
has() { for flag in "$@"; do [[ "$flags" == *" $flag "* ]] || return 1; done; }
if has avx512f avx512cd avx512bw avx512dq avx512vl; then
  echo SkylakeX
elif has avx2 fma; then
  echo Haswell
fi
