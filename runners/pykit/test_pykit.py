"""Tests of run_child under the supervisor dlcov-contain, as the harness starts Python testers
(DLCOV_CONTAIN set). The supervisor is found next to DLCOV_EXE (the built dlcov); the tests skip
without it. Run: DLCOV_EXE=build/bin/dlcov /usr/bin/python3 -m unittest discover -s runners/pykit"""
import os
import shlex
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dlcov_pykit  # noqa: E402

EXE = os.environ.get("DLCOV_EXE", "")
SUPERVISOR = os.path.join(os.path.dirname(os.path.abspath(EXE)), "dlcov-contain") if EXE else ""


def alive(pid):
    """Running and not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def pid_in(path):
    for _ in range(500):
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError("no pid in " + path)


@unittest.skipUnless(SUPERVISOR and os.access(SUPERVISOR, os.X_OK), "set DLCOV_EXE to a built dlcov (dlcov-contain next to it)")
class ContainedRunChild(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pykit-test-")
        self.env = dict(os.environ, DLCOV_CONTAIN=SUPERVISOR)
        self.saved = os.environ.get("DLCOV_CONTAIN")
        os.environ["DLCOV_CONTAIN"] = SUPERVISOR

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("DLCOV_CONTAIN", None)
        else:
            os.environ["DLCOV_CONTAIN"] = self.saved

    def test_outcome_is_the_tests_own(self):
        run = dlcov_pykit.run_child(["sh", "-c", "echo out; exit 3"], self.env, 10)
        self.assertEqual((run.returncode, run.timed_out, run.output), (3, False, b"out\n"))
        run = dlcov_pykit.run_child(["sh", "-c", "kill -SEGV $$"], self.env, 10)
        self.assertEqual(run.returncode, -11)
        self.assertEqual(run.describe(), "signal 11 (Segmentation fault)")
        with self.assertRaises(FileNotFoundError):
            dlcov_pykit.run_child(["/nonexistent/dlcov-no-such-program"], self.env, 10)

    def test_an_escaped_process_is_ended_when_the_test_ends(self):
        pid_file = os.path.join(self.dir, "escaped.pid")
        start = time.monotonic()
        run = dlcov_pykit.run_child(["sh", "-c", "setsid sleep 30 & echo $! > %s" % shlex.quote(pid_file)], self.env, 10)
        escaped = pid_in(pid_file)
        self.assertEqual(run.describe(), "exit 0")
        gone = not os.path.exists("/proc/%d" % escaped)
        if not gone:
            os.kill(escaped, 9)
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(gone)

    def test_a_timeout_stops_an_escaped_process_that_ignores_sigterm(self):
        pid_file = os.path.join(self.dir, "stubborn.pid")
        script = ("setsid sh -c \"trap '' TERM; echo \\$\\$ > %s; exec sleep 60\" & "
                  "while [ ! -s %s ]; do sleep 0.01; done; sleep 60") % (shlex.quote(pid_file), shlex.quote(pid_file))
        start = time.monotonic()
        run = dlcov_pykit.run_child(["sh", "-c", script], self.env, 0.5)
        escaped = pid_in(pid_file)
        self.assertTrue(run.timed_out)
        self.assertEqual(run.returncode, -15)  # the test's shell ended by the timeout's SIGTERM
        stopped = not alive(escaped)
        if not stopped:
            os.kill(escaped, 9)
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(stopped)


if __name__ == "__main__":
    unittest.main()
