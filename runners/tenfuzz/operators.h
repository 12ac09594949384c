// The five TenFuzz mutation operators (Section 6 of DESIGN.md), applied to one API-level test
// (corpus.h). Each returns the mutant and a record of what it did, or, when the operator does
// not apply to the test, why not (the generator then tries another operator).
//
// tiny-dnn computes in float only, so "tensor type" cannot change the element type: it maps the
// study's type changes onto value domains a float tensor can hold (integers, 0/1 booleans,
// 0..255 bytes, the extremes of float).
#pragma once
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace dlcov::tenfuzz {

struct Mutation {
    bool applied = false;
    nlohmann::json record;    // what was done (input index, from/to shapes, degrees, parameter ...)
    std::string reason;       // why it does not apply, when !applied
    nlohmann::json test;      // the mutant (its "history" gains `record`), when applied
};

// The operator names, in a fixed order.
const std::vector<std::string>& operator_names();

// Applies the named operator (throws std::invalid_argument on an unknown name).
Mutation mutate(const std::string& op, const nlohmann::json& test, std::mt19937& rng);

}  // namespace dlcov::tenfuzz
