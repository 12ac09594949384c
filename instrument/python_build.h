// `dlcov instrument` for mode python: a framework as users install it, measured with coverage.py.
//
// <builds-dir>/<name>/
//   venv/                 the framework's environment: `python -m venv` (optionally seeing the
//                         system's packages, e.g. Debian's python3-torch), the pinned requirements
//                         installed with pip, and dlcov's coverage hook (dlcov-coverage.pth)
//   venv/dlcov-environment  what the environment was made from: unchanged means no reinstall
//   <tool>/               a tester's packages (environment: tools: [{requirements, into}]), installed
//                         with pip --no-deps --target beside the environment, not into it
//   environment.txt       every distribution==version of the environment, the exact versions measured
//   python-layout.json    every statement, branch exit and function of the package (python_layout.py)
//   build.json            the manifest: mode python, one python layer (written last)
#pragma once
#include "build_manifest.h"
#include "framework_config.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace dlcov {

// Makes (or reuses, when nothing changed) the python build of `config` in `build_dir`. Progress
// goes to `out`. Throws UserError for a missing interpreter or Debian package, a failed pip
// install (naming the requirements file and what pip said), a package the environment cannot
// find, or a layout that cannot be computed.
// The python layer of the environment <build_root>/venv: where `packages` are installed (one
// folder), their versions (environment.txt), dlcov's coverage hook installed, and their layout
// computed (python-layout.json). Used by python builds and by source builds with a Python layer.
PythonLayerManifest make_python_layer(const std::string& build_root, const std::vector<std::string>& packages,
                                      std::ostream& out);

BuildManifest make_python_build(const FrameworkConfig& config, const std::string& build_dir, bool force,
                                bool verbose, std::ostream& out);

}  // namespace dlcov
