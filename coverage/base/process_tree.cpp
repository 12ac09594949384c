#include "process.h"

#include <dirent.h>
#include <fstream>
#include <map>
#include <signal.h>
#include <string>
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

size_t kill_descendants() {
    std::vector<pid_t> pids = descendant_processes();
    for (pid_t pid : pids) {
        if (getpgid(pid) == pid) kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    return pids.size();
}

}  // namespace dlcov
