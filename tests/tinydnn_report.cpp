// The HTML report of a real campaign on the instrumented tiny-dnn, opened in headless Chromium:
// every page loads, no link is broken, the overview is screenshotted; the lcov export matches the
// report; `dlcov diff` tells two runners apart.
#include "campaign_folder.h"
#include "campaign_store.h"
#include "html_link_check.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

const std::string kDlcov = DLCOV_EXE;

// Two CRADLE-style runners, two trials each: one on both backends, one on the internal backend
// only, so the AVX code separates them.
const std::string& report_campaign_dir() {
    static std::string dir = [] {
        std::string work = scratch_dir("tinydnn-report");
        write_file(work + "/campaign.yaml",
                   "name: report-e2e\n"
                   "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
                   "runners:\n"
                   "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/cradle.yaml\n"
                   "    name: both-backends\n"
                   "    trials: 2\n"
                   "    budget: 60\n"
                   "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/cradle.yaml\n"
                   "    name: internal-only\n"
                   "    trials: 2\n"
                   "    budget: 60\n"
                   "    options: {backends: [internal]}\n");
        auto r = run_command(kDlcov + " run " + work + "/campaign.yaml --results-dir " + work + "/results --builds-dir " +
                             DLCOV_TEST_BUILDS_DIR);
        if (r.exit_code != 0) throw std::runtime_error("dlcov run failed:\n" + r.output);
        return work + "/results/report-e2e";
    }();
    return dir;
}

struct ReportRun {
    CommandResult result;
    std::string index;  // the last line printed
};

const ReportRun& report_run() {
    static ReportRun run = [] {
        ReportRun r;
        r.result = run_command(kDlcov + " report " + report_campaign_dir() + " 2>&1");
        std::istringstream lines(r.result.output);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) r.index = line;
        return r;
    }();
    return run;
}

std::string chromium(const std::string& arguments) {
    std::string profile = scratch_dir("chromium-profile");
    return "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
           "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
           profile + " " + arguments + " 2>/dev/null";
}

}  // namespace

TEST_CASE("dlcov report writes the HTML report and prints the path of index.html last", "[report]") {
    const ReportRun& r = report_run();
    INFO(r.result.output);
    REQUIRE(r.result.exit_code == 0);
    CHECK(r.index == report_campaign_dir() + "/report/index.html");
    REQUIRE(fs::exists(r.index));
    for (std::string file : {"style.css", "sort.js", "over-time.html", "overlap.html", "uncovered.html", "statistics.html",
                             "findings.html", "component-operation.html", "coverage.lcov", "cobertura.xml",
                             "coverage.json", "coverage.csv"})
        CHECK(fs::exists(report_campaign_dir() + "/report/" + file));
    std::string overview = read_file(r.index);
    CHECK(overview.find("both-backends") != std::string::npos);
    CHECK(overview.find("internal-only") != std::string::npos);
}

TEST_CASE("every page of the tiny-dnn report loads in Chromium and no link is broken", "[report]") {
    const ReportRun& r = report_run();
    REQUIRE(r.result.exit_code == 0);
    fs::path dir = fs::path(r.index).parent_path();

    auto broken = check_report_links(dir.string());
    for (const auto& b : broken) UNSCOPED_INFO(b.page << ": " << b.target << " (" << b.reason << ")");
    CHECK(broken.empty());

    // One Chromium loads every page in an iframe of a harness page (outside the report) and
    // lists which ones came up with their heading.
    std::vector<std::string> pages;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".html") pages.push_back(e.path().string());
    REQUIRE(pages.size() > 20);
    std::string harness = scratch_dir("chromium-harness") + "/harness.html";
    std::string html = "<!DOCTYPE html><html><body><pre id=\"result\"></pre>\n";
    for (const auto& p : pages) html += "<iframe src=\"file://" + p + "\"></iframe>\n";
    html += "<script>window.addEventListener('load', function() { var out = '';"
            "document.querySelectorAll('iframe').forEach(function(f) { var d = null; try { d = f.contentDocument; } "
            "catch (e) {} var h = d && d.querySelector('main h1');"
            "out += (h && h.textContent.length ? 'PAGE-UP ' : 'PAGE-DOWN ') + f.getAttribute('src') + '\\n'; });"
            "document.getElementById('result').textContent = out; });</script></body></html>\n";
    write_file(harness, html);
    std::string dom = run_command(chromium("--allow-file-access-from-files --virtual-time-budget=60000 --dump-dom file://" +
                                           harness)).output;
    size_t up = 0;
    for (const auto& p : pages) {
        bool loaded = dom.find("PAGE-UP file://" + p + "\n") != std::string::npos;
        if (!loaded) UNSCOPED_INFO("did not load: " << p);
        up += loaded;
    }
    CHECK(up == pages.size());

    // The drill-down pages on their own: overview, a component, a file.
    std::string index_dom = run_command(chromium("--dump-dom file://" + r.index)).output;
    CHECK(index_dom.find("Line coverage") != std::string::npos);
    std::string component = read_file((dir / "component-operation.html").string());
    std::smatch first_file;
    REQUIRE(std::regex_search(component, first_file, std::regex("href=\"(file-\\d+\\.html)\"")));
    std::string file_dom = run_command(chromium("--dump-dom file://" + (dir / first_file[1].str()).string())).output;
    CHECK(file_dom.find("Lines no runner reached") != std::string::npos);

    std::string png = scratch_dir("report-screenshot") + "/overview.png";
    run_command(chromium("--screenshot=" + png + " --window-size=1400,1000 file://" + r.index));
    REQUIRE(fs::exists(png));
    CHECK(fs::file_size(png) > 10000);
}

