// A decoded coverage mapping (mapping_plan.h) read with a profile's counters: the reading LLVM
// 14's CoverageMapping::load and llvm-cov's per-function views give (llvm_reader.h), computed by
// dlcov from the plan. tests/unit_llvm_contract.cpp and tests/tinydnn_layout.cpp check that every
// layout and count equals the reading through LLVM's library.
#pragma once
#include "function_counts.h"
#include "llvm_reader.h"
#include "mapping_plan.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dlcov {

// A reading of at least `halves_from` records is read in two halves (llvm_reader.h).
LlvmCoverage evaluate_mapping(const MappingPlan& plan, const FunctionCounts& counts_of,
                              size_t halves_from = evaluate_in_halves_from);

}  // namespace dlcov
