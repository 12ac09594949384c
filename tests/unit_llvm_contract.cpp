// The correctness contract: for the same objects and profiles, dlcov's per-file and total line,
// branch and function numbers equal `llvm-cov report`'s. Checked on a fixture the test compiles
// itself: a program and a shared library sharing a header, templates, never-called functions,
// a switch, exceptions, a macro with a branch, and a process that aborts.
#include "llvm_contract_fixture.h"
#include "llvm_cov_report.h"
#include "llvm_library_reading.h"
#include "decoded_mapping.h"
#include "layout_alignment.h"
#include "measurement.h"
#include "profile_reading.h"
#include "raw_profile_sum.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

const ReferenceRow& reference_for(const ReferenceReport& ref, const std::string& path) {
    for (const auto& [name, row] : ref.files)
        if (path == name || (path.size() > name.size() && path.compare(path.size() - name.size(), name.size(), name) == 0 &&
                             path[path.size() - name.size() - 1] == '/'))
            return row;
    throw std::runtime_error("llvm-cov report has no row for " + path);
}

void require_equal(const CoverageTally& t, const ReferenceRow& r) {
    CHECK(t.lines.total == r.lines);
    CHECK(t.lines.total - t.lines.covered == r.missed_lines);
    CHECK(t.branches.total == r.branches);
    CHECK(t.branches.total - t.branches.covered == r.missed_branches);
    CHECK(t.functions.total == r.functions);
    CHECK(t.functions.total - t.functions.covered == r.missed_functions);
}

CoverageTally tally_from_json(const nlohmann::json& j) {
    CoverageTally t;
    t.lines = {j["lines"]["covered"], j["lines"]["total"]};
    t.branches = {j["branches"]["covered"], j["branches"]["total"]};
    t.functions = {j["functions"]["covered"], j["functions"]["total"]};
    return t;
}

}  // namespace

TEST_CASE("the fixture produced a profile per object and process, the aborting one included") {
    const ContractFixture& f = contract_fixture();
    // 5 processes x 2 objects (program and library each write their own with %m).
    REQUIRE(f.profiles.size() == 10);
}

TEST_CASE("dlcov measure equals llvm-cov report per file and in total") {
    const ContractFixture& f = contract_fixture();
    ReferenceReport ref = llvm_cov_report({f.program, f.library}, f.profiles, f.dir);
    std::string json_path = f.dir + "/measure.json";
    auto r = run_command(std::string(DLCOV_EXE) + " measure --objects " + f.program + " " + f.library +
                         " --profiles " + f.dir + "/profiles --files --json " + json_path);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(read_file(json_path));
    REQUIRE(j["files"].size() == ref.files.size());
    for (const auto& file : j["files"]) {
        INFO(file["path"]);
        require_equal(tally_from_json(file), reference_for(ref, file["path"]));
    }
    require_equal(tally_from_json(j["total"]), ref.total);
    // The numbers are not trivially zero or full: the fixture has both covered and missed code.
    CHECK(j["total"]["lines"]["covered"] > 0);
    CHECK(j["total"]["lines"]["covered"] < j["total"]["lines"]["total"]);
    CHECK(j["total"]["branches"]["covered"] > 0);
    CHECK(j["total"]["functions"]["covered"] < j["total"]["functions"]["total"]);
}

TEST_CASE("an aborted process keeps its coverage in continuous mode") {
    const ContractFixture& f = contract_fixture();
    // Only mode 3 reaches the catch block in main.cpp's guarded(); the same process then dies on
    // an uncaught exception from the library, so the line is covered only if its counters survived.
    ProfileCoverage all = measure_profiles({f.program, f.library}, {f.dir + "/profiles"});
    const auto& layout = all.coverage.layout;
    bool catch_line_covered = false;
    for (size_t i = 0; i < layout.files.size(); ++i) {
        if (fs::path(layout.files[i].path).filename() != "main.cpp") continue;
        for (const auto& fn : layout.files[i].functions)
            for (const auto& inst : fn.instantiations)
                for (size_t k = inst.first_line; k < inst.first_line + inst.line_count; ++k)
                    if (layout.line_numbers[k] == 23 && all.coverage.counts.lines[k] > 0) catch_line_covered = true;
    }
    CHECK(catch_line_covered);
}

