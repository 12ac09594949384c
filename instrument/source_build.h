// `dlcov instrument RECIPE.yaml --source DIR [--mode gcov] [--dry-run]`: a framework built from the
// user's checkout by its own build system (build_recipe.h), in mode llvm or gcov.
//
// <builds-dir>/<name>/         (<name>-<mode> for the mode the recipe does not default to)
//   logs/NN-<step>.log         each step's whole output; logs/compiles.tsv: the compile filter's
//                              decision for every source (instrumented or plain)
//   venv/                      the Python environment, with the build installed (recipes with python:)
//   wheels/                    wheels the build made
//   cmake/ or bazel-base/      the build system's own tree
//   layout-probe/, layout.profdata   mode llvm: the layout profile (layout_profile.h)
//   build.json                 the manifest, written last: objects, notes files (mode gcov),
//                              path_remap, the python layer
//
// The build system decides what to rebuild: every run runs every step.
#pragma once
#include "build_manifest.h"
#include "framework_config.h"

#include <iosfwd>
#include <string>

namespace dlcov {

struct SourceBuildRequest {
    std::string source;      // the checkout
    std::string mode;        // "" = the config's
    std::string builds_dir;  // parent of the build folder
    bool dry_run = false;    // print the steps, run nothing
    int jobs = 0;            // 0 = one per core
};

// Builds (or, with dry_run, prints the steps of) the source build and returns its manifest (empty
// on a dry run). Without a source (a campaign's `dlcov run`) the existing build is returned as it
// is, or UserError says how to build it. Throws UserError naming the config's file and line for a checkout that is not
// the framework's, a mode the recipe lacks, a compiler of the wrong kind or LLVM version, and a
// failed step (with its log).
BuildManifest make_source_build(const FrameworkConfig& config, const SourceBuildRequest& request, std::ostream& out);

}  // namespace dlcov
