// One trial of a campaign, on the thread the scheduler gives it: its tester runs for the rest of
// its budget while the trial follows its events into the store and takes a coverage snapshot every
// interval; then a final snapshot, and the trial's records are written.
#pragma once
#include "build_manifest.h"
#include "campaign_config.h"
#include "campaign_files.h"
#include "campaign_folder.h"
#include "campaign_store.h"
#include "progress_display.h"
#include "stop_signals.h"

#include <cstdint>
#include <functional>
#include <mutex>

namespace dlcov {

// What every trial of a campaign shares.
struct CampaignContext {
    const CampaignConfig& config;
    const BuildManifest& build;
    const CampaignFolder& folder;
    CampaignStore& store;
    CampaignFiles& files;
    ProgressDisplay& display;
    StopSignals& signals;
    bool keep_profiles = false;
    // Where the runners' setup made what trials read ({campaign} in runner files): "" = `folder`.
    // A trial run in a node's scratch folder (trial_task.h) reads the shared campaign folder's.
    std::string setup_dir = "";
    // Called after every snapshot the trial stored, and once more when the trial has written its
    // records (`final`): where a trial run elsewhere hands its results over. Empty: nothing.
    std::function<void(bool final)> published = nullptr;
};

// Where a trial stands, written by its thread and read by the scheduler's display.
struct TrialProgress {
    std::mutex mutex;
    bool running = false;
    double elapsed = 0;
    uint64_t executions = 0, findings = 0;
    double lines_percent = 0;  // of the latest snapshot
};

// Runs trial `trial` of `spec` (`resume`: continue it where its last snapshot left it).
// Throws what keeps the tester from running (e.g. a runner file that cannot start).
void run_trial(const CampaignContext& campaign, const RunnerSpec& spec, int trial, bool resume, TrialProgress& progress);

}  // namespace dlcov
