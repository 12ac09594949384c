// The process module (coverage/base/process.h): exit codes and signals, timeouts that kill a whole
// process group, the output cap, shell quoting, and the process-tree kill a campaign stops with.
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
    CHECK(tree.size() == before + 2);
    // Wait for setsid to have moved the grandchild into a group of its own.
    for (int i = 0; i < 500 && process_group_of(grandchild) != grandchild; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(process_group_of(grandchild) == grandchild);

    auto start = std::chrono::steady_clock::now();
    CHECK(kill_descendants() == before + 2);
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
    CHECK(kill_descendants(std::chrono::milliseconds(500)) == before + 2);
    thread.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(stubborn.outcome == ProcessResult::Signaled);
    CHECK(stubborn.signal == SIGKILL);
    CHECK(seconds >= 0.45);
    CHECK(seconds < 5);
    CHECK(descendant_processes().size() == before);
}
