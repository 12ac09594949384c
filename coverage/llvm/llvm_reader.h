// Reads clang source-based coverage through LLVM's coverage library: the coverage mapping
// embedded in instrumented objects, joined with the counters of an indexed profile.
#pragma once
#include "coverage_model.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlcov {

struct LlvmCoverage {
    CoverageLayout layout;
    CoverageCounts counts;
    unsigned hash_mismatches = 0;  // functions whose profile does not match the objects
    // Counts coverage mapping derived by subtraction that came out below zero (LLVM 14 hands
    // them over as 2^64 - n: "covered"): counters that lost increments (a program running
    // threads built without -fprofile-update=atomic).
    size_t negative_counts = 0;
};

// A warning for a reading with negative counts, "" for one without.
std::string negative_counts_warning(const LlvmCoverage& reading);

// Loads `objects` (executables or shared libraries, several at once) with `indexed_profile`.
// Throws UserError naming the object or profile that could not be read.
LlvmCoverage read_llvm_coverage(const std::vector<std::string>& objects,
                                const std::string& indexed_profile);

// A function as profiles and coverage mappings name it: the MD5 of its PGO name (what indexed
// profiles key records by) and its structural hash (which changes when its code does).
using FunctionKey = std::pair<uint64_t, uint64_t>;

// Every function the objects' coverage mappings describe, sorted, read without any profile.
std::vector<FunctionKey> object_function_keys(const std::vector<std::string>& objects);

}  // namespace dlcov
