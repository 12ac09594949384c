#!/usr/bin/env python3
"""Replays one NNSmith test case on the framework that python imports (PyTorch or TensorFlow).

NNSmith saves a test case as a folder: the model (`model.pth` with `gir.pkl`, older versions
`schedule.pkl`, for model.type=torch; a `model/` SavedModel folder for tensorflow) and
`oracle.pkl` (the inputs it generated and the outputs it expected). `nnsmith.fuzz
fuzz.save_test=DIR` writes one such folder per generated test (DIR/<seconds>/), and every bug
report under fuzz.root (bug-*/) is one too. The model is rebuilt with NNSmith's own loader
(TestCase.load), so the `nnsmith` package must be importable next to the instrumented framework;
it is run once on the oracle's inputs and compared with the oracle's outputs. With --backend
(NNSmith's backend.type, e.g. torchjit) the model is also compiled and run by that backend through
NNSmith's own BackendFactory, as `nnsmith.fuzz` does for every test, and compared with the oracle.

Exit codes: 0 ran and agreed with the oracle; 2 cannot be used here (nnsmith or the framework
missing, the folder does not load); 3 NaN or Inf where the oracle had none; 4 the framework raised;
5 the outputs differ from the oracle's. The last line written is a one-line summary.

    python3 nnsmith_replay.py FOLDER/oracle.pkl --model-type torch|tensorflow [--backend TYPE]
                              [--pythonpath DIRS]
"""
import argparse
import os
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("test", help="a test case folder, or any file in it (the runner passes oracle.pkl)")
    p.add_argument("--model-type", choices=["torch", "tensorflow"], default="torch",
                   help="NNSmith's model.type when it generated the tests")
    p.add_argument("--rtol", type=float, default=1e-2, help="relative tolerance against the oracle")
    p.add_argument("--atol", type=float, default=1e-3, help="absolute tolerance against the oracle")
    p.add_argument("--backend", default="",
                   help="NNSmith's backend.type to compile and run the model with as well (torchjit, "
                        "onnxruntime, xla, ...); empty: the model's own eager run only")
    p.add_argument("--pythonpath", default="", help="folders (':'-separated) put first on sys.path")
    return p.parse_args(argv)


def finish(code, message):
    print("nnsmith_replay: " + message, file=sys.stderr if code else sys.stdout, flush=True)
    sys.exit(code)


def load_test_case(model_type, folder):
    import warnings
    # nnsmith.util warns on every import when pygraphviz (only for its graph pictures) is missing.
    warnings.filterwarnings("ignore", message="Install pygraphviz")
    from nnsmith.materialize import Model, TestCase
    try:
        ModelType = Model.init(model_type, backend_target="cpu")
    except TypeError:  # versions before backend targets
        ModelType = Model.init(model_type)
    return TestCase.load(ModelType, folder, allow_no_oracle=False)


def run_torch(test_case):
    import torch
    net = test_case.model.native_model
    net.eval()
    inputs = {name: torch.from_numpy(value) for name, value in test_case.oracle.input.items()}
    with torch.no_grad():
        outputs = net(**inputs)
    names = list(test_case.model.output_like.keys())
    return {name: out.detach().cpu().numpy() for name, out in zip(names, outputs)}


def run_tensorflow(test_case):
    import tensorflow as tf
    inputs = {name: tf.convert_to_tensor(value) for name, value in test_case.oracle.input.items()}
    outputs = test_case.model.run_eagerly(inputs)
    return {name: value.numpy() for name, value in outputs.items()}


def run_backend(name, test_case):
    # NNSmith's own compile-and-run path (FuzzingLoop.validate_and_report, in process): for torchjit
    # that is torch.jit.trace, freeze, optimize_for_inference, then the traced module on the inputs.
    from nnsmith.backends.factory import BackendFactory
    factory = BackendFactory.init(name, target="cpu", optmax=True)
    return factory.make_backend(test_case.model)(test_case.oracle.input)


def compare(np, outputs, expected, folder, what, args):
    for name, value in outputs.items():
        want = expected.get(name)
        if want is None:
            continue
        got, want = np.asarray(value), np.asarray(want)
        # NNSmith makes complex tensors too: compare them as complex, everything else as float64.
        dtype = np.complex128 if np.iscomplexobj(got) or np.iscomplexobj(want) else np.float64
        got, want = got.astype(dtype), want.astype(dtype)
        if not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
            finish(3, f"NaN or Inf in output {name} of {folder} ({what}), none in the oracle")
        if got.shape != want.shape or not np.allclose(got, want, rtol=args.rtol, atol=args.atol, equal_nan=True):
            finish(5, f"output {name} of {folder} ({what}) differs from oracle.pkl")


def main(argv):
    args = parse_args(argv)
    for folder in reversed([f for f in args.pythonpath.split(":") if f]):
        sys.path.insert(0, folder)
    folder = args.test if os.path.isdir(args.test) else os.path.dirname(os.path.abspath(args.test))
    try:
        import numpy as np
        test_case = load_test_case(args.model_type, folder)
    except Exception as e:
        finish(2, f"cannot load the NNSmith test case {folder} ({type(e).__name__}: {e}): the runner's `python` "
                  "or `pythonpath` option must reach nnsmith and the instrumented framework")

    try:
        outputs = run_torch(test_case) if args.model_type == "torch" else run_tensorflow(test_case)
    except Exception as e:
        finish(4, f"{type(e).__name__} while running {folder}: {str(e).splitlines()[0] if str(e) else ''}")

    expected = test_case.oracle.output
    compare(np, outputs, expected, folder, "eager", args)
    if args.backend:
        try:
            backend_outputs = run_backend(args.backend, test_case)
        except Exception as e:
            finish(4, f"{type(e).__name__} while running {folder} on {args.backend}: "
                      f"{str(e).splitlines()[0] if str(e) else ''}")
        compare(np, backend_outputs, expected, folder, args.backend, args)
    ran = "eager" + (" and " + args.backend if args.backend else "")
    finish(0, f"{folder}: {len(outputs)} output(s) agree with the oracle ({ran})")


if __name__ == "__main__":
    main(sys.argv[1:])