TEST_CASE("a truncated or foreign profile is named, skipped, and the rest is measured") {
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("contract-bad-profiles");
    std::vector<std::string> good;
    for (size_t i = 0; i < f.profiles.size(); ++i) {
        std::string copy = dir + "/" + fs::path(f.profiles[i]).filename().string();
        fs::copy_file(f.profiles[i], copy);
        if (i == 0) fs::resize_file(copy, 1000);  // truncated mid-header
        else good.push_back(copy);
    }
    // A raw profile claiming a newer format version, as LLVM 17 writes.
    std::string foreign = read_file(good.front());
    foreign[8] = 9;
    write_file(dir + "/zz-foreign.profraw", foreign);

    std::string json_path = dir + "/measure.json";
    auto r = run_command(std::string(DLCOV_EXE) + " measure --objects " + f.program + " " + f.library +
                         " --profiles " + dir + " --json " + json_path);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("skipped profile " + dir + "/" + fs::path(f.profiles[0]).filename().string()));
    CHECK_THAT(r.output, Catch::Contains("zz-foreign.profraw: raw profile format version 9"));
    CHECK_THAT(r.output, Catch::Contains("LLVM 14"));

    ReferenceReport ref = llvm_cov_report({f.program, f.library}, good, dir);
    auto j = nlohmann::json::parse(read_file(json_path));
    require_equal(tally_from_json(j["total"]), ref.total);
    CHECK(j["profiles"]["skipped"].size() == 2);

    auto strict = run_command(std::string(DLCOV_EXE) + " measure --strict --objects " + f.program + " --profiles " + dir);
    CHECK(strict.exit_code == 2);
    CHECK_THAT(strict.output, Catch::Contains("could not be read"));
}

TEST_CASE("union of two runs' coverage equals coverage of their merged profiles") {
    const ContractFixture& f = contract_fixture();
    std::vector<std::string> first(f.profiles.begin(), f.profiles.begin() + 4);
    std::vector<std::string> second(f.profiles.begin() + 4, f.profiles.end());
    std::vector<std::string> objects = {f.program, f.library};
    ProfileCoverage a = measure_profiles(objects, first);
    ProfileCoverage b = measure_profiles(objects, second);
    ProfileCoverage both = measure_profiles(objects, f.profiles);
    REQUIRE(a.coverage.layout.fingerprint() == both.coverage.layout.fingerprint());

    const auto& layout = both.coverage.layout;
    FileAssignment all = assign_files(layout, nullptr, "");
    CoverageCounts united = unite(a.coverage.counts, b.coverage.counts);
    Measurement expected = summarize(layout, both.coverage.counts, all);
    Measurement got = summarize(layout, united, all);
    CHECK(got.total.lines.covered == expected.total.lines.covered);
    CHECK(got.total.branches.covered == expected.total.branches.covered);
    CHECK(got.total.functions.covered == expected.total.functions.covered);

    // What only one side covers plus what both cover is what either covers.
    CoverageCounts only_a = subtract(a.coverage.counts, b.coverage.counts);
    CoverageCounts only_b = subtract(b.coverage.counts, a.coverage.counts);
    CoverageCounts common = intersect(a.coverage.counts, b.coverage.counts);
    auto covered = [](const std::vector<uint64_t>& v) { return std::count_if(v.begin(), v.end(), [](uint64_t c) { return c > 0; }); };
    CHECK(covered(only_a.lines) + covered(only_b.lines) + covered(common.lines) == covered(united.lines));
    CHECK(covered(only_a.lines) + covered(common.lines) == covered(a.coverage.counts.lines));
}

TEST_CASE("measure explains bad arguments") {
    auto r = run_command(std::string(DLCOV_EXE) + " measure --objects /nonexistent/bin --profiles /tmp");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("/nonexistent/bin: no such object file"));
    auto n = run_command(std::string(DLCOV_EXE) + " measure --objects " + contract_fixture().program + " --profiles /nonexistent/p");
    CHECK(n.exit_code == 2);
    CHECK_THAT(n.output, Catch::Contains("/nonexistent/p"));
}

