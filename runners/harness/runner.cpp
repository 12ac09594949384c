#include "runner.h"

#include "error.h"
#include "live_runner.h"
#include "outside_text.h"
#include "process.h"
#include "replay_runner.h"
#include "whole_file.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <ostream>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string option_text(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// Placeholders that name the build and the campaign: options may use these too.
Placeholders build_placeholders(const RunnerSpec& spec, const BuildManifest& build, const std::string& campaign_dir) {
    Placeholders p;
    p.set("bin", fs::read_symlink("/proc/self/exe").parent_path().string());
    p.set("config_dir", fs::path(spec.definition.path).parent_path().string());
    p.set("build", build.build_dir());
    p.set("source_root", build.source_root);
    for (const auto& [name, path] : build.targets) p.set("target:" + name, path);
    if (!build.python_layers.empty()) p.set("python", build.python_layers.front().interpreter);
    p.set("campaign", campaign_dir);
    return p;
}

// The runner's options with the build's placeholders expanded in every string, at any depth
// (`references: {tensorflow: "{build}/../tensorflow/venv/bin/python"}`). Braces that name no
// such placeholder stay as written: options also hold globs and JSON.
nlohmann::json expanded_options(const nlohmann::json& options, const Placeholders& p) {
    if (options.is_string()) return p.expand_known(options.get<std::string>());
    if (!options.is_structured()) return options;
    nlohmann::json out = options;
    for (auto& item : out.items()) item.value() = expanded_options(item.value(), p);
    return out;
}

// Placeholders that do not depend on the trial.
Placeholders campaign_placeholders(const RunnerSpec& spec, const BuildManifest& build, const std::string& campaign_dir) {
    Placeholders p = build_placeholders(spec, build, campaign_dir);
    const nlohmann::json options = expanded_options(spec.options, p);
    for (const auto& [key, value] : options.items()) p.set("opt:" + key, option_text(value));
    return p;
}

}  // namespace

void Runner::setup(const BuildManifest& build, const std::string& campaign_dir, std::ostream& out) {
    const RunnerDefinition& d = spec_.definition;
    if (d.setup_command.empty()) return;
    Placeholders p = campaign_placeholders(spec_, build, campaign_dir);
    std::string where = d.path + ": setup";
    std::string creates = p.expand(d.setup_creates, where);
    if (fs::exists(creates)) return;
    ProcessSpec exec;
    exec.argv = p.expand(d.setup_command, where);
    exec.timeout = std::chrono::minutes(10);
    out << fmt::format("setup: {} (once per campaign, until {} exists)\n", spec_.name, creates) << std::flush;
    ProcessResult r = run_process(exec);
    if (r.outcome != ProcessResult::Exited || r.exit_code != 0 || !fs::exists(creates))
        throw UserError(fmt::format("runner {}: setup failed ({}), expected it to create {}:\n{}", spec_.name, r.describe(),
                                    creates, r.output));
    out << fmt::format("setup: {} done in {:.0f} s\n", spec_.name, r.seconds) << std::flush;
}

unsigned trial_seed(unsigned campaign_seed, int trial, int run) {
    unsigned seed = campaign_seed + unsigned(trial) - 1;
    // 0x9E3779B9 (2^32 / golden ratio) spreads the runs far from the neighbouring trials' seeds.
    return seed + unsigned(run - 1) * 0x9E3779B9u;
}

Placeholders Runner::start_trial(const TrialContext& ctx) const {
    const TrialFolder& folder = ctx.folder;
    fs::create_directories(ctx.work_dir());
    fs::create_directories(folder.profile_dir());
    {
        nlohmann::json text = expanded_options(spec_.options, build_placeholders(spec_, ctx.build, ctx.campaign_dir));
        escape_json_text(text);
        write_whole_file(folder.options_path(), text.dump(2) + "\n");
    }
    Placeholders p = campaign_placeholders(spec_, ctx.build, ctx.campaign_dir);
    p.set("trial", folder.dir());
    p.set("work", ctx.work_dir());
    p.set("profiles", folder.profile_dir());
    p.set("events", folder.events_path());
    p.set("options", folder.options_path());
    p.set("budget", fmt::format("{}", ctx.budget_seconds));
    p.set("seed", std::to_string(ctx.random_seed));
    p.set("timeout", fmt::format("{}", spec_.definition.timeout_seconds));
    return p;
}

void write_output_log(const std::string& path, const std::string& header, const ProcessResult& result) {
    std::string text = header + result.output;
    if (result.output_dropped) text += "\n[" + std::to_string(result.output_dropped) + " more bytes dropped]\n";
    write_whole_file(path, text);
}

std::unique_ptr<Runner> make_runner(const RunnerSpec& spec) {
    if (spec.definition.mode == "live") return std::make_unique<LiveRunner>(spec);
    if (spec.definition.mode == "replay") return std::make_unique<ReplayRunner>(spec);
    throw UserError(spec.definition.path + ": unknown mode '" + spec.definition.mode + "'");
}

}  // namespace dlcov
