// Helpers shared by the tests: scratch directories, running commands, compiling fixtures.
#pragma once
#include <string>
#include <sys/types.h>
#include <vector>

namespace dlcov::test {

struct CommandResult {
    int exit_code = -1;  // 128+N when killed by signal N
    std::string output;  // stdout and stderr together
};

// Runs `command` through /bin/sh and captures its output.
CommandResult run_command(const std::string& command);

// Runs `command` and fails the test, showing the command and its output, unless it exits 0.
CommandResult must_run(const std::string& command);

// A fresh, empty directory under DLCOV_TEST_WORK_DIR named after `name`.
std::string scratch_dir(const std::string& name);

// Path of the instrumented tiny-dnn build prepared by the ctest fixture (instrument_tinydnn).
std::string tinydnn_build_dir();
// Path of a real framework's build (pytorch, tensorflow, mxnet, onnx) from the ctest fixtures
// instrument_<name>.
std::string framework_build_dir(const std::string& name);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// Starts `argv` (argv[0] an absolute path) as a child with stdout and stderr into `log`, so a
// test can signal it; returns its pid.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log);
// Waits for the child `pid`: its exit code, or 128+N when killed by signal N.
int wait_exit_code(pid_t pid);

// Waits, up to two minutes, until the events file at `path` has at least `count` execution
// lines (trial_events.h); fails the test when it has not.
void wait_for_execution_lines(const std::string& path, size_t count);

// Rows of a query against a campaign's store (campaign.db in `campaign_dir`), each row's
// columns joined by '|', NULL as "NULL".
std::vector<std::string> query_store(const std::string& campaign_dir, const std::string& sql);

// Quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace dlcov::test

// Coverage series: counts only add, so what is covered never stops being covered.
#include "snapshot.h"

namespace dlcov::test {

// Fails the test (CHECK, naming runner, trial, component, metric and the two times) for every
// component whose covered lines, branches or functions drop between consecutive snapshots of
// one trial. `snapshots` in any order (as read_snapshots gives them, or a campaign's several
// runners); each trial's are compared in the order of their elapsed time.
void check_coverage_never_decreases(const std::vector<Snapshot>& snapshots);

}  // namespace dlcov::test
