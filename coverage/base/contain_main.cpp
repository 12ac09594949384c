// dlcov-contain: runs one command, and when it has ended, ends everything it left behind.
//
//   dlcov-contain [--grace-ms N] [--report-fd FD] -- PROGRAM [ARG...]
//
// A test that leaves its process group (a shell's `setsid executor &`) is out of reach of a
// timeout or a clean-up that signals the group, and kept running after its execution (and its
// campaign) ended, writing coverage after the last fold. The supervisor is a child subreaper
// (prctl PR_SET_CHILD_SUBREAPER): whatever the command starts stays its descendant, however it
// detaches (setsid, double fork), because orphans are re-parented to it rather than to init. So:
//
// - It forks PROGRAM (execv: no PATH search, a relative path is relative to the working folder, as
//   posix_spawn in dlcov's process module treats it) into a process group of its own
//   (the command's group, as the caller's process module gives every child one) and waits for it.
// - When PROGRAM has ended, every remaining descendant (found through /proc: the processes whose
//   parent chain leads here) gets SIGTERM, and SIGKILL if it still runs after the grace; all of
//   them are reaped. Then the supervisor ends as PROGRAM ended: the same exit code, or the same
//   signal raised on itself (without a core dump of its own), so any caller's classification of
//   exit codes, crashes and timeouts stays what it was without the supervisor.
// - SIGTERM, SIGINT or SIGHUP to the supervisor (a caller's timeout or stop) is passed to the
//   command's group and to every descendant outside it, once each; SIGKILL follows to all of them
//   when the grace has passed (at once with --grace-ms 0). A caller signals the supervisor alone.
// - If the supervisor's parent dies (a harness SIGKILLed), the supervisor gets SIGTERM
//   (PR_SET_PDEATHSIG) and stops the whole tree as above; PROGRAM gets SIGKILL should the
//   supervisor itself die (PR_SET_PDEATHSIG of PROGRAM).
// - --report-fd FD: a pipe to the caller, close-on-exec here (PROGRAM does not inherit it). Two
//   ints, native byte order: first errno of starting PROGRAM (0: started; otherwise the
//   supervisor exits 127 right after), then PROGRAM's wait status as soon as it has ended, before
//   the clean-up. The caller can tell when the test itself ended, and why, exactly as waitpid on
//   it would say; without the fd, a start error is printed and the exit is 127 (as a shell's).
//
// Not covered (no cgroups are used): a supervisor killed with SIGKILL from outside (not by its
// parent's death) leaves escaped processes to the next subreaper up or init (PROGRAM itself still
// dies, by PR_SET_PDEATHSIG); a descendant that SIGKILL cannot end (uninterruptible sleep) is
// left after kGiveUp.
#include "process_table.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const int kStopSignals[] = {SIGTERM, SIGINT, SIGHUP};
// A descendant that SIGKILL cannot end (uninterruptible sleep) is left after this long.
const auto kGiveUp = std::chrono::seconds(5);

[[noreturn]] void usage(const std::string& message) {
    fprintf(stderr, "dlcov-contain: %s\nusage: dlcov-contain [--grace-ms N] [--report-fd FD] -- PROGRAM [ARG...]\n",
            message.c_str());
    exit(125);
}

bool write_int(int fd, int value) {
    if (fd < 0) return true;
    return write(fd, &value, sizeof value) == ssize_t(sizeof value);
}

class Supervisor {
public:
    Supervisor(milliseconds grace, int report_fd) : grace_(grace), report_fd_(report_fd) {
        // Writing to a caller that is gone must not kill the supervisor; the command gets the
        // SIGPIPE disposition the supervisor was started with.
        sigaction(SIGPIPE, nullptr, &sigpipe_);
        signal(SIGPIPE, SIG_IGN);
    }

    // Starts `argv` and returns 0, or the errno of a failed start.
    int start(std::vector<char*>& argv) {
        int errors[2];
        if (pipe2(errors, O_CLOEXEC) != 0) return errno;
        const pid_t self = getpid();
        child_ = fork();
        if (child_ < 0) {
            int e = errno;
            close(errors[0]);
            close(errors[1]);
            return e;
        }
        if (child_ == 0) {
            setpgid(0, 0);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != self) _exit(127);  // the supervisor is gone already
            sigaction(SIGPIPE, &sigpipe_, nullptr);
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, nullptr);
            execv(argv[0], argv.data());
            int e = errno;
            ssize_t ignored = write(errors[1], &e, sizeof e);
            (void)ignored;
            _exit(127);
        }
        setpgid(child_, child_);  // as the child does: whichever runs first, the group exists after
        close(errors[1]);
        int e = 0;
        ssize_t n;
        while ((n = read(errors[0], &e, sizeof e)) < 0 && errno == EINTR) {
        }
        close(errors[0]);
        if (n != ssize_t(sizeof e)) e = 0;  // EOF: the exec succeeded
        if (e != 0) {
            int status = 0;
            while (waitpid(child_, &status, 0) < 0 && errno == EINTR) {
            }
        }
        return e;
    }

    // Waits for the command, passing stop signals on; then ends what it left behind.
    void run() {
        sigset_t waited;
        sigemptyset(&waited);
        sigaddset(&waited, SIGCHLD);
        for (int sig : kStopSignals) sigaddset(&waited, sig);
        while (true) {
            reap();
            if (child_done_) break;
            timespec wait_for{};
            timespec* timeout = nullptr;
            if (stopping_ && !killed_) {
                auto left = stop_deadline_ - Clock::now();
                if (left <= Clock::duration::zero()) {
                    signal_all(SIGKILL);
                    killed_ = true;
                    continue;
                }
                auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
                wait_for.tv_sec = ns / 1000000000;
                wait_for.tv_nsec = ns % 1000000000;
                timeout = &wait_for;
            }
            siginfo_t info;
            int sig = sigtimedwait(&waited, &info, timeout);
            if (sig > 0 && sig != SIGCHLD && !stopping_) {
                stopping_ = true;
                stop_deadline_ = Clock::now() + grace_;
                killed_ = grace_.count() <= 0;
                signal_all(killed_ ? SIGKILL : sig);
            }
        }
        clean_up();
    }

    // Ends the supervisor as the command ended.
    [[noreturn]] void exit_as_child() {
        if (WIFSIGNALED(child_status_)) {
            const int sig = WTERMSIG(child_status_);
            // Pending stop signals must not end the supervisor instead: ignoring discards them.
            for (int s : kStopSignals) signal(s, SIG_IGN);
            signal(sig, SIG_DFL);
            // No core dump of the supervisor's own: a core limit of 1 turns off both core files
            // and piped core handlers (core(5)).
            rlimit one{1, 1};
            setrlimit(RLIMIT_CORE, &one);
            raise(sig);
            sigset_t just;
            sigemptyset(&just);
            sigaddset(&just, sig);
            sigprocmask(SIG_UNBLOCK, &just, nullptr);
            _exit(128 + sig);  // a signal whose default is not to end the process
        }
        _exit(WIFEXITED(child_status_) ? WEXITSTATUS(child_status_) : 1);
    }

