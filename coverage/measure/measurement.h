// From profiles to numbers: merge the profiles, read coverage from the objects, and sum it up per
// file, per component and in total.
#pragma once
#include "component_map.h"
#include "coverage_model.h"
#include "llvm_reader.h"
#include "profile_merge.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dlcov {

// Coverage of a set of objects under the merge of a set of profiles.
struct ProfileCoverage {
    LlvmCoverage coverage;
    MergeResult merge;
};

// Merges `profiles` (files, or directories searched for *.profraw/*.profdata) through a temporary
// indexed profile and reads the objects with it. No profiles at all gives zero counts.
// `layout_profile` (a build's, see instrument/layout_profile.h; "" for none) is merged in too, so
// that any profiles of the build are read into the build's one layout; it is not listed in `merge`.
ProfileCoverage measure_profiles(const std::vector<std::string>& objects,
                                 const std::vector<std::string>& profiles,
                                 const std::string& layout_profile = "");

struct FileMeasurement {
    std::string path;  // relative to the source root when under it, else as recorded
    std::string component;  // component id; "" when no map was given
    CoverageTally tally;
};

struct Measurement {
    CoverageTally total;
    std::map<Component, CoverageTally> components;  // all five present when a map was given
    std::vector<FileMeasurement> files;             // counted files, sorted by path
    std::vector<std::pair<std::string, std::string>> excluded;  // path, why
};

// Where the files of a layout belong. Without a map every file is counted and the totals equal
// `llvm-cov report`'s. With a map, files outside `source_root` and files the map excludes are
// left out, and a file the map does not classify is an error naming every such file.
struct FileAssignment {
    std::vector<std::string> relative_paths;        // per layout file
    std::vector<std::optional<Component>> components;  // per layout file; nullopt = not counted
    std::vector<std::string> exclusion_reasons;     // per layout file; "" when counted
    bool has_map = false;

    bool counted(size_t file) const { return exclusion_reasons[file].empty(); }
};

FileAssignment assign_files(const CoverageLayout& layout, const ComponentMap* map,
                            const std::string& source_root);

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
