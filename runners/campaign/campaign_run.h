// Running a campaign: instrument the framework if needed, then every runner's trials, each
// trial in its own folder with its own profiles, and a campaign.json that `dlcov report` reads.
//
// results/<campaign>/
//   campaign.json                  what ran, on which build, with what outcome
//   seeds/                         seed models (made by the runners' setup step)
//   <runner>/trial-<n>/profiles/   one raw profile per execution and object
//   <runner>/trial-<n>/work/       what the tester generated and what each execution wrote
//   <runner>/trial-<n>/events.jsonl  one line per execution and finding
//   <runner>/trial-<n>/findings.json, trial.json, options.json, tester.log
#pragma once
#include <iosfwd>
#include <string>

namespace dlcov {

struct RunOptions {
    std::string campaign_path;
    std::string results_dir = "results";
    std::string builds_dir = "builds";
    bool overwrite = false;  // replace an existing campaign folder
};

// Returns the campaign folder. Progress goes to `out`.
std::string run_campaign(const RunOptions& options, std::ostream& out);

}  // namespace dlcov
