"""Real NNSmith on real PyTorch: generate tests with nnsmith.cli.fuzz, replay them with nnsmith_replay.py.

    DLCOV_TEST_NNSMITH_PYTHON=builds/pytorch/venv/bin/python \
    DLCOV_TEST_NNSMITH_PYTHONPATH=builds/pytorch/nnsmith-packages \
        /usr/bin/python3 -m unittest discover -s runners/nnsmith-setup

DLCOV_TEST_NNSMITH_PYTHON is an interpreter that imports torch, and nnsmith with the
(':'-separated, optional) DLCOV_TEST_NNSMITH_PYTHONPATH on its path (`dlcov instrument
configs/frameworks/pytorch.yaml` makes builds/pytorch/nnsmith-packages). The tests skip when it is unset or nnsmith does not import there.
About 30 s on 2 cores: most of it is NNSmith's operator probe at start-up.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GENERATE = os.path.join(HERE, "nnsmith_generate.py")
REPLAY = os.path.join(ROOT, "runners", "replay", "nnsmith_replay.py")
HOOK_DIR = os.path.join(ROOT, "coverage", "python")
PYTHON = os.environ.get("DLCOV_TEST_NNSMITH_PYTHON", "")
PYTHONPATH = os.environ.get("DLCOV_TEST_NNSMITH_PYTHONPATH", "")


def clean_env(**more):
    env = dict(os.environ)
    env.pop("DLCOV_PYTHON_COVERAGE_DIR", None)
    env.update(more)
    return env


def nnsmith_missing():
    if not PYTHON:
        return "set DLCOV_TEST_NNSMITH_PYTHON to an interpreter that imports torch and nnsmith " \
               "(and DLCOV_TEST_NNSMITH_PYTHONPATH to builds/pytorch/nnsmith-packages)"
    probe = subprocess.run([PYTHON, "-W", "ignore", "-c", "import nnsmith, torch"], capture_output=True, text=True,
                           env=clean_env(PYTHONPATH=PYTHONPATH))
    if probe.returncode != 0:
        return f"nnsmith or torch does not import in {PYTHON} with PYTHONPATH={PYTHONPATH!r}: " + \
               (probe.stderr.strip().splitlines() or ["?"])[-1]
    return None


MISSING = nnsmith_missing()


@unittest.skipIf(MISSING, MISSING)
class NNSmithReplayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dlcov-nnsmith-")
        cls.out = os.path.join(cls.tmp.name, "nnsmith-tests")
        # NNSmith's own generator: fuzz.time=2s after its probe gives a few dozen tests.
        cls.generated = subprocess.run(
            [sys.executable, GENERATE, "--python", PYTHON, "--pythonpath", PYTHONPATH, "--out", cls.out,
             "--seconds", "2", "--model-type", "torch", "--backend", "torchjit", "--seed", "7"],
            capture_output=True, text=True, timeout=180,
            env=clean_env(DLCOV_PYTHON_COVERAGE_DIR=os.path.join(cls.tmp.name, "must-stay-empty")))
        cls.tests = sorted(glob.glob(os.path.join(cls.out, "*", "oracle.pkl")))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def replay(self, oracle, *more, coverage_dir=None):
        argv = [REPLAY, oracle, "--model-type", "torch", "--pythonpath", PYTHONPATH, *more]
        env = clean_env()
        if coverage_dir is None:
            return subprocess.run([PYTHON] + argv, capture_output=True, text=True, timeout=120, env=env)
        env["DLCOV_PYTHON_COVERAGE_DIR"] = coverage_dir
        has_hook = subprocess.run([PYTHON, "-c", "import dlcov_coverage_hook"], capture_output=True,
                                  env=clean_env()).returncode == 0
        if has_hook:  # the build's .pth starts it
            return subprocess.run([PYTHON] + argv, capture_output=True, text=True, timeout=120, env=env)
        # An interpreter without the hook installed: start the same hook module by hand, the way
        # its .pth line does, restricted to this interpreter's torch.
        torch_dir = subprocess.run([PYTHON, "-c", "import os, torch; print(os.path.dirname(torch.__file__))"],
                                   capture_output=True, text=True, env=clean_env(), check=True).stdout.strip()
        boot = ("import runpy, sys; sys.path.insert(0, %r); import dlcov_coverage_hook as h; h.start([%r]); "
                "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')" % (HOOK_DIR, torch_dir))
        return subprocess.run([PYTHON, "-c", boot] + argv, capture_output=True, text=True, timeout=120, env=env)

    def test_generator_saved_nnsmith_tests_and_done_json(self):
        self.assertEqual(self.generated.returncode, 0, self.generated.stderr + self.generated.stdout)
        with open(os.path.join(self.out, "done.json")) as f:
            done = json.load(f)
        self.assertGreaterEqual(len(self.tests), 2, "NNSmith saved fewer than 2 tests")
        self.assertEqual(done["tests"], len(self.tests))
        self.assertEqual(done["versions"]["nnsmith"][:2], "0.")
        for oracle in self.tests[:3]:
            folder = os.path.dirname(oracle)
            self.assertTrue(os.path.isfile(os.path.join(folder, "model.pth")), folder)
            self.assertTrue(os.path.isfile(os.path.join(folder, "gir.pkl")), folder)
        # generation is unmeasured: the variable was removed for NNSmith's processes
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "must-stay-empty")))

    def test_replay_agrees_and_writes_coverage(self):
        self.assertTrue(self.tests, self.generated.stderr)
        profiles = os.path.join(self.tmp.name, "profiles")
        os.makedirs(profiles)
        r = self.replay(self.tests[0], "--backend", "torchjit", coverage_dir=profiles)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertIn("agree with the oracle (eager and torchjit)", r.stdout)
        data = glob.glob(os.path.join(profiles, ".coverage*"))
        self.assertEqual(len(data), 1, os.listdir(profiles))
        self.assertGreater(os.path.getsize(data[0]), 0)

    def test_wrong_oracle_is_an_inconsistency(self):
        self.assertTrue(self.tests, self.generated.stderr)
        folder = os.path.join(self.tmp.name, "broken")
        subprocess.run(["cp", "-r", os.path.dirname(self.tests[-1]), folder], check=True)
        # every expected output gets an extra axis: no run can agree with it
        subprocess.run([PYTHON, "-c", "import pickle, sys, numpy as np\n"
                        "p = sys.argv[1]; d = pickle.load(open(p, 'rb'))\n"
                        "d['output'] = {k: np.zeros(np.shape(v) + (2,)) for k, v in d['output'].items()}\n"
                        "pickle.dump(d, open(p, 'wb'))", os.path.join(folder, "oracle.pkl")], check=True)
        r = self.replay(os.path.join(folder, "oracle.pkl"))
        self.assertEqual(r.returncode, 5, r.stderr + r.stdout)
        self.assertIn("differs from oracle.pkl", r.stderr)

    def test_folder_without_model_cannot_be_used(self):
        folder = os.path.join(self.tmp.name, "empty")
        os.makedirs(folder)
        open(os.path.join(folder, "oracle.pkl"), "wb").close()
        r = self.replay(os.path.join(folder, "oracle.pkl"))
        self.assertEqual(r.returncode, 2, r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()
