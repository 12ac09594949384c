#!/usr/bin/env bash
# What a Python process measured by dlcov's hook keeps when it ends in each way dlcov's runners
# can end it. Prints one line per ending: data files written and statements covered of the
# measured package (from `coverage json`). Usage: kill_loss.sh [PYTHON]  (default /usr/bin/python3)
set -euo pipefail
python=${1:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/killpkg"
: > "$work/killpkg/__init__.py"
cat > "$work/killpkg/prog.py" <<'EOF'
import os, signal, sys, time

def phase_one():
    total = 0
    for i in range(100):
        if i % 3:
            total += i
    return total

def phase_two():
    return "reached only by a normal run"

def main(ready, how):
    phase_one()
    open(ready, "w").close()
    if how == "exit":
        phase_two()
        return
    if how == "os._exit":
        os._exit(0)
    if how == "abort":
        os.abort()
    time.sleep(60)
    phase_two()

main(sys.argv[1], sys.argv[2])
EOF
"$python" "$here/dlcov_coverage_hook.py" install --site-packages "$work/site" --source "$work/killpkg"
mkdir -p "$work/sitecustom"
printf 'import site\nsite.addsitedir(%s)\n' "'$work/site'" > "$work/sitecustom/sitecustomize.py"
printf '[run]\nbranch = True\nsource = %s\n' "$work/killpkg" > "$work/report.rc"

run() {  # ending, signal to send (or -), extra environment
  local ending=$1 sig=$2 dir="$work/out-$1"
  mkdir -p "$dir"
  ( cd "$work"
    env PYTHONPATH="$work/sitecustom" DLCOV_PYTHON_COVERAGE_DIR="$dir/procs" ${3:-} \
      env --default-signal=INT "$python" -m killpkg.prog "$dir/ready" "$( [ "$sig" = - ] && echo "$ending" || echo wait)" \
      >/dev/null 2>&1 & pid=$!
    for _ in $(seq 400); do [ -f "$dir/ready" ] && break; sleep 0.05; done
    start=$(date +%s.%N)
    [ "$sig" = - ] || kill "-$sig" $pid
    wait $pid 2>/dev/null || true
    end=$(date +%s.%N)
    files=$(ls -A "$dir/procs" 2>/dev/null | wc -l)
    covered=0
    if [ "$files" -gt 0 ]; then
      COVERAGE_FILE="$dir/.coverage" "$python" -m coverage combine -q --keep --rcfile="$work/report.rc" "$dir/procs" >/dev/null
      COVERAGE_FILE="$dir/.coverage" "$python" -m coverage json -q --rcfile="$work/report.rc" -o "$dir/c.json" >/dev/null
      covered=$("$python" -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print('%d/%d' % (t['covered_lines'], t['num_statements']))" "$dir/c.json")
    fi
    printf '%-28s data files: %s  statements covered: %s  (%.2f s from signal to exit)\n' \
      "$ending" "$files" "$covered" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" ) 2>/dev/null
}

run exit -
run SIGTERM TERM
# coverage.py's own start-up (COVERAGE_PROCESS_START) with a configuration lacking `sigterm = True`
mkdir -p "$work/out-SIGTERM-no-sigterm-option"
printf '[run]\nbranch = True\nparallel = True\nsource = %s\ndata_file = %s\n' "$work/killpkg" \
  "$work/out-SIGTERM-no-sigterm-option/procs/.coverage" > "$work/nosig.rc"
run SIGTERM-no-sigterm-option TERM "DLCOV_PYTHON_COVERAGE_DIR= COVERAGE_PROCESS_START=$work/nosig.rc"
run SIGINT INT
run SIGKILL KILL
run os._exit -
run abort -
