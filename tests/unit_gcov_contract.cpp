// The gcov mode's correctness contract: for the same objects and data files, dlcov's per-file and
// total line, branch and function numbers equal `gcovr --json-summary`'s (gcovr 5.2, gcc 12).
//
// The program is written here, into a scratch folder (it is in no repository): two translation
// units sharing a header with templates instantiated differently in each, an inline function
// compiled into both, lines that look like no code (a destructor's closing brace, `else`), a
// switch, a lambda, exceptions, a static initializer (an internal function gcovr leaves out) and
// exclusion markers. It is compiled with relative source names (gcov must run where gcc ran) at
// -O0 and -O2, and run in four modes: once as gcovr expects (every run adds into the .gcda next to
// the notes) and once as dlcov's campaigns run it (GCOV_PREFIX: one folder per process). Both are
// compared after the first run and after all of them: what gcovr counts depends on what ran.
#include "gcov_files.h"
#include "gcov_layer.h"
#include "error.h"
#include "measurement.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using nlohmann::json;

namespace {

const char* kHeader = R"(#pragma once
#include <stdexcept>
#include <vector>

template <typename T>
T clamp_to(T v, T lo, T hi) {
    if (v < lo) return lo;
    if (v > hi)
        return hi;
    return v;
}

template <typename T>
void accumulate(std::vector<T>& out, T v)
{
    if (v > T(0))
        out.push_back(v);
    else
        out.push_back(-v);
}

inline int twice(int x) { return x * 2; }

struct Counter {
    int n = 0;
    void add(int k) {
        for (int i = 0; i < k; ++i)
            n += i % 3 == 0 ? 2 : 1;
    }
    ~Counter()
    {
        n = -1;
    }
};

inline int checked(int x) {
    if (x > 100) throw std::out_of_range("x > 100");  // GCOVR_EXCL_BR_LINE
    return x;
}
)";

const char* kMain = R"(#include "shared.h"
#include <cstdio>
#include <cstdlib>

int in_library(int mode);

static Counter global_counter;  // a static initializer: an internal function for gcovr

static int unused_helper(int x)
{
    if (x)
        return 1;
    else
        return 2;
}

int classify(int mode) {
    switch (mode) {
    case 0: return 10;
    case 1:
    case 2: return 20;
    default:
        break;
    }
    return mode > 5 && mode < 9 ? 30 : 40;
}

void never_reported() {  // LCOV_EXCL_START
    std::puts("excluded");
}  // LCOV_EXCL_STOP

int main(int argc, char** argv) {
    int mode = argc > 1 ? std::atoi(argv[1]) : 0;
    std::vector<int> ints;
    accumulate(ints, mode);
    if (mode == 3) {
        std::vector<double> ds;
        accumulate(ds, 1.5);
    }
    global_counter.add(mode);
    int r = clamp_to(mode, 0, 5) + classify(mode) + twice(mode);
    auto f = [&](int k) { return k + r; };
    r += f(1);
    try {
        r += checked(mode * 40);
    } catch (const std::exception& e) {
        std::printf("caught %s\n", e.what());
    }
    if (mode == 99) r += unused_helper(mode);  // GCOVR_EXCL_LINE
    return in_library(mode) + (r > 100000 ? 1 : 0);
}
)";

const char* kLibrary = R"(#include "shared.h"

int in_library(int mode) {
    Counter c;
    c.add(mode + 1);
    std::vector<float> fs;
    accumulate(fs, float(mode) - 1.0f);
    return clamp_to(mode, 1, 2) == 2 ? twice(c.n) & 0 : 0;
}
)";

struct Program {
    std::string dir, objects, runs;
};

// Writes and compiles the program with `optimization`, with relative source names from its folder.
Program compile_program(const std::string& name, const std::string& optimization) {
    Program p;
    p.dir = scratch_dir(name);
    p.objects = p.dir + "/obj";
    p.runs = p.dir + "/runs";
    write_file(p.dir + "/shared.h", kHeader);
    write_file(p.dir + "/main.cpp", kMain);
    write_file(p.dir + "/library.cpp", kLibrary);
    fs::create_directories(p.objects);
    const std::string cxx = "g++-12 --coverage -fprofile-update=atomic " + optimization;
    must_run("cd " + shell_quote(p.dir) + " && " + cxx + " -c main.cpp -o obj/main.o && " + cxx +
             " -c library.cpp -o obj/library.o && " + cxx + " obj/main.o obj/library.o -o program");
    return p;
}

