#include "yaml_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dlcov {

YamlFile YamlFile::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UserError(path + ": cannot read file");
    std::stringstream text;
    text << in.rdbuf();
    YamlFile file;
    file.path_ = path;
    try {
        file.root_ = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        throw UserError(path + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
    }
    if (!file.root_.IsMap()) throw UserError(path + ":1: expected a YAML mapping at the top level");
    return file;
}

void YamlFile::fail(const YAML::Node& node, const std::string& key,
                    const std::string& expected) const {
    int line = node.Mark().line;  // -1 for nodes built in memory
    throw UserError(path_ + ":" + std::to_string(line < 0 ? 1 : line + 1) + ": key '" + key +
                    "': " + expected);
}

std::string YamlFile::string(const YAML::Node& map, const std::string& key) const {
    YAML::Node value = map[key];
    if (!value) fail(map, key, "missing; expected a string");
    if (!value.IsScalar()) fail(value, key, "expected a string");
    return value.Scalar();
}

std::string YamlFile::string_or(const YAML::Node& map, const std::string& key,
                                const std::string& fallback) const {
    return map[key] ? string(map, key) : fallback;
}

std::vector<std::string> YamlFile::strings(const YAML::Node& map, const std::string& key) const {
    std::vector<std::string> out;
    YAML::Node value = map[key];
    if (!value || value.IsNull()) return out;
    if (!value.IsSequence()) fail(value, key, "expected a list of strings");
    for (const auto& item : value) {
        if (!item.IsScalar()) fail(item, key, "expected a list of strings");
        out.push_back(item.Scalar());
    }
    return out;
}

long YamlFile::integer_or(const YAML::Node& map, const std::string& key, long fallback) const {
    YAML::Node value = map[key];
    if (!value) return fallback;
    try {
        return value.as<long>();
    } catch (const YAML::Exception&) {
        fail(value, key, "expected an integer");
    }
}

double YamlFile::number_or(const YAML::Node& map, const std::string& key, double fallback) const {
    YAML::Node value = map[key];
    if (!value) return fallback;
    try {
        return value.as<double>();
    } catch (const YAML::Exception&) {
        fail(value, key, "expected a number");
    }
}

void YamlFile::only_keys(const YAML::Node& map, const std::vector<std::string>& allowed) const {
    for (const auto& entry : map) {
        std::string key = entry.first.Scalar();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            fail(entry.first, key, "unknown key; expected one of: " + list);
        }
    }
}

}  // namespace dlcov
