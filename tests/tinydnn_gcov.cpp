// The gcov mode on the real tiny-dnn (configs/frameworks/tinydnn-gcov.yaml, built once by the ctest
// fixture instrument_tinydnn_gcov): a CRADLE campaign whose every process writes its .gcda files
// into a folder of its own, folded into the trial's running total; the total's numbers equal
// gcovr's on the same data files; and what a process keeps when it is stopped.
#include "campaign_folder.h"
#include "campaign_record.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using nlohmann::json;

namespace {

const std::string kDlcov = DLCOV_EXE;

std::string gcov_build() { return std::string(DLCOV_TEST_BUILDS_DIR) + "/tinydnn-gcov"; }

const std::string& campaign_dir() {
    static std::string dir = [] {
        std::string work = scratch_dir("tinydnn-gcov-campaign");
        write_file(work + "/campaign.yaml",
                   "name: gcov-e2e\n"
                   "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn-gcov.yaml\n"
                   "runners:\n"
                   "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/cradle.yaml\n"
                   "    trials: 1\n");
        auto r = run_command(kDlcov + " run " + work + "/campaign.yaml --keep-profiles --results-dir " + work +
                             "/results --builds-dir " + DLCOV_TEST_BUILDS_DIR);
        if (r.exit_code != 0) throw std::runtime_error("dlcov run failed:\n" + r.output);
        return work + "/results/gcov-e2e";
    }();
    return dir;
}

std::vector<std::string> data_files_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".gcda") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

// gcovr's input: the notes next to one data file per object, each the sum of the processes' (by
// gcov-tool, as `gcov-tool merge` adds a program's runs).
std::string reference_folder(const std::string& work, const std::vector<std::string>& data_files) {
    std::string ref = work + "/reference";
    fs::create_directories(ref);
    for (const auto& e : fs::directory_iterator(gcov_build() + "/bin"))
        if (e.path().extension() == ".gcno") fs::copy_file(e.path(), ref + "/" + e.path().filename().string());
    for (const auto& f : data_files) {
        std::string name = fs::path(f).filename().string();
        if (!fs::exists(ref + "/" + name)) {
            fs::copy_file(f, ref + "/" + name);
            continue;
        }
        std::string a = work + "/merge-a", b = work + "/merge-b", out = work + "/merge-out";
        for (const auto& d : {a, b, out}) fs::remove_all(d);
        fs::create_directories(a);
        fs::create_directories(b);
        fs::copy_file(ref + "/" + name, a + "/" + name);
        fs::copy_file(f, b + "/" + name);
        must_run("gcov-tool-12 merge " + shell_quote(a) + " " + shell_quote(b) + " -o " + shell_quote(out));
        fs::copy_file(out + "/" + name, ref + "/" + name, fs::copy_options::overwrite_existing);
    }
    return ref;
}

std::string numbers(const json& lines, const json& branches, const json& functions) {
    return lines.dump() + " " + branches.dump() + " " + functions.dump();
}

}  // namespace

TEST_CASE("gcov mode: a CRADLE campaign folds one folder of data files per process into gcov-total/",
          "[gcov]") {
    CampaignFolder folder(campaign_dir());
    CHECK(read_campaign_record(folder).status == "finished");
    std::optional<TrialRecord> trial = read_trial_record(folder, "cradle", 1);
    REQUIRE(trial);
    CHECK(trial->executions == 16);
    CHECK(trial->failed_executions == 0);
    size_t kept = 0;
    for (const auto& e : fs::directory_iterator(folder.trial("cradle", 1).kept_profile_dir())) {
        CHECK_THAT(e.path().filename().string(), Catch::EndsWith(".gcda.d"));
        kept += e.is_directory();
    }
    CHECK(kept == 16);  // every execution's process folder, folded and kept
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(folder.trial("cradle", 1).profile_dir()))
        left.push_back(e.path().filename().string());
    CHECK(left == std::vector<std::string>{"gcov-total"});
    CHECK(data_files_in(folder.trial("cradle", 1).profile_dir() + "/gcov-total").size() == 1);  // the executor's

    auto r = run_command(kDlcov + " report " + campaign_dir());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto summary = json::parse(read_file(campaign_dir() + "/summary.json"));
    for (const auto& [name, c] : summary["components"].items()) {
        INFO(name);
        CHECK(c["lines"]["covered"] > 0);
        CHECK(c["lines"]["covered"] < c["lines"]["total"]);
    }
}

