// The campaign engine on real executions of a tiny instrumented fake framework (built with
// `dlcov instrument` in a few seconds): crashing, hanging, killed and flooding children, parallel
// trials, coverage snapshots, Ctrl-C and SIGKILL of the harness with resume.
#include "campaign_config.h"
#include "campaign_folder.h"
#include "campaign_owner.h"
#include "campaign_store.h"
#include "error.h"
#include "finding.h"
#include "outside_text.h"
#include "running_coverage.h"
#include "trial_events.h"
#include "test_support.h"
#include "yaml_config.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <regex>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;

extern char** environ;

namespace {

// A fake framework whose every behaviour lives in its own header, mapped to its own component,
// so a snapshot's per-component numbers show which behaviour's coverage survived.
//   ok -> api, hang -> graph, crash -> operation, flood -> utility, kill -> environment
struct FakeFramework {
    std::string dir, builds;
};

const FakeFramework& fake_framework() {
    static FakeFramework f = [] {
        FakeFramework f;
        f.dir = scratch_dir("campaign_fake_framework");
        f.builds = f.dir + "/builds";
        auto marker = [](const std::string& name, const std::string& after) {
            return "#pragma once\n#include <csignal>\n#include <cstdio>\n#include <unistd.h>\n"
                   "inline void fake_" + name + "() {\n    std::printf(\"" + name + "\\n\");\n    std::fflush(stdout);\n" +
                   after + "}\n";
        };
        write_file(f.dir + "/fw/fake/ok.h", marker("ok", ""));
        write_file(f.dir + "/fw/fake/hang.h", marker("hang", "    for (;;) pause();\n"));
        write_file(f.dir + "/fw/fake/crash.h", marker("crash", "    std::raise(SIGSEGV);\n"));
        write_file(f.dir + "/fw/fake/kill.h", marker("kill", "    std::raise(SIGKILL);\n"));
        write_file(f.dir + "/fw/fake/flood.h",
                   marker("flood", "    static char line[4096];\n    for (auto& c : line) c = 'x';\n"
                                   "    for (int i = 0; i < 75000; ++i) fwrite(line, 1, sizeof line, stdout);\n"));
        write_file(f.dir + "/app/main.cpp",
                   "#include \"fake/ok.h\"\n#include \"fake/hang.h\"\n#include \"fake/crash.h\"\n"
                   "#include \"fake/kill.h\"\n#include \"fake/flood.h\"\n#include <fstream>\n#include <string>\n"
                   "int main(int argc, char** argv) {\n"
                   "    std::string mode = argc > 1 ? argv[1] : \"ok\";\n"
                   "    std::ifstream file(mode);\n"
                   "    if (file) std::getline(file, mode);  // an artifact holds its mode\n"
                   "    if (mode == \"hang\") fake_hang();\n"
                   "    else if (mode == \"crash\") fake_crash();\n"
                   "    else if (mode == \"kill\") fake_kill();\n"
                   "    else if (mode == \"flood\") fake_flood();\n"
                   "    else fake_ok();\n"
                   "}\n");
        write_file(f.dir + "/components.yaml",
                   "framework: fake\n"
                   "overrides:\n"
                   "  fake/ok.h: api\n  fake/hang.h: graph\n  fake/crash.h: operation\n"
                   "  fake/flood.h: utility\n  fake/kill.h: environment\n"
                   "rules: []\n");
        write_file(f.dir + "/fake.yaml",
                   "name: fake\nframework: fake-dnn\nversion: 0.1\nsource: {copy: fw/fake, as: fake}\n"
                   "component_map: components.yaml\ncompiler: clang++-14\nflags: [-std=c++17, -O0]\n"
                   "targets:\n  - {name: fake-app, sources: [app/main.cpp]}\n");
        // A live tester that runs the fake app once every 0.2 s for its budget.
        write_file(f.dir + "/loop.sh",
                   "end=$(( $(date +%s) + ${2%.*} ))\n"
                   "while [ $(date +%s) -lt $end ]; do \"$1\" ok >/dev/null; sleep 0.2; done\n");
        CommandResult r = run_command(shell_quote(DLCOV_EXE) + " instrument " + shell_quote(f.dir + "/fake.yaml") +
                                      " --builds-dir " + shell_quote(f.builds));
        if (r.exit_code != 0) throw std::runtime_error("instrumenting the fake framework failed:\n" + r.output);
        return f;
    }();
    return f;
}

// Writes a campaign with the given runner entries (YAML list items) and returns its path.
std::string write_campaign(const std::string& dir, const std::string& name, const std::string& runners,
                           double interval = 1) {
    std::string path = dir + "/" + name + ".yaml";
    write_file(path, "name: " + name + "\nframework: " + fake_framework().dir + "/fake.yaml\n" +
                         "snapshot_interval: " + std::to_string(interval) + "\nrunners:\n" + runners);
    return path;
}

std::string dlcov_run(const std::string& campaign, const std::string& results, const std::string& extra = "") {
    return shell_quote(DLCOV_EXE) + " run " + shell_quote(campaign) + " --results-dir " + shell_quote(results) +
           " --builds-dir " + shell_quote(fake_framework().builds) + " " + extra;
}

// The last snapshot of a trial.
Snapshot last_snapshot(const std::string& campaign_dir, const std::string& runner, int trial) {
    Snapshot last;
    for (const auto& s : read_snapshots(CampaignFolder(campaign_dir)))
        if (s.runner == runner && s.trial == trial) last = s;
    REQUIRE(last.runner == runner);
    return last;
}

// `dlcov run` as a child of the test, output into `log`, so the test can signal it.
pid_t spawn_dlcov_run(const std::string& campaign, const std::string& results, const std::string& log) {
    return spawn_logged({DLCOV_EXE, "run", campaign, "--results-dir", results, "--builds-dir", fake_framework().builds}, log);
}

// Waits until the campaign has at least `count` snapshots (of any trial), up to a minute.
void wait_for_snapshots(const std::string& campaign_dir, size_t count) {
    CampaignFolder folder(campaign_dir);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(folder.store_path()) && read_snapshots(folder).size() >= count) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("no " << count << " snapshots in " << campaign_dir << " after a minute");
}

