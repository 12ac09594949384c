// The steps of a source build (build_recipe.h): commands `dlcov instrument` runs one after another,
// each printed first, so `--dry-run` shows the whole build a user could paste into a shell.
#pragma once
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct BuildStep {
    std::string what;                        // "configure", "build", "install the wheel", ...
    std::vector<std::string> argv;           // argv[0] as the recipe names it (resolved on PATH when run)
    std::string cwd;                         // absolute
    std::map<std::string, std::string> env;  // set on top of dlcov's own environment
    // Globs in argv (a wheel's file name) are expanded when the step runs: the build makes the file.
    bool expand_globs = false;
};

// The paths matching a shell glob, lexically normal, in glob(3)'s order; {} when none does.
std::vector<std::string> glob_matches(const std::string& pattern);

// "cd DIR && NAME=value ... program args", shell-quoted: what --dry-run prints, one step a line.
std::string shell_text(const BuildStep& step);

// Runs the step to its end with its output in `log_path`. `out` gets one progress line before and
// one after. Throws UserError naming the step, its command, its exit and the log's last lines
// when it fails or cannot start (or names the program that is not on PATH).
void run_build_step(const BuildStep& step, const std::string& log_path, const std::string& progress,
                    std::ostream& out);

}  // namespace dlcov
