"""A random-model tester for ONNX: seeded models from onnx.helper, checked, inferred and evaluated.

Runs under /usr/bin/python3 with the standard library only (the live-generator contract, through
../pykit); every generated model is one test in its own measured process of the ONNX interpreter
(`--executor`): onnx_model_check.py builds it, runs the checker (full_check), strict shape inference
and the reference evaluator, and its exit code says what happened (finding_kinds). README.md.

    /usr/bin/python3 onnx_modelgen.py --executor PY --work W --profiles P --events E.jsonl \
        --options OPTS.json --budget 60 --seed 1 --timeout 30

Options: executions (tests to run, 0 = until the time budget; with the budget large enough a seed
and a number of executions give the same run), max_nodes, invalid_rate, ops (restrict the
operators), finding_kinds ({exit code: kind}).
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pykit"))
sys.path.insert(0, HERE)
from dlcov_pykit import Deadline, EventLog, parse_args, run_test  # noqa: E402
import model_spec  # noqa: E402

CHECK = os.path.join(HERE, "onnx_model_check.py")
DEFAULT_FINDING_KINDS = {"1": "exception", "2": "exception", "5": "inconsistency", "6": "inconsistency",
                         "7": "inconsistency", "8": "inconsistency"}


def options_of(args):
    o = dict(args.options_json)
    ops = o.get("ops") or []
    unknown = [op for op in ops if op not in model_spec.BUILDERS]
    if unknown:
        sys.exit("onnx-modelgen: unknown operators in option ops: %s (known: %s)" % (
            ", ".join(unknown), ", ".join(sorted(model_spec.BUILDERS))))
    return {
        "executions": int(o.get("executions", 0)),
        "max_nodes": int(o.get("max_nodes", 6)),
        "invalid_rate": float(o.get("invalid_rate", 0.2)),
        "ops": ops,
        "finding_kinds": {int(k): v for k, v in (o.get("finding_kinds") or DEFAULT_FINDING_KINDS).items()},
    }


def main(argv=None):
    args = parse_args("onnx-modelgen", "random ONNX models through checker, shape inference and reference evaluator", argv)
    opts = options_of(args)
    events = EventLog(args.events)
    deadline = Deadline(args.budget)
    rng = random.Random(args.seed)
    tests_dir = os.path.join(args.work, "tests")
    outputs_dir = os.path.join(args.work, "outputs")
    os.makedirs(tests_dir, exist_ok=True)
    os.makedirs(outputs_dir, exist_ok=True)
    summary = {"tests": 0, "results": {}, "ops": {}, "defects": {}}
    n = 0
    while not deadline.expired() and (opts["executions"] == 0 or n < opts["executions"]):
        n += 1
        test_id = "m%04d" % n
        spec = model_spec.make_spec(rng, test_id, opts["ops"], opts["max_nodes"], opts["invalid_rate"])
        spec_path = os.path.join(tests_dir, test_id + ".json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(spec, f, indent=1)
        outcome_path = os.path.join(outputs_dir, test_id + ".json")
        # The artifact is the spec (its .onnx is saved beside it by the check); the replay is the
        # same command.
        run = run_test(args, events, test_id, [args.executor, CHECK, spec_path, outcome_path],
                       artifact=spec_path, backend="onnx", finding_kinds=opts["finding_kinds"])
        summary["tests"] += 1
        key = "exit %d" % run.returncode if not run.timed_out else "timeout"
        summary["results"][key] = summary["results"].get(key, 0) + 1
        for op in spec["ops"]:
            summary["ops"][op] = summary["ops"].get(op, 0) + 1
        if spec["defect"]:
            summary["defects"][spec["defect"]] = summary["defects"].get(spec["defect"], 0) + 1
    with open(os.path.join(args.work, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print("onnx-modelgen: %d tests, %s" % (summary["tests"], summary["results"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
