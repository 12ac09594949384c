"""API invocations of a real framework as data, their FreeFuzz mutations, and standalone programs.

Shared by the FreeFuzz-style tester (freefuzz_style.py) and the TenFuzz-style tester on the real
frameworks (../tenfuzz-frameworks/tenfuzz_frameworks.py). Standard library only: this module runs
under /usr/bin/python3; framework code runs only in the programs it writes, each started with the
framework's interpreter.

An invocation (one line of corpus_<fw>.json):
    {"api": "torch.nn.Conv2d", "component": "nn", "args": [...], "kwargs": {...},
     "call": {"args": [...], "kwargs": {...}},   # optional: call the constructed object
     "returns": "torch.load(io.BytesIO(arg_1.getvalue()))",   # optional expression of obj, arg_<i>, kw_<name>
     "grad": true}                               # optional: differentiate the result's sum
A value: JSON scalar; list; {"tuple": [...]}; a tensor {"shape": [...], "dtype": "float32",
"range": [low, high], "data": [flat values, "nan"/"inf" allowed]}; a dtype {"dtype": "int64"};
{"float": "nan"|"inf"|"-inf"}; {"expr": "python code"} (taken as it is, never mutated).
"""
import copy
import json
import os
import random
import select
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Framework names as runner options spell them -> the short names programs and corpora use.
FRAMEWORK_KEYS = {"pytorch": "torch", "torch": "torch", "tensorflow": "tf", "tf": "tf", "mxnet": "mx", "mx": "mx"}

TENSOR_DTYPES = {
    "torch": ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
              "complex64", "complex128"],
    "tf": ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
           "complex64", "complex128"],
    "mx": ["float16", "float32", "float64", "int8", "int32", "int64", "uint8"],
}
DTYPE_VALUES = {
    "torch": TENSOR_DTYPES["torch"] + ["quint8", "qint8"],
    "tf": TENSOR_DTYPES["tf"] + ["string"],
    "mx": TENSOR_DTYPES["mx"],
}
FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8")

# Exit codes of a generated program (the README's table).
EXIT_OK, EXIT_EXCEPTION, EXIT_NAN = 0, 1, 3


def corpus_path(framework):
    return os.path.join(HERE, "corpus_%s.json" % FRAMEWORK_KEYS[framework])