// Runs the program in `mode` twice: adding into the .gcda next to the notes (gcovr's input), and
// into a folder of its own (GCOV_PREFIX, as dlcov's runners do; gcc expands %p).
void run_both_ways(const Program& p, int mode) {
    const std::string program = shell_quote(p.dir + "/program") + " " + std::to_string(mode) + " >/dev/null";
    run_command(program);
    run_command("GCOV_PREFIX=" + shell_quote(p.runs + "/run-%p.gcda.d") + " " + program);
}

// gcovr's numbers for every source file (the system's headers too) and in total.
json gcovr_summary(const Program& p) {
    std::string out = p.dir + "/gcovr.json";
    must_run("cd " + shell_quote(p.dir) + " && gcovr --root / --filter / --gcov-executable gcov-12 --json-summary " +
             shell_quote(out) + " " + shell_quote(p.objects));
    return json::parse(read_file(out));
}

json dlcov_measure(const Program& p, const std::string& profiles) {
    std::string out = p.dir + "/dlcov.json";
    must_run(shell_quote(DLCOV_EXE) + " measure --gcov-objects " + shell_quote(p.objects) + " --profiles " +
             shell_quote(profiles) + " --json " + shell_quote(out));
    return json::parse(read_file(out));
}

struct Numbers {
    uint64_t lines_covered, lines, branches_covered, branches, functions_covered, functions;
};

std::string text(const Numbers& n) {
    return "lines " + std::to_string(n.lines_covered) + "/" + std::to_string(n.lines) + ", branches " +
           std::to_string(n.branches_covered) + "/" + std::to_string(n.branches) + ", functions " +
           std::to_string(n.functions_covered) + "/" + std::to_string(n.functions);
}

Numbers gcovr_numbers(const json& j) {
    return {j["line_covered"], j["line_total"], j["branch_covered"], j["branch_total"], j["function_covered"],
            j["function_total"]};
}

Numbers dlcov_numbers(const json& j) {
    return {j["lines"]["covered"], j["lines"]["total"], j["branches"]["covered"], j["branches"]["total"],
            j["functions"]["covered"], j["functions"]["total"]};
}

// Every file and the total, equal; returns the total.
Numbers require_equal_to_gcovr(const json& gcovr, const json& dlcov) {
    std::map<std::string, Numbers> expected, actual;
    for (const json& f : gcovr["files"]) {
        fs::path name = f["filename"].get<std::string>();
        if (name.is_relative()) name = fs::path(gcovr["root"].get<std::string>()) / name;
        expected[name.lexically_normal().string()] = gcovr_numbers(f);
    }
    for (const json& f : dlcov["files"]) actual[f["path"].get<std::string>()] = dlcov_numbers(f);
    for (const auto& [path, numbers] : expected) {
        INFO(path);
        REQUIRE(actual.count(path));
        CHECK(text(actual.at(path)) == text(numbers));
    }
    CHECK(actual.size() == expected.size());
    CHECK(text(dlcov_numbers(dlcov["total"])) == text(gcovr_numbers(gcovr)));
    return dlcov_numbers(dlcov["total"]);
}

std::vector<std::string> process_folders(const std::string& runs) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(runs)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

CoverageTally total_of(const gcov::GcovLayer& layer, const CoverageCounts& counts) {
    CoverageTally t;
    for (size_t f = 0; f < layer.layout().files.size(); ++f) t += summarize_file(layer.layout(), f, counts);
    return t;
}

}  // namespace

TEST_CASE("dlcov measure of gcc --coverage objects equals gcovr --json-summary, per file and in total", "[gcov]") {
    for (const std::string optimization : {"-O0", "-O2"}) {
        INFO("compiled with " << optimization);
        Program p = compile_program("gcov-contract" + optimization, optimization);

        run_both_ways(p, 0);
        json gcovr_first = gcovr_summary(p);
        Numbers first = require_equal_to_gcovr(gcovr_first, dlcov_measure(p, p.runs));
        // The data files next to the notes, added up by the program's own runs, count the same.
        require_equal_to_gcovr(gcovr_first, dlcov_measure(p, p.objects));

        for (int mode : {1, 3, 7}) run_both_ways(p, mode);
        json gcovr_all = gcovr_summary(p);
        Numbers all = require_equal_to_gcovr(gcovr_all, dlcov_measure(p, p.runs));
        require_equal_to_gcovr(gcovr_all, dlcov_measure(p, p.objects));
        CHECK(process_folders(p.runs).size() == 4);
        // The runs covered more, and gcovr's line total itself grew: lines that look like no code
        // count only once they ran (accumulate<double>'s closing brace in main.cpp, at -O0).
        CHECK(all.lines_covered > first.lines_covered);
        CHECK(all.branches_covered > first.branches_covered);
        if (optimization == "-O0") CHECK(all.lines > first.lines);
    }
}

