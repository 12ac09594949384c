// Coverage of several testers on one build: each tester's, and their union — the rows of the
// study's Table 6.
#pragma once
#include "measurement_pipeline.h"

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

// Measures every tester with `pipeline` (so all on its one layout) and unites them.
Comparison compare_testers(const MeasurementPipeline& pipeline, const std::vector<TesterProfiles>& testers);

}  // namespace dlcov
