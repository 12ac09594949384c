#include "process_table.h"

#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <string>

namespace dlcov {

namespace {

// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
// read(2), not std::ifstream: a process that ends between open and read makes the read fail
// (ESRCH), which libstdc++'s filebuf turns into an exception through istreambuf_iterator.
bool read_stat(const std::string& pid, char& state, long& ppid) {
    int fd = open(("/proc/" + pid + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[1024];
    ssize_t n = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (n <= 0) return false;
    std::string text(buffer, size_t(n));
    size_t paren = text.rfind(')');
    return paren != std::string::npos && sscanf(text.c_str() + paren + 1, " %c %ld", &state, &ppid) == 2;
}

// parent pid -> pid of every process visible in /proc.
std::multimap<pid_t, pid_t> children_by_parent() {
    std::multimap<pid_t, pid_t> out;
    DIR* proc = opendir("/proc");
    if (!proc) return out;
    while (dirent* e = readdir(proc)) {
        char* end = nullptr;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        char state = 0;
        long ppid = 0;
        if (read_stat(e->d_name, state, ppid)) out.emplace(pid_t(ppid), pid_t(pid));
    }
    closedir(proc);
    return out;
}

}  // namespace

std::vector<pid_t> descendant_processes(pid_t root) {
    std::multimap<pid_t, pid_t> tree = children_by_parent();
    std::vector<pid_t> out;
    std::vector<pid_t> todo = {root};
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

bool process_running(pid_t pid) {
    char state = 0;
    long ppid = 0;
    return read_stat(std::to_string(pid), state, ppid) && state != 'Z';
}

}  // namespace dlcov
