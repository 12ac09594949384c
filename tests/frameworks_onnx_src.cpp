// ONNX 1.14.1 built from its PyPI source distribution through the recipe machinery
// (configs/frameworks/onnx-src.yaml; the ctest fixtures instrument_onnx_src and
// instrument_onnx_src_gcov build it in modes llvm and gcov), measured with a tester through dlcov:
// a campaign of onnx-modelgen on each build. The C++ files' numbers equal the reference tools' on
// the same kept profiles (llvm-cov report; gcovr over the processes' data files added up with
// gcov-tool), and the Python layer of the same build is measured beside them. About a minute.
#include "llvm_cov_report.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using nlohmann::json;

namespace {

const std::string kSource = DLCOV_SOURCE_DIR;

struct SourceCampaign {
    std::string results, trial;
    CommandResult run, report;
    std::map<std::string, json> files;  // path -> report/coverage.json's entry
};

SourceCampaign run_campaign(const std::string& mode) {
    SourceCampaign c;
    std::string dir = scratch_dir("frameworks_onnx_src_" + mode);
    std::string builds = fs::path(framework_build_dir("onnx-src")).parent_path().string();
    write_file(dir + "/campaign.yaml",
               "name: onnx-src-" + mode + "\n"
               "framework: " + kSource + "/configs/frameworks/onnx-src.yaml\nframework_mode: " + mode + "\n"
               "results_dir: results\nrandom_seed: 3\nsnapshot_interval: 5\njobs: 1\n"
               "runners:\n"
               "  - runner: " + kSource + "/configs/runners/onnx-modelgen.yaml\n"
               "    trials: 1\n    budget: 240\n    options: {executions: 12}\n");
    c.results = dir + "/results/onnx-src-" + mode;
    c.trial = c.results + "/onnx-modelgen/trial-1";
    c.run = run_command(shell_quote(DLCOV_EXE) + " run " + shell_quote(dir + "/campaign.yaml") + " --builds-dir " +
                        shell_quote(builds) + " --keep-profiles");
    if (c.run.exit_code != 0) return c;
    c.report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(c.results));
    if (c.report.exit_code != 0) return c;
    json report = json::parse(read_file(c.results + "/report/coverage.json"));
    for (const json& f : report["files"]) c.files[f["path"].get<std::string>()] = f;
    return c;
}

void require_ran(const SourceCampaign& c) {
    INFO(c.run.output);
    REQUIRE(c.run.exit_code == 0);
    INFO(c.report.output);
    REQUIRE(c.report.exit_code == 0);
}

bool is_cpp(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    return ext == ".cc" || ext == ".h";
}

// Both layers are there: ONNX's C++ (checker, shape inference) and its Python package.
void check_both_layers(const SourceCampaign& c) {
    for (const char* path : {"onnx/checker.cc", "onnx/shape_inference/implementation.cc", "onnx/checker.py",
                             "onnx/reference/reference_evaluator.py"}) {
        INFO(path);
        REQUIRE(c.files.count(path));
        CHECK(c.files.at(path)["lines"]["covered"].get<long>() > 0);
    }
    CHECK(!c.files.count(".setuptools-cmake-build/onnx/onnx-ml.pb.cc"));  // protoc's output stays plain
}

}  // namespace

TEST_CASE("onnx-src, mode llvm: a campaign's C++ numbers equal llvm-cov report's on the same profiles",
          "[frameworks][onnx-src]") {
    SourceCampaign c = run_campaign("llvm");
    require_ran(c);
    CHECK_THAT(c.report.output, Catch::Contains("on ONNX 1.14.1 (llvm mode)"));
    check_both_layers(c);
    std::vector<std::string> raw;
    for (const auto& e : fs::directory_iterator(c.trial + "/profiles-kept"))
        if (e.path().extension() == ".profraw") raw.push_back(e.path().string());
    CHECK(raw.size() == 12);  // one per execution: the module is the build's one object
    json build = json::parse(read_file(framework_build_dir("onnx-src") + "/build.json"));
    std::vector<std::string> objects = build["objects"].get<std::vector<std::string>>();
    REQUIRE(objects.size() == 1);
    ReferenceReport reference = llvm_cov_report(objects, raw, scratch_dir("frameworks_onnx_src_llvm_ref"));
    size_t compared = 0;
    for (const auto& [path, file] : c.files) {
        if (!is_cpp(path)) continue;
        INFO(path);
        // llvm-cov names files below their common folder, the unpacked sdist: as dlcov does.
        REQUIRE(reference.files.count(path));
        const ReferenceRow& row = reference.files.at(path);
        CHECK(file["lines"]["total"] == row.lines);
        CHECK(file["lines"]["covered"] == row.lines - row.missed_lines);
        CHECK(file["branches"]["covered"] == row.branches - row.missed_branches);
        CHECK(file["functions"]["covered"] == row.functions - row.missed_functions);
        ++compared;
    }
    CHECK(compared > 40);
}

TEST_CASE("onnx-src, mode gcov: a campaign's C++ numbers equal gcovr's on the same data files",
          "[frameworks][onnx-src]") {
    SourceCampaign c = run_campaign("gcov");
    require_ran(c);
    CHECK_THAT(c.report.output, Catch::Contains("on ONNX 1.14.1 (gcov mode)"));
    check_both_layers(c);
    // The reference's input: the build's notes files, with the data files of every process added
    // up beside them (gcov-tool merge, as libgcov adds runs into one file).
    json build = json::parse(read_file(framework_build_dir("onnx-src-gcov") + "/build.json"));
    std::string checkout = build["source_root"];
    std::string tree = checkout + "/.setuptools-cmake-build";
    std::string work = scratch_dir("frameworks_onnx_src_gcov_ref");
    std::string merged = work + "/tree";
    size_t processes = 0;
    for (const auto& e : fs::directory_iterator(c.trial + "/profiles-kept")) {
        std::string data = e.path().string() + tree;  // GCOV_PREFIX + the object folder's absolute path
        if (!fs::is_directory(data)) continue;
        if (processes++ == 0) fs::copy(data, merged, fs::copy_options::recursive);
        else must_run("gcov-tool-12 merge -o " + shell_quote(merged) + " " + shell_quote(data) + " " + shell_quote(merged));
    }
    CHECK(processes == 12);
    for (const std::string& notes : build["gcov"]["notes"].get<std::vector<std::string>>())
        fs::copy_file(notes, merged + "/" + fs::path(notes).lexically_relative(tree).string(),
                      fs::copy_options::overwrite_existing);
    std::string summary = work + "/gcovr.json";
    must_run("cd " + shell_quote(merged) + " && gcovr --root " + shell_quote(checkout) +
             " --gcov-executable gcov-12 --json-summary " + shell_quote(summary) + " .");
    std::map<std::string, json> gcovr;
    json gcovr_report = json::parse(read_file(summary));
    for (const json& f : gcovr_report["files"]) gcovr[f["filename"].get<std::string>()] = f;
    size_t compared = 0;
    for (const auto& [path, file] : c.files) {
        if (!is_cpp(path)) continue;
        INFO(path);
        REQUIRE(gcovr.count(path));
        CHECK(file["lines"]["total"] == gcovr[path]["line_total"]);
        CHECK(file["lines"]["covered"] == gcovr[path]["line_covered"]);
        CHECK(file["branches"]["covered"] == gcovr[path]["branch_covered"]);
        CHECK(file["functions"]["covered"] == gcovr[path]["function_covered"]);
        ++compared;
    }
    CHECK(compared > 40);
}
