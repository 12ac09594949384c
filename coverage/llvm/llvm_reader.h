// Reads clang source-based coverage through LLVM's coverage library: the coverage mapping
// embedded in instrumented objects, joined with the counters of an indexed profile.
#pragma once
#include "coverage_model.h"

#include <string>
#include <vector>

namespace dlcov {

struct LlvmCoverage {
    CoverageLayout layout;
    CoverageCounts counts;
    unsigned hash_mismatches = 0;  // functions whose profile does not match the objects
};

// Loads `objects` (executables or shared libraries, several at once) with `indexed_profile`.
// Throws UserError naming the object or profile that could not be read.
LlvmCoverage read_llvm_coverage(const std::vector<std::string>& objects,
                                const std::string& indexed_profile);

}  // namespace dlcov
