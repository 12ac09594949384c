// The coverage modes dlcov measures, each a layer (coverage_layer.h) read by its own folder:
// llvm (coverage/llvm/), gcov (coverage/gcov/), sancov (coverage/sancov/) and python (coverage/python/). A new mode adds its layer in
// a folder of its own and its case here; the measurement pipeline and everything after it (Table
// 6, diffs, exports, campaigns) then count it with the others.
#pragma once
#include "build_manifest.h"
#include "coverage_layer.h"

#include <memory>
#include <string>
#include <vector>

namespace dlcov {

// The layers of an instrumented build, from its manifest: the llvm layer of its objects when its
// mode is llvm, the sancov layer of its binaries when it is sancov, then one layer per entry of its "layers" (python). UserError for a mode this dlcov
// does not read, or a build without what its mode needs (an llvm build's layout profile, a python
// layer's layout).
std::vector<std::unique_ptr<CoverageLayer>> build_layers(const BuildManifest& build);

// Clang-instrumented objects measured without a build (`dlcov measure`): one llvm layer laid out
// by `profiles`, the profiles measured, so that its numbers are `llvm-cov report`'s for them.
std::vector<std::unique_ptr<CoverageLayer>> object_layers(const std::vector<std::string>& objects,
                                                          const std::vector<std::string>& profiles,
                                                          const std::string& source_root);

// What `dlcov measure` measures without a build: clang-instrumented objects, gcc --coverage
// objects (their notes files), a Python source tree, or several of them.
struct UnbuiltTrees {
    std::vector<std::string> objects;
    std::vector<std::string> gcov_notes;  // .gcno files or folders searched for them
    std::string gcov;                    // "" = gcov-N of the gcc N that wrote the notes
    std::string objects_root;            // the objects' source root (for a component map)
    std::string python_source;           // "" = none; else the package folder coverage.py measured
    std::string python_interpreter = "/usr/bin/python3";  // runs python_layout.py on it
    std::string python_rcfile;           // the coverage.py configuration the data was collected with
};

// Their layers, gcov first, then llvm, then python: the gcc objects laid out by gcov on their notes
// files, the clang objects laid out by the llvm profiles among `profiles` (folders, and the named
// files that are not coverage.py or gcc data), the Python tree laid out by coverage.py's analysis of
// it (python_layout.py, run once into a temporary folder), so that the numbers are gcovr's,
// `llvm-cov report`'s and `coverage json`'s for those profiles.
std::vector<std::unique_ptr<CoverageLayer>> unbuilt_layers(const UnbuiltTrees& trees,
                                                           const std::vector<std::string>& profiles);

}  // namespace dlcov
