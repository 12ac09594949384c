// The files the campaign engine keeps in the campaign folder besides its store, written through
// the folder's owner (coverage/results/): campaign.json whenever a trial's state changes, and
// each trial's trial.json and findings.json when it ends.
#pragma once
#include "build_manifest.h"
#include "campaign_config.h"
#include "campaign_folder.h"
#include "campaign_store.h"
#include "finding.h"
#include "trial_record.h"

#include <mutex>
#include <string>
#include <vector>

namespace dlcov {

class CampaignFiles {
public:
    CampaignFiles(const CampaignFolder& folder, const CampaignConfig& config, const BuildManifest& build,
                  CampaignStore& store)
        : folder_(folder), config_(config), build_(build), store_(store) {}

    // Rewrites campaign.json from the store and the trials' records. `started` is "" to keep the
    // start the file has; a status other than "running" marks the campaign finished now.
    // Safe to call from several threads.
    void write_campaign(const std::string& status, const std::string& started);

    void write_trial(const TrialRecord& record, const std::vector<Finding>& findings);

private:
    const CampaignFolder& folder_;
    const CampaignConfig& config_;
    const BuildManifest& build_;
    CampaignStore& store_;
    std::mutex mutex_;
};

}  // namespace dlcov
