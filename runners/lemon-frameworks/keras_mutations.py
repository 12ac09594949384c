"""LEMON's twelve model-level mutation operators (Wang et al., FSE 2020) on tf.keras models, as
runners/lemon/operators/ applies them to tiny-dnn (same rules, Keras layers):

  WS   shuffle the incoming weights of mutate_ratio of a layer's neurons (Conv2D/Dense)
  GF   Gaussian noise (the weights' own standard deviation) on mutate_ratio of a layer's weights
  NEB  zero some neurons' incoming weights and bias         NAI  negate them
  NS   swap two neurons (output channels) of a layer
  ARem a layer's activation becomes LEMON's no_activation   ARep another activation (leakyrelu too)
  LA   add a layer where shapes fit                         LC   copy a shape-keeping layer after itself
  LR   remove a shape-keeping layer                         LS   switch two shape-keeping layers of one shape
  MLA  add a block whose inner shape differs (conv C->k->C, dense n->m->n)

Weight and activation operators never touch the output layer and work on any model; layer
operators change keras.Sequential models only (the graph seeds get a reason, as on tiny-dnn).
Custom activations are the ones runners/replay/keras_predict.py gives load_model (no_activation,
leakyrelu), so every mutant loads there. apply(op, model, rng, ratio) returns (model or None, text).
"""
import numpy as np
import tensorflow as tf

keras = tf.keras

OPERATORS = ["WS", "GF", "NEB", "NAI", "NS", "ARem", "ARep", "LA", "LC", "LR", "LS", "MLA"]
ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "selu", "softplus", "softsign", "hard_sigmoid",
               "exponential", "softmax", "leakyrelu", "no_activation"]
GRAPH_REASON = "functional (graph) model: layer operators change keras.Sequential models only"


def custom_objects():
    def no_activation(x):
        return x

    def leakyrelu(x):
        return keras.backend.relu(x, alpha=0.01)

    return {"no_activation": no_activation, "leakyrelu": leakyrelu}


CUSTOM = custom_objects()


