// One build, two coverage layers: a small C++ library compiled with clang coverage, exposed to
// Python through ctypes, and a Python package calling it, run under coverage.py (dlcov's hook)
// with LLVM_PROFILE_FILE, so that every process writes a raw profile and a coverage.py data file
// into one folder. One measurement pipeline holds both layers: its totals are the sums of each
// layer measured alone, its components count both trees (one component map), the lcov and
// Cobertura exports and `dlcov diff` carry both, and the HTML report shows the Python source with
// hit marks and its branch sides as exits.
#include "coverage_diff.h"
#include "coverage_exports.h"
#include "coverage_modes.h"
#include "html_link_check.h"
#include "html_report.h"
#include "llvm_cov_report.h"
#include "measurement_pipeline.h"
#include "python_layer.h"
#include "test_support.h"
#include "uncovered_functions.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

const char* const kPython = "/usr/bin/python3";

const char* kKernels = R"(// The fixture framework's C++ layer.
extern "C" {

int clamp_add(int a, int b, int limit) {
    int s = a + b;
    if (s > limit) return limit;
    if (s < -limit) return -limit;
    return s;
}

int count_positive(const int* values, int n) {
    int count = 0;
    for (int i = 0; i < n; ++i)
        if (values[i] > 0) ++count;
    return count;
}

int never_called_kernel(int x) { return x * 3; }

}
)";