TEST_CASE("measure refuses a --root that does not exist and warns about one with no instrumented file") {
    const ContractFixture& f = contract_fixture();
    std::string measure = std::string(DLCOV_EXE) + " measure --objects " + f.program + " --profiles " + f.dir + "/profiles";
    auto missing = run_command(measure + " --root /nonexistent");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("--root /nonexistent: no such folder"));

    std::string elsewhere = scratch_dir("contract-empty-root");
    auto empty = run_command(measure + " --root " + elsewhere);
    CHECK(empty.exit_code == 0);
    CHECK_THAT(empty.output, Catch::Contains("warning: none of the objects'") && Catch::Contains("lies under --root " + elsewhere));

    // A relative root is the folder it names; the fixture's sources lie under it.
    std::string src = std::string(DLCOV_SOURCE_DIR) + "/tests/fixtures/contract";
    auto relative = run_command("cd " + src + "/.. && " + measure + " --root contract/");
    CHECK(relative.exit_code == 0);
    CHECK_THAT(relative.output, !Catch::Contains("warning"));
}

TEST_CASE("a profile of another program or another build is named in a warning") {
    std::string dir = scratch_dir("contract-foreign-binary");
    std::string flags = "clang++-14 -O0 -fprofile-instr-generate -fcoverage-mapping ";
    // Version 1 and 2 of one program (f's code changed, main's not), and another program.
    write_file(dir + "/v1.cpp", "int f(int x) { if (x > 1) return 1; return 0; }\nint main(int argc, char**) { return f(argc); }\n");
    write_file(dir + "/v2.cpp",
               "int f(int x) { for (int i = 0; i < x; ++i) if (i == 3) return 1; return 0; }\n"
               "int main(int argc, char**) { return f(argc); }\n");
    write_file(dir + "/other.cpp",
               "int g(int x) { while (x > 1) x /= 2; return x; }\n"
               "int main(int argc, char**) { int s = 0; for (int i = 0; i < argc; ++i) s += g(i); return s > 100; }\n");
    for (std::string name : {"v1", "v2", "other"}) {
        auto c = run_command(flags + dir + "/" + name + ".cpp -o " + dir + "/" + name);
        REQUIRE(c.exit_code == 0);
        run_command("LLVM_PROFILE_FILE=" + dir + "/" + name + ".profraw " + dir + "/" + name);
        REQUIRE(fs::exists(dir + "/" + name + ".profraw"));
    }
    std::string measure = std::string(DLCOV_EXE) + " measure --objects " + dir + "/v2 --profiles ";
    auto own = run_command(measure + dir + "/v2.profraw");
    INFO(own.output);
    CHECK(own.exit_code == 0);
    CHECK_THAT(own.output, !Catch::Contains("warning"));

    auto old_build = run_command(measure + dir + "/v2.profraw " + dir + "/v1.profraw");
    INFO(old_build.output);
    CHECK(old_build.exit_code == 0);
    CHECK_THAT(old_build.output, Catch::Contains("warning: " + dir + "/v1.profraw: 1 of its 2 function(s) have the objects' "
                                                 "names but other code"));
    CHECK_THAT(old_build.output, !Catch::Contains(dir + "/v2.profraw:"));

    auto other = run_command(measure + dir + "/other.profraw");
    INFO(other.output);
    CHECK(other.exit_code == 0);
    CHECK_THAT(other.output, Catch::Contains("warning: " + dir + "/other.profraw: none of its 2 function(s) is one of the objects'"));
}

TEST_CASE("counts that come out negative (counters that lost increments) are named in a warning") {
    std::string dir = scratch_dir("contract-negative-counts");
    // pick's false side is derived: the function's count minus the true side's. A profile whose
    // true side counts more than the function (what lost increments under threads leave) makes
    // it negative, which LLVM 14 hands over as 2^64 - 4: covered, though it never ran.
    write_file(dir + "/pick.cpp", "int pick(int x) {\n    if (x) return 1;\n    return 0;\n}\n"
                                  "int main(int argc, char**) { return pick(argc - 1); }\n");
    must_run("clang++-14 -O0 -fprofile-instr-generate -fcoverage-mapping " + dir + "/pick.cpp -o " + dir + "/pick");
    must_run("LLVM_PROFILE_FILE=" + dir + "/pick.profraw " + dir + "/pick");
    must_run("llvm-profdata-14 merge --text -o " + dir + "/pick.proftext " + dir + "/pick.profraw");
    std::string text = read_file(dir + "/pick.proftext");
    // pick's counters: the function's 1, the true side's 0 (run with no argument).
    std::string counters = "# Counter Values:\n1\n0\n";
    REQUIRE(text.find(counters) != std::string::npos);
    text.replace(text.find(counters), counters.size(), "# Counter Values:\n1\n5\n");
    write_file(dir + "/lost.proftext", text);
    must_run("llvm-profdata-14 merge -o " + dir + "/lost.profdata " + dir + "/lost.proftext");

    std::string measure = std::string(DLCOV_EXE) + " measure --objects " + dir + "/pick --profiles ";
    auto exact = run_command(measure + dir + "/pick.profraw");
    INFO(exact.output);
    CHECK(exact.exit_code == 0);
    CHECK_THAT(exact.output, !Catch::Contains("negative"));
    auto lost = run_command(measure + dir + "/lost.profdata");
    INFO(lost.output);
    CHECK(lost.exit_code == 0);
    CHECK_THAT(lost.output, Catch::Contains("warning: ") && Catch::Contains("count(s) came out negative") &&
                                Catch::Contains("-fprofile-update=atomic"));
}

