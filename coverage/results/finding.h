// Something a tester found, with what reproduces it. Shared by the harness and the generators.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace dlcov {

struct Finding {
    std::string kind;      // crash, timeout, nan, exception, inconsistency
    std::string artifact;  // the generated test (e.g. a model file), relative to the trial folder
    std::string input;     // its input, relative to the trial folder ("" if none)
    std::string backends;  // "internal" or "internal-vs-avx"
    std::string metric;    // e.g. "D_MAD" ("" if none)
    double value = 0;      // the metric's value
    std::string detail;    // one line for people
    std::string replay;    // a command that replays it against the build
};

nlohmann::json to_json(const Finding& f);
Finding finding_from_json(const nlohmann::json& j);

}  // namespace dlcov
