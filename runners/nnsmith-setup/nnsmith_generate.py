#!/usr/bin/env python3
"""Runs the real NNSmith generator (`nnsmith.cli.fuzz`) for a time budget, unmeasured, and saves its tests.

The setup step of configs/runners/nnsmith-pytorch.yaml. NNSmith itself does the work:

    PYTHON -m nnsmith.cli.fuzz model.type=torch backend.type=torchjit fuzz.time=SECONDSs
           fuzz.seed=SEED fuzz.save_test=OUT/_nnsmith/run-0/tests fuzz.root=OUT/_nnsmith/run-0/bugs ...

with PYTHONPATH=PYTHONPATH and without DLCOV_PYTHON_COVERAGE_DIR (generation is not what the
campaign measures: the replay of each saved test is). Afterwards every saved test folder is moved
to OUT/<seconds>/ (NNSmith's own name: seconds since the fuzzer started), so that
OUT/*/oracle.pkl is every test NNSmith generated, each once; bug reports stay under
OUT/_nnsmith/run-*/bugs (they are copies of saved tests) and the fuzzer's log in
OUT/_nnsmith/run-*/fuzz.log. Last, OUT/done.json says what was made; the harness skips the setup
while it exists.

When the fuzzer dies before its budget is used (with fuzz.crash_safe=false, NNSmith's default, a
backend segfault kills it, and the test that did is not saved), it is started again with the
next seed for the remaining time; the tests of restart k are named run<k>-<seconds>/.

NNSmith itself is installed by `dlcov instrument configs/frameworks/pytorch.yaml` (its `tools`:
pip --no-deps --target builds/pytorch/nnsmith-packages): nothing is downloaded while a campaign runs.

Standard library only: runs under /usr/bin/python3.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", required=True, help="interpreter that imports the framework (and nnsmith with --pythonpath)")
    p.add_argument("--pythonpath", default="", help="folders (':'-separated) put on PYTHONPATH, e.g. the nnsmith packages")
    p.add_argument("--out", required=True, help="folder for the tests (the replay runner's input)")
    p.add_argument("--seconds", type=float, default=75, help="NNSmith's fuzz.time for all runs together")
    p.add_argument("--model-type", default="torch", help="NNSmith's model.type")
    p.add_argument("--backend", default="torchjit", help="NNSmith's backend.type")
    p.add_argument("--seed", type=int, default=1, help="NNSmith's fuzz.seed (restart k uses SEED+k)")
    p.add_argument("--crash-safe", default="false", choices=["true", "false"], help="NNSmith's fuzz.crash_safe")
    p.add_argument("--max-restarts", type=int, default=20, help="give up after this many early fuzzer exits")
    p.add_argument("overrides", nargs="*", help="more Hydra overrides for nnsmith.cli.fuzz (mgen.max_nodes=10, ...)")
    return p.parse_args(argv)


def child_env(pythonpath, cache_dir):
    env = dict(os.environ)
    env.pop("DLCOV_PYTHON_COVERAGE_DIR", None)  # unmeasured: the replays are the measurement
    env.pop("COVERAGE_PROCESS_START", None)
    paths = [f for f in pythonpath.split(":") if f]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    if paths:
        env["PYTHONPATH"] = ":".join(paths)
    # NNSmith caches its operator/dtype probe under appdirs' user_cache_dir: keep it in the campaign.
    env["XDG_CACHE_HOME"] = cache_dir
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def probe(python, env):
    """nnsmith's and the framework's versions, or None when nnsmith does not import."""
    code = ("import json, warnings; warnings.simplefilter('ignore'); import nnsmith, numpy; v = {'nnsmith': "
            "nnsmith.__version__, 'numpy': numpy.__version__}\n"
            "try:\n import torch; v['torch'] = torch.__version__; v['torch_file'] = torch.__file__\n"
            "except ImportError: pass\nprint(json.dumps(v))")
    r = subprocess.run([python, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()[-1:] or [f"exit {r.returncode}"]
    return json.loads(r.stdout.strip().splitlines()[-1]), None


def tail(path, lines=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def main(argv):
    args = parse_args(argv)
    out = os.path.abspath(args.out)
    state = os.path.join(out, "_nnsmith")
    os.makedirs(state, exist_ok=True)
    env = child_env(args.pythonpath, os.path.join(state, "cache"))

    versions, why = probe(args.python, env)
    if versions is None:
        sys.exit(f"nnsmith_generate: {args.python} with PYTHONPATH={args.pythonpath!r} cannot import nnsmith "
                 f"({' '.join(why)}); `dlcov instrument configs/frameworks/pytorch.yaml` installs it into "
                 "builds/pytorch/nnsmith-packages, the runner option pythonpath")

    runs = []
    tests = 0
    started = time.monotonic()
    k, startup_retries = 0, 0
    while k <= args.max_restarts:
        remaining = int(args.seconds - (time.monotonic() - started))
        if remaining < 1:
            break
        run_dir = os.path.join(state, f"run-{k}")
        shutil.rmtree(run_dir, ignore_errors=True)
        saved = os.path.join(run_dir, "tests")
        cmd = [args.python, "-m", "nnsmith.cli.fuzz", f"model.type={args.model_type}",
               f"backend.type={args.backend}", f"fuzz.time={remaining}s", f"fuzz.seed={args.seed + k}",
               f"fuzz.crash_safe={args.crash_safe}", f"fuzz.save_test={saved}",
               f"fuzz.root={os.path.join(run_dir, 'bugs')}", f"hydra.run.dir={os.path.join(run_dir, 'hydra')}",
               *args.overrides]
        log = os.path.join(run_dir, "fuzz.log")
        os.makedirs(run_dir, exist_ok=True)
        run_started = time.monotonic()
        with open(log, "w") as f:
            f.write(" ".join(cmd) + "\n")
            f.flush()
            rc = subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
        names = sorted(os.listdir(saved)) if os.path.isdir(saved) else []
        for name in names:
            os.replace(os.path.join(saved, name), os.path.join(out, name if k == 0 else f"run{k}-{name}"))
        bugs = sorted(os.listdir(os.path.join(run_dir, "bugs"))) if os.path.isdir(os.path.join(run_dir, "bugs")) else []
        runs.append({"command": cmd, "exit": rc, "seconds": round(time.monotonic() - run_started, 3),
                     "tests": len(names), "bugs": bugs, "log": os.path.relpath(log, out)})
        tests += len(names)
        if rc == 0:
            break
        print(f"nnsmith_generate: nnsmith.cli.fuzz exited with {rc} after {len(names)} tests:\n{tail(log)}",
              file=sys.stderr, flush=True)
        # NNSmith 0.2 samples its operators' specs (narrow_spec.py) at start-up without the seed, and
        # that sampling sometimes fails a sanity check before any test: run the same seed again, up
        # to three times. Such a run fuzzed nothing, so its time is not taken from the budget (with
        # a budget of seconds, the start-up alone would otherwise leave no time for the next run).
        if not names and k == 0 and startup_retries < 3 and "narrow_spec.py" in tail(log):
            startup_retries += 1
            started += time.monotonic() - run_started
            print("nnsmith_generate: NNSmith failed in its start-up spec sampling; running it again",
                  file=sys.stderr, flush=True)
            continue
        if not names and k == 0:
            sys.exit("nnsmith_generate: the first fuzzer run saved no test; see " + log)
        k += 1

    if tests == 0:
        sys.exit("nnsmith_generate: NNSmith saved no test")
    done = {"tests": tests, "seconds": round(time.monotonic() - started, 3), "budget_seconds": args.seconds,
            "model_type": args.model_type, "backend": args.backend, "seed": args.seed, "versions": versions,
            "runs": runs}
    with open(os.path.join(out, "done.json.tmp"), "w") as f:
        json.dump(done, f, indent=2)
        f.write("\n")
    os.replace(os.path.join(out, "done.json.tmp"), os.path.join(out, "done.json"))
    print(f"nnsmith_generate: {tests} NNSmith tests in {out} ({done['seconds']:.0f} s, "
          f"{len(runs)} fuzzer run(s), nnsmith {versions.get('nnsmith')}, torch {versions.get('torch')})")


if __name__ == "__main__":
    main(sys.argv[1:])
