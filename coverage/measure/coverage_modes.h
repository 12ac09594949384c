// The coverage modes dlcov measures, each a layer (coverage_layer.h) read by its own folder:
// llvm (coverage/llvm/). A new mode (Python's coverage.py, gcov, sancov) adds its layer in a
// folder of its own and its case here; the measurement pipeline and everything after it (Table 6,
// diffs, exports, campaigns) then count it with the others.
#pragma once
#include "build_manifest.h"
#include "coverage_layer.h"

#include <memory>
#include <string>
#include <vector>

namespace dlcov {

// The layers of an instrumented build, from its manifest. UserError for a mode this dlcov does not
// read, or a build without what its mode needs (an llvm build's layout profile).
std::vector<std::unique_ptr<CoverageLayer>> build_layers(const BuildManifest& build);

// Clang-instrumented objects measured without a build (`dlcov measure`): one llvm layer laid out
// by `profiles`, the profiles measured, so that its numbers are `llvm-cov report`'s for them.
std::vector<std::unique_ptr<CoverageLayer>> object_layers(const std::vector<std::string>& objects,
                                                          const std::vector<std::string>& profiles,
                                                          const std::string& source_root);

}  // namespace dlcov
