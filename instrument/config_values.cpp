#include "config_values.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

int node_line(const YAML::Node& node) { return node.Mark().line < 0 ? 1 : node.Mark().line + 1; }

bool is_plain_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789._-") == std::string::npos;
}

bool stays_inside(const std::string& relative) {
    fs::path path(relative);
    if (relative.empty() || path.is_absolute()) return false;
    for (const auto& part : path)
        if (part == ".." || part.empty()) return false;
    return true;
}

std::string resolve(const std::string& dir, const std::string& path) {
    fs::path p(path);
    return (p.is_absolute() ? p : fs::path(dir) / p).lexically_normal().string();
}

bool boolean(const YamlFile& file, const YAML::Node& map, const std::string& key, bool fallback) {
    YAML::Node node = map[key];
    if (!node) return fallback;
    if (node.IsScalar()) {
        const std::string& text = node.Scalar();
        if (text == "true") return true;
        if (text == "false") return false;
    }
    file.fail(node, key, "expected true or false");
}

YAML::Node require_map(const YamlFile& file, const YAML::Node& parent, const std::string& key,
                       const std::string& expected) {
    YAML::Node node = parent[key];
    if (!node) file.fail(parent, key, "missing; expected " + expected);
    if (!node.IsMap()) file.fail(node, key, "expected " + expected);
    return node;
}

std::map<std::string, std::string> string_map(const YamlFile& file, const YAML::Node& map, const std::string& key) {
    std::map<std::string, std::string> out;
    YAML::Node node = map[key];
    if (!node || node.IsNull()) return out;
    if (!node.IsMap()) file.fail(node, key, "expected a mapping of NAME: value");
    for (const auto& entry : node) {
        if (!entry.second.IsScalar()) file.fail(entry.second, entry.first.Scalar(), "expected a string value");
        out[entry.first.Scalar()] = entry.second.Scalar();
    }
    return out;
}

}  // namespace dlcov
