// Path remapping (build.json's "path_remap"): a build system that compiles in a folder of its own
// records that folder in the coverage data (Bazel's execroot, /proc/self/cwd, a sandbox), not the
// checkout the component map and the report's source pages know. Each rule replaces a leading
// folder; the first rule that matches wins.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace dlcov {

struct PathRemap {
    std::vector<std::pair<std::string, std::string>> rules;  // from-folder, to-folder

    bool empty() const { return rules.empty(); }
    // `path` with the first matching rule's `from` (whole path segments) replaced by its `to`;
    // unchanged when no rule matches.
    std::string apply(const std::string& path) const;
};

}  // namespace dlcov
