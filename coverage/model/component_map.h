// A component map: which of the five components each source file of a framework belongs to.
//
// YAML shape (paths are relative to the framework's source root, '/'-separated):
//   framework: tinydnn
//   overrides:                 # exact path -> component; checked first
//     tiny_dnn/util/util.h: utility
//   exclude:                   # globs; matching files are not counted at all
//     - "third_party/**"
//   rules:                     # ordered globs; the first match wins
//     - {glob: "tiny_dnn/layers/**", component: api}
// Globs: '*' and '?' stay within one path segment, '**' spans any number of segments.
#pragma once
#include "component.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dlcov {

// Matches a '/'-separated path against a glob with '*', '?' and '**'. '*' and '?' stay
// within a segment; a whole-segment '**' spans zero or more segments ("a/**/b.h" matches
// "a/b.h"), and a trailing "/**" means everything under the folder (at least one segment).
bool glob_match(const std::string& glob, const std::string& path);

struct Classification {
    enum Kind { Mapped, Excluded, Unmapped } kind = Unmapped;
    Component component = Component::Api;  // meaningful when kind == Mapped
    std::string reason;                    // the override, exclude glob or rule glob that decided
};

class ComponentMap {
public:
    // Throws UserError naming file, line and key on a malformed map or an unknown component.
    static ComponentMap load(const std::string& yaml_path);

    Classification classify(const std::string& relative_path) const;

    const std::string& path() const { return path_; }
    const std::string& framework() const { return framework_; }
    // Exact-path overrides in file order (lets callers flag overrides naming no real file).
    const std::vector<std::pair<std::string, Component>>& overrides() const { return overrides_; }

private:
    struct Rule {
        std::string glob;
        Component component;
    };
    std::string path_;
    std::string framework_;
    std::vector<std::pair<std::string, Component>> overrides_;
    std::vector<std::string> excludes_;
    std::vector<Rule> rules_;
};

}  // namespace dlcov
