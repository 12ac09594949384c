// One trial of a runner: what the store's `trials` table, the trial's trial.json and each entry of
// campaign.json's "runners[].trials" say about it. trial.json has one writer and one reader here:
//   {"trial": 1, "dir": "cradle/trial-1", "status": "finished", "executions": 16,
//    "failed_executions": 0, "findings": 2, "seconds": 41.3}
#pragma once
#include "campaign_folder.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dlcov {

struct TrialRecord {
    std::string runner;
    int trial = 1;
    std::string status;  // pending | running | finished | interrupted
    double seconds = 0;  // trial time so far (the store counts the final snapshot in, trial.json does not)
    double tester_seconds = 0;       // of that, time inside the tester process (the store only)
    uint64_t executions = 0;
    uint64_t failed_executions = 0;  // crashed, timed out or not exit 0 (not in the store)
    uint64_t findings = 0;
};

// The JSON of trial.json, also an entry of campaign.json (without runner and tester_seconds).
nlohmann::json to_json(const TrialRecord& record);
TrialRecord trial_record_from_json(const nlohmann::json& j, const std::string& runner);

void write_trial_record(const CampaignFolder& folder, const TrialRecord& record);
// The trial's trial.json; nullopt when the trial has not written one or it cannot be read.
std::optional<TrialRecord> read_trial_record(const CampaignFolder& folder, const std::string& runner, int trial);

}  // namespace dlcov
