// The HTML report, its exports and `diff` on a program this test compiles itself, with hostile
// file and runner names and source lines: everything must come out escaped, every link must
// resolve, and lcov must read the export back with the totals the report states.
#include "diff_render.h"
#include "coverage_exports.h"
#include "coverage_modes.h"
#include "html_link_check.h"
#include "html_report.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

const std::string kHostileName = "a<b>&\"c'.cpp";

struct HostileFixture {
    std::string dir, program, map;
    std::string profiles_one, profiles_two;  // one run with an argument, one without
};

// A program whose main file is named a<b>&"c'.cpp and holds markup in comments and strings, plus a
// header with a template instantiated twice and a lambda, compiled with coverage and run twice.
const HostileFixture& hostile_fixture() {
    static HostileFixture f = [] {
        HostileFixture x;
        x.dir = scratch_dir("report-hostile");
        write_file(x.dir + "/ops.h",
                   "#pragma once\n"
                   "template <typename T> T scale(T x) {\n"
                   "    auto twice = [](T v) { return v + v; };\n"
                   "    if (x > T(2)) return twice(x);\n"
                   "    return x;\n"
                   "}\n");
        write_file(x.dir + "/" + kHostileName,
                   "// <script>alert(1)</script> & \"q\"\n"
                   "#include \"ops.h\"\n"
                   "#include <cstdio>\n"
                   "int never_called(int x) { return x * 2 + 1; }\n"
                   "int main(int argc, char**) {\n"
                   "    int s = 0;\n"
                   "    if (argc > 1) {\n"
                   "        s = scale<int>(3);\n"
                   "    } else {\n"
                   "        s = scale<double>(2.0) > 1 ? 1 : 0;\n"
                   "    }\n"
                   "    const char* text = \"</td><script>alert(2)</script>\";\n"
                   "    std::printf(\"%d %s\\n\", s, text);\n"
                   "    return 0;\n"
                   "}\n");
        write_file(x.dir + "/map.yaml",
                   "framework: hostile\n"
                   "rules:\n"
                   "  - {glob: \"*.h\", component: operation}\n"
                   "  - {glob: \"*.cpp\", component: utility}\n");
        x.map = x.dir + "/map.yaml";
        x.program = x.dir + "/program";
        auto build = run_command("cd " + shell_quote(x.dir) +
                                 " && clang++-14 -O0 -fprofile-instr-generate -fcoverage-mapping " +
                                 shell_quote(kHostileName) + " -o program");
        if (build.exit_code != 0) throw std::runtime_error(build.output);
        x.profiles_one = x.dir + "/profiles-one";
        x.profiles_two = x.dir + "/profiles-two";
        run_command("LLVM_PROFILE_FILE=" + x.profiles_one + "/%p.profraw " + x.program + " 1");
        run_command("LLVM_PROFILE_FILE=" + x.profiles_two + "/%p.profraw " + x.program);
        return x;
    }();
    return f;
}

// Runner names are data too.
const char* const kRunnerOne = "run<1>&\"x\"";
const char* const kRunnerTwo = "run'2'";

// No layout profile: the first runner's reading is the layout (what llvm-cov report counts).
MeasurementPipeline hostile_pipeline() {
    const HostileFixture& f = hostile_fixture();
    return MeasurementPipeline(object_layers({f.program}, {f.profiles_one}, f.dir), f.map);
}

Comparison hostile_comparison() {
    const HostileFixture& f = hostile_fixture();
    return compare_runners(hostile_pipeline(), {{kRunnerOne, {f.profiles_one}}, {kRunnerTwo, {f.profiles_two}}});
}

std::string write_report(const Comparison& c, const std::string& name) {
    ReportInput in;
    in.campaign_name = "hostile <campaign>";
    in.campaign_dir = hostile_fixture().dir;
    in.comparison = &c;
    for (const auto& t : c.runners) in.runners.push_back({t.name, "<style>", "live", "", 1.0, {}});
    // Three trials per runner, so the statistics page has numbers to compare.
    for (const auto& t : c.runners)
        for (int trial = 0; trial < 3; ++trial) {
            TrialCoverage tc;
            tc["overall"] = t.measurement.total;
            for (const auto& [comp, tally] : t.measurement.components) tc[component_id(comp)] = tally;
            in.trial_coverage[t.name].push_back(tc);
        }
    in.trial_coverage_source = "test data";
    Finding f;
    f.kind = "crash";
    f.artifact = "work/<img src=x>.json";
    f.backends = "internal&avx";
    f.detail = "\"detail\"";
    f.replay = "dlcov-tinydnn-exec '<x>'";
    in.findings.push_back({kRunnerOne, 1, f});
    in.exports = {{"coverage.lcov", "lcov"}};
    std::string dir = scratch_dir(name);
    write_file(dir + "/coverage.lcov", lcov_tracefile(c, "hostile"));
    return write_html_report(in, dir);
}