const char* kNative = R"("""Loads the C++ layer."""
import ctypes
import os

_lib = ctypes.CDLL(os.environ["MINI_LIB"])
_lib.clamp_add.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
_lib.count_positive.argtypes = [ctypes.POINTER(ctypes.c_int), ctypes.c_int]


def clamp_add(a, b, limit):
    return _lib.clamp_add(a, b, limit)


def count_positive(values):
    array = (ctypes.c_int * len(values))(*values)
    return _lib.count_positive(array, len(values))
)";

const char* kOps = R"(from . import _native


def add(a, b, limit=100):
    if limit <= 0:
        raise ValueError("limit")
    return _native.clamp_add(a, b, limit)


def positives(values):
    if not values:
        return 0
    return _native.count_positive(values)


def scale_all(values, factor):
    out = []
    for v in values:
        if v is None:
            continue
        out.append(v * factor)
    return out
)";

const char* kApi = R"(from . import ops


def run(mode):
    total = ops.add(2, 3)
    if mode == "big":
        total += ops.add(90, 90)
        total += ops.positives([1, -2, 3])
    else:
        total += len(ops.scale_all([1, None, 2], 2))
    return total
)";

const char* kUnused = R"(def helper(x):
    if x:
        return x
    return None
)";

const char* kDriver = R"(import sys
import mini.api

print(mini.api.run(sys.argv[1]))
)";

struct Fixture {
    std::string dir, src, pkg, library, map;
    std::string profiles_a, profiles_b;  // one process each: mode "big", mode "small"
    json python_report;                  // coverage json of both Python data files
};

const Fixture& fixture() {
    static Fixture f = [] {
        Fixture x;
        x.dir = fs::canonical(scratch_dir("two-layers")).string();
        x.src = x.dir + "/src";
        x.pkg = x.src + "/py/mini";
        write_file(x.src + "/cpp/kernels.cpp", kKernels);
        write_file(x.pkg + "/__init__.py", "");
        write_file(x.pkg + "/_native.py", kNative);
        write_file(x.pkg + "/ops.py", kOps);
        write_file(x.pkg + "/api.py", kApi);
        write_file(x.pkg + "/unused.py", kUnused);
        write_file(x.src + "/py/driver.py", kDriver);
        // One map over both trees: C++ paths from src/, Python paths from the package's parent.
        x.map = x.dir + "/map.yaml";
        write_file(x.map, "framework: mini\n"
                          "rules:\n"
                          "  - {glob: \"cpp/**\", component: operation}\n"
                          "  - {glob: \"mini/api.py\", component: api}\n"
                          "  - {glob: \"mini/__init__.py\", component: api}\n"
                          "  - {glob: \"mini/ops.py\", component: graph}\n"
                          "  - {glob: \"mini/_native.py\", component: environment}\n"
                          "  - {glob: \"mini/*.py\", component: utility}\n");
        x.library = x.dir + "/lib/libkernels.so";
        fs::create_directories(x.dir + "/lib");
        must_run("clang++-14 -O0 -fprofile-instr-generate -fcoverage-mapping -mllvm -runtime-counter-relocation "
                 "-fPIC -shared " + shell_quote(x.src + "/cpp/kernels.cpp") + " -o " + shell_quote(x.library));

        // dlcov's hook, installed as into the framework's site-packages.
        std::string site = x.dir + "/site";
        must_run(std::string(kPython) + " " + shell_quote(python::python_helper("dlcov_coverage_hook.py")) +
                 " install --site-packages " + shell_quote(site) + " --source " + shell_quote(x.pkg));
        write_file(x.dir + "/sitecustom/sitecustomize.py", "import site\nsite.addsitedir(" + json(site).dump() + ")\n");
        x.profiles_a = x.dir + "/profiles-a";
        x.profiles_b = x.dir + "/profiles-b";
        for (const auto& [mode, folder] : {std::pair{"big", x.profiles_a}, std::pair{"small", x.profiles_b}})
            must_run("cd " + shell_quote(x.src + "/py") + " && PYTHONPATH=" + shell_quote(x.dir + "/sitecustom") +
                     " MINI_LIB=" + shell_quote(x.library) + " DLCOV_PYTHON_COVERAGE_DIR=" + shell_quote(folder) +
                     " LLVM_PROFILE_FILE=" + shell_quote(folder + "/%p-%m%c.profraw") + " " + kPython +
                     " driver.py " + mode);

        // coverage.py's own report of both data files, for the Python layer's numbers.
        std::string combined = x.dir + "/combined/.coverage";
        fs::create_directories(fs::path(combined).parent_path());
        std::string data;
        for (const auto& folder : {x.profiles_a, x.profiles_b})
            for (const auto& e : fs::directory_iterator(folder))
                if (e.path().filename().string().rfind(".coverage.", 0) == 0) {
                    fs::copy_file(e.path(), fs::path(combined).parent_path() / e.path().filename());
                    data += " " + shell_quote(e.path().string());
                }
        std::string cov = "cd " + shell_quote(x.src + "/py") + " && COVERAGE_FILE=" + shell_quote(combined) + " " +
                          kPython + " -m coverage ";
        must_run(cov + "combine " + shell_quote(fs::path(combined).parent_path().string()));
        must_run(cov + "json -o " + shell_quote(x.dir + "/coverage.json"));
        x.python_report = json::parse(read_file(x.dir + "/coverage.json"));
        return x;
    }();
    return f;
}

std::vector<std::string> both_runs() { return {fixture().profiles_a, fixture().profiles_b}; }

UnbuiltTrees trees(bool objects, bool python) {
    const Fixture& f = fixture();
    UnbuiltTrees t;
    if (objects) {
        t.objects = {f.library};
        t.objects_root = f.src;
    }
    if (python) {
        t.python_source = f.pkg;
        t.python_interpreter = kPython;
    }
    return t;
}

MeasurementPipeline pipeline(bool objects, bool python) {
    return MeasurementPipeline(unbuilt_layers(trees(objects, python), both_runs()), fixture().map);
}

void check_sum(const CoverageTally& both, const CoverageTally& a, const CoverageTally& b) {
    CHECK(both.lines.covered == a.lines.covered + b.lines.covered);
    CHECK(both.lines.total == a.lines.total + b.lines.total);
    CHECK(both.branches.covered == a.branches.covered + b.branches.covered);
    CHECK(both.branches.total == a.branches.total + b.branches.total);
    CHECK(both.functions.covered == a.functions.covered + b.functions.covered);
    CHECK(both.functions.total == a.functions.total + b.functions.total);
}

CoverageTally tally_of(const json& j) {
    CoverageTally t;
    t.lines = {j["lines"]["covered"], j["lines"]["total"]};
    t.branches = {j["branches"]["covered"], j["branches"]["total"]};
    t.functions = {j["functions"]["covered"], j["functions"]["total"]};
    return t;
}

size_t file_index(const Comparison& c, const std::string& relative) {
    for (size_t i = 0; i < c.assignment.relative_paths.size(); ++i)
        if (c.assignment.relative_paths[i] == relative) return i;
    FAIL("no file " << relative);
    return 0;
}

Comparison comparison() {
    const Fixture& f = fixture();
    return compare_runners(pipeline(true, true), {{"big", {f.profiles_a}}, {"small", {f.profiles_b}}});
}

}  // namespace

TEST_CASE("two layers: every process wrote a raw profile and a coverage.py data file", "[python][layers]") {
    for (const auto& folder : both_runs()) {
        size_t raw = 0, data = 0;
        for (const auto& e : fs::directory_iterator(folder)) {
            raw += e.path().extension() == ".profraw";
            data += e.path().filename().string().rfind(".coverage.", 0) == 0;
        }
        INFO(folder);
        CHECK(raw == 1);
        CHECK(data == 1);
    }
}

TEST_CASE("two layers: one pipeline counts both, each layer as it counts alone", "[python][layers]") {
    const Fixture& f = fixture();
    MeasurementPipeline cpp = pipeline(true, false), py = pipeline(false, true), both = pipeline(true, true);
    CHECK(both.layout().files.size() == cpp.layout().files.size() + py.layout().files.size());
    ProfileMeasurement mc = cpp.measure(both_runs()), mp = py.measure(both_runs()), mb = both.measure(both_runs());
    CHECK(mc.read.size() == 2);  // each layer read its own files of the same folders
    CHECK(mp.read.size() == 2);
    CHECK(mb.read.size() == 4);
    CHECK(mb.skipped.empty());
    check_sum(mb.measurement.total, mc.measurement.total, mp.measurement.total);
    for (Component c : kComponents) {
        INFO(component_id(c));
        check_sum(mb.measurement.components.at(c), mc.measurement.components.at(c), mp.measurement.components.at(c));
    }
    // Components over both trees: C++ in operation, Python in the four others.
    CHECK(mc.measurement.components.at(Component::Operation).lines.total > 0);
    CHECK(mp.measurement.components.at(Component::Operation).lines.total == 0);
    for (Component c : {Component::Api, Component::Graph, Component::Environment, Component::Utility}) {
        CHECK(mp.measurement.components.at(c).lines.total > 0);
        CHECK((mb.measurement.components.at(c).lines.covered > 0 || c == Component::Utility));
    }

    // Each layer's numbers are its reference tool's: llvm-cov report, coverage json.
    std::vector<std::string> raws;
    for (const auto& folder : both_runs())
        for (const auto& e : fs::directory_iterator(folder))
            if (e.path().extension() == ".profraw") raws.push_back(e.path().string());
    ReferenceReport ref = llvm_cov_report({f.library}, raws, scratch_dir("two-layers-llvm-cov"));
    const CoverageTally& t = mc.measurement.total;
    CHECK(t.lines.total == ref.total.lines);
    CHECK(t.lines.total - t.lines.covered == ref.total.missed_lines);
    CHECK(t.branches.total == ref.total.branches);
    CHECK(t.branches.total - t.branches.covered == ref.total.missed_branches);
    CHECK(t.functions.total == ref.total.functions);
    CHECK(t.functions.total - t.functions.covered == ref.total.missed_functions);
    const json& totals = f.python_report["totals"];
    CHECK(mp.measurement.total.lines.total == totals["num_statements"].get<uint64_t>());
    CHECK(mp.measurement.total.lines.covered == totals["covered_lines"].get<uint64_t>());
    CHECK(mp.measurement.total.branches.total == totals["num_branches"].get<uint64_t>());
    CHECK(mp.measurement.total.branches.covered == totals["covered_branches"].get<uint64_t>());

    // The running total of a trial: one file per layer, folded as the profiles arrive.
    std::string trial = scratch_dir("two-layers-running");
    both.start_total(trial);
    CHECK_FALSE(fs::exists(trial + "/coverage.profdata"));  // no layout profile without a build
    CHECK(fs::exists(trial + "/python-total.json"));
    for (const auto& folder : both_runs()) {
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(folder)) files.push_back(e.path().string());
        LayerFold fold = both.fold(trial, files);
        CHECK(fold.folded.size() == 2);
        CHECK(fold.skipped.empty());
    }
    ProfileMeasurement running = both.measure_total(trial);
    CHECK(running.counts.lines == mb.counts.lines);
    CHECK(running.counts.branches == mb.counts.branches);
    CHECK(running.counts.functions == mb.counts.functions);
}

TEST_CASE("two layers: dlcov measure with --objects and --python-source", "[python][layers][cli]") {
    const Fixture& f = fixture();
    std::string out = f.dir + "/measure.json";
    CommandResult r = run_command(std::string(DLCOV_EXE) + " measure --objects " + shell_quote(f.library) + " --root " +
                                  shell_quote(f.src) + " --python-source " + shell_quote(f.pkg) + " --python " +
                                  kPython + " --profiles " + shell_quote(f.profiles_a) + " " + shell_quote(f.profiles_b) +
                                  " --components " + shell_quote(f.map) + " --json " + shell_quote(out));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    json j = json::parse(read_file(out));
    CHECK(j["profiles"]["merged"] == 4);
    ProfileMeasurement m = pipeline(true, true).measure(both_runs());
    CoverageTally t = tally_of(j["total"]);
    check_sum(t, m.measurement.total, CoverageTally{});
    std::set<std::string> paths;
    for (const auto& file : j["files"]) paths.insert(file["path"].get<std::string>());
    CHECK(paths.count("cpp/kernels.cpp"));
    CHECK(paths.count("mini/ops.py"));
    CHECK(j["components"]["operation"]["lines"]["total"].get<uint64_t>() > 0);
    CHECK(j["components"]["graph"]["lines"]["total"].get<uint64_t>() > 0);

    // Named files go to the layer that recognises them, coverage.py's by content.
    std::vector<std::string> named;
    for (const auto& folder : both_runs())
        for (const auto& e : fs::directory_iterator(folder)) named.push_back(shell_quote(e.path().string()));
    std::string files;
    for (const auto& n : named) files += " " + n;
    std::string out_named = f.dir + "/measure-named.json";
    r = run_command(std::string(DLCOV_EXE) + " measure --objects " + shell_quote(f.library) + " --python-source " +
                    shell_quote(f.pkg) + " --python " + kPython + " --profiles" + files + " --json " +
                    shell_quote(out_named));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    json jn = json::parse(read_file(out_named));
    CHECK(jn["profiles"]["merged"] == 4);
    check_sum(tally_of(jn["total"]), t, CoverageTally{});
}

TEST_CASE("two layers: the lcov and Cobertura exports carry both, Python functions without module code",
          "[python][layers][report]") {
    Comparison c = comparison();
    const Fixture& f = fixture();
    std::string lcov = lcov_tracefile(c, "two-layers");
    CHECK_THAT(lcov, Contains("SF:" + f.src + "/cpp/kernels.cpp\n"));
    CHECK_THAT(lcov, Contains("SF:" + f.pkg + "/ops.py\n"));
    CHECK_THAT(lcov, !Contains("<module>"));
    CHECK_THAT(lcov, Contains("never_called_kernel"));
    CHECK_THAT(lcov, Contains(",scale_all@"));

    CoverageTally exported = export_totals(c);
    const CoverageTally& total = c.all.measurement.total;
    CHECK(exported.functions.covered == total.functions.covered);
    CHECK(exported.functions.total == total.functions.total);
    CHECK(exported.branches.covered == total.branches.covered);
    CHECK(exported.branches.total == total.branches.total);
    CHECK(exported.lines.total == total.lines.total);  // no line in two definitions here
    CHECK(exported.lines.covered == total.lines.covered);

    std::string dir = scratch_dir("two-layers-lcov");
    write_file(dir + "/coverage.lcov", lcov);
    auto summary = run_command("lcov --summary " + dir + "/coverage.lcov --rc lcov_branch_coverage=1");
    INFO(summary.output);
    REQUIRE(summary.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(summary.output, m, std::regex(R"(functions\.*: [0-9.]+% \((\d+) of (\d+) )")));
    CHECK(std::stoull(m[2]) == total.functions.total);
    REQUIRE(std::regex_search(summary.output, m, std::regex(R"(lines\.*: [0-9.]+% \((\d+) of (\d+) )")));
    CHECK(std::stoull(m[2]) == total.lines.total);

    std::string xml = cobertura_xml(c, f.src);
    CHECK_THAT(xml, Contains("filename=\"cpp/kernels.cpp\""));
    CHECK_THAT(xml, Contains("filename=\"mini/ops.py\""));
    CHECK_THAT(xml, Contains("<package name=\"operation\""));
    CHECK_THAT(xml, Contains("<package name=\"graph\""));
    CHECK_THAT(xml, !Contains("&lt;module&gt;"));
    CHECK_THAT(xml, Contains("lines-valid=\"" + std::to_string(exported.lines.total) + "\""));
}

TEST_CASE("two layers: diff and uncovered functions count Python functions, not module code", "[python][layers]") {
    const Fixture& f = fixture();
    CoverageDiff d = diff_coverage(pipeline(true, true), {"big", {f.profiles_a}}, {"small", {f.profiles_b}});
    const CoverageTally& total = d.comparison.all.measurement.total;
    CHECK(d.a_only.total.functions.total == total.functions.total);
    CHECK(d.a_only.total.branches.total == total.branches.total);
    // Only "big" called positives and count_positive; only "small" called scale_all.
    CHECK(d.a_only.total.functions.covered == 3);  // ops.positives, _native.count_positive, count_positive (C++)
    CHECK(d.b_only.total.functions.covered == 1);  // ops.scale_all
    bool saw_ops = false;
    for (const auto& file : d.files) saw_ops = saw_ops || d.comparison.assignment.relative_paths[file.file_index] == "mini/ops.py";
    CHECK(saw_ops);

    std::set<std::string> uncovered;
    for (const auto& [comp, list] : uncovered_functions(d.comparison))
        for (const auto& u : list) uncovered.insert(u.name);
    CHECK(uncovered == std::set<std::string>{"never_called_kernel", "helper"});
}

TEST_CASE("two layers: the HTML report shows the Python source with hit marks and exits", "[python][layers][report]") {
    Comparison c = comparison();
    ReportInput in;
    in.campaign_name = "two layers";
    in.campaign_dir = fixture().dir;
    in.comparison = &c;
    for (const auto& t : c.runners) in.runners.push_back({t.name, "live", "live", "", 1.0, {}});
    for (const auto& t : c.runners) in.trial_coverage[t.name].push_back(tallies_by_component_id(t.measurement));
    in.trial_coverage_source = "test data";
    std::string index = write_html_report(in, scratch_dir("two-layers-report"));
    fs::path dir = fs::path(index).parent_path();
    auto broken = check_report_links(dir.string());
    for (const auto& b : broken) UNSCOPED_INFO(b.page << ": " << b.target << " (" << b.reason << ")");
    CHECK(broken.empty());

    std::string ops = read_file((dir / ("file-" + std::to_string(file_index(c, "mini/ops.py")) + ".html")).string());
    CHECK_THAT(ops, Contains("if limit &lt;= 0:"));
    CHECK_THAT(ops, Contains("class=\"hit\""));   // a line a runner ran
    CHECK_THAT(ops, Contains("class=\"miss\""));  // raise ValueError: none did
    CHECK_THAT(ops, Contains("br-hit"));
    CHECK_THAT(ops, Contains("br-miss"));
    // `if limit <= 0:` on line 5 exits to line 6 (raise, never) or line 7 (return, always).
    CHECK_THAT(ops, Contains("exit to line 6: 0"));
    CHECK_THAT(ops, Contains("exit to line 7: 2"));
    CHECK_THAT(ops, !Contains("true side"));
    std::string cpp = read_file((dir / ("file-" + std::to_string(file_index(c, "cpp/kernels.cpp")) + ".html")).string());
    CHECK_THAT(cpp, Contains("true side"));
    CHECK_THAT(cpp, Contains("false side"));
}
