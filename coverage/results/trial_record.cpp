#include "trial_record.h"

#include "json_file.h"

#include <fstream>

namespace dlcov {

nlohmann::json to_json(const TrialRecord& r) {
    return {{"trial", r.trial},
            {"dir", CampaignFolder::trial_dir(r.runner, r.trial)},
            {"status", r.status},
            {"executions", r.executions},
            {"failed_executions", r.failed_executions},
            {"findings", r.findings},
            {"seconds", r.seconds}};
}

TrialRecord trial_record_from_json(const nlohmann::json& j, const std::string& runner) {
    TrialRecord r;
    r.runner = runner;
    r.trial = j.value("trial", 1);
    r.status = j.value("status", "");
    r.executions = j.value("executions", uint64_t(0));
    r.failed_executions = j.value("failed_executions", uint64_t(0));
    r.findings = j.value("findings", uint64_t(0));
    r.seconds = j.value("seconds", 0.0);
    return r;
}

void write_trial_record(const CampaignFolder& folder, const TrialRecord& record) {
    write_json_file(folder.trial(record.runner, record.trial).record_path(), to_json(record));
}

std::optional<TrialRecord> read_trial_record(const CampaignFolder& folder, const std::string& runner, int trial) {
    // Tolerant: the engine falls back on the store when a trial died before writing its record.
    nlohmann::json j = nlohmann::json::parse(std::ifstream(folder.trial(runner, trial).record_path()), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return trial_record_from_json(j, runner);
}

}  // namespace dlcov
