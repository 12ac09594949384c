#!/usr/bin/env python3
"""Runs one LEMON-Keras model (.h5) on TensorFlow twice, through Keras' predict ("tf") and as
an XLA-compiled function ("tf-xla"), on its seed's inputs, and writes both outputs: one process
per model, so a model that crashes TensorFlow is isolated and classified (lemon_keras.py moves it
to crash/ or nan/ as LEMON moves models). Loads with runners/replay/keras_predict.py's custom
objects, so a model that loads here loads in the campaign's replay.

    <tensorflow python> lemon_classify.py MODEL.h5 --seed-name lenet5_28 --out OUT.json
Exit codes as keras_predict.py: 0 ran, 2 not loadable, 3 NaN/Inf, 4 TensorFlow raised.
"""
import argparse
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cradle-frameworks"))
sys.path.insert(0, os.path.join(HERE, "..", "replay"))
import seeds_spec  # noqa: E402


def finish(code, message):
    print("lemon_classify: " + message, file=sys.stderr if code else sys.stdout, flush=True)
    sys.exit(code)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--seed-name", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--batch", type=int, default=10)
    args = p.parse_args(argv)
    try:
        import warnings
        warnings.filterwarnings("ignore")
        import numpy as np
        import tensorflow as tf
        import keras_predict
        keras = tf.keras
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        model = keras.models.load_model(args.model, custom_objects=keras_predict.builtin_custom_objects(keras),
                                        compile=False)
    except Exception as e:
        finish(2, "cannot load %s: %s: %s" % (args.model, type(e).__name__, str(e).splitlines()[0][:200] if str(e) else ""))
    spec = seeds_spec.seed(args.seed_name)
    x, labels = seeds_spec.inputs(spec, args.batch)
    x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    outputs = {}
    try:
        outputs["tf"] = np.asarray(model.predict(x, batch_size=len(x), verbose=0), dtype=np.float64)
        outputs["tf-xla"] = np.asarray(tf.function(model, jit_compile=True)(x, training=False), dtype=np.float64)
    except Exception as e:
        finish(4, "%s running %s on %s: %s" % (type(e).__name__, args.model, "/".join(outputs) or "tf",
                                                 str(e).splitlines()[0][:200] if str(e) else ""))
    result = {"labels": labels, "backends": {k: [[float(v) for v in row] for row in y] for k, y in outputs.items()}}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    if not all(math.isfinite(v) for y in result["backends"].values() for row in y for v in row):
        finish(3, "NaN or Inf in the outputs of " + args.model)
    finish(0, "%s: %s outputs on tf and tf-xla" % (args.model, "x".join(map(str, outputs["tf"].shape))))


if __name__ == "__main__":
    main(sys.argv[1:])