size_t hostile_file_index(const Comparison& c) {
    for (size_t i = 0; i < c.layout.files.size(); ++i)
        if (fs::path(c.layout.files[i].path).filename() == kHostileName) return i;
    throw std::runtime_error("the hostile file is not in the layout");
}

}  // namespace

TEST_CASE("report pages escape hostile file names, runner names and source lines", "[report]") {
    Comparison c = hostile_comparison();
    std::string index = write_report(c, "report-hostile-pages");
    fs::path dir = fs::path(index).parent_path();

    std::string source_page = read_file((dir / ("file-" + std::to_string(hostile_file_index(c)) + ".html")).string());
    CHECK(source_page.find("// &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;") != std::string::npos);
    CHECK(source_page.find("&quot;&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot;") != std::string::npos);
    CHECK(source_page.find("a&lt;b&gt;&amp;&quot;c&#39;.cpp") != std::string::npos);
    CHECK(source_page.find("run&lt;1&gt;&amp;&quot;x&quot;") != std::string::npos);

    size_t pages = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".html") continue;
        ++pages;
        std::string text = read_file(e.path().string());
        INFO(e.path().filename().string());
        CHECK(text.find("<script>alert") == std::string::npos);
        CHECK(text.find("a<b>") == std::string::npos);
        CHECK(text.find("run<1>") == std::string::npos);
        CHECK(text.find("<img") == std::string::npos);
        CHECK(text.find("<style>") == std::string::npos);
    }
    CHECK(pages == 6 + 5 + 2);  // fixed pages, five component pages, both source files

    std::string statistics = read_file((dir / "statistics.html").string());
    CHECK(statistics.find("<td>run&lt;1&gt;&amp;&quot;x&quot;</td><td>run&#39;2&#39;</td><td class=\"num\">3/3</td>") !=
          std::string::npos);
    std::string findings = read_file((dir / "findings.html").string());
    CHECK(findings.find("work/&lt;img src=x&gt;.json") != std::string::npos);

    // The line of the untaken branch is marked as reached by no runner; the `if` line by both.
    CHECK(std::regex_search(source_page, std::regex("<tr id=\"L4\" class=\"miss\">")));
    CHECK(std::regex_search(source_page, std::regex("<tr id=\"L7\" class=\"hit\">.*(<td class=\"runner\">&#10003;</td>){2}")));
}

TEST_CASE("every link of the report resolves inside the report folder", "[report]") {
    Comparison c = hostile_comparison();
    std::string index = write_report(c, "report-hostile-links");
    auto broken = check_report_links(fs::path(index).parent_path().string());
    for (const auto& b : broken) UNSCOPED_INFO(b.page << ": " << b.target << " (" << b.reason << ")");
    CHECK(broken.empty());
    // The drill-down: overview -> component -> file -> the first line no runner reached.
    std::string overview = read_file(index);
    CHECK(overview.find("href=\"component-utility.html\"") != std::string::npos);
    std::string component = read_file((fs::path(index).parent_path() / "component-utility.html").string());
    std::string file_link = "href=\"file-" + std::to_string(hostile_file_index(c)) + ".html\"";
    CHECK(component.find(file_link) != std::string::npos);
    std::string file = read_file((fs::path(index).parent_path() / ("file-" + std::to_string(hostile_file_index(c)) + ".html")).string());
    CHECK(file.find("<a href=\"#L4\">4</a></li>") != std::string::npos);
}

TEST_CASE("the link checker finds missing pages, missing anchors and outside links", "[report]") {
    std::string dir = scratch_dir("report-link-check");
    write_file(dir + "/a.html", "<a href=\"b.html#L2\">x</a> <a href=\"b.html#L9\">y</a> <a href=\"gone.html\">z</a> "
                                "<link href=\"https://cdn.example/x.css\"> <script src=\"s.js\"></script>");
    write_file(dir + "/b.html", "<tr id=\"L2\"></tr>");
    write_file(dir + "/s.js", "");
    auto broken = check_report_links(dir);
    REQUIRE(broken.size() == 3);
}

