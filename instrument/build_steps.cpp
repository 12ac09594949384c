#include "build_steps.h"

#include "elapsed.h"
#include "error.h"
#include "process.h"
#include "program_on_path.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <glob.h>
#include <ostream>
#include <sstream>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string last_lines(const std::string& path, size_t count) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string text;
    for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) text += lines[i] + "\n";
    return text;
}

std::vector<std::string> expanded(const std::string& pattern) {
    if (pattern.find_first_of("*?[") == std::string::npos) return {pattern};
    std::vector<std::string> out = glob_matches(pattern);
    if (out.empty()) throw UserError("nothing matches " + pattern);
    return out;
}

}  // namespace

std::vector<std::string> glob_matches(const std::string& pattern) {
    glob_t matches{};
    std::vector<std::string> out;
    if (glob(pattern.c_str(), 0, nullptr, &matches) == 0)
        for (size_t i = 0; i < matches.gl_pathc; ++i) out.push_back(fs::path(matches.gl_pathv[i]).lexically_normal());
    globfree(&matches);
    return out;
}

std::string shell_text(const BuildStep& step) {
    std::string text = "cd " + command_line({step.cwd}) + " &&";
    for (const auto& [name, value] : step.env) text += " " + name + "=" + command_line({value});
    for (const auto& arg : step.argv) {
        // A glob dlcov expands is printed unquoted, so the pasted line expands it the same way.
        bool glob = step.expand_globs && arg.find_first_of("*?") != std::string::npos &&
                    arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+./,:%@*?") ==
                        std::string::npos;
        text += " " + (glob ? arg : command_line({arg}));
    }
    return text;
}

void run_build_step(const BuildStep& step, const std::string& log_path, const std::string& progress,
                    std::ostream& out) {
    std::vector<std::string> argv;
    for (const auto& arg : step.argv) {
        if (!step.expand_globs) {
            argv.push_back(arg);
            continue;
        }
        try {
            for (const auto& match : expanded(arg)) argv.push_back(match);
        } catch (const UserError& e) {
            throw UserError(fmt::format("{} ({}): {}; did the steps before it make it?\n  {}", progress, step.what,
                                        e.what(), shell_text(step)));
        }
    }
    if (argv.front().find('/') == std::string::npos) {
        std::optional<std::string> found = program_on_path(argv.front());
        if (!found)
            throw UserError(fmt::format("{} ({}): {} is not on PATH; the recipe needs it installed\n  {}", progress,
                                        step.what, argv.front(), shell_text(step)));
        argv.front() = *found;
    }
    out << fmt::format("instrument: {} {} (log: {})\n  {}\n", progress, step.what, log_path, shell_text(step))
        << std::flush;
    // The shell only sends both output streams to the log, in the order printed, and then is the
    // program (exec): a build prints megabytes, which belong in a file, not in dlcov's memory.
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >\"$DLCOV_BUILD_LOG\" 2>&1"};
    spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
    spec.env = step.env;
    spec.env["DLCOV_BUILD_LOG"] = log_path;
    spec.working_dir = step.cwd;
    spec.timeout = std::nullopt;
    spec.own_process_group = false;  // Ctrl-C stops the build with dlcov
    auto start = std::chrono::steady_clock::now();
    ProcessResult result = run_process(spec);
    if (result.outcome != ProcessResult::Exited || result.exit_code != 0)
        throw UserError(fmt::format("{} ({}) failed ({}) after {:.0f} s:\n  {}\nlast lines of {}:\n{}{}", progress,
                                    step.what, result.describe(), seconds_since(start), shell_text(step), log_path,
                                    last_lines(log_path, 40), result.output));
    out << fmt::format("instrument: {} {} done in {:.0f} s\n", progress, step.what, seconds_since(start)) << std::flush;
}

}  // namespace dlcov
