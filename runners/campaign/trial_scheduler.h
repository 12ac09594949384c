// Runs a campaign's trials, up to `parallel` at once, one thread each; redraws the progress
// display; rewrites campaign.json as trials end. When the campaign is asked to stop (a signal,
// or a trial that cannot run), trials not started stay pending, and every process the harness
// started is killed, again and again, until the running trials have taken their final snapshot.
#pragma once
#include "campaign_trial.h"

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

namespace dlcov {

// One trial as the scheduler sees it.
struct TrialJob {
    size_t runner_index = 0;  // in the campaign's runners
    int trial = 1;
    bool resume = false;  // continue an interrupted trial instead of starting afresh
    TrialProgress progress;

    std::atomic<bool> done{false};
    std::string error;  // why the trial could not run (the campaign stops)
    std::thread thread;
};

// Runs `jobs` in order. Returns false when the campaign was stopped by a signal; throws
// UserError with the first trial's error when a trial could not run.
bool run_trials(const CampaignContext& campaign, std::deque<std::unique_ptr<TrialJob>>& jobs, int parallel);

}  // namespace dlcov
