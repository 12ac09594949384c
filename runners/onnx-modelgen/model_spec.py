"""Random ONNX model specs: a seeded graph of operators with static shapes, in plain JSON.

Standard library only (it runs in the generator, under /usr/bin/python3). A spec names graph inputs,
initializers (constants), nodes and graph outputs, each tensor with its element type and static
shape as this module computes it from the operator's definition in ONNX opset 18; the child program
(`onnx_model_check.py`) turns it into a ModelProto with onnx.helper. Because every graph output is
declared with the shape computed here, strict shape inference compares ONNX's own inference with
this module's; the unit tests check on the real ONNX that models built valid pass.

    spec = make_spec(random.Random(7), "t0001", ops=None, max_nodes=6, invalid_rate=0.2)
"""
import math
import random

OPSET = 18

UNARY = ["Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log", "Sqrt", "Softplus", "Softsign", "Erf",
         "Sin", "Cos", "Floor", "Ceil", "Round", "Sign", "Reciprocal", "Identity", "HardSwish"]
UNARY_ALPHA = {"Elu": ["alpha"], "LeakyRelu": ["alpha"], "Selu": ["alpha", "gamma"], "Celu": ["alpha"],
               "HardSigmoid": ["alpha", "beta"], "ThresholdedRelu": ["alpha"]}
AXIS_SAME = ["Softmax", "LogSoftmax", "Hardmax"]
BINARY = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mean", "Sum", "Mod"]
COMPARE = ["Greater", "Less", "Equal", "GreaterOrEqual", "LessOrEqual"]
LOGICAL = ["Not", "And", "Or", "Xor"]
REDUCE = ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
          "ReduceLogSumExp", "ReduceSumSquare"]
SHAPE_OPS = ["Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Tile",
             "Expand", "Pad", "Gather", "Shape", "Size", "Cast", "CumSum", "TopK", "ArgMax", "ArgMin",
             "Where", "Clip", "Trilu"]
NN_OPS = ["MatMul", "Gemm", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
          "BatchNormalization", "InstanceNormalization", "LayerNormalization", "DepthToSpace", "SpaceToDepth"]
ALL_OPS = UNARY + list(UNARY_ALPHA) + AXIS_SAME + BINARY + COMPARE + LOGICAL + REDUCE + SHAPE_OPS + NN_OPS

# What a planted defect does; the checker or strict shape inference should reject every one.
DEFECTS = ["unknown_op", "missing_input", "duplicate_output", "unknown_attribute", "wrong_output_shape",
           "wrong_output_type", "bad_axis"]

MAX_ELEMENTS = 4096
FLOAT = "float32"


def numel(shape):
    return math.prod(shape)


class Graph:
    """A spec under construction: tensors with dtype and shape, nodes, constants."""

    def __init__(self, rng, test_id):
        self.rng = rng
        self.id = test_id
        self.tensors = {}   # name -> {"dtype", "shape"}
        self.order = []     # names in creation order (candidates for later nodes)
        self.inputs, self.initializers, self.nodes = [], [], []
        self._n = 0

    def _name(self, stem):
        self._n += 1
        return "%s%d" % (stem, self._n)

    def add_input(self, dtype, shape):
        name = self._name("x")
        self.inputs.append({"name": name, "dtype": dtype, "shape": list(shape)})
        self._tensor(name, dtype, shape)
        return name

    def const(self, dtype, shape, values=None):
        """An initializer; values default to random ones of the dtype."""
        name = self._name("c")
        n = numel(shape)
        if values is None:
            if dtype == "bool":
                values = [self.rng.random() < 0.5 for _ in range(n)]
            elif dtype == "int64":
                values = [self.rng.randint(-3, 3) for _ in range(n)]
            else:
                values = [round(self.rng.uniform(-2, 2), 3) for _ in range(n)]
        assert len(values) == n, (shape, values)
        self.initializers.append({"name": name, "dtype": dtype, "shape": list(shape), "values": list(values)})
        return name

    def ints(self, values, scalar=False):
        return self.const("int64", [] if scalar else [len(values)], list(values))

    def _tensor(self, name, dtype, shape):
        self.tensors[name] = {"dtype": dtype, "shape": list(shape)}
        self.order.append(name)

    def node(self, op, inputs, outputs, attrs=None):
        """outputs: [(dtype, shape)]; returns the new tensors' names."""
        names = [self._name("t") for _ in outputs]
        self.nodes.append({"op": op, "inputs": list(inputs), "outputs": names, "attrs": dict(attrs or {})})
        for name, (dtype, shape) in zip(names, outputs):
            self._tensor(name, dtype, shape)
        return names

    def pick(self, want=None, dtypes=(FLOAT,), min_rank=0, max_rank=8):
        """A tensor of one of dtypes and a rank in range, recent ones likelier; None if there is none.
        A float32 tensor is made from another one by a Cast when needed."""
        fits = [n for n in self.order if self.tensors[n]["dtype"] in dtypes
                and min_rank <= len(self.tensors[n]["shape"]) <= max_rank and numel(self.tensors[n]["shape"]) > 0]
        if not fits and FLOAT in dtypes:
            others = [n for n in self.order if min_rank <= len(self.tensors[n]["shape"]) <= max_rank
                      and numel(self.tensors[n]["shape"]) > 0]
            if others:
                src = others[-1]
                return self.node("Cast", [src], [(FLOAT, self.shape(src))], {"to": FLOAT})[0]
            return None
        if not fits:
            return None
        # Half the time the newest fitting tensor (chains), otherwise any.
        return fits[-1] if self.rng.random() < 0.5 else self.rng.choice(fits)

    def shape(self, name):
        return list(self.tensors[name]["shape"])

    def dtype(self, name):
        return self.tensors[name]["dtype"]


