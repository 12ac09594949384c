#include "process.h"

#include "elapsed.h"
#include "process_table.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

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

// The supervisor's status fd in a contained child (contain_main.cpp).
constexpr int kReportFd = 3;
// How long after the grace a supervisor may take to end its tree before it is killed with it.
constexpr auto kSupervisorBackstop = std::chrono::seconds(10);

// One int from the supervisor's status pipe; false at its end (the supervisor ended without it).
bool read_int(int fd, int& value) {
    ssize_t n;
    while ((n = read(fd, &value, sizeof value)) < 0 && errno == EINTR) {
    }
    return n == ssize_t(sizeof value);
}

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

const std::string& contain_supervisor() {
    static const std::string path = [] {
        const char* env = getenv("DLCOV_CONTAIN");
        std::error_code ec;
        std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
        std::string candidate = env && *env ? std::string(env) : (fs::path(exe).parent_path() / "dlcov-contain").string();
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        fprintf(stderr, "%s: warning: no supervisor %s (%s): child processes that leave their process group are not contained\n",
                fs::path(exe).filename().c_str(), candidate.c_str(), env && *env ? "DLCOV_CONTAIN" : "next to the program");
        return std::string();
    }();
    return path;
}

// posix_spawn rather than Boost.Process (which dlcov no longer uses at all): Boost 1.74's
// wait_for is unreliable, and the caller needs a process group to kill and a pipe it can drain
// while watching the clock. The pipes are close-on-exec, so children started at the same time by
// other threads do not hold each other's pipes open.
//
// A contained child runs as `dlcov-contain --grace-ms G --report-fd 3 -- argv...`; fd 3 tells
// whether argv could be started (else run_process throws as posix_spawn would have) and then the
// child's own wait status as soon as it has ended. A timeout signals the supervisor alone (it
// passes SIGTERM to the whole tree and sends SIGKILL after the grace itself); only a supervisor
// that has not ended long after that is killed from here, with its whole tree.
ProcessResult run_process(const ProcessSpec& spec) {
    if (spec.argv.empty()) throw std::runtime_error("run_process: empty command");
    const std::string supervisor = spec.contain && spec.own_process_group ? contain_supervisor() : std::string();
    const bool contained = !supervisor.empty();
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + strerror(errno));
    int report_fds[2] = {-1, -1};
    if (contained && pipe2(report_fds, O_CLOEXEC) != 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        throw std::runtime_error(std::string("pipe: ") + strerror(errno));
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (spec.stdout_path.empty())
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    else
        posix_spawn_file_actions_addopen(&actions, 1, spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    if (contained) posix_spawn_file_actions_adddup2(&actions, report_fds[1], kReportFd);
    if (!spec.working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.working_dir.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | (spec.own_process_group ? POSIX_SPAWN_SETPGROUP : 0));
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t mask;
    sigemptyset(&mask);
    if (contained)  // until the supervisor waits for them (it gives the child an empty mask)
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&mask, sig);
    posix_spawnattr_setsigmask(&attr, &mask);

    std::vector<std::string> args;
    if (contained)
        args = {supervisor, "--grace-ms", std::to_string(std::max<long>(0, spec.term_grace.count())), "--report-fd",
                std::to_string(kReportFd), "--"};
    args.insert(args.end(), spec.argv.begin(), spec.argv.end());
    std::vector<std::string> env = merged_environment(spec.env);
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(pipe_fds[1]);
    if (contained) close(report_fds[1]);
    if (rc == 0 && contained) {
        // The supervisor says whether it could start the command.
        int start_error = 0;
        if (read_int(report_fds[0], start_error) && start_error != 0) {
            int ignored = 0;
            while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
            }
            rc = start_error;
        }
    }
    if (rc != 0) {
        close(pipe_fds[0]);
        if (contained) close(report_fds[0]);
        throw std::runtime_error("cannot start " + spec.argv[0] + ": " + strerror(rc));
    }
    // The whole group when the child has one: a tester's own children go too. A supervisor
    // passes it on to the whole tree.
    const pid_t kill_target = contained ? pid : spec.own_process_group ? -pid : pid;

    ProcessResult result;
    bool pipe_open = true, report_open = contained, exited = false, timed_out = false, killed = false;
    bool child_ended = false;  // contained: the supervisor reported the child's status
    int child_status = 0, status = 0;
    std::chrono::steady_clock::time_point term_sent, ended_at;
    bool backstop_fired = false;
    char buffer[65536];
    while (!exited) {
        auto now = std::chrono::steady_clock::now();
        if (!timed_out && !child_ended &&
            ((spec.timeout && now - start > *spec.timeout) || (spec.stop && spec.stop->load()))) {
            // SIGTERM first, so that what saves on it (coverage.py) does; SIGKILL after the grace.
            timed_out = true;
            term_sent = now;
            killed = spec.term_grace.count() <= 0;
            kill(kill_target, contained || !killed ? SIGTERM : SIGKILL);
        }
        if (!contained && timed_out && !killed && now - term_sent >= spec.term_grace) {
            killed = true;
            kill(kill_target, SIGKILL);
        }
        if (contained && !backstop_fired && (timed_out || child_ended) &&
            now - (child_ended ? ended_at : term_sent) >= spec.term_grace + kSupervisorBackstop) {
            // The supervisor should have ended the tree by now: end it and the supervisor.
            backstop_fired = true;
            for (pid_t p : descendant_processes(pid)) kill(p, SIGKILL);
            kill(pid, SIGKILL);
        }
        pollfd pfds[2];
        nfds_t n_fds = 0;
        if (pipe_open) pfds[n_fds++] = {pipe_fds[0], POLLIN, 0};
        if (report_open) pfds[n_fds++] = {report_fds[0], POLLIN, 0};
        if (n_fds > 0 && poll(pfds, n_fds, 20) > 0) {
            for (nfds_t i = 0; i < n_fds; ++i) {
                if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                if (pfds[i].fd == pipe_fds[0]) {
                    ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
                    if (n <= 0) pipe_open = false;
                    else capture(result, buffer, size_t(n), spec.output_cap);
                } else {
                    report_open = false;  // one status, then nothing
                    if (read_int(report_fds[0], child_status)) {
                        child_ended = true;
                        ended_at = std::chrono::steady_clock::now();
                    }
                }
            }
        } else if (n_fds == 0 && contained) {
            // The supervisor keeps the output pipe open until it exits: it has, or is exiting.
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            exited = true;
            continue;
        } else if (n_fds == 0) {
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
    if (contained) {
        // A status written just before the supervisor ended may not have been polled yet.
        if (report_open && !child_ended) {
            fcntl(report_fds[0], F_SETFL, O_NONBLOCK);
            child_ended = read_int(report_fds[0], child_status);
        }
        close(report_fds[0]);
        if (child_ended) status = child_status;  // the child's own end, not the supervisor's
    } else if (spec.own_process_group) {
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
