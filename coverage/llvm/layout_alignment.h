// Reading any profiles of a build into the build's one layout.
//
// LLVM 14 decides which lines of a function are "mapped" partly from the counts: the blank and
// comment lines inside a function body (skipped regions) count as lines while the function never
// ran and stop counting once it ran. So `llvm-cov report` gives a file different line totals for
// different profiles, and two runners' line vectors do not line up. Comparisons therefore use the
// build's layout (read with the build's layout profile: every function, nothing run — the
// totals `dlcov measure --profiles <build>/layout.profdata` prints) and move each reading's counts
// onto it line by line. Branches and functions do not depend on counts and are copied as they are.
#pragma once
#include "llvm_reader.h"

namespace dlcov {

// Counts of `reading` on `layout`. Both must come from the same objects (same files, functions,
// instantiations and branches; otherwise UserError). A layout line the reading did not map (a
// blank line in a function that ran) takes the smaller count of the nearest lines the reading
// mapped before and after it in the same function, so it is covered only inside code that ran.
CoverageCounts align_to_layout(const LlvmCoverage& reading, const CoverageLayout& layout);

}  // namespace dlcov