TEST_CASE("raw profiles of one binary are summed into one, with the counts llvm-profdata merge gives") {
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("contract-raw-sum");
    // A truncated copy is not summed: it goes to the profiles LLVM reads (and names) one by one.
    std::string truncated = dir + "/truncated.profraw";
    write_file(truncated, read_file(f.profiles[0]).substr(0, 200));
    std::vector<std::string> inputs = f.profiles;
    inputs.push_back(truncated);
    // Two copies of a damaged header: 8 bytes taken from the padding after the counters and
    // 2^64 - 8 added to the padding before them. The sizes still add up (mod 2^64) to the file's,
    // but the counters would start 8 bytes early, inside the function records: such a file is
    // not summed (the two copies would otherwise form a group of their own).
    std::string damaged = read_file(f.profiles[0]);
    auto add_to_word = [&](size_t offset, uint64_t delta) {
        uint64_t word;
        std::memcpy(&word, damaged.data() + offset, sizeof word);
        word += delta;
        std::memcpy(damaged.data() + offset, &word, sizeof word);
    };
    add_to_word(32, uint64_t(0) - 8);  // PaddingBytesBeforeCounters
    add_to_word(48, 8);                // PaddingBytesAfterCounters
    std::vector<std::string> damaged_copies = {dir + "/damaged-1.profraw", dir + "/damaged-2.profraw"};
    for (const auto& d : damaged_copies) {
        write_file(d, damaged);
        inputs.push_back(d);
    }

    RawProfileSums sums = sum_raw_profiles(inputs, dir);
    REQUIRE(sums.groups.size() == 2);  // the program's five and the library's five
    CHECK(sums.groups[0].members.size() == 5);
    CHECK(sums.groups[1].members.size() == 5);
    CHECK(sums.others == std::vector<std::string>{truncated, damaged_copies[0], damaged_copies[1]});

    // Every function's counters in the summed profiles equal llvm-profdata's merge of the ten.
    auto r = run_command("llvm-profdata-14 merge -o " + dir + "/ref.profdata " + [&] {
        std::string all;
        for (const auto& p : f.profiles) all += " " + p;
        return all;
    }());
    REQUIRE(r.exit_code == 0);
    auto show = [&](const std::vector<std::string>& files) {
        std::string args;
        for (const auto& p : files) args += " " + p;
        run_command("llvm-profdata-14 merge -o " + dir + "/mine.profdata" + args);
        return run_command("llvm-profdata-14 show --all-functions --counts " + dir + "/mine.profdata").output;
    };
    std::string reference = run_command("llvm-profdata-14 show --all-functions --counts " + dir + "/ref.profdata").output;
    CHECK(show({sums.groups[0].summed_path, sums.groups[1].summed_path}) == reference);
    CHECK_THAT(reference, Catch::Contains("Function count"));
}

