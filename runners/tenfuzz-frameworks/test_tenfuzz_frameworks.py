"""Tests of the TenFuzz-style tester on the real frameworks.

    DLCOV_TEST_PYTORCH=/path/venv/bin/python [DLCOV_TEST_TENSORFLOW=...] [DLCOV_TEST_MXNET=...] /usr/bin/python3 -m unittest discover -s runners/tenfuzz-frameworks
"""
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tenfuzz_frameworks as tz  # noqa: E402

TORCH = os.environ.get("DLCOV_TEST_PYTORCH", "")
TF = os.environ.get("DLCOV_TEST_TENSORFLOW", "")
MX = os.environ.get("DLCOV_TEST_MXNET", "")


def run_generator(trial, python, options, budget):
    os.makedirs(os.path.join(trial, "profiles"))
    with open(os.path.join(trial, "options.json"), "w") as f:
        json.dump(options, f)
    env = dict(os.environ, DLCOV_PYTHON_COVERAGE_DIR=os.path.join(trial, "profiles"))
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "tenfuzz_frameworks.py"), "--executor", python,
                        "--work", os.path.join(trial, "work"), "--profiles", os.path.join(trial, "profiles"),
                        "--events", os.path.join(trial, "events.jsonl"), "--options", os.path.join(trial, "options.json"),
                        "--budget", str(budget), "--seed", "1", "--timeout", "30"],
                       capture_output=True, text=True, timeout=budget + 90, env=env)
    events = []
    if os.path.exists(os.path.join(trial, "events.jsonl")):
        with open(os.path.join(trial, "events.jsonl")) as f:
            events = [json.loads(line) for line in f]
    return r, events


def has_hook(python):
    return subprocess.run([python, "-c", "import dlcov_coverage_hook"], capture_output=True).returncode == 0


class Operators(unittest.TestCase):
    def test_rotation_and_shape_keep_the_data(self):
        data, shape = tz._rotate([1, 2, 3, 4, 5, 6], [2, 3], (0, 1), 90)
        self.assertEqual((data, shape), ([4, 1, 5, 2, 6, 3], [3, 2]))
        self.assertEqual(tz._rotate([1, 2, 3, 4, 5, 6], [2, 3], (0, 1), 180)[0], [6, 5, 4, 3, 2, 1])
        self.assertEqual(tz._rotate([1, 2, 3, 4, 5, 6], [2, 3], (0, 1), 270)[0], [3, 6, 2, 5, 1, 4])
        rng = random.Random(1)
        test = {"api": "torch.add", "args": [{"shape": [3, 4], "dtype": "float32", "data": list(range(12))}], "kwargs": {"alpha": 2}}
        for op in tz.OPERATORS:
            mutant, note = tz.mutate(test, op, rng, "torch")
            self.assertIsNotNone(mutant, op)
        mutant, _ = tz.mutate(test, "tensor_shape", rng, "torch")
        self.assertEqual(mutant["args"][0]["data"], list(range(12)))
        self.assertNotEqual(mutant["args"][0]["shape"], [3, 4])

    def test_compare(self):
        a = [{"shape": [2], "dtype": "float32", "values": [1.0, 2.0]}]
        self.assertEqual(tz.compare(a, a, 1e-3)[1], "")
        b = [{"shape": [2], "dtype": "float32", "values": [1.0, 3.0]}]
        self.assertTrue(tz.compare(a, b, 1e-3)[1])
        c = [{"shape": [2], "dtype": "float32", "values": [1.0, "nan"]}]
        self.assertTrue(tz.compare(a, c, 1e-3)[1])
        self.assertIsNone(tz.compare(a, [], 1e-3))


