// The campaign engine on the real instrumented tiny-dnn: a demo-like campaign with two CRADLE
// trials in parallel records coverage over time per trial, and each trial's last snapshot is
// exactly what measuring its profiles gives.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "campaign_record.h"
#include "campaign_store.h"
#include "component_map.h"
#include "measurement.h"
#include "runner_comparison.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

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
