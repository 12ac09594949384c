// Python mode's correctness contract: for the same coverage.py data, dlcov's per-file and total
// statements and branches equal `coverage json`'s. The test writes a small package of its own
// (branches, loops, nested functions, classes, a lambda, try/except, with, async, pragmas, a
// module never imported, a file that does not parse, a subprocess), runs it under coverage.py
// twice (`coverage run` with the subprocess measured through COVERAGE_PROCESS_START and dlcov's
// .pth hook; then the hook alone, with DLCOV_PYTHON_COVERAGE_DIR), and compares dlcov's reading
// of the per-process data files with `coverage combine --keep` + `coverage json`.
//
// Interpreters: /usr/bin/python3 (Debian's coverage.py 6.5), plus every interpreter named in
// DLCOV_TEST_PYTHONS (colon-separated; e.g. a venv with coverage.py 7.x).
#include "coverage_py_data.h"
#include "error.h"
#include "python_reading.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sqlite3.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::python;
using namespace dlcov::test;
using nlohmann::json;

namespace {

const char* kInit = R"(from . import core
)";

const char* kCore = R"(import os
import subprocess
import sys


def classify(x):
    if x < 0:
        return "negative"
    elif x == 0:
        return "zero"
    return "positive"


def loop(n):
    total = 0
    for i in range(n):
        if i % 2:
            continue
        total += i
    else:
        total += 100
    while total > 50:
        total -= 7
    return total


def outer(flag):
    def inner(y):
        return y * 2

    def never_called():
        return 0

    return inner(3) if flag else 0


class Shape:
    sides = 0

    def __init__(self, name):
        self.name = name

    def describe(self):
        return f"{self.name} with {self.sides} sides"

    def unused(self):  # pragma: no cover
        return None

    @staticmethod
    def make(kind):
        if kind == "tri":
            return Triangle("t")
        return Shape("s")


class Triangle(Shape):
    sides = 3


def one_liner(a): return a + 1


def never_one_liner(a): return a - 1


def risky(v):
    try:
        r = 10 // v
    except ZeroDivisionError:
        r = -1
    finally:
        pass
    return r


square = lambda z: z * z


def gen(n):
    for i in range(n):
        yield i


def multi(a,
          b):
    value = (a +
             b)
    return [x
            for x in range(value)
            if x % 3]


def use_with(path, fail):
    with open(path, "w") as f:
        f.write("x")
        if fail:
            return None
    return path


def no_branch_line(flag):
    if flag:  # pragma: no branch
        return 1
    return 0


def first_even(items):
    it = iter(items)
    while True:
        v = next(it)
        if v % 2 == 0:
            break
    return v


async def twice(x):
    return x * 2


def run_async():
    import asyncio
    return asyncio.run(twice(2))


def make_counter():
    class Counter:
        def __init__(self):
            self.n = 0

        def bump(self):
            self.n += 1
            return self.n
    return Counter()


def spawn_child():
    return subprocess.call([sys.executable, "-m", "dlpkg.child", "7"])


def excluded_block(x):
    if x > 1000:  # pragma: no cover
        raise ValueError(x)
    return x
)";

const char* kChild = R"(import sys


def work(n):
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(i)
    return out


if __name__ == "__main__":
    print(work(int(sys.argv[1])))
)";

const char* kNever = R"(def nobody(x):
    if x:
        return 1
    return 2


VALUE = nobody(0)
)";

const char* kSubInit = "";

const char* kSubUtil = R"(def pick(values, key=None):
    if key is None:
        return values[0]
    for v in values:
        if key(v):
            return v
    return None
)";

// A module that runs a first phase, says so, then waits to be killed.
const char* kSlow = R"(import os
import sys
import time


def phase_one(n):
    total = 0
    for i in range(n):
        if i % 2:
            total += i
    return total


def phase_two():
    return "never reached"


def main(ready):
    phase_one(10)
    with open(ready, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)
    phase_two()
)";