bool same_coverage(const Snapshot& a, const Snapshot& b) {
    if (a.coverage.size() != b.coverage.size()) return false;
    for (const auto& [component, t] : a.coverage) {
        auto it = b.coverage.find(component);
        if (it == b.coverage.end()) return false;
        const CoverageTally& u = it->second;
        if (t.lines.covered != u.lines.covered || t.lines.total != u.lines.total || t.branches.covered != u.branches.covered ||
            t.branches.total != u.branches.total || t.functions.covered != u.functions.covered ||
            t.functions.total != u.functions.total)
            return false;
    }
    return true;
}

// A live tester that runs the fake app every 0.2 s for its budget ({trial} only names the
// process, so a test can find it).
std::string loop_runner(const std::string& dir) {
    std::string path = dir + "/loop.yaml";
    write_file(path,
               "name: loop\nmode: live\n"
               "command: [\"/bin/sh\", \"" + fake_framework().dir + "/loop.sh\", \"{target:fake-app}\", \"{budget}\", \"{trial}\"]\n"
               "timeout: 2\n");
    return path;
}

// A campaign of loop.yaml runners started by `dlcov run` as a child (output in dir/run1.log),
// once it has `snapshots` snapshots: the campaign file, its results folder, the harness's pid.
struct RunningCampaign {
    std::string campaign, results;
    pid_t pid;
};
RunningCampaign start_loop_campaign(const std::string& dir, const std::string& name, const std::string& runners,
                                    size_t snapshots) {
    loop_runner(dir);
    std::string campaign = write_campaign(dir, name, runners, 0.5);
    std::string results = dir + "/results/" + name;
    pid_t pid = spawn_dlcov_run(campaign, dir + "/results", dir + "/run1.log");
    wait_for_snapshots(results, snapshots);
    return {campaign, results, pid};
}

}  // namespace

TEST_CASE("raw profile names give their writer's pid", "[campaign]") {
    CHECK(profile_writer_pid("live-1234-5678901234567890.profraw") == 1234);
    CHECK(profile_writer_pid("replay-000003-42-1a2b_0.profraw") == 42);
    CHECK(profile_writer_pid("seed-a.internal-77-99.profraw") == 77);
    CHECK_FALSE(profile_writer_pid("1234.profraw").has_value());
    CHECK_FALSE(profile_writer_pid("coverage.profdata").has_value());
    CHECK(profile_writer_pid(".coverage.vm.28180.401577") == 28180);         // coverage.py 6.x
    CHECK(profile_writer_pid(".coverage.host.lan.31.XkqzvbPyx") == 31);      // 7.x, dotted host name
    CHECK_FALSE(profile_writer_pid(".coverage").has_value());
    CHECK_FALSE(profile_writer_pid("python-total.json").has_value());
}

TEST_CASE("events are read incrementally, a cut line waits for its end", "[campaign]") {
    std::string dir = scratch_dir("campaign_events");
    std::string path = dir + "/events.jsonl";
    TrialEventsReader events(path);
    CHECK(events.read_new().executions.empty());  // no file yet
    write_file(path,
               "{\"event\":\"execution\",\"id\":\"a\",\"artifact\":\"m.json\",\"backend\":\"avx\",\"result\":\"exit 0\",\"seconds\":0.5}\n"
               "{\"event\":\"finding\",\"kind\":\"crash\",\"artifact\":\"m.json\"}\n"
               "{\"event\":\"execution\",\"id\":\"b\",");
    TrialEvents first = events.read_new();
    REQUIRE(first.executions.size() == 1);
    CHECK(first.executions[0].backend == "avx");
    CHECK(first.executions[0].seconds == 0.5);
    REQUIRE(first.findings.size() == 1);
    CHECK(first.findings[0].kind == "crash");
    CHECK(events.read_new().executions.empty());
    write_file(path, read_file(path) + "\"result\":\"signal 11 (Segmentation fault)\"}\n");
    TrialEvents second = events.read_new();
    REQUIRE(second.executions.size() == 1);
    CHECK(second.executions[0].id == "b");
    CHECK(second.failed_executions == 1);
}

