// The python coverage mode as a layer of the measurement pipeline: PythonLayer reads and folds
// coverage.py data files (a fold per data file gives what one reading of all gives), recognises
// them by content, names and skips unreadable ones; build manifests carry a python layer; and
// `dlcov measure --python-source` on a Python program this test writes outside the repository
// gives coverage json's statements and branches per file and in total; a timed-out Python process
// keeps its coverage; a campaign trial of a python build folds and reports its data files.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "coverage_modes.h"
#include "error.h"
#include "measurement_pipeline.h"
#include "process.h"
#include "python_layer.h"
#include "running_coverage.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::python;
using namespace dlcov::test;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

PythonLayerManifest layer_manifest(const std::string& interpreter, const std::string& package_root,
                                   const std::string& layout, const std::string& coverage_version) {
    PythonLayerManifest m;
    m.interpreter = interpreter;
    m.package_root = package_root;
    m.layout = layout;
    m.coverage_version = coverage_version;
    return m;
}

const char* const kPython = "/usr/bin/python3";

const char* kShapes = R"(import math


def area(kind, size):
    if kind == "square":
        return size * size
    elif kind == "circle":
        return math.pi * size * size
    raise ValueError(kind)


def perimeters(kinds, size):
    out = []
    for kind in kinds:
        if kind == "square":
            out.append(4 * size)
        else:
            out.append(2 * math.pi * size)
    return out


class Grid:
    def __init__(self, n):
        self.cells = [[0] * n for _ in range(n)]

    def fill(self, value, diagonal_only=False):
        for i, row in enumerate(self.cells):
            for j in range(len(row)):
                if diagonal_only and i != j:
                    continue
                row[j] = value
        return self

    def total(self):
        return sum(sum(r) for r in self.cells)


def unused():
    return 0
)";

const char* kNumbers = R"(def parity(n):
    return "even" if n % 2 == 0 else "odd"


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def safe_div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        return None
)";

const char* kNeverImported = R"(def lonely(x):
    if x:
        return 1
    return 2
)";

const char* kDriver = R"(import sys

from geom import shapes
from geom.util import numbers

mode = sys.argv[1]
print(shapes.area("square", 2), shapes.perimeters(["square"], 1), numbers.parity(3))
if mode == "more":
    print(shapes.area("circle", 1), shapes.Grid(3).fill(1, True).total(), numbers.collatz(6))
    print(numbers.safe_div(1, 0), shapes.perimeters(["circle", "square"], 2))
)";

// A Python project in a folder of its own under the system's temporary folder (not the
// repository, not the build), removed at the end of the test binary.
struct Project {
    std::string dir, pkg, procs, combined, report_json;
    json report;  // coverage json of all the data files
};

std::string temporary_folder(const std::string& name) {
    std::string pattern = (fs::temp_directory_path() / ("dlcov-test-" + name + "-XXXXXX")).string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    return pattern;
}

const Project& project() {
    static struct Holder {
        Project p;
        Holder() {
            p.dir = temporary_folder("python-project");
            p.pkg = p.dir + "/geom";
            write_file(p.pkg + "/__init__.py", "");
            write_file(p.pkg + "/shapes.py", kShapes);
            write_file(p.pkg + "/util/__init__.py", "from . import numbers\n");
            write_file(p.pkg + "/util/numbers.py", kNumbers);
            write_file(p.pkg + "/never.py", kNeverImported);
            write_file(p.dir + "/driver.py", kDriver);
            p.procs = p.dir + "/procs";
            fs::create_directories(p.procs);
            // Two processes, each writing its own data file, as dlcov's hook has them do.
            for (const char* mode : {"less", "more"})
                must_run("cd " + shell_quote(p.dir) + " && COVERAGE_FILE=" + shell_quote(p.procs + "/.coverage") + " " +
                         kPython + " -m coverage run --branch --parallel-mode --source=" + shell_quote(p.pkg) +
                         " driver.py " + mode);
            p.combined = p.dir + "/combined/.coverage";
            fs::create_directories(fs::path(p.combined).parent_path());
            std::string cov = "cd " + shell_quote(p.dir) + " && COVERAGE_FILE=" + shell_quote(p.combined) + " " + kPython +
                              " -m coverage ";
            must_run(cov + "combine --keep " + shell_quote(p.procs));
            p.report_json = p.dir + "/coverage.json";
            must_run(cov + "json -o " + shell_quote(p.report_json));
            p.report = json::parse(read_file(p.report_json));
        }
        ~Holder() {
            std::error_code ec;
            fs::remove_all(p.dir, ec);
        }
    } holder;
    return holder.p;
}

