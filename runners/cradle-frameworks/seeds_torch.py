"""The seed models of seeds_spec.py built with torch.nn: a chain seed is an nn.Sequential, a graph
seed (resnet_block, inception_like) an nn.Module whose forward walks the nodes. Weights and inputs
come from seeds_spec (its canonical layout is PyTorch's)."""
from collections import OrderedDict

import torch
import torch.nn as nn

import seeds_spec

FRAMEWORK = "pytorch"


def activation(name):
    if name == "softmax":
        return nn.Softmax(dim=1)
    return {"linear": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
            "elu": nn.ELU}[name]()


class Slice(nn.Module):
    def __init__(self, begin, end):
        super().__init__()
        self.begin, self.end = begin, end

    def forward(self, x):
        return x[:, self.begin:self.end]


class Power(nn.Module):
    def __init__(self, factor, scale):
        super().__init__()
        self.factor, self.scale = factor, scale

    def forward(self, x):
        return torch.pow(x, self.factor) * self.scale


def layer(n):
    op = n["op"]
    if op == "conv":
        k = n["kernel"]
        c = nn.Conv2d(n["in_shapes"][0][0], n["filters"], k, stride=n["stride"],
                      padding=k // 2 if n["padding"] == "same" else 0)
        return nn.Sequential(OrderedDict([("conv", c), ("act", activation(n["act"]))]))
    if op == "dense":
        d = nn.Linear(n["in_shapes"][0][0], n["units"])
        return nn.Sequential(OrderedDict([("linear", d), ("act", activation(n["act"]))]))
    if op == "maxpool":
        return nn.MaxPool2d(n["size"], n["stride"])
    if op == "avgpool":
        return nn.AvgPool2d(n["size"], n["stride"])
    if op == "flatten":
        return nn.Flatten()
    if op == "act":
        return activation(n["act"])
    if op == "dropout":
        return nn.Dropout(n["rate"])
    if op == "bn":
        return nn.BatchNorm2d(n["in_shapes"][0][0], eps=n["eps"])
    if op == "slice":
        return Slice(n["begin"], n["end"])
    if op == "power":
        return Power(n["factor"], n["scale"])
    if op == "lrn":
        return nn.LocalResponseNorm(n["size"], alpha=n["alpha"], beta=n["beta"], k=n["k"])
    if op in ("add", "concat"):
        return None  # functional, in Graph.forward
    raise ValueError("no torch layer for op " + op)


class Graph(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.nodes = [(n["id"], n["op"], n["inputs"]) for n in s["nodes"]]
        self.layers = nn.ModuleDict()
        for n in s["nodes"]:
            m = layer(n)
            if m is not None:
                self.layers[n["id"]] = m

    def forward(self, x):
        values = {"input": x}
        for id, op, ins in self.nodes:
            args = [values[i] for i in ins]
            if op == "add":
                values[id] = args[0] + args[1]
            elif op == "concat":
                values[id] = torch.cat(args, dim=1)
            else:
                values[id] = self.layers[id](args[0])
        return values[id]


def build(s, weights):
    if s["chain"]:
        model = nn.Sequential(OrderedDict((n["id"], layer(n)) for n in s["nodes"]))
        modules = dict(model.named_children())
    else:
        model = Graph(s)
        modules = dict(model.layers.items())
    with torch.no_grad():
        for n in s["nodes"]:
            w = weights.get(n["id"])
            if w is None:
                continue
            m = modules[n["id"]]
            if n["op"] in ("conv", "dense"):
                core = m[0]
                core.weight.copy_(torch.from_numpy(w["W"]))
                core.bias.copy_(torch.from_numpy(w["b"]))
            elif n["op"] == "bn":
                m.weight.copy_(torch.from_numpy(w["gamma"]))
                m.bias.copy_(torch.from_numpy(w["beta"]))
                m.running_mean.copy_(torch.from_numpy(w["mean"]))
                m.running_var.copy_(torch.from_numpy(w["var"]))
    return model.eval()


def predict(model, x):
    """x: (N, C, H, W) numpy float32 -> (N, classes) numpy."""
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def setup(threads=1):
    torch.set_num_threads(threads)


def version():
    return torch.__version__
