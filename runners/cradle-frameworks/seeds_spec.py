"""The eight seed models, described once for every framework (the tiny-dnn seeds of
runners/tinydnn/seed_models.cpp: same names, architectures, input shapes and classes).

A seed is a list of nodes in topological order; each node names its op, its inputs (default: the
node before it; "input" is the model's input) and its parameters. seeds_keras.py, seeds_torch.py and
seeds_gluon.py build each description with their framework's own API, and all three load the same
weights (weights(), canonical layout below) and predict the same inputs (inputs()), so the three
builds are one model: D_MAD between them measures the frameworks, not the port.

Canonical layouts (PyTorch's and Gluon's; seeds_keras.py transposes):
  conv     W (out_channels, in_channels, kh, kw), b (out_channels)
  dense    W (out_features, in_features), b (out_features); in_features in (C, H, W) order when
           the dense follows a flatten of a feature map
  bn       gamma, beta, mean, var (channels)
  input    (N, C, H, W)

This module uses the standard library only (the generators import it); weights() and inputs()
import numpy when called (in the framework's child process). numpy's RandomState stream is frozen
across numpy versions, so every framework's environment draws the same numbers.
"""
import math

# LeNet-5's sparse C3 connection table (which of S2's 6 maps feed each of C3's 16 maps).
_O, _X = 1, 0
C3_TABLE = [
    [_O, _X, _X, _X, _O, _O, _O, _X, _X, _O, _O, _O, _O, _X, _O, _O],
    [_O, _O, _X, _X, _X, _O, _O, _O, _X, _X, _O, _O, _O, _O, _X, _O],
    [_O, _O, _O, _X, _X, _X, _O, _O, _O, _X, _X, _O, _X, _O, _O, _O],
    [_X, _O, _O, _O, _X, _X, _O, _O, _O, _O, _X, _X, _O, _X, _O, _O],
    [_X, _X, _O, _O, _O, _X, _X, _O, _O, _O, _O, _X, _O, _O, _X, _O],
    [_X, _X, _X, _O, _O, _O, _X, _X, _O, _O, _O, _O, _X, _O, _O, _O]]


def conv(id, filters, kernel, act="linear", stride=1, padding="valid", inputs=None, mask=None):
    n = {"id": id, "op": "conv", "filters": filters, "kernel": kernel, "stride": stride,
         "padding": padding, "act": act}
    if mask:
        n["mask"] = mask  # [in][out] connection table: unconnected kernels are zero
    return _with_inputs(n, inputs)


def dense(id, units, act="linear", inputs=None):
    return _with_inputs({"id": id, "op": "dense", "units": units, "act": act}, inputs)


def pool(id, kind, size, stride=None, inputs=None):
    return _with_inputs({"id": id, "op": kind + "pool", "size": size, "stride": stride or size}, inputs)


def node(id, op, inputs=None, **params):
    return _with_inputs(dict({"id": id, "op": op}, **params), inputs)


def _with_inputs(n, inputs):
    if inputs is not None:
        n["inputs"] = inputs
    return n