TEST_CASE("the tiny-dnn lcov export reads back with the totals dlcov report printed", "[report]") {
    const ReportRun& r = report_run();
    REQUIRE(r.result.exit_code == 0);
    std::smatch printed;
    REQUIRE(std::regex_search(r.result.output, printed,
                              std::regex(R"(coverage.lcov: lines (\d+)/(\d+) .*branches (\d+)/(\d+), functions (\d+)/(\d+))")));
    auto summary = run_command("lcov --summary " + report_campaign_dir() + "/report/coverage.lcov --rc lcov_branch_coverage=1");
    INFO(summary.output);
    REQUIRE(summary.exit_code == 0);
    auto expect = [&](const std::string& what, const std::string& covered, const std::string& total) {
        std::smatch m;
        REQUIRE(std::regex_search(summary.output, m, std::regex(what + R"(\.*: [0-9.]+% \((\d+) of (\d+) )")));
        CHECK(m[1].str() == covered);
        CHECK(m[2].str() == total);
    };
    expect("lines", printed[1], printed[2]);
    expect("branches", printed[3], printed[4]);
    expect("functions", printed[5], printed[6]);
    // Branches and functions equal Table 6's union, as in summary.json; lines equal the union's
    // distinct source lines there (Table 6 counts a line once per definition containing it).
    auto json = nlohmann::json::parse(read_file(report_campaign_dir() + "/summary.json"));
    CHECK(std::to_string(json["total"]["distinct_lines"]["covered"].get<uint64_t>()) == printed[1].str());
    CHECK(std::to_string(json["total"]["distinct_lines"]["total"].get<uint64_t>()) == printed[2].str());
    CHECK(json["total"]["distinct_lines"]["total"].get<uint64_t>() <= json["total"]["lines"]["total"].get<uint64_t>());
    CHECK(std::to_string(json["total"]["branches"]["covered"].get<uint64_t>()) == printed[3].str());
    CHECK(std::to_string(json["total"]["branches"]["total"].get<uint64_t>()) == printed[4].str());
    CHECK(std::to_string(json["total"]["functions"]["covered"].get<uint64_t>()) == printed[5].str());
    CHECK(std::to_string(json["total"]["functions"]["total"].get<uint64_t>()) == printed[6].str());
}

TEST_CASE("no trial of the report's campaign loses covered lines, branches or functions between snapshots", "[report]") {
    std::vector<Snapshot> snapshots = read_snapshots(CampaignFolder(report_campaign_dir()));
    REQUIRE(snapshots.size() >= 4 * 2);  // two runners, two trials each, at least two snapshots each
    check_coverage_never_decreases(snapshots);
}

TEST_CASE("statistics compare the two runners over their trials", "[report]") {
    const ReportRun& r = report_run();
    REQUIRE(r.result.exit_code == 0);
    std::string stats = read_file(report_campaign_dir() + "/report/statistics.html");
    // Both backends run the AVX kernels too: every trial of it covers more lines than any trial
    // of internal-only, so A12 is 1 for the whole framework.
    CHECK(std::regex_search(stats, std::regex("<tr><td>Whole framework</td><td>both-backends</td><td>internal-only</td>"
                                              "<td class=\"num\">2/2</td>.*<td class=\"num\">1.000</td><td>large</td>")));
}

TEST_CASE("dlcov diff shows what the AVX backend adds", "[report]") {
    std::string a = report_campaign_dir() + ":both-backends", b = report_campaign_dir() + ":internal-only";
    std::string html = scratch_dir("report-diff") + "/diff.html";
    auto r = run_command(kDlcov + " diff " + a + " " + b + " --html " + html + " 2>&1");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("avx") != std::string::npos);  // an AVX kernel file among those only A reached
    std::smatch overall;
    REQUIRE(std::regex_search(r.output, overall, std::regex(R"(Overall\s+\S+ \S+\s+\S+ \S+\s+(\d+)\s+(\d+))")));
    CHECK(std::stoul(overall[1]) > 0);
    CHECK(std::stoul(overall[2]) == 0);  // internal-only reaches nothing the other runner does not
    CHECK(fs::exists(html));
    auto wrong = run_command(kDlcov + " diff " + report_campaign_dir() + ":nosuch " + b + " 2>&1");
    CHECK(wrong.exit_code == 2);
    CHECK(wrong.output.find("no runner 'nosuch'") != std::string::npos);
}
