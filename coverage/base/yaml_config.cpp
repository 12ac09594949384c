#include "yaml_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace dlcov {

namespace {

int line_of(const YAML::Node& node) {
    int line = node.Mark().line;  // -1 for nodes built in memory
    return line < 0 ? 1 : line + 1;
}

// yaml-cpp keeps every entry of a mapping and looks keys up by the first, so a repeated key would
// be ignored without a word: refused here, in every mapping of the document.
void check_unique_keys(const std::string& path, const YAML::Node& node, int depth) {
    if (depth > 64) return;  // aliases can nest deeply; what matters is what people write
    if (node.IsSequence()) {
        for (const auto& item : node) check_unique_keys(path, item, depth + 1);
        return;
    }
    if (!node.IsMap()) return;
    std::map<std::string, int> first_line;
    for (const auto& entry : node) {
        if (entry.first.IsScalar()) {
            auto [it, fresh] = first_line.emplace(entry.first.Scalar(), line_of(entry.first));
            if (!fresh)
                throw UserError(path + ":" + std::to_string(line_of(entry.first)) + ": key '" + entry.first.Scalar() +
                                "': duplicate key, given twice in one mapping (first on line " + std::to_string(it->second) +
                                "); give it once");
        }
        check_unique_keys(path, entry.second, depth + 1);
    }
}

}  // namespace

YamlFile YamlFile::load(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw UserError(path + ": is a folder; expected a YAML file");
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
    check_unique_keys(path, file.root_, 0);
    return file;
}

void YamlFile::fail(const YAML::Node& node, const std::string& key,
                    const std::string& expected) const {
    throw UserError(path_ + ":" + std::to_string(line_of(node)) + ": key '" + key + "': " + expected);
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

long long YamlFile::integer_in(const YAML::Node& map, const std::string& key, long long fallback, long long min,
                               long long max, const std::string& expected) const {
    YAML::Node value = map[key];
    if (!value) return fallback;
    long long number = 0;
    try {
        number = value.as<long long>();  // fails on fractions and on what does not fit in 64 bits
    } catch (const YAML::Exception&) {
        fail(value, key, expected + ", got " + (value.IsScalar() ? value.Scalar() : std::string("a collection")));
    }
    if (number < min || number > max) fail(value, key, expected + ", got " + value.Scalar());
    return number;
}

double YamlFile::number_in(const YAML::Node& map, const std::string& key, double fallback, double min, double max,
                           const std::string& expected) const {
    YAML::Node value = map[key];
    if (!value) return fallback;
    double number = 0;
    try {
        number = value.as<double>();
    } catch (const YAML::Exception&) {
        fail(value, key, expected + ", got " + (value.IsScalar() ? value.Scalar() : std::string("a collection")));
    }
    // NaN fails both comparisons' negations: !(nan >= min) holds.
    if (!std::isfinite(number) || !(number >= min) || !(number <= max)) fail(value, key, expected + ", got " + value.Scalar());
    return number;
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