TEST_CASE("executions that crash, hang, are killed or flood output are recorded and keep their coverage",
          "[campaign]") {
    std::string dir = scratch_dir("campaign_faults");
    for (std::string mode : {"ok", "crash", "hang", "kill", "flood"}) write_file(dir + "/artifacts/" + mode + ".test", mode + "\n");
    write_file(dir + "/faulty.yaml",
               "name: faulty\nmode: replay\ncommand: [\"{target:fake-app}\", \"{artifact}\"]\n"
               "artifacts: {root: \"" + dir + "/artifacts\", glob: \"*.test\"}\ntimeout: 2\n");
    std::string campaign = write_campaign(dir, "faults", "  - {runner: faulty.yaml, trials: 1, budget: 60}\n");
    auto start = std::chrono::steady_clock::now();
    CommandResult r = run_command(dlcov_run(campaign, dir + "/results"));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(seconds < 30);
    std::string results = dir + "/results/faults";

    // Sorted artifact order: crash, flood, hang, kill, ok.
    CHECK(query_store(results, "SELECT artifact, result FROM executions ORDER BY id") ==
          std::vector<std::string>{"crash.test|signal 11 (Segmentation fault)", "flood.test|exit 0",
                                   "hang.test|timeout after 2 s", "kill.test|signal 9 (Killed)", "ok.test|exit 0"});
    CHECK(query_store(results, "SELECT kind FROM findings ORDER BY kind") == std::vector<std::string>{"crash", "crash", "timeout"});
    CHECK(query_store(results, "SELECT status, executions, findings FROM trials") == std::vector<std::string>{"finished|5|3"});

    // Every behaviour's marker is covered, whichever way its process ended.
    Snapshot last = last_snapshot(results, "faulty", 1);
    CHECK(last.executions == 5);
    for (std::string component : {"api", "graph", "operation", "utility", "environment"}) {
        INFO(component);
        CHECK(last.coverage[component].lines.covered > 0);
        CHECK(last.coverage[component].functions.covered == 1);
    }
    // Folded: only the running total is left, and the report finds it.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(CampaignFolder(results).trial("faulty", 1).profile_dir()))
        left.push_back(e.path().filename());
    CHECK(left == std::vector<std::string>{"coverage.profdata"});
    CommandResult report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(results));
    INFO(report.output);
    CHECK(report.exit_code == 0);
    CHECK_THAT(report.output, Contains("faulty"));
}

