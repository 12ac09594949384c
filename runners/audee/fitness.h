// Audee's fitness: how close one generated model is to showing a bug. Two terms, each in [0, 1]:
// the inconsistency between backends (CRADLE's D_MAD, the largest over backend pairs) and the
// closeness of its outputs to overflowing float (log10(1 + max |output|) / log10(FLT_MAX), 1 for
// NaN or infinity). Their sum is what the search maximises. A NaN D_MAD counts as the largest
// inconsistency when only one backend produced NaN or Inf, and as none when both did (their
// outputs cannot be compared).
#pragma once
#include "generator.h"

#include <optional>
#include <string>
#include <vector>

namespace dlcov::audee {

struct PairComparison {
    size_t j = 0, k = 0;  // backend indices
    double d_mad = 0;     // NaN when an output was not a number
    bool non_finite_j = false, non_finite_k = false;  // NaN or Inf in backend j's, k's outputs
    bool nan_on_one_side() const { return non_finite_j != non_finite_k; }
};

struct Evaluation {
    bool complete = false;        // every backend produced an output
    std::vector<PairComparison> pairs;
    double d_mad = 0;             // the largest pair's (NaN: 1 on one side only, else 0)
    double max_abs_output = 0;    // over backends and samples; infinity for NaN or Inf
    double closeness = 0;         // to overflow, in [0, 1]
    double fitness = 0;           // d_mad + closeness
};

// 0 for 0, 1 at FLT_MAX and beyond (and for NaN).
double closeness_to_overflow(double max_abs_output);

// NaN or infinity anywhere in the outputs (the executor writes both as null, read as NaN).
bool has_non_finite(const ModelOutput& output);

// `outputs` holds one entry per backend (nullopt when that run produced no output). Pairs whose
// outputs differ in shape, or whose labels do not fit the outputs, are left out.
Evaluation evaluate(const std::vector<std::optional<ModelOutput>>& outputs);

}  // namespace dlcov::audee
