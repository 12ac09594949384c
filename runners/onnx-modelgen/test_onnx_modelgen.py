"""Tests of the random ONNX model tester.

    DLCOV_TEST_ONNX=/path/venv/bin/python /usr/bin/python3 -m unittest discover -s runners/onnx-modelgen

Without DLCOV_TEST_ONNX only the generator's own tests run (no ONNX needed).
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model_spec  # noqa: E402

ONNX_PYTHON = os.environ.get("DLCOV_TEST_ONNX", "")


def run_generator(trial, python, options, budget=120, seed=1):
    os.makedirs(os.path.join(trial, "profiles"), exist_ok=True)
    with open(os.path.join(trial, "options.json"), "w") as f:
        json.dump(options, f)
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "onnx_modelgen.py"), "--executor", python,
                        "--work", os.path.join(trial, "work"), "--profiles", os.path.join(trial, "profiles"),
                        "--events", os.path.join(trial, "events.jsonl"), "--options", os.path.join(trial, "options.json"),
                        "--budget", str(budget), "--seed", str(seed), "--timeout", "30"],
                       capture_output=True, text=True, timeout=budget + 60,
                       env=dict(os.environ, DLCOV_PYTHON_COVERAGE_DIR=os.path.join(trial, "profiles")))
    events = []
    if os.path.exists(os.path.join(trial, "events.jsonl")):
        with open(os.path.join(trial, "events.jsonl")) as f:
            events = [json.loads(line) for line in f]
    return r, events


class Specs(unittest.TestCase):
    def test_a_seed_gives_the_same_specs(self):
        a = [model_spec.make_spec(random.Random(5), "t%d" % i) for i in range(3)]
        b = [model_spec.make_spec(random.Random(5), "t%d" % i) for i in range(3)]
        self.assertEqual(a, b)
        self.assertNotEqual(model_spec.make_spec(random.Random(5), "t"), model_spec.make_spec(random.Random(6), "t"))

    def test_every_operator_can_be_built(self):
        for op in model_spec.ALL_OPS:
            built = any(op in model_spec.make_spec(random.Random(i), "t", ops=[op], invalid_rate=0)["ops"]
                        for i in range(40))
            self.assertTrue(built, op)

    def test_tensors_are_defined_before_use_and_outputs_declared(self):
        for i in range(200):
            spec = model_spec.make_spec(random.Random(i), "t", invalid_rate=0)
            g = spec["graph"]
            known = {t["name"] for t in g["inputs"]} | {t["name"] for t in g["initializers"]}
            for node in g["nodes"]:
                for name in node["inputs"]:
                    self.assertIn(name, known, (i, node))
                known.update(node["outputs"])
            for out in g["outputs"]:
                self.assertIn(out["name"], known)
                self.assertTrue(all(isinstance(d, int) and d >= 0 for d in out["shape"]), out)
            self.assertEqual(spec["defect"], "")

    def test_defects_are_planted_at_the_rate(self):
        specs = [model_spec.make_spec(random.Random(i), "t", invalid_rate=0.5) for i in range(200)]
        planted = [s["defect"] for s in specs if s["defect"]]
        self.assertTrue(60 < len(planted) < 140, len(planted))
        self.assertTrue(set(planted) <= set(model_spec.DEFECTS))
        self.assertGreaterEqual(len(set(planted)), 5)


# Runs specs through onnx_model_check.main in one ONNX process (fast: no process per model).
IN_PROCESS = r"""
import io, json, os, random, sys, contextlib
sys.path.insert(0, sys.argv[1])
import model_spec, onnx_model_check
codes = {}
for i in range(int(sys.argv[3])):
    spec = model_spec.make_spec(random.Random(i), "t%d" % i, invalid_rate=float(sys.argv[4]))
    p = os.path.join(sys.argv[2], "t.json")
    with open(p, "w") as f:
        json.dump(spec, f)
    with contextlib.redirect_stdout(io.StringIO()):
        code = onnx_model_check.main(p, os.path.join(sys.argv[2], "o.json"))
    with open(os.path.join(sys.argv[2], "o.json")) as f:
        outcome = json.load(f)
    codes.setdefault(str(code), []).append([i, spec["defect"], outcome["result"], outcome["detail"][-200:]])
