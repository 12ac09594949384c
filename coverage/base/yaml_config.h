// Reading YAML configuration files with errors that name file, line and key.
#pragma once
#include "error.h"

#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace dlcov {

// A loaded YAML document that remembers its file name for error messages.
class YamlFile {
public:
    // Throws UserError "FILE: cannot read", "FILE: is a folder", "FILE:LINE: invalid YAML: ..." or
    // "FILE:LINE: key 'KEY': given twice in one mapping" (yaml-cpp itself takes the first silently).
    static YamlFile load(const std::string& path);

    const std::string& path() const { return path_; }
    const YAML::Node& root() const { return root_; }

    // "FILE:LINE: key 'KEY': EXPECTED" for the node (line is 1-based).
    [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                           const std::string& expected) const;

    // Typed accessors: `map` must be a map; a missing required key or a value of the
    // wrong shape fails with the key's name and what was expected.
    std::string string(const YAML::Node& map, const std::string& key) const;
    std::string string_or(const YAML::Node& map, const std::string& key,
                          const std::string& fallback) const;
    std::vector<std::string> strings(const YAML::Node& map, const std::string& key) const;  // missing -> {}
    // An integer from `min` to `max` (no truncation or wrap-around) or a finite number in
    // [min, max]; anything else fails with "EXPECTED, got VALUE".
    long long integer_in(const YAML::Node& map, const std::string& key, long long fallback, long long min,
                         long long max, const std::string& expected) const;
    double number_in(const YAML::Node& map, const std::string& key, double fallback, double min, double max,
                     const std::string& expected) const;
    // Fails on any key of `map` not in `allowed` (typos should not pass silently).
    void only_keys(const YAML::Node& map, const std::vector<std::string>& allowed) const;

private:
    std::string path_;
    YAML::Node root_;
};

}  // namespace dlcov