std::vector<std::string> data_files(const std::string& folder) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(folder))
        if (e.path().filename().string().rfind(".coverage.", 0) == 0) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

// The project's layout, computed once with python_layout.py.
const std::string& layout_json() {
    static std::string path = [] {
        std::string out = project().dir + "/layout.json";
        compute_python_layout(kPython, project().pkg, out);
        return out;
    }();
    return path;
}

void check_same_counts(const CoverageCounts& a, const CoverageCounts& b) {
    CHECK(a.lines == b.lines);
    CHECK(a.branches == b.branches);
    CHECK(a.functions == b.functions);
}

CoverageTally tally_of(const json& j) {
    CoverageTally t;
    t.lines = {j["lines"]["covered"], j["lines"]["total"]};
    t.branches = {j["branches"]["covered"], j["branches"]["total"]};
    t.functions = {j["functions"]["covered"], j["functions"]["total"]};
    return t;
}

void check_equals_coverage_json(const CoverageTally& t, const json& summary) {
    CHECK(t.lines.total == summary["num_statements"].get<uint64_t>());
    CHECK(t.lines.covered == summary["covered_lines"].get<uint64_t>());
    CHECK(t.branches.total == summary["num_branches"].get<uint64_t>());
    CHECK(t.branches.covered == summary["covered_branches"].get<uint64_t>());
}

void truncate_copy(const std::string& from, const std::string& to, size_t bytes) {
    std::string text = read_file(from);
    write_file(to, text.substr(0, std::min(bytes, text.size())));
}

}  // namespace

TEST_CASE("python layer: its layout is coverage.py's, its source root the package's parent", "[python]") {
    PythonLayer layer(layout_json());
    CHECK(layer.source_root() == fs::canonical(project().dir).string());
    CHECK(layer.layout().files.size() == 5);  // __init__, shapes, never, util/__init__, util/numbers
    CHECK(layer.python_layout().coverage_version == coverage_py_version(kPython));
    CHECK(layer.total_name() == "python-total.json");
}

TEST_CASE("python layer recognises data files by content and names the unreadable ones", "[python]") {
    const Project& p = project();
    PythonLayer layer(layout_json());
    std::string dir = temporary_folder("python-recognise");
    std::vector<std::string> data = data_files(p.procs);
    REQUIRE(data.size() == 2);
    fs::copy_file(data[0], dir + "/renamed.bin");  // any name: SQLite content
    write_file(dir + "/notes.txt", "not coverage\n");
    truncate_copy(data[1], dir + "/.coverage.host.99.truncated", 3000);
    write_file(dir + "/.coverage.host.98.empty", "");
    CHECK(layer.recognises(dir + "/renamed.bin"));
    CHECK_FALSE(layer.recognises(dir + "/notes.txt"));
    CHECK(layer.recognises(dir + "/.coverage.host.99.truncated"));
    CHECK_FALSE(layer.recognises(dir + "/missing"));

    LayerReading r = layer.read({dir + "/renamed.bin", dir + "/.coverage.host.99.truncated", dir + "/.coverage.host.98.empty"});
    CHECK(r.read == std::vector<std::string>{dir + "/renamed.bin"});
    REQUIRE(r.skipped.size() == 2);
    for (const auto& s : r.skipped) {
        INFO(s.path << ": " << s.reason);
        CHECK(s.reason.find(s.path) == std::string::npos);  // the path is named once, by the caller
        CHECK_FALSE(s.reason.empty());
    }
    check_same_counts(r.counts, layer.read({data[0]}).counts);

    // Through the pipeline: a folder is searched by content, the text file passed over.
    MeasurementPipeline pipeline([&] {
        std::vector<std::unique_ptr<CoverageLayer>> layers;
        layers.push_back(std::make_unique<PythonLayer>(layout_json()));
        return layers;
    }(), "");
    ProfileMeasurement m = pipeline.measure({dir});
    CHECK(m.read == std::vector<std::string>{dir + "/renamed.bin"});
    CHECK(m.skipped.size() == 2);
    fs::remove_all(dir);
}

