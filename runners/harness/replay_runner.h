// Replay mode: artifacts a tester saved (LEMON's mut_model/*.h5, FreeFuzz's programs, ...) are
// executed one process each against the instrumented build, each with its own profile
// (<profiles>/replay-<index>-%p-%m%c.profraw), in sorted order, with the runner's timeout.
//
// Outcomes: exit 0 is a pass. A signal is a `crash` finding, the timeout a `timeout` finding. Other
// exit codes become findings of the kind the runner's option `finding_kinds` gives for them
// ({"3": nan, "4": exception}; "none" records no finding) and `failure` otherwise. The output of
// every execution that did not pass is kept in <work>/replay-<index>.log. The replay stops at the
// trial's budget; a resumed trial skips the artifacts its events.jsonl already shows replayed.
#pragma once
#include "runner.h"

namespace dlcov {

class ReplayRunner : public Runner {
public:
    explicit ReplayRunner(RunnerSpec spec) : Runner(std::move(spec)) {}
    void run_trial(const TrialContext& context) override;
};

// Regular files under `root` whose path relative to it matches `glob`, sorted. The glob is a
// component-map glob ('*' within a folder, '**' across folders) that may hold alternatives in
// braces: "*/{mut_model,crash,nan}/*.h5". Links that lead outside `root` are left out: artifact
// names are never trusted as paths.
std::vector<std::string> find_artifacts(const std::string& root, const std::string& glob);

}  // namespace dlcov
