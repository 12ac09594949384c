#include "campaign_config.h"

#include "framework_config.h"
#include "input_hash.h"
#include "outside_text.h"
#include "yaml_config.h"

#include <filesystem>
#include <fmt/format.h>
#include <regex>
#include <set>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

constexpr long long kMaxSeed = 4294967295;  // seeds are 32-bit unsigned
constexpr long long kMaxTrials = 10000;
constexpr long long kMaxJobs = 1024;
constexpr double kMaxInterval = 86400;
constexpr double kMaxBudget = 31536000;

// What a YAML file says, not how: its parsed content as canonical JSON (keys sorted, numbers and
// booleans typed), hashed. Comments, blank lines, quoting style and key order do not count.
std::string parsed_hash(const std::string& path) {
    nlohmann::json content = yaml_to_json(YamlFile::load(path).root());
    escape_json_text(content);  // a YAML file's strings need not be UTF-8
    Fnv1a64 hash;
    hash.add(content.dump());
    return "fnv1a64:" + hash.hex();
}

// The campaign's meaning: its file, every runner file, the framework config and its component
// map, each by its parsed content. Stored as JSON so a refused resume can name what changed:
//   {"scheme": "parsed-yaml", "files": {"/abs/demo.yaml": "fnv1a64:...", ...}}
std::string meaning_hash(const CampaignConfig& c) {
    nlohmann::json files = nlohmann::json::object();
    files[c.path] = parsed_hash(c.path);
    for (const auto& spec : c.runners) files[spec.definition.path] = parsed_hash(spec.definition.path);
    if (fs::is_regular_file(c.framework_config)) {
        files[c.framework_config] = parsed_hash(c.framework_config);
        FrameworkConfig framework = load_framework_config(c.framework_config);
        if (!framework.component_map.empty() && fs::is_regular_file(framework.component_map))
            files[framework.component_map] = parsed_hash(framework.component_map);
    }
    nlohmann::json hash = {{"scheme", "parsed-yaml"}, {"files", files}};
    escape_json_text(hash);  // nor its paths
    return hash.dump();
}

}  // namespace

