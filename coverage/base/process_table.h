// The processes /proc shows, for dlcov's two uses of the process tree: the campaign's stop
// (kill_descendants in process.h) and the execution supervisor `dlcov-contain`
// (contain_main.cpp), which links this and nothing else of dlcov's.
#pragma once
#include <sys/types.h>
#include <unistd.h>
#include <vector>

namespace dlcov {

// Every live descendant of `root` (from /proc; zombies included): its children, theirs, and so
// on, whatever process group or session they are in. A snapshot: what forks meanwhile is not in it.
std::vector<pid_t> descendant_processes(pid_t root);

// Running, not a zombie waiting for its parent's wait() (and not gone).
bool process_running(pid_t pid);

}  // namespace dlcov