TEST_CASE("live testers that hang or flood run in parallel, are stopped, and keep their coverage", "[campaign]") {
    std::string dir = scratch_dir("campaign_live_faults");
    write_file(dir + "/hang.yaml", "name: hang\nmode: live\ncommand: [\"{target:fake-app}\", \"hang\"]\ntimeout: 1\n");
    write_file(dir + "/flood.yaml",
               "name: flood\nmode: live\ncommand: [\"/bin/sh\", \"-c\", \"{target:fake-app} flood; {target:fake-app} flood; sleep 3\"]\n"
               "timeout: 1\n");
    std::string campaign = write_campaign(dir, "live", "  - {runner: hang.yaml, trials: 1, budget: 1}\n"
                                                       "  - {runner: flood.yaml, trials: 1, budget: 1}\n");
    CommandResult r = run_command(dlcov_run(campaign, dir + "/results", "-j 2 --keep-profiles"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::string results = dir + "/results/live";
    CHECK(query_store(results, "SELECT runner, status FROM trials ORDER BY runner") ==
          std::vector<std::string>{"flood|finished", "hang|finished"});
    // Both at once: the campaign took less than the two trials one after the other.
    double wall = std::stod(query_store(results, "SELECT wall_seconds FROM campaign")[0]);
    double sum = std::stod(query_store(results, "SELECT SUM(tester_seconds) FROM trials")[0]);
    CHECK(sum > 9);  // the hanging tester is stopped after budget + 5 s + timeout
    CHECK(wall < sum);

    // The hanging tester was killed at its timeout and still has its coverage.
    CHECK(last_snapshot(results, "hang", 1).coverage["graph"].lines.covered > 0);
    TrialFolder hang = CampaignFolder(results).trial("hang", 1), flood = CampaignFolder(results).trial("flood", 1);
    CHECK_THAT(read_file(hang.tester_log_path()), Contains("hang"));
    // 600 MB of output: 1 MiB kept, the rest counted.
    CHECK(last_snapshot(results, "flood", 1).coverage["utility"].lines.covered > 0);
    CHECK(fs::file_size(flood.tester_log_path()) < 2 << 20);
    CHECK_THAT(read_file(flood.tester_log_path()), Contains("more bytes dropped"));
    // --keep-profiles: the two flood processes' raw profiles were folded and kept.
    size_t kept = 0;
    for (const auto& e : fs::directory_iterator(flood.kept_profile_dir())) kept += e.path().extension() == ".profraw";
    CHECK(kept == 2);
}

TEST_CASE("a trial that fails is named and the other trials run to their end", "[campaign]") {
    std::string dir = scratch_dir("campaign_one_trial_fails");
    write_file(dir + "/gone.yaml", "name: gone\nmode: live\ncommand: [\"" + dir + "/no-such-tester\"]\ntimeout: 1\n");
    loop_runner(dir);
    std::string campaign = write_campaign(dir, "one-fails", "  - {runner: gone.yaml, trials: 1, budget: 2}\n"
                                                            "  - {runner: loop.yaml, trials: 2, budget: 2}\n", 0.5);
    CommandResult r = run_command(dlcov_run(campaign, dir + "/results", "-j 2"));
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("gone trial 1: cannot start " + dir + "/no-such-tester"));
    CHECK_THAT(r.output, Contains("resume it with: dlcov run " + campaign));
    std::string results = dir + "/results/one-fails";
    // The failure stopped nothing else: both loop trials, one of them started after it, finished.
    CHECK(query_store(results, "SELECT runner, trial, status FROM trials ORDER BY runner, trial") ==
          std::vector<std::string>{"gone|1|interrupted", "loop|1|finished", "loop|2|finished"});
    CHECK(last_snapshot(results, "loop", 2).coverage["api"].lines.covered > 0);
    CHECK(query_store(results, "SELECT status FROM campaign") == std::vector<std::string>{"interrupted"});
}

TEST_CASE("snapshots follow a running trial and fold only profiles of finished processes", "[campaign]") {
    std::string dir = scratch_dir("campaign_snapshots");
    loop_runner(dir);
    std::string campaign = write_campaign(dir, "snaps", "  - {runner: loop.yaml, trials: 2, budget: 4}\n", 0.5);
    CommandResult r = run_command(dlcov_run(campaign, dir + "/results", "-j 2"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::string results = dir + "/results/snaps";
    // Without a terminal: a plain line per snapshot.
    CHECK_THAT(r.output, Contains("snapshot: loop trial 1 at ") && Contains("snapshot: loop trial 2 at "));
    for (int trial : {1, 2}) {
        INFO("trial " << trial);
        std::vector<Snapshot> snaps;
        for (const auto& s : read_snapshots(CampaignFolder(results)))
            if (s.trial == trial) snaps.push_back(s);
        REQUIRE(snaps.size() >= 5);
        // Profiles were folded while the trial ran, not only at its end.
        CHECK(snaps[snaps.size() / 2].coverage["api"].lines.covered > 0);
        for (size_t i = 1; i < snaps.size(); ++i) CHECK(snaps[i].elapsed_seconds > snaps[i - 1].elapsed_seconds);
        check_coverage_never_decreases(snaps);
        CHECK(snaps.back().coverage.size() == 6);  // five components and overall
    }
    // A snapshot folds a handful of profiles, never all of them at once.
    auto costs = query_store(results, "SELECT MAX(folded_profiles), MAX(profiles_so_far) FROM snapshot_costs WHERE trial = 1");
    REQUIRE(costs.size() == 1);
    long max_folded = std::stol(costs[0].substr(0, costs[0].find('|')));
    long so_far = std::stol(costs[0].substr(costs[0].find('|') + 1));
    CHECK(so_far >= 10);
    CHECK(max_folded < so_far);
}

TEST_CASE("Ctrl-C stops the children, keeps a consistent store, and run resumes", "[campaign]") {
    std::string dir = scratch_dir("campaign_interrupt");
    auto [campaign, results, pid] = start_loop_campaign(dir, "stop", "  - {runner: loop.yaml, trials: 2, budget: 6}\n", 2);
    REQUIRE(kill(pid, SIGINT) == 0);
    int code = wait_exit_code(pid);
    std::string log = read_file(dir + "/run1.log");
    INFO(log);
    CHECK(code == 130);
    CHECK_THAT(log, Contains("interrupted") && Contains("Resume it with: dlcov run"));
    CHECK(query_store(results, "SELECT status FROM campaign") == std::vector<std::string>{"interrupted"});
    CHECK(query_store(results, "SELECT DISTINCT status FROM trials") == std::vector<std::string>{"interrupted"});
    // No tester survived the harness.
    CHECK(run_command("pgrep -f " + shell_quote(dir + "/result[s]") + " | grep -c . || true").output == "0\n");
    std::vector<Snapshot> before = read_snapshots(CampaignFolder(results));

    CommandResult r = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("resuming campaign stop: 0 trial(s) finished, 2 to run"));
    CHECK(query_store(results, "SELECT status FROM campaign") == std::vector<std::string>{"finished"});
    CHECK(query_store(results, "SELECT DISTINCT status FROM trials") == std::vector<std::string>{"finished"});
    std::vector<Snapshot> after = read_snapshots(CampaignFolder(results));
    CHECK(after.size() > before.size());
    check_coverage_never_decreases(after);  // the resumed part continues from the running total
    for (const auto& s : before) {
        bool kept = false;
        for (const auto& a : after)
            kept |= a.runner == s.runner && a.trial == s.trial && a.elapsed_seconds == s.elapsed_seconds &&
                    a.coverage.at("overall").lines.covered == s.coverage.at("overall").lines.covered;
        CHECK(kept);
    }
    // The resumed trials used the rest of their budget, not a new one.
    for (int trial : {1, 2}) CHECK(last_snapshot(results, "loop", trial).elapsed_seconds < 6 + 8);
}

TEST_CASE("a harness killed with SIGKILL resumes with every finished snapshot intact", "[campaign]") {
    std::string dir = scratch_dir("campaign_sigkill");
    auto [campaign, results, pid] = start_loop_campaign(dir, "crashy", "  - {runner: loop.yaml, trials: 2, budget: 5}\n", 4);
    REQUIRE(kill(pid, SIGKILL) == 0);
    CHECK(wait_exit_code(pid) == 128 + SIGKILL);
    // The kernel released the lock of the killed harness; its orphaned testers do not hold it.
    CHECK_FALSE(campaign_owner(CampaignFolder(results)));
    std::vector<Snapshot> before = read_snapshots(CampaignFolder(results));
    REQUIRE(before.size() >= 4);
    CHECK(query_store(results, "SELECT DISTINCT status FROM trials") == std::vector<std::string>{"running"});
    // The report says the campaign is marked running with nobody running it.
    CommandResult report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(results));
    CHECK(report.exit_code == 0);
    CHECK_THAT(report.output, Contains("Marked running, but no `dlcov run` runs it"));

    CommandResult r = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(query_store(results, "SELECT status FROM campaign") == std::vector<std::string>{"finished"});
    CHECK(query_store(results, "SELECT DISTINCT status FROM trials") == std::vector<std::string>{"finished"});
    std::vector<Snapshot> after = read_snapshots(CampaignFolder(results));
    check_coverage_never_decreases(after);
    for (const auto& s : before) {
        bool intact = false;
        for (const auto& a : after)
            intact |= a.runner == s.runner && a.trial == s.trial && a.elapsed_seconds == s.elapsed_seconds &&
                      a.executions == s.executions && same_coverage(a, s);
        CHECK(intact);
    }
    for (int trial : {1, 2}) CHECK(last_snapshot(results, "loop", trial).coverage["api"].lines.covered > 0);

    // A finished campaign is not run again; a changed campaign file is refused.
    CommandResult again = run_command(dlcov_run(campaign, dir + "/results"));
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.output, Contains("2 trial(s) finished, 0 to run"));
    write_file(campaign, read_file(campaign) + "random_seed: 7\n");
    CommandResult changed = run_command(dlcov_run(campaign, dir + "/results"));
    CHECK(changed.exit_code != 0);
    CHECK_THAT(changed.output, Contains("different version of") && Contains("--overwrite"));
}

