// The TenFuzz-style tester's starting corpus: one valid API-level test per tiny-dnn API the driver
// (runners/tinydnn/api_driver.cpp) knows, written by the generator itself (TenFuzz mutates
// existing API tests; tiny-dnn ships none in a form we can run, so these stand in for them).
//
// A test is the driver's JSON plus two keys the driver ignores:
//   "param_types": {"out_dim": "uint", "alpha": "float", "has_bias": "bool", ...}
//                  which parameters the parameter mutation may touch, and as what C++ type;
//   "history":     the mutations applied so far (empty in the corpus).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlcov::tenfuzz {

struct CorpusTest {
    std::string id;       // file-name safe, e.g. "layer-conv"
    nlohmann::json test;  // the driver's test JSON
};

// Deterministic: the same corpus on every run. The "train" family holds one test per
// (optimizer, loss) pair of tiny-dnn 1.0.0a3, so every optimizer and every loss trains.
std::vector<CorpusTest> initial_corpus();

// Whether a test runs code with an AVX path (conv, fully-connected, max-pool layers), i.e.
// whether the differential oracle has two backends to compare.
bool has_avx_path(const nlohmann::json& test);

}  // namespace dlcov::tenfuzz
