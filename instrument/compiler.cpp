#include "compiler.h"

#include "error.h"
#include "process.h"
#include "program_on_path.h"

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov {

static bool is_executable(const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error) && access(path.c_str(), X_OK) == 0;
}

static std::string find_compiler(const std::string& name, const std::string& base_dir) {
    if (name.find('/') != std::string::npos) {
        fs::path path = fs::path(name).is_absolute() ? fs::path(name) : fs::path(base_dir) / name;
        path = path.lexically_normal();
        if (!is_executable(path)) throw UserError("compiler " + path.string() + " is not an executable file");
        return path.string();
    }
    if (std::optional<std::string> found = program_on_path(name)) return *found;
    throw UserError("compiler '" + name + "' not found on PATH; run tools/install-deps");
}

CompilerInfo probe_compiler(const std::string& name, const std::string& base_dir) {
    CompilerInfo info;
    info.path = find_compiler(name, base_dir);
    ProcessSpec spec;
    spec.argv = {info.path, "--version"};
    ProcessResult run = run_process(spec);
    if (run.shell_exit_code() != 0)
        throw UserError(info.path + " --version failed (exit " + std::to_string(run.shell_exit_code()) +
                        "): " + run.output);
    info.version = run.output;
    while (!info.version.empty() && (info.version.back() == '\n' || info.version.back() == '\r'))
        info.version.pop_back();
    info.llvm_major = llvm_major_of_version(info.version);
    info.gcc_major = gcc_major_of_version(info.version);
    return info;
}

std::optional<int> llvm_major_of_version(const std::string& version_text) {
    static const std::regex pattern(R"(clang version (\d+)\.)");
    std::smatch match;
    if (!std::regex_search(version_text, match, pattern)) return std::nullopt;
    return std::stoi(match[1]);
}

std::optional<int> gcc_major_of_version(const std::string& version_text) {
    // The first line: the program's name, gcc's package note in parentheses, then the version.
    static const std::regex pattern(R"(^(?:\S*/)?(?:g\+\+|gcc|c\+\+|cc)(?:-[0-9.]+)? \(.*\) (\d+)\.\d+\.\d+)");
    std::string first_line = version_text.substr(0, version_text.find('\n'));
    std::smatch match;
    if (first_line.find("clang") != std::string::npos || !std::regex_search(first_line, match, pattern))
        return std::nullopt;
    return std::stoi(match[1]);
}

}  // namespace dlcov
