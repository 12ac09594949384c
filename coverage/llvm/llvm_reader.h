// Reads clang source-based coverage: the coverage mapping embedded in instrumented objects
// (decoded by LLVM's library, decoded_mapping.h), joined with the counters of an indexed profile
// by dlcov's evaluation of LLVM 14's rules (mapping_evaluation.h), which gives what LLVM's
// CoverageMapping and llvm-cov give, item by item.
#pragma once
#include "coverage_model.h"
#include "decoded_mapping.h"
#include "function_counts.h"

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
// A reading of at least this many records (of functions defined in a file of the objects) is read
// in two halves of its files, on two threads where there are two cores: the same reading in about
// half the time. Below it a thread costs more than it saves. Tests lower it to check that the
// halves add up to the whole.
constexpr size_t evaluate_in_halves_from = 4000;

// The same for objects decoded before (decoded_mapping.h): the same numbers, without decoding.
LlvmCoverage read_llvm_coverage(const DecodedMapping& mapping, const std::string& indexed_profile,
                                size_t halves_from = evaluate_in_halves_from);

// The same with the counters `counts_of` looks up (a running total in memory: running_profile.h).
LlvmCoverage read_llvm_coverage(const DecodedMapping& mapping, const FunctionCounts& counts_of,
                                size_t halves_from = evaluate_in_halves_from);


}  // namespace dlcov
