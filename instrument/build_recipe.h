// From a framework config's `build:` section to the steps of its source build, per build system:
//
//   bazel       `bazel --output_base={build}/bazel-base build` with the recipe's options, the
//               mode's compilers (--repo_env/--action_env CC, CXX), the coverage flags on the
//               instrumented paths only (--per_file_copt=+PATH/.*@FLAGS; every file with --copt when
//               instrument_paths is empty) and the runtime at link (--linkopt)
//   cmake       `cmake -S {source} -B {build}/cmake` and `cmake --build`, the compilers through
//               dlcov-compile-filter as CMAKE_<LANG>_COMPILER_LAUNCHER, which adds the coverage flags
//               to the compiles of sources under the instrumented paths only
//   setuptools  `{python} -m pip wheel --no-build-isolation` of the checkout with the same launcher in
//               the environment (CMake reads CMAKE_<LANG>_COMPILER_LAUNCHER from it) and the
//               recipe's options in CMAKE_ARGS
//
// around them: the Python environment ({build}/venv, its requirements), the recipe's `before`
// and `after` commands, `pip install` of what the build made into the environment, and in mode
// llvm the layout probe. Every string has its placeholders replaced (source_build_config.h).
#pragma once
#include "build_steps.h"
#include "framework_config.h"

#include <string>
#include <vector>

namespace dlcov {

struct RecipeContext {
    std::string mode;            // "llvm" or "gcov"
    std::string source;          // the checkout, absolute
    std::string build;           // the build folder, absolute
    std::string cc, cxx;         // the mode's compilers, absolute where found
    std::string base_python;     // the interpreter the venv is made from
    std::string python_version;  // its "3.11": names the venv's site-packages
    std::string compile_filter;  // dlcov-compile-filter, absolute
    int jobs = 2;
};

// The placeholders of `text` replaced.
std::string expand_placeholders(const std::string& text, const RecipeContext& context);

// The flags that make one translation unit record coverage in a source build: the mode's
// (coverage_flags.h), and in mode llvm -fcoverage-compilation-dir={source}, so the paths in the
// coverage mapping are the checkout's whichever folder the build system compiles in; in mode gcov
// -fprofile-abs-path, so the notes files name sources by absolute path (path_remap can rewrite them).
std::vector<std::string> source_build_coverage_flags(const RecipeContext& context);

// The flags every link gets: the mode's profile runtime, then the recipe's link_flags.
std::vector<std::string> source_build_link_flags(const FrameworkConfig& config, const RecipeContext& context);

// Every step, in order. The environment of each is the recipe's env, the mode's env, then what
// the build system needs.
std::vector<BuildStep> recipe_steps(const FrameworkConfig& config, const RecipeContext& context);

// The build-system step alone, per system (build_recipe_<system>.cpp).
std::vector<BuildStep> bazel_steps(const FrameworkConfig& config, const RecipeContext& context,
                                   const std::map<std::string, std::string>& env);
std::vector<BuildStep> cmake_steps(const FrameworkConfig& config, const RecipeContext& context,
                                   const std::map<std::string, std::string>& env);
std::vector<BuildStep> setuptools_steps(const FrameworkConfig& config, const RecipeContext& context,
                                        const std::map<std::string, std::string>& env);

// The environment the compile filter reads: which folders are instrumented and with what flags.
std::map<std::string, std::string> compile_filter_env(const FrameworkConfig& config, const RecipeContext& context);

}  // namespace dlcov
