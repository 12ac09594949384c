// Builds a genome as a tiny-dnn 1.0.0a3 network<sequential> with the system (not instrumented)
// tiny-dnn and saves it as tiny-dnn JSON (weights_and_model), the executor's model format.
// The only translation unit of dlcov-audee that includes tiny-dnn.
#pragma once
#include "genome.h"

#include <stdexcept>
#include <string>

namespace dlcov::audee {

// tiny-dnn refused the genome (it threw nn_error while building or saving).
struct ModelBuildError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Initial weights come from tiny-dnn's generator seeded with genome.weight_seed, then are
// multiplied by 10^weight_scale_log10 (kept finite: tiny-dnn's JSON cannot hold infinities).
// Returns the number of outputs of the network. Throws ModelBuildError.
int save_model(const Genome& genome, const std::string& path);

}  // namespace dlcov::audee
