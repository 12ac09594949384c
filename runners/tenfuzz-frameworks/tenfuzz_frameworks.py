"""TenFuzz-style tester on the real frameworks (PyTorch, TensorFlow, MXNet's mx.nd).

TenFuzz mutates existing API-level tests with five operators (tensor type, tensor shape, tensor
structure, tensor rotation, parameter) and compares the results differentially. Here the tests are
the FreeFuzz-style corpus's recorded invocations (../freefuzz-style/corpus_<fw>.json) with
concrete tensor data, each run as one standalone program, one measured process per test; the
differential pair is the measured framework against another framework's equivalent API
(ops.json), run unmeasured. Live generator contract: runners/kit/generator.h.
"""
import copy
import json
import math
import os
import random
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "freefuzz-style"))
sys.path.insert(0, os.path.join(HERE, "..", "pykit"))
import api_programs as ap  # noqa: E402
from dlcov_pykit import Deadline, EventLog, parse_args, reference_env, run_test, trial_relative  # noqa: E402

OPERATORS = ["tensor_type", "tensor_shape", "tensor_structure", "tensor_rotation", "parameter"]
LONG_NAMES = {"torch": "pytorch", "tf": "tensorflow", "mx": "mxnet"}
DEFAULT_REFERENCE = {"pytorch": "tensorflow", "tensorflow": "pytorch", "mxnet": "pytorch"}
# Looser tolerances for the half-precision types, which the tensor-type operator produces.
DTYPE_TOLERANCE = {"float16": 1e-2, "bfloat16": 5e-2}
INT_LIMITS = {"int8": (-128, 127), "int16": (-32768, 32767), "int32": (-2 ** 31, 2 ** 31 - 1),
              "int64": (-2 ** 63, 2 ** 63 - 1), "uint8": (0, 255)}


# --------------------------------------------------------------------------- concrete tests

def concrete_data(spec, rng):
    """Flat values for a tensor spec (TenFuzz's tests carry their data, so the two frameworks
    of a differential test get the same tensors)."""
    n = 1
    for d in spec["shape"]:
        n *= max(int(d), 0)
    dtype = spec["dtype"]
    low, high = spec.get("range", [None, None])
    if dtype == "bool":
        return [rng.randint(0, 1) for _ in range(n)]
    if dtype in INT_LIMITS:
        if low is None:
            low, high = (0, 10) if dtype == "uint8" else (-5, 5)
        return [rng.randint(int(low), int(high)) for _ in range(n)]
    if low is None:
        low, high = -1.0, 1.0
    return [round(rng.uniform(low, high), 6) for _ in range(n)]


def concretize(inv, rng):
    inv = copy.deepcopy(inv)
    for path in ap.slots(inv):
        v = ap.get_path(inv, path)
        if ap.kind(v) == "tensor" and "data" not in v:
            v["data"] = concrete_data(v, rng)
    return inv


def tensor_paths(inv):
    return [p for p in ap.slots(inv) if ap.kind(ap.get_path(inv, p)) == "tensor"]


# ------------------------------------------------------------------------ the five operators

def _cast_value(x, dtype):
    if isinstance(x, str):  # nan/inf
        return 0 if dtype in INT_LIMITS or dtype == "bool" else x
    if dtype == "bool":
        return 1 if x != 0 else 0
    if dtype in INT_LIMITS:
        lo, hi = INT_LIMITS[dtype]
        return max(lo, min(hi, int(round(x))))
    return x


def op_tensor_type(inv, rng, fw):
    paths = tensor_paths(inv)
    if not paths:
        return None, "no tensor"
    path = rng.choice(paths)
    t = ap.get_path(inv, path)
    choices = [d for d in ap.TENSOR_DTYPES[fw] if d != t["dtype"] and not d.startswith("complex")]
    new = rng.choice(choices)
    old = t["dtype"]
    t["dtype"] = new
    t["data"] = [_cast_value(x, new) for x in t["data"]]
    return "%s: dtype %s -> %s" % (ap.label(path), old, new), None