TEST_CASE("raw profiles summed on several threads come out as one thread sums them") {
    // 80 copies of the ten profiles and a truncated file in the middle: enough for the work to be
    // split into runs (one per core, 32 profiles at least each), with groups that span the runs.
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("contract-raw-sum-threads");
    std::vector<std::string> inputs;
    for (int copy = 0; copy < 8; ++copy) {
        for (size_t i = 0; i < f.profiles.size(); ++i) {
            std::string to = dir + "/copy" + std::to_string(copy) + "-" + std::to_string(i) + ".profraw";
            write_file(to, read_file(f.profiles[i]));
            inputs.push_back(to);
        }
        if (copy == 3) {
            inputs.push_back(dir + "/copy3-truncated.profraw");
            write_file(inputs.back(), read_file(f.profiles[0]).substr(0, 200));
        }
    }
    RawProfileSums sums = sum_raw_profiles(inputs, dir);
    REQUIRE(sums.groups.size() == 2);
    CHECK(sums.others == std::vector<std::string>{dir + "/copy3-truncated.profraw"});
    // Each group's members in input order: the binary's profile of every copy.
    for (const auto& g : sums.groups) {
        REQUIRE(g.members.size() == 40);
        CHECK(std::is_sorted(g.members.begin(), g.members.end(), [&](const std::string& a, const std::string& b) {
            return std::find(inputs.begin(), inputs.end(), a) < std::find(inputs.begin(), inputs.end(), b);
        }));
    }
    CHECK(sums.groups[0].members.front() == inputs[0]);
    // The sums equal llvm-profdata's merge of all 80.
    auto merged_counts = [&](const std::vector<std::string>& files, const std::string& name) {
        std::string args;
        for (const auto& p : files) args += " " + p;
        REQUIRE(run_command("llvm-profdata-14 merge -o " + dir + "/" + name + args).exit_code == 0);
        return run_command("llvm-profdata-14 show --all-functions --counts " + dir + "/" + name).output;
    };
    std::vector<std::string> raw(inputs);
    raw.erase(std::remove(raw.begin(), raw.end(), dir + "/copy3-truncated.profraw"), raw.end());
    std::string reference = merged_counts(raw, "ref.profdata");
    CHECK(merged_counts({sums.groups[0].summed_path, sums.groups[1].summed_path}, "mine.profdata") == reference);
    CHECK_THAT(reference, Catch::Contains("Function count"));
}

TEST_CASE("a decoded mapping read with one profile after another gives what decoding the objects each time gives") {
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("contract-decoded");
    std::vector<std::string> objects = {f.program, f.library};
    std::shared_ptr<const DecodedMapping> decoded = DecodedMapping::shared(objects);
    CHECK(DecodedMapping::shared(objects) == decoded);  // one per process while in use
    CHECK(decoded->record_count() > 0);
    CHECK(decoded->function_keys().size() <= decoded->record_count());

    // Each run's profiles on their own, then all of them: each reading of the one decoded mapping
    // equals a reading that decodes the objects afresh.
    std::vector<std::vector<std::string>> sets = {{f.profiles[0], f.profiles[1]}, {f.profiles[2], f.profiles[3]}, f.profiles};
    for (size_t i = 0; i < sets.size(); ++i) {
        std::string merged = dir + "/set" + std::to_string(i) + ".profdata";
        REQUIRE(merge_profiles(sets[i], merged).skipped.empty());
        LlvmCoverage reused = read_llvm_coverage(*decoded, merged);
        LlvmCoverage fresh = read_llvm_coverage(objects, merged);
        CHECK(reused.layout.fingerprint() == fresh.layout.fingerprint());
        CHECK(reused.counts.lines == fresh.counts.lines);
        CHECK(reused.counts.branches == fresh.counts.branches);
        CHECK(reused.counts.functions == fresh.counts.functions);
        CHECK(std::any_of(reused.counts.lines.begin(), reused.counts.lines.end(), [](uint64_t c) { return c > 0; }));
    }

    // An object rebuilt in place (another modification time) is decoded again.
    std::string copy = dir + "/libfixture-copy.so";
    fs::copy_file(f.library, copy, fs::copy_options::overwrite_existing);
    auto before = DecodedMapping::shared({f.program, copy});
    fs::last_write_time(copy, fs::last_write_time(copy) + std::chrono::seconds(5));
    CHECK(DecodedMapping::shared({f.program, copy}) != before);

    CHECK_THROWS_WITH(DecodedMapping({dir + "/set0.profdata"}), Catch::Contains("cannot read coverage mapping of"));
}

