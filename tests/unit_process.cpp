// The process module (coverage/base/process.h): exit codes and signals, timeouts that kill a whole
// process group, the output cap, shell quoting, the process-tree kill a campaign stops with, and
// the supervisor (dlcov-contain) that ends and reaps what a child leaves behind outside its group.
#include "process.h"
#include "test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;
using Catch::StartsWith;
using Strings = std::vector<std::string>;

namespace {

ProcessResult shell(const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.timeout = timeout;
    return run_process(spec);
}

// Running and not a zombie (a killed process whose parent is gone may linger as one until reaped).
bool alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t paren = text.rfind(')');
    return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// Waits up to 5 s for `pid` to be gone.
bool ends_soon(pid_t pid) {
    for (int i = 0; i < 500 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return !alive(pid);
}

// The pid a child wrote to `path`, waiting up to 5 s for it.
pid_t pid_written_to(const std::string& path) {
    for (int i = 0; i < 500; ++i) {
        std::ifstream in(path);
        pid_t pid = 0;
        if (in >> pid && pid > 0) return pid;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("no pid in " << path);
    return 0;
}

// The process group `pid` is in, as /proc says.
pid_t process_group_of(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    char state = 0;
    long ppid = 0, pgrp = 0;
    sscanf(text.c_str() + text.rfind(')') + 1, " %c %ld %ld", &state, &ppid, &pgrp);
    return pid_t(pgrp);
}

}  // namespace

TEST_CASE("run_process reports the exit code and captures stdout and stderr in order", "[process]") {
    ProcessResult r = shell("echo out; echo err >&2; exit 3");
    CHECK(r.outcome == ProcessResult::Exited);
    CHECK(r.exit_code == 3);
    CHECK(r.shell_exit_code() == 3);
    CHECK(r.describe() == "exit 3");
    CHECK(r.output == "out\nerr\n");
    CHECK(r.output_dropped == 0);

    ProcessResult ok = shell("true");
    CHECK(ok.describe() == "exit 0");
    CHECK(ok.shell_exit_code() == 0);
}

TEST_CASE("run_process reports a child killed by a signal, and 128+N as a shell would", "[process]") {
    ProcessResult r = shell("kill -SEGV $$");
    CHECK(r.outcome == ProcessResult::Signaled);
    CHECK(r.signal == SIGSEGV);
    CHECK(r.shell_exit_code() == 128 + SIGSEGV);
    CHECK_THAT(r.describe(), StartsWith("signal 11 ("));
}

TEST_CASE("run_process passes environment and working folder, stdin is empty", "[process]") {
    std::string dir = fs::canonical(scratch_dir("process_env")).string();
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "echo \"$DLCOV_PROCESS_TEST\"; pwd; cat"};
    spec.env["DLCOV_PROCESS_TEST"] = "a value";
    spec.working_dir = dir;
    ProcessResult r = run_process(spec);
    CHECK(r.describe() == "exit 0");
    CHECK(r.output == "a value\n" + dir + "\n");
    CHECK(getenv("DLCOV_PROCESS_TEST") == nullptr);  // the caller's environment is untouched
}

TEST_CASE("run_process throws when the program cannot be started", "[process]") {
    ProcessSpec spec;
    spec.argv = {"/nonexistent/dlcov-no-such-program"};
    CHECK_THROWS_WITH(run_process(spec), Contains("cannot start /nonexistent/dlcov-no-such-program"));
    CHECK_THROWS(run_process(ProcessSpec{}));
    // No PATH search (a relative path is relative to the working folder), contained or not.
    for (bool contain : {true, false}) {
        spec.argv = {"sh", "-c", "true"};
        spec.contain = contain;
        CHECK_THROWS_WITH(run_process(spec), Contains("cannot start sh: No such file or directory"));
        spec.argv = {"./sh", "-c", "exit 4"};
        spec.working_dir = "/bin";
        CHECK(run_process(spec).describe() == "exit 4");
        spec.working_dir = "";
    }
}

TEST_CASE("a timeout kills the child's whole process group, grandchildren too", "[process]") {
    std::string dir = scratch_dir("process_timeout");
    std::string pid_file = dir + "/grandchild.pid";
    auto start = std::chrono::steady_clock::now();
    // The grandchild keeps the output pipe open: run_process must not wait for it either.
    ProcessResult r = shell("sleep 60 & echo $! > " + shell_quote(pid_file) + "; sleep 60", std::chrono::milliseconds(500));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(r.outcome == ProcessResult::TimedOut);
    // The group gets SIGTERM first (ProcessSpec::term_grace); the shell ends by it.
    CHECK(r.signal == SIGTERM);
    CHECK(r.shell_exit_code() == 143);
    CHECK_THAT(r.describe(), StartsWith("timeout after"));
    CHECK(seconds < 10);
    CHECK(ends_soon(pid_written_to(pid_file)));
}

TEST_CASE("a timed-out group that ignores SIGTERM is killed when the grace has passed", "[process]") {
    std::string dir = scratch_dir("process_timeout_ignored");
    std::string pid_file = dir + "/grandchild.pid";
    ProcessSpec spec;
    // Ignored signals stay ignored across exec: the grandchild ignores SIGTERM too.
    spec.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 60 & echo $! > " + shell_quote(pid_file) + "; sleep 60"};
    spec.timeout = std::chrono::milliseconds(300);
    spec.term_grace = std::chrono::milliseconds(700);
    ProcessResult r = run_process(spec);
    CHECK(r.outcome == ProcessResult::TimedOut);
    CHECK(r.signal == SIGKILL);
    CHECK(r.shell_exit_code() == 137);
    CHECK(r.seconds >= 0.95);  // the timeout, then the whole grace
    CHECK(r.seconds < 10);
    CHECK(ends_soon(pid_written_to(pid_file)));

    // No grace: SIGKILL at once.
    spec.term_grace = std::chrono::milliseconds(0);
    auto start = std::chrono::steady_clock::now();
    ProcessResult now = run_process(spec);
    CHECK(now.outcome == ProcessResult::TimedOut);
    CHECK(now.signal == SIGKILL);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 0.9);
}

