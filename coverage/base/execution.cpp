#include "execution.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dlcov {

namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string entry = *e;
        std::string key = entry.substr(0, entry.find('='));
        if (!extra.count(key)) env.push_back(entry);
    }
    for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

std::string ExecutionResult::describe() const {
    switch (outcome) {
        case Exited: return "exit " + std::to_string(exit_code);
        case Signaled: return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
        case TimedOut: return "timeout after " + std::to_string(int(seconds)) + " s";
    }
    return "?";
}

// posix_spawn rather than Boost.Process: Boost 1.74's wait_for is unreliable, and the harness
// needs a process group to kill and a pipe it can drain while watching the clock.
ExecutionResult execute(const ExecutionSpec& spec) {
    if (spec.argv.empty()) throw std::runtime_error("execute: empty command");
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + strerror(errno));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    if (!spec.working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.working_dir.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);

    std::vector<std::string> args = spec.argv;
    std::vector<std::string> env = merged_environment(spec.env);
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        throw std::runtime_error("cannot start " + spec.argv[0] + ": " + strerror(rc));
    }

    ExecutionResult result;
    bool pipe_open = true, exited = false, timed_out = false;
    int status = 0;
    char buffer[65536];
    while (!exited) {
        auto elapsed = std::chrono::steady_clock::now() - start;
        if (!timed_out && elapsed > spec.timeout) {
            timed_out = true;
            kill(-pid, SIGKILL);  // the whole group: a tester's own children go too
        }
        if (pipe_open) {
            pollfd pfd{pipe_fds[0], POLLIN, 0};
            if (poll(&pfd, 1, 20) > 0) {
                ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
                if (n <= 0) {
                    pipe_open = false;
                } else {
                    size_t keep = std::min(size_t(n), spec.output_cap - std::min(spec.output_cap, result.output.size()));
                    result.output.append(buffer, keep);
                    result.output_dropped += size_t(n) - keep;
                }
            }
        } else {
            usleep(5000);
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) exited = true;
    }
    // Drain what is left without blocking on grandchildren that still hold the pipe.
    fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    for (ssize_t n; pipe_open && (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
        size_t keep = std::min(size_t(n), spec.output_cap - std::min(spec.output_cap, result.output.size()));
        result.output.append(buffer, keep);
        result.output_dropped += size_t(n) - keep;
    }
    close(pipe_fds[0]);
    kill(-pid, SIGKILL);  // leftovers of the group, if any

    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (timed_out) {
        result.outcome = ExecutionResult::TimedOut;
        result.signal = SIGKILL;
    } else if (WIFSIGNALED(status)) {
        result.outcome = ExecutionResult::Signaled;
        result.signal = WTERMSIG(status);
    } else {
        result.exit_code = WEXITSTATUS(status);
    }
    return result;
}

}  // namespace dlcov