TEST_CASE("dlcov's evaluation of a decoded mapping equals the reading through LLVM's library, item by item") {
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("contract-evaluation");
    // Profiles of each run alone, of all runs, none that ran (the layout profile), and, for the
    // library alone or with the program, functions the profile lacks or has with other code.
    std::vector<std::vector<std::string>> sets = {{f.profiles[0]}, {f.profiles[1]}, {f.profiles[2]}, f.profiles};
    std::vector<std::string> merged;
    for (size_t i = 0; i < sets.size(); ++i) {
        merged.push_back(dir + "/set" + std::to_string(i) + ".profdata");
        REQUIRE(merge_profiles(sets[i], merged.back()).skipped.empty());
    }
    merged.push_back(dir + "/layout.profdata");
    merge_profiles_zeroed(f.profiles, merged.back());
    std::string other = dir + "/other.profdata";  // the program's counts under other hashes
    auto text = run_command("llvm-profdata-14 merge --text -o " + dir + "/all.proftext " + merged[3]);
    REQUIRE(text.exit_code == 0);
    std::string edited, line;
    std::istringstream in(read_file(dir + "/all.proftext"));
    bool hash_next = false;  // the line after "# Func Hash:" is a function's hash: make it another
    while (std::getline(in, line)) {
        if (hash_next) line = std::to_string(std::stoull(line) + 1);
        hash_next = line == "# Func Hash:";
        edited += line + "\n";
    }
    write_file(dir + "/other.proftext", edited);
    REQUIRE(run_command("llvm-profdata-14 merge -o " + other + " " + dir + "/other.proftext").exit_code == 0);
    merged.push_back(other);

    size_t compared = 0, split_readings = 0;
    for (const auto& objects : std::vector<std::vector<std::string>>{{f.program, f.library}, {f.library}, {f.program}}) {
        DecodedMapping decoded(objects);
        for (const auto& profile : merged) {
            INFO(objects.size() << " object(s), " << profile);
            LlvmCoverage mine = read_llvm_coverage(decoded, profile);
            LlvmCoverage llvm = read_with_llvm_library(objects, profile);
            CHECK(first_difference(mine, llvm) == "");
            CHECK(mine.layout.fingerprint() == llvm.layout.fingerprint());
            CHECK(mine.counts.lines == llvm.counts.lines);
            CHECK(mine.counts.branches == llvm.counts.branches);
            CHECK(mine.counts.functions == llvm.counts.functions);
            compared += !llvm.layout.line_numbers.empty();
            // Read in two halves of its files on two threads (as framework-scale readings are):
            // the same reading, items numbered on across the halves.
            LlvmCoverage halves = read_llvm_coverage(decoded, profile, /*halves_from=*/2);
            CHECK(first_difference(halves, llvm) == "");
            CHECK(halves.layout.fingerprint() == llvm.layout.fingerprint());
            CHECK(halves.counts.lines == llvm.counts.lines);
            CHECK(halves.counts.branches == llvm.counts.branches);
            CHECK(halves.counts.functions == llvm.counts.functions);
            CHECK(halves.hash_mismatches == llvm.hash_mismatches);
            size_t files_with_functions = size_t(std::count_if(llvm.layout.files.begin(), llvm.layout.files.end(),
                                                               [](const SourceFile& s) { return !s.functions.empty(); }));
            split_readings += files_with_functions >= 2;
        }
    }
    // Every reading has lines but the library's alone with the edited profile, all of whose
    // functions mismatch: that one is empty.
    CHECK(compared == 17);
    CHECK(split_readings >= 6);  // readings with two files of functions: the halves really are two
    CHECK(read_with_llvm_library({f.program, f.library}, other).hash_mismatches > 0);
}

TEST_CASE("moving a reading onto a layout of the same structure keeps every count") {
    // (The case where the structures differ needs LLVM 14's blank-line quirk, which tiny-dnn shows:
    // tests/tinydnn_layout.cpp.)
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("contract-alignment");
    std::string layout_profile = dir + "/layout.profdata";
    merge_profiles_zeroed(f.profiles, layout_profile);
    std::vector<std::string> objects = {f.program, f.library};
    LlvmCoverage layout = read_llvm_coverage(objects, layout_profile);
    ProfileCoverage ran = measure_profiles(objects, f.profiles, layout_profile);
    REQUIRE(layout.layout.fingerprint() == ran.coverage.layout.fingerprint());
    for (auto c : layout.counts.lines) REQUIRE(c == 0);

    CoverageCounts aligned = align_to_layout(ran.coverage, layout.layout);
    CHECK(aligned.lines == ran.coverage.counts.lines);
    CHECK(aligned.branches == ran.coverage.counts.branches);
    CHECK(aligned.functions == ran.coverage.counts.functions);

    // A reading of other objects is refused, not misaligned.
    LlvmCoverage program_only = read_llvm_coverage({f.program}, layout_profile);
    CHECK_THROWS_WITH(align_to_layout(ran.coverage, program_only.layout), Catch::Contains("does not match the build's"));
}