TEST_CASE("a gcov running total folded one process at a time equals reading every data file at once", "[gcov]") {
    Program p = compile_program("gcov-total", "-O0");
    for (int mode : {0, 1, 3, 7}) run_both_ways(p, mode);
    gcov::GcovLayer layer({p.objects}, p.dir);
    std::vector<std::string> folders = process_folders(p.runs);
    REQUIRE(folders.size() == 4);
    for (const auto& folder : folders) CHECK(layer.recognises(folder));

    std::string total = p.dir + "/trial/" + layer.total_name();
    layer.start_total(total);
    CHECK(layer.read_total(total).counts.lines == CoverageCounts::zeros(layer.layout()).lines);
    for (const auto& folder : folders) {
        LayerFold fold = layer.fold(total, {folder});
        CHECK(fold.folded == std::vector<std::string>{folder});  // the process's folder, as one profile
        CHECK(fold.skipped.empty());
    }
    CHECK_FALSE(fs::exists(total + ".partial"));
    LayerReading from_total = layer.read_total(total);
    LayerReading at_once = layer.read(folders);
    CHECK(from_total.counts.lines == at_once.counts.lines);
    CHECK(from_total.counts.branches == at_once.counts.branches);
    CHECK(from_total.counts.functions == at_once.counts.functions);
    // And both are the program's own sum, the data files next to the notes.
    LayerReading own = layer.read({p.objects});
    CHECK(at_once.counts.lines == own.counts.lines);
    CHECK(at_once.counts.branches == own.counts.branches);
    CHECK(total_of(layer, from_total.counts).lines.covered == total_of(layer, own.counts).lines.covered);
    // A total's data files are profiles a trial's folder is measured with; a fold's unfinished one is not.
    CHECK(layer.recognises(total + "/x/main.gcda"));
    CHECK_FALSE(layer.recognises(total + ".partial/x/main.gcda"));
}

TEST_CASE("gcov data files that are cut short or of another compile are skipped with their process folder", "[gcov]") {
    Program p = compile_program("gcov-skipped", "-O0");
    run_both_ways(p, 1);
    gcov::GcovLayer layer({p.objects}, p.dir);
    std::string good = process_folders(p.runs).front();
    std::vector<std::string> good_files;
    for (const auto& e : fs::recursive_directory_iterator(good))
        if (e.is_regular_file()) good_files.push_back(e.path().string());
    REQUIRE(good_files.size() == 2);  // main.gcda and library.gcda

    // A process killed while writing: its data file cut short.
    fs::path cut = fs::path(p.runs) / "cut-1.gcda.d";
    fs::create_directories(cut);
    for (const auto& f : good_files) fs::copy_file(f, cut / fs::path(f).filename());
    std::string text = read_file((cut / "main.gcda").string());
    write_file((cut / "main.gcda").string(), text.substr(0, text.size() / 2));

    // Wherever a kill cuts a data file (libgcov writes through stdio: often between two records),
    // what is left is refused.
    std::string whole = read_file(good_files.front());
    std::string prefix = p.dir + "/prefix.gcda";
    CHECK_NOTHROW(gcov::check_data_file(good_files.front()));
    for (size_t n = 0; n < whole.size(); n += 4) {
        INFO("cut at byte " << n << " of " << whole.size());
        write_file(prefix, whole.substr(0, n));
        CHECK_THROWS_AS(gcov::check_data_file(prefix), UserError);
    }

    // The same object compiled again: another stamp.
    Program other = compile_program("gcov-skipped-other", "-O0");
    run_both_ways(other, 1);
    fs::path stale = fs::path(p.runs) / "stale-2.gcda.d";
    fs::create_directories(stale);
    for (const auto& e : fs::recursive_directory_iterator(other.runs))
        if (e.is_regular_file()) fs::copy_file(e.path(), stale / e.path().filename());

    std::string total = p.dir + "/trial/" + layer.total_name();
    layer.start_total(total);
    LayerFold fold = layer.fold(total, {good, cut.string(), stale.string()});
    CHECK(fold.folded == std::vector<std::string>{good});
    REQUIRE(fold.skipped.size() == 2);
    std::map<std::string, std::string> reasons;
    for (const auto& s : fold.skipped) reasons[s.path] = s.reason;
    CHECK_THAT(reasons[cut.string()], Catch::Contains("cut short"));
    CHECK_THAT(reasons[stale.string()], Catch::Contains("another compile"));
    // The total holds the good process alone.
    CHECK(layer.read_total(total).counts.lines == layer.read({good}).counts.lines);

    // Measuring a folder of them reads the good files and names the bad ones.
    LayerReading r = layer.read({p.runs});
    CHECK(r.read.size() == 3);     // the good process's two, and the cut process's whole library.gcda
    CHECK(r.skipped.size() == 3);  // its cut main.gcda, and both stale files
}
