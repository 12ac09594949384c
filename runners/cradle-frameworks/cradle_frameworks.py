#!/usr/bin/env python3
"""dlcov's CRADLE-style tester on real frameworks (Pham et al., ICSE 2019): every seed model of
seeds_spec.py runs on the measured framework (PyTorch, TensorFlow or MXNet: option `framework`)
and on the other two as references, one process per (seed, framework); each pair measured vs
reference is compared against the ground truth with D_MAD and D_CLASS. No mutation.

The measured run is a generated test (its coverage lands in the trial: run_test); the reference
runs are unmeasured (reference_env: no DLCOV_PYTHON_COVERAGE_DIR). A reference whose interpreter
is missing is skipped with one warning line. Standard library only: frameworks run in children.

    cradle_frameworks.py --executor PY --work DIR --profiles DIR --events FILE --options FILE
                         --budget S --seed N --timeout S
    cradle_frameworks.py compare A.json B.json [--threshold 0.1] [--top-k 5]   (replays a verdict)

Options: framework (pytorch), references ({framework: interpreter}), mad_threshold (0.1),
top_k (5), seeds (all eight), batch (10), threads (1), perturb ({framework: factor}, scales that
framework's last dense layer: a deliberately different model, to check the oracle).
"""
import json
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "pykit"))
import cradle_metrics  # noqa: E402
import seeds_spec  # noqa: E402
from dlcov_pykit import EventLog, Deadline, parse_args, reference_env, run_child, run_test, trial_relative  # noqa: E402

FRAMEWORKS = ("pytorch", "tensorflow", "mxnet")
RUNNER = os.path.join(HERE, "cradle_run.py")
# cradle_run.py's exit codes: 2 = framework not usable here (not a finding), 3 = NaN, 4 = exception.
FINDING_KINDS = {2: "none", 3: "nan", 4: "exception"}


def run_argv(python, framework, seed, out, opts):
    argv = [python, RUNNER, "--framework", framework, "--seed", seed, "--out", out,
            "--batch", str(opts["batch"]), "--threads", str(opts["threads"])]
    factor = float(opts["perturb"].get(framework, 1.0))
    if factor != 1.0:
        argv += ["--perturb", repr(factor)]
    return argv


def read_output(path):
    try:
        with open(path, encoding="utf-8") as f:
            out = json.load(f)
        return out if out.get("outputs") and out.get("labels") else None
    except (OSError, ValueError):
        return None


def options(raw):
    opts = {"framework": raw.get("framework", "pytorch"), "references": raw.get("references") or {},
            "mad_threshold": float(raw.get("mad_threshold", cradle_metrics.DEFAULT_MAD_THRESHOLD)),
            "top_k": int(raw.get("top_k", cradle_metrics.DEFAULT_TOP_K)),
            "seeds": raw.get("seeds") or seeds_spec.NAMES, "batch": int(raw.get("batch", 10)),
            "threads": int(raw.get("threads", 1)), "perturb": raw.get("perturb") or {}}
    if opts["framework"] not in FRAMEWORKS:
        sys.exit("cradle-frameworks: option framework must be one of %s, not %r" % (", ".join(FRAMEWORKS), opts["framework"]))
    for s in opts["seeds"]:
        if s not in seeds_spec.NAMES:
            sys.exit("cradle-frameworks: unknown seed %r in option seeds (known: %s)" % (s, ", ".join(seeds_spec.NAMES)))
    return opts


def usable_references(opts):
    refs = {}
    for fw in FRAMEWORKS:
        if fw == opts["framework"]:
            continue
        python = opts["references"].get(fw, "")
        if python and os.path.isfile(python) and os.access(python, os.X_OK):
            refs[fw] = os.path.abspath(python)
        else:
            print("cradle-frameworks: warning: reference %s skipped: no interpreter at %r (option references.%s)"
                  % (fw, python, fw), file=sys.stderr, flush=True)
    return refs