def _seeds():
    return [
        # LeNet-5 as LeCun built it: tanh, average pooling, the sparse C3 connection table.
        {"name": "lenet5_32", "input": [1, 32, 32], "classes": 10, "nodes": [
            conv("c1", 6, 5, "tanh"), pool("s2", "avg", 2), node("s2_act", "act", act="tanh"),
            conv("c3", 16, 5, "tanh", mask=C3_TABLE), pool("s4", "avg", 2), node("s4_act", "act", act="tanh"),
            conv("c5", 120, 5, "tanh"), node("flatten", "flatten"), dense("f6", 10, "softmax")]},
        # LeNet-5 as Keras users write it for MNIST: relu, max pooling, "same" padding first.
        {"name": "lenet5_28", "input": [1, 28, 28], "classes": 10, "nodes": [
            conv("conv1", 6, 5, "relu", padding="same"), pool("pool1", "max", 2),
            conv("conv2", 16, 5, "relu"), pool("pool2", "max", 2), node("flatten", "flatten"),
            dense("fc1", 120, "relu"), dense("fc2", 84, "relu"), dense("fc3", 10, "softmax")]},
        # AlexNet in miniature: strided first convolution, overlapping max pooling, dropout.
        {"name": "alexnet_like", "input": [3, 32, 32], "classes": 10, "nodes": [
            conv("conv1", 16, 5, "relu", stride=2), pool("pool1", "max", 3, 2),
            conv("conv2", 32, 5, "relu", padding="same"), pool("pool2", "max", 2),
            conv("conv3", 48, 3, "relu", padding="same"), conv("conv4", 32, 3, "relu", padding="same"),
            node("flatten", "flatten"), dense("fc1", 64, "relu"), node("drop", "dropout", rate=0.5),
            dense("fc2", 10, "softmax")]},
        # VGG in miniature: stacked 3x3 convolutions between 2x2 max poolings.
        {"name": "vgg_like", "input": [3, 32, 32], "classes": 10, "nodes": [
            conv("conv1_1", 16, 3, "relu", padding="same"), conv("conv1_2", 16, 3, "relu", padding="same"),
            pool("pool1", "max", 2),
            conv("conv2_1", 32, 3, "relu", padding="same"), conv("conv2_2", 32, 3, "relu", padding="same"),
            pool("pool2", "max", 2),
            conv("conv3_1", 32, 3, "relu", padding="same"), pool("pool3", "max", 2),
            node("flatten", "flatten"), dense("fc1", 64, "relu"), dense("fc2", 10, "softmax")]},
        # One residual block: the pooled stem feeds the two-convolution branch and the skip.
        {"name": "resnet_block", "input": [3, 32, 32], "classes": 10, "nodes": [
            conv("stem", 8, 5, "relu", padding="same"), pool("pool", "max", 2),
            conv("conv1", 8, 3, "relu", padding="same"), conv("conv2", 8, 3, "linear", padding="same"),
            node("add", "add", inputs=["pool", "conv2"]), node("add_act", "act", act="relu"),
            pool("gap", "avg", 4), node("flatten", "flatten"), dense("head", 10, "softmax")]},
        # Fully connected only, one activation function per layer.
        {"name": "mlp", "input": [1, 28, 28], "classes": 10, "nodes": [
            node("flatten", "flatten"), dense("fc1", 128, "relu"), dense("fc2", 64, "sigmoid"),
            dense("fc3", 32, "elu"), dense("fc4", 10, "softmax")]},
        # Conv-BN-ReLU twice, dropout in the classifier.
        {"name": "bn_dropout", "input": [3, 32, 32], "classes": 10, "nodes": [
            conv("conv1", 8, 5, padding="same"), node("bn1", "bn", eps=1e-5), node("relu1", "act", act="relu"),
            pool("pool1", "max", 2),
            conv("conv2", 16, 3, padding="same"), node("bn2", "bn", eps=1e-5), node("relu2", "act", act="relu"),
            pool("pool2", "max", 2), node("flatten", "flatten"), dense("fc1", 64, "relu"),
            node("drop", "dropout", rate=0.25), dense("fc2", 10, "softmax")]},
        # An Inception-style split and merge: channel slices, power, 1x1 convolution, LRN, concat.
        {"name": "inception_like", "input": [3, 32, 32], "classes": 10, "nodes": [
            conv("stem", 8, 3, "relu", padding="same"), pool("pool", "avg", 2),
            node("split_a", "slice", begin=0, end=4, inputs=["pool"]),
            node("split_b", "slice", begin=4, end=8, inputs=["pool"]),
            conv("wide", 4, 5, "tanh", padding="same", inputs=["split_a"]),
            node("square", "power", factor=2.0, scale=0.5, inputs=["split_b"]),
            conv("narrow", 4, 1, "sigmoid", inputs=["square"]),
            node("norm", "lrn", size=3, alpha=1e-4, beta=0.75, k=1.0),
            node("merge", "concat", inputs=["wide", "norm"]), pool("pool2", "max", 2),
            node("flatten", "flatten"), dense("fc", 32, "tanh"), dense("head", 10, "softmax")]},
    ]


SEEDS = _seeds()
NAMES = [s["name"] for s in SEEDS]


def seed(name):
    for s in SEEDS:
        if s["name"] == name:
            return resolve(s)
    raise KeyError("unknown seed model %r (known: %s)" % (name, ", ".join(NAMES)))


def resolve(s):
    """The seed with every node's inputs and output shape filled in ((C, H, W) or (F,))."""
    shapes = {"input": tuple(s["input"])}
    nodes, previous = [], "input"
    for n in s["nodes"]:
        n = dict(n)
        n.setdefault("inputs", [previous])
        ins = [shapes[i] for i in n["inputs"]]
        n["in_shapes"] = ins
        n["shape"] = shapes[n["id"]] = _shape(n, ins)
        nodes.append(n)
        previous = n["id"]
    out = dict(s, nodes=nodes)
    out["chain"] = all(n["inputs"] == [p] for n, p in zip(nodes, ["input"] + [m["id"] for m in nodes]))
    return out


