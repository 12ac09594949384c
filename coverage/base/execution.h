// Running one test execution (a generated test against the instrumented build) as a child
// process that cannot take the harness down: it gets its own process group, a wall-clock
// timeout after which the whole group is killed, and its output is captured up to a cap (a
// flooding child is drained, not stored).
#pragma once
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct ExecutionSpec {
    std::vector<std::string> argv;             // argv[0] is an absolute path
    std::map<std::string, std::string> env;    // added to (or replacing in) the harness's env
    std::string working_dir;                   // "" = the harness's
    std::chrono::milliseconds timeout{60000};
    size_t output_cap = 64 * 1024;             // bytes of stdout+stderr kept
};

struct ExecutionResult {
    enum Outcome { Exited, Signaled, TimedOut } outcome = Exited;
    int exit_code = 0;          // when Exited
    int signal = 0;             // when Signaled (or the signal used to stop a timed-out child)
    std::string output;         // the first output_cap bytes
    size_t output_dropped = 0;  // bytes past the cap
    double seconds = 0;

    // "exit 0", "exit 3", "signal 11 (Segmentation fault)", "timeout after 60 s"
    std::string describe() const;
};

// Throws std::runtime_error only when the child cannot be started at all.
ExecutionResult execute(const ExecutionSpec& spec);

}  // namespace dlcov
