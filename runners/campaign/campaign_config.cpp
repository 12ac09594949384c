#include "campaign_config.h"

#include "yaml_config.h"

#include <filesystem>
#include <regex>
#include <set>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// YAML -> JSON for style-specific options, which each runner reads itself.
nlohmann::json to_json(const YAML::Node& node) {
    if (node.IsMap()) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& kv : node) j[kv.first.Scalar()] = to_json(kv.second);
        return j;
    }
    if (node.IsSequence()) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& item : node) j.push_back(to_json(item));
        return j;
    }
    if (node.IsNull()) return nullptr;
    const std::string& s = node.Scalar();
    if (node.Tag() != "!") {  // unquoted: try numbers and booleans
        try {
            size_t used = 0;
            long long i = std::stoll(s, &used);
            if (used == s.size()) return i;
            double d = std::stod(s, &used);
            if (used == s.size()) return d;
        } catch (const std::exception&) {
        }
        if (s == "true") return true;
        if (s == "false") return false;
    }
    return s;
}

}  // namespace

CampaignConfig load_campaign(const std::string& path) {
    YamlFile file = YamlFile::load(path);
    const YAML::Node& root = file.root();
    file.only_keys(root, {"name", "framework", "runners", "random_seed"});
    CampaignConfig c;
    c.path = fs::absolute(path).lexically_normal().string();
    c.name = file.string(root, "name");
    if (!std::regex_match(c.name, std::regex("[A-Za-z0-9][A-Za-z0-9_.-]*")))
        file.fail(root["name"], "name", "expected letters, digits, '_', '.' or '-' (it names the results folder)");
    c.framework_config = (fs::path(c.path).parent_path() / file.string(root, "framework")).lexically_normal().string();
    c.random_seed = unsigned(file.integer_or(root, "random_seed", 1));

    YAML::Node runners = root["runners"];
    if (!runners || !runners.IsSequence() || runners.size() == 0)
        file.fail(runners ? runners : root, "runners", "expected a non-empty list of runners");
    std::set<std::string> names;
    for (const auto& r : runners) {
        if (!r.IsMap()) file.fail(r, "runners", "expected each runner to be a mapping with name and style");
        file.only_keys(r, {"name", "style", "trials", "timeout", "options"});
        RunnerSpec spec;
        spec.name = file.string(r, "name");
        spec.style = file.string_or(r, "style", spec.name);
        spec.trials = int(file.integer_or(r, "trials", 1));
        if (spec.trials < 1) file.fail(r["trials"], "trials", "expected a positive integer");
        double timeout = file.number_or(r, "timeout", 60);
        if (timeout <= 0) file.fail(r["timeout"], "timeout", "expected a positive number of seconds");
        spec.execution_timeout = std::chrono::milliseconds(long(timeout * 1000));
        if (r["options"]) {
            if (!r["options"].IsMap()) file.fail(r["options"], "options", "expected a mapping");
            spec.options = to_json(r["options"]);
        }
        if (!names.insert(spec.name).second) file.fail(r["name"], "name", "runner '" + spec.name + "' appears twice");
        if (!std::regex_match(spec.name, std::regex("[A-Za-z0-9][A-Za-z0-9_-]*")))
            file.fail(r["name"], "name", "expected letters, digits, '_' or '-' (it names a folder and a report row)");
        c.runners.push_back(std::move(spec));
    }
    return c;
}

}  // namespace dlcov
