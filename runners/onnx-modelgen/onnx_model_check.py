"""One generated test: a model spec (model_spec.py) built with onnx.helper, checked and evaluated.

Runs under the measured ONNX's interpreter, one process per test:

    python onnx_model_check.py tests/<id>.json outputs/<id>.json

Saves the model beside the spec (tests/<id>.onnx, the artifact that reproduces a finding), then
runs onnx.checker.check_model(full_check=True), onnx.shape_inference.infer_shapes(strict_mode=True)
and, when both accept it, onnx.reference.ReferenceEvaluator on random inputs (numpy, seeded by the
spec's data_seed). Writes what happened to the outcome file and exits with:

  0  as expected: a valid model passed and its outputs have the declared shapes and types, or a
     model with a planted defect was rejected
  1  an exception that is not the checker's or shape inference's verdict (a bug in ONNX, or the
     reference evaluator failing on a model that the checker and shape inference accepted)
  2  the checker or shape inference rejected a model built valid
  5  the reference evaluator's output differs in shape or element type from the declared one,
     which strict shape inference accepted (shape inference and the reference disagree)
  6  a model with a planted defect passed the checker, shape inference and the evaluator
  7  a later stage disagrees: the model printed as text and parsed back has other nodes, or the
     model converted to another opset (onnx.version_converter) computes other outputs
  8  the version converter's output is rejected by the checker

A valid model whose outputs are consistent then goes through two more stages of ONNX's C++: the
text format (onnx.printer.to_text, onnx.parser.parse_model: the same operators and node outputs
must come back; 1.14.1's printer leaves out initializers that are not graph inputs, so they are
not compared) and the version converter (to the opset TARGET_OPSETS[data_seed % 5]; a conversion
ONNX does not support raises and is only recorded; a converted model must pass the checker and
give the same outputs, NaN equal to NaN, within rtol 1e-4, atol 1e-5).
"""
import json
import sys
import traceback

import numpy as np
import onnx
from onnx import checker, helper, numpy_helper, shape_inference

DTYPES = {"float32": onnx.TensorProto.FLOAT, "float64": onnx.TensorProto.DOUBLE,
          "float16": onnx.TensorProto.FLOAT16, "int64": onnx.TensorProto.INT64,
          "int32": onnx.TensorProto.INT32, "bool": onnx.TensorProto.BOOL}
NP = {"float32": np.float32, "float64": np.float64, "float16": np.float16, "int64": np.int64,
      "int32": np.int32, "bool": np.bool_}


def tensor(name, t):
    return numpy_helper.from_array(np.array(t["values"], dtype=NP[t["dtype"]]).reshape(t["shape"]), name)


def attribute_value(value):
    if isinstance(value, dict):  # a tensor (Constant's value)
        return tensor("value", value)
    if isinstance(value, str) and value in DTYPES:  # Cast's `to`
        return DTYPES[value]
    return value


def build(spec):
    g = spec["graph"]
    inputs = [helper.make_tensor_value_info(t["name"], DTYPES[t["dtype"]], t["shape"]) for t in g["inputs"]]
    outputs = [helper.make_tensor_value_info(t["name"], DTYPES[t["dtype"]], t["shape"]) for t in g["outputs"]]
    nodes = [helper.make_node(n["op"], n["inputs"], n["outputs"],
                              **{k: attribute_value(v) for k, v in n["attrs"].items()}) for n in g["nodes"]]
    graph = helper.make_graph(nodes, spec["id"], inputs, outputs, [tensor(t["name"], t) for t in g["initializers"]])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", spec["opset"])],
                             producer_name="dlcov-onnx-modelgen")


TARGET_OPSETS = [11, 13, 15, 17, 19]


def same_outputs(a, b):
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            return False
        if x.dtype.kind in "fc" or y.dtype.kind in "fc":
            if not np.allclose(x.astype(np.float64), y.astype(np.float64), rtol=1e-4, atol=1e-5, equal_nan=True):
                return False
        elif not np.array_equal(x, y):
            return False
    return len(a) == len(b)


