"""The seed models of seeds_spec.py built with tf.keras: a chain seed is a keras.Sequential (LEMON's
layer operators edit those), a graph seed a functional keras.Model whose slice, power and LRN are
TensorFlow ops on Keras tensors (TFOpLambda layers, which .h5 files save and load without custom
objects). Keras is NHWC: kernels are transposed from the canonical (PyTorch) layout and a dense
layer after a flatten gets its rows permuted from (C, H, W) to (H, W, C) order."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf

keras = tf.keras
import seeds_spec

FRAMEWORK = "tensorflow"


def layer(n):
    op, name = n["op"], n["id"]
    if op == "conv":
        return keras.layers.Conv2D(n["filters"], n["kernel"], strides=n["stride"], padding=n["padding"],
                                   activation=n["act"], name=name)
    if op == "dense":
        return keras.layers.Dense(n["units"], activation=n["act"], name=name)
    if op == "maxpool":
        return keras.layers.MaxPooling2D(n["size"], n["stride"], name=name)
    if op == "avgpool":
        return keras.layers.AveragePooling2D(n["size"], n["stride"], name=name)
    if op == "flatten":
        return keras.layers.Flatten(name=name)
    if op == "act":
        return keras.layers.Activation(n["act"], name=name)
    if op == "dropout":
        return keras.layers.Dropout(n["rate"], name=name)
    if op == "bn":
        return keras.layers.BatchNormalization(epsilon=n["eps"], name=name)
    if op == "add":
        return keras.layers.Add(name=name)
    if op == "concat":
        return keras.layers.Concatenate(axis=-1, name=name)
    return None  # slice, power, lrn: TensorFlow ops in functional()


def _input_shape(s):
    c, h, w = s["input"]
    return (h, w, c)


def functional(s):
    x = inp = keras.Input(_input_shape(s), name="input")
    values = {"input": inp}
    for n in s["nodes"]:
        args = [values[i] for i in n["inputs"]]
        op = n["op"]
        if op == "slice":
            x = args[0][..., n["begin"]:n["end"]]
        elif op == "power":
            x = tf.math.pow(args[0], n["factor"]) * n["scale"]
        elif op == "lrn":
            # PyTorch/MXNet divide alpha by the window size; TensorFlow does not.
            x = tf.nn.local_response_normalization(args[0], depth_radius=(n["size"] - 1) // 2, bias=n["k"],
                                                   alpha=n["alpha"] / n["size"], beta=n["beta"])
        else:
            lay = layer(n)
            x = lay(args if op in ("add", "concat") else args[0])
        values[n["id"]] = x
    return keras.Model(inp, x, name=s["name"])


def build(s, weights):
    if s["chain"]:
        model = keras.Sequential([keras.Input(_input_shape(s))] + [layer(n) for n in s["nodes"]], name=s["name"])
    else:
        model = functional(s)
    for n in s["nodes"]:
        w = weights.get(n["id"])
        if w is None:
            continue
        lay = model.get_layer(n["id"])
        if n["op"] == "conv":
            lay.set_weights([w["W"].transpose(2, 3, 1, 0), w["b"]])
        elif n["op"] == "dense":
            kernel = w["W"]
            src = seeds_spec.flatten_source(s, n)
            if src:  # rows in (C, H, W) order -> Keras' (H, W, C) flatten order
                c, h, ww = src
                kernel = kernel.reshape(-1, c, h, ww).transpose(0, 2, 3, 1).reshape(kernel.shape[0], -1)
            lay.set_weights([kernel.T, w["b"]])
        elif n["op"] == "bn":
            lay.set_weights([w["gamma"], w["beta"], w["mean"], w["var"]])
    return model


def to_nhwc(x):
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def predict(model, x):
    return model.predict(to_nhwc(x), batch_size=len(x), verbose=0)


def setup(threads=1):
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def version():
    return tf.__version__
