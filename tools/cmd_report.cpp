// dlcov report: the study's Table 6 for a finished campaign, plus summary.json and summary.csv,
// the HTML report in report/ and the lcov and Cobertura exports next to it.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "campaign_owner.h"
#include "campaign_record.h"
#include "campaign_store.h"
#include "commands.h"
#include "coverage_exports.h"
#include "error.h"
#include "html_report.h"
#include "outside_text.h"
#include "runner_comparison.h"
#include "table6.h"

#include <filesystem>
#include <fmt/format.h>
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// Per runner: findings by kind and the first few with the command that replays them; every
// finding is in report/findings.html and each trial's findings.json.
void print_findings(const std::vector<RunnerRecord>& runners, const std::vector<CampaignFinding>& findings) {
    constexpr size_t kShown = 3;
    std::cout << "Findings\n";
    for (const auto& runner : runners) {
        size_t count = 0;
        std::map<std::string, size_t> by_kind;
        std::string lines;
        for (const auto& [found_by, trial, f] : findings) {
            if (found_by != runner.name) continue;
            ++by_kind[f.kind];
            if (count++ >= kShown) continue;
            lines += fmt::format("    trial {}: {} {} [{}] {}\n      replay: {}\n", trial, f.kind, f.artifact, f.backends,
                                 f.detail, f.replay);
        }
        std::string kinds;
        for (const auto& [kind, n] : by_kind) kinds += fmt::format("{}{} {}", kinds.empty() ? " (" : ", ", n, kind);
        if (!kinds.empty()) kinds += ")";
        std::cout << fmt::format("  {}: {} finding(s){}\n", runner.name, count, kinds) << lines;
        if (count > kShown) std::cout << fmt::format("    ... and {} more (report/findings.html)\n", count - kShown);
    }
}

// A campaign that has not ended: who runs it, and where each runner's trials stand. Its numbers
// are what the store has: each running trial as of its last snapshot.
void print_running(const CampaignFolder& folder, const CampaignRecord& campaign) {
    if (std::optional<CampaignOwner> owner = campaign_owner(folder))
        std::cout << "Still running (" << owner->describe() << "): running trials are counted as of their last snapshot\n";
    else
        std::cout << fmt::format("Marked running, but no `dlcov run` runs it (its harness was killed?): running trials are "
                                 "counted as of their last snapshot; `dlcov run {}` resumes it\n",
                                 campaign.config);
    for (const auto& runner : campaign.runners) {
        std::map<std::string, size_t> by_status;
        for (const auto& t : runner.trials) ++by_status[t.status];
        std::string statuses;
        for (const auto& [status, n] : by_status) statuses += fmt::format("{}{} {}", statuses.empty() ? "" : ", ", n, status);
        std::cout << fmt::format("  {}: {}\n", runner.name, statuses.empty() ? std::string("no trial started yet") : statuses);
    }
}

// The framework's own test suite is the baseline row of Table 6; a runner file says so by its style.
bool is_test_suite(const std::string& style) {
    std::string s = style;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    return s == "test-suite" || s == "test suite" || s == "framework test suite";
}

// Final coverage of every trial: the last snapshot of each trial when the campaign recorded
// snapshots, else each trial's profiles measured on their own (only when there are at least two
// runners to compare, since it reads the objects once per trial).
void collect_trial_coverage(ReportInput& in, const MeasurementPipeline& pipeline,
                            const std::vector<RunnerProfiles>& testers) {
    const Comparison& c = *in.comparison;
    if (!in.snapshots.empty()) {
        in.trial_coverage_source = "the last coverage snapshot of each trial";
        std::map<std::pair<std::string, int>, const Snapshot*> last;
        for (const auto& s : in.snapshots) {
            auto& slot = last[{s.runner, s.trial}];
            if (!slot || s.elapsed_seconds >= slot->elapsed_seconds) slot = &s;
        }
        for (const auto& [key, snap] : last) in.trial_coverage[key.first].push_back(snap->coverage);
        return;
    }
    in.trial_coverage_source = "each trial's profiles measured on their own";
    if (testers.size() < 2) return;
    for (size_t i = 0; i < testers.size(); ++i) {
        const RunnerProfiles& t = testers[i];
        if (t.profile_paths.size() == 1) {
            in.trial_coverage[t.name].push_back(tallies_by_component_id(c.runners[i].measurement));
            continue;
        }
        std::vector<RunnerProfiles> trials;
        for (size_t k = 0; k < t.profile_paths.size(); ++k) trials.push_back({t.name + "#" + std::to_string(k + 1), {t.profile_paths[k]}});
        Comparison per_trial = compare_runners(pipeline, trials);
        for (const auto& trial : per_trial.runners) in.trial_coverage[t.name].push_back(tallies_by_component_id(trial.measurement));
    }
}