TEST_CASE("campaign keys are checked", "[campaign]") {
    std::string dir = scratch_dir("campaign_keys");
    loop_runner(dir);
    std::string campaign = write_campaign(dir, "keys", "  - {runner: loop.yaml}\n", 0.01);
    CommandResult r = run_command(dlcov_run(campaign, dir + "/results"));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Contains(campaign + ":3: key 'snapshot_interval'"));
}

TEST_CASE("a second dlcov run of a running campaign is refused and names the first", "[campaign]") {
    std::string dir = scratch_dir("campaign_owner");
    auto [campaign, results, pid] = start_loop_campaign(dir, "owned", "  - {runner: loop.yaml, trials: 2, budget: 4}\n", 2);
    std::optional<CampaignOwner> owner = campaign_owner(CampaignFolder(results));
    REQUIRE(owner);
    CHECK(owner->pid == pid);
    CHECK_THAT(owner->command, Contains(" run " + campaign));

    // Neither a resume nor --overwrite touches the running campaign.
    for (std::string extra : {"", "--overwrite"}) {
        INFO("extra: " << extra);
        CommandResult second = run_command(dlcov_run(campaign, dir + "/results", extra));
        CHECK(second.exit_code == 2);
        CHECK_THAT(second.output, Contains(results + " is being run by another `dlcov run` (pid " + std::to_string(pid)) &&
                                      Contains(" run " + campaign) && Contains("kill -INT " + std::to_string(pid)));
        CHECK_THAT(second.output, !Contains("resuming"));
    }

    CHECK(wait_exit_code(pid) == 0);
    std::string log = read_file(dir + "/run1.log");
    INFO(log);
    CHECK_THAT(log, !Contains("resum"));
    CHECK(query_store(results, "SELECT status FROM campaign") == std::vector<std::string>{"finished"});
    CHECK(query_store(results, "SELECT DISTINCT status FROM trials") == std::vector<std::string>{"finished"});
    // One tester per trial: each trial's snapshot series only goes forward, and the store has each
    // execution of the events file once.
    for (int trial : {1, 2}) {
        INFO("trial " << trial);
        std::vector<Snapshot> snaps;
        for (const auto& s : read_snapshots(CampaignFolder(results)))
            if (s.trial == trial) snaps.push_back(s);
        for (size_t i = 1; i < snaps.size(); ++i) CHECK(snaps[i].executions >= snaps[i - 1].executions);
    }
    check_coverage_never_decreases(read_snapshots(CampaignFolder(results)));
    // The owner is gone: the lock went with it, and the campaign can be run again.
    CHECK_FALSE(campaign_owner(CampaignFolder(results)));
    CommandResult again = run_command(dlcov_run(campaign, dir + "/results"));
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.output, Contains("2 trial(s) finished, 0 to run"));
}

