// Running a campaign: instrument the framework if needed, then every runner's trials, up to
// `jobs` at once (trial_scheduler.h), each in its own folder (campaign_trial.h); a coverage
// snapshot per trial every interval into campaign.db (campaign_store.h); a campaign.json that
// `dlcov report` reads (campaign_files.h). What lives where in results/<campaign>/ is
// coverage/results/campaign_folder.h.
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
