// campaign.json: what a campaign ran, on which build, with what outcome. One writer (the campaign
// engine, through write_campaign_record) and one reader (`dlcov report` and `dlcov diff`):
//   {"name": "demo", "config": "<campaign file>", "build": "<builds/tinydnn/build.json>",
//    "status": "finished", "started": "<ISO 8601 UTC>", "finished": "<ISO 8601 UTC>",
//    "runners": [{"name": "cradle", "style": "CRADLE", "mode": "live", "runner_file": "<path>",
//                 "budget": 60.0, "trials": [<trial.json of each trial that has started>]}]}
// "started" and "finished" are left out while unknown.
#pragma once
#include "campaign_folder.h"
#include "trial_record.h"

#include <string>
#include <vector>

namespace dlcov {

struct RunnerRecord {
    std::string name, style, mode, runner_file;
    double budget_seconds = 0;       // per trial
    std::vector<TrialRecord> trials;  // those that have started, in order
};

struct CampaignRecord {
    std::string name;
    std::string config;  // the campaign file
    std::string build;   // the build manifest (build.json) of the instrumented framework
    std::string status = "?";  // running | finished | interrupted
    std::string started, finished;
    std::vector<RunnerRecord> runners;
};

void write_campaign_record(const CampaignFolder& folder, const CampaignRecord& record);
// UserError naming campaign.json when it is missing, not JSON or lacks what a report needs.
CampaignRecord read_campaign_record(const CampaignFolder& folder);

// The runner's trials that have started (not pending), in the store's order: each its trial.json
// when it has one (it has ended), else the store's row (it runs, or died before writing one);
// the status is the store's.
std::vector<TrialRecord> started_trials(const CampaignFolder& folder, const std::string& runner,
                                        const std::vector<TrialRecord>& store_trials);

// campaign.json lists the trials that had ended when it was last written; while the campaign is
// running (status "running"), its runners get their trials as the store has them now. Other
// campaigns are left as they are.
void add_running_trials(const CampaignFolder& folder, CampaignRecord& record);

// Where each of the runner's trials has its coverage: its profile folder; for a trial still
// running, only its running total (what its last snapshot measured; raw profiles beside it may be
// written right now).
std::vector<std::string> trial_profile_dirs(const CampaignFolder& folder, const RunnerRecord& runner);

}  // namespace dlcov
