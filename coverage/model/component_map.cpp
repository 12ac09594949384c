#include "component_map.h"

#include "yaml_config.h"

#include <algorithm>

namespace dlcov {

namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> segments;
    size_t start = 0;
    for (;;) {
        size_t slash = path.find('/', start);
        segments.push_back(path.substr(start, slash - start));
        if (slash == std::string::npos) return segments;
        start = slash + 1;
    }
}

// '*' and '?' inside one segment. Greedy with a single backtrack point: on a mismatch the
// last '*' absorbs one more character, which is enough for a pattern without '/'.
bool match_segment(const std::string& glob, const std::string& name) {
    size_t g = 0, n = 0;
    size_t star = std::string::npos, star_n = 0;
    while (n < name.size()) {
        if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
            ++g;
            ++n;
        } else if (g < glob.size() && glob[g] == '*') {
            star = g++;
            star_n = n;
        } else if (star != std::string::npos) {
            g = star + 1;
            n = ++star_n;
        } else {
            return false;
        }
    }
    while (g < glob.size() && glob[g] == '*') ++g;
    return g == glob.size();
}

bool match_segments(const std::vector<std::string>& glob, size_t g,
                    const std::vector<std::string>& path, size_t p) {
    if (g == glob.size()) return p == path.size();
    if (glob[g] == "**") {
        // A trailing "**" means "everything under": at least one segment, so "a/**"
        // does not match a file that is itself named "a".
        if (g + 1 == glob.size()) return p < path.size();
        for (size_t skip = p; skip <= path.size(); ++skip)
            if (match_segments(glob, g + 1, path, skip)) return true;
        return false;
    }
    return p < path.size() && match_segment(glob[g], path[p]) &&
           match_segments(glob, g + 1, path, p + 1);
}

// An override names one file exactly, relative to the framework root.
std::string relative_path_problem(const std::string& path) {
    if (path.empty()) return "empty path";
    if (path.front() == '/') return "absolute path; expected a path relative to the framework root";
    if (path.find('\\') != std::string::npos) return "expected '/' as the path separator";
    if (path.find_first_of("*?") != std::string::npos)
        return "overrides take exact paths, not globs; use a rule for a glob";
    for (const std::string& segment : split_path(path)) {
        if (segment.empty()) return "empty path segment (\"//\" or a trailing '/')";
        if (segment == "." || segment == "..")
            return "'" + segment + "' segment; expected a normalized relative path";
    }
    return "";
}

std::string glob_problem(const std::string& glob) {
    if (glob.empty()) return "empty glob";
    if (glob.front() == '/') return "absolute glob; paths are relative to the framework root";
    return "";
}

std::string component_list() {
    std::string list;
    for (Component c : kComponents) list += (list.empty() ? "" : ", ") + component_id(c);
    return list;
}

Component component_value(const YamlFile& yaml, const YAML::Node& value, const std::string& key) {
    if (!value.IsScalar()) yaml.fail(value, key, "expected a component id (" + component_list() + ")");
    std::optional<Component> c = parse_component(value.Scalar());
    if (!c)
        yaml.fail(value, key,
                  "unknown component '" + value.Scalar() + "'; expected one of: " + component_list());
    return *c;
}

}  // namespace

bool glob_match(const std::string& glob, const std::string& path) {
    return match_segments(split_path(glob), 0, split_path(path), 0);
}

ComponentMap ComponentMap::load(const std::string& yaml_path) {
    YamlFile yaml = YamlFile::load(yaml_path);
    const YAML::Node& root = yaml.root();
    yaml.only_keys(root, {"framework", "overrides", "exclude", "rules"});

    ComponentMap map;
    map.path_ = yaml_path;
    map.framework_ = yaml.string(root, "framework");

    YAML::Node overrides = root["overrides"];
    if (overrides && !overrides.IsNull()) {
        if (!overrides.IsMap()) yaml.fail(overrides, "overrides", "expected a mapping of path: component");
        for (const auto& entry : overrides) {
            if (!entry.first.IsScalar()) yaml.fail(entry.first, "overrides", "expected a path as key");
            std::string path = entry.first.Scalar();
            std::string problem = relative_path_problem(path);
            if (!problem.empty()) yaml.fail(entry.first, path, problem);
            bool duplicate = std::any_of(map.overrides_.begin(), map.overrides_.end(),
                                         [&](const auto& o) { return o.first == path; });
            if (duplicate) yaml.fail(entry.first, path, "duplicate override");
            map.overrides_.emplace_back(path, component_value(yaml, entry.second, path));
        }
    }

    map.excludes_ = yaml.strings(root, "exclude");
    for (size_t i = 0; i < map.excludes_.size(); ++i) {
        std::string problem = glob_problem(map.excludes_[i]);
        if (!problem.empty()) yaml.fail(root["exclude"][i], "exclude", problem);
    }

    YAML::Node rules = root["rules"];
    if (rules && !rules.IsNull()) {
        if (!rules.IsSequence()) yaml.fail(rules, "rules", "expected a list of {glob, component}");
        for (const auto& item : rules) {
            if (!item.IsMap()) yaml.fail(item, "rules", "expected {glob: ..., component: ...}");
            yaml.only_keys(item, {"glob", "component"});
            std::string glob = yaml.string(item, "glob");
            std::string problem = glob_problem(glob);
            if (!problem.empty()) yaml.fail(item["glob"], "glob", problem);
            if (!item["component"]) yaml.fail(item, "component", "missing; expected " + component_list());
            map.rules_.push_back({glob, component_value(yaml, item["component"], "component")});
        }
    }
    return map;
}

Classification ComponentMap::classify(const std::string& relative_path) const {
    Classification result;
    for (const auto& [path, component] : overrides_) {
        if (path == relative_path) {
            result.kind = Classification::Mapped;
            result.component = component;
            result.reason = "override";
            return result;
        }
    }
    for (const std::string& glob : excludes_) {
        if (glob_match(glob, relative_path)) {
            result.kind = Classification::Excluded;
            result.reason = "exclude: " + glob;
            return result;
        }
    }
    for (const Rule& rule : rules_) {
        if (glob_match(rule.glob, relative_path)) {
            result.kind = Classification::Mapped;
            result.component = rule.component;
            result.reason = "rule: " + rule.glob;
            return result;
        }
    }
    return result;
}

}  // namespace dlcov