TEST_CASE("what a child leaves in its group gets SIGTERM, and SIGKILL only if it stays", "[process]") {
    std::string dir = scratch_dir("process_leftovers");
    std::string marker = dir + "/terminated";
    // The child exits at once; the process it leaves behind writes a file when it is terminated.
    ProcessResult r = shell("sh -c 'trap \"echo bye > " + marker + "; exit 0\" TERM; sleep 60 & wait' & sleep 0.3");
    CHECK(r.describe() == "exit 0");
    CHECK(r.seconds < 5);
    CHECK(fs::exists(marker));
}

TEST_CASE("a child gets its own process group unless it is to stay in the caller's", "[process]") {
    ProcessResult own = shell("cut -d' ' -f5 /proc/$$/stat; echo $$");
    pid_t group = 0, pid = 0;
    sscanf(own.output.c_str(), "%d %d", &group, &pid);
    CHECK(group == pid);

    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "cut -d' ' -f5 /proc/$$/stat"};
    spec.own_process_group = false;
    spec.timeout = std::nullopt;
    CHECK(run_process(spec).output == std::to_string(getpgrp()) + "\n");
}

TEST_CASE("the output cap keeps the first bytes of a flooding child and counts the rest", "[process]") {
    ProcessSpec spec;
    spec.argv = {"/usr/bin/head", "-c", "5000000", "/dev/zero"};
    spec.output_cap = 1000;
    ProcessResult r = run_process(spec);
    CHECK(r.describe() == "exit 0");
    CHECK(r.output == std::string(1000, '\0'));
    CHECK(r.output_dropped == 5000000 - 1000);

    // One that never stops is drained until its timeout, not stored.
    ProcessResult flood = shell("yes flood", std::chrono::milliseconds(500));
    CHECK(flood.outcome == ProcessResult::TimedOut);
    CHECK(flood.output.size() == ProcessSpec{}.output_cap);
    CHECK_THAT(flood.output, StartsWith("flood\nflood\n"));
    CHECK(flood.output_dropped > 0);
}

