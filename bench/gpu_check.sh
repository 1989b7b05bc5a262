#!/usr/bin/env bash
# The GPU check of issue 22, for a machine with an NVIDIA GPU and a CUDA 12.4 driver: builds with -Pcuda (DJL 0.33,
# pytorch-native-cu124 2.5.1, a 2.46 GB download the first time), runs GpuTest and DevicesTest, then
# org.workbench.bench.DeviceBenchmark: PGD (128 images, 40 steps) and CROWN per image on the shipped CNN, and branch
# and bound subdomains per second on the shipped MLP, on 2 CPU cores (taskset) and on the GPU. Prints a Markdown
# table (CPU/GPU time ratio, largest margin difference, which must stay within 1e-5) for results/BENCHMARKS.md.
#
#   bench/gpu_check.sh [--device cuda:0] [--cores 0,1] [--crown-images 8] [--bab-seconds 10] [--no-build]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
device=cuda:0 cores=0,1 crown=8 bab=10 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --cores) cores="$2"; shift 2 ;;
    --crown-images) crown="$2"; shift 2 ;;
    --bab-seconds) bab="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
cd "$root"
command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "nvidia-smi not found: the GPU parts will be skipped or fail" >&2
if [ "$build" = 1 ]; then
  mvn -q -B -Pcuda package -DskipTests
  mvn -q -B -Pcuda test -Dtest='GpuTest,DevicesTest' -Dsurefire.failIfNoSpecifiedTests=false
fi
n=$(echo "$cores" | tr ',' '\n' | wc -l)
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}"
exec taskset -c "$cores" java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$n" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dworkbench.threads="$n" -cp "target/workbench.jar:target/lib/*" org.workbench.bench.DeviceBenchmark \
  --device "$device" --crown-images "$crown" --bab-seconds "$bab"
