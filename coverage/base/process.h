// Child processes, the one way dlcov starts and stops them: compiler runs and layout probes in
// instrument/, testers and generated tests in runners/, and the campaign's stop.
//
// A child cannot take its caller down: it gets its own process group (so a terminal's Ctrl-C
// reaches only the caller, and a timeout stops everything the child started), an optional
// wall-clock timeout after which the whole group is stopped, stdin from /dev/null, and its output
// is captured up to a cap (a flooding child is drained, not stored).
//
// Stopping is SIGTERM to the group, then SIGKILL to what is left after a grace period: a process
// that saves its coverage on SIGTERM (coverage.py with dlcov's hook) keeps it; clang's continuous
// mode keeps its counters either way. Processes the child left behind in its group when it ended
// are stopped the same way.
//
// Containment (ProcessSpec::contain, on by default for a child in its own group): the child runs
// under the supervisor `dlcov-contain` (contain_main.cpp), a child subreaper, so a process that
// leaves the group (a shell's `setsid executor &`, a daemon's double fork) is still stopped by a
// timeout and ended (SIGTERM, SIGKILL after the grace) and reaped when the child ends: no process
// of an execution outlives it, so its coverage is complete when the execution returns. The result
// is the child's own (exit code, signal, timeout), as without the supervisor.
#pragma once
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace dlcov {

struct ProcessSpec {
    std::vector<std::string> argv;             // argv[0] is an absolute path (no PATH search, no shell)
    std::map<std::string, std::string> env;    // added to (or replacing in) the caller's environment
    std::string working_dir;                   // "" = the caller's
    std::optional<std::chrono::milliseconds> timeout = std::chrono::seconds(60);  // nullopt: none
    size_t output_cap = 64 * 1024;             // bytes of stdout+stderr kept
    // "" keeps stdout with stderr in ProcessResult::output; else stdout goes to this file (created
    // or truncated) and the output is stderr alone: for a child whose stdout is data (gcov -t).
    std::string stdout_path;
    // false keeps the child in the caller's process group, so a terminal's Ctrl-C stops both
    // (compiler runs of `dlcov instrument`); a timeout then kills the child alone.
    bool own_process_group = true;
    // After a timeout's SIGTERM, how long the group has to end before SIGKILL (0: SIGKILL at once).
    std::chrono::milliseconds term_grace = std::chrono::seconds(1);
    // With own_process_group: run under dlcov-contain, so that processes the child started and
    // that left its group are stopped by a timeout, and ended and reaped when the child ends
    // (SIGTERM, SIGKILL after term_grace), before run_process returns. Without the supervisor
    // (contain_supervisor() is ""), the child runs uncontained.
    bool contain = true;
    // When this becomes true the child is stopped as a timeout stops it (the caller gave up on it).
    const std::atomic<bool>* stop = nullptr;
};

struct ProcessResult {
    enum Outcome { Exited, Signaled, TimedOut } outcome = Exited;
    int exit_code = 0;          // when Exited
    int signal = 0;             // when Signaled; when TimedOut, the signal the child ended by (SIGTERM,
                                // or SIGKILL after the grace; a child that exits on SIGTERM: SIGTERM)
    std::string output;         // stdout and stderr together, in the order printed: the first output_cap bytes
    size_t output_dropped = 0;  // bytes past the cap
    double seconds = 0;

    // "exit 0", "exit 3", "signal 11 (Segmentation fault)", "timeout after 60 s"
    std::string describe() const;
    // What a shell's $? would say: the exit code, or 128+N after signal N (143 or 137 after a timeout).
    int shell_exit_code() const;
};

// Runs `spec` to its end. Throws std::runtime_error only when the child cannot be started at all.
// Safe to call from several threads at once.
ProcessResult run_process(const ProcessSpec& spec);

// The supervisor contained children run under: $DLCOV_CONTAIN when set, else `dlcov-contain` next
// to the running program (/proc/self/exe); "" (and one warning on stderr) when there is none.
// Testers get DLCOV_CONTAIN from the live runner, so a Python tester's executions (runners/pykit)
// are contained by the same program.
const std::string& contain_supervisor();

// `argv` as one line a user can paste into a shell (arguments single-quoted where needed).
std::string command_line(const std::vector<std::string>& argv);

// Every live descendant of the calling process (from /proc): children in process groups of their
// own start further groups (a tester starts its executions so), so stopping them all walks the
// process tree rather than one group.
std::vector<pid_t> descendant_processes();

// Stops every descendant and the process group each of them leads: SIGTERM, then SIGKILL to what
// still runs after `grace` (0: SIGKILL at once), as a timeout stops one execution, so a Python
// process under dlcov's coverage hook saves what it covered. Returns how many there were.
// Continuous-mode LLVM coverage keeps a killed execution's counters either way.
size_t kill_descendants(std::chrono::milliseconds grace = std::chrono::seconds(1));

}  // namespace dlcov
