#!/usr/bin/env bash
# 40-step l-inf PGD on a batch of 128: the workbench's Pgd solver (DJL, libtorch 2.7.1) against the same loop
# in PyTorch (Debian's python3-torch), same weights, same random batch, same thread count. Prints the median
# CPU and wall times per repetition and the ratio Java/PyTorch per network.
#
#   bench/pgd_benchmark.sh [--threads 1] [--reps 11] [--warmup 10] [--rounds 3] [--models "mlp cnn"]
#                          [--batch 128] [--seed 0] [--no-build]
#
# Each round runs, per network, one JVM and then one Python process (warm-up, then timed repetitions, medians);
# the tables give the median over rounds of those medians, so that a burst of load from other processes on a
# shared machine lands on few numbers and on both sides alike.
#
# Environment: BUILD_DIR (default /tmp/bench-target; built with mvn -o when missing or older than the sources,
# unless --no-build, which times the jar found there, e.g. an older build for a before/after comparison),
# PYTHON (default /usr/bin/python3), DJL_CACHE_DIR (default ~/.djl.ai), WORKBENCH_HEAP (default 6g).
# Needs: apt-get install python3-torch libopenblas0-pthread (without OpenBLAS Debian's torch runs the
# reference BLAS, about 10x slower, and the comparison means nothing; the script refuses to run then).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=1 reps=11 warmup=10 rounds=3 models="mlp cnn" batch=128 seed=0 steps=40 alpha=0.01 eps=0.1 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
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

# Both sides: the same thread count, passive OpenMP waits (spinning threads cost a lot on a shared machine).
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"

blas=$("$python" - <<'EOF'
import torch
maps = open("/proc/self/maps").read()
print("openblas" if "openblas" in maps else "reference" if "libblas" in maps else "unknown")
EOF
)
if [ "$blas" != openblas ]; then
  echo "PyTorch does not run on OpenBLAS (found: $blas); apt-get install libopenblas0-pthread" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" "$root/bench/pgd_benchmark.py" --make-batch --batch-file "$work/batch.bin" --batch "$batch" --seed "$seed"

echo "machine: $(nproc --all) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $(java -version 2>&1 | head -1); DJL 0.36.0, libtorch 2.7.1 (CPU)"
echo "python: $("$python" -c 'import sys, torch; print(sys.version.split()[0] + ", torch " + torch.__version__)'), BLAS $blas"
echo "setting: $batch inputs of 784 uniform in [0,1], random labels (seed $seed), l-inf PGD $steps steps, alpha $alpha, eps $eps, box [0,1], cross-entropy, no random start, $threads thread(s), $warmup warm-up + $reps timed repetitions"

args=(--batch-file "$work/batch.bin" --steps "$steps" --alpha "$alpha" --eps "$eps" --clip true --warmup "$warmup" --reps "$reps")
for r in $(seq "$rounds"); do
  for m in $models; do
    java --enable-native-access=ALL-UNNAMED -Xmx"${WORKBENCH_HEAP:-6g}" \
      -Dworkbench.home="$root" -Dai.djl.offline=true -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}" \
      -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1 \
      -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error \
      -cp "$jar:$builddir/lib/*" org.workbench.bench.PgdBenchmark --model "$root/models/$m.yaml" "${args[@]}" \
      | sed "s/^RESULT /RESULT round=$r /" | tee -a "$work/results"
    "$python" "$root/bench/pgd_benchmark.py" --model "$root/models/$m.yaml" --threads "$threads" "${args[@]}" \
      | sed "s/^RESULT /RESULT round=$r /" | tee -a "$work/results"
  done
  echo "round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

# Per network and measurement: the median over rounds of each side's median; ratio = Java / PyTorch of those,
# on CPU time (wall in brackets), with the range of the per-round CPU ratios.
awk '
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  /^RESULT/ {
    delete v
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    m = v["model"]; sub(/\.yaml$/, "", m)
    if (!(m in seen)) { seen[m] = 1; order[++n] = m }
    for (k in v) r[v["side"], m, k] = r[v["side"], m, k] " " v[k]
    for (k in v) one[v["side"], m, v["round"], k] = v[k]
    rounds[v["round"]] = 1
  }
  END {
    print ""
    print "| network | measured | Java CPU ms | Java wall ms | PyTorch CPU ms | PyTorch wall ms | Java/PyTorch CPU (wall) | per-round CPU ratios |"
    print "|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= n; i++) {
      m = order[i]
      split("loop full", what, " ")
      for (w = 1; w <= 2; w++) {
        jc = median(r["java", m, what[w] "_cpu_ms"]); jw = median(r["java", m, what[w] "_wall_ms"])
        pc = median(r["pytorch", m, what[w] "_cpu_ms"]); pw = median(r["pytorch", m, what[w] "_wall_ms"])
        lo = 1e9; hi = 0
        for (q in rounds) {
          x = one["java", m, q, what[w] "_cpu_ms"] / one["pytorch", m, q, what[w] "_cpu_ms"]
          if (x < lo) lo = x; if (x > hi) hi = x
        }
        label = what[w] == "loop" ? "PGD loop" : "loop + float64 re-check"
        printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f (%.2f) | %.2f-%.2f |\n", m, label, jc, jw, pc, pw, jc / pc, jw / pw, lo, hi
      }
    }
    print ""
    for (i = 1; i <= n; i++) {
      m = order[i]
      printf "%s: Java process CPU per repetition pair (JIT and GC threads included) %.0f ms against %.0f ms on the Java threads;",
        m, median(r["java", m, "proc_cpu_per_rep_ms"]), median(r["java", m, "thread_cpu_per_rep_ms"])
      printf " same result: attacked %s (Java) / %s (PyTorch), mean worst margin %s / %s\n",
        median(r["java", m, "attacked"]), median(r["pytorch", m, "attacked"]),
        median(r["java", m, "mean_worst_margin"]), median(r["pytorch", m, "mean_worst_margin"])
    }
  }' "$work/results"