void run_report(const std::string& campaign_dir) {
    CampaignFolder folder(campaign_dir);
    CampaignRecord campaign = read_campaign_record(folder);
    add_running_trials(folder, campaign);  // a running campaign: its trials as the store has them now
    BuildManifest build = load_manifest(campaign.build);

    ReportInput in;
    std::vector<RunnerProfiles> testers;
    for (const auto& runner : campaign.runners) {
        testers.push_back({runner.name, trial_profile_dirs(folder, runner)});
        if (is_test_suite(runner.style)) in.baseline_runner = runner.name;
        in.runners.push_back(runner);
    }
    if (testers.empty()) throw UserError(folder.record_path() + ": no runner has finished a trial yet");

    MeasurementPipeline pipeline(build);
    Comparison c = compare_runners(pipeline, testers);
    for (const auto& s : c.all.skipped) std::cerr << "dlcov: warning: skipped profile " << s.path << ": " << s.reason << "\n";

    std::cout << fmt::format("Campaign {} on {} {} ({} mode), status {}\n", campaign.name, build.framework,
                             build.version, build.mode, campaign.status);
    if (campaign.status == "running") print_running(folder, campaign);
    std::cout << "\n";
    std::cout << render_table6(c);
    in.findings = read_campaign_findings(folder, campaign);
    print_findings(in.runners, in.findings);

    nlohmann::json summary = comparison_json(c);
    // The union's distinct source lines: what the per-line pages and the lcov export count.
    CoverageTally exported = export_totals(c);
    summary["total"]["distinct_lines"] = {{"covered", exported.lines.covered}, {"total", exported.lines.total},
                                          {"percent", exported.lines.percent()}};
    summary["campaign"] = campaign.name;
    summary["status"] = campaign.status;
    summary["framework"] = {{"name", build.framework}, {"version", build.version}, {"mode", build.mode}};
    escape_json_text(summary);  // file and runner names are bytes from outside
    std::string csv = comparison_csv(c);
    write_text_file(folder.summary_json_path(), summary.dump(2) + "\n");
    write_text_file(folder.summary_csv_path(), csv);
    std::cout << fmt::format("\nWrote {} and {}\n", folder.summary_json_path(), folder.summary_csv_path());

    // The HTML report and the exports, all in report/ so its links stay inside one folder.
    fs::path report = folder.report_dir();
    fs::create_directories(report);
    write_text_file(report / "coverage.lcov", lcov_tracefile(c, campaign.name));
    write_text_file(report / "cobertura.xml", cobertura_xml(c, build.source_root));
    write_text_file(report / "coverage.json", summary.dump(2) + "\n");
    write_text_file(report / "coverage.csv", csv);

    in.campaign_name = campaign.name;
    in.campaign_dir = folder.dir();
    in.config = campaign.config;
    in.status = campaign.status;
    in.started = campaign.started;
    in.finished = campaign.finished;
    in.framework = build.framework;
    in.framework_version = build.version;
    in.mode = build.mode;
    in.comparison = &c;
    in.snapshots = read_snapshots(folder);
    collect_trial_coverage(in, pipeline, testers);
    // Only LLVM's counting can make the two differ (a Python statement belongs to one definition).
    const bool has_llvm = build.mode == "llvm";
    std::string lcov_totals = fmt::format(
        "lines {}/{}{}, branches {}/{}, functions {}/{}", exported.lines.covered, exported.lines.total,
        has_llvm ? " (distinct source lines: Table 6 counts a line once per function definition containing it, as "
                   "llvm-cov report does)"
                 : "",
        exported.branches.covered, exported.branches.total, exported.functions.covered, exported.functions.total);
    in.exports = {{"coverage.lcov", "lcov tracefile of the union (genhtml, lcov --summary): " + lcov_totals},
                  {"cobertura.xml", "Cobertura XML of the union"},
                  {"coverage.json", "numbers per runner, component and file (as summary.json)"},
                  {"coverage.csv", "numbers per runner, metric and component (as summary.csv)"}};
    std::string index = write_html_report(in, report.string());
    std::cout << fmt::format("Wrote the HTML report, coverage.lcov and cobertura.xml into {}\n  coverage.lcov: {}\n",
                             report.string(), lcov_totals);
    std::cout << index << "\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
    auto dir = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "report",
        "Report a campaign's coverage as the study's Table 6: per runner and for their union, line,\n"
        "branch and function coverage per component and overall; list findings; write\n"
        "summary.json and summary.csv into the campaign folder, and the HTML report with lcov,\n"
        "Cobertura, JSON and CSV exports into its report/ folder. The last line printed is the\n"
        "path of report/index.html.\n"
        "Example: dlcov report results/demo");
    cmd->add_option("campaign_dir", *dir, "campaign folder written by `dlcov run`")->required();
    cmd->callback([dir] { run_report(*dir); });
}

}  // namespace dlcov