TEST_CASE("SIGHUP (the terminal closed) stops a campaign as Ctrl-C does", "[campaign]") {
    std::string dir = scratch_dir("campaign_hangup");
    auto [campaign, results, pid] = start_loop_campaign(dir, "hup", "  - {runner: loop.yaml, trials: 1, budget: 30}\n", 2);
    REQUIRE(kill(pid, SIGHUP) == 0);
    int code = wait_exit_code(pid);
    std::string log = read_file(dir + "/run1.log");
    INFO(log);
    CHECK(code == 130);
    CHECK_THAT(log, Contains("interrupted by signal 1") && Contains("Resume it with: dlcov run"));
    CHECK(query_store(results, "SELECT status FROM campaign") == std::vector<std::string>{"interrupted"});
    CHECK(query_store(results, "SELECT status FROM trials") == std::vector<std::string>{"interrupted"});
    // No tester was orphaned.
    CHECK(run_command("pgrep -f " + shell_quote(dir + "/result[s]") + " | grep -c . || true").output == "0\n");
}

TEST_CASE("numbers, repeated keys and folders in campaign and runner files are refused by file:line:key", "[campaign]") {
    std::string dir = scratch_dir("campaign_numbers");
    loop_runner(dir);
    auto error_of = [&](const std::string& yaml) -> std::string {
        std::string path = dir + "/c.yaml";
        write_file(path, yaml);
        try {
            load_campaign(path);
        } catch (const UserError& e) {
            return e.what();
        }
        return "(no error)";
    };
    std::string head = "name: n\nframework: " + dir + "/no-framework.yaml\n";
    std::string c = dir + "/c.yaml";
    struct Case {
        std::string yaml, expected;
    };
    std::vector<Case> cases = {
        {head + "runners:\n  - {runner: loop.yaml, budget: .nan}\n", c + ":4: key 'budget': expected seconds per trial"},
        {head + "runners:\n  - {runner: loop.yaml, budget: .inf}\n", c + ":4: key 'budget'"},
        {head + "runners:\n  - {runner: loop.yaml, budget: 1e300}\n", c + ":4: key 'budget'"},
        {head + "runners:\n  - {runner: loop.yaml, budget: 0.5}\n", c + ":4: key 'budget'"},
        {head + "random_seed: -1\nrunners:\n  - {runner: loop.yaml}\n", c + ":3: key 'random_seed': expected an integer seed from 0 to 4294967295, got -1"},
        {head + "random_seed: 4294967296\nrunners:\n  - {runner: loop.yaml}\n", c + ":3: key 'random_seed'"},
        {head + "random_seed: 4294967295\nrunners:\n  - {runner: loop.yaml, trials: 2}\n", c + ":5: key 'trials': trial 2's seed"},
        {head + "runners:\n  - {runner: loop.yaml, trials: 99999999999}\n", c + ":4: key 'trials': expected a number of trials from 1 to 10000, got 99999999999"},
        {head + "runners:\n  - {runner: loop.yaml, trials: 99999999999999999999999}\n", c + ":4: key 'trials'"},
        {head + "runners:\n  - {runner: loop.yaml, trials: 2.5}\n", c + ":4: key 'trials'"},
        {head + "runners:\n  - {runner: loop.yaml, trials: 0}\n", c + ":4: key 'trials'"},
        {head + "snapshot_interval: .nan\nrunners:\n  - {runner: loop.yaml}\n", c + ":3: key 'snapshot_interval'"},
        {head + "jobs: 99999999999\nrunners:\n  - {runner: loop.yaml}\n", c + ":3: key 'jobs'"},
        // yaml-cpp keeps the first of two equal keys: refused instead, in any mapping.
        {head + "name: m\nrunners:\n  - {runner: loop.yaml}\n", c + ":3: key 'name': duplicate key, given twice in one mapping (first on line 1)"},
        {head + "runners:\n  - {runner: loop.yaml, budget: 5, budget: 6}\n", c + ":4: key 'budget': duplicate key, given twice"},
        {head + "runners:\n  - runner: " + dir + "\n", c + ":4: key 'runner': " + dir + " is a folder"},
    };
    for (const auto& k : cases) {
        INFO(k.yaml);
        CHECK_THAT(error_of(k.yaml), Contains(k.expected));
    }
    // A runner file's numbers too.
    write_file(dir + "/nan.yaml", "name: nan\nmode: live\ncommand: [\"/bin/true\"]\ntimeout: .nan\n");
    CHECK_THAT(error_of(head + "runners:\n  - {runner: nan.yaml}\n"), Contains(dir + "/nan.yaml:4: key 'timeout'"));
    // A folder given where a YAML file belongs says so.
    CHECK_THROWS_WITH(YamlFile::load(dir), Contains(dir + ": is a folder; expected a YAML file"));
    // What is in range loads.
    CHECK(error_of(head + "random_seed: 4294967294\nrunners:\n  - {runner: loop.yaml, trials: 2, budget: 1}\n") == "(no error)");
}

