// The input batch of a genome, in the executor's input format (runners/tinydnn/executor.cpp):
// {"shape": [c, h, w], "samples": [[...], ...], "labels": [...]}.
#pragma once
#include "genome.h"

#include <nlohmann/json.hpp>

namespace dlcov::audee {

// Values offset + scale * uniform(-1, 1), a special_fraction of them replaced by the special
// value (infinities are written as 1e39, which the executor saturates to float infinity).
// Sample i has label i % classes. Deterministic in input.seed.
nlohmann::json make_input(const InputGenes& input, int classes);

}  // namespace dlcov::audee
