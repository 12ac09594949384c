// A short campaign on real PyTorch (Debian's 1.13.1, the ctest fixture instrument_pytorch) with the
// testers that ship for it: Table 6 has covered statements in all five components, its numbers are
// coverage.py's own (`coverage combine` + `coverage json` of the same data files, per file), and
// the HTML report opens in Chromium with a Python source page that shows hits.
#include "html_link_check.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;
using nlohmann::json;

namespace {

const std::string kSource = DLCOV_SOURCE_DIR;

struct PytorchCampaign {
    std::string dir, results, builds;
    CommandResult run, report;
};

// Run once for all test cases of this file: about a minute and a half.
const PytorchCampaign& pytorch_campaign() {
    static const PytorchCampaign c = [] {
        PytorchCampaign c;
        c.dir = scratch_dir("frameworks_pytorch_campaign");
        c.builds = fs::path(framework_build_dir("pytorch")).parent_path().string();
        c.results = c.dir + "/results";
        write_file(c.dir + "/campaign.yaml",
                   "name: torch-short\n"
                   "framework: " + kSource + "/configs/frameworks/pytorch.yaml\n"
                   "results_dir: results\nrandom_seed: 7\nsnapshot_interval: 5\njobs: 2\n"
                   "runners:\n"
                   "  - runner: " + kSource + "/configs/runners/cradle-frameworks.yaml\n"
                   "    trials: 1\n    budget: 60\n    options: {framework: pytorch}\n"
                   "  - runner: " + kSource + "/configs/runners/freefuzz-style-pytorch.yaml\n"
                   "    trials: 1\n    budget: 40\n");
        c.run = run_command(shell_quote(DLCOV_EXE) + " run " + shell_quote(c.dir + "/campaign.yaml") + " --builds-dir " +
                            shell_quote(c.builds) + " --keep-profiles");
        c.report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(c.results + "/torch-short"));
        return c;
    }();
    return c;
}

std::string venv_python() { return framework_build_dir("pytorch") + "/venv/bin/python"; }

}  // namespace

TEST_CASE("a campaign on real PyTorch covers all five components", "[frameworks][pytorch]") {
    const PytorchCampaign& c = pytorch_campaign();
    INFO(c.run.output);
    REQUIRE(c.run.exit_code == 0);
    INFO(c.report.output);
    REQUIRE(c.report.exit_code == 0);
    CHECK_THAT(c.report.output, Contains("on PyTorch 1.13.1 (python mode)"));
    json summary = json::parse(read_file(c.results + "/torch-short/summary.json"));
    for (const char* component : {"api", "graph", "operation", "utility", "environment"}) {
        INFO(component);
        const json& lines = summary["components"][component]["lines"];
        CHECK(lines["total"].get<long>() > 0);
        CHECK(lines["covered"].get<long>() > 0);
    }
    for (const char* runner : {"cradle-frameworks", "freefuzz-style-pytorch"}) {
        INFO(runner);
        CHECK(summary["testers"][runner]["total"]["lines"]["covered"].get<long>() > 0);
    }
}

TEST_CASE("Table 6 on real PyTorch equals coverage.py's report of the same data files, per file",
          "[frameworks][pytorch]") {
    const PytorchCampaign& c = pytorch_campaign();
    REQUIRE(c.run.exit_code == 0);
    REQUIRE(c.report.exit_code == 0);

    // Every data file the campaign's processes wrote (kept after folding), combined by coverage.py.
    std::string work = scratch_dir("frameworks_pytorch_coveragepy");
    size_t data_files = 0;
    for (const auto& e : fs::recursive_directory_iterator(c.results + "/torch-short"))
        if (e.is_regular_file() && e.path().parent_path().filename() == "profiles-kept" &&
            e.path().filename().string().rfind(".coverage", 0) == 0)
            fs::copy_file(e.path(), work + "/" + e.path().filename().string() + "." + std::to_string(data_files++));
    REQUIRE(data_files >= 4);
    write_file(work + "/rc",
               "[run]\nbranch = True\nsource =\n    /usr/lib/python3/dist-packages/torch\n"
               "    /usr/lib/python3/dist-packages/functorch\n[report]\nignore_errors = True\n");
    std::string coverage = "cd " + shell_quote(work) + " && COVERAGE_FILE=" + shell_quote(work + "/.coverage") + " " +
                           shell_quote(venv_python()) + " -m coverage ";
    CommandResult combine = run_command(coverage + "combine --rcfile rc -q " + work);
    INFO(combine.output);
    REQUIRE(combine.exit_code == 0);
    CommandResult report = run_command(coverage + "json --rcfile rc -q -o coverage.json");
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    json theirs = json::parse(read_file(work + "/coverage.json"));
    std::map<std::string, json> by_path;  // relative to dist-packages, as dlcov names files
    for (const auto& [path, file] : theirs["files"].items())
        by_path[fs::path(path).lexically_relative("/usr/lib/python3/dist-packages").string()] = file["summary"];

    json ours = json::parse(read_file(c.results + "/torch-short/report/coverage.json"));
    size_t compared = 0, executed = 0;
    long statements = 0, covered = 0;
    for (const json& file : ours["files"]) {
        std::string path = file["path"];
        INFO(path);
        auto it = by_path.find(path);
        REQUIRE(it != by_path.end());
        const json& s = it->second;
        CHECK(file["lines"]["total"] == s["num_statements"]);
        CHECK(file["lines"]["covered"] == s["covered_lines"]);
        CHECK(file["branches"]["total"] == s["num_branches"]);
        CHECK(file["branches"]["covered"] == s["covered_branches"]);
        ++compared;
        executed += s["covered_lines"].get<long>() > 0;
        statements += file["lines"]["total"].get<long>();
        covered += file["lines"]["covered"].get<long>();
    }
    CHECK(compared > 1000);
    CHECK(executed > 200);
    CHECK(covered == ours["total"]["lines"]["covered"].get<long>());
    CHECK(statements == ours["total"]["lines"]["total"].get<long>());
}

TEST_CASE("the PyTorch report opens in Chromium, no link is broken, Python source pages show hits",
          "[frameworks][pytorch]") {
    const PytorchCampaign& c = pytorch_campaign();
    REQUIRE(c.report.exit_code == 0);
    fs::path report = c.results + "/torch-short/report";
    auto broken = check_report_links(report.string());
    for (const auto& b : broken) UNSCOPED_INFO(b.page << ": " << b.target << " (" << b.reason << ")");
    CHECK(broken.empty());

    // The page of torch/nn/modules/conv.py: every seed with a convolution ran it.
    std::string page;
    for (const auto& e : fs::directory_iterator(report))
        if (e.path().filename().string().rfind("file-", 0) == 0 &&
            read_file(e.path().string()).find("<h1>torch/nn/modules/conv.py") != std::string::npos)
            page = e.path().string();
    REQUIRE_FALSE(page.empty());
    std::string profile = scratch_dir("frameworks-chromium-profile");
    CommandResult dom = run_command("chromium --headless --no-sandbox --disable-gpu --no-first-run "
                                    "--disable-background-networking --user-data-dir=" + profile +
                                    " --dump-dom file://" + page + " 2>/dev/null");
    CHECK_THAT(dom.output, Contains("class=\"hit\"") && Contains("class=\"miss\"") && Contains("exit to line"));
    CHECK_THAT(dom.output, Contains("def forward"));
}
