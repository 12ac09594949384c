// Running a program as a child process and collecting what it prints.
#pragma once
#include <string>
#include <vector>

namespace dlcov {

struct ChildResult {
    int exit_code = -1;  // 128+N when killed by signal N
    std::string output;  // stdout and stderr together, in the order printed
};

// Runs `argv[0]` (an absolute path; no PATH search, no shell) with the rest of `argv`
// as arguments and stdin closed. Throws std::runtime_error if it cannot be started.
ChildResult run_child(const std::vector<std::string>& argv);

// `argv` as one line a user can paste into a shell.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace dlcov