def _axis(rng, rank, allow_end=False):
    """An axis in [-rank, rank-1] (or [-rank, rank] when allow_end), either sign."""
    hi = rank if allow_end else rank - 1
    a = rng.randint(0, hi)
    return a - rank if rng.random() < 0.3 and a < rank else a


def _norm(axis, rank):
    return axis + rank if axis < 0 else axis


def _broadcastable_shape(rng, shape):
    """A shape that broadcasts to `shape`: a suffix of it with some dims set to 1."""
    k = rng.randint(0, len(shape))
    suffix = shape[len(shape) - k:]
    return [1 if rng.random() < 0.3 else d for d in suffix]


def _factor_shape(rng, total):
    """A random shape of 1-4 dims whose product is total."""
    primes, n, p = [], total, 2
    while n > 1 and p * p <= n:
        while n % p == 0:
            primes.append(p)
            n //= p
        p += 1
    if n > 1:
        primes.append(n)
    rank = rng.randint(1, 4)
    dims = [1] * rank
    for q in primes:
        dims[rng.randrange(rank)] *= q
    return dims


def _conv_out(size, k, stride, pad_begin, pad_end, dilation):
    return (size + pad_begin + pad_end - dilation * (k - 1) - 1) // stride + 1


# Each builder adds one node (sometimes a few) to g, or returns False when it does not apply.

def b_unary(g, op):
    x = g.pick()
    if x is None:
        return False
    attrs = {}
    for a in UNARY_ALPHA.get(op, []):
        attrs[a] = round(g.rng.uniform(0.1, 2.0), 3)
    g.node(op, [x], [(FLOAT, g.shape(x))], attrs)
    return True