CampaignConfig load_campaign(const std::string& path) {
    YamlFile file = YamlFile::load(path);
    const YAML::Node& root = file.root();
    file.only_keys(root, {"name", "framework", "runners", "random_seed", "snapshot_interval", "jobs", "results_dir",
                          "framework_mode", "executor", "slurm"});
    CampaignConfig c;
    c.path = fs::absolute(path).lexically_normal().string();
    fs::path dir = fs::path(c.path).parent_path();
    c.name = file.string(root, "name");
    if (!std::regex_match(c.name, std::regex("[A-Za-z0-9][A-Za-z0-9_.-]*")))
        file.fail(root["name"], "name", "expected letters, digits, '_', '.' or '-' (it names the results folder)");
    c.framework_config = (dir / file.string(root, "framework")).lexically_normal().string();
    c.framework_mode = file.string_or(root, "framework_mode", "");
    if (!c.framework_mode.empty() && c.framework_mode != "llvm" && c.framework_mode != "gcov")
        file.fail(root["framework_mode"], "framework_mode",
                  "expected llvm or gcov (the coverage mode a source-build recipe was built in), not '" + c.framework_mode + "'");
    if (root["results_dir"]) c.results_dir = (dir / file.string(root, "results_dir")).lexically_normal().string();
    c.random_seed = unsigned(file.integer_in(root, "random_seed", 1, 0, kMaxSeed,
                                             fmt::format("expected an integer seed from 0 to {}", kMaxSeed)));
    c.snapshot_interval = file.number_in(root, "snapshot_interval", 10, 0.1, kMaxInterval,
                                         fmt::format("expected seconds from 0.1 to {} (a day)", kMaxInterval));
    c.jobs = int(file.integer_in(root, "jobs", 0, 0, kMaxJobs,
                                 fmt::format("expected a number of parallel trials from 1 to {} (0: one per core)", kMaxJobs)));
    c.executor = file.string_or(root, "executor", "local");
    if (c.executor != "local" && c.executor != "slurm")
        file.fail(root["executor"], "executor", "expected local or slurm");
    if (YAML::Node slurm = root["slurm"]) {
        if (!slurm.IsMap()) file.fail(slurm, "slurm", "expected a mapping (partition, account, cpus_per_trial, scratch, sbatch_args)");
        if (c.executor != "slurm") file.fail(slurm, "slurm", "slurm settings need `executor: slurm`");
        file.only_keys(slurm, {"partition", "account", "cpus_per_trial", "scratch", "sbatch_args"});
        c.slurm.partition = file.string_or(slurm, "partition", "");
        c.slurm.account = file.string_or(slurm, "account", "");
        c.slurm.cpus_per_trial = int(file.integer_in(slurm, "cpus_per_trial", 1, 1, 1024, "expected CPUs per trial from 1 to 1024"));
        c.slurm.scratch = file.string_or(slurm, "scratch", "");
        c.slurm.sbatch_args = file.strings(slurm, "sbatch_args");
    }

    YAML::Node runners = root["runners"];
    if (!runners || !runners.IsSequence() || runners.size() == 0)
        file.fail(runners ? runners : root, "runners", "expected a non-empty list of runners");
    std::set<std::string> names;
    for (const auto& r : runners) {
        if (!r.IsMap()) file.fail(r, "runners", "expected each runner to be a mapping with a runner file");
        file.only_keys(r, {"runner", "name", "trials", "budget", "options"});
        fs::path runner_file = dir / file.string(r, "runner");
        if (fs::is_directory(runner_file))
            file.fail(r["runner"], "runner", runner_file.string() + " is a folder; expected a runner file in it");
        if (!fs::is_regular_file(runner_file)) file.fail(r["runner"], "runner", "no such runner file: " + runner_file.string());
        RunnerSpec spec;
        spec.definition = load_runner_definition(runner_file.string());
        spec.name = file.string_or(r, "name", spec.definition.name);
        if (!std::regex_match(spec.name, std::regex("[A-Za-z0-9][A-Za-z0-9_-]*")))
            file.fail(r["name"], "name", "expected letters, digits, '_' or '-' (it names a folder and a report row)");
        spec.trials = int(file.integer_in(r, "trials", 1, 1, kMaxTrials,
                                          fmt::format("expected a number of trials from 1 to {}", kMaxTrials)));
        // Trial n's seed is random_seed + n - 1: every trial's must fit too.
        if (c.random_seed + uint64_t(spec.trials) - 1 > uint64_t(kMaxSeed))
            file.fail(r["trials"] ? r["trials"] : r, "trials",
                      fmt::format("trial {}'s seed would be random_seed + {} = {}, past the largest seed {}", spec.trials,
                                  spec.trials - 1, c.random_seed + uint64_t(spec.trials) - 1, kMaxSeed));
        spec.budget_seconds = file.number_in(r, "budget", 60, 1, kMaxBudget,
                                             fmt::format("expected seconds per trial from 1 to {} (a year)", kMaxBudget));
        spec.options = spec.definition.options;
        if (YAML::Node options = r["options"]) {
            if (!options.IsMap()) file.fail(options, "options", "expected a mapping");
            nlohmann::json overrides = yaml_to_json(options);
            spec.options.update(overrides);
        }
        if (!names.insert(spec.name).second)
            file.fail(r, "name", "runner '" + spec.name + "' appears twice; give one a different name");
        c.runners.push_back(std::move(spec));
    }
    c.content_hash = meaning_hash(c);
    return c;
}

std::vector<std::string> changed_files(const CampaignConfig& config, const std::string& recorded) {
    // Before campaigns hashed what their files mean, the hash was of the campaign file's bytes.
    if (recorded.rfind("fnv1a64:", 0) == 0) {
        Fnv1a64 bytes;
        bytes.add(file_bytes(config.path));
        return "fnv1a64:" + bytes.hex() == recorded ? std::vector<std::string>{} : std::vector<std::string>{config.path};
    }
    nlohmann::json before = nlohmann::json::parse(recorded, nullptr, false);
    nlohmann::json now = nlohmann::json::parse(config.content_hash);
    if (!before.is_object() || before.value("scheme", "") != now["scheme"]) return {config.path};
    std::set<std::string> changed;
    const nlohmann::json& was = before["files"];
    const nlohmann::json& is = now["files"];
    if (!was.is_object()) return {config.path};
    for (const auto& [path, hash] : is.items())
        if (!was.contains(path) || was[path] != hash) changed.insert(path);
    for (const auto& [path, hash] : was.items())
        if (!is.contains(path)) changed.insert(path);
    return {changed.begin(), changed.end()};
}

}  // namespace dlcov
