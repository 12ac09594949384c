// Bazel (TensorFlow). Per-file options instrument only the paths asked for, as FlashFuzz builds
// TensorFlow's kernels: --per_file_copt=+tensorflow/core/kernels/.*@-fprofile-instr-generate,...
#include "build_recipe.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <regex>

namespace dlcov {

namespace {

// A folder as the start of a Bazel per_file_copt regex (matched against the source's exec path).
std::string path_regex(const std::string& folder) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(folder, special, "\\$&") + "/.*";
}

}  // namespace

std::vector<BuildStep> bazel_steps(const FrameworkConfig& config, const RecipeContext& c,
                                   const std::map<std::string, std::string>& env) {
    const SourceBuild& b = config.build;
    // The output base inside the build folder: the execroot's path is then known before the
    // build (path_remap can name it) and the build's outputs stay with the build.
    std::vector<std::string> argv = {"bazel", "--output_base=" + c.build + "/bazel-base", "build"};
    for (const auto& option : b.options) argv.push_back(expand_placeholders(option, c));
    for (const auto& option : b.modes.at(c.mode).options) argv.push_back(expand_placeholders(option, c));
    for (const char* flag : {"--repo_env", "--action_env"}) {
        argv.push_back(fmt::format("{}=CC={}", flag, c.cc));
        argv.push_back(fmt::format("{}=CXX={}", flag, c.cxx));
    }
    argv.push_back("--jobs=" + std::to_string(c.jobs));
    std::vector<std::string> flags = source_build_coverage_flags(c);
    if (b.instrument_paths.empty()) {
        for (const auto& flag : flags) argv.push_back("--copt=" + flag);
    } else {
        std::vector<std::string> regexes;
        for (const auto& path : b.instrument_paths) regexes.push_back("+" + path_regex(path));
        argv.push_back(fmt::format("--per_file_copt={}@{}", fmt::join(regexes, ","), fmt::join(flags, ",")));
    }
    for (const auto& flag : source_build_link_flags(config, c)) argv.push_back("--linkopt=" + flag);
    for (const auto& target : b.targets) argv.push_back(expand_placeholders(target, c));
    return {{"build (bazel)", argv, c.source, env}};
}

}  // namespace dlcov
