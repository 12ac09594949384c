// The compiler flags that make a build record coverage, per coverage mode.
#pragma once
#include <string>
#include <vector>

namespace dlcov {

// "llvm": clang source-based coverage in continuous mode. -runtime-counter-relocation lets a
// run with `%c` in LLVM_PROFILE_FILE write counters straight to the profile, so a process that
// crashes or is killed keeps its coverage. Throws UserError for an unknown mode.
std::vector<std::string> coverage_flags(const std::string& mode);

}  // namespace dlcov
