#include "campaign_files.h"

#include "campaign_record.h"
#include "error.h"
#include "utc_time.h"

namespace dlcov {

void CampaignFiles::write_campaign(const std::string& status, const std::string& started) {
    std::lock_guard<std::mutex> lock(mutex_);
    CampaignRecord record;
    try {
        CampaignRecord before = read_campaign_record(folder_);
        record.started = before.started;
        record.finished = before.finished;
    } catch (const UserError&) {
        // The first write of a new campaign (or a file cut short): nothing to keep.
    }
    record.name = config_.name;
    record.config = config_.path;
    record.build = manifest_path(build_.build_dir());
    if (!started.empty()) record.started = started;
    record.status = status;
    if (status != "running") record.finished = utc_now_iso();
    std::vector<TrialRecord> trials = store_.trials();
    for (const auto& spec : config_.runners) {
        RunnerRecord runner{spec.name, spec.definition.style, spec.definition.mode, spec.definition.path,
                            spec.budget_seconds, {}};
        for (const auto& t : trials) {
            if (t.runner != spec.name || t.status == "pending") continue;
            // A trial that has not ended (or died before writing its record) has what the store knows.
            TrialRecord trial = read_trial_record(folder_, t.runner, t.trial).value_or(t);
            trial.status = t.status;
            runner.trials.push_back(trial);
        }
        record.runners.push_back(std::move(runner));
    }
    write_campaign_record(folder_, record);
}

void CampaignFiles::write_trial(const TrialRecord& record, const std::vector<Finding>& findings) {
    write_findings(folder_.trial(record.runner, record.trial), findings);
    write_trial_record(folder_, record);
}

}  // namespace dlcov