print(json.dumps(codes))
"""


@unittest.skipUnless(ONNX_PYTHON, "DLCOV_TEST_ONNX (an ONNX interpreter) is not set")
class OnReal(unittest.TestCase):
    def in_process(self, count, invalid_rate):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([ONNX_PYTHON, "-c", IN_PROCESS, HERE, d, str(count), str(invalid_rate)],
                               capture_output=True, text=True, timeout=300,
                               env={k: v for k, v in os.environ.items() if k != "DLCOV_PYTHON_COVERAGE_DIR"})
            self.assertEqual(r.returncode, 0, r.stderr[-3000:])
            return json.loads(r.stdout.strip().splitlines()[-1])

    def test_models_built_valid_pass_the_checker_and_strict_shape_inference(self):
        # Checks this folder's shape rules against ONNX's own inference: exit 2 would be a model
        # the generator built valid that ONNX rejects.
        codes = self.in_process(300, 0.0)
        self.assertNotIn("2", codes, codes.get("2", [])[:5])
        self.assertGreater(len(codes.get("0", [])), 250)

    def test_planted_defects_are_rejected(self):
        codes = self.in_process(200, 1.0)
        self.assertNotIn("6", codes, codes.get("6", [])[:5])
        rejected = [c for c in codes.get("0", []) if c[2].startswith("rejected as expected")]
        self.assertGreater(len(rejected), 150)
        self.assertGreaterEqual(len({c[1] for c in rejected}), len(model_spec.DEFECTS))

    def test_a_run_of_a_number_of_executions(self):
        with tempfile.TemporaryDirectory() as trial:
            r, events = run_generator(trial, ONNX_PYTHON, {"executions": 6})
            self.assertEqual(r.returncode, 0, r.stderr)
            executions = [e for e in events if e["event"] == "execution"]
            self.assertEqual([e["id"] for e in executions], ["m%04d" % i for i in range(1, 7)])
            for e in executions:
                self.assertEqual(set(e), {"event", "id", "artifact", "backend", "result", "seconds"})
                self.assertTrue(os.path.isfile(os.path.join(trial, e["artifact"])), e)
                self.assertTrue(os.path.isfile(os.path.join(trial, e["artifact"][:-5] + ".onnx")), e)
            with open(os.path.join(trial, "work", "summary.json")) as f:
                self.assertEqual(json.load(f)["tests"], 6)
            outcomes = []
            for name in sorted(os.listdir(os.path.join(trial, "work", "outputs"))):
                with open(os.path.join(trial, "work", "outputs", name)) as f:
                    outcomes.append(json.load(f))
            self.assertEqual(len(outcomes), 6)
            # Seed 1's valid models reach the later stages; some are converted and compared.
            self.assertTrue(any(o.get("conversion") == "converted" for o in outcomes), outcomes)
            self.assertTrue(all(o["stage"] in ("checker", "shape_inference", "reference", "text", "version_converter")
                                for o in outcomes), outcomes)

    def test_findings_name_the_model_and_replay(self):
        # Seeds found on ONNX 1.14.1 (model_spec's rules as of this test): AveragePool with
        # explicit pads, whose reference kernel gives another output shape than shape inference,
        # and ReferenceEvaluator failing on such pools, among the first 40 models of seed 11.
        with tempfile.TemporaryDirectory() as trial:
            r, events = run_generator(trial, ONNX_PYTHON, {"executions": 40, "ops": ["AveragePool", "MaxPool", "Relu"],
                                                           "invalid_rate": 0.0}, seed=11)
            self.assertEqual(r.returncode, 0, r.stderr)
            findings = [e for e in events if e["event"] == "finding"]
            self.assertTrue(findings, r.stderr)
            for f in findings:
                self.assertIn(f["kind"], ("exception", "inconsistency"))
                self.assertTrue(os.path.isfile(os.path.join(trial, f["artifact"])), f)
                replay = subprocess.run(f["replay"], shell=True, capture_output=True, text=True, timeout=60)
                self.assertIn(replay.returncode, (1, 5), replay.stdout + replay.stderr)
