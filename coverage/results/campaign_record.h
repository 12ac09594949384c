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

// The profile folder of each of the runner's trials.
std::vector<std::string> trial_profile_dirs(const CampaignFolder& folder, const RunnerRecord& runner);

}  // namespace dlcov
