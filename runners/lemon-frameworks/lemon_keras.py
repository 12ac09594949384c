#!/usr/bin/env python3
"""dlcov's LEMON on Keras (Wang et al., FSE 2020): mutates the eight Keras seeds of
runners/cradle-frameworks with LEMON's twelve operators (keras_mutations.py), operator by MCMC and
model by roulette as LEMON (and runners/lemon/ on tiny-dnn) choose them, and writes LEMON's own
output tree, which the campaign then replays with configs/runners/lemon.yaml:

  <out>/<exp>/mut_model/<exp>_origin0.h5          the seed (exp = <seed>-gratings, one per seed)
  <out>/<exp>/mut_model/<exp>_origin0-LA1-WS3.h5  mutants that ran: parent's name, operator, global counter
  <out>/<exp>/crash/*.h5                           mutants TensorFlow crashed, timed out or raised on (moved)
  <out>/<exp>/nan/*.h5                             mutants with NaN/Inf outputs (moved)
  <out>/<exp>/mutant_history.txt                   name, parent, operator, outcome, D_MAD, what changed
  <out>/done.json                                  summary, written last

Every model runs in its own TensorFlow process (lemon_classify.py: Keras predict vs XLA, LEMON's
inconsistency between two backends, here two TensorFlow backends); mutations are applied by one
long-lived TensorFlow process (lemon_worker.py). Nothing here is measured: children get
reference_env (no DLCOV_PYTHON_COVERAGE_DIR). Standard library only.

    lemon_keras.py --python TF_PYTHON --out DIR [--mutants 24] [--seed 1] [--seeds a,b]
                   [--threshold 0.4] [--mutate-ratio 0.3] [--epsilon 0.1] [--operators WS,GF,...]
                   [--timeout 120]
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cradle-frameworks"))
sys.path.insert(0, os.path.join(HERE, "..", "pykit"))
import cradle_metrics  # noqa: E402
import seeds_spec  # noqa: E402
from dlcov_pykit import reference_env, run_child  # noqa: E402

OPERATORS = ["WS", "GF", "NEB", "NAI", "NS", "ARem", "ARep", "LA", "LC", "LR", "LS", "MLA"]
MAX_NAME = 160
DATASET = "gratings"  # LEMON names an experiment <model>-<dataset>; the seeds' inputs are sine gratings


class OperatorChain:
    """LEMON's MCMC over operators ranked by the share of their mutants that raised the parent's
    inconsistency: after the operator at rank k_a, a proposal at rank k_b is accepted with
    probability min(1, (1 - 1/n)^(k_b - k_a)); the first choice is uniform (runners/lemon/mcmc.h)."""

    def __init__(self, ops):
        self.entries = [[op, 0, 0] for op in ops]  # name, used, increased

    def score(self, e):
        return e[2] / e[1] if e[1] else 0.0

    def ranking(self):
        return [e[0] for e in sorted(self.entries, key=lambda e: -self.score(e))]  # stable: ties keep order

    def choose(self, last, rng):
        ranked = self.ranking()
        if last is None:
            return ranked[rng.randrange(len(ranked))]
        k_a = ranked.index(last)
        p = 1.0 / len(ranked)
        while True:
            k_b = rng.randrange(len(ranked))
            if rng.random() < math.pow(1.0 - p, k_b - k_a):
                return ranked[k_b]

    def record(self, op, increased):
        for e in self.entries:
            if e[0] == op:
                e[1] += 1
                e[2] += 1 if increased else 0


class Roulette:
    """LEMON's roulette: weight 1/(times selected + 1), times the model's D_MAD plus epsilon x the
    pool's mean D_MAD (LEMON's own weights when every D_MAD is 0; runners/lemon/roulette.h)."""

    def __init__(self, epsilon):
        self.epsilon, self.pool = epsilon, []

    def add(self, model):
        model["selected"] = 0
        self.pool.append(model)

    def choose(self, rng):
        mean = sum(m["d_mad"] for m in self.pool) / len(self.pool)
        w = [((m["d_mad"] + self.epsilon * mean) if mean > 0 else 1.0) / (m["selected"] + 1) for m in self.pool]
        ball, chosen = rng.random() * sum(w), self.pool[-1]
        for m, x in zip(self.pool, w):
            if ball < x:
                chosen = m
                break
            ball -= x
        chosen["selected"] += 1
        return chosen


def mutant_name(parent, op, counter):
    """<parent>-<op><counter>; too long a name drops its oldest steps after _origin0 for '~'."""
    name = "%s-%s%d" % (parent, op, counter)
    if len(name) <= MAX_NAME:
        return name
    origin = name.find("_origin0")
    prefix = name[:40] if origin < 0 else name[:origin + 8]
    prefix = prefix[:MAX_NAME // 2] + "~"
    tail = name[len(name) - (MAX_NAME - len(prefix)):]
    step = tail.find("-")
    return prefix + (tail if step < 0 else tail[step:])


class Worker:
    """lemon_worker.py under the TensorFlow interpreter; restarted if it dies."""

    def __init__(self, python):
        self.python, self.proc = python, None

    def request(self, req, timeout):
        for attempt in range(2):
            if self.proc is None or self.proc.poll() is not None:
                self.proc = subprocess.Popen([self.python, os.path.join(HERE, "lemon_worker.py")],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                             env=reference_env({"TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": "1"}),
                                             text=True, start_new_session=True)
            try:
                self.proc.stdin.write(json.dumps(req) + "\n")
                self.proc.stdin.flush()
                for line in self.proc.stdout:
                    if line.startswith("@@ "):
                        return json.loads(line[3:])
            except (BrokenPipeError, OSError):
                pass
            self.close()  # it died on this request: once more with a fresh worker
        return {"ok": False, "error": "the TensorFlow worker died"}

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


class Lemon:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.chain = OperatorChain(args.operators)
        self.roulette = Roulette(args.epsilon)
        self.worker = Worker(args.python)
        self.summary = {"mutants": 0, "kept": 0, "rejected": 0, "crash": 0, "nan": 0, "unusable": 0,
                        "not_applicable": 0, "inconsistencies": 0, "origins": 0}
        self.histories = {}
        self.scratch = os.path.join(args.out, ".outputs")
        os.makedirs(self.scratch, exist_ok=True)

    def history(self, exp, name, parent, op, outcome, d_mad, detail):
        path = os.path.join(self.args.out, exp, "mutant_history.txt")
        fresh = not os.path.exists(path)
        with open(path, "a", encoding="utf-8") as f:
            if fresh:
                f.write("# name\tparent\toperator\toutcome\tD_MAD\tdetail\n")
            flat = " ".join(detail.split())
            f.write("%s\t%s\t%s\t%s\t%s\t%s\n" % (name, parent, op, outcome, "-" if d_mad is None else "%.6g" % d_mad, flat))

    def classify(self, path, seed_name):
        """(outcome, D_MAD between tf and tf-xla or None, detail)."""
        out = os.path.join(self.scratch, os.path.basename(path) + ".json")
        run = run_child([self.args.python, os.path.join(HERE, "lemon_classify.py"), path, "--seed-name", seed_name,
                         "--out", out], reference_env({"TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": "1"}),
                        self.args.timeout)
        if run.timed_out or run.returncode < 0 or run.returncode == 4:
            return "crash", None, run.describe() + ": " + run.last_line()
        if run.returncode == 3:
            return "nan", None, run.last_line()
        if run.returncode != 0:
            return "unusable", None, run.describe() + ": " + run.last_line()
        with open(out, encoding="utf-8") as f:
            result = json.load(f)
        b = result["backends"]
        v = cradle_metrics.compare_backends(b["tf"], b["tf-xla"], result["labels"], self.args.threshold)
        if not math.isfinite(v["d_mad"]):
            return "nan", None, "D_MAD is not a number"
        if v["d_mad"] > self.args.threshold:
            self.summary["inconsistencies"] += 1
            return "kept", v["d_mad"], "inconsistency: D_MAD %.4f > %g between tf and tf-xla" % (v["d_mad"], self.args.threshold)
        return "kept", v["d_mad"], ""

    def add_origin(self, seed_name):
        exp = "%s-%s" % (seed_name, DATASET)
        root = os.path.join(self.args.out, exp)
        shutil.rmtree(root, ignore_errors=True)  # a fresh tree: no mutants of an earlier setup
        for sub in ("mut_model", "crash", "nan"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        name = exp + "_origin0"
        path = os.path.join(root, "mut_model", name + ".h5")
        answer = self.worker.request({"cmd": "seed", "name": seed_name, "out": path}, self.args.timeout)
        if not answer.get("ok"):
            self.history(exp, name, "-", "origin", "unusable", None, "cannot save the seed: " + answer.get("error", ""))
            return
        outcome, d, detail = self.classify(path, seed_name)
        if outcome != "kept":
            self.history(exp, name, "-", "origin", outcome, None, "the seed model itself fails: " + detail)
            return
        self.summary["origins"] += 1
        self.roulette.add({"name": name, "path": path, "exp": exp, "seed": seed_name, "d_mad": d})
        self.history(exp, name, "-", "origin", "origin", d, "seed %s %s" % (seed_name, detail))
        print("%s: origin (D_MAD %.3g)" % (name, d), flush=True)

    def mutate(self, parent, op):
        counter = self.summary["mutants"] + 1
        name = mutant_name(parent["name"], op, counter)
        root = os.path.join(self.args.out, parent["exp"])
        path = os.path.join(root, "mut_model", name + ".h5")
        answer = self.worker.request({"cmd": "mutate", "op": op, "parent": parent["path"], "out": path,
                                      "seed": self.rng.randrange(1 << 30), "ratio": self.args.mutate_ratio,
                                      "tag": str(counter)}, self.args.timeout)
        if not answer.get("ok") or not answer.get("applied"):
            self.summary["not_applicable"] += 1
            why = answer.get("description") or "error: " + answer.get("error", "")
            self.history(parent["exp"], "-", parent["name"], op, "not-applicable", None, why)
            return False
        self.summary["mutants"] += 1
        outcome, d, detail = self.classify(path, parent["seed"])
        increased = False
        if outcome == "kept":
            increased = d > parent["d_mad"]
            if d >= parent["d_mad"]:  # LEMON keeps a mutant whose inconsistency did not drop
                self.roulette.add({"name": name, "path": path, "exp": parent["exp"], "seed": parent["seed"], "d_mad": d})
                self.summary["kept"] += 1
            else:
                outcome = "rejected"
                self.summary["rejected"] += 1
        elif outcome in ("crash", "nan"):
            shutil.move(path, os.path.join(root, outcome, name + ".h5"))  # LEMON moves it out of mut_model
            self.summary[outcome] += 1
        else:  # does not load: an operator's bug, not a finding; keep it out of the tree
            os.remove(path)
            self.summary["unusable"] += 1
            print("lemon-keras: warning: %s does not load: %s" % (name, detail), file=sys.stderr, flush=True)
        self.chain.record(op, increased)
        self.history(parent["exp"], name, parent["name"], op, outcome, d,
                     answer["description"] + ("; " + detail if detail else ""))
        print("%s: %s (D_MAD %s, parent %.3g)" % (name, outcome, "-" if d is None else "%.3g" % d, parent["d_mad"]), flush=True)
        return True

    def run(self):
        start = time.monotonic()
        try:
            for s in self.args.seeds:
                self.add_origin(s)
            last, attempts = None, 0
            while (self.summary["mutants"] < self.args.mutants and attempts < 20 * self.args.mutants + 100
                   and self.roulette.pool):
                attempts += 1
                parent = self.roulette.choose(self.rng)
                op = self.chain.choose(last, self.rng)
                if self.mutate(parent, op):
                    last = op
        finally:
            self.worker.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.summary["seconds"] = round(time.monotonic() - start, 1)
        self.summary["experiments"] = sorted({m["exp"] for m in self.roulette.pool})
        self.summary["operator_scores"] = {e[0]: [e[1], e[2]] for e in self.chain.entries}
        tmp = os.path.join(self.args.out, "done.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.summary, f, indent=1)
        os.replace(tmp, os.path.join(self.args.out, "done.json"))  # last: the harness's `creates`
        print("lemon-keras: %s" % json.dumps({k: v for k, v in self.summary.items() if k != "operator_scores"}), flush=True)
        return 0 if self.summary["origins"] else 1


def main(argv):
    p = argparse.ArgumentParser(prog="lemon_keras.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--python", required=True, help="the TensorFlow environment's interpreter")
    p.add_argument("--out", required=True, help="LEMON's output folder (the runner's `input`)")
    p.add_argument("--mutants", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seeds", default=",".join(seeds_spec.NAMES), help="comma-separated seed names")
    p.add_argument("--threshold", type=float, default=0.4, help="LEMON's D_MAD threshold")
    p.add_argument("--mutate-ratio", type=float, default=0.3)
    p.add_argument("--epsilon", type=float, default=0.1, help="roulette floor, relative to the pool's mean D_MAD")
    p.add_argument("--operators", default=",".join(OPERATORS))
    p.add_argument("--timeout", type=float, default=120, help="seconds per model run")
    args = p.parse_args(argv)
    args.seeds = [s for s in args.seeds.split(",") if s]
    args.operators = [o for o in args.operators.split(",") if o]
    for s in args.seeds:
        if s not in seeds_spec.NAMES:
            p.error("unknown seed %r (known: %s)" % (s, ", ".join(seeds_spec.NAMES)))
    for o in args.operators:
        if o not in OPERATORS:
            p.error("unknown operator %r (LEMON's: %s)" % (o, ", ".join(OPERATORS)))
    if not os.access(args.python, os.X_OK):
        p.error("no interpreter at %s (--python: the TensorFlow environment's)" % args.python)
    os.makedirs(args.out, exist_ok=True)
    return Lemon(args).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