TEST_CASE("a campaign of many trials creates them at once and stays interruptible", "[campaign]") {
    std::string dir = scratch_dir("campaign_many_trials");
    auto start = std::chrono::steady_clock::now();
    auto [campaign, results, pid] = start_loop_campaign(dir, "many", "  - {runner: loop.yaml, trials: 10000, budget: 1}\n", 1);
    REQUIRE(kill(pid, SIGINT) == 0);
    int code = wait_exit_code(pid);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(read_file(dir + "/run1.log"));
    CHECK(code == 130);
    CHECK(seconds < 30);
    CHECK(query_store(results, "SELECT COUNT(*) FROM trials") == std::vector<std::string>{"10000"});
    CHECK(std::stoi(query_store(results, "SELECT COUNT(*) FROM trials WHERE status = 'pending'")[0]) > 9900);
}

TEST_CASE("a resumed campaign refuses edited runner files, not edited comments", "[campaign]") {
    std::string dir = scratch_dir("campaign_meaning");
    std::string runner = loop_runner(dir);
    std::string campaign = write_campaign(dir, "meaning", "  - {runner: loop.yaml, trials: 1, budget: 1}\n", 0.5);
    CommandResult first = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(first.output);
    REQUIRE(first.exit_code == 0);

    // Comments, blank lines, quoting and key order say nothing new.
    write_file(campaign, "# the same campaign\n\n" + read_file(campaign) + "# the end\n");
    write_file(runner, "# a loop\n" + read_file(runner) + "\n# timeout as before\n");
    CommandResult same = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(same.output);
    CHECK(same.exit_code == 0);
    CHECK_THAT(same.output, Contains("1 trial(s) finished, 0 to run"));

    // A runner file that says something else is named.
    write_file(runner, std::regex_replace(read_file(runner), std::regex("timeout: 2"), "timeout: 3"));
    CommandResult edited = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(edited.output);
    CHECK(edited.exit_code == 2);
    CHECK_THAT(edited.output, Contains("different version of") && Contains("\n  " + runner) && Contains("--overwrite"));
    CHECK_THAT(edited.output, !Contains("\n  " + campaign));
}

TEST_CASE("bytes that are not UTF-8 in artifact names, output and events are kept escaped", "[campaign]") {
    CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK_FALSE(is_valid_utf8("caf\xe9"));
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    CHECK(escape_invalid_utf8("caf\xe9.h5") == "caf\\xe9.h5");
    CHECK(escape_invalid_utf8("\xe2\x82\xac \xe2\x82") == "\xe2\x82\xac \\xe2\\x82");
    CHECK(utf8_prefix("ab\xe2\x82\xac", 4) == "ab");
    CHECK(utf8_prefix("ab\xe2\x82\xac", 5) == "ab\xe2\x82\xac");

    std::string dir = scratch_dir("campaign_outside_text");
    // A Latin-1 file name, with HTML in it; its content makes the fake app crash.
    std::string latin1 = "caf\xe9 <i>.test";
    write_file(dir + "/artifacts/" + latin1, "crash\n");
    write_file(dir + "/faulty.yaml",
               "name: faulty\nmode: replay\ncommand: [\"{target:fake-app}\", \"{artifact}\"]\n"
               "artifacts: {root: \"" + dir + "/artifacts\", glob: \"*.test\"}\ntimeout: 2\n");
    // Output whose 300-byte cut falls inside a three-byte character.
    write_file(dir + "/cut.yaml",
               "name: cut\nmode: replay\n"
               "command: [\"/bin/sh\", \"-c\", \"printf '%0299d\\\\342\\\\202\\\\254 and more\\\\n' 0; exit 3\"]\n"
               "artifacts: {root: \"" + dir + "/artifacts\", glob: \"*.test\"}\ntimeout: 2\n");
    // A tester that writes its own events, with a Latin-1 byte in a string.
    write_file(dir + "/events.sh",
               "printf '{\"event\":\"execution\",\"id\":\"x\",\"artifact\":\"caf\\351.h5\",\"backend\":\"\","
               "\"result\":\"exit 0\",\"seconds\":0.1}\\n' >> \"$1\"\n");
    write_file(dir + "/writer.yaml",
               "name: writer\nmode: live\ncommand: [\"/bin/sh\", \"" + dir + "/events.sh\", \"{events}\"]\ntimeout: 2\n");
    std::string campaign = write_campaign(dir, "text", "  - {runner: faulty.yaml, budget: 60}\n"
                                                       "  - {runner: cut.yaml, budget: 60}\n"
                                                       "  - {runner: writer.yaml, budget: 1}\n");
    CommandResult r = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::string results = dir + "/results/text";
    CHECK(query_store(results, "SELECT runner, status FROM trials ORDER BY runner") ==
          std::vector<std::string>{"cut|finished", "faulty|finished", "writer|finished"});

    // Every byte is there, as \xNN: in the store, the events file and findings.json.
    CHECK(query_store(results, "SELECT artifact FROM executions WHERE runner = 'faulty'") ==
          std::vector<std::string>{"caf\\xe9 <i>.test"});
    CHECK(query_store(results, "SELECT artifact FROM executions WHERE runner = 'writer'") ==
          std::vector<std::string>{"caf\\xe9.h5"});
    std::vector<Finding> crash = read_findings(CampaignFolder(results).trial("faulty", 1));
    REQUIRE(crash.size() == 1);
    CHECK(crash[0].kind == "crash");
    CHECK_THAT(crash[0].artifact, Catch::EndsWith("/artifacts/caf\\xe9 <i>.test"));
    CHECK_THAT(crash[0].replay, Contains("caf\\xe9 <i>.test"));
    // The cut output is cut before the character, not inside it.
    std::vector<Finding> cut = read_findings(CampaignFolder(results).trial("cut", 1));
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].detail == "exit 3: " + std::string(299, '0'));

    // A resume reads the same files without tripping on them, and replays nothing twice.
    CommandResult again = run_command(dlcov_run(campaign, dir + "/results"));
    INFO(again.output);
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.output, Contains("3 trial(s) finished, 0 to run"));

    // The report shows the escaped names, HTML-escaped.
    CommandResult report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(results));
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    std::string findings_html = read_file(CampaignFolder(results).report_dir() + "/findings.html");
    CHECK_THAT(findings_html, Contains("caf\\xe9 &lt;i&gt;.test"));
    CHECK_THAT(findings_html, !Contains("<i>"));
}

