"""Tests of the CRADLE-style tester on the real frameworks. Interpreters come from
DLCOV_TEST_PYTORCH, DLCOV_TEST_TENSORFLOW and DLCOV_TEST_MXNET; a test skips when one it needs is
unset. Run: /usr/bin/python3 -m unittest discover -s runners/cradle-frameworks"""
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cradle_metrics  # noqa: E402
import seeds_spec  # noqa: E402

GENERATOR = os.path.join(HERE, "cradle_frameworks.py")
PYTHONS = {fw: os.environ.get(var, "") for fw, var in
           (("pytorch", "DLCOV_TEST_PYTORCH"), ("tensorflow", "DLCOV_TEST_TENSORFLOW"), ("mxnet", "DLCOV_TEST_MXNET"))}


def need(*frameworks):
    missing = [fw for fw in frameworks if not PYTHONS[fw]]
    if missing:
        raise unittest.SkipTest("set %s to the %s interpreter(s)" % (
            ", ".join("DLCOV_TEST_" + fw.upper() for fw in missing), ", ".join(missing)))


class Trial:
    """One run of the generator as the harness starts it, in a temporary trial folder."""

    def __init__(self, options, coverage=False, budget=120):
        self.dir = tempfile.mkdtemp(prefix="cradle-fw-test-")
        self.work, self.profiles = os.path.join(self.dir, "work"), os.path.join(self.dir, "profiles")
        self.events_path = os.path.join(self.dir, "events.jsonl")
        os.makedirs(self.profiles)
        opts = os.path.join(self.dir, "options.json")
        with open(opts, "w") as f:
            json.dump(options, f)
        env = dict(os.environ)
        env.pop("DLCOV_PYTHON_COVERAGE_DIR", None)
        if coverage:  # as the harness sets it for a live tester
            env["DLCOV_PYTHON_COVERAGE_DIR"] = self.profiles
        self.proc = subprocess.run(
            [sys.executable, GENERATOR, "--executor", PYTHONS[options.get("framework", "pytorch")], "--work", self.work,
             "--profiles", self.profiles, "--events", self.events_path, "--options", opts, "--budget", str(budget),
             "--seed", "1", "--timeout", "60"], env=env, capture_output=True, text=True, timeout=300)

    def events(self):
        with open(self.events_path) as f:
            return [json.loads(line) for line in f]

    def findings(self, kind=None):
        return [e for e in self.events() if e["event"] == "finding" and kind in (None, e["kind"])]


class MetricsTest(unittest.TestCase):
    def test_metrics_as_the_cpp_version(self):
        self.assertAlmostEqual(cradle_metrics.cradle_delta([[1, 0], [0.5, 0.5]], [0, 1]), 0.25)
        self.assertEqual(cradle_metrics.d_mad(0, 0), 0)
        self.assertAlmostEqual(cradle_metrics.d_mad(0.1, 0.3), 0.5)
        self.assertEqual(cradle_metrics.d_class_rank([0.1, 0.7, 0.2], 2), 2)
        self.assertEqual(cradle_metrics.d_class_rank([math.nan, 0.1], 1), 1)  # NaN never ranks above
        self.assertEqual(cradle_metrics.d_class_rank([0.1, math.nan], 1), 2)  # NaN truth ranks below
        v = cradle_metrics.compare_backends([[math.nan, 0]], [[1, 0]], [0])
        self.assertTrue(v["mad_inconsistent"])  # NaN is a finding, not a pass
        v = cradle_metrics.compare_backends([[0.9, 0.1, 0]], [[0.1, 0.2, 0.7]], [0], top_k=1)
        self.assertEqual(v["class_disagreements"], 1)
        with self.assertRaises(IndexError):
            cradle_metrics.cradle_delta([[1, 0]], [2])

    def test_spec_shapes(self):
        for name in seeds_spec.NAMES:
            s = seeds_spec.seed(name)
            self.assertEqual(s["nodes"][-1]["shape"], (s["classes"],), name)
        self.assertFalse(seeds_spec.seed("resnet_block")["chain"])
        self.assertTrue(seeds_spec.seed("vgg_like")["chain"])