private:
    // Reaps every ended child: the command, and whatever was re-parented here and ended.
    void reap() {
        int status = 0;
        for (pid_t w; (w = waitpid(-1, &status, WNOHANG)) > 0;) {
            if (w != child_ || child_done_) continue;
            child_done_ = true;
            child_status_ = status;
            write_int(report_fd_, status);
            if (report_fd_ >= 0) close(report_fd_);
            report_fd_ = -1;
        }
    }

    // Any child left, ended or not. Every live descendant has one: its chain of parents leads
    // here, or it was re-parented here when a link of the chain ended.
    static bool has_children() {
        siginfo_t info{};
        return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
    }

    // `sig` to the command's group (while the command runs, its group is its own) and to every
    // descendant outside it, each once.
    void signal_all(int sig) {
        if (!child_done_) kill(-child_, sig);
        for (pid_t pid : dlcov::descendant_processes(getpid()))
            if (child_done_ || getpgid(pid) != child_) kill(pid, sig);
    }

    bool any_running() const {
        for (pid_t pid : dlcov::descendant_processes(getpid()))
            if (dlcov::process_running(pid)) return true;
        return false;
    }

    // The command has ended: SIGTERM to what is left (unless a stop signal sent it already),
    // SIGKILL to what still runs after the grace, everything reaped.
    void clean_up() {
        reap();
        if (!has_children()) return;  // the common case: no /proc walk at all
        if (!stopping_) {
            stopping_ = true;
            stop_deadline_ = Clock::now() + grace_;
            if (grace_.count() > 0) signal_all(SIGTERM);
        }
        while (!killed_ && Clock::now() < stop_deadline_) {
            reap();
            if (!has_children() || !any_running()) break;
            std::this_thread::sleep_for(milliseconds(10));
        }
        const auto give_up = Clock::now() + kGiveUp;
        while (true) {
            reap();
            if (!has_children() || Clock::now() > give_up) return;
            for (pid_t pid : dlcov::descendant_processes(getpid()))
                if (dlcov::process_running(pid)) kill(pid, SIGKILL);
            std::this_thread::sleep_for(milliseconds(5));
        }
    }

    const milliseconds grace_;
    int report_fd_;
    struct sigaction sigpipe_ {};
    pid_t child_ = 0;
    bool child_done_ = false;
    int child_status_ = 0;
    bool stopping_ = false, killed_ = false;
    Clock::time_point stop_deadline_;
};

long number(const char* text, const char* option) {
    char* end = nullptr;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || !*text || *end || value < 0) usage(std::string(option) + " wants a number, not '" + text + "'");
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    // Stop signals wait until the supervisor is ready for them (a caller may block them across
    // the exec already, as dlcov's process module does).
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGCHLD);
    for (int sig : kStopSignals) sigaddset(&blocked, sig);
    sigprocmask(SIG_BLOCK, &blocked, nullptr);
    // The caller's death (a harness SIGKILLed) is a stop signal like its timeout: SIGTERM to the
    // whole tree, SIGKILL after the grace. Blocked above, so it waits for sigtimedwait below.
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return 125;  // the parent died before the line above
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    long grace_ms = 1000;
    int report_fd = -1;
    int i = 1;
    for (; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (i + 1 >= argc) usage("missing value after " + arg);
        if (arg == "--grace-ms") grace_ms = number(argv[++i], "--grace-ms");
        else if (arg == "--report-fd") report_fd = int(number(argv[++i], "--report-fd"));
        else usage("unknown option " + arg);
    }
    if (i >= argc) usage("no command after --");
    if (report_fd >= 0 && fcntl(report_fd, F_SETFD, FD_CLOEXEC) != 0) usage("--report-fd " + std::to_string(report_fd) + ": not open");
    std::vector<char*> command(argv + i, argv + argc);
    command.push_back(nullptr);

    Supervisor supervisor{milliseconds(grace_ms), report_fd};
    int start_error = supervisor.start(command);
    write_int(report_fd, start_error);  // a caller that is gone gets nothing (EPIPE, not SIGPIPE)
    if (start_error != 0) {
        if (report_fd < 0) fprintf(stderr, "dlcov-contain: cannot start %s: %s\n", command[0], strerror(start_error));
        return 127;
    }
    supervisor.run();
    supervisor.exit_as_child();
}
