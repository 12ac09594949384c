// Stopping everything the harness started. Children run in process groups of their own (so a
// terminal's Ctrl-C reaches only the harness, and a timeout kills a whole tester), and testers
// start executions in further groups; so stopping walks the process tree instead.
#pragma once
#include <sys/types.h>
#include <vector>

namespace dlcov {

// Every live descendant of the calling process (from /proc).
std::vector<pid_t> descendant_processes();

// Sends SIGKILL to every descendant and to the process group each of them leads. Returns how
// many there were. With continuous-mode coverage a killed execution keeps its counters.
size_t kill_descendants();

}  // namespace dlcov