TEST_CASE("gcov mode: the trial's running total measures what gcovr measures on the processes' data files",
          "[gcov]") {
    CampaignFolder folder(campaign_dir());
    std::string work = scratch_dir("tinydnn-gcov-reference");
    std::string ref = reference_folder(work, data_files_in(folder.trial("cradle", 1).kept_profile_dir()));
    must_run("gcovr --root / --filter / --gcov-executable gcov-12 --json-summary " + shell_quote(work + "/gcovr.json") +
             " " + shell_quote(ref));
    must_run(kDlcov + " measure --gcov-objects " + shell_quote(gcov_build() + "/bin") + " --profiles " +
             shell_quote(folder.trial("cradle", 1).profile_dir()) + " --json " + shell_quote(work + "/dlcov.json"));
    json gcovr = json::parse(read_file(work + "/gcovr.json"));
    json dlcov = json::parse(read_file(work + "/dlcov.json"));
    std::map<std::string, std::string> expected, actual;
    for (const json& f : gcovr["files"]) {
        fs::path name = f["filename"].get<std::string>();
        if (name.is_relative()) name = fs::path(gcovr["root"].get<std::string>()) / name;
        expected[name.lexically_normal().string()] =
            numbers({f["line_covered"], f["line_total"]}, {f["branch_covered"], f["branch_total"]},
                    {f["function_covered"], f["function_total"]});
    }
    auto mine = [](const json& t) {
        return numbers({t["lines"]["covered"], t["lines"]["total"]}, {t["branches"]["covered"], t["branches"]["total"]},
                       {t["functions"]["covered"], t["functions"]["total"]});
    };
    for (const json& f : dlcov["files"]) actual[f["path"].get<std::string>()] = mine(f);
    REQUIRE(expected.size() > 100);  // tiny-dnn's headers, the executor's, the system's
    CHECK(actual.size() == expected.size());
    for (const auto& [path, n] : expected) {
        INFO(path);
        REQUIRE(actual.count(path));
        CHECK(actual.at(path) == n);
    }
    CHECK(mine(dlcov["total"]) == numbers({gcovr["line_covered"], gcovr["line_total"]},
                                          {gcovr["branch_covered"], gcovr["branch_total"]},
                                          {gcovr["function_covered"], gcovr["function_total"]}));
}

TEST_CASE("gcov mode: a tiny-dnn run stopped by SIGTERM keeps its coverage, one stopped by SIGKILL keeps none",
          "[gcov]") {
    std::string work = scratch_dir("tinydnn-gcov-signals");
    must_run(shell_quote((fs::path(DLCOV_EXE).parent_path() / "dlcov-tinydnn-seeds").string()) + " --out " +
             shell_quote(work + "/seeds"));
    std::string exec = gcov_build() + "/bin/dlcov-tinydnn-exec";
    auto train = [&](const std::string& signal, const std::string& folder) {
        // Training the VGG-like seed runs for minutes: `timeout` stops it after 8 s (with atomic
        // counters the first steps take a few seconds).
        return run_command("GCOV_PREFIX=" + shell_quote(work + "/" + folder + "/run-%p.gcda.d") + " timeout -s " + signal +
                           " 8 " + shell_quote(exec) + " --model " + shell_quote(work + "/seeds/vgg_like.model.json") +
                           " --input " + shell_quote(work + "/seeds/vgg_like.input.json") + " --output " +
                           shell_quote(work + "/out.json") + " --train 100000");
    };
    CommandResult term = train("TERM", "term");
    CHECK(term.exit_code == 124);  // timeout's own code: the executor did not finish
    REQUIRE(fs::is_directory(work + "/term"));
    CHECK(data_files_in(work + "/term").size() == 1);
    // What it dumped is a whole data file (--strict: none skipped), with training code in it.
    must_run(kDlcov + " measure --gcov-objects " + shell_quote(gcov_build() + "/bin") + " --profiles " +
             shell_quote(work + "/term") + " --strict --json " + shell_quote(work + "/term.json"));
    json j = json::parse(read_file(work + "/term.json"));
    bool optimizer_ran = false;
    for (const json& f : j["files"])
        if (f["path"].get<std::string>().find("optimizers/optimizer.h") != std::string::npos)
            optimizer_ran = f["functions"]["covered"].get<int>() > 0;
    CHECK(optimizer_ran);

    CommandResult kill = train("KILL", "kill");
    CHECK(kill.exit_code == 137);
    CHECK_FALSE(fs::exists(work + "/kill"));  // libgcov writes at exit or when dumped: nothing
}

TEST_CASE("gcov mode: a tiny-dnn run whose kernel threads all fail an assertion keeps a whole data file",
          "[gcov]") {
    // A TenFuzz-style mutant (an input reshaped to 1x1x25 for a 3x3 quantized convolution): every
    // thread of tiny-dnn's parallel_for aborts in index3d::get_index, and only the first SIGABRT
    // may dump the counters (runners/tinydnn/tinydnn_program.h).
    std::string work = scratch_dir("tinydnn-gcov-abort");
    write_file(work + "/test.json",
               R"({"api":"layer","history":[],"inputs":[{"samples":[[43.0,125.0,106.0,107.0,198.0,106.0,253.0,224.0,)"
               R"(134.0,246.0,141.0,0.0,204.0,144.0,29.0,255.0,200.0,198.0,9.0,142.0,149.0,99.0,103.0,33.0,247.0]],)"
               R"("shape":[1,1,25]}],"name":"quantized_conv","param_types":{"has_bias":"bool","out_channels":"uint",)"
               R"("stride":"uint","window":"uint"},"params":{"has_bias":true,"out_channels":2,"stride":1,"window":3}})");
    const int runs = 10;
    for (int i = 0; i < runs; ++i) {
        CommandResult r = run_command("GCOV_PREFIX=" + shell_quote(work + "/runs/run" + std::to_string(i) + "-%p.gcda.d") +
                                      " " + shell_quote(gcov_build() + "/bin/dlcov-tinydnn-api") + " --test " +
                                      shell_quote(work + "/test.json") + " --output " + shell_quote(work + "/out.json") +
                                      " --backend internal");
        INFO(r.output);
        CHECK(r.exit_code == 134);  // SIGABRT
    }
    CHECK(data_files_in(work + "/runs").size() == size_t(runs));
    CommandResult m = must_run(kDlcov + " measure --gcov-objects " + shell_quote(gcov_build() + "/bin") + " --profiles " +
                               shell_quote(work + "/runs") + " --strict");
    CHECK_THAT(m.output, Catch::Contains("measured " + std::to_string(runs) + " profile(s)"));
}
