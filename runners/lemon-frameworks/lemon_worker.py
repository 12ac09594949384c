#!/usr/bin/env python3
"""The TensorFlow side of lemon_keras.py: one long-lived process (TensorFlow imports once) that
saves seeds and applies mutation operators. It never predicts: every model is run by
lemon_classify.py in a process of its own. One JSON request per stdin line, one answer per
stdout line prefixed with "@@ " (TensorFlow may print too):
  {"cmd": "seed", "name": "lenet5_28", "out": ".../lenet5_28-gratings_origin0.h5"}
  {"cmd": "mutate", "op": "LA", "parent": "a.h5", "out": "b.h5", "seed": 7, "ratio": 0.3, "tag": "7"}
answer: {"ok": true, "applied": true|false, "description": "..."} or {"ok": false, "error": "..."}
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cradle-frameworks"))
import warnings  # noqa: E402

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_mutations  # noqa: E402
import seeds_keras  # noqa: E402
import seeds_spec  # noqa: E402

keras = tf.keras


def handle(req):
    if req["cmd"] == "seed":
        spec = seeds_spec.seed(req["name"])
        model = seeds_keras.build(spec, seeds_spec.weights(spec))
        keras_mutations.save(model, req["out"])
        return {"ok": True, "applied": True, "description": "seed %s (%s)" % (req["name"], "Sequential" if spec["chain"] else "functional")}
    if req["cmd"] == "mutate":
        keras.utils.set_random_seed(int(req["seed"]))  # new layers' initial weights
        rng = np.random.RandomState(int(req["seed"]))
        model = keras.models.load_model(req["parent"], custom_objects=keras_mutations.CUSTOM, compile=False)
        mutant, text = keras_mutations.apply(req["op"], model, rng, float(req["ratio"]), str(req["tag"]))
        if mutant is None:
            return {"ok": True, "applied": False, "description": text}
        keras_mutations.save(mutant, req["out"])
        return {"ok": True, "applied": True, "description": text}
    raise ValueError("unknown command %r" % req.get("cmd"))


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line))
        except Exception as e:  # an operator's bug must not end the search
            answer = {"ok": False, "error": "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:300] if str(e) else "")}
        print("@@ " + json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