def later_stages(model, spec, results, outcome, finish):
    """The text round trip and the version converter on a model that passed everything so far."""
    from onnx import parser, printer, version_converter
    from onnx.reference import ReferenceEvaluator
    outcome["stage"] = "text"
    try:
        back = parser.parse_model(printer.to_text(model))
    except Exception:  # noqa: BLE001
        return finish(1, "the printer's text does not parse", traceback.format_exc())
    nodes = lambda m: [(n.op_type, list(n.output)) for n in m.graph.node]  # noqa: E731
    if nodes(back) != nodes(model):
        return finish(7, "text round trip changed the nodes", "%s -> %s" % (nodes(model), nodes(back)))
    target = TARGET_OPSETS[spec["data_seed"] % len(TARGET_OPSETS)]
    outcome["stage"] = "version_converter"
    outcome["converted_to"] = target
    try:
        converted = version_converter.convert_version(model, target)
    except Exception as exc:  # noqa: BLE001 - ONNX has no adapter for many operators and versions
        outcome["conversion"] = "not supported: %s" % str(exc).strip().splitlines()[-1][:200]
        return None
    try:
        checker.check_model(converted, full_check=True)
    except Exception:  # noqa: BLE001
        return finish(8, "the model converted to opset %d is rejected by the checker" % target, traceback.format_exc())
    try:
        again = ReferenceEvaluator(converted).run(None, random_inputs(spec))
    except Exception:  # noqa: BLE001
        return finish(1, "reference evaluator raised on the model converted to opset %d" % target, traceback.format_exc())
    outcome["conversion"] = "converted"
    if not same_outputs(results, again):
        return finish(7, "the model converted to opset %d computes other outputs" % target)
    return None


def random_inputs(spec):
    rng = np.random.default_rng(spec["data_seed"])
    feeds = {}
    for t in spec["graph"]["inputs"]:
        feeds[t["name"]] = rng.standard_normal(t["shape"]).astype(NP[t["dtype"]])
    return feeds


def verdict_error(exc):
    """Whether exc is the checker's or shape inference's verdict on the model."""
    return isinstance(exc, (checker.ValidationError, shape_inference.InferenceError))


def main(spec_path, outcome_path):
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    defect = spec.get("defect", "")
    outcome = {"id": spec["id"], "defect": defect, "stage": "build", "result": "", "detail": ""}

    def finish(code, result, detail=""):
        outcome["result"], outcome["detail"] = result, detail[-2000:]
        with open(outcome_path, "w", encoding="utf-8") as f:
            json.dump(outcome, f, indent=1)
        print("%s: %s%s" % (spec["id"], result, (": " + detail.strip().splitlines()[-1][:300]) if detail.strip() else ""))
        return code

    model = build(spec)
    onnx.save(model, spec_path[:-len(".json")] + ".onnx")
    try:
        outcome["stage"] = "checker"
        checker.check_model(model, full_check=True)
        outcome["stage"] = "shape_inference"
        inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as exc:  # noqa: BLE001 - every exception is an outcome
        if not verdict_error(exc):
            return finish(1, "exception in %s" % outcome["stage"], traceback.format_exc())
        if defect:
            return finish(0, "rejected as expected (%s) by %s" % (defect, outcome["stage"]), str(exc))
        return finish(2, "valid model rejected by %s" % outcome["stage"], str(exc))
    outcome["inferred_outputs"] = [
        {"name": o.name, "elem_type": o.type.tensor_type.elem_type,
         "shape": [d.dim_value if d.HasField("dim_value") else d.dim_param for d in o.type.tensor_type.shape.dim]}
        for o in inferred.graph.output]
    outcome["stage"] = "reference"
    try:
        from onnx.reference import ReferenceEvaluator
        results = ReferenceEvaluator(model).run(None, random_inputs(spec))
    except Exception:  # noqa: BLE001
        what = "with planted defect %s " % defect if defect else ""
        return finish(1, "reference evaluator raised on an accepted model " + what, traceback.format_exc())
    problems = []
    for declared, value in zip(spec["graph"]["outputs"], results):
        value = np.asarray(value)
        if list(value.shape) != declared["shape"]:
            problems.append("%s: shape %s, inferred %s" % (declared["name"], list(value.shape), declared["shape"]))
        if value.dtype != np.dtype(NP[declared["dtype"]]):
            problems.append("%s: dtype %s, inferred %s" % (declared["name"], value.dtype, declared["dtype"]))
    outcome["ops"] = spec.get("ops", [])
    if problems:
        return finish(5, "reference output differs from shape inference", "; ".join(problems))
    if defect:
        return finish(6, "planted defect %s accepted" % defect)
    code = later_stages(model, spec, results, outcome, finish)
    if code is not None:
        return code
    return finish(0, "passed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: onnx_model_check.py SPEC.json OUTCOME.json")
    sys.exit(main(sys.argv[1], sys.argv[2]))
