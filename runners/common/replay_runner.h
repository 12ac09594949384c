// Replay mode: artifacts a tester saved (LEMON's mut_model/*.h5, FreeFuzz's programs, ...) are
// executed one process each against the instrumented build, each with its own profile.
#pragma once
#include "runner.h"

namespace dlcov {

class ReplayRunner : public Runner {
public:
    explicit ReplayRunner(RunnerSpec spec) : Runner(std::move(spec)) {}
    TrialResult run_trial(const TrialContext& context) override;
};

// Files under `root` whose path relative to it matches `glob`, sorted. Links that lead outside
// `root` are left out: artifact names are never trusted as paths.
std::vector<std::string> find_artifacts(const std::string& root, const std::string& glob);

}  // namespace dlcov
