#!/usr/bin/env bash
# Time per attack step (forward + backward to the input, batch 1, float32) of the ResNet-18 shape at 224x224:
# `workbench attack`'s step (DJL, libtorch 2.7.1, convolutions as gather + matrix product) against PyTorch
# (Debian's python3-torch 1.13, torchvision's resnet18, its own convolutions), same thread count.
#
#   bench/resnet18_attack_benchmark.sh [--threads 2] [--warmup 3] [--reps 10]
#
# The ONNX file is generated into a temporary folder by src/test/python/make_onnx_fixtures.py (random weights;
# speed does not depend on them). Needs: apt-get install python3-torch python3-torchvision python3-onnx
# libopenblas0-pthread; the jar built by `mvn -B package -DskipTests` (target/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=2 warmup=3 reps=10
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
python="${PYTHON:-/usr/bin/python3}"
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" "$root/src/test/python/make_onnx_fixtures.py" "$work" --resnet18 2>/dev/null
echo "machine: $(nproc --all) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "setting: ResNet-18 shape, 1x3x224x224, cross-entropy, $threads thread(s), $warmup warm-up + $reps timed steps"
java --enable-native-access=ALL-UNNAMED -Xmx"${WORKBENCH_HEAP:-6g}" -Dai.djl.offline=true \
  -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}" -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error \
  -cp "$root/target/workbench.jar:$root/target/lib/*" org.workbench.bench.AttackStepBenchmark "$work/resnet18.onnx" "$warmup" "$reps"
"$python" "$root/bench/resnet18_attack_benchmark.py" "$threads" "$warmup" "$reps"