const char* kBroken = "def broken(:\n    pass\n";

const char* kDriver = R"(import os
import sys

import dlpkg.core as c
from dlpkg.sub import util

mode = sys.argv[1]
print(c.classify(-1), c.classify(5), c.loop(5), c.outer(True), c.risky(0))
print(c.spawn_child())
print(util.pick([3, 4], key=lambda v: v % 2 == 0))
if mode == "full":
    print(c.risky(2), c.Shape.make("tri").describe(), c.square(3), list(c.gen(2)), c.multi(2, 3))
    print(c.one_liner(1), c.excluded_block(3), c.use_with(os.path.join(os.getcwd(), "w.txt"), False))
    print(c.no_branch_line(True), c.first_even([1, 3, 4]), c.run_async(), c.make_counter().bump())
)";

std::string python_layout_script() { return std::string(DLCOV_SOURCE_DIR) + "/coverage/python/python_layout.py"; }
std::string hook_script() { return std::string(DLCOV_SOURCE_DIR) + "/coverage/python/dlcov_coverage_hook.py"; }

std::vector<std::string> interpreters() {
    std::vector<std::string> out = {"/usr/bin/python3"};
    if (const char* extra = std::getenv("DLCOV_TEST_PYTHONS")) {
        std::string s = extra;
        for (size_t start = 0; start <= s.size();) {
            size_t end = s.find(':', start);
            if (end == std::string::npos) end = s.size();
            if (end > start) out.push_back(s.substr(start, end - start));
            start = end + 1;
        }
    }
    return out;
}

// One run of the package under coverage.py: its per-process data files and the reference report.
struct Run {
    std::string procs;                 // folder of per-process data files
    std::vector<std::string> data;     // the per-process data files
    std::string combined;              // `coverage combine --keep` of them
    json report;                       // `coverage json` of the combined file
};

struct Fixture {
    std::string python, dir, pkg, rcfile, env, layout_json;
    std::string coverage_version;
    Run coverage_run, hook_run;
};

std::vector<std::string> per_process_files(const std::string& folder) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(folder))
        if (e.path().filename().string().rfind(".coverage.", 0) == 0) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

Run finish_run(const Fixture& f, const std::string& name) {
    Run run;
    run.procs = f.dir + "/" + name + "/procs";
    run.data = per_process_files(run.procs);
    run.combined = f.dir + "/" + name + "/combined/.coverage";
    fs::create_directories(fs::path(run.combined).parent_path());
    std::string cov = "cd " + shell_quote(f.dir) + " && COVERAGE_FILE=" + shell_quote(run.combined) + " " + f.python +
                      " -m coverage ";
    must_run(cov + "combine --keep --rcfile=" + shell_quote(f.rcfile) + " " + shell_quote(run.procs));
    std::string report = f.dir + "/" + name + "/coverage.json";
    must_run(cov + "json --rcfile=" + shell_quote(f.rcfile) + " -o " + shell_quote(report));
    run.report = json::parse(read_file(report));
    return run;
}

