"""Tests of the LEMON-style tester on Keras. The search logic runs everywhere; the setup on real
TensorFlow needs DLCOV_TEST_TENSORFLOW (the interpreter of a TensorFlow environment).
Run: /usr/bin/python3 -m unittest discover -s runners/lemon-frameworks"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lemon_keras  # noqa: E402

KERAS_PREDICT = os.path.join(HERE, "..", "replay", "keras_predict.py")
TF = os.environ.get("DLCOV_TEST_TENSORFLOW", "")


class SearchTest(unittest.TestCase):
    def test_mcmc_prefers_operators_that_raised_inconsistency(self):
        chain = lemon_keras.OperatorChain(lemon_keras.OPERATORS)
        for _ in range(5):
            chain.record("LS", True)
            chain.record("WS", False)
        self.assertEqual(chain.ranking()[0], "LS")
        rng = random.Random(3)
        picks = [chain.choose("LS", rng) for _ in range(400)]
        self.assertGreater(picks.count("LS"), picks.count("MLA"))  # rank 0 accepted always, the last rarely
        self.assertEqual(set(picks) - set(lemon_keras.OPERATORS), set())

    def test_roulette_weights_selection_and_inconsistency(self):
        r = lemon_keras.Roulette(0.1)
        r.add({"name": "a", "d_mad": 0.0})
        r.add({"name": "b", "d_mad": 1.0})
        rng = random.Random(1)
        picks = [r.choose(rng)["name"] for _ in range(200)]
        self.assertGreater(picks.count("b"), picks.count("a"))
        self.assertGreater(picks.count("a"), 0)  # the floor keeps every model in the game

    def test_mutant_names_as_lemon(self):
        self.assertEqual(lemon_keras.mutant_name("lenet5_28-gratings_origin0-LA1", "WS", 3),
                         "lenet5_28-gratings_origin0-LA1-WS3")
        long = "x_origin0" + "-LA1" * 60
        name = lemon_keras.mutant_name(long, "WS", 99)
        self.assertLessEqual(len(name), lemon_keras.MAX_NAME)
        self.assertTrue(name.startswith("x_origin0~") and name.endswith("-WS99"), name)


@unittest.skipUnless(TF, "set DLCOV_TEST_TENSORFLOW to a TensorFlow environment's interpreter")
class SetupOnTensorFlowTest(unittest.TestCase):
    def test_tree_and_replay(self):
        out = tempfile.mkdtemp(prefix="lemon-keras-test-")
        self.addCleanup(shutil.rmtree, out, True)
        env = dict(os.environ, DLCOV_PYTHON_COVERAGE_DIR=os.path.join(out, "must-not-appear"))
        proc = subprocess.run([sys.executable, os.path.join(HERE, "lemon_keras.py"), "--python", TF, "--out", out,
                               "--seeds", "mlp,resnet_block", "--mutants", "4", "--seed", "5"],
                              capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "must-not-appear")), "setup must collect nothing")
        with open(os.path.join(out, "done.json")) as f:
            done = json.load(f)
        self.assertEqual(done["mutants"], 4)
        self.assertEqual(done["origins"], 2)
        self.assertEqual(done["unusable"], 0, proc.stderr)
        models = []
        for exp in ("mlp-gratings", "resnet_block-gratings"):
            for sub in ("mut_model", "crash", "nan"):
                self.assertTrue(os.path.isdir(os.path.join(out, exp, sub)))
            self.assertTrue(os.path.isfile(os.path.join(out, exp, "mut_model", exp + "_origin0.h5")))
            pattern = re.compile(r"^%s_origin0(-(%s)\d+)*\.h5$" % (re.escape(exp), "|".join(lemon_keras.OPERATORS)))
            for sub in ("mut_model", "crash", "nan"):
                for name in os.listdir(os.path.join(out, exp, sub)):
                    self.assertRegex(name, pattern)
                    models.append(os.path.join(out, exp, sub, name))
            with open(os.path.join(out, exp, "mutant_history.txt")) as f:
                rows = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
            self.assertTrue(all(len(r) == 6 for r in rows), rows)
        self.assertEqual(len(models), 2 + 4, models)  # every model executed is in the tree once
        # The campaign's replay (lemon.yaml) runs keras_predict.py on each: a mutant and a seed load.
        mutants = sorted(m for m in models if "_origin0-" in m and "/mut_model/" in m)
        for model in [mutants[0] if mutants else models[0], models[0]]:
            run = subprocess.run([TF, KERAS_PREDICT, model], capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            self.assertIn("output(s) (1, 10)", run.stdout)


if __name__ == "__main__":
    unittest.main()