def _factorizations(n, rank, rng):
    dims = []
    left = n
    for _ in range(rank - 1):
        divisors = [d for d in range(1, left + 1) if left % d == 0]
        d = rng.choice(divisors)
        dims.append(d)
        left //= d
    dims.append(left)
    rng.shuffle(dims)
    return dims


def op_tensor_shape(inv, rng, fw):
    paths = [p for p in tensor_paths(inv) if len(ap.get_path(inv, p)["data"]) > 1]
    if not paths:
        return None, "no tensor of more than one element"
    path = rng.choice(paths)
    t = ap.get_path(inv, path)
    n = len(t["data"])
    for _ in range(10):
        shape = _factorizations(n, rng.randint(1, 4), rng)
        if shape != list(t["shape"]):
            break
    else:
        return None, "no other shape"
    old = list(t["shape"])
    t["shape"] = shape
    return "%s: shape %s -> %s (same data)" % (ap.label(path), old, shape), None


def op_tensor_structure(inv, rng, fw):
    """Sparse: about 90% of one tensor's values set to 0. (Ragged inputs: none of the corpus's
    APIs takes them, so the ragged half of TenFuzz's operator does not apply here.)"""
    paths = [p for p in tensor_paths(inv) if len(ap.get_path(inv, p)["data"]) > 1]
    if not paths:
        return None, "no tensor"
    path = rng.choice(paths)
    t = ap.get_path(inv, path)
    kept = 0
    for i in range(len(t["data"])):
        if rng.random() < 0.9:
            t["data"][i] = 0
        else:
            kept += 1
    return "%s: sparse, %d of %d values kept" % (ap.label(path), kept, len(t["data"])), None


def _spatial_axes(shape, fw):
    if len(shape) == 4:  # images: NCHW in PyTorch and MXNet, NHWC in TensorFlow
        return (1, 2) if fw == "tf" else (2, 3)
    return (len(shape) - 2, len(shape) - 1)


