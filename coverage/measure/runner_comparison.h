// Coverage of several testers on one build: each tester's, and their union — the rows of the
// study's Table 6.
#pragma once
#include "measurement.h"

#include <string>
#include <vector>

namespace dlcov {

struct TesterProfiles {
    std::string name;
    std::vector<std::string> profile_paths;  // files or directories
};

struct TesterCoverage {
    std::string name;
    CoverageCounts counts;
    Measurement measurement;
    size_t profiles = 0;
    std::vector<SkippedProfile> skipped;
};

struct Comparison {
    CoverageLayout layout;
    FileAssignment assignment;
    std::vector<TesterCoverage> testers;
    TesterCoverage all;  // the union, named "union"
};

// Measures every tester on `objects` and unites them. `map_path` may be "" (no components).
// `layout_profile` is the build's (see measure_profiles): every tester is then counted on the
// build's layout (layout_alignment.h). Without one, the first tester's reading is the layout and
// a tester read into another layout is an error.
Comparison compare_testers(const std::vector<std::string>& objects, const std::string& source_root,
                           const std::string& map_path, const std::vector<TesterProfiles>& testers,
                           const std::string& layout_profile = "");

}  // namespace dlcov
