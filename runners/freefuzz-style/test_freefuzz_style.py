"""Tests of the FreeFuzz-style tester on the real frameworks.

    DLCOV_TEST_PYTORCH=/path/venv/bin/python [DLCOV_TEST_TENSORFLOW=...] /usr/bin/python3 -m unittest discover -s runners/freefuzz-style
"""
import ast
import fnmatch
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import api_programs as ap  # noqa: E402

TORCH = os.environ.get("DLCOV_TEST_PYTORCH", "")
TF = os.environ.get("DLCOV_TEST_TENSORFLOW", "")
ALLOWED_IMPORTS = {"io", "json", "math", "os", "sys", "resource", "numpy", "torch", "tensorflow", "mxnet", "tempfile"}
EXPECTED_EXIT = {"success": {0}, "fail": {1}, "potential-bug": {3, -11, -6, -9}}


def freefuzz_glob(root):
    """What freefuzz.yaml's glob "*-oracle/*/{*,*/*}.py" matches (component-map globs: * stays in a folder)."""
    out = []
    for path in glob.glob(os.path.join(root, "**", "*.py"), recursive=True):
        rel = os.path.relpath(path, root).split(os.sep)
        if len(rel) in (3, 4) and fnmatch.fnmatch(rel[0], "*-oracle"):
            out.append(path)
    return sorted(out)


def generate(python, framework, out, count, seed=1):
    return subprocess.run(["/usr/bin/python3", os.path.join(HERE, "freefuzz_style.py"), "--python", python,
                           "--framework", framework, "--out", out, "--count", str(count), "--seed", str(seed)],
                          capture_output=True, text=True, timeout=300)


def run_program(python, path, *argv):
    env = dict(os.environ)
    env.pop("DLCOV_PYTHON_COVERAGE_DIR", None)
    return subprocess.run([python, path] + list(argv), capture_output=True, text=True, timeout=120, env=env)


class ProgramImports(unittest.TestCase):
    def test_rendered_programs_parse_and_import_only_the_framework(self):
        for fw in ("torch", "tf", "mx"):
            _, corpus = ap.load_corpus(ap.corpus_path(fw))
            self.assertGreaterEqual(len(corpus), 40)
            for inv in corpus:
                tree = ast.parse(ap.render_program(inv, fw, "t", seed_inv=inv))
                names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
                names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
                self.assertLessEqual(names, ALLOWED_IMPORTS, inv["api"])


@unittest.skipUnless(TORCH, "DLCOV_TEST_PYTORCH (a PyTorch interpreter) is not set")
class PyTorchGeneration(unittest.TestCase):
    def test_layout_verdicts_and_standalone_exit_codes(self):
        with tempfile.TemporaryDirectory() as out:
            r = generate(TORCH, "torch", out, 24, seed=3)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "done.json")) as f:
                done = json.load(f)
            programs = freefuzz_glob(out)
            self.assertEqual(len(programs), 24)
            self.assertEqual(sorted(os.path.join(out, p["program"]) for p in done["programs"]), programs)
            self.assertEqual(sum(done["verdicts"].values()), 24)
            self.assertIn("success", done["verdicts"])
            self.assertIn("fail", done["verdicts"])
            for p in done["programs"]:
                oracle, verdict, api, name = p["program"].split("/")
                self.assertEqual(oracle, "crash-oracle")
                self.assertEqual(api, p["api"])
                self.assertTrue(name[:-3].isdigit())
            # Each program runs standalone (fresh interpreter) with its verdict's exit code.
            checked = {}
            for p in done["programs"]:
                if checked.get(p["verdict"], 0) >= 3:
                    continue
                checked[p["verdict"]] = checked.get(p["verdict"], 0) + 1
                run = run_program(TORCH, os.path.join(out, p["program"]))
                self.assertIn(run.returncode, EXPECTED_EXIT[p["verdict"]], p["program"] + "\n" + run.stdout + run.stderr)
            # Generation is deterministic: the same seed writes the same programs.
            with tempfile.TemporaryDirectory() as again:
                generate(TORCH, "torch", again, 6, seed=3)
                for p in freefuzz_glob(again)[:3]:
                    rel = os.path.relpath(p, again)
                    with open(p) as a, open(os.path.join(out, rel)) as b:
                        self.assertEqual(a.read(), b.read(), rel)

    def test_planted_nan_gives_the_nan_exit_code(self):
        seed = {"api": "torch.log", "args": [{"shape": [2, 3], "dtype": "float32", "range": [0.1, 2.0]}], "kwargs": {}}
        negative = {"api": "torch.log", "args": [{"shape": [2, 3], "dtype": "float32", "range": [-2.0, -1.0]}], "kwargs": {}}
        nan_input = {"api": "torch.log", "args": [{"shape": [2], "dtype": "float32", "data": ["nan", 1.0]}], "kwargs": {}}
        with tempfile.TemporaryDirectory() as d:
            cases = [(negative, seed, ap.EXIT_NAN), (seed, seed, 0), (nan_input, seed, 0), (negative, None, ap.EXIT_NAN)]
            for i, (inv, parent, code) in enumerate(cases):
                path = os.path.join(d, "%d.py" % i)
                with open(path, "w") as f:
                    f.write(ap.render_program(inv, "torch", "planted", seed_inv=parent))
                run = run_program(TORCH, path, os.path.join(d, "%d.json" % i))
                self.assertEqual(run.returncode, code, run.stdout + run.stderr)
                with open(os.path.join(d, "%d.json" % i)) as f:
                    self.assertEqual(json.load(f)["outputs"][0]["shape"], inv["args"][0]["shape"])


@unittest.skipUnless(TF, "DLCOV_TEST_TENSORFLOW (a TensorFlow interpreter) is not set")
class TensorFlowGeneration(unittest.TestCase):
    def test_layout_and_a_success_runs_standalone(self):
        with tempfile.TemporaryDirectory() as out:
            r = generate(TF, "tf", out, 10, seed=2)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(out, "done.json")) as f:
                done = json.load(f)
            self.assertEqual(len(freefuzz_glob(out)), 10)
            ok = [p for p in done["programs"] if p["verdict"] == "success"]
            self.assertTrue(ok)
            self.assertEqual(run_program(TF, os.path.join(out, ok[0]["program"])).returncode, 0)


if __name__ == "__main__":
    unittest.main()