TEST_CASE("python layer: folding data files one by one gives one reading of them all", "[python]") {
    const Project& p = project();
    PythonLayer layer(layout_json());
    std::vector<std::string> data = data_files(p.procs);
    REQUIRE(data.size() == 2);
    std::string dir = temporary_folder("python-fold");
    std::string total = dir + "/" + layer.total_name();

    layer.start_total(total);
    REQUIRE(fs::exists(total));
    check_same_counts(layer.read_total(total).counts, layer.read({}).counts);  // nothing run

    std::string bad = dir + "/.coverage.host.7.bad";
    write_file(bad, "SQLite format 3");
    LayerFold first = layer.fold(total, {data[0], bad});
    CHECK(first.folded == std::vector<std::string>{data[0]});
    REQUIRE(first.skipped.size() == 1);
    CHECK(first.skipped[0].path == bad);
    check_same_counts(layer.read_total(total).counts, layer.read({data[0]}).counts);

    LayerFold second = layer.fold(total, {data[1]});
    CHECK(second.folded == std::vector<std::string>{data[1]});
    CoverageCounts all = layer.read(data).counts;
    check_same_counts(layer.read_total(total).counts, all);
    // The counts say in how many processes an item ran: some item ran in both.
    CHECK(std::count(all.lines.begin(), all.lines.end(), 2u) > 0);

    // Only unreadable files: the total is as it was. No temporary file is left behind.
    LayerFold none = layer.fold(total, {bad});
    CHECK(none.folded.empty());
    CHECK(none.skipped.size() == 1);
    check_same_counts(layer.read_total(total).counts, all);
    for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().extension() != ".partial");

    // A total that exists is kept by start_total (a resumed trial), and one of another layout refused.
    layer.start_total(total);
    check_same_counts(layer.read_total(total).counts, all);
    PythonLayout other = load_python_layout(layout_json());
    other.layout.files.pop_back();
    other.maps.pop_back();
    CHECK_THROWS_WITH(PythonLayer(std::move(other)).read_total(total), Contains(total) && Contains("another layout"));
    write_file(total, "{not json");
    CHECK_THROWS_WITH(layer.read_total(total), Contains(total));
    fs::remove_all(dir);
}

TEST_CASE("python layer: the pipeline's running total in a trial folder", "[python]") {
    const Project& p = project();
    std::vector<std::unique_ptr<CoverageLayer>> layers;
    layers.push_back(std::make_unique<PythonLayer>(layout_json()));
    MeasurementPipeline pipeline(std::move(layers), "");
    std::string dir = temporary_folder("python-running");
    pipeline.start_total(dir);
    CHECK(pipeline.is_total(dir + "/python-total.json"));  // never folded into itself
    std::vector<std::string> data = data_files(p.procs);
    for (const auto& d : data) {
        std::string copy = dir + "/" + fs::path(d).filename().string();
        fs::copy_file(d, copy);
        REQUIRE(pipeline.recognises(copy));
        CHECK(pipeline.fold(dir, {copy}).folded == std::vector<std::string>{copy});
    }
    ProfileMeasurement total = pipeline.measure_total(dir);
    ProfileMeasurement direct = pipeline.measure({p.procs});
    check_same_counts(total.counts, direct.counts);
    check_equals_coverage_json(total.measurement.total, p.report["totals"]);
    // The data files are folded away: measuring the trial's folder (as `dlcov report` and `dlcov
    // diff` do) reads its total, which counts as the data files folded into it, with any not yet folded.
    for (const auto& d : data) fs::remove(dir + "/" + fs::path(d).filename().string());
    ProfileMeasurement folder = pipeline.measure({dir});
    CHECK(folder.read == std::vector<std::string>{dir + "/python-total.json"});
    check_same_counts(folder.counts, direct.counts);
    std::string again = dir + "/" + fs::path(data[0]).filename().string();
    fs::copy_file(data[0], again);
    CHECK(pipeline.measure({dir}).read.size() == 2);
    check_same_counts(pipeline.measure({dir}).counts, PythonLayer(layout_json()).read({p.procs, again}).counts);
    fs::remove_all(dir);
}

