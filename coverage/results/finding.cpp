#include "finding.h"

#include "campaign_record.h"
#include "json_file.h"

#include <filesystem>

namespace dlcov {

nlohmann::json to_json(const Finding& f) {
    return {{"kind", f.kind},     {"artifact", f.artifact}, {"input", f.input},   {"backends", f.backends},
            {"metric", f.metric}, {"value", f.value},       {"detail", f.detail}, {"replay", f.replay}};
}

Finding finding_from_json(const nlohmann::json& j) {
    Finding f;
    f.kind = j.value("kind", "");
    f.artifact = j.value("artifact", "");
    f.input = j.value("input", "");
    f.backends = j.value("backends", "");
    f.metric = j.value("metric", "");
    f.value = j.value("value", 0.0);
    f.detail = j.value("detail", "");
    f.replay = j.value("replay", "");
    return f;
}

void write_findings(const TrialFolder& trial, const std::vector<Finding>& findings) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& f : findings) j.push_back(to_json(f));
    write_json_file(trial.findings_path(), j);
}

std::vector<Finding> read_findings(const TrialFolder& trial) {
    std::vector<Finding> out;
    if (!std::filesystem::exists(trial.findings_path())) return out;
    for (const auto& f : read_json_file(trial.findings_path())) out.push_back(finding_from_json(f));
    return out;
}

std::vector<CampaignFinding> read_campaign_findings(const CampaignFolder& folder, const CampaignRecord& campaign) {
    std::vector<CampaignFinding> out;
    for (const auto& runner : campaign.runners)
        for (const auto& trial : runner.trials)
            for (auto& f : read_findings(folder.trial(runner.name, trial.trial)))
                out.push_back({runner.name, trial.trial, std::move(f)});
    return out;
}

}  // namespace dlcov
