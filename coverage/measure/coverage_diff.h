// What one coverage set reaches that another does not (`dlcov diff A B`), per component: the
// set difference of two coverage sets on the same build (rendered by report/diff_render.h).
#pragma once
#include "runner_comparison.h"

#include <string>
#include <vector>

namespace dlcov {

struct FileDifference {
    size_t file_index = 0;
    std::vector<unsigned> a_only_lines;  // distinct source lines A executed and B did not
    std::vector<unsigned> b_only_lines;
};

struct CoverageDiff {
    Comparison comparison;   // runners[0] = A, runners[1] = B
    // What only A (only B) executed, per component and in total: `covered` counts distinct source
    // lines, branch sides and function definitions A executed and B did not, a definition or a
    // side counting as executed when any of its template instantiations executed it; `total` is
    // the number of such items. (Set difference at the source level: B running another
    // instantiation of a template A ran is no difference.) `files` is empty.
    Measurement a_only;
    Measurement b_only;
    std::vector<FileDifference> files;  // counted files where A and B differ, by path
};

// Measures A and B with `pipeline` (so on one layout) and subtracts each from the other.
CoverageDiff diff_coverage(const MeasurementPipeline& pipeline, const RunnerProfiles& a, const RunnerProfiles& b);

}  // namespace dlcov
