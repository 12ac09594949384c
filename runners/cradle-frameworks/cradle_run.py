#!/usr/bin/env python3
"""Runs one seed model on one framework and writes its outputs: one generated test of
cradle_frameworks.py, started with the framework environment's interpreter.

    <framework python> cradle_run.py --framework pytorch|tensorflow|mxnet --seed lenet5_32 --out OUT.json
                                     [--batch 10] [--threads 1] [--perturb 1.0]

OUT.json: {"framework", "version", "seed", "labels", "outputs" (N x classes; NaN as NaN),
"seconds": {"import", "build", "predict"}}.
Exit codes, as runners/replay/keras_predict.py:
  0  ran
  2  the framework cannot be used here (not importable, unknown seed): not a finding
  3  NaN or Inf in the outputs
  4  the framework raised while building or running the model
The last line written is a one-line summary.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeds_spec  # noqa: E402

MODULES = {"pytorch": "seeds_torch", "tensorflow": "seeds_keras", "mxnet": "seeds_gluon"}


def finish(code, message):
    print("cradle_run: " + message, file=sys.stderr if code else sys.stdout, flush=True)
    sys.exit(code)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--framework", required=True, choices=sorted(MODULES))
    p.add_argument("--seed", required=True, help="seed model name (seeds_spec.NAMES)")
    p.add_argument("--out", required=True)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--perturb", type=float, default=1.0,
                   help="scale the last dense layer's weights: a deliberately different model (oracle check)")
    args = p.parse_args(argv)

    try:
        spec = seeds_spec.seed(args.seed)
    except KeyError as e:
        finish(2, str(e))
    start = time.monotonic()
    try:
        import numpy as np
        fw = __import__(MODULES[args.framework])
    except Exception as e:
        finish(2, f"cannot import {args.framework} ({type(e).__name__}: {e})")
    imported = time.monotonic()
    try:
        fw.setup(args.threads)
        x, labels = seeds_spec.inputs(spec, args.batch)
        model = fw.build(spec, seeds_spec.weights(spec, args.perturb))
        built = time.monotonic()
        y = np.asarray(fw.predict(model, x), dtype=np.float64)
        predicted = time.monotonic()
    except Exception as e:
        first = str(e).splitlines()[0] if str(e) else ""
        finish(4, f"{type(e).__name__} running {args.seed} on {args.framework}: {first[:200]}")
    result = {"framework": args.framework, "version": fw.version(), "seed": args.seed, "labels": labels,
              "outputs": [[float(v) for v in row] for row in y],
              "seconds": {"import": round(imported - start, 3), "build": round(built - imported, 3),
                          "predict": round(predicted - built, 3)}}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    if not all(math.isfinite(v) for row in result["outputs"] for v in row):
        finish(3, f"NaN or Inf in the outputs of {args.seed} on {args.framework}")
    finish(0, f"{args.seed} on {args.framework} {result['version']}: {y.shape[0]}x{y.shape[1]} outputs, "
              f"import {result['seconds']['import']} s, predict {result['seconds']['predict']} s")


if __name__ == "__main__":
    main(sys.argv[1:])
