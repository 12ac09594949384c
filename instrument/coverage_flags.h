// The compiler flags that make a build record coverage, per coverage mode.
#pragma once
#include <string>
#include <vector>

namespace dlcov {

// "llvm": clang source-based coverage in continuous mode. -runtime-counter-relocation lets a
// run with `%c` in LLVM_PROFILE_FILE write counters straight to the profile, so a process that
// crashes or is killed keeps its coverage. -fprofile-update=atomic makes every counter increment
// atomic: frameworks run their kernels on several threads (tiny-dnn's parallel_for), and a lost
// increment makes counts that coverage mapping derives by subtraction negative, so covered
// branch sides appeared that never ran and disappeared again as more profiles were merged
// (README.md, "Atomic counters"). `atomic` false leaves it out (`counters: plain`: faster, exact
// only for a single-threaded framework).
// "gcov": gcc's --coverage (notes files at compile time, .gcda data files at exit) and
// -DDLCOV_COVERAGE_GCOV=1 (a program may call libgcov's __gcov_dump: runners/tinydnn), with
// -fprofile-update=atomic for the same reason (gcov derives counts by flow conservation, and a
// lost increment breaks it); plain leaves it out. "sancov": SanitizerCoverage with dlcov's
// runtime (coverage/sancov/README.md); `atomic` does not apply. Throws UserError for an unknown mode.
std::vector<std::string> coverage_flags(const std::string& mode, bool atomic = true);

}  // namespace dlcov
