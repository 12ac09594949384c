// Short campaigns of the random-model tester (runners/onnx-modelgen) on real ONNX 1.14.1 (PyPI's
// wheel in python mode, the ctest fixture instrument_onnx): the same seed and number of executions
// give the same coverage, more executions of that seed cover a superset and more, findings are
// stored with the model that reproduces them, and Table 6's numbers are coverage.py's own
// (`coverage combine` + `coverage json` of the same data files, per file). About 40 s.
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

struct OnnxCampaign {
    std::string results;  // results/<name>
    CommandResult run, report;
    json summary;         // summary.json
    std::map<std::string, json> files;  // path -> report/coverage.json's file entry
};

// One campaign of one onnx-modelgen trial, run and reported.
OnnxCampaign run_campaign(const std::string& name, int seed, int executions, const std::string& extra_options = "") {
    OnnxCampaign c;
    std::string dir = scratch_dir("frameworks_onnx_" + name);
    std::string builds = fs::path(framework_build_dir("onnx")).parent_path().string();
    write_file(dir + "/campaign.yaml",
               "name: " + name + "\n"
               "framework: " + kSource + "/configs/frameworks/onnx.yaml\n"
               "results_dir: results\nrandom_seed: " + std::to_string(seed) + "\nsnapshot_interval: 5\njobs: 1\n"
               "runners:\n"
               "  - runner: " + kSource + "/configs/runners/onnx-modelgen.yaml\n"
               "    trials: 1\n    budget: 240\n"
               "    options: {executions: " + std::to_string(executions) + extra_options + "}\n");
    c.results = dir + "/results/" + name;
    c.run = run_command(shell_quote(DLCOV_EXE) + " run " + shell_quote(dir + "/campaign.yaml") + " --builds-dir " +
                        shell_quote(builds) + " --keep-profiles");
    if (c.run.exit_code != 0) return c;
    c.report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(c.results));
    if (c.report.exit_code != 0) return c;
    c.summary = json::parse(read_file(c.results + "/summary.json"));
    json report = json::parse(read_file(c.results + "/report/coverage.json"));
    for (const json& f : report["files"]) c.files[f["path"].get<std::string>()] = f;
    return c;
}

long covered(const OnnxCampaign& c, const char* metric) { return c.summary["total"][metric]["covered"].get<long>(); }

const OnnxCampaign& campaign(int which) {
    // Seed 3: 6 executions twice (same coverage), 18 (its first 6 models are the same ones).
    static const OnnxCampaign six = run_campaign("onnx-six", 3, 6);
    static const OnnxCampaign six_again = run_campaign("onnx-six-again", 3, 6);
    static const OnnxCampaign eighteen = run_campaign("onnx-eighteen", 3, 18);
    return which == 0 ? six : which == 1 ? six_again : eighteen;
}

void require_ran(const OnnxCampaign& c) {
    INFO(c.run.output);
    REQUIRE(c.run.exit_code == 0);
    INFO(c.report.output);
    REQUIRE(c.report.exit_code == 0);
}

}  // namespace

TEST_CASE("onnx-modelgen: a seed and a number of executions give the same coverage", "[frameworks][onnx]") {
    const OnnxCampaign& a = campaign(0);
    const OnnxCampaign& b = campaign(1);
    require_ran(a);
    require_ran(b);
    CHECK_THAT(a.report.output, Catch::Contains("on ONNX 1.14.1 (python mode)"));
    CHECK(query_store(a.results, "SELECT count(*) FROM executions") == std::vector<std::string>{"6"});
    CHECK(query_store(b.results, "SELECT count(*) FROM executions") == std::vector<std::string>{"6"});
    // Same models, same outcomes.
    CHECK(query_store(a.results, "SELECT id, result FROM executions ORDER BY id") ==
          query_store(b.results, "SELECT id, result FROM executions ORDER BY id"));
    for (const char* metric : {"lines", "branches", "functions"}) {
        INFO(metric);
        CHECK(covered(a, metric) > 0);
        CHECK(covered(a, metric) == covered(b, metric));
    }
    REQUIRE(a.files.size() > 200);
    REQUIRE(a.files.size() == b.files.size());
    for (const auto& [path, file] : a.files) {
        INFO(path);
        CHECK(file["lines"] == b.files.at(path)["lines"]);
        CHECK(file["branches"] == b.files.at(path)["branches"]);
    }
}

