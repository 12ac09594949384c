#include "campaign_run.h"

#include "campaign_config.h"
#include "error.h"
#include "instrumenter.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <ostream>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string now_iso() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

// Written via a temporary file and a rename, so a reader never sees half a file.
void write_json(const fs::path& path, const nlohmann::json& j) {
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp);
        out << j.dump(2) << "\n";
        if (!out) throw UserError(tmp.string() + ": cannot write");
    }
    fs::rename(tmp, path);
}

}  // namespace

std::string run_campaign(const RunOptions& options, std::ostream& out) {
    CampaignConfig config = load_campaign(options.campaign_path);

    InstrumentOptions io;
    io.config_path = config.framework_config;
    io.builds_dir = options.builds_dir;
    BuildManifest build = instrument(io, out, out);

    fs::path dir = fs::absolute(fs::path(options.results_dir) / config.name).lexically_normal();
    if (fs::exists(dir / "campaign.json") && !options.overwrite)
        throw UserError(dir.string() + " already holds a campaign; pass --overwrite to replace it");
    if (options.overwrite) fs::remove_all(dir);
    fs::create_directories(dir);

    nlohmann::json record = {{"name", config.name},
                             {"config", config.path},
                             {"build", manifest_path(build.build_dir())},
                             {"started", now_iso()},
                             {"status", "running"},
                             {"runners", nlohmann::json::array()}};
    write_json(dir / "campaign.json", record);

    std::vector<std::unique_ptr<Runner>> runners;
    for (const auto& spec : config.runners) {
        runners.push_back(make_runner(spec));
        runners.back()->setup(build, dir.string());
    }

    size_t total_findings = 0;
    for (size_t i = 0; i < config.runners.size(); ++i) {
        const RunnerSpec& spec = config.runners[i];
        Runner* runner = runners[i].get();
        nlohmann::json runner_record = {{"name", spec.name},
                                        {"style", spec.definition.style},
                                        {"mode", spec.definition.mode},
                                        {"runner_file", spec.definition.path},
                                        {"budget", spec.budget_seconds},
                                        {"trials", nlohmann::json::array()}};
        for (int trial = 1; trial <= spec.trials; ++trial) {
            fs::path trial_dir = dir / spec.name / ("trial-" + std::to_string(trial));
            fs::remove_all(trial_dir);
            fs::create_directories(trial_dir);
            out << fmt::format("run: {} trial {}/{} ...\n", spec.name, trial, spec.trials) << std::flush;
            auto start = std::chrono::steady_clock::now();
            TrialContext ctx{build,
                             dir.string(),
                             trial_dir.string(),
                             trial,
                             config.random_seed + unsigned(trial) - 1,
                             [&](const std::string& line) { out << "  " << spec.name << ": " << line << "\n" << std::flush; }};
            TrialResult result = runner->run_trial(ctx);
            double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

            nlohmann::json findings = nlohmann::json::array();
            for (const auto& f : result.findings) findings.push_back(to_json(f));
            write_json(trial_dir / "findings.json", findings);
            nlohmann::json trial_record = {{"trial", trial},
                                           {"dir", fs::relative(trial_dir, dir).generic_string()},
                                           {"executions", result.executions},
                                           {"failed_executions", result.failed_executions},
                                           {"findings", result.findings.size()},
                                           {"seconds", seconds}};
            write_json(trial_dir / "trial.json", trial_record);
            runner_record["trials"].push_back(trial_record);
            total_findings += result.findings.size();
            out << fmt::format("run: {} trial {} done: {} executions, {} findings, {:.1f} s\n", spec.name, trial,
                               result.executions, result.findings.size(), seconds);
        }
        record["runners"].push_back(runner_record);
        write_json(dir / "campaign.json", record);
    }
    record["status"] = "finished";
    record["finished"] = now_iso();
    write_json(dir / "campaign.json", record);
    out << fmt::format("run: campaign {} finished in {} ({} findings); next: dlcov report {}\n", config.name,
                       dir.string(), total_findings, dir.string());
    return dir.string();
}

}  // namespace dlcov
