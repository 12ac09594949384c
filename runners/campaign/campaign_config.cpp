#include "campaign_config.h"

#include "input_hash.h"
#include "yaml_config.h"

#include <filesystem>
#include <regex>
#include <set>

namespace fs = std::filesystem;

namespace dlcov {

CampaignConfig load_campaign(const std::string& path) {
    YamlFile file = YamlFile::load(path);
    const YAML::Node& root = file.root();
    file.only_keys(root, {"name", "framework", "runners", "random_seed", "snapshot_interval", "jobs", "results_dir"});
    CampaignConfig c;
    c.path = fs::absolute(path).lexically_normal().string();
    fs::path dir = fs::path(c.path).parent_path();
    c.name = file.string(root, "name");
    if (!std::regex_match(c.name, std::regex("[A-Za-z0-9][A-Za-z0-9_.-]*")))
        file.fail(root["name"], "name", "expected letters, digits, '_', '.' or '-' (it names the results folder)");
    c.framework_config = (dir / file.string(root, "framework")).lexically_normal().string();
    if (root["results_dir"]) c.results_dir = (dir / file.string(root, "results_dir")).lexically_normal().string();
    c.random_seed = unsigned(file.integer_or(root, "random_seed", 1));
    c.snapshot_interval = file.number_or(root, "snapshot_interval", 10);
    if (c.snapshot_interval < 0.1) file.fail(root["snapshot_interval"], "snapshot_interval", "expected at least 0.1 seconds");
    c.jobs = int(file.integer_or(root, "jobs", 0));
    if (c.jobs < 0) file.fail(root["jobs"], "jobs", "expected a positive number of parallel trials");
    Fnv1a64 hash;
    hash.add(file_bytes(c.path));
    c.content_hash = "fnv1a64:" + hash.hex();

    YAML::Node runners = root["runners"];
    if (!runners || !runners.IsSequence() || runners.size() == 0)
        file.fail(runners ? runners : root, "runners", "expected a non-empty list of runners");
    std::set<std::string> names;
    for (const auto& r : runners) {
        if (!r.IsMap()) file.fail(r, "runners", "expected each runner to be a mapping with a runner file");
        file.only_keys(r, {"runner", "name", "trials", "budget", "options"});
        fs::path runner_file = dir / file.string(r, "runner");
        if (!fs::is_regular_file(runner_file)) file.fail(r["runner"], "runner", "no such runner file: " + runner_file.string());
        RunnerSpec spec;
        spec.definition = load_runner_definition(runner_file.string());
        spec.name = file.string_or(r, "name", spec.definition.name);
        if (!std::regex_match(spec.name, std::regex("[A-Za-z0-9][A-Za-z0-9_-]*")))
            file.fail(r["name"], "name", "expected letters, digits, '_' or '-' (it names a folder and a report row)");
        spec.trials = int(file.integer_or(r, "trials", 1));
        if (spec.trials < 1) file.fail(r["trials"], "trials", "expected a positive integer");
        spec.budget_seconds = file.number_or(r, "budget", 60);
        if (spec.budget_seconds <= 0) file.fail(r["budget"], "budget", "expected a positive number of seconds");
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
    return c;
}

}  // namespace dlcov
