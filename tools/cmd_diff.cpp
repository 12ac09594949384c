// dlcov diff A B: what A covers that B does not (and the reverse), per component, as text and as
// an HTML page. A and B are campaign folders (all their runners united) or one runner of a
// campaign, written DIR:RUNNER; both must have run on the same instrumented build.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "campaign_record.h"
#include "commands.h"
#include "diff_render.h"
#include "error.h"

#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

struct Side {
    std::string report_dir;  // of the campaign
    std::string runner;  // "" = every runner of the campaign
    RunnerProfiles profiles;
    BuildManifest build;
};

// "results/demo" or "results/demo:cradle". A folder that exists wins over splitting at ':'.
Side parse_side(const std::string& arg) {
    Side s;
    std::string dir = arg;
    if (!fs::exists(CampaignFolder(arg).record_path())) {
        auto colon = arg.rfind(':');
        if (colon != std::string::npos && colon + 1 < arg.size()) {
            dir = arg.substr(0, colon);
            s.runner = arg.substr(colon + 1);
        }
    }
    CampaignFolder folder(dir);
    s.report_dir = folder.report_dir();
    CampaignRecord campaign = read_campaign_record(folder);
    s.build = load_manifest(campaign.build);
    std::string label = campaign.name;
    s.profiles.name = s.runner.empty() ? label + " (all runners)" : label + ":" + s.runner;
    std::string known;
    bool found = false;
    for (const auto& runner : campaign.runners) {
        known += (known.empty() ? "" : ", ") + runner.name;
        if (!s.runner.empty() && runner.name != s.runner) continue;
        found = true;
        for (const auto& dir : trial_profile_dirs(folder, runner)) s.profiles.profile_paths.push_back(dir);
    }
    if (!s.runner.empty() && !found)
        throw UserError(fmt::format("{}: campaign {} has no runner '{}' (runners: {})", arg, label, s.runner, known));
    if (s.profiles.profile_paths.empty()) throw UserError(arg + ": no finished trial to compare");
    return s;
}

std::string file_label(std::string s) {
    for (char& ch : s)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
    return s;
}

void run_diff(const std::string& a_arg, const std::string& b_arg, std::string html_path) {
    Side a = parse_side(a_arg), b = parse_side(b_arg);
    if (a.build.objects != b.build.objects)
        throw UserError(fmt::format("{} and {} ran on different builds ({} vs {}); a diff needs the same instrumented objects",
                                    a_arg, b_arg, a.build.objects.empty() ? "?" : a.build.objects.front(),
                                    b.build.objects.empty() ? "?" : b.build.objects.front()));
    auto python_layouts = [](const BuildManifest& m) {
        std::vector<std::string> out;
        for (const auto& p : m.python_layers) out.push_back(p.layout);
        return out;
    };
    if (python_layouts(a.build) != python_layouts(b.build))
        throw UserError(fmt::format("{} and {} ran on different builds (their Python layouts differ); a diff needs the "
                                    "same build", a_arg, b_arg));
    if (a.profiles.name == b.profiles.name) b.profiles.name += " (B)";
    CoverageDiff d = diff_coverage(MeasurementPipeline(a.build), a.profiles, b.profiles);
    std::cout << render_diff_text(d);
    if (html_path.empty()) {
        fs::path report = a.report_dir;
        fs::create_directories(report);
        html_path = (report / ("diff-" + file_label(a.profiles.name) + "-vs-" + file_label(b.profiles.name) + ".html")).string();
    }
    write_text_file(html_path, render_diff_html(d));
    std::cout << "\n" << html_path << "\n";
}

}  // namespace

void add_diff_command(CLI::App& app) {
    auto a = std::make_shared<std::string>();
    auto b = std::make_shared<std::string>();
    auto html = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "diff",
        "What A covers that B does not, and the reverse, per component (lines, branch sides,\n"
        "functions) and per file. A and B are campaign folders (all runners united) or single\n"
        "runners written CAMPAIGN_DIR:RUNNER; both must have run on the same build. Prints the\n"
        "tables, writes an HTML page and prints its path last.\n"
        "Examples: dlcov diff results/demo:cradle results/demo:lemon\n"
        "          dlcov diff results/long results/short");
    cmd->add_option("A", *a, "campaign folder, or CAMPAIGN_DIR:RUNNER")->required();
    cmd->add_option("B", *b, "campaign folder, or CAMPAIGN_DIR:RUNNER")->required();
    cmd->add_option("--html", *html, "where to write the HTML page (default: A's report/diff-<A>-vs-<B>.html)");
    cmd->callback([a, b, html] { run_diff(*a, *b, *html); });
}

}  // namespace dlcov