TEST_CASE("command_line quotes what a shell would change, and reads back the same through /bin/sh", "[process]") {
    CHECK(command_line({"/usr/bin/clang++", "-O1", "-o", "bin/a.out", "x=1,y:2%@+"}) ==
          "/usr/bin/clang++ -O1 -o bin/a.out x=1,y:2%@+");
    CHECK(command_line({"a b", "it's", ""}) == "'a b' 'it'\\''s' ''");

    Strings args = {"plain", "two words", "it's", "\"double\"", "$HOME", "`id`", "back\\slash", "", "*", "a;b|c&d",
                    "new\nline", "tab\there", "~", "!x", "{a,b}"};
    Strings argv = {"/usr/bin/printf", "%s\\0"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult r = shell(command_line(argv));
    REQUIRE(r.describe() == "exit 0");
    Strings read_back;
    for (size_t begin = 0, end; (end = r.output.find('\0', begin)) != std::string::npos; begin = end + 1)
        read_back.push_back(r.output.substr(begin, end - begin));
    CHECK(read_back == args);
}

TEST_CASE("kill_descendants stops the whole process tree, children in groups of their own too", "[process]") {
    const size_t before = descendant_processes().size();  // none, unless an earlier test left some
    std::string dir = scratch_dir("process_tree");
    std::string pid_file = dir + "/grandchild.pid";
    // As in a campaign: a tester in its own group starts an execution in another (here a session).
    ProcessResult tester;
    std::thread thread([&] {
        tester = shell("setsid sleep 60 & echo $! > " + shell_quote(pid_file) + "; wait", std::chrono::seconds(60));
    });
    pid_t grandchild = pid_written_to(pid_file);
    std::vector<pid_t> tree = descendant_processes();
    CHECK(std::count(tree.begin(), tree.end(), grandchild) == 1);
    CHECK(tree.size() == before + 3);  // the tester's supervisor (dlcov-contain), the tester, its execution
    // Wait for setsid to have moved the grandchild into a group of its own.
    for (int i = 0; i < 500 && process_group_of(grandchild) != grandchild; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(process_group_of(grandchild) == grandchild);

    auto start = std::chrono::steady_clock::now();
    CHECK(kill_descendants() == before + 3);
    thread.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(tester.outcome == ProcessResult::Signaled);
    CHECK(tester.signal == SIGTERM);  // first SIGTERM, so that Python processes can save coverage
    CHECK(seconds < 10);
    CHECK(ends_soon(grandchild));
    CHECK(descendant_processes().size() == before);
}

TEST_CASE("kill_descendants sends SIGKILL after the grace to what ignores SIGTERM", "[process]") {
    const size_t before = descendant_processes().size();
    std::string dir = scratch_dir("process_tree_term");
    std::string ready = dir + "/ready";
    ProcessResult stubborn;
    std::thread thread([&] {
        stubborn = shell("trap '' TERM; echo > " + shell_quote(ready) + "; sleep 60", std::chrono::seconds(60));
    });
    for (int i = 0; i < 500 && !fs::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // sleep has started
    auto start = std::chrono::steady_clock::now();
    CHECK(kill_descendants(std::chrono::milliseconds(500)) == before + 3);  // supervisor, shell, sleep
    thread.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(stubborn.outcome == ProcessResult::Signaled);
    CHECK(stubborn.signal == SIGKILL);
    CHECK(seconds >= 0.45);
    CHECK(seconds < 5);
    CHECK(descendant_processes().size() == before);
}

// What leaves the child's process group (setsid, as a shell's `setsid executor &` does) is out of
// reach of the group's signals: the supervisor ends it (SIGTERM, SIGKILL after the grace) and
// reaps it when the child ends, before run_process returns.
namespace {

// A shell command that starts a process in a session of its own which ignores SIGTERM, and
// returns once that process has written its pid to `pid_file` (so it ignores SIGTERM by then).
std::string stubborn_escape(const std::string& pid_file) {
    return "setsid sh -c \"trap '' TERM; echo \\$\\$ > " + shell_quote(pid_file) + "; exec sleep 60\" & "
           "while [ ! -s " + shell_quote(pid_file) + " ]; do sleep 0.01; done";
}

}  // namespace

TEST_CASE("a process that leaves the child's group is ended and reaped when the child ends", "[process][contain]") {
    std::string dir = scratch_dir("process_escaped");
    std::string pid_file = dir + "/escaped.pid";
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = shell("setsid sh -c 'sleep 30' & echo $! > " + shell_quote(pid_file));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    pid_t escaped = pid_written_to(pid_file);
    CHECK(r.describe() == "exit 0");
    CHECK(seconds < 5);
    CHECK_FALSE(alive(escaped));  // gone when run_process returns, not some time later
    CHECK_FALSE(fs::exists("/proc/" + std::to_string(escaped)));  // and reaped, no zombie left
    if (alive(escaped)) kill(-escaped, SIGKILL);  // uncontained: the session it leads, its sleep too

    // One that ignores SIGTERM gets SIGKILL after the grace; the exit status stays the child's.
    ProcessSpec spec;
    const std::string stubborn_file = dir + "/stubborn.pid";
    spec.argv = {"/bin/sh", "-c", stubborn_escape(stubborn_file) + "; exit 5"};
    spec.term_grace = std::chrono::milliseconds(300);
    ProcessResult stubborn = run_process(spec);
    escaped = pid_written_to(stubborn_file);
    CHECK(stubborn.describe() == "exit 5");
    CHECK(stubborn.seconds >= 0.25);
    CHECK(stubborn.seconds < 5);
    CHECK_FALSE(fs::exists("/proc/" + std::to_string(escaped)));
    if (alive(escaped)) kill(escaped, SIGKILL);
}

TEST_CASE("a timeout stops what left the child's group too, and a hung escaped process cannot hang it",
          "[process][contain]") {
    std::string dir = scratch_dir("process_escaped_timeout");
    std::string pid_file = dir + "/escaped.pid";
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", stubborn_escape(pid_file) + "; sleep 60"};
    spec.timeout = std::chrono::milliseconds(300);
    spec.term_grace = std::chrono::milliseconds(300);
    ProcessResult r = run_process(spec);
    pid_t escaped = pid_written_to(pid_file);
    CHECK(r.outcome == ProcessResult::TimedOut);
    CHECK(r.signal == SIGTERM);  // the child's own end: its shell ended by the timeout's SIGTERM
    CHECK(r.seconds < 3);
    CHECK_FALSE(fs::exists("/proc/" + std::to_string(escaped)));
    if (alive(escaped)) kill(escaped, SIGKILL);

    // A child that ended before its timeout is not a timeout, however long its leftovers take.
    const std::string early_file = dir + "/early.pid";
    spec.argv = {"/bin/sh", "-c", stubborn_escape(early_file) + "; sleep 0.2"};
    spec.timeout = std::chrono::milliseconds(400);
    spec.term_grace = std::chrono::milliseconds(700);
    ProcessResult early = run_process(spec);
    escaped = pid_written_to(early_file);
    CHECK(early.describe() == "exit 0");
    CHECK(early.seconds >= 0.85);  // the child's 0.2 s, then the whole grace for the leftover
    CHECK_FALSE(fs::exists("/proc/" + std::to_string(escaped)));
    if (alive(escaped)) kill(escaped, SIGKILL);
}

TEST_CASE("contain: false leaves an escaped process running, as before the supervisor", "[process][contain]") {
    std::string pid_file = scratch_dir("process_uncontained") + "/escaped.pid";
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", "setsid sleep 30 & echo $! > " + shell_quote(pid_file)};
    spec.contain = false;
    CHECK(run_process(spec).describe() == "exit 0");
    pid_t escaped = pid_written_to(pid_file);
    CHECK(alive(escaped));
    kill(escaped, SIGKILL);
    CHECK(ends_soon(escaped));
}

TEST_CASE("dlcov-contain ends as its command ended, and says so when it cannot start it", "[process][contain]") {
    const std::string& supervisor = contain_supervisor();
    REQUIRE_FALSE(supervisor.empty());
    CHECK(fs::path(supervisor).parent_path() == fs::path(DLCOV_EXE).parent_path());
    auto run = [&](Strings command) {
        ProcessSpec spec;
        spec.argv = {supervisor, "--grace-ms", "200", "--"};
        spec.argv.insert(spec.argv.end(), command.begin(), command.end());
        spec.contain = false;
        return run_process(spec);
    };
    CHECK(run({"/bin/sh", "-c", "exit 3"}).describe() == "exit 3");
    ProcessResult segv = run({"/bin/sh", "-c", "kill -SEGV $$"});
    CHECK(segv.outcome == ProcessResult::Signaled);
    CHECK(segv.signal == SIGSEGV);
    ProcessResult missing = run({"/nonexistent/dlcov-no-such-program"});
    CHECK(missing.describe() == "exit 127");
    CHECK_THAT(missing.output, Contains("cannot start /nonexistent/dlcov-no-such-program"));
}

TEST_CASE("a supervisor whose parent is SIGKILLed stops its whole tree", "[process][contain]") {
    REQUIRE_FALSE(contain_supervisor().empty());
    std::string dir = scratch_dir("process_parent_killed");
    std::string parent_file = dir + "/parent.pid", pid_file = dir + "/escaped.pid";
    // The parent (a shell standing in for a harness) runs the supervisor (out of the parent's
    // group, so that only the parent's death can reach it), whose command leaves a process outside
    // its group that ignores SIGTERM.
    write_file(dir + "/tester.sh", "setsid sh -c \"trap '' TERM; echo \\$\\$ > $1; exec sleep 60\" & sleep 60\n");
    ProcessResult parent;
    std::thread thread([&] {
        ProcessSpec spec;
        spec.argv = {"/bin/sh", "-c",
                     "echo $$ > " + shell_quote(parent_file) + "; setsid " + shell_quote(contain_supervisor()) +
                         " --grace-ms 300 -- /bin/sh " + shell_quote(dir + "/tester.sh") + " " + shell_quote(pid_file) + " & wait"};
        spec.contain = false;
        spec.timeout = std::chrono::seconds(60);
        parent = run_process(spec);
    });
    pid_t escaped = pid_written_to(pid_file);
    REQUIRE(kill(pid_written_to(parent_file), SIGKILL) == 0);
    thread.join();
    CHECK(parent.signal == SIGKILL);
    CHECK(ends_soon(escaped));
    if (alive(escaped)) kill(escaped, SIGKILL);
}

// The cost of the supervisor per execution: `build/bin/dlcov_unit_tests "[.overhead]" -s`.
TEST_CASE("overhead of the supervisor per execution", "[.overhead]") {
    const int n = 200;
    auto per_run = [&](bool contain) {
        ProcessSpec spec;
        spec.argv = {"/bin/true"};
        spec.contain = contain;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) REQUIRE(run_process(spec).describe() == "exit 0");
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / n;
    };
    per_run(true);  // warm caches
    double plain = per_run(false), contained = per_run(true);
    WARN("per execution of /bin/true: " << plain << " ms uncontained, " << contained << " ms contained, overhead "
                                          << contained - plain << " ms");
}
