// Live mode: the tester runs against the instrumented build for the trial's budget.
#pragma once
#include "runner.h"

namespace dlcov {

class LiveRunner : public Runner {
public:
    explicit LiveRunner(RunnerSpec spec) : Runner(std::move(spec)) {}
    void run_trial(const TrialContext& context) override;
};

}  // namespace dlcov