def _shape(n, ins):
    op, x = n["op"], ins[0]
    if op == "conv":
        if n["padding"] == "same":
            if n["stride"] != 1 or n["kernel"] % 2 == 0:
                raise ValueError(n["id"] + ": 'same' padding needs stride 1 and an odd kernel")
            return (n["filters"], x[1], x[2])
        return (n["filters"], (x[1] - n["kernel"]) // n["stride"] + 1, (x[2] - n["kernel"]) // n["stride"] + 1)
    if op in ("maxpool", "avgpool"):
        return (x[0], (x[1] - n["size"]) // n["stride"] + 1, (x[2] - n["size"]) // n["stride"] + 1)
    if op == "flatten":
        return (math.prod(x),)
    if op == "dense":
        return (n["units"],)
    if op == "slice":
        return (n["end"] - n["begin"],) + tuple(x[1:])
    if op == "concat":
        return (sum(i[0] for i in ins),) + tuple(x[1:])
    if op == "add" and any(i != x for i in ins):
        raise ValueError(n["id"] + ": add of different shapes")
    return x  # act, dropout, bn, power, lrn, add


def flatten_source(s, n):
    """The (C, H, W) shape a dense node's input was flattened from, or None: Keras flattens
    (H, W, C), so its kernel rows are permuted."""
    by_id = {m["id"]: m for m in s["nodes"]}
    src = by_id.get(n["inputs"][0])
    if src and src["op"] == "flatten" and len(src["in_shapes"][0]) == 3:
        return src["in_shapes"][0]
    return None


def stable_hash(text):
    """FNV-1a (32 bit), as seed_models.cpp: the same on every platform and Python."""
    h = 2166136261
    for c in text.encode("utf-8"):
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


def weights(s, perturb=1.0):
    """{node id: {name: float32 array}} in the canonical layout. perturb scales the last dense
    layer's weights (a deliberately different model, to check the oracle)."""
    import numpy as np
    rng = np.random.RandomState(stable_hash(s["name"]))
    out = {}
    dense_ids = [n["id"] for n in s["nodes"] if n["op"] == "dense"]
    for n in s["nodes"]:
        if n["op"] == "conv":
            cin, k = n["in_shapes"][0][0], n["kernel"]
            limit = math.sqrt(6.0 / (cin * k * k))  # He-uniform: outputs far from uniform
            w = rng.uniform(-limit, limit, size=(n["filters"], cin, k, k))
            if "mask" in n:
                w *= np.array(n["mask"], dtype=np.float64).T[:, :, None, None]
            b = rng.uniform(-0.1, 0.1, size=(n["filters"],))
            out[n["id"]] = {"W": w, "b": b}
        elif n["op"] == "dense":
            fin = n["in_shapes"][0][0]
            limit = math.sqrt(6.0 / fin)
            w = rng.uniform(-limit, limit, size=(n["units"], fin))
            if n["id"] == dense_ids[-1]:
                w = w * perturb
            out[n["id"]] = {"W": w, "b": rng.uniform(-0.1, 0.1, size=(n["units"],))}
        elif n["op"] == "bn":
            c = n["in_shapes"][0][0]
            out[n["id"]] = {"gamma": rng.uniform(0.5, 1.5, c), "beta": rng.uniform(-0.2, 0.2, c),
                            "mean": rng.uniform(-0.2, 0.2, c), "var": rng.uniform(0.5, 1.5, c)}
    return {k: {p: a.astype(np.float32) for p, a in v.items()} for k, v in out.items()}


def inputs(s, count=10):
    """(samples (N, C, H, W) float32, labels): sample i has label i % classes, a sine grating of
    its class's frequencies and phase plus noise, as seed_models.cpp's make_seed_data."""
    import numpy as np
    c, h, w = s["input"]
    rng = np.random.RandomState(stable_hash(s["name"]) ^ 0x5EED)
    labels = [i % s["classes"] for i in range(count)]
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    samples = np.empty((count, c, h, w), dtype=np.float64)
    for i, label in enumerate(labels):
        fx, fy = 1 + label % 5, 1 + label // 5
        for ch in range(c):
            wave = np.sin(2 * math.pi * (fx * xx / w + fy * yy / h) + ch * math.pi / 3 + label * 0.7)
            samples[i, ch] = 0.8 * wave + 0.2 * rng.uniform(-1, 1, size=(h, w))
    return np.round(samples, 4).astype(np.float32), labels
