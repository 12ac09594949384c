// End to end on the real instrumented tiny-dnn: a CRADLE-style campaign, its report, and the
// correctness contract against llvm-cov on the profiles the campaign wrote.
#include "campaign_folder.h"
#include "campaign_record.h"
#include "llvm_cov_report.h"
#include "profile_merge.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

const std::string kDlcov = DLCOV_EXE;

// Runs a one-trial CRADLE campaign into a scratch results folder, once per test binary.
const std::string& campaign_dir() {
    static std::string dir = [] {
        std::string work = scratch_dir("tinydnn-campaign");
        write_file(work + "/campaign.yaml",
                   "name: e2e\n"
                   "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
                   "runners:\n"
                   "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/cradle.yaml\n"
                   "    trials: 1\n");
        auto r = run_command(kDlcov + " run " + work + "/campaign.yaml --keep-profiles --results-dir " + work + "/results --builds-dir " +
                             DLCOV_TEST_BUILDS_DIR);
        if (r.exit_code != 0) throw std::runtime_error("dlcov run failed:\n" + r.output);
        return work + "/results/e2e";
    }();
    return dir;
}

}  // namespace

TEST_CASE("a CRADLE campaign runs every seed on both backends, one profile per process") {
    CampaignFolder folder(campaign_dir());
    CHECK(read_campaign_record(folder).status == "finished");
    std::optional<TrialRecord> trial = read_trial_record(folder, "cradle", 1);
    auto seeds = nlohmann::json::parse(read_file(campaign_dir() + "/seeds/seeds.json"));
    REQUIRE(seeds.size() == 8);
    REQUIRE(trial);
    CHECK(trial->executions == 16);
    CHECK(trial->failed_executions == 0);
    size_t profiles = 0;
    for (const auto& e : fs::directory_iterator(folder.trial("cradle", 1).kept_profile_dir()))
        profiles += e.path().extension() == ".profraw";
    CHECK(profiles == 16);
    for (const auto& s : seeds)
        for (std::string backend : {"internal", "avx"})
            CHECK(fs::exists(folder.trial("cradle", 1).work_dir() + "/outputs/" + s["name"].get<std::string>() + "." + backend +
                             ".json"));
}

TEST_CASE("the report has the Table 6 layout and non-zero coverage in all five components") {
    auto r = run_command(kDlcov + " report " + campaign_dir());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    for (std::string heading : {"User-Level API", "Graph-Level Implementation", "Operation Implementation",
                                "General Utility", "Environment-Dependent Processing", "Overall", "lines coverage",
                                "branches coverage", "functions coverage", "cradle"})
        CHECK_THAT(r.output, Catch::Contains(heading));
    auto summary = nlohmann::json::parse(read_file(campaign_dir() + "/summary.json"));
    REQUIRE(summary["components"].size() == 5);
    for (const auto& [name, c] : summary["components"].items()) {
        INFO(name);
        CHECK(c["lines"]["total"] > 0);
        CHECK(c["branches"]["total"] > 0);
        CHECK(c["functions"]["total"] > 0);
        CHECK(c["lines"]["covered"] > 0);
        CHECK(c["lines"]["covered"] < c["lines"]["total"]);
    }
    CHECK(summary["testers"].contains("cradle"));
    std::string csv = read_file(campaign_dir() + "/summary.csv");
    CHECK_THAT(csv, Catch::StartsWith("tester,metric,component,covered,total,percent\n"));
    CHECK_THAT(csv, Catch::Contains("union,lines,overall,"));
}

TEST_CASE("on the real tiny-dnn executor, dlcov measure equals llvm-cov report") {
    std::string build = tinydnn_build_dir();
    auto manifest = nlohmann::json::parse(read_file(build + "/build.json"));
    std::vector<std::string> objects = manifest["objects"].get<std::vector<std::string>>();
    std::string profile_dir = CampaignFolder(campaign_dir()).trial("cradle", 1).kept_profile_dir();
    std::string work = scratch_dir("tinydnn-contract");

    std::string cmd = kDlcov + " measure --files --json " + work + "/m.json --profiles " + profile_dir + " --objects";
    for (const auto& o : objects) cmd += " " + o;
    auto r = run_command(cmd);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(read_file(work + "/m.json"));
    ReferenceReport ref = llvm_cov_report(objects, expand_profile_paths({profile_dir}), work);

    REQUIRE(j["files"].size() == ref.files.size());
    REQUIRE(j["files"].size() > 50);
    for (const auto& f : j["files"]) {
        std::string path = f["path"];
        const ReferenceRow* row = nullptr;
        for (const auto& [name, ref_row] : ref.files)
            if (path.size() >= name.size() && path.compare(path.size() - name.size(), name.size(), name) == 0) row = &ref_row;
        INFO(path);
        REQUIRE(row);
        CHECK(f["lines"]["total"] == row->lines);
        CHECK(f["lines"]["total"].get<unsigned long long>() - f["lines"]["covered"].get<unsigned long long>() == row->missed_lines);
        CHECK(f["branches"]["total"] == row->branches);
        CHECK(f["branches"]["total"].get<unsigned long long>() - f["branches"]["covered"].get<unsigned long long>() == row->missed_branches);
        CHECK(f["functions"]["total"] == row->functions);
        CHECK(f["functions"]["total"].get<unsigned long long>() - f["functions"]["covered"].get<unsigned long long>() == row->missed_functions);
    }
    CHECK(j["total"]["lines"]["total"] == ref.total.lines);
    CHECK(j["total"]["lines"]["total"].get<unsigned long long>() - j["total"]["lines"]["covered"].get<unsigned long long>() == ref.total.missed_lines);
    CHECK(j["total"]["branches"]["total"] == ref.total.branches);
    CHECK(j["total"]["functions"]["total"] == ref.total.functions);
    CHECK(j["total"]["functions"]["total"].get<unsigned long long>() - j["total"]["functions"]["covered"].get<unsigned long long>() == ref.total.missed_functions);
}

TEST_CASE("dlcov components maps every instrumented tiny-dnn file") {
    auto r = run_command(kDlcov + " components " + tinydnn_build_dir() + " --files");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("tiny_dnn/layers/convolutional_layer.h"));
    CHECK_THAT(r.output, Catch::Contains("tiny_dnn/nodes.h"));

    // A map that misses files fails and names them.
    std::string work = scratch_dir("tinydnn-components");
    write_file(work + "/partial.yaml", "framework: tinydnn\nrules:\n  - {glob: \"tiny_dnn/layers/**\", component: api}\n");
    auto bad = run_command(kDlcov + " components " + tinydnn_build_dir() + " --map " + work + "/partial.yaml");
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.output, Catch::Contains("match no rule"));
    CHECK_THAT(bad.output, Catch::Contains("tiny_dnn/nodes.h"));
}