TEST_CASE("onnx-modelgen: more executions of a seed cover what fewer did, and more", "[frameworks][onnx]") {
    const OnnxCampaign& few = campaign(0);
    const OnnxCampaign& more = campaign(2);
    require_ran(few);
    require_ran(more);
    CHECK(query_store(more.results, "SELECT count(*) FROM executions") == std::vector<std::string>{"18"});
    CHECK(covered(more, "lines") > covered(few, "lines"));
    CHECK(covered(more, "branches") > covered(few, "branches"));
    for (const auto& [path, file] : few.files) {
        INFO(path);
        CHECK(more.files.at(path)["lines"]["covered"].get<long>() >= file["lines"]["covered"].get<long>());
    }
    // Every component has code and the checker's, inference's and reference's components are reached.
    for (const char* component : {"api", "graph", "operation", "utility", "environment"}) {
        INFO(component);
        CHECK(more.summary["components"][component]["lines"]["total"].get<long>() > 0);
    }
    for (const char* component : {"api", "graph", "operation", "utility"}) {
        INFO(component);
        CHECK(more.summary["components"][component]["lines"]["covered"].get<long>() > 0);
    }
}

TEST_CASE("onnx-modelgen: the reference evaluator's disagreements are findings with their model", "[frameworks][onnx]") {
    // Pools with explicit pads: ONNX 1.14.1's reference kernels disagree with shape inference
    // (runners/onnx-modelgen/README.md), found among the first models of these operators.
    const OnnxCampaign c = run_campaign("onnx-pools", 11, 16, ", ops: [AveragePool, MaxPool, Relu], invalid_rate: 0.0");
    require_ran(c);
    std::vector<std::string> findings = query_store(c.results, "SELECT kind, artifact, replay FROM findings");
    REQUIRE_FALSE(findings.empty());
    CHECK_THAT(c.report.output, !Catch::Contains("onnx-modelgen: 0 finding(s)"));
    for (const std::string& row : query_store(c.results, "SELECT kind, artifact FROM findings")) {
        INFO(row);
        std::string kind = row.substr(0, row.find('|'));
        std::string artifact = row.substr(row.find('|') + 1);
        CHECK((kind == "exception" || kind == "inconsistency"));
        std::string model = c.results + "/onnx-modelgen/trial-1/" + artifact;
        CHECK(fs::is_regular_file(model));
        CHECK(fs::is_regular_file(model.substr(0, model.size() - 5) + ".onnx"));
    }
}

TEST_CASE("onnx-modelgen: Table 6 on ONNX equals coverage.py's report of the same data files, per file",
          "[frameworks][onnx]") {
    const OnnxCampaign& c = campaign(2);
    require_ran(c);
    std::string work = scratch_dir("frameworks_onnx_coveragepy");
    size_t data_files = 0;
    for (const auto& e : fs::recursive_directory_iterator(c.results))
        if (e.is_regular_file() && e.path().parent_path().filename() == "profiles-kept" &&
            e.path().filename().string().rfind(".coverage", 0) == 0)
            fs::copy_file(e.path(), work + "/" + e.path().filename().string() + "." + std::to_string(data_files++));
    REQUIRE(data_files == 18);
    std::string venv = framework_build_dir("onnx") + "/venv";
    std::string site = venv + "/lib/python3.11/site-packages";
    write_file(work + "/rc", "[run]\nbranch = True\nsource =\n    " + site + "/onnx\n[report]\nignore_errors = True\n");
    std::string coverage = "cd " + shell_quote(work) + " && COVERAGE_FILE=" + shell_quote(work + "/.coverage") + " " +
                           shell_quote(venv + "/bin/python") + " -m coverage ";
    CommandResult combine = run_command(coverage + "combine --rcfile rc -q " + work);
    INFO(combine.output);
    REQUIRE(combine.exit_code == 0);
    CommandResult report = run_command(coverage + "json --rcfile rc -q -o coverage.json");
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    json theirs = json::parse(read_file(work + "/coverage.json"));
    std::map<std::string, json> by_path;  // relative to site-packages, as dlcov names files
    for (const auto& [path, file] : theirs["files"].items())
        by_path[fs::path(path).lexically_relative(site).string()] = file["summary"];

    size_t compared = 0;
    long statements = 0, lines = 0;
    for (const auto& [path, file] : c.files) {
        INFO(path);
        auto it = by_path.find(path);
        REQUIRE(it != by_path.end());
        CHECK(file["lines"]["total"] == it->second["num_statements"]);
        CHECK(file["lines"]["covered"] == it->second["covered_lines"]);
        CHECK(file["branches"]["total"] == it->second["num_branches"]);
        CHECK(file["branches"]["covered"] == it->second["covered_branches"]);
        ++compared;
        statements += file["lines"]["total"].get<long>();
        lines += file["lines"]["covered"].get<long>();
    }
    CHECK(compared > 200);
    CHECK(lines == covered(c, "lines"));
    CHECK(statements == c.summary["total"]["lines"]["total"].get<long>());
}
