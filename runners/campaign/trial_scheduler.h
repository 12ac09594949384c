// Runs a campaign's trials, up to `parallel` at once, one thread each; redraws the progress
// display; rewrites campaign.json as trials end. When the campaign is asked to stop (a signal),
// trials not started stay pending, and every process the harness started is killed, again and
// again, until the running trials have taken their final snapshot. A trial that fails (its runner
// cannot start, its files cannot be written) is marked interrupted and named; the others go on.
#pragma once
#include "campaign_trial.h"

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace dlcov {

// One trial as the scheduler sees it.
struct TrialJob {
    size_t runner_index = 0;  // in the campaign's runners
    int trial = 1;
    bool resume = false;  // continue an interrupted trial instead of starting afresh
    TrialProgress progress;

    std::atomic<bool> done{false};
    std::string error;  // why the trial could not run (the others go on)
    std::thread thread;
};

struct TrialsOutcome {
    bool stopped = false;               // by a signal
    std::vector<std::string> failures;  // "<runner> trial <n>: <why>", one per trial that failed
};

// Runs `jobs` in order, each to its end (or its failure).
TrialsOutcome run_trials(const CampaignContext& campaign, std::deque<std::unique_ptr<TrialJob>>& jobs, int parallel);

}  // namespace dlcov
