#include "campaign_record.h"

#include "error.h"
#include "json_file.h"

namespace dlcov {

void write_campaign_record(const CampaignFolder& folder, const CampaignRecord& record) {
    nlohmann::json j = {{"name", record.name}, {"config", record.config}, {"build", record.build},
                        {"status", record.status}, {"runners", nlohmann::json::array()}};
    if (!record.started.empty()) j["started"] = record.started;
    if (!record.finished.empty()) j["finished"] = record.finished;
    for (const auto& runner : record.runners) {
        nlohmann::json r = {{"name", runner.name},          {"style", runner.style},
                            {"mode", runner.mode},          {"runner_file", runner.runner_file},
                            {"budget", runner.budget_seconds}, {"trials", nlohmann::json::array()}};
        for (const auto& trial : runner.trials) r["trials"].push_back(to_json(trial));
        j["runners"].push_back(r);
    }
    write_json_file(folder.record_path(), j);
}

CampaignRecord read_campaign_record(const CampaignFolder& folder) {
    nlohmann::json j = read_json_file(folder.record_path());
    CampaignRecord record;
    try {
        record.name = j.at("name").get<std::string>();
        record.config = j.value("config", "");
        record.build = j.at("build").get<std::string>();
        record.status = j.value("status", "?");
        record.started = j.value("started", "");
        record.finished = j.value("finished", "");
        for (const auto& r : j.at("runners")) {
            RunnerRecord runner;
            runner.name = r.at("name").get<std::string>();
            runner.style = r.value("style", "");
            runner.mode = r.value("mode", "");
            runner.runner_file = r.value("runner_file", "");
            runner.budget_seconds = r.value("budget", 0.0);
            for (const auto& t : r.at("trials")) runner.trials.push_back(trial_record_from_json(t, runner.name));
            record.runners.push_back(std::move(runner));
        }
    } catch (const nlohmann::json::exception& e) {
        throw UserError(folder.record_path() + ": " + e.what());
    }
    return record;
}

std::vector<std::string> trial_profile_dirs(const CampaignFolder& folder, const RunnerRecord& runner) {
    std::vector<std::string> out;
    for (const auto& trial : runner.trials) out.push_back(folder.trial(runner.name, trial.trial).profile_dir());
    return out;
}

}  // namespace dlcov
