// The campaign engine on the real instrumented tiny-dnn: a demo-like campaign with two CRADLE
// trials in parallel records coverage over time per trial, and each trial's last snapshot is
// exactly what measuring its profiles gives; an executor that escapes its tester's process group
// is ended before the trial's last fold, so its profile is complete when it is counted.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "campaign_record.h"
#include "campaign_store.h"
#include "component_map.h"
#include "measurement.h"
#include "runner_comparison.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

TEST_CASE("two CRADLE trials in parallel give per-trial coverage over time", "[campaign]") {
    std::string work = scratch_dir("tinydnn-campaign-engine");
    write_file(work + "/campaign.yaml",
               "name: engine\n"
               "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
               "snapshot_interval: 2\n"
               "jobs: 2\n"
               "runners:\n"
               "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/cradle.yaml\n"
               "    trials: 2\n"
               "    budget: 120\n");
    CommandResult r = run_command(std::string(DLCOV_EXE) + " run " + work + "/campaign.yaml --results-dir " + work +
                                  "/results --builds-dir " + DLCOV_TEST_BUILDS_DIR);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::string results = work + "/results/engine";
    CHECK_THAT(r.output, Catch::Contains("snapshot: cradle trial 1 at") && Catch::Contains("snapshot: cradle trial 2 at"));

    CampaignFolder folder(results);
    std::vector<Snapshot> snapshots = read_snapshots(folder);
    // Counts only add: no component's covered lines, branches or functions fall in a series.
    check_coverage_never_decreases(snapshots);
    BuildManifest build = load_manifest(DLCOV_TEST_BUILDS_DIR + std::string("/tinydnn"));
    for (int trial : {1, 2}) {
        INFO("trial " << trial);
        std::vector<Snapshot> mine;
        for (const auto& s : snapshots)
            if (s.runner == "cradle" && s.trial == trial) mine.push_back(s);
        REQUIRE(mine.size() >= 2);
        Snapshot last = mine.back();
        CHECK(last.executions == 16);
        REQUIRE(last.coverage.size() == 6);

        // The raw profiles were folded into one running total, and it measures as the snapshot says.
        std::string profiles = folder.trial("cradle", trial).profile_dir();
        size_t raw = 0;
        for (const auto& e : fs::directory_iterator(profiles)) raw += e.path().extension() == ".profraw";
        CHECK(raw == 0);
        // ... and as `dlcov report` counts it, on the build's layout.
        Comparison c = compare_runners(MeasurementPipeline(build), {{"cradle", {profiles}}});
        Measurement m = c.runners[0].measurement;
        CHECK(last.coverage["overall"].lines.covered == m.total.lines.covered);
        CHECK(last.coverage["overall"].branches.covered == m.total.branches.covered);
        CHECK(last.coverage["overall"].functions.covered == m.total.functions.covered);
        CHECK(last.coverage["operation"].lines.covered == m.components[Component::Operation].lines.covered);
        CHECK(m.total.lines.covered > 0);
    }
    CampaignRecord campaign = read_campaign_record(folder);
    CHECK(campaign.status == "finished");
    REQUIRE(campaign.runners.size() == 1);
    CHECK(campaign.runners[0].trials.size() == 2);
    CommandResult report = run_command(std::string(DLCOV_EXE) + " report " + results);
    INFO(report.output);
    CHECK(report.exit_code == 0);
}

namespace {

// Running and not a zombie.
bool alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t paren = text.rfind(')');
    return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

}  // namespace

// Issue 11, item 5: a tester's shell starts the instrumented executor with `setsid ... &` (out of
// the tester's process group, where a group's signals do not reach it) and exits while the
// executor still trains. Without containment the executor outlived the trial and the campaign,
// and went on writing counters into a profile that had been folded already: that coverage was
// lost. Under dlcov-contain it is ended (SIGTERM) and reaped when the tester ends, before the
// last fold: the folded profile is its complete one, and the trial counts it.
TEST_CASE("an executor that escapes its tester's process group is ended before the trial's last fold",
          "[campaign][contain]") {
    std::string work = scratch_dir("tinydnn-escaped-executor");
    std::string seeds = work + "/seeds", pid_file = work + "/executor.pid";
    must_run(shell_quote((fs::path(DLCOV_EXE).parent_path() / "dlcov-tinydnn-seeds").string()) + " --out " + shell_quote(seeds));
    write_file(work + "/escape.sh",
               "setsid \"$1\" --model \"$2\" --input \"$3\" --output \"$4\" --backend internal --train 1000000 &\n"
               "echo $! > \"$5\"\n"
               "sleep 5\n");  // the executor is training by then (atomic counters: several times slower)
    write_file(work + "/escape.yaml",
               "name: escape\nmode: live\ntimeout: 30\n"
               "command: [\"/bin/sh\", \"" + work + "/escape.sh\", \"{target:dlcov-tinydnn-exec}\", \"" + seeds +
                   "/mlp.model.json\", \"" + seeds + "/mlp.input.json\", \"{work}/out.json\", \"" + pid_file + "\"]\n");
    write_file(work + "/campaign.yaml",
               "name: escaped\n"
               "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
               "runners:\n"
               "  - {runner: " + work + "/escape.yaml, trials: 1, budget: 15}\n");
    CommandResult r = run_command(std::string(DLCOV_EXE) + " run " + work + "/campaign.yaml --keep-profiles --results-dir " +
                                  work + "/results --builds-dir " + DLCOV_TEST_BUILDS_DIR);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::ifstream pid_in(pid_file);
    pid_t executor = 0;
    REQUIRE(pid_in >> executor);
    const bool outlived_the_campaign = alive(executor);
    CHECK_FALSE(outlived_the_campaign);

    // The executor's one profile was folded and kept; nothing writes into it any more.
    CampaignFolder folder(work + "/results/escaped");
    TrialFolder trial = folder.trial("escape", 1);
    std::string kept;
    for (const auto& e : fs::directory_iterator(trial.kept_profile_dir()))
        if (e.path().filename().string().find("-" + std::to_string(executor) + "-") != std::string::npos) kept = e.path().string();
    REQUIRE_FALSE(kept.empty());
    const std::string folded = read_file(kept);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(read_file(kept) == folded);
    if (outlived_the_campaign) kill(executor, SIGKILL);

    // ... and the trial counts all of it: its last snapshot is what the kept profile measures now.
    Snapshot last;
    for (const auto& s : read_snapshots(folder))
        if (s.runner == "escape" && s.trial == 1) last = s;
    REQUIRE(last.runner == "escape");
    BuildManifest build = load_manifest(DLCOV_TEST_BUILDS_DIR + std::string("/tinydnn"));
    Comparison c = compare_runners(MeasurementPipeline(build), {{"escape", {trial.kept_profile_dir()}}});
    const Measurement& m = c.runners[0].measurement;
    CHECK(m.total.lines.covered > 0);
    CHECK(last.coverage["operation"].lines.covered > 0);
    CHECK(last.coverage["overall"].lines.covered == m.total.lines.covered);
    CHECK(last.coverage["overall"].branches.covered == m.total.branches.covered);
}