def b_axis_same(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    g.node(op, [x], [(FLOAT, g.shape(x))], {"axis": _axis(g.rng, len(g.shape(x)))})
    return True


def _second_operand(g, x, dtype):
    same = [n for n in g.order if n != x and g.tensors[n]["shape"] == g.shape(x) and g.dtype(n) == dtype]
    if same and g.rng.random() < 0.5:
        return g.rng.choice(same)
    if dtype == FLOAT and g.rng.random() < 0.2:  # a Constant node instead of an initializer
        shape = _broadcastable_shape(g.rng, g.shape(x))
        values = [round(g.rng.uniform(-2, 2), 3) for _ in range(numel(shape))]
        return g.node("Constant", [], [(FLOAT, shape)], {"value": {"dtype": FLOAT, "shape": shape, "values": values}})[0]
    return g.const(dtype, _broadcastable_shape(g.rng, g.shape(x)))


def b_binary(g, op):
    x = g.pick()
    if x is None:
        return False
    y = _second_operand(g, x, FLOAT)
    ins = [x, y] if g.rng.random() < 0.5 else [y, x]
    attrs = {"fmod": 1} if op == "Mod" else {}  # Mod of floats needs fmod=1
    if op in ("Mean", "Sum") and g.rng.random() < 0.3:
        ins.append(x)
    g.node(op, ins, [(FLOAT, g.shape(x))], attrs)
    return True


def b_compare(g, op):
    x = g.pick()
    if x is None:
        return False
    g.node(op, [x, _second_operand(g, x, FLOAT)], [("bool", g.shape(x))])
    return True


def b_logical(g, op):
    x = g.pick(dtypes=("bool",))
    if x is None:  # no bool tensor yet: compare a float one with a constant
        f = g.pick()
        if f is None:
            return False
        x = g.node("Greater", [f, _second_operand(g, f, FLOAT)], [("bool", g.shape(f))])[0]
    if op == "Not":
        g.node(op, [x], [("bool", g.shape(x))])
    else:
        g.node(op, [x, _second_operand(g, x, "bool")], [("bool", g.shape(x))])
    return True


def b_reduce(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape, rank = g.shape(x), len(g.shape(x))
    keep = g.rng.choice([0, 1])
    inputs, axes = [x], list(range(rank))
    if g.rng.random() < 0.8:
        axes = sorted(g.rng.sample(range(rank), g.rng.randint(1, rank)))
        inputs.append(g.ints([a - rank if g.rng.random() < 0.3 else a for a in axes]))
    out = [1 if i in axes else d for i, d in enumerate(shape)] if keep else [d for i, d in enumerate(shape) if i not in axes]
    g.node(op, inputs, [(FLOAT, out)], {"keepdims": keep})
    return True


def b_transpose(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64"), min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    perm = list(range(len(shape)))
    g.rng.shuffle(perm)
    if g.rng.random() < 0.2:
        g.node(op, [x], [(g.dtype(x), shape[::-1])])
    else:
        g.node(op, [x], [(g.dtype(x), [shape[p] for p in perm])], {"perm": perm})
    return True


def b_reshape(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64"))
    if x is None:
        return False
    shape = g.shape(x)
    out = _factor_shape(g.rng, numel(shape))
    target = list(out)
    if g.rng.random() < 0.3:
        target[g.rng.randrange(len(target))] = -1
    elif g.rng.random() < 0.3:
        same = [i for i in range(min(len(shape), len(out))) if shape[i] == out[i]]
        if same:
            target[g.rng.choice(same)] = 0  # 0 copies the input's dim (allowzero 0)
    g.node(op, [x, g.ints(target)], [(g.dtype(x), out)])
    return True


def b_flatten(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64"), min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape), allow_end=True)
    a = _norm(axis, len(shape))
    g.node(op, [x], [(g.dtype(x), [numel(shape[:a]), numel(shape[a:])])], {"axis": axis})
    return True


def b_squeeze(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64"), min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    ones = [i for i, d in enumerate(shape) if d == 1]
    if not ones:
        return False
    if g.rng.random() < 0.3:
        g.node(op, [x], [(g.dtype(x), [d for d in shape if d != 1])])
        return True
    axes = sorted(g.rng.sample(ones, g.rng.randint(1, len(ones))))
    g.node(op, [x, g.ints(axes)], [(g.dtype(x), [d for i, d in enumerate(shape) if i not in axes])])
    return True


def b_unsqueeze(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64"), max_rank=5)
    if x is None:
        return False
    shape = g.shape(x)
    k = g.rng.randint(1, 2)
    r = len(shape) + k
    axes = sorted(g.rng.sample(range(r), k))
    out, src = [], iter(shape)
    for i in range(r):
        out.append(1 if i in axes else next(src))
    g.node(op, [x, g.ints([a - r if g.rng.random() < 0.3 else a for a in axes])], [(g.dtype(x), out)])
    return True


def b_concat(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape))
    a = _norm(axis, len(shape))
    other = list(shape)
    other[a] = g.rng.randint(1, 3)
    if numel(shape) + numel(other) > MAX_ELEMENTS:
        return False
    y = x if g.rng.random() < 0.3 else g.const(FLOAT, other)
    out = list(shape)
    out[a] = shape[a] + (shape[a] if y == x else other[a])
    g.node(op, [x, y], [(FLOAT, out)], {"axis": axis})
    return True


def b_split(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape))
    d = shape[_norm(axis, len(shape))]
    if d < 2:
        return False
    k = g.rng.randint(2, min(d, 3))
    cuts = sorted(g.rng.sample(range(1, d), k - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [d])]
    outs = []
    for p in parts:
        s = list(shape)
        s[_norm(axis, len(shape))] = p
        outs.append((FLOAT, s))
    g.node(op, [x, g.ints(parts)], outs, {"axis": axis})
    return True


def b_slice(g, op):
    x = g.pick(dtypes=(FLOAT, "int64"), min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    rank = len(shape)
    axes = sorted(g.rng.sample(range(rank), g.rng.randint(1, rank)))
    starts, ends, steps, out = [], [], [], list(shape)
    for a in axes:
        d = shape[a]
        step = g.rng.choice([1, 1, 1, 2, -1])
        start = g.rng.randint(-d, d)
        end = g.rng.choice([g.rng.randint(-d, d), 2 ** 63 - 1 if step > 0 else -(2 ** 63)])
        n = len(range(*slice(start, end, step).indices(d)))
        if n == 0:
            start, end, step, n = 0, d, 1, d
        starts.append(start)
        ends.append(end)
        steps.append(step)
        out[a] = n
    g.node(op, [x, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)], [(g.dtype(x), out)])
    return True


def b_tile(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    reps = [g.rng.randint(1, 2) for _ in shape]
    out = [d * r for d, r in zip(shape, reps)]
    if numel(out) > MAX_ELEMENTS:
        return False
    g.node(op, [x, g.ints(reps)], [(FLOAT, out)])
    return True


def b_expand(g, op):
    x = g.pick()
    if x is None:
        return False
    shape = g.shape(x)
    lead = [g.rng.randint(1, 3) for _ in range(g.rng.randint(0, 1))]
    target = lead + [g.rng.randint(1, 3) if d == 1 else d for d in shape]
    if numel(target) > MAX_ELEMENTS:
        return False
    g.node(op, [x, g.ints(target)], [(FLOAT, target)])
    return True


def b_pad(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    mode = g.rng.choice(["constant", "constant", "edge", "reflect"])
    limit = [(d - 1 if mode == "reflect" else 2) for d in shape]
    before = [g.rng.randint(0, min(2, lim)) for lim in limit]
    after = [g.rng.randint(0, min(2, lim)) for lim in limit]
    out = [d + b + a for d, b, a in zip(shape, before, after)]
    if numel(out) > MAX_ELEMENTS:
        return False
    inputs = [x, g.ints(before + after)]
    if mode == "constant" and g.rng.random() < 0.5:
        inputs.append(g.const(FLOAT, [], [round(g.rng.uniform(-1, 1), 3)]))
    g.node(op, inputs, [(FLOAT, out)], {"mode": mode})
    return True


def b_gather(g, op):
    x = g.pick(dtypes=(FLOAT, "int64"), min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape))
    d = shape[_norm(axis, len(shape))]
    ishape = [g.rng.randint(1, 3) for _ in range(g.rng.randint(0, 2))]
    idx = g.const("int64", ishape, [g.rng.randint(-d, d - 1) for _ in range(numel(ishape))])
    a = _norm(axis, len(shape))
    out = shape[:a] + ishape + shape[a + 1:]
    if numel(out) > MAX_ELEMENTS:
        return False
    g.node(op, [x, idx], [(g.dtype(x), out)], {"axis": axis})
    return True


def b_shape(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64"))
    if x is None:
        return False
    rank = len(g.shape(x))
    if op == "Size":
        g.node(op, [x], [("int64", [])])
        return True
    attrs = {}
    n = rank
    if rank and g.rng.random() < 0.4:
        start, end = g.rng.randint(-rank, rank), g.rng.randint(-rank, rank)
        attrs = {"start": start, "end": end}
        n = len(range(*slice(start, end).indices(rank)))
    g.node(op, [x], [("int64", [n])], attrs)
    return True


def b_cast(g, op):
    x = g.pick(dtypes=(FLOAT, "bool", "int64", "float64", "int32", "float16"))
    if x is None:
        return False
    to = g.rng.choice(["float32", "float64", "float16", "int64", "int32", "bool"])
    g.node(op, [x], [(to, g.shape(x))], {"to": to})
    return True


def b_cumsum(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    rank = len(g.shape(x))
    g.node(op, [x, g.ints([_axis(g.rng, rank)], scalar=True)], [(FLOAT, g.shape(x))],
           {"exclusive": g.rng.randint(0, 1), "reverse": g.rng.randint(0, 1)})
    return True


def b_topk(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape))
    a = _norm(axis, len(shape))
    k = g.rng.randint(1, shape[a])
    out = list(shape)
    out[a] = k
    g.node(op, [x, g.ints([k])], [(FLOAT, out), ("int64", out)],
           {"axis": axis, "largest": g.rng.randint(0, 1), "sorted": 1})
    return True


def b_arg(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape))
    a = _norm(axis, len(shape))
    keep = g.rng.randint(0, 1)
    out = [1 if i == a else d for i, d in enumerate(shape)] if keep else shape[:a] + shape[a + 1:]
    g.node(op, [x], [("int64", out)], {"axis": axis, "keepdims": keep, "select_last_index": g.rng.randint(0, 1)})
    return True


def b_where(g, op):
    x = g.pick()
    if x is None:
        return False
    shape = g.shape(x)
    conds = [n for n in g.order if g.dtype(n) == "bool" and g.shape(n) == shape]
    cond = g.rng.choice(conds) if conds else g.const("bool", _broadcastable_shape(g.rng, shape))
    g.node(op, [cond, x, g.const(FLOAT, _broadcastable_shape(g.rng, shape))], [(FLOAT, shape)])
    return True


def b_clip(g, op):
    x = g.pick()
    if x is None:
        return False
    lo = round(g.rng.uniform(-1, 0), 3)
    inputs = [x, g.const(FLOAT, [], [lo])]
    if g.rng.random() < 0.7:
        inputs.append(g.const(FLOAT, [], [round(lo + g.rng.uniform(0, 2), 3)]))
    g.node(op, inputs, [(FLOAT, g.shape(x))])
    return True


def b_trilu(g, op):
    x = g.pick(min_rank=2)
    if x is None:
        return False
    inputs = [x]
    if g.rng.random() < 0.5:
        inputs.append(g.ints([g.rng.randint(-2, 2)], scalar=True))
    g.node(op, inputs, [(FLOAT, g.shape(x))], {"upper": g.rng.randint(0, 1)})
    return True


def b_matmul(g, op):
    x = g.pick(min_rank=1, max_rank=4)
    if x is None:
        return False
    shape = g.shape(x)
    n = g.rng.randint(1, 4)
    w = g.const(FLOAT, [shape[-1], n])
    out = [n] if len(shape) == 1 else shape[:-1] + [n]
    g.node(op, [x, w], [(FLOAT, out)])
    return True


def b_gemm(g, op):
    x = g.pick(min_rank=2, max_rank=2)
    if x is None:
        return False
    m, k = g.shape(x)
    trans_a, trans_b = g.rng.randint(0, 1), g.rng.randint(0, 1)
    if trans_a:
        m, k = k, m
    n = g.rng.randint(1, 4)
    b = g.const(FLOAT, [n, k] if trans_b else [k, n])
    inputs = [x, b]
    if g.rng.random() < 0.7:
        inputs.append(g.const(FLOAT, g.rng.choice([[n], [1], [m, n], [m, 1]])))
    g.node(op, inputs, [(FLOAT, [m, n])], {"transA": trans_a, "transB": trans_b,
                                           "alpha": round(g.rng.uniform(0.5, 1.5), 3), "beta": round(g.rng.uniform(0.5, 1.5), 3)})
    return True


def _spatial(g, shape, kernel_max=3, with_dilation=True):
    """Kernel, strides, pads, dilations for the spatial dims of an N,C,... tensor, or None."""
    spatial = shape[2:]
    ks, ss, pb, pe, ds, out = [], [], [], [], [], []
    for size in spatial:
        k = g.rng.randint(1, min(kernel_max, size + 1))
        s = g.rng.randint(1, 2)
        d = g.rng.randint(1, 2) if with_dilation else 1
        p0, p1 = g.rng.randint(0, min(1, k - 1)), g.rng.randint(0, min(1, k - 1))
        o = _conv_out(size, k, s, p0, p1, d)
        if o < 1:
            d, o = 1, _conv_out(size, k, s, p0, p1, 1)
        if o < 1:
            return None
        ks.append(k); ss.append(s); pb.append(p0); pe.append(p1); ds.append(d); out.append(o)
    return ks, ss, pb + pe, ds, out


def b_conv(g, op):
    x = g.pick(min_rank=3, max_rank=4)
    if x is None:
        return False
    shape = g.shape(x)
    c = shape[1]
    group = g.rng.choice([d for d in range(1, c + 1) if c % d == 0])
    m = group * g.rng.randint(1, 2)
    sp = _spatial(g, shape)
    if sp is None:
        return False
    ks, ss, pads, ds, out = sp
    inputs = [x, g.const(FLOAT, [m, c // group] + ks)]
    if g.rng.random() < 0.6:
        inputs.append(g.const(FLOAT, [m]))
    attrs = {"strides": ss, "pads": pads, "dilations": ds, "group": group}
    if g.rng.random() < 0.5:
        attrs["kernel_shape"] = ks
    g.node(op, inputs, [(FLOAT, [shape[0], m] + out)], attrs)
    return True


def b_pool(g, op):
    x = g.pick(min_rank=3, max_rank=4)
    if x is None:
        return False
    shape = g.shape(x)
    sp = _spatial(g, shape, with_dilation=(op == "MaxPool"))
    if sp is None:
        return False
    ks, ss, pads, ds, out = sp
    attrs = {"kernel_shape": ks, "strides": ss, "pads": pads}
    if op == "MaxPool":
        attrs["dilations"] = ds
    else:
        attrs["count_include_pad"] = g.rng.randint(0, 1)
    g.node(op, [x], [(FLOAT, shape[:2] + out)], attrs)
    return True


def b_global_pool(g, op):
    x = g.pick(min_rank=3, max_rank=4)
    if x is None:
        return False
    shape = g.shape(x)
    g.node(op, [x], [(FLOAT, shape[:2] + [1] * (len(shape) - 2))])
    return True


def b_norm(g, op):
    x = g.pick(min_rank=3 if op == "InstanceNormalization" else 2, max_rank=4)
    if x is None:
        return False
    shape = g.shape(x)
    c = shape[1]
    attrs = {"epsilon": round(g.rng.uniform(1e-5, 1e-2), 6)}
    if op == "BatchNormalization":
        var = g.const(FLOAT, [c], [round(g.rng.uniform(0.1, 2), 3) for _ in range(c)])
        inputs = [x, g.const(FLOAT, [c]), g.const(FLOAT, [c]), g.const(FLOAT, [c]), var]
        attrs["momentum"] = 0.9
    else:
        inputs = [x, g.const(FLOAT, [c]), g.const(FLOAT, [c])]
    g.node(op, inputs, [(FLOAT, shape)], attrs)
    return True


def b_layer_norm(g, op):
    x = g.pick(min_rank=1)
    if x is None:
        return False
    shape = g.shape(x)
    axis = _axis(g.rng, len(shape))
    norm_shape = shape[_norm(axis, len(shape)):]
    inputs = [x, g.const(FLOAT, norm_shape)]
    if g.rng.random() < 0.5:
        inputs.append(g.const(FLOAT, norm_shape))
    g.node(op, inputs, [(FLOAT, shape)], {"axis": axis, "epsilon": 1e-5})
    return True


def b_depth_space(g, op):
    x = g.pick(min_rank=4, max_rank=4)
    if x is None:
        return False
    n, c, h, w = g.shape(x)
    if op == "DepthToSpace":
        blocks = [b for b in (2, 3) if c % (b * b) == 0]
        if not blocks:
            return False
        b = g.rng.choice(blocks)
        g.node(op, [x], [(FLOAT, [n, c // (b * b), h * b, w * b])], {"blocksize": b, "mode": g.rng.choice(["DCR", "CRD"])})
    else:
        blocks = [b for b in (2, 3) if h % b == 0 and w % b == 0]
        if not blocks:
            return False
        b = g.rng.choice(blocks)
        g.node(op, [x], [(FLOAT, [n, c * b * b, h // b, w // b])], {"blocksize": b})
    return True


BUILDERS = {}
for _op in UNARY + list(UNARY_ALPHA):
    BUILDERS[_op] = b_unary
for _op in AXIS_SAME:
    BUILDERS[_op] = b_axis_same
for _op in BINARY:
    BUILDERS[_op] = b_binary
for _op in COMPARE:
    BUILDERS[_op] = b_compare
for _op in LOGICAL:
    BUILDERS[_op] = b_logical
for _op in REDUCE:
    BUILDERS[_op] = b_reduce
BUILDERS.update({
    "Transpose": b_transpose, "Reshape": b_reshape, "Flatten": b_flatten, "Squeeze": b_squeeze,
    "Unsqueeze": b_unsqueeze, "Concat": b_concat, "Split": b_split, "Slice": b_slice, "Tile": b_tile,
    "Expand": b_expand, "Pad": b_pad, "Gather": b_gather, "Shape": b_shape, "Size": b_shape, "Cast": b_cast,
    "CumSum": b_cumsum, "TopK": b_topk, "ArgMax": b_arg, "ArgMin": b_arg, "Where": b_where, "Clip": b_clip,
    "Trilu": b_trilu, "MatMul": b_matmul, "Gemm": b_gemm, "Conv": b_conv, "MaxPool": b_pool,
    "AveragePool": b_pool, "GlobalAveragePool": b_global_pool, "GlobalMaxPool": b_global_pool,
    "BatchNormalization": b_norm, "InstanceNormalization": b_norm, "LayerNormalization": b_layer_norm,
    "DepthToSpace": b_depth_space, "SpaceToDepth": b_depth_space,
})
assert set(BUILDERS) == set(ALL_OPS)


def _random_input_shape(rng):
    rank = rng.choice([1, 2, 2, 3, 4, 4])
    if rank == 4:
        return [rng.randint(1, 2), rng.randint(1, 4), rng.randint(2, 6), rng.randint(2, 6)]
    return [rng.randint(1, 5) for _ in range(rank)]


def _plant_defect(g, spec, rng):
    """Changes spec so that it is invalid in one way (DEFECTS); returns the defect's name."""
    nodes = spec["graph"]["nodes"]
    real = [n for n in nodes if n["op"] != "Constant"]
    choices = list(DEFECTS)
    if not any("axis" in n["attrs"] for n in real):
        choices.remove("bad_axis")
    if len(real) < 2:
        choices.remove("duplicate_output")
    defect = rng.choice(choices)
    node = rng.choice(real)
    if defect == "unknown_op":
        node["op"] = node["op"] + "Ex"
    elif defect == "missing_input":
        node["inputs"][0] = "undefined_" + node["inputs"][0]
    elif defect == "duplicate_output":
        a, b = rng.sample(real, 2)
        b["outputs"][0] = a["outputs"][0]
    elif defect == "unknown_attribute":
        node["attrs"]["dlcov_unknown"] = 1
    elif defect == "wrong_output_shape":
        out = spec["graph"]["outputs"][0]
        out["shape"] = out["shape"] + [2] if not out["shape"] or rng.random() < 0.5 else [d + 1 for d in out["shape"]]
    elif defect == "wrong_output_type":
        out = spec["graph"]["outputs"][0]
        out["dtype"] = "int32" if out["dtype"] != "int32" else "float32"
    elif defect == "bad_axis":
        with_axis = [n for n in real if "axis" in n["attrs"]]
        n = rng.choice(with_axis)
        n["attrs"]["axis"] = 7
    return defect


def make_spec(rng, test_id, ops=None, max_nodes=6, invalid_rate=0.2):
    """One random model spec. Every random choice comes from rng, so a seed gives the same specs."""
    ops = list(ops or ALL_OPS)
    g = Graph(rng, test_id)
    for _ in range(rng.randint(1, 2)):
        g.add_input(FLOAT, _random_input_shape(rng))
    wanted = rng.randint(1, max_nodes)
    built, tries = [], 0
    while len(built) < wanted and tries < wanted * 10:
        tries += 1
        op = rng.choice(ops)
        if BUILDERS[op](g, op):
            built.append(op)
    if not g.nodes:
        g.node("Identity", [g.inputs[0]["name"]], [(FLOAT, g.inputs[0]["shape"])])
    # Graph outputs: the last node's outputs and, sometimes, an earlier tensor.
    produced = [o for n in g.nodes for o in n["outputs"]]
    outs = list(g.nodes[-1]["outputs"])
    if len(produced) > len(outs) and rng.random() < 0.4:
        extra = rng.choice(produced[:-len(outs)])
        if extra not in outs:
            outs.append(extra)
    spec = {
        "id": test_id,
        "opset": OPSET,
        "data_seed": rng.randrange(2 ** 31),
        "ops": built,
        "graph": {
            "inputs": g.inputs,
            "initializers": g.initializers,
            "nodes": g.nodes,
            "outputs": [{"name": o, "dtype": g.dtype(o), "shape": g.shape(o)} for o in outs],
        },
        "defect": "",
    }
    if rng.random() < invalid_rate:
        spec["defect"] = _plant_defect(g, spec, rng)
    return spec