def load_corpus(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    invocations = data["invocations"]
    for inv in invocations:
        inv.setdefault("args", [])
        inv.setdefault("kwargs", {})
    return data["framework"], invocations


# ----------------------------------------------------------------------------------- values

def kind(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        if "shape" in v:
            return "tensor"
        if "tuple" in v:
            return "tuple"
        if "dtype" in v:
            return "dtype"
        if "expr" in v:
            return "expr"
        if "float" in v:
            return "special"
    return "other"


def slots(inv):
    """Every mutable place of an invocation, as paths: ("args", 0), ("kwargs", "stride"),
    ("call", "args", 0), and list or tuple elements below them."""
    out = []

    def walk(path, v):
        k = kind(v)
        if k == "expr":
            return
        out.append(path)
        if k == "list":
            for i, x in enumerate(v):
                walk(path + (i,), x)
        elif k == "tuple":
            for i, x in enumerate(v["tuple"]):
                walk(path + ("tuple", i), x)

    for i, v in enumerate(inv.get("args", [])):
        walk(("args", i), v)
    for name, v in inv.get("kwargs", {}).items():
        walk(("kwargs", name), v)
    call = inv.get("call")
    if call:
        for i, v in enumerate(call.get("args", [])):
            walk(("call", "args", i), v)
        for name, v in call.get("kwargs", {}).items():
            walk(("call", "kwargs", name), v)
    return out


def get_path(inv, path):
    v = inv
    for p in path:
        v = v[p]
    return v


def set_path(inv, path, value):
    v = inv
    for p in path[:-1]:
        v = v[p]
    v[path[-1]] = value


def slot_name(path):
    """The name a value of this slot is known by across APIs (database mutation matches it)."""
    names = [p for p in path if isinstance(p, str) and p not in ("args", "kwargs", "call", "tuple")]
    if names:
        return names[-1]
    return "%s%s" % ("call-" if path[0] == "call" else "", "pos")


def label(path):
    """How the program names the slot's variable (arg_0, kw_stride, call_arg_0, call_kw_training) + element."""
    if path[0] == "call":
        base = ("call_arg_%d" % path[2]) if path[1] == "args" else ("call_kw_%s" % path[2])
        rest = path[3:]
    else:
        base = ("arg_%d" % path[1]) if path[0] == "args" else ("kw_%s" % path[1])
        rest = path[2:]
    return base + "".join("[%d]" % p for p in rest if isinstance(p, int))


def describe(v):
    k = kind(v)
    if k == "tensor":
        extra = ""
        if "data" in v:
            extra = " data"
        return "tensor%s %s%s" % (list(v["shape"]), v["dtype"], extra)
    if k == "dtype":
        return "dtype " + v["dtype"]
    if k == "special":
        return "float " + v["float"]
    if k == "tuple":
        return "tuple(%s)" % ", ".join(describe(x) for x in v["tuple"])
    if k == "list":
        return "[%s]" % ", ".join(describe(x) for x in v)
    return "%s %r" % (k, v)


def has_nonfinite(v):
    """Does a value carry NaN or Inf into the call (then NaN out of it is no finding)?"""
    k = kind(v)
    if k == "special":
        return True
    if k == "tensor":
        return any(isinstance(x, str) for x in v.get("data", []))
    if k == "list":
        return any(has_nonfinite(x) for x in v)
    if k == "tuple":
        return any(has_nonfinite(x) for x in v["tuple"])
    if k == "float":
        return v != v or v in (float("inf"), float("-inf"))
    return False


def values_of(inv):
    return [get_path(inv, p) for p in slots(inv)]


# -------------------------------------------------------------------- FreeFuzz's mutations

class Database:
    """What FreeFuzz's database gives its value mutation: the values every recorded invocation
    passed, by argument name and by kind (for positional arguments)."""

    def __init__(self, invocations):
        self.by_name, self.by_kind = {}, {}
        for inv in invocations:
            for path in slots(inv):
                v = get_path(inv, path)
                k = kind(v)
                entry = (inv["api"], v)
                if path[0] != "args" or len(path) > 2:
                    self.by_name.setdefault(slot_name(path), []).append(entry)
                self.by_kind.setdefault(k, []).append(entry)

    def pick(self, rng, api, name, k):
        """A value another API recorded for an argument of this name, else one of this kind."""
        # Positional arguments have no name to match: their kind must match instead.
        same_name = [v for a, v in self.by_name.get(name, []) if a != api and (name not in ("pos", "call-pos") or kind(v) == k)]
        if same_name:
            return copy.deepcopy(rng.choice(same_name))
        same_kind = [v for a, v in self.by_kind.get(k, []) if a != api]
        if same_kind:
            return copy.deepcopy(rng.choice(same_kind))
        return None


def _shape_numel(shape):
    n = 1
    for d in shape:
        n *= max(int(d), 0)
    return n


def mutate_value(v, rng, framework, db, api, name):
    """One FreeFuzz mutation of one value: (new value, strategy) or (None, reason)."""
    k = kind(v)
    strategies = ["type", "random", "database"]
    strategy = rng.choice(strategies)
    if strategy == "database":
        new = db.pick(rng, api, name, k)
        if new is not None and new != v:
            if k == "tensor" and kind(new) == "tensor" and "range" in v:
                new["range"] = v["range"]  # shape and dtype from the database, values in this API's domain
            return new, "database value mutation"
        strategy = rng.choice(["type", "random"])
    if k == "tensor":
        new = copy.deepcopy(v)
        new.pop("data", None)
        if strategy == "type":
            if rng.random() < 0.5:
                new["dtype"] = rng.choice([d for d in TENSOR_DTYPES[framework] if d != v["dtype"]])
                return new, "tensor dtype mutation"
            shape = list(v["shape"])
            if shape and rng.random() < 0.5:
                del shape[rng.randrange(len(shape))]
            elif len(shape) < 6:
                shape.insert(rng.randrange(len(shape) + 1), rng.randint(1, 4))
            new["shape"] = shape
            return new, "tensor rank mutation"
        shape = list(v["shape"])
        if not shape:
            shape = [rng.randint(1, 4)]
        i = rng.randrange(len(shape))
        shape[i] = rng.choice([0, 1, rng.randint(1, 2 * max(1, shape[i]) + 2), shape[i] + 1])
        new["shape"] = shape
        return new, "tensor shape value mutation"
    if k == "int":
        if strategy == "type":
            options = [float(v) + 0.5, bool(v), None, {"shape": [], "dtype": "int64", "range": [v, v]},
                       {"tuple": [v, v]}, str(v)]
            return rng.choice(options), "type mutation"
        options = [0, -1, 1, v + 1, v - 1, -v, rng.randint(-16, 64), 2 ** 31 - 1, -2 ** 31, 2 ** 63 - 1]
        new = rng.choice([o for o in options if o != v] or [v + 1])
        return new, "random value mutation"
    if k == "float":
        if strategy == "type":
            options = [int(v), {"shape": [], "dtype": "float32", "range": [v, v]}, None, str(v)]
            return rng.choice(options), "type mutation"
        options = [0.0, -v, round(rng.uniform(-10, 10), 4), 1e30, -1e30, 1e-30,
                   {"float": "nan"}, {"float": "inf"}, {"float": "-inf"}]
        return rng.choice([o for o in options if o != v]), "random value mutation"
    if k == "special":
        return rng.choice([0.0, 1.0, -1.0]), "random value mutation"
    if k == "bool":
        if strategy == "type":
            return rng.choice([int(v), None, str(v).lower()]), "type mutation"
        return (not v), "random value mutation"
    if k == "str":
        strings = [x for x in (e[1] for e in db.by_kind.get("str", [])) if x != v]
        if strategy == "type" or not strings:
            return rng.choice(["", v.upper(), v + "_", "".join(rng.choice("abcxyz") for _ in range(5)), 1]), \
                "random string mutation"
        return rng.choice(strings), "string value mutation"
    if k == "none":
        return rng.choice([0, 1, -1, 1.5, True, "none", {"shape": [2], "dtype": "float32"}]), "type mutation"
    if k == "dtype":
        return {"dtype": rng.choice([d for d in DTYPE_VALUES[framework] if d != v["dtype"]])}, "dtype mutation"
    if k in ("list", "tuple"):
        items = list(v if k == "list" else v["tuple"])
        r = rng.random()
        if strategy == "type" or not items:
            return ({"tuple": items} if k == "list" else items), "sequence type mutation"
        if r < 0.5 and len(items) > 1:
            items = items[:-1]
        else:
            items = items + [copy.deepcopy(rng.choice(items))]
        return ({"tuple": items} if k == "tuple" else items), "sequence length mutation"
    return None, "not mutable"


def freefuzz_mutate(inv, rng, framework, db):
    """A mutant of a recorded invocation: FreeFuzz mutates one or more of its arguments (each
    with type, random-value or database-value mutation). Returns (mutant, [descriptions])."""
    mutant = copy.deepcopy(inv)
    paths = slots(mutant)
    if not paths:
        return mutant, []
    wanted = 1 if rng.random() < 0.7 else 2
    done = []
    for _ in range(8):
        if len(done) >= wanted:
            break
        paths = slots(mutant)
        path = rng.choice(paths)
        old = get_path(mutant, path)
        new, how = mutate_value(old, rng, framework, db, inv["api"], slot_name(path))
        if new is None or new == old:
            continue
        set_path(mutant, path, new)
        done.append("%s: %s -> %s (%s)" % (label(path), describe(old), describe(new), how))
    return mutant, done


# ------------------------------------------------------------------------------ programs

_LIMIT = r'''import resource
try:  # a mutated size of 2**31 must fail fast (MemoryError), not fill the machine's memory
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))
except (ValueError, OSError):
    pass
'''

_COMMON_HELPERS = r'''
_RNG = [np.random.RandomState(0)]
_created = []   # tensors that gradients are taken with respect to


def _array(shape, dtype, low=None, high=None, data=None):
    base = {"bfloat16": "float32", "quint8": "float32", "qint8": "float32"}.get(dtype, dtype)
    if data is not None:
        a = np.array([float(x) for x in data], dtype=np.float64).reshape(shape)
        return a.astype(base) if base != "bool" else (a != 0)
    rng = _RNG[0]
    if base == "bool":
        return rng.uniform(size=shape) < 0.5
    if base.startswith("complex"):
        lo, hi = (-1.0, 1.0) if low is None else (low, high)
        return (rng.uniform(lo, hi, size=shape) + 1j * rng.uniform(lo, hi, size=shape)).astype(base)
    if base.startswith(("int", "uint")):
        lo, hi = (0 if base.startswith("uint") else -5, 10 if base.startswith("uint") else 5) if low is None else (low, high)
        return rng.randint(int(lo), int(hi) + 1, size=shape).astype(base)
    lo, hi = (-1.0, 1.0) if low is None else (low, high)
    return rng.uniform(lo, hi, size=shape).astype(base)


def _finite(arrays):
    return all(bool(np.all(np.isfinite(a))) for a in arrays if a.dtype.kind in "fc")


def _dump(arrays, path):
    outputs = []
    for a in arrays:
        flat = np.asarray(a).ravel()[:20000]
        if flat.dtype.kind == "c":
            flat = np.stack([flat.real, flat.imag], axis=-1).ravel()
        if flat.dtype.kind not in "biufc":
            continue
        values = [float(x) if math.isfinite(float(x)) else str(float(x)) for x in flat.astype(np.float64)]
        outputs.append({"shape": list(np.shape(a)), "dtype": str(a.dtype), "values": values})
    with open(path, "w") as f:
        json.dump({"outputs": outputs}, f)


def _main(seed, mutant, inputs_finite, api):
    seed_finite = True
    if seed is not None:
        try:
            seed_finite = _finite(_flatten(seed()))
        except Exception as e:  # the recorded invocation itself failed here: no NaN oracle
            print("seed invocation raised %s: %s" % (type(e).__name__, str(e)[:200]))
            seed_finite = False
    outputs = _flatten(mutant())  # a Python exception here exits 1: FreeFuzz's "fail"
    if len(sys.argv) > 1:
        _dump(outputs, sys.argv[1])
    if seed_finite and inputs_finite and not _finite(outputs):
        print("potential bug: NaN/Inf in the output of %s where the seed invocation gave finite values" % api)
        sys.exit(3)
    print("ok: %s, %d outputs" % (api, len(outputs)))
'''

_PRELUDES = {
    "torch": _LIMIT + r'''import io
import json
import math
import sys

import numpy as np
import torch
''' + _COMMON_HELPERS + r'''

def _reset(n):
    _RNG[0] = np.random.RandomState(n)
    del _created[:]
    torch.manual_seed(n)


def _tensor(shape, dtype, low=None, high=None, data=None, grad=False):
    t = torch.from_numpy(np.ascontiguousarray(_array(shape, dtype, low, high, data)))
    if dtype in ("bfloat16",):
        t = t.to(torch.bfloat16)
    if grad and (t.is_floating_point() or t.is_complex()):
        t.requires_grad_(True)
        _created.append(t)
    return t


def _leaves(v, out):
    if isinstance(v, torch.Tensor):
        out.append(v)
    elif isinstance(v, dict):
        for k in sorted(v, key=str):
            _leaves(v[k], out)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _leaves(x, out)
    return out


def _flatten(v):
    arrays = []
    for x in _leaves(v, []):
        t = x.detach()
        if t.is_quantized:
            t = t.dequantize()
        if t.layout != torch.strided:
            t = t.to_dense()
        try:
            arrays.append(t.cpu().numpy())
        except (TypeError, RuntimeError):
            arrays.append(t.to(torch.complex128 if t.is_complex() else torch.float64).cpu().numpy())
    if not isinstance(v, torch.Tensor):
        arrays += [np.asarray(x) for x in (v if isinstance(v, (list, tuple)) else [v])
                   if isinstance(x, (bool, int, float, complex))]
    return arrays


def _grad(result):
    outs = [t for t in _leaves(result, []) if t.requires_grad and (t.is_floating_point() or t.is_complex())]
    if outs:
        sum((t.real if t.is_complex() else t).float().sum() for t in outs).backward()
    return (result, [t.grad for t in _created if t.grad is not None])


def _params():
    g = torch.Generator().manual_seed(0)
    return [torch.nn.Parameter(torch.randn(3, 2, generator=g)), torch.nn.Parameter(torch.zeros(2))]


def _step(opt):
    for _ in range(2):
        opt.zero_grad()
        loss = sum((p * p).sum() for group in opt.param_groups for p in group["params"])
        loss.backward()
        opt.step()
    return [p.detach().clone() for group in opt.param_groups for p in group["params"]]
''',
    "tf": _LIMIT + r'''import io
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf
''' + _COMMON_HELPERS + r'''

def _reset(n):
    _RNG[0] = np.random.RandomState(n)
    del _created[:]
    tf.random.set_seed(n)


def _tensor(shape, dtype, low=None, high=None, data=None, grad=False):
    a = _array(shape, dtype, low, high, data)
    t = tf.cast(tf.constant(a), tf.bfloat16) if dtype == "bfloat16" else tf.constant(a)
    if grad and (t.dtype.is_floating or t.dtype.is_complex):
        _created.append(t)
    return t


def _leaves(v, out):
    if isinstance(v, tf.SparseTensor):
        out.append(tf.sparse.to_dense(v))
    elif isinstance(v, tf.RaggedTensor):
        out.append(v.flat_values)
    elif isinstance(v, (tf.Tensor, tf.Variable)):
        out.append(v)
    elif isinstance(v, np.ndarray):
        out.append(v)
    elif isinstance(v, dict):
        for k in sorted(v, key=str):
            _leaves(v[k], out)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _leaves(x, out)
    elif isinstance(v, (bool, int, float, complex, np.generic)):
        out.append(np.asarray(v))
    return out


def _flatten(v):
    arrays = []
    for x in _leaves(v, []):
        if isinstance(x, np.ndarray):
            arrays.append(x)
            continue
        if x.dtype == tf.bfloat16:
            x = tf.cast(x, tf.float32)
        arrays.append(np.asarray(x.numpy()))
    return arrays


def _total(result):
    parts = [tf.reduce_sum(tf.cast(tf.math.real(t) if t.dtype.is_complex else t, tf.float32))
             for t in _leaves(result, []) if not isinstance(t, np.ndarray) and (t.dtype.is_floating or t.dtype.is_complex)]
    return tf.add_n(parts) if parts else tf.constant(0.0)


def _step(opt):
    v = [tf.Variable(np.linspace(-1, 1, 6).astype(np.float32).reshape(3, 2)), tf.Variable(np.zeros(2, np.float32))]
    for _ in range(2):
        with tf.GradientTape() as tape:
            loss = tf.add_n([tf.reduce_sum(x * x) for x in v])
        opt.apply_gradients(zip(tape.gradient(loss, v), v))
    return [x.numpy() for x in v]
''',
    "mx": _LIMIT + r'''import io
import json
import math
import os
import sys
import tempfile

import numpy as np
import mxnet as mx
''' + _COMMON_HELPERS + r'''

def _reset(n):
    _RNG[0] = np.random.RandomState(n)
    del _created[:]
    mx.random.seed(n)


def _tensor(shape, dtype, low=None, high=None, data=None, grad=False):
    a = _array(shape, dtype, low, high, data)
    t = mx.nd.array(a, dtype=a.dtype)
    if grad and a.dtype.kind == "f":
        t.attach_grad()
        _created.append(t)
    return t


def _flatten(v):
    out = []
    if isinstance(v, mx.nd.NDArray):
        out.append(v.asnumpy())
    elif isinstance(v, np.ndarray):
        out.append(v)
    elif isinstance(v, dict):
        for k in sorted(v, key=str):
            out += _flatten(v[k])
    elif isinstance(v, (list, tuple)):
        for x in v:
            out += _flatten(x)
    elif isinstance(v, (bool, int, float, np.generic)):
        out.append(np.asarray(v))
    return out


def _ready(obj):
    """A Gluon block is initialized before it is called (deterministic: _reset seeded mx.random)."""
    if isinstance(obj, mx.gluon.Block):
        with mx.autograd.pause():
            obj.initialize(mx.init.Xavier())
    return obj


def _params():
    return [mx.nd.array(np.linspace(-1, 1, 6).reshape(3, 2)), mx.nd.zeros((2,))]


def _step(opt):
    """Two steps of an mx.optimizer.Optimizer on the loss sum(p * p), through its updater."""
    params = _params()
    update = mx.optimizer.get_updater(opt)
    for _ in range(2):
        for i, p in enumerate(params):
            update(i, 2 * p, p)
    return params


def _train(trainer):
    """Two gluon.Trainer steps on the loss sum(p * p) of its parameters."""
    for _ in range(2):
        with mx.autograd.record():
            loss = mx.nd.add_n(*[(p.data() * p.data()).sum() for p in trainer._params])
        loss.backward()
        trainer.step(1)
    return [p.data() for p in trainer._params]


def _gluon_params():
    d = mx.gluon.ParameterDict()
    w = d.get("w", shape=(3, 2), init=mx.init.Constant(0.5))
    b = d.get("b", shape=(2,), init=mx.init.Zero())
    d.initialize()
    return d


_TMP = []


def _tmp(name):
    """A path in a temporary folder removed when the program exits (serialization APIs write files)."""
    if not _TMP:
        _TMP.append(tempfile.TemporaryDirectory())
    return os.path.join(_TMP[0].name, name)
''',
}

IMPORT_NAMES = {"torch": "torch", "tf": "tensorflow", "mx": "mxnet"}


class _Render:
    def __init__(self, framework, grad):
        self.framework, self.grad, self.nonfinite = framework, grad, False

    def value(self, v):
        k = kind(v)
        if k in ("none", "bool", "int", "str"):
            return repr(v)
        if k == "float":
            if v != v or v in (float("inf"), float("-inf")):
                self.nonfinite = True
                return "float(%r)" % repr(v)
            return repr(v)
        if k == "special":
            self.nonfinite = True
            return "float(%r)" % str(v["float"])
        if k == "list":
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        if k == "tuple":
            items = [self.value(x) for x in v["tuple"]]
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if k == "dtype":
            prefix = {"torch": "torch.", "tf": "tf.", "mx": "np."}[self.framework]
            return prefix + v["dtype"]
        if k == "expr":
            return v["expr"]
        if k == "tensor":
            parts = [repr([int(d) for d in v["shape"]]), repr(v["dtype"])]
            if "range" in v:
                parts += [repr(v["range"][0]), repr(v["range"][1])]
            if "data" in v:
                if has_nonfinite(v):
                    self.nonfinite = True
                parts.append("data=%r" % (v["data"],))
            if self.grad:
                parts.append("grad=True")
            return "_tensor(%s)" % ", ".join(parts)
        if isinstance(v, dict):
            return "{" + ", ".join("%r: %s" % (key, self.value(x)) for key, x in v.items()) + "}"
        raise ValueError("cannot render %r" % (v,))


def _body(inv, framework, seed_number):
    """The lines of one invocation function's body; returns (lines, inputs_finite)."""
    r = _Render(framework, bool(inv.get("grad")))
    lines = ["_reset(%d)" % seed_number]
    call_parts = []
    for i, v in enumerate(inv.get("args", [])):
        lines.append("arg_%d = %s" % (i, r.value(v)))
        call_parts.append("arg_%d" % i)
    for name, v in inv.get("kwargs", {}).items():
        lines.append("kw_%s = %s" % (name, r.value(v)))
        call_parts.append("%s=kw_%s" % (name, name))
    call = inv.get("call")
    call_lines = []
    if call:
        obj_parts = []
        for i, v in enumerate(call.get("args", [])):
            lines.append("call_arg_%d = %s" % (i, r.value(v)))
            obj_parts.append("call_arg_%d" % i)
        for name, v in call.get("kwargs", {}).items():
            lines.append("call_kw_%s = %s" % (name, r.value(v)))
            obj_parts.append("%s=call_kw_%s" % (name, name))
        if framework == "mx":
            call_lines.append("obj = _ready(obj)")
        call_lines.append("obj = obj(%s)" % ", ".join(obj_parts))
    work = ["obj = %s(%s)" % (inv["api"], ", ".join(call_parts))] + call_lines
    work.append("result = %s" % inv.get("returns", "obj"))
    if inv.get("grad") and framework == "torch":
        work.append("result = _grad(result)")
    if inv.get("grad") and framework == "tf":
        work = ["with tf.GradientTape() as _tape:", "    for _t in _created:", "        _tape.watch(_t)"] + \
               ["    " + w for w in work] + ["    _loss = _total(result)",
                                              "result = (result, _tape.gradient(_loss, _created))"]
    if inv.get("grad") and framework == "mx":
        # The loss is taken inside record(): backward() needs it in the recorded graph.
        work = ["with mx.autograd.record():"] + ["    " + w for w in work] + \
               ["    _loss = result.sum() if isinstance(result, mx.nd.NDArray) else None",
                "_loss.backward() if _loss is not None else None",
                "result = (result, [t.grad for t in _created])"]
    lines += work
    lines.append("return result")
    return lines, not r.nonfinite


def render_program(inv, framework, title, notes=(), seed_inv=None, number=1):
    """A standalone program: imports only the framework, numpy and the standard library; runs
    the recorded invocation (seed_inv), then the invocation; exit 0 ok, 1 Python exception,
    3 NaN/Inf in the output where the seed gave finite values and the inputs were finite.
    With an argument it writes the outputs there as JSON (differential testing)."""
    framework = FRAMEWORK_KEYS[framework]
    out = ["# %s" % title]
    for note in notes:
        out.append("# %s" % note)
    out.append("# Exit: 0 ran; 1 a Python exception; 3 NaN/Inf where the recorded invocation gave finite values.")
    out.append("# Run: python THIS.py [OUTPUTS.json]")
    out.append(_PRELUDES[framework])
    inputs_finite = True
    if seed_inv is not None:
        lines, _ = _body(seed_inv, framework, 0)
        out.append("\ndef _seed():  # the recorded invocation")
        out += ["    " + l for l in lines]
    lines, inputs_finite = _body(inv, framework, number)
    out.append("\ndef _mutant():")
    out += ["    " + l for l in lines]
    out.append("")
    out.append("if __name__ == \"__main__\":")
    out.append("    _main(%s, _mutant, %r, %r)" % ("_seed" if seed_inv is not None else "None", inputs_finite, inv["api"]))
    return "\n".join(out) + "\n"


def render_expression_program(framework, bindings, expr, title, notes=()):
    """A program that binds names to values and evaluates one expression of the framework (the
    reference side of a differential test); writes the outputs as render_program does."""
    framework = FRAMEWORK_KEYS[framework]
    r = _Render(framework, False)
    out = ["# %s" % title] + ["# %s" % n for n in notes] + [_PRELUDES[framework], "", "def _mutant():", "    _reset(1)"]
    for name, v in bindings.items():
        out.append("    %s = %s" % (name, r.value(v)))
    out.append("    return %s" % expr)
    out += ["", "if __name__ == \"__main__\":", "    _main(None, _mutant, %r, %r)" % (not r.nonfinite, expr)]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------- running many programs fast

SERVER = os.path.join(HERE, "api_server.py")


class ProgramServer:
    """Runs generated programs unmeasured through api_server.py: one interpreter imports the
    framework once and forks a child per program (own process group, timeout, exit code or
    signal), so an unmeasured run costs no interpreter start-up. Restarted when it dies."""

    def __init__(self, python, framework, env):
        self.python, self.framework, self.env = python, FRAMEWORK_KEYS[framework], env
        self.proc = None

    def _start(self):
        self.proc = subprocess.Popen([self.python, SERVER, "--framework", self.framework], env=self.env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, start_new_session=True)
        ready = self._read(180)
        if not ready or not ready.get("ready"):
            self.close()
            raise RuntimeError("%s cannot import %s (api_server.py did not start)" % (self.python, self.framework))

    def _read(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, end - time.monotonic()))
            if not r:
                break
            line = self.proc.stdout.readline()
            if not line:
                return None
            try:
                return json.loads(line)
            except ValueError:
                continue
        return None

    def run(self, program, argv=(), timeout=20, log=None):
        """{"returncode": int (negative: signal), "timed_out": bool, "seconds": float}."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        request = {"program": os.path.abspath(program), "argv": list(argv), "timeout": timeout,
                   "log": os.path.abspath(log) if log else os.devnull}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = self._read(timeout + 30)
        if reply is None:
            self.close()
            return {"returncode": -9, "timed_out": True, "seconds": float(timeout), "server_lost": True}
        return reply

    def close(self):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
