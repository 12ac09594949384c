// `dlcov instrument`: builds a coverage-instrumented copy of a framework.
//
// <builds-dir>/<name>/
//   src/<as>/      copy of the framework's sources: clang does not instrument system
//                  headers, so this copy is the framework that gets measured
//   shim/<link>    symlinks to third-party include folders (-isystem, not instrumented)
//   bin/<target>   the instrumented executables
//   build.json     the manifest (build_manifest.h), written last: present means built
#pragma once
#include "build_manifest.h"

#include <iosfwd>
#include <string>

namespace dlcov {

struct InstrumentOptions {
    std::string config_path;         // the framework YAML
    std::string builds_dir = "builds";
    bool force = false;              // rebuild even when the inputs are unchanged
    bool verbose = false;            // print compiler command lines and warnings
    int jobs = 0;                    // targets compiled at once (each needs 2-4 GB); 0 = one per
                                     // core, at most one per 4 GiB of memory
    // Source-build recipes (a `build:` section, source_build.h) only:
    std::string source_dir;          // the checkout
    std::string mode;                // "" = the recipe's default mode
    bool dry_run = false;            // print every step, run none
};

// Builds (or reuses, when the input hash matches and every executable exists) the build and
// returns its manifest. Progress goes to `out`, compiler diagnostics of a failed target to
// `err`. Throws UserError for bad configs, missing inputs and failed compiles.
BuildManifest instrument(const InstrumentOptions& options, std::ostream& out, std::ostream& err);

}  // namespace dlcov