class PyTorchAloneTest(unittest.TestCase):
    def test_two_seeds_events_and_coverage(self):
        need("pytorch")
        t = Trial({"framework": "pytorch", "seeds": ["lenet5_32", "inception_like"],
                   "references": {"tensorflow": "/nonexistent/tf/python"}}, coverage=True)
        self.assertEqual(t.proc.returncode, 0, t.proc.stderr)
        warnings = [l for l in t.proc.stderr.splitlines() if "warning: reference" in l]
        self.assertEqual(len(warnings), 2, t.proc.stderr)  # tensorflow and mxnet, one line each
        ex = [e for e in t.events() if e["event"] == "execution"]
        self.assertEqual([e["id"] for e in ex], ["lenet5_32.pytorch", "inception_like.pytorch"])
        for e in ex:
            self.assertEqual(e["result"], "exit 0")
            self.assertEqual(e["backend"], "pytorch")
            self.assertTrue(os.path.isfile(os.path.join(t.dir, e["artifact"])), e)
        self.assertEqual(t.findings(), [])
        for name in ("lenet5_32", "inception_like"):
            with open(os.path.join(t.work, "outputs", name + ".pytorch.json")) as f:
                out = json.load(f)
            self.assertEqual(len(out["outputs"]), 10)
            for row in out["outputs"]:
                self.assertAlmostEqual(sum(row), 1.0, places=4)  # softmax
        data = [f for f in os.listdir(t.profiles) if f.startswith(".coverage")]
        if not data and not self._has_hook():
            self.skipTest("no dlcov coverage hook in %s (dlcov_coverage_hook.py install)" % PYTHONS["pytorch"])
        self.assertGreaterEqual(len(data), 2, "one coverage data file per measured process")

    def _has_hook(self):
        probe = subprocess.run([PYTHONS["pytorch"], "-c", "import dlcov_coverage_hook"], capture_output=True)
        return probe.returncode == 0

    def test_nan_output_is_a_finding(self):
        need("pytorch")
        t = Trial({"framework": "pytorch", "seeds": ["mlp"], "perturb": {"pytorch": "nan"}, "references": {}})
        self.assertEqual(t.proc.returncode, 0, t.proc.stderr)
        nan = t.findings("nan")
        self.assertEqual(len(nan), 1, t.events())
        self.assertEqual(nan[0]["backends"], "pytorch")
        self.assertIn("cradle_run.py", nan[0]["replay"])


class CrossFrameworkTest(unittest.TestCase):
    def test_identical_models_on_all_three(self):
        need("pytorch", "tensorflow", "mxnet")
        t = Trial({"framework": "pytorch", "references": {"tensorflow": PYTHONS["tensorflow"], "mxnet": PYTHONS["mxnet"]}},
                  budget=600)
        self.assertEqual(t.proc.returncode, 0, t.proc.stderr)
        self.assertEqual(t.findings(), [], t.proc.stdout)
        for name in seeds_spec.NAMES:
            outs = {}
            for fw in ("pytorch", "tensorflow", "mxnet"):
                with open(os.path.join(t.work, "outputs", "%s.%s.json" % (name, fw))) as f:
                    outs[fw] = json.load(f)
            for ref in ("tensorflow", "mxnet"):
                v = cradle_metrics.compare_backends(outs["pytorch"]["outputs"], outs[ref]["outputs"],
                                                    outs["pytorch"]["labels"])
                self.assertLess(v["d_mad"], 1e-4, (name, ref))
                self.assertEqual(v["class_disagreements"], 0, (name, ref))
                diff = max(abs(a - b) for ra, rb in zip(outs["pytorch"]["outputs"], outs[ref]["outputs"])
                           for a, b in zip(ra, rb))
                self.assertLess(diff, 1e-4, (name, ref))

    def test_perturbed_reference_is_an_inconsistency(self):
        need("pytorch")
        ref = "tensorflow" if PYTHONS["tensorflow"] else "mxnet"
        need(ref)
        t = Trial({"framework": "pytorch", "seeds": ["mlp"], "references": {ref: PYTHONS[ref]},
                   "perturb": {ref: -4.0}})  # logits negated and scaled: the class ranking flips
        self.assertEqual(t.proc.returncode, 0, t.proc.stderr)
        found = t.findings("inconsistency")
        self.assertEqual(len(found), 1, t.events())
        f = found[0]
        self.assertEqual(f["backends"], "pytorch-vs-" + ref)
        # Untrained seeds give the true class little probability, and delta = 0.2 (1 - p_true) for
        # ten classes, so a changed model shows in D_CLASS before D_MAD passes 0.1.
        self.assertIn(f["metric"], ("D_MAD", "D_CLASS"))
        self.assertGreater(f["value"], 0)
        self.assertEqual(f["artifact"], "work/seeds/mlp.json")
        # The replay command reruns both frameworks and the comparison, which says inconsistent (1).
        replay = subprocess.run(f["replay"], shell=True, capture_output=True, text=True, timeout=120)
        self.assertEqual(replay.returncode, 1, replay.stdout + replay.stderr)
        self.assertTrue(json.loads(replay.stdout.strip().splitlines()[-1])["inconsistent"])


if __name__ == "__main__":
    unittest.main()