def _rotate(data, shape, axes, degrees):
    """Rotates every plane over `axes` clockwise; 90/180/270 exactly, others bilinearly about the centre."""
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    h, w = shape[axes[0]], shape[axes[1]]
    new_shape = list(shape)
    if degrees in (90, 270):
        new_shape[axes[0]], new_shape[axes[1]] = w, h
    new_strides = [1] * len(new_shape)
    for i in range(len(new_shape) - 2, -1, -1):
        new_strides[i] = new_strides[i + 1] * new_shape[i + 1]
    out = [0] * len(data)
    rad = math.radians(degrees)
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    for flat in range(len(out)):
        idx, rem = [], flat
        for s in new_strides:
            idx.append(rem // s)
            rem %= s
        y, x = idx[axes[0]], idx[axes[1]]
        src = list(idx)
        if degrees == 90:
            src[axes[0]], src[axes[1]] = h - 1 - x, y
        elif degrees == 180:
            src[axes[0]], src[axes[1]] = h - 1 - y, w - 1 - x
        elif degrees == 270:
            src[axes[0]], src[axes[1]] = x, w - 1 - y
        else:
            sy = cy + (y - cy) * math.cos(rad) - (x - cx) * math.sin(rad)
            sx = cx + (y - cy) * math.sin(rad) + (x - cx) * math.cos(rad)
            y0, x0 = int(math.floor(sy)), int(math.floor(sx))
            total = 0.0
            for dy, dx in ((0, 0), (0, 1), (1, 0), (1, 1)):
                yy, xx = y0 + dy, x0 + dx
                weight = (1 - abs(sy - yy)) * (1 - abs(sx - xx))
                if 0 <= yy < h and 0 <= xx < w and weight > 0:
                    src[axes[0]], src[axes[1]] = yy, xx
                    v = data[sum(a * b for a, b in zip(src, strides))]
                    total += weight * (0.0 if isinstance(v, str) else float(v))
            out[flat] = round(total, 6)
            continue
        out[flat] = data[sum(a * b for a, b in zip(src, strides))]
    return out, new_shape


def op_tensor_rotation(inv, rng, fw):
    paths = []
    for p in tensor_paths(inv):
        t = ap.get_path(inv, p)
        if len(t["shape"]) >= 2:
            a0, a1 = _spatial_axes(t["shape"], fw)
            if t["shape"][a0] > 1 and t["shape"][a1] > 1:
                paths.append(p)
    if not paths:
        return None, "no tensor with height and width > 1"
    path = rng.choice(paths)
    t = ap.get_path(inv, path)
    degrees = rng.choice([30, 90, 180, 270])
    axes = _spatial_axes(t["shape"], fw)
    t["data"], new_shape = _rotate(t["data"], [int(d) for d in t["shape"]], axes, degrees)
    if degrees == 30:  # interpolated values back into the tensor's type
        t["data"] = [_cast_value(x, t["dtype"]) for x in t["data"]]
    old = list(t["shape"])
    t["shape"] = new_shape
    return "%s: rotated %d degrees over axes %s (%s -> %s)" % (ap.label(path), degrees, list(axes), old, new_shape), None


def op_parameter(inv, rng, fw):
    paths = [p for p in ap.slots(inv) if ap.kind(ap.get_path(inv, p)) in ("int", "float", "bool")]
    if not paths:
        return None, "no scalar parameter"
    path = rng.choice(paths)
    v = ap.get_path(inv, path)
    k = ap.kind(v)
    if k == "bool":
        new, how = (not v), "negate"
    else:
        how = rng.choice(["negate", "zero", "nan", "max", "min"])
        if how == "negate":
            new = -v
        elif how == "zero":
            new = 0 if k == "int" else 0.0
        elif how == "nan":
            new = {"float": "nan"}
        elif how == "max":
            new = 2 ** 63 - 1 if k == "int" else 1.7976931348623157e308
        else:
            new = -2 ** 63 if k == "int" else -1.7976931348623157e308
        if new == v:
            new, how = {"float": "nan"}, "nan"
    ap.set_path(inv, path, new)
    return "%s: %s -> %s (%s)" % (ap.label(path), ap.describe(v), ap.describe(new), how), None


OPERATOR_FUNCTIONS = {"tensor_type": op_tensor_type, "tensor_shape": op_tensor_shape,
                      "tensor_structure": op_tensor_structure, "tensor_rotation": op_tensor_rotation,
                      "parameter": op_parameter}


def mutate(parent, operator, rng, fw):
    mutant = copy.deepcopy(parent)
    note, reason = OPERATOR_FUNCTIONS[operator](mutant, rng, fw)
    return (mutant, note) if note else (None, reason)


# ----------------------------------------------------------------------- differential oracle

def bindings(inv, entry):
    """The measured invocation's arguments by parameter name (ops.json's params), defaults filled."""
    bound = dict(entry.get("defaults", {}))
    params = entry["params"]
    for i, v in enumerate(inv.get("args", [])):
        if i < len(params):
            bound[params[i]] = v
    bound.update(inv.get("kwargs", {}))
    return bound


def read_outputs(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["outputs"]
    except (OSError, ValueError, KeyError):
        return None


def _num(x):
    return float(x)  # "nan", "inf", "-inf" included


def compare(measured, reference, threshold):
    """(max relative difference, detail) of two output lists, detail "" when within tolerance;
    None when not comparable (an output list missing, or a different number of outputs)."""
    if not measured or not reference or len(measured) != len(reference):
        return None
    worst = 0.0
    for i, (a, b) in enumerate(zip(measured, reference)):
        if a["shape"] != b["shape"]:
            return float("inf"), "output %d: shape %s vs %s" % (i, a["shape"], b["shape"])
        tol = max(threshold, DTYPE_TOLERANCE.get(a["dtype"], 0), DTYPE_TOLERANCE.get(b["dtype"], 0))
        va, vb = [_num(x) for x in a["values"]], [_num(x) for x in b["values"]]
        scale = max([1.0] + [abs(x) for x in vb if math.isfinite(x)])
        for j, (x, y) in enumerate(zip(va, vb)):
            if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
                if x == y or (math.isnan(x) and math.isnan(y)):
                    continue
                return float("inf"), "output %d[%d]: %r vs %r" % (i, j, x, y)
            d = abs(x - y) / scale
            worst = max(worst, d)
            if d > tol:
                return d, "output %d[%d]: %r vs %r (relative to %g: %.3g > tolerance %g)" % (i, j, x, y, scale, d, tol)
    return worst, ""


# -------------------------------------------------------------------------------- the loop

def main(argv=None):
    args = parse_args("tenfuzz_frameworks.py", __doc__.splitlines()[0], argv)
    opts = args.options_json
    framework = opts.get("framework", "pytorch")
    fw = ap.FRAMEWORK_KEYS[framework]
    framework = LONG_NAMES[fw]
    reference = opts.get("reference") or DEFAULT_REFERENCE[framework]
    threshold = float(opts.get("threshold", 1e-3))
    chain = float(opts.get("chain", 0.5))
    finding_kinds = {int(k): v for k, v in opts.get("finding_kinds", {"1": "exception", "3": "nan"}).items()}
    with open(opts.get("mapping") or os.path.join(HERE, "ops.json"), encoding="utf-8") as f:
        mapping = json.load(f)["ops"]
    corpus_file = opts.get("corpus") or ap.corpus_path(fw)
    _, corpus = ap.load_corpus(corpus_file)
    wanted = opts.get("apis") or []
    if wanted:
        corpus = [c for c in corpus if c["api"] in wanted]
    if not corpus:
        sys.exit("tenfuzz_frameworks.py: no test of %s in %s (apis: %s)" % (framework, corpus_file, wanted))
    deadline = Deadline(args.budget)
    rng = random.Random(args.seed)
    events = EventLog(args.events)

    ref_python = (opts.get("references") or {}).get(reference, "")
    server = None
    if reference == framework or not ref_python or not os.path.exists(ref_python):
        sys.stderr.write("tenfuzz_frameworks.py: no reference interpreter for %s (%r): tests run without the "
                         "differential comparison\n" % (reference, ref_python))
    else:
        server = ap.ProgramServer(ref_python, reference, reference_env())

    tests_dir = os.path.join(args.work, "tests")
    out_dir = os.path.join(args.work, "outputs")
    os.makedirs(tests_dir, exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    mutations_log = open(os.path.join(args.work, "mutations.jsonl"), "a", encoding="utf-8")
    summary = {"framework": framework, "reference": reference if server else None, "tests": 0, "ran": 0,
               "compared": 0, "inconsistencies": 0, "by_operator": {}, "not_applicable": {}}
    corpus_tests = [dict(concretize(inv, rng), id="c%02d-%s" % (i, inv["api"])) for i, inv in enumerate(corpus)]
    rng.shuffle(corpus_tests)
    ran_ok, ran_corpus = [], []  # tests that exited 0: parents (earlier mutants with probability chain)
    n = next_corpus = 0
    try:
        while not deadline.expired():
            # Corpus tests and mutants alternate, so a short budget mutates too.
            if next_corpus < len(corpus_tests) and (n % 2 == 0 or not ran_ok):
                test, parent, note, operator = corpus_tests[next_corpus], None, "", "corpus"
                next_corpus += 1
                test_id = test["id"]
            elif not ran_ok:
                break  # no corpus test ran: nothing to mutate
            else:
                if rng.random() < chain:
                    parent = rng.choice(ran_ok)
                else:
                    parent = rng.choice(ran_corpus or ran_ok)
                test = None
                for operator in rng.sample(OPERATORS, len(OPERATORS)):
                    test, note = mutate(parent, operator, rng, fw)
                    if test is not None:
                        break
                    summary["not_applicable"][operator] = summary["not_applicable"].get(operator, 0) + 1
                    mutations_log.write(json.dumps({"parent": parent["id"], "operator": operator,
                                                    "not_applicable": note}) + "\n")
                if test is None:
                    n += 1
                    continue
                test_id = "m%04d-%s-%s" % (n, operator, test["api"])
                test["id"] = test_id
                test["history"] = list(parent.get("history", [])) + ["%s: %s" % (operator, note)]
            n += 1
            summary["tests"] += 1
            ops = summary["by_operator"].setdefault(operator, {"tests": 0, "ran": 0, "findings": 0})
            ops["tests"] += 1
            program = os.path.join(tests_dir, test_id + ".py")
            with open(os.path.join(tests_dir, test_id + ".json"), "w", encoding="utf-8") as f:
                json.dump(test, f)
            notes = ["%s mutation history: %s" % ("TenFuzz", "; ".join(test.get("history", [])) or "corpus test")]
            seed_inv = parent if parent is not None else None
            with open(program, "w", encoding="utf-8") as f:
                f.write(ap.render_program(test, fw, "TenFuzz-style test %s of %s, generated by dlcov" % (test_id, test["api"]),
                                          notes, seed_inv=seed_inv, number=1))
            mutations_log.write(json.dumps({"id": test_id, "parent": parent["id"] if parent else None,
                                            "operator": operator, "mutation": note}) + "\n")
            mutations_log.flush()
            out_path = os.path.join(out_dir, test_id + "." + framework + ".json")
            run = run_test(args, events, test_id, [args.executor, program, out_path], artifact=program,
                           backend=framework, finding_kinds=finding_kinds)
            if run.returncode in finding_kinds and finding_kinds[run.returncode] != "none" or run.returncode < 0 or run.timed_out:
                ops["findings"] += 1
            if run.returncode != 0:
                continue
            ops["ran"] += 1
            summary["ran"] += 1
            ran_ok.append(test)
            if operator == "corpus":
                ran_corpus.append(test)
            entry = mapping.get(test["api"])
            if server is None or entry is None or reference not in entry["reference"] or deadline.expired():
                continue
            ref_program = os.path.join(tests_dir, "%s.ref-%s.py" % (test_id, reference))
            ref_out = os.path.join(out_dir, "%s.%s.json" % (test_id, reference))
            expr = entry["reference"][reference]
            with open(ref_program, "w", encoding="utf-8") as f:
                f.write(ap.render_expression_program(ap.FRAMEWORK_KEYS[reference], bindings(test, entry), expr,
                                                     "Reference for TenFuzz-style test %s: %s on %s" % (test_id, test["api"], reference),
                                                     ["equivalent expression from ops.json: " + expr]))
            reply = server.run(ref_program, [ref_out], timeout=args.timeout, log=ref_out + ".log")
            if reply["returncode"] not in (0, ap.EXIT_NAN):
                continue  # the reference rejects these arguments: not comparable
            measured = read_outputs(out_path)
            if measured is not None and "select" in entry:
                measured = [measured[i] for i in entry["select"] if i < len(measured)]
            result = compare(measured, read_outputs(ref_out), threshold)
            if result is None:
                continue
            summary["compared"] += 1
            value, detail = result
            if detail:
                summary["inconsistencies"] += 1
                ops["findings"] += 1
                replay = "%s %s /tmp/measured.json && %s %s /tmp/reference.json" % (
                    shlex.quote(args.executor), shlex.quote(program), shlex.quote(ref_python), shlex.quote(ref_program))
                events.finding("inconsistency", trial_relative(args, program), "%s-vs-%s" % (framework, reference),
                               "%s: %s" % (test["api"], detail), replay, input=trial_relative(args, ref_program),
                               metric="max_rel_diff", value=min(value, 1e300))
    finally:
        if server is not None:
            server.close()
        mutations_log.close()
        with open(os.path.join(args.work, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
