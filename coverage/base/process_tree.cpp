#include "process.h"
#include "process_table.h"

#include <signal.h>
#include <thread>
#include <unistd.h>

namespace dlcov {

std::vector<pid_t> descendant_processes() { return descendant_processes(getpid()); }

namespace {

void signal_process_and_group(pid_t pid, int sig) {
    if (getpgid(pid) == pid) kill(-pid, sig);
    kill(pid, sig);
}

}  // namespace

size_t kill_descendants(std::chrono::milliseconds grace) {
    std::vector<pid_t> pids = descendant_processes();
    if (grace.count() > 0) {
        for (pid_t pid : pids) signal_process_and_group(pid, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + grace;
        auto any_running = [&] {
            for (pid_t pid : pids)
                if (process_running(pid)) return true;
            return false;
        };
        while (any_running() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (pid_t pid : pids)
        if (process_running(pid)) signal_process_and_group(pid, SIGKILL);
    return pids.size();
}

}  // namespace dlcov
