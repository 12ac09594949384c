#include "process.h"

#include "elapsed.h"

#include <algorithm>
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

bool group_alive(pid_t group) { return kill(-group, 0) == 0 || errno == EPERM; }

// Keeps what fits under the cap and counts the rest.
void capture(ProcessResult& result, const char* data, size_t size, size_t cap) {
    size_t keep = std::min(size, cap - std::min(cap, result.output.size()));
    result.output.append(data, keep);
    result.output_dropped += size - keep;
}

}  // namespace

std::string ProcessResult::describe() const {
    switch (outcome) {
        case Exited: return "exit " + std::to_string(exit_code);
        case Signaled: return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
        case TimedOut: return "timeout after " + std::to_string(int(seconds)) + " s";
    }
    return "?";
}

int ProcessResult::shell_exit_code() const { return outcome == Exited ? exit_code : 128 + signal; }

// posix_spawn rather than Boost.Process (which dlcov no longer uses at all): Boost 1.74's
// wait_for is unreliable, and the caller needs a process group to kill and a pipe it can drain
// while watching the clock. The pipe is close-on-exec, so children started at the same time by
// other threads do not hold each other's pipes open.
ProcessResult run_process(const ProcessSpec& spec) {
    if (spec.argv.empty()) throw std::runtime_error("run_process: empty command");
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
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | (spec.own_process_group ? POSIX_SPAWN_SETPGROUP : 0));
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
    // The whole group when the child has one: a tester's own children go too.
    const pid_t kill_target = spec.own_process_group ? -pid : pid;

    ProcessResult result;
    bool pipe_open = true, exited = false, timed_out = false, killed = false;
    std::chrono::steady_clock::time_point term_sent;
    int status = 0;
    char buffer[65536];
    while (!exited) {
        auto now = std::chrono::steady_clock::now();
        if (!timed_out && ((spec.timeout && now - start > *spec.timeout) || (spec.stop && spec.stop->load()))) {
            // SIGTERM first, so that what saves on it (coverage.py) does; SIGKILL after the grace.
            timed_out = true;
            term_sent = now;
            kill(kill_target, spec.term_grace.count() > 0 ? SIGTERM : SIGKILL);
            killed = spec.term_grace.count() <= 0;
        }
        if (timed_out && !killed && now - term_sent >= spec.term_grace) {
            killed = true;
            kill(kill_target, SIGKILL);
        }
        if (pipe_open) {
            pollfd pfd{pipe_fds[0], POLLIN, 0};
            if (poll(&pfd, 1, 20) > 0) {
                ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
                if (n <= 0) pipe_open = false;
                else capture(result, buffer, size_t(n), spec.output_cap);
            }
        } else {
            usleep(5000);
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) exited = true;
    }
    // Drain what is left without blocking on grandchildren that still hold the pipe.
    fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    for (ssize_t n; pipe_open && (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
        capture(result, buffer, size_t(n), spec.output_cap);
    close(pipe_fds[0]);
    if (spec.own_process_group) {
        // Leftovers of the group, if any: SIGTERM (unless a timeout sent it already), then SIGKILL
        // to what is left when the grace has passed.
        bool waiting = timed_out && !killed;
        if (!timed_out && spec.term_grace.count() > 0) {
            term_sent = std::chrono::steady_clock::now();
            waiting = kill(-pid, SIGTERM) == 0;  // fails when nothing of the group is left
        }
        while (waiting && group_alive(pid) && std::chrono::steady_clock::now() - term_sent < spec.term_grace)
            usleep(5000);
        kill(-pid, SIGKILL);
    }

    result.seconds = seconds_since(start);
    if (timed_out) {
        result.outcome = ProcessResult::TimedOut;
        result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : killed ? SIGKILL : SIGTERM;
    } else if (WIFSIGNALED(status)) {
        result.outcome = ProcessResult::Signaled;
        result.signal = WTERMSIG(status);
    } else {
        result.exit_code = WEXITSTATUS(status);
    }
    return result;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& arg : argv) {
        bool plain = !arg.empty() &&
                     arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_=+./,:%@") == std::string::npos;
        std::string quoted = "'";
        for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        quoted += "'";
        line += (line.empty() ? "" : " ") + (plain ? arg : quoted);
    }
    return line;
}

}  // namespace dlcov
