"""CRADLE's output metrics (Pham et al., ICSE 2019), as runners/cradle/metrics.h defines them for
dlcov, with the standard library only.

delta: the mean absolute deviation of each output vector from the one-hot ground truth, averaged
over samples. D_MAD = |delta_j - delta_k| / (delta_j + delta_k), 0 when both are 0. D_CLASS: the
samples whose true class is in the top k of one backend's output only (rank = 1 + the classes
scored higher; a NaN never ranks above a number, a NaN true class ranks below every number).
"""
import math

DEFAULT_MAD_THRESHOLD = 0.1
DEFAULT_TOP_K = 5


def _check_label(label, classes):
    if label < 0 or label >= classes:
        raise IndexError("label %d outside %d classes" % (label, classes))


def cradle_delta(outputs, labels):
    if len(outputs) != len(labels):
        raise ValueError("cradle_delta: %d outputs but %d labels" % (len(outputs), len(labels)))
    if not outputs:
        return 0.0
    total = 0.0
    for o, label in zip(outputs, labels):
        _check_label(label, len(o))
        total += sum(abs(v - (1.0 if c == label else 0.0)) for c, v in enumerate(o)) / len(o)
    return total / len(outputs)


def d_mad(delta_j, delta_k):
    s = delta_j + delta_k
    if s == 0:
        return 0.0
    return abs(delta_j - delta_k) / s


def d_class_rank(probs, label):
    _check_label(label, len(probs))
    truth = probs[label]
    rank = 1
    for c, v in enumerate(probs):
        if c == label or math.isnan(v):
            continue
        if math.isnan(truth) or v > truth:
            rank += 1
    return rank


def compare_backends(outputs_j, outputs_k, labels, threshold=DEFAULT_MAD_THRESHOLD, top_k=DEFAULT_TOP_K):
    """The verdict on one backend pair: dict with delta_j, delta_k, d_mad, class_disagreements,
    mad_inconsistent, class_inconsistent, inconsistent."""
    if len(outputs_j) != len(outputs_k):
        raise ValueError("compare_backends: the backends' outputs differ in number")
    v = {"threshold": threshold, "top_k": top_k,
         "delta_j": cradle_delta(outputs_j, labels), "delta_k": cradle_delta(outputs_k, labels)}
    v["d_mad"] = d_mad(v["delta_j"], v["delta_k"])
    v["mad_inconsistent"] = not (v["d_mad"] <= threshold)  # NaN is a finding, not a pass
    v["class_disagreements"] = sum(
        1 for oj, ok, label in zip(outputs_j, outputs_k, labels)
        if (d_class_rank(oj, label) <= top_k) != (d_class_rank(ok, label) <= top_k))
    v["class_inconsistent"] = v["class_disagreements"] > 0
    v["inconsistent"] = v["mad_inconsistent"] or v["class_inconsistent"]
    return v
