// The reference for dlcov's own evaluation of coverage mappings (coverage/llvm/mapping_evaluation.h):
// the same reading done the way dlcov did it before, through LLVM 14's library — CoverageMapping::load
// on the objects, then getCoverageForFunction, getLineCoverageStats and getCoverageForExpansion
// for every function of every instantiation group. Tests require the two to agree item by item.
#pragma once
#include "llvm_reader.h"

#include <string>
#include <vector>

namespace dlcov::test {

LlvmCoverage read_with_llvm_library(const std::vector<std::string>& objects, const std::string& indexed_profile);

// "" when the two readings have the same files, definitions, instantiations, items and counts;
// otherwise where they first differ.
std::string first_difference(const LlvmCoverage& mine, const LlvmCoverage& llvm);

}  // namespace dlcov::test
