// The LEMON-style runner's options (--options JSON, from configs/runners/lemon-style.yaml or the
// campaign):
//   backends: [internal, avx]   every mutant runs on each; D_MAD is summed over backend pairs
//   operators: [WS, GF, ...]    the operators the search may use (default: all twelve)
//   max_mutants: 100            stop after this many generated mutants (or at the budget)
//   threshold: 0.4              a backend pair with D_MAD above it is an inconsistency (LEMON's)
//   mutate_ratio: 0.3           share of neurons or weights the weight operators touch
//   epsilon: 0.1                roulette floor: a model's weight is its D_MAD + epsilon x the
//                               pool's mean D_MAD (roulette.h)
//   seeds: [lenet5_32, ...]     only these seeds (default: all in seeds.json)
#pragma once
#include "mutation.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlcov::lemon {

struct LemonOptions {
    std::vector<std::string> backends = {"internal", "avx"};
    std::vector<std::string> operators = operator_names();
    size_t max_mutants = 100;
    double threshold = 0.4;
    double epsilon = 0.1;
    MutationSettings mutation;
    std::vector<std::string> seeds;  // empty: all
};

// Throws std::invalid_argument naming the option that is wrong.
LemonOptions parse_lemon_options(const nlohmann::json& options);

}  // namespace dlcov::lemon
