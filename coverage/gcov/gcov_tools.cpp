#include "gcov_tools.h"

#include "error.h"
#include "process.h"
#include "program_on_path.h"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov::gcov {

namespace {

ProcessResult run_tool(ProcessSpec spec) {
    spec.timeout = std::chrono::minutes(30);
    spec.contain = false;  // gcc's tools start nothing
    return run_process(spec);
}

}  // namespace

std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        if (access(name.c_str(), X_OK) != 0) throw UserError(name + ": not an executable program");
        return fs::absolute(name).string();
    }
    if (std::optional<std::string> found = program_on_path(name)) return *found;
    throw UserError(name + ": not found on PATH (gcc's coverage tools; Debian: gcc-12, tools/install-deps)");
}

std::string run_gcov(const std::string& gcov, const std::string& notes, const std::string& data,
                     const std::string& working_dir, const std::string& scratch_dir, const std::string& output) {
    // gcov finds <dir>/<stem>.gcno and <dir>/<stem>.gcda from the name it is given.
    const std::string stem = fs::path(notes).stem().string();
    fs::path dir = fs::path(scratch_dir) / ("gcov-" + stem);
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    fs::create_symlink(fs::absolute(notes), dir / (stem + ".gcno"));
    if (!data.empty()) fs::create_symlink(fs::absolute(data), dir / (stem + ".gcda"));
    ProcessSpec spec;
    spec.argv = {find_program(gcov), "--branch-counts", "--branch-probabilities", "--demangled-names", "--stdout",
                 "--object-directory", dir.string(), (dir / (stem + (data.empty() ? ".gcno" : ".gcda"))).string()};
    spec.working_dir = fs::is_directory(working_dir, ec) ? working_dir : fs::path(notes).parent_path().string();
    spec.stdout_path = output;
    spec.env["LC_ALL"] = "C";  // gcovr reads gcov's English output too
    spec.env["LANGUAGE"] = "en_US";
    spec.output_cap = 1 << 20;
    ProcessResult r = run_tool(spec);
    fs::remove_all(dir, ec);
    if (r.outcome != ProcessResult::Exited || r.exit_code != 0)
        throw UserError("gcov failed (" + r.describe() + "): " + command_line(spec.argv) + "\n" + r.output);
    return r.output;
}

ScratchFolder::ScratchFolder(const std::string& purpose) {
    std::string pattern = (fs::temp_directory_path() / ("dlcov-" + purpose + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) throw UserError("cannot create a temporary folder in " + fs::temp_directory_path().string());
    path_ = pattern;
}

ScratchFolder::~ScratchFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

}  // namespace dlcov::gcov
