#include "runner_definition.h"

#include "error.h"
#include "yaml_config.h"

#include <filesystem>
#include <regex>

namespace fs = std::filesystem;

namespace dlcov {

nlohmann::json yaml_to_json(const YAML::Node& node) {
    if (node.IsMap()) {
        nlohmann::json j = nlohmann::json::object();
        for (const auto& kv : node) j[kv.first.Scalar()] = yaml_to_json(kv.second);
        return j;
    }
    if (node.IsSequence()) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& item : node) j.push_back(yaml_to_json(item));
        return j;
    }
    if (!node.IsDefined() || node.IsNull()) return nullptr;
    const std::string& s = node.Scalar();
    if (node.Tag() != "!") {  // a plain (unquoted) scalar may be a number or a boolean
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

namespace {

// A chain of extends longer than this is a loop.
constexpr int kMaxExtendsDepth = 8;

RunnerDefinition load_definition(const std::string& path, int depth) {
    YamlFile file = YamlFile::load(path);
    const YAML::Node& root = file.root();
    file.only_keys(root, {"name", "style", "mode", "description", "extends", "setup", "command", "artifacts", "timeout",
                          "env", "options"});
    RunnerDefinition d;
    const fs::path dir = fs::absolute(path).lexically_normal().parent_path();
    bool extended = false;
    if (root["extends"]) {
        if (depth >= kMaxExtendsDepth)
            file.fail(root["extends"], "extends", "a chain of more than 8 runner files (does it extend itself?)");
        fs::path base = (dir / file.string(root, "extends")).lexically_normal();
        // {config_dir} in the base's commands must mean the same folder in this file.
        if (base.parent_path() != dir)
            file.fail(root["extends"], "extends", "expected a runner file in this file's folder");
        if (!fs::is_regular_file(base)) file.fail(root["extends"], "extends", "file " + base.string() + " does not exist");
        d = load_definition(base.string(), depth + 1);
        extended = true;
    }
    d.path = fs::absolute(path).lexically_normal().string();
    d.name = file.string(root, "name");
    if (!std::regex_match(d.name, std::regex("[A-Za-z0-9][A-Za-z0-9_-]*")))
        file.fail(root["name"], "name", "expected letters, digits, '_' or '-' (it names a folder and a report row)");
    d.style = file.string_or(root, "style", extended ? d.style : d.name);
    d.mode = file.string_or(root, "mode", extended ? d.mode : "live");
    if (d.mode != "live" && d.mode != "replay") file.fail(root["mode"], "mode", "expected live or replay");
    d.description = file.string_or(root, "description", d.description);
    if (root["command"] || !extended) {
        d.command = file.strings(root, "command");
        if (d.command.empty())
            file.fail(root["command"] ? root["command"] : root, "command", "expected a non-empty list: the program and its arguments");
    }
    if (YAML::Node setup = root["setup"]) {
        if (!setup.IsMap()) file.fail(setup, "setup", "expected a mapping with command and creates");
        file.only_keys(setup, {"command", "creates"});
        d.setup_command = file.strings(setup, "command");
        if (d.setup_command.empty()) file.fail(setup, "command", "expected a non-empty list");
        d.setup_creates = file.string(setup, "creates");
    }
    if (YAML::Node artifacts = root["artifacts"]) {
        if (!artifacts.IsMap()) file.fail(artifacts, "artifacts", "expected a mapping with root and glob");
        file.only_keys(artifacts, {"root", "glob"});
        d.artifacts_root = file.string(artifacts, "root");
        d.artifacts_glob = file.string(artifacts, "glob");
    }
    if (d.mode == "replay" && d.artifacts_glob.empty())
        file.fail(root, "artifacts", "a replay runner needs artifacts: {root, glob}");
    d.timeout_seconds = file.number_in(root, "timeout", d.timeout_seconds, 0.1, 604800,
                                       "expected seconds per execution from 0.1 to 604800 (a week)");
    if (YAML::Node env = root["env"]) {
        if (!env.IsMap()) file.fail(env, "env", "expected a mapping of variable names to values");
        for (const auto& kv : env) d.env[kv.first.Scalar()] = file.string(env, kv.first.Scalar());
    }
    if (YAML::Node options = root["options"]) {
        if (!options.IsMap()) file.fail(options, "options", "expected a mapping");
        d.options.update(yaml_to_json(options));
    }
    return d;
}

}  // namespace

RunnerDefinition load_runner_definition(const std::string& path) { return load_definition(path, 0); }

std::string Placeholders::expand(const std::string& text, const std::string& where) const {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        size_t open = text.find('{', i);
        if (open == std::string::npos) {
            out += text.substr(i);
            break;
        }
        size_t close = text.find('}', open);
        if (close == std::string::npos) throw UserError(where + ": unclosed '{' in \"" + text + "\"");
        out += text.substr(i, open - i);
        std::string name = text.substr(open + 1, close - open - 1);
        auto it = values_.find(name);
        if (it == values_.end()) throw UserError(where + ": unknown placeholder {" + name + "} in \"" + text + "\"");
        out += it->second;
        i = close + 1;
    }
    return out;
}

std::string Placeholders::expand_known(const std::string& text) const {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        size_t open = text.find('{', i);
        size_t close = open == std::string::npos ? open : text.find('}', open);
        if (close == std::string::npos) return out + text.substr(i);
        auto it = values_.find(text.substr(open + 1, close - open - 1));
        out += text.substr(i, open - i);
        out += it == values_.end() ? text.substr(open, close - open + 1) : it->second;
        i = close + 1;
    }
    return out;
}

std::vector<std::string> Placeholders::expand(const std::vector<std::string>& args, const std::string& where) const {
    std::vector<std::string> out;
    for (const auto& a : args) out.push_back(expand(a, where));
    return out;
}

}  // namespace dlcov