Fixture make_fixture(const std::string& python) {
    Fixture f;
    f.python = python;
    f.dir = fs::canonical(scratch_dir("python-contract-" + fs::path(python).parent_path().filename().string() + "-" +
                                      fs::path(python).filename().string()))
                .string();
    f.pkg = f.dir + "/dlpkg";
    write_file(f.pkg + "/__init__.py", kInit);
    write_file(f.pkg + "/core.py", kCore);
    write_file(f.pkg + "/child.py", kChild);
    write_file(f.pkg + "/never.py", kNever);
    write_file(f.pkg + "/slow.py", kSlow);
    write_file(f.pkg + "/broken.py", kBroken);
    write_file(f.pkg + "/sub/__init__.py", kSubInit);
    write_file(f.pkg + "/sub/util.py", kSubUtil);
    write_file(f.dir + "/driver.py", kDriver);
    f.rcfile = f.dir + "/coverage.rc";
    write_file(f.rcfile, "[run]\nbranch = True\nparallel = True\nsource =\n    " + f.pkg +
                             "\n[report]\nignore_errors = True\n");
    f.coverage_version = must_run(python + " -c 'import coverage; print(coverage.__version__)'").output;

    // dlcov's hook installed as in a site-packages folder; a sitecustomize on PYTHONPATH makes
    // that folder a site folder, so its .pth runs at every start-up of this interpreter.
    std::string hook_dir = f.dir + "/site";
    must_run(python + " " + shell_quote(hook_script()) + " install --site-packages " + shell_quote(hook_dir) +
             " --source " + shell_quote(f.pkg));
    write_file(f.dir + "/sitecustom/sitecustomize.py", "import site\nsite.addsitedir(" + json(hook_dir).dump() + ")\n");
    f.env = "PYTHONPATH=" + shell_quote(f.dir + "/sitecustom") + " ";

    f.layout_json = f.dir + "/layout.json";
    must_run(python + " " + shell_quote(python_layout_script()) + " " + shell_quote(f.pkg) + " -o " +
             shell_quote(f.layout_json) + " --rcfile " + shell_quote(f.rcfile));

    // 1. `coverage run` for the main process; the subprocess through COVERAGE_PROCESS_START.
    std::string procs = f.dir + "/coverage-run/procs";
    fs::create_directories(procs);
    must_run("cd " + shell_quote(f.dir) + " && " + f.env + "COVERAGE_PROCESS_START=" + shell_quote(f.rcfile) +
             " COVERAGE_FILE=" + shell_quote(procs + "/.coverage") + " " + python +
             " -m coverage run --branch --parallel-mode --source=" + shell_quote(f.pkg) + " driver.py full");
    f.coverage_run = finish_run(f, "coverage-run");

    // 2. dlcov's hook alone: every process writes its data file into DLCOV_PYTHON_COVERAGE_DIR.
    must_run("cd " + shell_quote(f.dir) + " && " + f.env + "DLCOV_PYTHON_COVERAGE_DIR=" +
             shell_quote(f.dir + "/hook-run/procs") + " " + python + " driver.py partial");
    f.hook_run = finish_run(f, "hook-run");
    return f;
}

const std::vector<Fixture>& fixtures() {
    static std::vector<Fixture> all = [] {
        std::vector<Fixture> out;
        for (const auto& p : interpreters()) out.push_back(make_fixture(p));
        return out;
    }();
    return all;
}

struct Reference {
    uint64_t statements, covered_lines, branches, covered_branches;
};

Reference reference_of(const json& summary) {
    return {summary["num_statements"].get<uint64_t>(), summary["covered_lines"].get<uint64_t>(),
            summary["num_branches"].get<uint64_t>(), summary["covered_branches"].get<uint64_t>()};
}

// Checks dlcov's numbers against coverage json's, per file and in total; returns dlcov's per-file
// tallies by path relative to the fixture.
std::map<std::string, CoverageTally> check_against_report(const Fixture& f, const PythonLayout& layout,
                                                          const PythonReading& reading, const json& report) {
    std::map<std::string, CoverageTally> by_path;
    std::set<std::string> reported;
    CoverageTally total;
    for (const auto& [name, entry] : report["files"].items()) {
        std::string abs = fs::weakly_canonical(fs::path(f.dir) / name).string();
        reported.insert(abs);
        auto index = layout.find(abs);
        INFO("coverage json reports " << name);
        REQUIRE(index);
        CoverageTally t = summarize_file(layout.layout, *index, reading.counts);
        Reference ref = reference_of(entry["summary"]);
        CHECK(t.lines.total == ref.statements);
        CHECK(t.lines.covered == ref.covered_lines);
        CHECK(t.branches.total == ref.branches);
        CHECK(t.branches.covered == ref.covered_branches);
        by_path[fs::relative(abs, f.dir).string()] = t;
    }
    for (size_t i = 0; i < layout.layout.files.size(); ++i) {
        INFO("the layout has " << layout.layout.files[i].path);
        CHECK(reported.count(layout.layout.files[i].path));
        total += summarize_file(layout.layout, i, reading.counts);
    }
    Reference ref = reference_of(report["totals"]);
    CHECK(total.lines.total == ref.statements);
    CHECK(total.lines.covered == ref.covered_lines);
    CHECK(total.branches.total == ref.branches);
    CHECK(total.branches.covered == ref.covered_branches);
    return by_path;
}

