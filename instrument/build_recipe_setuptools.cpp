// setup.py builds that run CMake themselves (PyTorch, ONNX): a wheel of the checkout built by the
// environment's own interpreter, with the compile filter and link flags in the environment CMake
// starts from, and the recipe's CMake options in CMAKE_ARGS (ONNX reads them; PyTorch takes its
// USE_* and BUILD_* options from the environment instead: its recipe sets them in env).
#include "build_recipe.h"

#include "process.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace dlcov {

std::vector<BuildStep> setuptools_steps(const FrameworkConfig& config, const RecipeContext& c,
                                        const std::map<std::string, std::string>& recipe_env) {
    const SourceBuild& b = config.build;
    std::map<std::string, std::string> env = recipe_env;
    for (const auto& [name, value] : compile_filter_env(config, c)) env[name] = value;
    env["CC"] = c.cc;
    env["CXX"] = c.cxx;
    // CMake (3.17 and later) starts CMAKE_<LANG>_COMPILER_LAUNCHER from these variables.
    env["CMAKE_C_COMPILER_LAUNCHER"] = c.compile_filter;
    env["CMAKE_CXX_COMPILER_LAUNCHER"] = c.compile_filter;
    env["LDFLAGS"] = fmt::format("{}", fmt::join(source_build_link_flags(config, c), " "));
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = std::to_string(c.jobs);
    env["MAX_JOBS"] = std::to_string(c.jobs);  // PyTorch's name for it
    std::vector<std::string> options;
    for (const auto& option : b.options) options.push_back(expand_placeholders(option, c));
    for (const auto& option : b.modes.at(c.mode).options) options.push_back(expand_placeholders(option, c));
    // Quoted as a shell would read them: setup.py scripts split CMAKE_ARGS with shlex.
    if (!options.empty()) env["CMAKE_ARGS"] = command_line(options);
    std::vector<std::string> wheel = {c.build + "/venv/bin/python", "-m", "pip", "wheel", "--no-input",
                                      "--no-build-isolation", "--no-deps", "-v", "-w", c.build + "/wheels", c.source};
    return {{"build a wheel (setup.py)", wheel, c.source, env}};
}

}  // namespace dlcov
