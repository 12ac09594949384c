// A framework config's `build:` section: the framework built by its own build system (Bazel, CMake,
// setup.py) on a checkout the user names with `dlcov instrument --source DIR`, instead of dlcov
// compiling listed targets itself. configs/frameworks/{tensorflow,pytorch,mxnet}-src.yaml document
// every key; instrument/README.md ("Source builds") says what dlcov does with them.
//
// Strings may hold placeholders, replaced when the steps are made (build_recipe.h):
//   {source} the checkout   {build} the build folder   {python} the build's venv interpreter
//   {site_packages} its site-packages   {wheel_dir} <build>/wheels   {jobs} parallel jobs
//   {cc} {cxx} the mode's compilers, absolute
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dlcov {

// A command the recipe runs as it is written, in the checkout unless `cwd` says otherwise
// (TensorFlow's configure.py, a wheel packaging script).
struct RecipeCommand {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    std::string cwd;  // "" = the checkout
    int line = 0;
};

// What one coverage mode adds to the build (`build: llvm:` / `build: gcov:`), after the common keys.
struct RecipeModeSettings {
    std::string cc, cxx;                     // the compilers, as written (a name on PATH or a path)
    std::vector<std::string> options;        // build-system options (bazel flags, cmake -D options)
    std::vector<std::string> link_flags;     // added to every link (e.g. -fuse-ld=lld)
    std::map<std::string, std::string> env;  // environment of the build steps
    int line = 0;
};

struct PathRemapRule {
    std::string from, to;  // path prefixes, placeholders allowed
};

// The Python layer of the same build: an environment <build>/venv with the pinned requirements and
// what the build produced (`install`: a wheel glob or a folder) installed into it.
struct RecipePython {
    std::string python = "/usr/bin/python3";
    std::string requirements;           // absolute path of a pip requirements file, "" = none
    bool system_site_packages = false;
    std::vector<std::string> packages;  // measured packages, as imported
    std::string install;                // what `pip install --no-deps` installs after the build
    int line = 0;
};

struct SourceBuild {
    std::string system;                        // "bazel", "cmake" or "setuptools"
    std::vector<std::string> markers;          // relative paths that must exist in the checkout
    std::vector<std::string> instrument_paths; // relative folders: only their sources are instrumented; {} = all
    std::vector<std::string> targets;          // bazel targets; cmake --target names ({} = all)
    std::vector<std::string> options;          // build-system options of every mode
    std::map<std::string, std::string> env;    // environment of every step
    std::map<std::string, RecipeModeSettings> modes;  // "llvm", "gcov": the modes the recipe supports
    std::vector<RecipeCommand> before;         // run before the build (configure scripts)
    std::vector<RecipeCommand> after;          // run after it (packaging)
    RecipePython python;                       // python.packages empty: no Python layer
    std::vector<std::string> objects;          // instrumented objects (globs, placeholders)
    std::vector<std::string> notes_under;      // mode gcov: folders searched for .gcno ({} = {build} and {source})
    std::vector<std::string> layout_probe;     // mode llvm: a command loading every object once
    std::vector<PathRemapRule> path_remap;     // recorded in build.json, applied when reading
    int line = 0;                              // of `build:`
    std::map<std::string, int> key_lines;      // key of `build:` -> line
    int line_of(const std::string& key) const;
};

}  // namespace dlcov