std::map<std::string, bool> functions_ran(const PythonLayout& layout, const PythonReading& reading,
                                          const std::string& relative_path) {
    std::map<std::string, bool> out;
    for (size_t i = 0; i < layout.relative_paths.size(); ++i) {
        if (layout.relative_paths[i] != relative_path) continue;
        for (const auto& fn : layout.layout.files[i].functions)
            if (fn.is_function) out[fn.name] = reading.counts.functions[fn.instantiations[0].function_index] > 0;
    }
    return out;
}

void write_foreign_sqlite(const std::string& path, const std::string& sql) {
    fs::remove(path);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO((err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

std::string rejection_of(const std::string& path) {
    try {
        read_coverage_py_data(path);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("numbits decode as coverage.py encodes them", "[python]") {
    // coverage.py's nums_to_numbits([1, 2, 9, 16]): byte 0 bits 1,2; byte 1 bit 1; byte 2 bit 0.
    const unsigned char bits[] = {0x06, 0x02, 0x01};
    CHECK(numbits_to_numbers(bits, 3) == std::vector<int>{1, 2, 9, 16});
    CHECK(numbits_to_numbers(bits, 0).empty());
}

TEST_CASE("every process wrote a data file, the subprocess's included", "[python]") {
    for (const Fixture& f : fixtures()) {
        INFO(f.python << " coverage.py " << f.coverage_version);
        // The main process and the `python -m dlpkg.child` subprocess.
        CHECK(f.coverage_run.data.size() == 2);
        CHECK(f.hook_run.data.size() == 2);
        for (const auto& path : f.coverage_run.data) CHECK(is_coverage_py_data(path));
        CoveragePyData d = read_coverage_py_data(f.coverage_run.data.front());
        CHECK(d.has_arcs);
        CHECK(!d.coverage_version.empty());
        CHECK(f.coverage_version.rfind(d.coverage_version, 0) == 0);
    }
}

TEST_CASE("python mode equals coverage json per file and in total", "[python]") {
    for (const Fixture& f : fixtures()) {
        INFO(f.python << " coverage.py " << f.coverage_version);
        PythonLayout layout = load_python_layout(f.layout_json);
        // The file that does not parse is listed, not fatal; coverage json skips it too.
        REQUIRE(layout.failed.size() == 1);
        CHECK(layout.failed[0].path == "dlpkg/broken.py");
        CHECK(layout.failed[0].reason.find("parse") != std::string::npos);

        std::map<std::string, std::map<std::string, CoverageTally>> tallies;
        for (const Run* run : {&f.coverage_run, &f.hook_run}) {
            INFO("data in " << run->procs);
            PythonDataFiles files = read_python_data_files({run->procs});
            REQUIRE(files.skipped.empty());
            REQUIRE(files.data.size() == run->data.size());
            PythonReading reading = read_python_counts(layout, files.data);
            for (const auto& [path, n] : reading.unlisted) UNSCOPED_INFO("unlisted: " << path);
            CHECK(reading.unlisted.empty());
            tallies[run->procs] = check_against_report(f, layout, reading, run->report);

            // The combined file reads the same as the per-process files it was made of.
            PythonReading combined = read_python_counts(layout, {read_coverage_py_data(run->combined)});
            for (size_t i = 0; i < layout.layout.files.size(); ++i) {
                CoverageTally a = summarize_file(layout.layout, i, reading.counts);
                CoverageTally b = summarize_file(layout.layout, i, combined.counts);
                CHECK(a.lines.covered == b.lines.covered);
                CHECK(a.branches.covered == b.branches.covered);
                CHECK(a.functions.covered == b.functions.covered);
            }
        }

        // The numbers come from the data: the two runs differ, never-imported files count zero,
        // and nothing is trivially full.
        const auto& full = tallies[f.coverage_run.procs];
        const auto& partial = tallies[f.hook_run.procs];
        CHECK(full.at("dlpkg/core.py").lines.covered > partial.at("dlpkg/core.py").lines.covered);
        CHECK(full.at("dlpkg/core.py").branches.covered > partial.at("dlpkg/core.py").branches.covered);
        CHECK(full.at("dlpkg/core.py").lines.covered < full.at("dlpkg/core.py").lines.total);
        CHECK(full.at("dlpkg/child.py").lines.covered > 0);  // only the subprocess ran it
        CHECK(partial.at("dlpkg/child.py").lines.covered > 0);
        for (const char* never : {"dlpkg/never.py", "dlpkg/slow.py"}) {
            CHECK(full.at(never).lines.covered == 0);
            CHECK(full.at(never).lines.total > 0);
            CHECK(full.at(never).branches.total > 0);
        }
    }
}

TEST_CASE("python mode reads the subprocess's own data file", "[python]") {
    for (const Fixture& f : fixtures()) {
        INFO(f.python);
        PythonLayout layout = load_python_layout(f.layout_json);
        // Without the child's data file, child.py is not covered at all.
        std::vector<CoveragePyData> main_only;
        for (const auto& path : f.coverage_run.data) {
            CoveragePyData d = read_coverage_py_data(path);
            bool child = false;
            for (const auto& [source, executed] : d.files)
                child = child || (fs::path(source).filename() == "child.py" && !executed.lines.empty());
            if (!child) main_only.push_back(std::move(d));
        }
        REQUIRE(main_only.size() == 1);
        PythonReading r = read_python_counts(layout, main_only);
        auto child = layout.find(f.pkg + "/child.py");
        REQUIRE(child);
        CHECK(summarize_file(layout.layout, *child, r.counts).lines.covered == 0);
    }
}

TEST_CASE("python functions: covered when their own body ran; module code is no function", "[python]") {
    for (const Fixture& f : fixtures()) {
        INFO(f.python);
        PythonLayout layout = load_python_layout(f.layout_json);
        PythonDataFiles files = read_python_data_files({f.coverage_run.procs});
        PythonReading reading = read_python_counts(layout, files.data);
        auto core = functions_ran(layout, reading, "dlpkg/core.py");
        CHECK(core.at("classify"));
        CHECK(core.at("outer"));
        CHECK(core.at("outer.<locals>.inner"));
        CHECK_FALSE(core.at("outer.<locals>.never_called"));
        CHECK(core.at("Shape.make"));  // decorated
        CHECK(core.at("one_liner"));   // entered: its line is the module's
        CHECK_FALSE(core.at("never_one_liner"));
        CHECK(core.at("twice"));       // async
        CHECK(core.at("make_counter.<locals>.Counter.bump"));
        CHECK(core.count("Shape.unused") == 0);  // excluded by its pragma
        CHECK(core.count("<module>") == 0);
        auto never = functions_ran(layout, reading, "dlpkg/never.py");
        CHECK_FALSE(never.at("nobody"));
        // __init__.py has module code only: no function to count.
        auto init = layout.find(f.pkg + "/__init__.py");
        REQUIRE(init);
        CoverageTally t = summarize_file(layout.layout, *init, reading.counts);
        CHECK(t.functions.total == 0);
        CHECK(t.lines.covered == t.lines.total);
        // The function tally is the number of def/async def not excluded, in every file.
        auto c = layout.find(f.pkg + "/core.py");
        REQUIRE(c);
        CoverageTally ct = summarize_file(layout.layout, *c, reading.counts);
        CHECK(ct.functions.total == core.size());
        CHECK(ct.functions.covered < ct.functions.total);
    }
}

TEST_CASE("measured files the layout lacks are ignored and counted; moved trees map by prefix", "[python]") {
    const Fixture& f = fixtures().front();
    json j = json::parse(read_file(f.layout_json));
    auto& files = j["files"];
    files.erase(std::remove_if(files.begin(), files.end(), [](const json& e) { return e["path"] == "dlpkg/core.py"; }),
                files.end());
    PythonLayout without_core = python_layout_from_json(j, "edited layout");
    PythonDataFiles data = read_python_data_files({f.coverage_run.procs});
    PythonReading r = read_python_counts(without_core, data.data);
    REQUIRE(r.unlisted.size() == 1);
    CHECK(r.unlisted.begin()->first == f.pkg + "/core.py");
    CHECK(r.unlisted.begin()->second == f.coverage_run.data.size());  // both processes import it

    // The same data read against a layout of the tree at another place, with a prefix mapping.
    json moved = json::parse(read_file(f.layout_json));
    moved["base"] = "/elsewhere";
    PythonLayout elsewhere = python_layout_from_json(moved, "moved layout");
    PythonReading unmapped = read_python_counts(elsewhere, data.data);
    CHECK(unmapped.unlisted.size() >= 3);
    PythonReading mapped = read_python_counts(elsewhere, data.data, {{f.dir, "/elsewhere"}});
    CHECK(mapped.unlisted.empty());
    PythonReading original = read_python_counts(load_python_layout(f.layout_json), data.data);
    CHECK(mapped.counts.lines == original.counts.lines);
    CHECK(mapped.counts.branches == original.counts.branches);
}

TEST_CASE("corrupt, truncated, empty and foreign data files are named and rejected", "[python]") {
    const Fixture& f = fixtures().front();
    std::string dir = scratch_dir("python-bad-data");
    std::string good = f.coverage_run.data.front();
    std::string text = read_file(good);
    REQUIRE(text.size() > 8192);

    std::vector<std::pair<std::string, std::string>> bad;  // path, what the message must say
    auto add = [&](const std::string& name, const std::string& content, const std::string& expect) {
        write_file(dir + "/" + name, content);
        bad.emplace_back(dir + "/" + name, expect);
    };
    add("empty.db", "", "empty");
    add("text.db", "this is not a database\n", "not a SQLite database");
    add("header-only.db", text.substr(0, 100), "corrupt");
    for (size_t cut : {size_t(4096), size_t(8192), text.size() / 2, text.size() - 4096, text.size() - 1})
        add("truncated-" + std::to_string(cut) + ".db", text.substr(0, cut), "");
    std::string scrambled = text;
    for (size_t i = 4096; i < scrambled.size(); i += 7) scrambled[i] = char(scrambled[i] ^ 0x5a);
    add("scrambled.db", scrambled, "corrupt");
    write_foreign_sqlite(dir + "/foreign.db", "create table results (id integer, value text); insert into results values (1, 'x');");
    bad.emplace_back(dir + "/foreign.db", "not a coverage.py data file");
    write_foreign_sqlite(dir + "/.coverage.schema6",
                         "create table coverage_schema (version integer); insert into coverage_schema values (6);"
                         "create table meta (key text, value text); insert into meta values ('version', '5.0a6');");
    bad.emplace_back(dir + "/.coverage.schema6", "schema version 6");

    for (const auto& [path, expect] : bad) {
        INFO(path);
        std::string message = rejection_of(path);
        REQUIRE_FALSE(message.empty());
        CHECK(message.find(path) != std::string::npos);          // names the file
        CHECK(message.find("coverage.py data") != std::string::npos);  // says what was expected
        if (!expect.empty()) CHECK(message.find(expect) != std::string::npos);
    }
    CHECK_FALSE(is_coverage_py_data(dir + "/foreign.db"));
    CHECK_FALSE(is_coverage_py_data(dir + "/empty.db"));
    CHECK(is_coverage_py_data(good));

    // In a folder: the good files are read, every bad one is named, other files are passed over.
    for (const auto& path : f.coverage_run.data) fs::copy_file(path, dir + "/" + fs::path(path).filename().string());
    fs::copy_file(good, dir + "/renamed-data");  // recognised by content, not by name
    write_file(dir + "/notes.txt", "not data\n");
    PythonDataFiles files = read_python_data_files({dir});
    CHECK(files.data.size() == f.coverage_run.data.size() + 1);
    std::set<std::string> skipped;
    for (const auto& s : files.skipped) skipped.insert(s.path);
    CHECK(skipped.count(dir + "/foreign.db"));
    CHECK(skipped.count(dir + "/scrambled.db"));
    CHECK(skipped.count(dir + "/.coverage.schema6"));
    CHECK_FALSE(skipped.count(dir + "/notes.txt"));
    CHECK_THROWS_AS(read_python_data_files({dir}, true), UserError);
}

TEST_CASE("a malformed layout is refused with the file named", "[python]") {
    const Fixture& f = fixtures().front();
    json j = json::parse(read_file(f.layout_json));
    j["files"][0]["definitions"][0]["statements"].push_back(99999);
    CHECK_THROWS_WITH(python_layout_from_json(j, "bad.json"), Catch::Contains("bad.json") && Catch::Contains("99999"));
    json other = {{"format", "something else"}};
    CHECK_THROWS_AS(python_layout_from_json(other, "other.json"), UserError);
}

TEST_CASE("the hook saves a process's data on SIGTERM; SIGKILL loses it", "[python]") {
    for (const Fixture& f : fixtures()) {
        INFO(f.python);
        PythonLayout layout = load_python_layout(f.layout_json);
        auto slow = layout.find(f.pkg + "/slow.py");
        REQUIRE(slow);
        std::map<std::string, size_t> files_written;
        std::map<std::string, uint64_t> lines_kept;
        for (const char* sig : {"TERM", "KILL", "INT"}) {
            std::string out = f.dir + "/kill-" + sig;
            fs::remove_all(out);
            fs::create_directories(out);
            std::string ready = out + "/ready";
            std::string script = f.env + "DLCOV_PYTHON_COVERAGE_DIR=" + shell_quote(out + "/procs") + " env --default-signal=INT " + f.python +
                                 " -c 'import sys, dlpkg.slow as s; s.main(sys.argv[1])' " + shell_quote(ready) +
                                 " & pid=$!; i=0; while [ ! -f " + shell_quote(ready) +
                                 " ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; kill -" + sig +
                                 " $pid; wait $pid; echo exit=$?";
            auto r = run_command("(cd " + shell_quote(f.dir) + " && " + script + ")");
            INFO(r.output);
            REQUIRE(fs::exists(ready));
            PythonDataFiles data = read_python_data_files({out + "/procs"});
            CHECK(data.skipped.empty());
            files_written[sig] = data.data.size();
            PythonReading reading = read_python_counts(layout, data.data);
            lines_kept[sig] = summarize_file(layout.layout, *slow, reading.counts).lines.covered;
        }
        CHECK(files_written["TERM"] == 1);
        CHECK(lines_kept["TERM"] > 0);
        CHECK(files_written["INT"] == 1);  // KeyboardInterrupt: exits normally
        CHECK(lines_kept["INT"] == lines_kept["TERM"]);
        CHECK(files_written["KILL"] == 0);  // nothing survives SIGKILL
    }
}

// The contract on a real framework: Debian's PyTorch (python3-torch), one LeNet training step.
// Hidden (about two minutes): build/bin/dlcov_unit_tests "[torch]".
TEST_CASE("python mode equals coverage json on PyTorch", "[.][torch]") {
    const std::string torch = "/usr/lib/python3/dist-packages/torch";
    if (!fs::exists(torch + "/__init__.py")) {
        WARN("python3-torch is not installed; skipped");
        return;
    }
    std::string dir = scratch_dir("python-torch");
    write_file(dir + "/lenet.py", R"(import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


model = LeNet()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss = F.cross_entropy(model(torch.randn(8, 1, 28, 28)), torch.randint(0, 10, (8,)))
opt.zero_grad()
loss.backward()
opt.step()
print(float(loss))
)");
    std::string rc = dir + "/coverage.rc";
    write_file(rc, "[run]\nbranch = True\nparallel = True\nsource =\n    " + torch + "\n[report]\nignore_errors = True\n");
    std::string cov = "cd " + shell_quote(dir) + " && COVERAGE_FILE=" + shell_quote(dir + "/procs/.coverage") +
                      " /usr/bin/python3 -m coverage ";
    fs::create_directories(dir + "/procs");
    must_run(cov + "run --rcfile=" + shell_quote(rc) + " lenet.py");
    std::string combined = "cd " + shell_quote(dir) + " && COVERAGE_FILE=" + shell_quote(dir + "/.coverage") +
                           " /usr/bin/python3 -m coverage ";
    must_run(combined + "combine --keep --rcfile=" + shell_quote(rc) + " procs");
    must_run(combined + "json --rcfile=" + shell_quote(rc) + " -o coverage.json");
    auto out = must_run("/usr/bin/python3 " + shell_quote(python_layout_script()) + " " + torch + " -o " +
                        shell_quote(dir + "/layout.json") + " --rcfile " + shell_quote(rc));
    WARN(out.output);

    auto t0 = std::chrono::steady_clock::now();
    PythonLayout layout = load_python_layout(dir + "/layout.json");
    auto t1 = std::chrono::steady_clock::now();
    PythonDataFiles data = read_python_data_files({dir + "/procs"});
    REQUIRE(data.skipped.empty());
    PythonReading reading = read_python_counts(layout, data.data);
    auto t2 = std::chrono::steady_clock::now();
    WARN("loading the layout " << std::chrono::duration<double>(t1 - t0).count() << " s, reading "
                               << data.data.size() << " data file(s) " << std::chrono::duration<double>(t2 - t1).count()
                               << " s");
    CHECK(reading.unlisted.empty());
    json report = json::parse(read_file(dir + "/coverage.json"));
    size_t mismatched = 0;
    CoverageTally total;
    std::set<std::string> reported;
    for (const auto& [name, entry] : report["files"].items()) {
        std::string abs = fs::path(name).is_absolute() ? name : (fs::path(dir) / name).string();
        reported.insert(abs);
        auto index = layout.find(abs);
        INFO(abs);
        REQUIRE(index);
        CoverageTally t = summarize_file(layout.layout, *index, reading.counts);
        Reference ref = reference_of(entry["summary"]);
        bool same = t.lines.total == ref.statements && t.lines.covered == ref.covered_lines &&
                    t.branches.total == ref.branches && t.branches.covered == ref.covered_branches;
        if (!same) {
            ++mismatched;
            UNSCOPED_INFO(name << ": dlcov " << t.lines.covered << "/" << t.lines.total << " " << t.branches.covered << "/"
                               << t.branches.total << ", coverage json " << ref.covered_lines << "/" << ref.statements
                               << " " << ref.covered_branches << "/" << ref.branches);
        }
    }
    CHECK(mismatched == 0);
    for (size_t i = 0; i < layout.layout.files.size(); ++i) {
        CHECK(reported.count(layout.layout.files[i].path));
        total += summarize_file(layout.layout, i, reading.counts);
    }
    Reference ref = reference_of(report["totals"]);
    CHECK(total.lines.total == ref.statements);
    CHECK(total.lines.covered == ref.covered_lines);
    CHECK(total.branches.total == ref.branches);
    CHECK(total.branches.covered == ref.covered_branches);
    WARN("PyTorch: lines " << total.lines.covered << "/" << total.lines.total << ", branches " << total.branches.covered
                           << "/" << total.branches.total << ", functions " << total.functions.covered << "/"
                           << total.functions.total);
}
