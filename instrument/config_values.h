// Small readers shared by the framework config's loaders (framework_config.cpp,
// source_build_config.cpp).
#pragma once
#include "yaml_config.h"

#include <map>
#include <string>

namespace dlcov {

int node_line(const YAML::Node& node);  // 1-based

// Names become file names in the build tree: one harmless path segment.
bool is_plain_name(const std::string& name);

// A relative path that stays inside the folder it is relative to.
bool stays_inside(const std::string& relative);

// `path` against `dir` unless absolute, lexically normal.
std::string resolve(const std::string& dir, const std::string& path);

bool boolean(const YamlFile& file, const YAML::Node& map, const std::string& key, bool fallback);

// The node under `key`, which must be present and a mapping.
YAML::Node require_map(const YamlFile& file, const YAML::Node& parent, const std::string& key,
                       const std::string& expected);

// A mapping of strings to strings (an environment); missing -> {}.
std::map<std::string, std::string> string_map(const YamlFile& file, const YAML::Node& map, const std::string& key);

}  // namespace dlcov
