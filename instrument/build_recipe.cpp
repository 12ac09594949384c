#include "build_recipe.h"

#include "coverage_flags.h"
#include "error.h"

#include <filesystem>
#include <fmt/format.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string venv_python(const RecipeContext& c) { return c.build + "/venv/bin/python"; }

std::vector<std::string> expand_all(const std::vector<std::string>& texts, const RecipeContext& c) {
    std::vector<std::string> out;
    for (const auto& text : texts) out.push_back(expand_placeholders(text, c));
    return out;
}

BuildStep recipe_command(const RecipeCommand& command, const std::string& what, const RecipeContext& c,
                         std::map<std::string, std::string> env) {
    for (const auto& [name, value] : command.env) env[name] = expand_placeholders(value, c);
    std::string cwd = command.cwd.empty() ? c.source : expand_placeholders(command.cwd, c);
    return {what, expand_all(command.argv, c), fs::absolute(fs::path(c.source) / cwd).lexically_normal().string(),
            env};
}

}  // namespace

std::string expand_placeholders(const std::string& text, const RecipeContext& c) {
    const std::map<std::string, std::string> values = {
        {"source", c.source},
        {"build", c.build},
        {"python", venv_python(c)},
        {"site_packages", c.build + "/venv/lib/python" + c.python_version + "/site-packages"},
        {"wheel_dir", c.build + "/wheels"},
        {"jobs", std::to_string(c.jobs)},
        {"cc", c.cc},
        {"cxx", c.cxx}};
    std::string out;
    for (size_t i = 0; i < text.size();) {
        size_t close = text[i] == '{' ? text.find('}', i) : std::string::npos;
        auto it = close == std::string::npos ? values.end() : values.find(text.substr(i + 1, close - i - 1));
        if (it == values.end()) {
            out += text[i++];
            continue;
        }
        out += it->second;
        i = close + 1;
    }
    return out;
}

std::vector<std::string> source_build_coverage_flags(const RecipeContext& c) {
    std::vector<std::string> flags = coverage_flags(c.mode);
    if (c.mode == "llvm") flags.push_back("-fcoverage-compilation-dir=" + c.source);
    if (c.mode == "gcov") flags.push_back("-fprofile-abs-path");  // absolute source paths in the notes files
    return flags;
}

std::vector<std::string> source_build_link_flags(const FrameworkConfig& config, const RecipeContext& c) {
    // The profile runtime: clang links it with -fprofile-instr-generate, gcc libgcov with --coverage.
    std::vector<std::string> flags = {c.mode == "llvm" ? "-fprofile-instr-generate" : "--coverage"};
    for (const auto& flag : config.build.modes.at(c.mode).link_flags) flags.push_back(expand_placeholders(flag, c));
    return flags;
}

std::map<std::string, std::string> compile_filter_env(const FrameworkConfig& config, const RecipeContext& c) {
    std::string paths, flags;
    for (const auto& path : config.build.instrument_paths) paths += (paths.empty() ? "" : ";") + c.source + "/" + path;
    if (config.build.instrument_paths.empty()) paths = c.source;
    for (const auto& flag : source_build_coverage_flags(c)) flags += (flags.empty() ? "" : ";") + flag;
    return {{"DLCOV_INSTRUMENT_PATHS", paths},
            {"DLCOV_COVERAGE_FLAGS", flags},
            {"DLCOV_COMPILE_LOG", c.build + "/logs/compiles.tsv"}};
}

std::vector<BuildStep> recipe_steps(const FrameworkConfig& config, const RecipeContext& c) {
    const SourceBuild& b = config.build;
    const RecipeModeSettings& mode = b.modes.at(c.mode);
    std::map<std::string, std::string> env;
    for (const auto& [name, value] : b.env) env[name] = expand_placeholders(value, c);
    for (const auto& [name, value] : mode.env) env[name] = expand_placeholders(value, c);

    std::vector<BuildStep> steps;
    if (!b.python.packages.empty()) {
        std::vector<std::string> venv = {c.base_python, "-m", "venv"};
        if (b.python.system_site_packages) venv.push_back("--system-site-packages");
        venv.push_back(c.build + "/venv");
        steps.push_back({"make the Python environment", venv, c.build, {}});
        if (!b.python.requirements.empty())
            steps.push_back({"install the pinned requirements",
                             {venv_python(c), "-m", "pip", "install", "--no-input", "-r", b.python.requirements},
                             c.build, {}});
    }
    for (size_t i = 0; i < b.before.size(); ++i)
        steps.push_back(recipe_command(b.before[i], fmt::format("before the build ({}/{})", i + 1, b.before.size()), c, env));
    std::vector<BuildStep> system;
    if (b.system == "bazel") system = bazel_steps(config, c, env);
    else if (b.system == "cmake") system = cmake_steps(config, c, env);
    else system = setuptools_steps(config, c, env);
    steps.insert(steps.end(), system.begin(), system.end());
    for (size_t i = 0; i < b.after.size(); ++i)
        steps.push_back(recipe_command(b.after[i], fmt::format("after the build ({}/{})", i + 1, b.after.size()), c, env));
    if (!b.python.packages.empty()) {
        BuildStep install{"install the build into the environment",
                          {venv_python(c), "-m", "pip", "install", "--no-input", "--no-deps", "--force-reinstall",
                           expand_placeholders(b.python.install, c)},
                          c.build, env, true};
        steps.push_back(install);
    }
    if (c.mode == "llvm") {
        // Continuous mode writes each object's profile (%m) when it is loaded: one run that loads
        // every object gives the build's layout profile (layout_profile.h).
        BuildStep probe{"layout probe (loads every object once)", expand_all(b.layout_probe, c), c.build + "/layout-probe",
                        {{"LLVM_PROFILE_FILE", c.build + "/layout-probe/probe-%p-%m%c.profraw"}}};
        steps.push_back(probe);
    }
    return steps;
}

}  // namespace dlcov
