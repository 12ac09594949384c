// CRADLE-style tester (Pham et al., ICSE 2019): run seed models with their inputs on every
// backend, one process per (model, backend), and compare each backend pair's outputs against
// the ground truth with D_MAD and D_CLASS. No mutation: coverage comes from the seeds alone.
//
// Options (campaign YAML, under the runner):
//   backends: [internal, avx]   backends to run every seed on
//   mad_threshold: 0.1          D_MAD above this is an inconsistency
//   class_threshold: 1.0        mean D_CLASS (top-k score difference) above this is one too
//   top_k: 5
#pragma once
#include "runner.h"

namespace dlcov {

class CradleRunner : public Runner {
public:
    explicit CradleRunner(RunnerSpec spec);
    TrialResult run_trial(const TrialContext& context) override;

private:
    RunnerSpec spec_;
    std::vector<std::string> backends_;
    double mad_threshold_, class_threshold_;
    int top_k_;
};

}  // namespace dlcov