TEST_CASE("build manifests carry a python layer; older ones read as before", "[python][instrument]") {
    std::string dir = temporary_folder("python-manifest");
    BuildManifest m;
    m.name = "pyfw";
    m.framework = "geom";
    m.version = "1.0";
    m.mode = "python";
    m.source_root = dir + "/site-packages";
    m.component_map = "";
    m.config = dir + "/geom.yaml";
    m.input_hash = "fnv1a64:0000000000000000";
    m.built_at = "2024-01-31T12:00:00Z";
    m.dir = dir;
    m.python_layers.push_back(layer_manifest(kPython, project().pkg, layout_json(), coverage_py_version(kPython)));
    write_manifest(m, dir + "/build.json");

    BuildManifest back = load_manifest(dir);
    CHECK(back.mode == "python");
    CHECK(back.build_dir() == dir);
    REQUIRE(back.python_layers.size() == 1);
    CHECK(back.python_layers[0].interpreter == kPython);
    CHECK(back.python_layers[0].package_root == project().pkg);
    CHECK(back.python_layers[0].layout == layout_json());
    CHECK(back.python_layers[0].coverage_version == coverage_py_version(kPython));

    // The pipeline of the build: one python layer, measuring data files found by content.
    MeasurementPipeline pipeline(back);
    check_equals_coverage_json(pipeline.measure({project().procs}).measurement.total, project().report["totals"]);

    // A Python-only manifest need not have the llvm fields at all.
    json j = json::parse(read_file(dir + "/build.json"));
    for (const char* key : {"compiler", "llvm_major", "flags", "objects", "targets", "build_dir"}) j.erase(key);
    write_file(dir + "/minimal.json", j.dump());
    BuildManifest minimal = load_manifest(dir + "/minimal.json");
    CHECK(minimal.objects.empty());
    CHECK(minimal.build_dir() == dir);  // the folder holding source_root
    CHECK(build_layers(minimal).size() == 1);

    // A manifest written before python layers (llvm, no "layers", no "build_dir").
    json old = {{"name", "tinydnn"}, {"framework", "tiny-dnn"}, {"version", "1"}, {"mode", "llvm"},
                {"compiler", {{"path", "/usr/bin/clang++-14"}, {"version", "14"}}}, {"llvm_major", 14},
                {"flags", json::array()}, {"source_root", dir + "/src"}, {"objects", {dir + "/bin/x"}},
                {"targets", {{"x", dir + "/bin/x"}}}, {"layout_profile", dir + "/layout.profdata"},
                {"component_map", ""}, {"config", ""}, {"input_hash", "h"}, {"built_at", "t"}};
    write_file(dir + "/old.json", old.dump());
    BuildManifest older = load_manifest(dir + "/old.json");
    CHECK(older.python_layers.empty());
    CHECK(older.build_dir() == dir);
    old.erase("objects");
    write_file(dir + "/old.json", old.dump());
    CHECK_THROWS_WITH(load_manifest(dir + "/old.json"), Contains("'objects' is missing"));  // still required for llvm

    // What cannot be measured is said.
    j["layers"][0]["mode"] = "gcov";
    write_file(dir + "/gcov.json", j.dump());
    CHECK_THROWS_WITH(load_manifest(dir + "/gcov.json"), Contains("layers[0]") && Contains("gcov"));
    minimal.python_layers.clear();
    CHECK_THROWS_WITH(build_layers(minimal), Contains("without a python layer"));
    minimal.python_layers.push_back(layer_manifest(kPython, project().pkg, dir + "/gone.json", "6.5.0"));
    CHECK_THROWS_WITH(build_layers(minimal), Contains(dir + "/gone.json") && Contains("dlcov instrument"));
    fs::remove_all(dir);
}