@unittest.skipUnless(TORCH, "DLCOV_TEST_PYTORCH (a PyTorch interpreter) is not set")
class PyTorch(unittest.TestCase):
    def test_runs_tests_writes_events_and_coverage(self):
        with tempfile.TemporaryDirectory() as trial:
            r, events = run_generator(trial, TORCH, {"framework": "pytorch", "references": {"tensorflow": "/nonexistent"}}, 24)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("no reference interpreter", r.stderr)
            executions = [e for e in events if e["event"] == "execution"]
            self.assertGreaterEqual(len(executions), 5, r.stderr)
            for e in executions:
                self.assertEqual(set(e), {"event", "id", "artifact", "backend", "result", "seconds"})
                self.assertTrue(os.path.isfile(os.path.join(trial, e["artifact"])), e)
                self.assertRegex(e["result"], r"^(exit \d+|signal \d+ .*|timeout after \d+ s)$")
            self.assertTrue(any(e["id"].startswith("m") for e in executions), "no mutant ran")
            for e in events:
                if e["event"] == "finding":
                    self.assertIn(e["kind"], ("crash", "timeout", "nan", "exception", "inconsistency"))
            with open(os.path.join(trial, "work", "summary.json")) as f:
                self.assertEqual(json.load(f)["tests"], len(executions))
            if has_hook(TORCH):
                data = glob.glob(os.path.join(trial, "profiles", ".coverage.*"))
                self.assertGreaterEqual(len(data), len(executions) - 1)
            else:
                print("(no dlcov coverage hook in %s: coverage data files not checked)" % TORCH)

    @unittest.skipUnless(TF, "DLCOV_TEST_TENSORFLOW (the TensorFlow reference) is not set")
    def test_planted_wrong_mapping_gives_an_inconsistency(self):
        with tempfile.TemporaryDirectory() as trial:
            with open(os.path.join(HERE, "ops.json")) as f:
                mapping = json.load(f)
            mapping["ops"]["torch.nn.functional.relu"]["reference"]["tensorflow"] = "tf.nn.relu(input) + 1.0"
            planted = os.path.join(trial, "ops.json")
            with open(planted, "w") as f:
                json.dump(mapping, f)
            options = {"framework": "pytorch", "references": {"tensorflow": TF}, "mapping": planted,
                       "apis": ["torch.nn.functional.relu", "torch.nn.functional.softmax"]}
            r, events = run_generator(trial, TORCH, options, 24)
            self.assertEqual(r.returncode, 0, r.stderr)
            found = [e for e in events if e["event"] == "finding" and e["kind"] == "inconsistency"]
            self.assertTrue(found, r.stderr)
            self.assertTrue(all("relu" in e["detail"] for e in found), found)
            self.assertEqual(found[0]["backends"], "pytorch-vs-tensorflow")
            self.assertEqual(found[0]["metric"], "max_rel_diff")
            self.assertTrue(os.path.isfile(os.path.join(trial, found[0]["input"])))


@unittest.skipUnless(MX, "DLCOV_TEST_MXNET (an MXNet interpreter) is not set")
class MXNet(unittest.TestCase):
    def test_runs_tests_and_a_correct_mapping_agrees_on_the_corpus(self):
        # Mapped mx.nd APIs only, so that the PyTorch reference (when present) is compared.
        apis = ["mx.nd.softmax", "mx.nd.Convolution", "mx.nd.sum", "mx.nd.linalg.det", "mx.nd.FullyConnected",
                "mx.nd.Pooling", "mx.nd.image.to_tensor"]
        options = {"framework": "mxnet", "references": {"pytorch": TORCH or "/nonexistent"}, "apis": apis}
        with tempfile.TemporaryDirectory() as trial:
            r, events = run_generator(trial, MX, options, 30)
            self.assertEqual(r.returncode, 0, r.stderr)
            executions = [e for e in events if e["event"] == "execution"]
            self.assertGreaterEqual(len(executions), 5, r.stderr)
            for e in executions:
                self.assertEqual(e["backend"], "mxnet")
                self.assertTrue(os.path.isfile(os.path.join(trial, e["artifact"])), e)
                self.assertRegex(e["result"], r"^(exit \d+|signal \d+ .*|timeout after \d+ s)$")
            corpus = [e for e in executions if e["id"].startswith("c")]
            self.assertTrue(corpus and all(e["result"] == "exit 0" for e in corpus), corpus)
            if has_hook(MX):
                data = glob.glob(os.path.join(trial, "profiles", ".coverage.*"))
                self.assertGreaterEqual(len(data), len(executions) - 1)
            else:
                print("(no dlcov coverage hook in %s: coverage data files not checked)" % MX)
            with open(os.path.join(trial, "work", "summary.json")) as f:
                summary = json.load(f)
            if not TORCH:
                self.assertIn("no reference interpreter", r.stderr)
                return
            self.assertEqual(summary["reference"], "pytorch")
            self.assertGreater(summary["compared"], 0, summary)
            wrong = [e for e in events if e["event"] == "finding" and e["kind"] == "inconsistency"
                     and os.path.basename(e["artifact"]).startswith("c")]
            self.assertEqual(wrong, [])


if __name__ == "__main__":
    unittest.main()
