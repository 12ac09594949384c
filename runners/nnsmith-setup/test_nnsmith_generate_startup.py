"""nnsmith_generate.py's retry of NNSmith's start-up spec sampling, on a stand-in for NNSmith.

NNSmith 0.2 samples its operators' specs at start-up without the seed, and now and then that fails
a sanity check (narrow_spec.py) before any test. The stand-in package fails that way on its first
runs, taking longer than the whole budget, and then saves one test: the generator must run it again
and not count the failed runs' time against the budget. Runs with the system python3 alone.

    /usr/bin/python3 -m unittest discover -s runners/nnsmith-setup -p 'test_nnsmith_generate*.py'
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATE = os.path.join(HERE, "nnsmith_generate.py")

# nnsmith.cli.fuzz as the stand-in: fails in "narrow_spec.py" while the counter file says so.
FAKE_FUZZ = r'''
import os, sys, time
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
counter = os.environ["FAKE_NNSMITH_FAILURES"]
left = int(open(counter).read())
if left > 0:
    open(counter, "w").write(str(left - 1))
    time.sleep(1.5)  # start-up: longer than the budget of the test
    print('Traceback (most recent call last):\n  File "nnsmith/narrow_spec.py", line 79, in _make_single_op_irs\n'
          'nnsmith.error.InternalError: Failed asertion ::  | 0 != -1', file=sys.stderr)
    sys.exit(1)
test = os.path.join(args["fuzz.save_test"], "0")
os.makedirs(test)
open(os.path.join(test, "oracle.pkl"), "wb").write(b"stand-in")
'''


def stand_in(root):
    # numpy and torch too: the generator's probe imports them, and a real one here may need the other.
    for package in ("nnsmith", "nnsmith/cli", "numpy", "torch"):
        os.makedirs(os.path.join(root, package), exist_ok=True)
        with open(os.path.join(root, package, "__init__.py"), "w") as f:
            f.write("__version__ = '0-stand-in'\n" if package != "nnsmith/cli" else "")
    with open(os.path.join(root, "nnsmith", "cli", "fuzz.py"), "w") as f:
        f.write(FAKE_FUZZ)


class StartupRetryTest(unittest.TestCase):
    def run_generator(self, failures):
        tmp = tempfile.TemporaryDirectory(prefix="dlcov-nnsmith-startup-")
        self.addCleanup(tmp.cleanup)
        stand_in(os.path.join(tmp.name, "packages"))
        counter = os.path.join(tmp.name, "failures")
        with open(counter, "w") as f:
            f.write(str(failures))
        out = os.path.join(tmp.name, "tests")
        r = subprocess.run([sys.executable, GENERATE, "--python", sys.executable, "--pythonpath",
                            os.path.join(tmp.name, "packages"), "--out", out, "--seconds", "1.2"],
                           capture_output=True, text=True, timeout=60, env=dict(os.environ, FAKE_NNSMITH_FAILURES=counter))
        return r, out

    def test_failed_startups_are_run_again_outside_the_budget(self):
        r, out = self.run_generator(failures=2)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertEqual(r.stderr.count("failed in its start-up spec sampling; running it again"), 2, r.stderr)
        with open(os.path.join(out, "done.json")) as f:
            done = json.load(f)
        self.assertEqual(done["tests"], 1)
        self.assertEqual([run["exit"] for run in done["runs"]], [1, 1, 0])
        self.assertTrue(os.path.exists(os.path.join(out, "0", "oracle.pkl")))

    def test_a_startup_that_keeps_failing_is_given_up(self):
        r, _ = self.run_generator(failures=10)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stderr.count("running it again"), 3, r.stderr)


if __name__ == "__main__":
    unittest.main()