def main(argv):
    if argv and argv[0] == "compare":
        return compare_main(argv[1:])
    args = parse_args("cradle-frameworks", "CRADLE-style differential testing of seed models across frameworks", argv)
    opts = options(args.options_json)
    measured = opts["framework"]
    refs = usable_references(opts)
    events = EventLog(args.events)
    deadline = Deadline(args.budget)
    seeds_dir = os.path.join(args.work, "seeds")
    out_dir = os.path.join(args.work, "outputs")
    os.makedirs(seeds_dir, exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    env_extra = {"OMP_NUM_THREADS": str(opts["threads"]), "MXNET_CPU_WORKER_NTHREADS": str(opts["threads"]),
                 "TF_CPP_MIN_LOG_LEVEL": "2"}

    for name in opts["seeds"]:
        if deadline.expired():
            break
        # The artifact of every finding: the seed's framework-neutral description.
        artifact = os.path.join(seeds_dir, name + ".json")
        with open(artifact, "w", encoding="utf-8") as f:
            json.dump(seeds_spec.seed(name), f, indent=1)
        out = os.path.join(out_dir, "%s.%s.json" % (name, measured))
        argv_m = run_argv(args.executor, measured, name, out, opts)
        run = run_test(args, events, "%s.%s" % (name, measured), argv_m, artifact=artifact, backend=measured,
                       finding_kinds=FINDING_KINDS, env_extra=env_extra)
        mine = read_output(out) if run.returncode == 0 and not run.timed_out else None
        if mine is None:
            print("%s: %s %s" % (name, measured, run.describe()), flush=True)
            continue
        for fw, python in refs.items():
            if deadline.expired():
                break
            ref_out = os.path.join(out_dir, "%s.%s.json" % (name, fw))
            argv_r = run_argv(python, fw, name, ref_out, opts)
            env = reference_env(env_extra)
            ref = run_child(argv_r, env, args.timeout)
            theirs = read_output(ref_out) if ref.returncode == 0 and not ref.timed_out else None
            if theirs is None:
                print("%s: reference %s %s: %s (pair skipped)" % (name, fw, ref.describe(), ref.last_line()), flush=True)
                continue
            compare_pair(args, events, opts, name, artifact, measured, fw, mine, theirs, argv_m, argv_r, out, ref_out)
    return 0


def compare_pair(args, events, opts, name, artifact, fw_j, fw_k, out_j, out_k, argv_j, argv_k, path_j, path_k):
    v = cradle_metrics.compare_backends(out_j["outputs"], out_k["outputs"], out_j["labels"],
                                        opts["mad_threshold"], opts["top_k"])
    print("%s: D_MAD %.2e, top-%d disagreements %d (%s vs %s)" % (name, v["d_mad"], opts["top_k"],
                                                                  v["class_disagreements"], fw_j, fw_k), flush=True)
    if not v["inconsistent"]:
        return
    if v["mad_inconsistent"]:
        metric, value = "D_MAD", v["d_mad"]
        detail = "D_MAD %.4f > %g for %s (delta %.4f on %s, %.4f on %s)" % (
            v["d_mad"], opts["mad_threshold"], name, v["delta_j"], fw_j, v["delta_k"], fw_k)
    else:
        metric, value = "D_CLASS", v["class_disagreements"]
        detail = "true class in the top %d of one framework only, for %d sample(s) of %s" % (
            opts["top_k"], v["class_disagreements"], name)
    q = lambda argv: " ".join(shlex.quote(a) for a in argv)  # noqa: E731
    replay = "%s && %s && %s %s compare %s %s --threshold %g --top-k %d" % (
        q(argv_j), q(argv_k), shlex.quote(sys.executable), shlex.quote(os.path.abspath(__file__)),
        shlex.quote(path_j), shlex.quote(path_k), opts["mad_threshold"], opts["top_k"])
    events.finding("inconsistency", trial_relative(args, artifact), "%s-vs-%s" % (fw_j, fw_k), detail, replay,
                   input=trial_relative(args, path_j), metric=metric, value=value)


def compare_main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="cradle_frameworks.py compare", description="D_MAD and D_CLASS of two outputs")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--threshold", type=float, default=cradle_metrics.DEFAULT_MAD_THRESHOLD)
    p.add_argument("--top-k", type=int, default=cradle_metrics.DEFAULT_TOP_K)
    a = p.parse_args(argv)
    ja, jb = read_output(a.a), read_output(a.b)
    if ja is None or jb is None:
        sys.exit("cannot read the outputs")
    v = cradle_metrics.compare_backends(ja["outputs"], jb["outputs"], ja["labels"], a.threshold, a.top_k)
    print(json.dumps(v))
    return 1 if v["inconsistent"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
