// The TenFuzz-style differential oracle. TenFuzz compares one API test across framework
// versions; with one tiny-dnn version installed, its backends (internal, avx) take the
// versions' place, and a serialization round trip compares a network with its reloaded self.
#pragma once
#include "generator.h"

#include <string>

namespace dlcov::tenfuzz {

struct Difference {
    bool comparable = false;  // same number of output vectors, each of the same length
    double max_abs = 0;       // largest |a - b| over pairs of finite values
    double max_rel = 0;       // max_abs relative to the largest finite |value| (at least 1e-6)
    size_t nan_mismatches = 0;  // positions where exactly one side is NaN/Inf
    std::string describe() const;
};

Difference compare_outputs(const ModelOutput& a, const ModelOutput& b);

// Whether a difference is an inconsistency: incomparable shapes, a NaN on one side only,
// or a relative difference over `threshold`.
bool inconsistent(const Difference& d, double threshold);

}  // namespace dlcov::tenfuzz
