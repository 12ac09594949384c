// dlcov report: the study's Table 6 for a finished campaign, plus summary.json and summary.csv.
#include "build_manifest.h"
#include "commands.h"
#include "error.h"
#include "runner_comparison.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw UserError(path.string() + ": cannot read (is this a campaign folder written by `dlcov run`?)");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw UserError(path.string() + ": not valid JSON: " + e.what());
    }
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    if (!out) throw UserError(path.string() + ": cannot write");
}

void print_findings(const fs::path& dir, const nlohmann::json& campaign) {
    std::cout << "Findings\n";
    for (const auto& runner : campaign.at("runners")) {
        size_t count = 0;
        std::string lines;
        for (const auto& trial : runner.at("trials")) {
            fs::path file = dir / trial.at("dir").get<std::string>() / "findings.json";
            if (!fs::exists(file)) continue;
            for (const auto& f : read_json(file)) {
                ++count;
                lines += fmt::format("    trial {}: {} {} [{}] {}\n      replay: {}\n", trial.at("trial").get<int>(),
                                     f.at("kind").get<std::string>(), f.at("artifact").get<std::string>(),
                                     f.at("backends").get<std::string>(), f.at("detail").get<std::string>(),
                                     f.at("replay").get<std::string>());
            }
        }
        std::cout << fmt::format("  {}: {} finding(s)\n", runner.at("name").get<std::string>(), count) << lines;
    }
}

void run_report(const std::string& campaign_dir) {
    fs::path dir = fs::absolute(campaign_dir).lexically_normal();
    nlohmann::json campaign = read_json(dir / "campaign.json");
    BuildManifest build = load_manifest(campaign.at("build").get<std::string>());

    std::vector<TesterProfiles> testers;
    for (const auto& runner : campaign.at("runners")) {
        TesterProfiles t{runner.at("name").get<std::string>(), {}};
        for (const auto& trial : runner.at("trials")) t.profile_paths.push_back((dir / trial.at("dir").get<std::string>() / "profiles").string());
        testers.push_back(std::move(t));
    }
    if (testers.empty()) throw UserError(dir.string() + "/campaign.json: no runner has finished a trial yet");

    Comparison c = compare_testers(build.objects, build.source_root, build.component_map, testers);
    for (const auto& s : c.all.skipped) std::cerr << "dlcov: warning: skipped profile " << s.path << ": " << s.reason << "\n";

    std::cout << fmt::format("Campaign {} on {} {} ({} mode), status {}\n\n", campaign.at("name").get<std::string>(),
                             build.framework, build.version, build.mode, campaign.value("status", "?"));
    std::cout << render_table6(c);
    print_findings(dir, campaign);

    nlohmann::json summary = comparison_json(c);
    summary["campaign"] = campaign.at("name");
    summary["framework"] = {{"name", build.framework}, {"version", build.version}, {"mode", build.mode}};
    write_text(dir / "summary.json", summary.dump(2) + "\n");
    write_text(dir / "summary.csv", comparison_csv(c));
    std::cout << fmt::format("\nWrote {} and {}\n", (dir / "summary.json").string(), (dir / "summary.csv").string());
}

}  // namespace

void add_report_command(CLI::App& app) {
    auto dir = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "report",
        "Report a campaign's coverage as the study's Table 6: per runner and for their union, line,\n"
        "branch and function coverage per component and overall; list findings; write\n"
        "summary.json and summary.csv into the campaign folder.\n"
        "Example: dlcov report results/demo");
    cmd->add_option("campaign_dir", *dir, "campaign folder written by `dlcov run`")->required();
    cmd->callback([dir] { run_report(*dir); });
}

}  // namespace dlcov
