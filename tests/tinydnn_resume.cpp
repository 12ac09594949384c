// A campaign of a live tester on the real instrumented tiny-dnn stopped three times (SIGINT,
// SIGTERM, SIGKILL) and resumed each time: every run of the trial goes on with a seed and a work
// folder of its own, and the executions and findings are unique by identity in the events file's
// reading, the store, trial.json, campaign.json and the report.
#include "campaign_folder.h"
#include "campaign_record.h"
#include "campaign_store.h"
#include "test_support.h"
#include "trial_events.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;

namespace {

// Identities of every execution and finding line of an events file, read here independently of
// trial_events.h: a repeated line shows as a count larger than the set.
struct EventLines {
    size_t execution_lines = 0, finding_lines = 0;
    std::set<std::string> executions, findings;
};
EventLines read_event_lines(const std::string& path) {
    EventLines out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) continue;
        if (j.value("event", "") == "execution") {
            ++out.execution_lines;
            out.executions.insert(j.value("id", "") + "|" + j.value("artifact", "") + "|" + j.value("backend", ""));
        } else if (j.value("event", "") == "finding") {
            ++out.finding_lines;
            out.findings.insert(j.value("kind", "") + "|" + j.value("artifact", "") + "|" + j.value("input", "") + "|" +
                                j.value("backends", "") + "|" + j.value("metric", ""));
        }
    }
    return out;
}

// Processes whose command line names `text` (the trial's folder), read from /proc.
size_t processes_naming(const std::string& text) {
    size_t count = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos || std::stoi(name) == getpid()) continue;
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(text) != std::string::npos) ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("a live campaign stopped and resumed three times counts every execution and finding once", "[campaign]") {
    std::string work = scratch_dir("tinydnn-resume");
    std::string campaign = work + "/resume.yaml";
    write_file(campaign, "name: resume\n"
                         "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
                         "random_seed: 5\n"
                         "snapshot_interval: 2\n"
                         "runners:\n"
                         "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/audee-style.yaml\n"
                         "    trials: 1\n"
                         "    budget: 36\n");
    std::string results = work + "/results/resume";
    TrialFolder trial = CampaignFolder(results).trial("audee-style", 1);
    std::vector<std::string> run = {DLCOV_EXE, "run", campaign, "--results-dir", work + "/results", "--builds-dir",
                                    DLCOV_TEST_BUILDS_DIR};

    // Three stops, each after the run added executions of its own.
    size_t executions_before = 0;
    int part = 0;
    for (int sig : {SIGINT, SIGTERM, SIGKILL}) {
        ++part;
        INFO("run " << part << ", stopped with signal " << sig);
        std::string log = work + "/run" + std::to_string(part) + ".log";
        pid_t pid = spawn_logged(run, log);
        wait_for_execution_lines(trial.events_path(), executions_before + 8);
        REQUIRE(kill(pid, sig) == 0);
        int code = wait_exit_code(pid);
        INFO(read_file(log));
        CHECK(code == (sig == SIGKILL ? 128 + SIGKILL : 130));  // 130: interrupted (runners/campaign/README.md)
        if (sig == SIGKILL) {
            // The harness could not stop its tester; it ends when its own budget does. A user
            // resuming at once would run two testers in the folder: this test waits, as the
            // runners/campaign README asks.
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (processes_naming(trial.dir()) > 0 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            REQUIRE(processes_naming(trial.dir()) == 0);
        }
        executions_before = read_event_lines(trial.events_path()).execution_lines;
    }
    std::string last_log = work + "/run4.log";
    int code = wait_exit_code(spawn_logged(run, last_log));
    std::string output = read_file(last_log);
    INFO(output);
    REQUIRE(code == 0);

    // Each resumption was a run of its own: a new seed and a work folder of its own, and each
    // ran tests there.
    CHECK(query_store(results, "SELECT status, runs FROM trials") == std::vector<std::string>{"finished|4"});
    std::set<std::string> seeds;
    for (int r = 2; r <= 4; ++r) {
        std::string said = read_file(work + "/run" + std::to_string(r) + ".log");
        std::smatch m;
        REQUIRE(std::regex_search(said, m, std::regex("resumed at [0-9]+ s \\(run " + std::to_string(r) +
                                                      ", seed ([0-9]+), into work-run" + std::to_string(r) + "\\)")));
        seeds.insert(m[1]);
        CHECK(fs::is_directory(trial.work_dir(r)));
        CHECK(std::stoi(query_store(results, "SELECT COUNT(*) FROM executions WHERE artifact LIKE 'work-run" +
                                                 std::to_string(r) + "/%'")[0]) > 0);
    }
    CHECK(seeds.size() == 3);
    CHECK_FALSE(seeds.count("5"));

    // One set of distinct executions and findings, whoever counts them.
    EventLines lines = read_event_lines(trial.events_path());
    REQUIRE(lines.executions.size() > 0);
    size_t executions = lines.executions.size(), findings = lines.findings.size();
    TrialEvents read = read_trial_events(trial.events_path());
    CHECK(read.executions.size() == executions);
    CHECK(read.findings.size() == findings);
    std::vector<std::string> rows =
        query_store(results, "SELECT COUNT(*), COUNT(DISTINCT id || '|' || artifact || '|' || backend) FROM executions");
    CHECK(rows == std::vector<std::string>{std::to_string(executions) + "|" + std::to_string(executions)});
    rows = query_store(results, "SELECT COUNT(*), COUNT(DISTINCT kind || '|' || artifact || '|' || input || '|' || "
                                "backends || '|' || metric) FROM findings");
    CHECK(rows == std::vector<std::string>{std::to_string(findings) + "|" + std::to_string(findings)});
    CHECK(query_store(results, "SELECT executions, findings FROM trials") ==
          std::vector<std::string>{std::to_string(executions) + "|" + std::to_string(findings)});
    nlohmann::json record = nlohmann::json::parse(read_file(trial.record_path()));
    CHECK(record.at("executions").get<size_t>() == executions);
    CHECK(record.at("findings").get<size_t>() == findings);
    CampaignRecord c = read_campaign_record(CampaignFolder(results));
    REQUIRE(c.runners.size() == 1);
    REQUIRE(c.runners[0].trials.size() == 1);
    CHECK(c.runners[0].trials[0].executions == executions);
    CommandResult report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(results));
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    CHECK_THAT(report.output, Contains("audee-style: " + std::to_string(findings) + " finding(s)"));

    // Coverage over the four runs only grows.
    std::vector<Snapshot> series = read_snapshots(CampaignFolder(results));
    REQUIRE(series.size() >= 4);
    for (size_t i = 1; i < series.size(); ++i) {
        CHECK(series[i].elapsed_seconds > series[i - 1].elapsed_seconds);
        CHECK(series[i].executions >= series[i - 1].executions);
    }
    check_coverage_never_decreases(series);
}