TEST_CASE("the lcov export reads back with lcov --summary with the totals the report states", "[report]") {
    Comparison c = hostile_comparison();
    std::string dir = scratch_dir("report-lcov");
    write_file(dir + "/coverage.lcov", lcov_tracefile(c, "hostile"));
    auto summary = run_command("lcov --summary " + dir + "/coverage.lcov --rc lcov_branch_coverage=1");
    INFO(summary.output);
    REQUIRE(summary.exit_code == 0);
    CoverageTally exported = export_totals(c);
    auto expect = [&](const std::string& what, const Tally& t) {
        std::smatch m;
        REQUIRE(std::regex_search(summary.output, m, std::regex(what + R"(\.*: [0-9.]+% \((\d+) of (\d+) )")));
        CHECK(std::stoull(m[1]) == t.covered);
        CHECK(std::stoull(m[2]) == t.total);
    };
    expect("lines", exported.lines);
    expect("functions", exported.functions);
    expect("branches", exported.branches);
    // Functions and branch sides are counted as in Table 6.
    CHECK(exported.functions.covered == c.all.measurement.total.functions.covered);
    CHECK(exported.functions.total == c.all.measurement.total.functions.total);
    CHECK(exported.branches.covered == c.all.measurement.total.branches.covered);
    CHECK(exported.branches.total == c.all.measurement.total.branches.total);
    CHECK(exported.lines.total > 0);
    CHECK(exported.lines.covered > 0);
    CHECK(exported.lines.covered < exported.lines.total);  // never_called and an untaken branch

    // genhtml accepts the tracefile (it reads the sources at their recorded paths).
    auto genhtml = run_command("genhtml --branch-coverage --quiet -o " + dir + "/genhtml " + dir + "/coverage.lcov");
    INFO(genhtml.output);
    CHECK(genhtml.exit_code == 0);
    CHECK(fs::exists(dir + "/genhtml/index.html"));
}

TEST_CASE("the Cobertura export carries the same lines as the lcov export, escaped", "[report]") {
    Comparison c = hostile_comparison();
    std::string xml = cobertura_xml(c, hostile_fixture().dir);
    CoverageTally exported = export_totals(c);
    CHECK(xml.find("lines-covered=\"" + std::to_string(exported.lines.covered) + "\"") != std::string::npos);
    CHECK(xml.find("lines-valid=\"" + std::to_string(exported.lines.total) + "\"") != std::string::npos);
    CHECK(xml.find("filename=\"a&lt;b&gt;&amp;&quot;c&#39;.cpp\"") != std::string::npos);
    CHECK(xml.find("a<b>") == std::string::npos);
    CHECK(xml.find("<package name=\"operation\"") != std::string::npos);
    CHECK(xml.find("<package name=\"utility\"") != std::string::npos);
}

TEST_CASE("diff: what one run covers that the other does not", "[report]") {
    const HostileFixture& f = hostile_fixture();
    CoverageDiff d = diff_coverage(hostile_pipeline(), {kRunnerOne, {f.profiles_one}}, {kRunnerTwo, {f.profiles_two}});
    // Run one took the argc > 1 branch (line 8, scale<int> with x > 2 so the lambda ran); run two the else.
    REQUIRE(d.files.size() >= 1);
    bool saw_line_8 = false, saw_line_10 = false;
    for (const auto& file : d.files) {
        if (fs::path(d.comparison.layout.files[file.file_index].path).filename() != kHostileName) continue;
        for (unsigned l : file.a_only_lines) saw_line_8 = saw_line_8 || l == 8;
        for (unsigned l : file.b_only_lines) saw_line_10 = saw_line_10 || l == 10;
        for (unsigned l : file.a_only_lines) CHECK(l != 10);
    }
    CHECK(saw_line_8);
    CHECK(saw_line_10);
    CHECK(d.a_only.total.lines.covered > 0);
    CHECK(d.b_only.total.lines.covered > 0);
    // Both runs called main and scale<> (other instantiations); only run one called the lambda
    // with x > 2 (both instantiations of it belong to one definition, only scale<int>'s ran).
    CHECK(d.a_only.total.functions.covered == 1);
    CHECK(d.b_only.total.functions.covered == 0);
    std::string text = render_diff_text(d);
    CHECK(text.find("A = run<1>") != std::string::npos);
    std::string html = render_diff_html(d);
    CHECK(html.find("run&lt;1&gt;") != std::string::npos);
    CHECK(html.find("a&lt;b&gt;&amp;&quot;c&#39;.cpp") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
}