TEST_CASE("dlcov measure --python-source equals coverage json per file and in total", "[python][cli]") {
    const Project& p = project();
    std::string out = p.dir + "/measure.json";
    std::string map = p.dir + "/map.yaml";
    write_file(map, "framework: geom\n"
                    "exclude:\n  - \"geom/never.py\"\n"
                    "rules:\n"
                    "  - {glob: \"geom/shapes.py\", component: api}\n"
                    "  - {glob: \"geom/util/**\", component: utility}\n"
                    "  - {glob: \"geom/*.py\", component: graph}\n");
    std::string bad = p.dir + "/.coverage.host.1.corrupt";
    write_file(bad, "SQLite format 3, but no database after it");
    // The interpreter on PATH may lack coverage.py: --python names the one that collected.
    CommandResult r = run_command(std::string(DLCOV_EXE) + " measure --python-source " + shell_quote(p.pkg) +
                                  " --python " + kPython + " --profiles " + shell_quote(p.procs) + " " +
                                  shell_quote(bad) + " --files --json " + shell_quote(out));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("skipped profile " + bad));
    CHECK_THAT(r.output, Contains("geom/shapes.py"));
    json j = json::parse(read_file(out));
    CHECK(j["profiles"]["merged"] == 2);
    REQUIRE(j["profiles"]["skipped"].size() == 1);
    CHECK(j["profiles"]["skipped"][0]["path"] == bad);

    // Every file coverage json reports, with its numbers; and the totals.
    std::map<std::string, CoverageTally> files;
    for (const auto& f : j["files"]) files[f["path"].get<std::string>()] = tally_of(f);
    REQUIRE(files.size() == p.report["files"].size());
    for (const auto& [name, entry] : p.report["files"].items()) {
        INFO(name);
        REQUIRE(files.count(name));
        check_equals_coverage_json(files[name], entry["summary"]);
    }
    check_equals_coverage_json(tally_of(j["total"]), p.report["totals"]);
    CHECK(files["geom/shapes.py"].lines.covered > 0);
    CHECK(files["geom/shapes.py"].lines.covered < files["geom/shapes.py"].lines.total);
    CHECK(files["geom/never.py"].lines.covered == 0);
    CHECK(files["geom/never.py"].lines.total > 0);
    // Functions: the module code is no function; shapes.py has area, perimeters, Grid's three, unused.
    CHECK(files["geom/shapes.py"].functions.total == 6);
    CHECK(files["geom/shapes.py"].functions.covered == 5);

    // With a component map: files by component, no --root needed for a Python tree alone.
    std::string out_map = p.dir + "/measure-map.json";
    r = run_command(std::string(DLCOV_EXE) + " measure --python-source " + shell_quote(p.pkg) + " --python " + kPython +
                    " --profiles " + shell_quote(p.procs) + " --components " + shell_quote(map) + " --json " +
                    shell_quote(out_map));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    json jm = json::parse(read_file(out_map));
    check_equals_coverage_json(tally_of(jm["components"]["api"]), p.report["files"]["geom/shapes.py"]["summary"]);
    CHECK(jm["components"]["utility"]["lines"]["total"] ==
          p.report["files"]["geom/util/numbers.py"]["summary"]["num_statements"].get<uint64_t>() +
              p.report["files"]["geom/util/__init__.py"]["summary"]["num_statements"].get<uint64_t>());
    REQUIRE(jm["excluded"].size() == 1);
    CHECK(jm["excluded"][0]["path"] == "geom/never.py");

    // Nothing to measure, or no such tree, is a clear error.
    r = run_command(std::string(DLCOV_EXE) + " measure --profiles " + shell_quote(p.procs));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("--python-source"));
    r = run_command(std::string(DLCOV_EXE) + " measure --python-source " + shell_quote(p.dir + "/nothing") +
                    " --profiles " + shell_quote(p.procs));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains(p.dir + "/nothing"));
}

