// From counts to numbers: which component each file of a layout belongs to, and the counts of a
// layout summed per file, per component and in total.
#pragma once
#include "path_remap.h"
#include "component_map.h"
#include "coverage_model.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dlcov {

struct FileMeasurement {
    std::string path;  // relative to the source root when under it, else as recorded
    std::string component;  // component id; "" when no map was given
    CoverageTally tally;
};

struct Measurement {
    CoverageTally total;
    std::map<Component, CoverageTally> components;  // all five present when a map was given
    std::vector<FileMeasurement> files;             // counted files, in layout order
    std::vector<std::pair<std::string, std::string>> excluded;  // path, why
};

// Where the files of a layout belong. Without a map every file is counted, in no component, and
// the totals equal `llvm-cov report`'s. With a map, files outside `source_root` and files the map
// excludes are left out, and a file the map does not classify is an error naming every such file.
struct FileAssignment {
    std::vector<std::string> relative_paths;  // per layout file
    // Per layout file: its component; nullopt when the file is not counted, or counted without a map.
    std::vector<std::optional<Component>> components;
    std::vector<std::string> exclusion_reasons;  // per layout file; "" when counted
    bool has_map = false;

    bool counted(size_t file) const { return exclusion_reasons[file].empty(); }
};

// `remap` (a source build's path_remap) is applied to each file's path first.
FileAssignment assign_files(const CoverageLayout& layout, const ComponentMap* map,
                            const std::string& source_root, const PathRemap& remap = {});

// The files of `more` (a layout concatenated after `into`'s: layout_concatenation.h) added to `into`.
void append_assignment(FileAssignment& into, const FileAssignment& more);

Measurement summarize(const CoverageLayout& layout, const CoverageCounts& counts,
                      const FileAssignment& assignment);

// The measurement as tallies by component id and "overall" (ComponentTallies).
ComponentTallies tallies_by_component_id(const Measurement& m);

// The JSON shape documented in the README:
// {"total": {"lines": {"covered", "total", "percent"}, "branches": ..., "functions": ...},
//  "components": {"api": {...}, ...}, "files": [{"path", "component", "lines", ...}],
//  "excluded": [{"path", "reason"}]}
nlohmann::json to_json(const Measurement& m);
nlohmann::json to_json(const CoverageTally& t);

}  // namespace dlcov
