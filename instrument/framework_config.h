// A framework config (configs/frameworks/*.yaml): where a framework's sources come from
// and how `dlcov instrument` compiles its coverage-instrumented executables.
// configs/frameworks/tinydnn.yaml documents every key of mode llvm, pytorch.yaml those of mode python;
// mode gcov has mode llvm's keys (tinydnn-gcov.yaml). A `build:` section replaces source, targets
// and the compile keys: the framework's own build system on a checkout (source_build_config.h).
#pragma once
#include "source_build_config.h"

#include <map>
#include <string>
#include <vector>

namespace dlcov {

// A folder made visible to the compiler as <build>/shim/<link> -> <to>, with -isystem.
struct SystemInclude {
    std::string link;  // relative path inside shim/, e.g. "third_party/stb"
    std::string to;    // absolute path
};

struct BuildTarget {
    std::string name;                  // the executable's name in <build>/bin/
    std::vector<std::string> sources;  // absolute paths
    int line = 0;                      // of the target in the config, for later errors
};

// A tester's packages installed beside the framework (pip --no-deps --target <build>/<into>), so
// the framework's own environment stays as its pins make it; runners put the folder on sys.path.
struct ToolInstall {
    std::string requirements;  // absolute path of a pip requirements file (exact pins)
    std::string into;          // folder name inside the build
};

// Mode python: the environment `dlcov instrument` makes for the framework (<build>/venv).
struct PythonEnvironment {
    std::string python;                 // the interpreter the venv is made from (name on PATH or path)
    bool system_site_packages = false;  // the venv sees that interpreter's packages (Debian's torch)
    std::string debian_packages;        // absolute path of a pins file: "package=version" lines that must be installed
    std::string requirements;           // absolute path of a pip requirements file (exact pins), "" = none
    std::vector<std::string> packages;  // the measured packages, as imported ("torch", "functorch")
    std::vector<ToolInstall> tools;
};

struct FrameworkConfig {
    std::string path;  // absolute path of the YAML file
    std::string dir;   // its folder: relative paths in the file resolve against it

    std::string name;  // build folder name; a plain file name
    std::string framework;
    std::string version;
    std::string debian_package;  // empty when the sources do not come from a Debian package
    std::string source_copy;     // absolute folder copied into the build
    std::string source_as;       // its relative name under <build>/src/
    std::vector<SystemInclude> system_includes;
    std::string component_map;  // absolute path
    std::string mode;      // "llvm", "gcov", "sancov" or "python"
    // modes llvm, gcov and sancov
    std::string compiler;  // as written: a name on PATH or a path (resolved later)
    bool atomic_counters = true;  // `counters: atomic` (default) or `plain` (coverage_flags.h)
    std::vector<std::string> flags;
    std::vector<BuildTarget> targets;
    // mode python
    PythonEnvironment environment;
    // modes llvm and gcov built from a checkout (`build:` instead of source and targets)
    bool source_build = false;
    SourceBuild build;

    std::map<std::string, int> key_lines;  // top-level key -> line, for errors found later
    int line_of(const std::string& key) const;
};

// Loads and checks the shape of a framework config. Throws UserError naming file, line and
// key for unknown or missing keys and bad values. Does not touch the paths it names:
// instrument() checks them, so a config can be read on a machine without the framework.
FrameworkConfig load_framework_config(const std::string& path);

// Throws UserError "FILE:LINE: key 'KEY': MESSAGE" for a problem found after loading.
[[noreturn]] void config_error(const FrameworkConfig& config, int line, const std::string& key,
                               const std::string& message);

}  // namespace dlcov
