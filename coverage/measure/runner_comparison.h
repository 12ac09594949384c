// Coverage of several runners on one build: each runner's, and their union — the rows of the
// study's Table 6.
#pragma once
#include "measurement_pipeline.h"

#include <string>
#include <vector>

namespace dlcov {

struct RunnerProfiles {
    std::string name;
    std::vector<std::string> profile_paths;  // files or directories
};

struct RunnerCoverage {
    std::string name;
    CoverageCounts counts;
    Measurement measurement;
    size_t profiles = 0;
    std::vector<SkippedProfile> skipped;
};

struct Comparison {
    CoverageLayout layout;
    FileAssignment assignment;
    std::vector<RunnerCoverage> runners;
    RunnerCoverage all;  // the union, named "union"
};

// Measures every runner with `pipeline` (so all on its one layout) and unites them.
Comparison compare_runners(const MeasurementPipeline& pipeline, const std::vector<RunnerProfiles>& runners);

}  // namespace dlcov
