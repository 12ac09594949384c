"""The seed models of seeds_spec.py built with MXNet Gluon: a chain seed is a HybridSequential, a
graph seed (resnet_block, inception_like) a HybridBlock whose hybrid_forward walks the nodes.
Gluon's layouts are the canonical ones (NCHW, Dense weight (units, in_units))."""
import mxnet as mx
from mxnet.gluon import nn

import seeds_spec

FRAMEWORK = "mxnet"


class Softmax(nn.HybridBlock):
    def hybrid_forward(self, F, x):
        return F.softmax(x, axis=1)


class Identity(nn.HybridBlock):
    def hybrid_forward(self, F, x):
        return x


class Slice(nn.HybridBlock):
    def __init__(self, begin, end, **kw):
        super().__init__(**kw)
        self.begin, self.end = begin, end

    def hybrid_forward(self, F, x):
        return F.slice_axis(x, axis=1, begin=self.begin, end=self.end)


class Power(nn.HybridBlock):
    def __init__(self, factor, scale, **kw):
        super().__init__(**kw)
        self.factor, self.scale = factor, scale

    def hybrid_forward(self, F, x):
        return F.power(x, self.factor) * self.scale


class LRN(nn.HybridBlock):
    def __init__(self, size, alpha, beta, k, **kw):
        super().__init__(**kw)
        self.args = dict(nsize=size, alpha=alpha, beta=beta, knorm=k)

    def hybrid_forward(self, F, x):
        return F.LRN(x, **self.args)


def activation(name):
    if name in ("relu", "tanh", "sigmoid"):
        return nn.Activation(name)
    return {"linear": Identity, "elu": lambda: nn.ELU(alpha=1.0), "softmax": Softmax}[name]()


def layer(n, prefix):
    op = n["op"]
    if op == "conv":
        k = n["kernel"]
        block = nn.HybridSequential(prefix=prefix)
        with block.name_scope():
            block.add(nn.Conv2D(n["filters"], k, strides=n["stride"], padding=k // 2 if n["padding"] == "same" else 0,
                                in_channels=n["in_shapes"][0][0], prefix="conv_"))
            block.add(activation(n["act"]))
        return block
    if op == "dense":
        block = nn.HybridSequential(prefix=prefix)
        with block.name_scope():
            block.add(nn.Dense(n["units"], in_units=n["in_shapes"][0][0], prefix="dense_"))
            block.add(activation(n["act"]))
        return block
    if op == "maxpool":
        return nn.MaxPool2D(n["size"], n["stride"])
    if op == "avgpool":
        return nn.AvgPool2D(n["size"], n["stride"])
    if op == "flatten":
        return nn.Flatten()
    if op == "act":
        return activation(n["act"])
    if op == "dropout":
        return nn.Dropout(n["rate"])
    if op == "bn":
        return nn.BatchNorm(epsilon=n["eps"], in_channels=n["in_shapes"][0][0], prefix=prefix)
    if op == "slice":
        return Slice(n["begin"], n["end"])
    if op == "power":
        return Power(n["factor"], n["scale"])
    if op == "lrn":
        return LRN(n["size"], n["alpha"], n["beta"], n["k"])
    if op in ("add", "concat"):
        return None
    raise ValueError("no Gluon block for op " + op)


class Graph(nn.HybridBlock):
    def __init__(self, s, **kw):
        super().__init__(**kw)
        self.nodes = [(n["id"], n["op"], n["inputs"]) for n in s["nodes"]]
        self.blocks = {}
        with self.name_scope():
            for n in s["nodes"]:
                b = layer(n, n["id"] + "_")
                if b is not None:
                    self.register_child(b, n["id"])
                    self.blocks[n["id"]] = b

    def hybrid_forward(self, F, x):
        values = {"input": x}
        for id, op, ins in self.nodes:
            args = [values[i] for i in ins]
            if op == "add":
                values[id] = args[0] + args[1]
            elif op == "concat":
                values[id] = F.concat(*args, dim=1)
            else:
                values[id] = self.blocks[id](args[0])
        return values[id]


def build(s, weights):
    blocks = {}
    if s["chain"]:
        model = nn.HybridSequential(prefix=s["name"] + "_")
        with model.name_scope():
            for n in s["nodes"]:
                blocks[n["id"]] = layer(n, n["id"] + "_")
                model.add(blocks[n["id"]])
    else:
        model = Graph(s, prefix=s["name"] + "_")
        blocks = model.blocks
    model.initialize(mx.init.Zero())
    for n in s["nodes"]:
        w = weights.get(n["id"])
        if w is None:
            continue
        b = blocks[n["id"]]
        if n["op"] in ("conv", "dense"):
            b[0].weight.set_data(mx.nd.array(w["W"]))
            b[0].bias.set_data(mx.nd.array(w["b"]))
        elif n["op"] == "bn":
            b.gamma.set_data(mx.nd.array(w["gamma"]))
            b.beta.set_data(mx.nd.array(w["beta"]))
            b.running_mean.set_data(mx.nd.array(w["mean"]))
            b.running_var.set_data(mx.nd.array(w["var"]))
    model.hybridize()
    return model


def predict(model, x):
    return model(mx.nd.array(x)).asnumpy()


def setup(threads=1):
    pass  # MXNet's engine threads come from MXNET_CPU_WORKER_NTHREADS / OMP_NUM_THREADS


def version():
    return mx.__version__