TEST_CASE("a Python process under the hook that times out keeps its coverage (SIGTERM before SIGKILL)",
          "[python][process]") {
    const Project& p = project();
    std::string dir = temporary_folder("python-timeout");
    // The hook installed as `dlcov instrument` installs it, into a folder made a site folder.
    must_run(std::string(kPython) + " " + shell_quote(python_helper("dlcov_coverage_hook.py")) +
             " install --site-packages " + shell_quote(dir + "/site") + " --source " + shell_quote(p.pkg));
    write_file(dir + "/sitecustom/sitecustomize.py", "import site\nsite.addsitedir(" + json(dir + "/site").dump() + ")\n");
    write_file(dir + "/slow.py", "import sys, time\nsys.path.insert(0, " + json(p.dir).dump() +
                                     ")\nfrom geom import shapes\nshapes.area('square', 1)\n"
                                     "print('ready', flush=True)\ntime.sleep(60)\nshapes.unused()\n");
    auto run = [&](const std::string& name, std::chrono::milliseconds grace) {
        ProcessSpec spec;
        spec.argv = {kPython, dir + "/slow.py"};
        spec.env = {{"PYTHONPATH", dir + "/sitecustom"}, {"DLCOV_PYTHON_COVERAGE_DIR", dir + "/" + name}};
        spec.timeout = std::chrono::seconds(3);
        spec.term_grace = grace;
        ProcessResult r = run_process(spec);
        INFO(r.output);
        CHECK(r.outcome == ProcessResult::TimedOut);
        CHECK_THAT(r.output, Contains("ready"));
        return r;
    };

    ProcessResult kept = run("kept", std::chrono::seconds(1));
    CHECK(kept.signal == SIGTERM);  // coverage.py saved, then ended by the signal again
    PythonLayer layer(layout_json());
    LayerReading reading = layer.read({dir + "/kept"});
    REQUIRE(reading.read.size() == 1);
    MeasurementPipeline pipeline([&] {
        std::vector<std::unique_ptr<CoverageLayer>> layers;
        layers.push_back(std::make_unique<PythonLayer>(layout_json()));
        return layers;
    }(), "");
    ProfileMeasurement m = pipeline.measure({dir + "/kept"});
    CoverageTally shapes;
    for (const auto& f : m.measurement.files)
        if (f.path == "geom/shapes.py") shapes = f.tally;
    CHECK(shapes.lines.covered > 0);
    CHECK(shapes.functions.covered == 1);  // area ran; unused (after the sleep) did not

    // SIGKILL at once, as dlcov's timeouts were: nothing is saved.
    ProcessResult lost = run("lost", std::chrono::milliseconds(0));
    CHECK(lost.signal == SIGKILL);
    CHECK(layer.read({dir + "/lost"}).read.empty());
    fs::remove_all(dir);
}

TEST_CASE("a campaign trial of a python build folds data files as their processes end", "[python][campaign]") {
    const Project& p = project();
    std::string dir = temporary_folder("python-trial");
    BuildManifest build;
    build.name = "geom";
    build.framework = "geom";
    build.version = "1";
    build.mode = "python";
    build.source_root = fs::path(p.pkg).parent_path().string();
    build.dir = dir;
    build.python_layers.push_back(layer_manifest(kPython, p.pkg, layout_json(), coverage_py_version(kPython)));
    std::string trial = dir + "/trial-1";
    RunningCoverage coverage(build, trial, false);
    std::string profiles = TrialFolder(trial).profile_dir();
    CHECK(fs::exists(profiles + "/python-total.json"));

    // coverage.py's data files carry their writer's pid: those of ended processes are folded.
    std::vector<std::string> data = data_files(p.procs);
    for (const auto& d : data) fs::copy_file(d, profiles + "/" + fs::path(d).filename().string());
    std::string running = profiles + "/.coverage.host." + std::to_string(getpid()) + ".123456";  // this process: alive
    fs::copy_file(data[0], running);
    RunningCoverage::Fold fold = coverage.fold(false);
    CHECK(fold.folded == 2);
    CHECK(fold.skipped == 0);
    CHECK(fs::exists(running));
    ComponentTallies now = coverage.measure();
    check_equals_coverage_json(now["overall"], p.report["totals"]);
    CHECK(coverage.fold(true).folded == 1);  // the end of the trial: everything

    // What `dlcov report` measures: the trial's profile folder, i.e. its running total.
    MeasurementPipeline pipeline(build);
    ProfileMeasurement m = pipeline.measure({profiles});
    CHECK(m.read == std::vector<std::string>{profiles + "/python-total.json"});
    CHECK(m.measurement.total.lines.covered == now["overall"].lines.covered);
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(profiles)) left.push_back(e.path().filename().string());
    CHECK(left == std::vector<std::string>{"python-total.json"});
    fs::remove_all(dir);
}
