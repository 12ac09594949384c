// Running a campaign: instrument the framework if needed, then every runner's trials, up to
// `jobs` at once, each in its own folder; a coverage snapshot per trial every interval into
// campaign.db (campaign_store.h); a campaign.json that `dlcov report` reads.
//
// results/<campaign>/
//   campaign.db                    the results store: campaign, trials, executions, findings, snapshots
//   campaign.json                  what ran, on which build, with what outcome
//   seeds/                         seed models (made by the runners' setup step)
//   <runner>/trial-<n>/profiles/   coverage.profdata (the trial's coverage so far) and the raw
//                                  profiles of executions not folded into it yet (running_coverage.h)
//   <runner>/trial-<n>/profiles-kept/   folded raw profiles, with --keep-profiles
//   <runner>/trial-<n>/work/       what the tester generated and what each execution wrote
//   <runner>/trial-<n>/events.jsonl  one line per execution and finding
//   <runner>/trial-<n>/findings.json, trial.json, options.json, tester.log
//
// Interruption (SIGINT, SIGTERM): every child process is killed, each running trial takes a
// final snapshot and is marked interrupted, and run_campaign throws CampaignInterrupted.
// Running the same campaign file again resumes: finished trials are kept as they are;
// interrupted (or, after a SIGKILL of the harness, running) trials continue where their last
// snapshot left them, with the rest of their budget, keeping their snapshots and profiles.
#pragma once
#include <iosfwd>
#include <stdexcept>
#include <string>

namespace dlcov {

struct RunOptions {
    std::string campaign_path;
    std::string results_dir;      // "" = the campaign file's results_dir, else ./results
    std::string builds_dir = "builds";
    bool overwrite = false;       // replace an existing campaign folder
    int jobs = 0;                 // trials at once; 0 = the campaign file's, else the number of cores
    bool keep_profiles = false;   // keep raw profiles after folding them (in profiles-kept/)
    bool live_progress = false;   // rewrite one line per runner in place (a terminal)
};

class CampaignInterrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Returns the campaign folder. Progress goes to `out`. Throws CampaignInterrupted when a signal
// stopped the campaign (the store is consistent and the campaign resumable).
std::string run_campaign(const RunOptions& options, std::ostream& out);

}  // namespace dlcov
