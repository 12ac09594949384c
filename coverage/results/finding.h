// Something a tester found, with what reproduces it: one type for the generators, the harness,
// the store and the report. A trial's findings are its findings.json (one writer, one reader
// here) and the `finding` lines of its events.jsonl (trial_events.h), with the same keys.
#pragma once
#include "campaign_folder.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlcov {

struct Finding {
    std::string kind;      // crash, timeout, nan, exception, inconsistency
    std::string artifact;  // the generated test (e.g. a model file), relative to the trial folder
    std::string input;     // its input, relative to the trial folder ("" if none)
    std::string backends;  // "internal" or "internal-vs-avx"
    std::string metric;    // e.g. "D_MAD" ("" if none)
    double value = 0;      // the metric's value
    std::string detail;    // one line for people
    std::string replay;    // a command that replays it against the build
};

// A finding as a campaign holds it: which trial of which runner found it.
struct CampaignFinding {
    std::string runner;
    int trial = 1;
    Finding finding;
};

nlohmann::json to_json(const Finding& f);
Finding finding_from_json(const nlohmann::json& j);

void write_findings(const TrialFolder& trial, const std::vector<Finding>& findings);
// The trial's findings.json; empty when the trial has none (yet). UserError when it is not JSON.
std::vector<Finding> read_findings(const TrialFolder& trial);

struct CampaignRecord;
// Every trial's findings, in the record's order of runners and trials.
std::vector<CampaignFinding> read_campaign_findings(const CampaignFolder& folder, const CampaignRecord& campaign);

}  // namespace dlcov
