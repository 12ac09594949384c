#include "process.h"

#include <dirent.h>
#include <fstream>
#include <map>
#include <signal.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace dlcov {

namespace {

// pid -> parent pid of every process visible in /proc.
std::multimap<pid_t, pid_t> children_by_parent() {
    std::multimap<pid_t, pid_t> out;
    DIR* proc = opendir("/proc");
    if (!proc) return out;
    while (dirent* e = readdir(proc)) {
        char* end = nullptr;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so skip to the last ')'.
        size_t paren = text.rfind(')');
        if (paren == std::string::npos) continue;
        char state = 0;
        long ppid = 0;
        if (sscanf(text.c_str() + paren + 1, " %c %ld", &state, &ppid) != 2) continue;
        out.emplace(pid_t(ppid), pid_t(pid));
    }
    closedir(proc);
    return out;
}

}  // namespace

std::vector<pid_t> descendant_processes() {
    std::multimap<pid_t, pid_t> tree = children_by_parent();
    std::vector<pid_t> out;
    std::vector<pid_t> todo = {getpid()};
    while (!todo.empty()) {
        pid_t parent = todo.back();
        todo.pop_back();
        auto [first, last] = tree.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            out.push_back(it->second);
            todo.push_back(it->second);
        }
    }
    return out;
}

namespace {

void signal_process_and_group(pid_t pid, int sig) {
    if (getpgid(pid) == pid) kill(-pid, sig);
    kill(pid, sig);
}

// Running, not a zombie waiting for its parent's wait().
bool running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t paren = text.rfind(')');
    return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

}  // namespace

size_t kill_descendants(std::chrono::milliseconds grace) {
    std::vector<pid_t> pids = descendant_processes();
    if (grace.count() > 0) {
        for (pid_t pid : pids) signal_process_and_group(pid, SIGTERM);
        auto deadline = std::chrono::steady_clock::now() + grace;
        auto any_running = [&] {
            for (pid_t pid : pids)
                if (running(pid)) return true;
            return false;
        };
        while (any_running() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (pid_t pid : pids)
        if (running(pid)) signal_process_and_group(pid, SIGKILL);
    return pids.size();
}

}  // namespace dlcov
