#!/usr/bin/env python3
"""Replays one saved Keras model (.h5) on the TensorFlow that `import tensorflow` finds.

Loads the model, feeds it a deterministic random input of its input shape, predicts, and with
--train N also runs N training steps (Muffin tests the training phase). dlcov's replay runners for
LEMON, Muffin and COMET (configs/runners/{lemon,muffin,comet}.yaml) start it once per model, so the
coverage of each model lands in its own profile.

The instrumented TensorFlow must be the one python imports: run this with the interpreter of its
environment (the runner option `python`) or put its package folder first with --pythonpath.

Exit codes, as dlcov's tiny-dnn executor uses them:
  0  ran
  2  the model cannot be used here (TensorFlow or numpy missing, the .h5 does not load: Keras
     version, unknown custom layer); not a finding of the tester
  3  NaN or Inf in an output or a training loss
  4  TensorFlow raised while running the model
A crash inside TensorFlow kills the process; the harness records the signal.
The last line written is always a one-line summary (the harness shows it with findings).

    python3 keras_predict.py MODEL.h5 [--batch 1] [--seed 0] [--train 0]
                             [--custom-objects module:function] [--keras tf|standalone]
"""
import argparse
import importlib
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="the .h5 file")
    p.add_argument("--batch", type=int, default=1, help="rows of the random input (default 1)")
    p.add_argument("--unknown-dim", type=int, default=8, help="size for unknown non-batch dimensions")
    p.add_argument("--seed", type=int, default=0, help="seed of the random input")
    p.add_argument("--train", type=int, default=0, help="training steps after predicting")
    p.add_argument("--loss", default="mean_squared_error", help="loss for --train")
    p.add_argument("--optimizer", default="sgd", help="optimizer for --train")
    p.add_argument("--custom-objects", default="",
                   help="module:function returning extra custom layers/functions by name "
                        "(COMET: scripts.prediction.custom_objects:custom_objects)")
    p.add_argument("--keras", choices=["tf", "standalone"], default="tf",
                   help="load with tf.keras (default) or the standalone keras package")
    p.add_argument("--pythonpath", default="", help="folders (':'-separated) put first on sys.path")
    return p.parse_args(argv)


def finish(code, message):
    print("keras_predict: " + message, file=sys.stderr if code else sys.stdout, flush=True)
    sys.exit(code)


def builtin_custom_objects(keras):
    # The activations LEMON's and COMET's mutants (ARem, ARep) name in their .h5 files.
    def no_activation(x):
        return x

    def leakyrelu(x):
        return keras.backend.relu(x, alpha=0.01)

    return {"no_activation": no_activation, "leakyrelu": leakyrelu}


def extra_custom_objects(spec):
    module, _, function = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), function or "custom_objects")()
    except Exception as e:  # the model may not need them: loading says so if it does
        print(f"keras_predict: warning: custom objects {spec} not available: {type(e).__name__}: {e}",
              file=sys.stderr)
        return {}


def random_array(np, rng, shape, dtype, batch, unknown_dim):
    shape = [batch if i == 0 else (unknown_dim if d is None else d) for i, d in enumerate(shape)]
    dtype = np.dtype(dtype)
    if dtype.kind in "iub":  # indices (Embedding inputs) stay small
        return rng.randint(0, 10, size=shape).astype(dtype)
    return rng.rand(*shape).astype(dtype)


def all_finite(np, values):
    return all(np.all(np.isfinite(np.asarray(v, dtype=np.float64))) for v in values)


def main(argv):
    args = parse_args(argv)
    for folder in reversed([f for f in args.pythonpath.split(":") if f]):
        sys.path.insert(0, folder)
    try:
        import numpy as np
        if args.keras == "tf":
            import tensorflow as tf
            keras = tf.keras
        else:
            import keras
    except Exception as e:
        finish(2, f"cannot import TensorFlow/Keras/numpy ({type(e).__name__}: {e}): "
                  "set the runner's `python` or `pythonpath` option to the instrumented build's environment")

    objects = builtin_custom_objects(keras)
    if args.custom_objects:
        objects.update(extra_custom_objects(args.custom_objects))
    try:
        model = keras.models.load_model(args.model, custom_objects=objects, compile=False)
    except Exception as e:
        finish(2, f"cannot load {args.model}: {type(e).__name__}: {e}")

    rng = np.random.RandomState(args.seed)
    K = keras.backend
    inputs = [random_array(np, rng, K.int_shape(t), K.dtype(t), args.batch, args.unknown_dim) for t in model.inputs]
    x = inputs if len(inputs) > 1 else inputs[0]
    try:
        outputs = model.predict(x, batch_size=args.batch)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        losses = []
        if args.train > 0:
            model.compile(loss=args.loss, optimizer=args.optimizer)
            targets = [random_array(np, rng, K.int_shape(t), "float32", args.batch, args.unknown_dim)
                       for t in model.outputs]
            for _ in range(args.train):
                losses.append(model.train_on_batch(x, targets if len(targets) > 1 else targets[0]))
    except Exception as e:
        finish(4, f"{type(e).__name__} while running {args.model}: {str(e).splitlines()[0] if str(e) else ''}")

    if not all_finite(np, outputs + losses):
        finish(3, f"NaN or Inf in the outputs{' or losses' if losses else ''} of {args.model}")
    shapes = ", ".join(str(tuple(o.shape)) for o in outputs)
    finish(0, f"{args.model}: {len(inputs)} input(s) -> output(s) {shapes}"
              + (f", {len(losses)} training step(s)" if losses else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
