#!/usr/bin/env bash
# One prepared run on a GPU machine: what is installed there, bench/gpu.py (attncc's cuda kernel
# against SDPA flash and FlexAttention), then the cuda target's tests launching the compiled
# kernels on the GPU (ATTNCC_CUDA_DEVICE=1, see tests/conftest.py) instead of Triton's
# interpreter. Everything goes to $OUT/log (and the tests' JUnit XML to $OUT/junit.xml).
#
#   bash bench/gpu_check.sh                 # from the repository root
#   BENCH_ARGS="--quick" BENCH_S=210 TESTS_S=180 TESTS="tests/targets/test_cuda.py" ...
#   TESTS=none ...                          # the benchmark alone
#
# attncc's cuda path needs only numpy, networkx, torch and triton (no TVM, optuna or xgboost):
# attncc is imported from the repository root, nothing is installed.
set -o pipefail
cd "$(dirname "$0")/.." || exit 1
OUT=${OUT:-/tmp/attncc-gpu-check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export ATTNCC_CACHE_DIR=${ATTNCC_CACHE_DIR:-/tmp/attncc-cache}
unset TRITON_INTERPRET
PY=${PY:-python3}
BENCH_ARGS=${BENCH_ARGS---quick}  # BENCH_ARGS="" for every length
TESTS=${TESTS:-tests/targets/test_cuda.py tests/targets/test_cuda_aot.py \
tests/targets/test_cuda_blocks.py tests/targets/test_conformance.py}

main() {
    echo "== environment ($(date -u +%FT%TZ))"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm \
        --format=csv 2>&1 || echo "(no nvidia-smi)"
    $PY - <<'EOF'
import platform, sys
import numpy, torch, triton
gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
print(f"python {platform.python_version()} ({sys.executable}); torch {torch.__version__} "
      f"(cuda {torch.version.cuda}); triton {triton.__version__}; numpy {numpy.__version__}; "
      f"gpu {gpu}")
EOF
    local xdist="" timeout=""
    $PY -c 'import xdist' 2>/dev/null && xdist="-n 12"
    $PY -c 'import pytest_timeout' 2>/dev/null && timeout="--timeout 120"
    echo "pytest plugins: ${xdist:-no xdist} ${timeout:-no pytest-timeout}"

    echo "== bench: $PY bench/gpu.py $BENCH_ARGS"
    timeout -k 5 "${BENCH_S:-210}" $PY bench/gpu.py $BENCH_ARGS
    echo "bench rc=$?"

    [ "$TESTS" = none ] && return
    echo "== tests: ATTNCC_CUDA_DEVICE=1 pytest (cuda only) $TESTS"
    # -k cuda: every test of the test_cuda*.py files, and test_conformance's [cuda-*] cases
    ATTNCC_CUDA_DEVICE=1 PYTHONPATH=/tmp/attncc-nanfix:$PYTHONPATH \
        timeout -k 5 "${TESTS_S:-180}" $PY -m pytest -q -p no:cacheprovider \
        $xdist $timeout -k cuda -rfEs --tb=short --junitxml="$OUT/junit.xml" $TESTS
    echo "tests rc=$?"
}

main 2>&1 | tee "$OUT/log"