TEST_CASE("dlcov report on a running campaign reports what the store has, marked as running", "[campaign]") {
    std::string dir = scratch_dir("campaign_report_running");
    // 8 snapshots: each trial has folded some executions by now.
    auto [campaign, results, pid] = start_loop_campaign(dir, "live", "  - {runner: loop.yaml, trials: 2, budget: 8}\n", 8);
    CommandResult report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(results));
    std::vector<Snapshot> snapshots = read_snapshots(CampaignFolder(results));
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    CHECK_THAT(report.output, Contains("status running") && Contains("Still running (pid " + std::to_string(pid)) &&
                                  Contains("loop: 2 running"));
    // The runner's numbers are its trials' running totals, at least what the snapshots read
    // before the report showed (and not 0 of N).
    nlohmann::json summary = nlohmann::json::parse(read_file(CampaignFolder(results).summary_json_path()));
    CHECK(summary["status"] == "running");
    uint64_t best = 0;
    for (const auto& s : snapshots) best = std::max<uint64_t>(best, s.coverage.at("overall").lines.covered);
    CHECK(best > 0);
    CHECK(summary["testers"]["loop"]["total"]["lines"]["covered"].get<uint64_t>() >= best);
    CHECK(summary["testers"]["loop"]["profiles"] == 2);
    CHECK(wait_exit_code(pid) == 0);
    check_coverage_never_decreases(read_snapshots(CampaignFolder(results)));

    CommandResult done = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(results));
    INFO(done.output);
    CHECK(done.exit_code == 0);
    CHECK_THAT(done.output, Contains("status finished") && !Contains("Still running"));
}

TEST_CASE("executor and slurm settings are read and checked by file:line:key", "[campaign]") {
    std::string dir = scratch_dir("campaign_executor");
    loop_runner(dir);
    std::string path = dir + "/c.yaml";
    std::string head = "name: n\nframework: " + dir + "/no-framework.yaml\nrunners:\n  - {runner: loop.yaml}\n";
    write_file(path, head);
    CHECK(load_campaign(path).executor == "local");
    write_file(path, head + "executor: slurm\nslurm:\n  partition: batch\n  account: lab\n  cpus_per_trial: 4\n"
                            "  scratch: /local\n  sbatch_args: [--qos=short, --exclusive]\n");
    CampaignConfig c = load_campaign(path);
    CHECK(c.executor == "slurm");
    CHECK(c.slurm.partition == "batch");
    CHECK(c.slurm.account == "lab");
    CHECK(c.slurm.cpus_per_trial == 4);
    CHECK(c.slurm.scratch == "/local");
    CHECK(c.slurm.sbatch_args == std::vector<std::string>{"--qos=short", "--exclusive"});
    auto error_of = [&](const std::string& yaml) -> std::string {
        write_file(path, yaml);
        try {
            load_campaign(path);
        } catch (const UserError& e) {
            return e.what();
        }
        return "(no error)";
    };
    CHECK_THAT(error_of(head + "executor: cloud\n"), Contains(path + ":5: key 'executor': expected local or slurm"));
    CHECK_THAT(error_of(head + "slurm: {partition: batch}\n"), Contains(path + ":5: key 'slurm': slurm settings need `executor: slurm`"));
    CHECK_THAT(error_of(head + "executor: slurm\nslurm: {cpus_per_trial: 0}\n"), Contains("key 'cpus_per_trial': expected CPUs per trial"));
    CHECK_THAT(error_of(head + "executor: slurm\nslurm: {queue: x}\n"), Contains("queue"));
}
