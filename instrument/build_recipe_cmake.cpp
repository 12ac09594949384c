// CMake (MXNet, and under setup.py PyTorch and ONNX): the coverage flags reach only the sources
// under the instrumented paths through dlcov-compile-filter, a compiler launcher.
#include "build_recipe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace dlcov {

std::vector<BuildStep> cmake_steps(const FrameworkConfig& config, const RecipeContext& c,
                                   const std::map<std::string, std::string>& recipe_env) {
    const SourceBuild& b = config.build;
    std::map<std::string, std::string> env = recipe_env;
    for (const auto& [name, value] : compile_filter_env(config, c)) env[name] = value;
    std::string link = fmt::format("{}", fmt::join(source_build_link_flags(config, c), " "));
    std::string tree = c.build + "/cmake";
    std::vector<std::string> configure = {"cmake", "-S", c.source, "-B", tree,
                                          "-DCMAKE_C_COMPILER=" + c.cc, "-DCMAKE_CXX_COMPILER=" + c.cxx,
                                          "-DCMAKE_C_COMPILER_LAUNCHER=" + c.compile_filter,
                                          "-DCMAKE_CXX_COMPILER_LAUNCHER=" + c.compile_filter};
    for (const char* kind : {"EXE", "SHARED", "MODULE"})
        configure.push_back(fmt::format("-DCMAKE_{}_LINKER_FLAGS={}", kind, link));
    for (const auto& option : b.options) configure.push_back(expand_placeholders(option, c));
    for (const auto& option : b.modes.at(c.mode).options) configure.push_back(expand_placeholders(option, c));
    std::vector<std::string> build = {"cmake", "--build", tree, "--parallel", std::to_string(c.jobs)};
    if (!b.targets.empty()) {
        build.push_back("--target");
        for (const auto& target : b.targets) build.push_back(expand_placeholders(target, c));
    }
    return {{"configure (cmake)", configure, c.source, env}, {"build (cmake)", build, c.source, env}};
}

}  // namespace dlcov