def save(model, path):
    """model.save(path) (HDF5), with custom activations written by name as LEMON's Keras wrote them
    ("activation": "no_activation"): Keras 2.15 writes a plain function as {"class_name":
    "function", ...}, which its own load_model does not read back even with custom_objects."""
    import json
    import h5py
    model.save(path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        fixed = _named_functions(config)
        if fixed != config:
            f.attrs["model_config"] = json.dumps(fixed).encode("utf-8")


def _named_functions(node):
    if isinstance(node, dict):
        if node.get("class_name") == "function" and isinstance(node.get("config"), str):
            return node["config"]
        return {k: _named_functions(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_named_functions(v) for v in node]
    return node


def _weighted(model):
    """Conv2D and Dense layers, not the output layer."""
    return [l for l in model.layers[:-1] if isinstance(l, (keras.layers.Conv2D, keras.layers.Dense))
            and not isinstance(l, keras.layers.DepthwiseConv2D)]


def _pick(rng, cands, none_reason):
    """One of the candidates, chosen at random, or the reason the operator does not apply."""
    if not cands:
        return None, none_reason
    return cands[rng.randint(len(cands))], None


def _neurons(rng, count, ratio):
    return rng.choice(count, size=max(1, int(round(count * ratio))), replace=False)


def ws(model, rng, ratio):
    cands = _weighted(model)
    lay, why = _pick(rng, cands, "no Conv2D/Dense layer but the output layer")
    if why:
        return None, why
    k, b = lay.get_weights()[:2]
    picked = _neurons(rng, k.shape[-1], ratio)
    for j in picked:
        flat = k[..., j].ravel()
        rng.shuffle(flat)
        k[..., j] = flat.reshape(k[..., j].shape)
    lay.set_weights([k, b])
    return model, "shuffled the incoming weights of %d of %s's %d neurons" % (len(picked), lay.name, k.shape[-1])


def gf(model, rng, ratio):
    cands = _weighted(model) + [l for l in model.layers[:-1] if isinstance(l, keras.layers.BatchNormalization)]
    lay, why = _pick(rng, cands, "no layer with weights but the output layer")
    if why:
        return None, why
    ws_ = lay.get_weights()
    w = ws_[0]
    mask = rng.rand(*w.shape) < ratio
    w = w + mask * rng.normal(0.0, float(np.std(w)) or 1.0, size=w.shape).astype(w.dtype)
    lay.set_weights([w] + ws_[1:])
    return model, "Gaussian noise on %d of %s's %d weights" % (int(mask.sum()), lay.name, w.size)


def _neuron_edit(model, rng, ratio, scale, verb):
    cands = _weighted(model)
    lay, why = _pick(rng, cands, "no Conv2D/Dense layer but the output layer")
    if why:
        return None, why
    k, b = lay.get_weights()[:2]
    picked = _neurons(rng, k.shape[-1], ratio)
    k[..., picked] *= scale
    b[picked] *= scale
    lay.set_weights([k, b])
    return model, "%s %d of %s's %d neurons" % (verb, len(picked), lay.name, k.shape[-1])


def neb(model, rng, ratio):
    return _neuron_edit(model, rng, ratio, 0.0, "blocked (zero weights and bias)")


def nai(model, rng, ratio):
    return _neuron_edit(model, rng, ratio, -1.0, "inverted the activation input of")


def ns(model, rng, ratio):
    cands = [l for l in _weighted(model) if l.get_weights()[0].shape[-1] >= 2]
    lay, why = _pick(rng, cands, "no layer with two neurons but the output layer")
    if why:
        return None, why
    k, b = lay.get_weights()[:2]
    i, j = rng.choice(k.shape[-1], size=2, replace=False)
    k[..., [i, j]] = k[..., [j, i]]
    b[[i, j]] = b[[j, i]]
    lay.set_weights([k, b])
    return model, "switched neurons %d and %d of %s" % (i, j, lay.name)


def _activation_name(lay):
    a = lay.get_config().get("activation")
    return a if isinstance(a, str) else (a or {}).get("config", str(a)) if isinstance(a, dict) else str(a)


def _with_config(model, layer_name, edit):
    """model rebuilt from its config with one layer's config edited, every weight copied."""
    cfg = model.get_config()
    for entry in cfg["layers"]:
        if entry["config"].get("name") == layer_name:
            edit(entry["config"])
    cls = keras.Sequential if isinstance(model, keras.Sequential) else keras.Model
    new = cls.from_config(cfg, custom_objects=CUSTOM)
    for lay in new.layers:
        lay.set_weights(model.get_layer(lay.name).get_weights())
    return new


def _activated(model):
    return [l for l in model.layers[:-1] if "activation" in l.get_config()]


def arem(model, rng, ratio):
    cands = [l for l in _activated(model) if _activation_name(l) not in ("linear", "no_activation")]
    lay, why = _pick(rng, cands, "no layer with an activation but the output layer")
    if why:
        return None, why
    old = _activation_name(lay)
    return _with_config(model, lay.name, lambda c: c.update(activation="no_activation")), \
        "removed %s's activation (%s)" % (lay.name, old)


def arep(model, rng, ratio):
    cands = _activated(model)
    lay, why = _pick(rng, cands, "no layer with an activation but the output layer")
    if why:
        return None, why
    old = _activation_name(lay)
    choices = [a for a in ACTIVATIONS if a != old]
    new = choices[rng.randint(len(choices))]
    return _with_config(model, lay.name, lambda c: c.update(activation=new)), \
        "replaced %s's activation %s by %s" % (lay.name, old, new)


# Layer operators: a Sequential model as a list of (serialized layer, weights or None).
def _layers(model):
    return [(keras.layers.serialize(l), l.get_weights()) for l in model.layers]


def _sequential(model, entries):
    new = keras.Sequential([keras.Input(model.input_shape[1:])] +
                           [keras.layers.deserialize(c, custom_objects=CUSTOM) for c, _ in entries], name=model.name)
    for lay, (_, w) in zip(new.layers, entries):
        if w:
            lay.set_weights(w)
    return new


def _shape_keeping(model):
    return [i for i, l in enumerate(model.layers[:-1]) if l.input_shape == l.output_shape]


def _renamed(entry, suffix):
    c = dict(entry[0], config=dict(entry[0]["config"]))
    c["config"]["name"] = c["config"]["name"] + suffix
    return c, entry[1]


def _fresh(layer):
    return keras.layers.serialize(layer), None


def _candidates_for(shape, rng, tag):
    """Layers whose output shape is their input shape `shape` (batch dimension first)."""
    acts = [a for a in ACTIVATIONS if a != "exponential"]
    if len(shape) == 4:
        c = shape[-1]
        return [keras.layers.Conv2D(c, 3, padding="same", activation="relu", name="conv_" + tag),
                keras.layers.DepthwiseConv2D(3, padding="same", name="dwconv_" + tag),
                keras.layers.SeparableConv2D(c, 3, padding="same", name="sepconv_" + tag),
                keras.layers.BatchNormalization(name="bn_" + tag),
                keras.layers.LayerNormalization(name="ln_" + tag),
                keras.layers.AveragePooling2D(3, strides=1, padding="same", name="avgpool_" + tag),
                keras.layers.MaxPooling2D(3, strides=1, padding="same", name="maxpool_" + tag),
                keras.layers.Dropout(0.2, name="dropout_" + tag),
                keras.layers.Activation(acts[rng.randint(len(acts))], name="act_" + tag)]
    if len(shape) == 2:
        return [keras.layers.Dense(shape[-1], activation="relu", name="dense_" + tag),
                keras.layers.BatchNormalization(name="bn_" + tag),
                keras.layers.LayerNormalization(name="ln_" + tag),
                keras.layers.Dropout(0.2, name="dropout_" + tag),
                keras.layers.GaussianNoise(0.1, name="noise_" + tag),
                keras.layers.Activation(acts[rng.randint(len(acts))], name="act_" + tag)]
    return []


def _insertion_shape(model, p):
    return model.input_shape if p == 0 else model.layers[p - 1].output_shape


def la(model, rng, ratio, tag):
    if not isinstance(model, keras.Sequential):
        return None, GRAPH_REASON
    p = rng.randint(len(model.layers))  # before layer p; never after the output layer
    shape = _insertion_shape(model, p)
    cands = _candidates_for(shape, rng, tag)
    new, why = _pick(rng, cands, "no layer fits shape %s" % (shape,))
    if why:
        return None, why
    entries = _layers(model)
    entries.insert(p, _fresh(new))
    return _sequential(model, entries), "added %s (%s) before %s" % (new.name, type(new).__name__, model.layers[p].name)


def _pick_shape_keeping(model, rng, what):
    """A random layer whose output shape is its input's (LC copies one, LR removes one), with the
    reason there is none."""
    if not isinstance(model, keras.Sequential):
        return None, GRAPH_REASON
    cands = _shape_keeping(model)
    return _pick(rng, cands, "no shape-keeping layer to " + what)


def lc(model, rng, ratio, tag):
    i, why = _pick_shape_keeping(model, rng, "copy")
    if why:
        return None, why
    entries = _layers(model)
    entries.insert(i + 1, _renamed(entries[i], "_copy_" + tag))
    return _sequential(model, entries), "copied %s after itself" % model.layers[i].name


def lr(model, rng, ratio, tag):
    i, why = _pick_shape_keeping(model, rng, "remove")
    if why:
        return None, why
    entries = _layers(model)
    del entries[i]
    return _sequential(model, entries), "removed %s" % model.layers[i].name


def ls(model, rng, ratio, tag):
    if not isinstance(model, keras.Sequential):
        return None, GRAPH_REASON
    keep = _shape_keeping(model)
    pairs = [(i, j) for i in keep for j in keep if i < j and model.layers[i].input_shape == model.layers[j].input_shape
             and keras.layers.serialize(model.layers[i])["class_name"] != keras.layers.serialize(model.layers[j])["class_name"]]
    if not pairs:
        return None, "no two different shape-keeping layers of one shape"
    i, j = pairs[rng.randint(len(pairs))]
    entries = _layers(model)
    entries[i], entries[j] = entries[j], entries[i]
    return _sequential(model, entries), "switched %s and %s" % (model.layers[i].name, model.layers[j].name)


def mla(model, rng, ratio, tag):
    if not isinstance(model, keras.Sequential):
        return None, GRAPH_REASON
    p = rng.randint(len(model.layers))
    shape = _insertion_shape(model, p)
    if len(shape) == 4:
        k = int(rng.choice([4, 8, 16]))
        block = [keras.layers.Conv2D(k, int(rng.choice([3, 5])), padding="same", activation="relu", name="mla_conv_" + tag),
                 keras.layers.Conv2D(shape[-1], 1, name="mla_conv1x1_" + tag)]
    elif len(shape) == 2:
        m = int(rng.choice([16, 32, 64]))
        block = [keras.layers.Dense(m, activation="relu", name="mla_dense_" + tag),
                 keras.layers.Dense(shape[-1], name="mla_dense_back_" + tag)]
    else:
        return None, "no block fits shape %s" % (shape,)
    entries = _layers(model)
    entries[p:p] = [_fresh(b) for b in block]
    return _sequential(model, entries), "added %s before %s" % (" + ".join(b.name for b in block), model.layers[p].name)


_WEIGHT_OPS = {"WS": ws, "GF": gf, "NEB": neb, "NAI": nai, "NS": ns, "ARem": arem, "ARep": arep}
_LAYER_OPS = {"LA": la, "LC": lc, "LR": lr, "LS": ls, "MLA": mla}


def apply(op, model, rng, ratio, tag):
    """(mutated model, description) or (None, why it does not apply). tag names new layers."""
    if op in _WEIGHT_OPS:
        return _WEIGHT_OPS[op](model, rng, ratio)
    if op in _LAYER_OPS:
        return _LAYER_OPS[op](model, rng, ratio, tag)
    raise ValueError("unknown operator " + op)
