// The interface every tester runner implements: run one trial against an instrumented build,
// every execution in its own process writing its own profile, and report what it found.
#pragma once
#include "build_manifest.h"

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlcov {

// Something a tester found, with what reproduces it.
struct Finding {
    std::string kind;      // crash, timeout, nan, exception, inconsistency
    std::string artifact;  // the generated test (e.g. a model file), relative to the campaign folder
    std::string input;     // its input, relative to the campaign folder ("" if none)
    std::string backends;  // "internal" or "internal-vs-avx"
    std::string metric;    // e.g. "D_MAD" ("" if none)
    double value = 0;      // the metric's value
    std::string detail;    // one line for people
    std::string replay;    // a command that replays it against the build
};

nlohmann::json to_json(const Finding& f);

struct RunnerSpec {
    std::string name;   // unique in a campaign, e.g. "cradle"
    std::string style;  // which implementation: cradle, ...
    int trials = 1;
    std::chrono::milliseconds execution_timeout{60000};
    nlohmann::json options = nlohmann::json::object();  // style-specific settings
};

struct TrialContext {
    const BuildManifest& build;
    std::string campaign_dir;  // results/<campaign>
    std::string trial_dir;     // results/<campaign>/<runner>/trial-<n>
    std::string profile_dir;   // where each execution's LLVM_PROFILE_FILE points
    int trial = 1;
    unsigned random_seed = 0;
    std::function<void(const std::string&)> log;  // progress lines for the user
};

struct TrialResult {
    size_t executions = 0;
    size_t failed_executions = 0;  // crashed, timed out or unusable
    std::vector<Finding> findings;
};

class Runner {
public:
    virtual ~Runner() = default;
    virtual TrialResult run_trial(const TrialContext& context) = 0;
};

// Throws UserError for an unknown style.
std::unique_ptr<Runner> make_runner(const RunnerSpec& spec);

// LLVM_PROFILE_FILE for one execution: continuous mode (%c) keeps the counters of a process that
// crashes or is killed; %p and %m keep processes and objects apart.
std::string profile_pattern(const std::string& profile_dir, const std::string& execution_id);

}  // namespace dlcov
