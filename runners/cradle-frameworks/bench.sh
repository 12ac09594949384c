#!/bin/sh
# Seconds per CRADLE execution per framework, without and with dlcov's coverage hook, and the
# Python-layer coverage one pass reaches. One process at a time (2-core machines).
#   runners/cradle-frameworks/bench.sh OUT_DIR FRAMEWORK=PYTHON[:PACKAGE_DIR] ...
# e.g. bench.sh /tmp/bench pytorch=/work/venvs/pytorch/bin/python:/usr/lib/python3/dist-packages/torch
# DLCOV (default build/bin/dlcov of this tree) measures each pass with configs/components/<fw>.yaml.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
dlcov=${DLCOV:-$here/../../build/bin/dlcov}
mkdir -p "$out"
for arg in "$@"; do
    fw=${arg%%=*}; rest=${arg#*=}; py=${rest%%:*}; pkg=${rest#*:}
    [ "$pkg" = "$rest" ] && pkg=""
    for mode in plain coverage; do
        dir=$out/$fw-$mode; rm -rf "$dir"; mkdir -p "$dir/profiles"
        start=$(date +%s.%N)
        for seed in lenet5_32 lenet5_28 alexnet_like vgg_like resnet_block mlp bn_dropout inception_like; do
            if [ $mode = coverage ]; then
                DLCOV_PYTHON_COVERAGE_DIR=$dir/profiles OMP_NUM_THREADS=1 "$py" "$here/cradle_run.py" --framework "$fw" \
                    --seed $seed --out "$dir/$seed.json" >/dev/null 2>&1
            else
                env -u DLCOV_PYTHON_COVERAGE_DIR OMP_NUM_THREADS=1 "$py" "$here/cradle_run.py" --framework "$fw" \
                    --seed $seed --out "$dir/$seed.json" >/dev/null 2>&1
            fi
        done
        end=$(date +%s.%N)
        /usr/bin/python3 - "$dir" "$fw" "$mode" "$start" "$end" <<'PY'
import json, sys, glob
d, fw, mode, start, end = sys.argv[1:]
runs = [json.load(open(f))["seconds"] for f in sorted(glob.glob(d + "/*.json"))]
n = len(runs)
mean = lambda k: sum(r[k] for r in runs) / n
print("%-10s %-8s %d executions, %.2f s each (wall, process start to exit); inside: import %.2f s, build %.2f s, predict %.2f s"
      % (fw, mode, n, (float(end) - float(start)) / n, mean("import"), mean("build"), mean("predict")))
PY
    done
    if [ -n "$pkg" ] && [ -x "$dlcov" ]; then
        "$dlcov" measure --python-source "$pkg" --python "$py" --profiles "$out/$fw-coverage/profiles" \
            --components "$here/../../configs/components/$fw.yaml" --json "$out/$fw-coverage.json" | tee "$out/$fw-coverage.txt"
    fi
done
