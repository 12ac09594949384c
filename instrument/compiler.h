// Finding the compiler a framework config names and what LLVM version it is.
#pragma once
#include <optional>
#include <string>

namespace dlcov {

struct CompilerInfo {
    std::string path;     // absolute, symlinks kept: clang picks C or C++ from its own name
    std::string version;  // full `--version` output, trailing newlines removed
    std::optional<int> llvm_major;  // set when the compiler is clang
    std::optional<int> gcc_major;   // set when the compiler is gcc
};

// Resolves `name` (a bare name searched on PATH, or a path relative to `base_dir`) and
// runs it with --version. Throws UserError when it is not found or does not run.
CompilerInfo probe_compiler(const std::string& name, const std::string& base_dir);

// The LLVM major version in clang's `--version` text ("... clang version 14.0.6 ..."),
// or nothing when the text is not clang's.
std::optional<int> llvm_major_of_version(const std::string& version_text);

// gcc's major version in its `--version` text ("g++-12 (Debian 12.2.0-14) 12.2.0"), or nothing
// when the text is not gcc's.
std::optional<int> gcc_major_of_version(const std::string& version_text);

}  // namespace dlcov
