// The build's layout profile: profiles of different objects of one build (the executor's and the
// API driver's) are read into the same layout, the one llvm-cov gives for all of them together.
#include "build_manifest.h"
#include "layout_alignment.h"
#include "llvm_library_reading.h"
#include "profile_merge.h"
#include "profile_reading.h"
#include "test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

using namespace dlcov;
using namespace dlcov::test;

namespace {

// Runs one object with --help and returns the folder holding its raw profile.
std::string profile_of_help_run(const std::string& object, const std::string& name) {
    std::string dir = scratch_dir("tinydnn-layout-" + name);
    run_command("LLVM_PROFILE_FILE=" + shell_quote(dir + "/%p%c.profraw") + " " + shell_quote(object) + " --help");
    return dir;
}

}  // namespace

TEST_CASE("profiles of different objects of a build share one layout with the layout profile") {
    BuildManifest build = load_manifest(tinydnn_build_dir());
    REQUIRE(build.objects.size() == 2);
    REQUIRE_FALSE(build.layout_profile.empty());
    std::string exec = profile_of_help_run(build.targets.at("dlcov-tinydnn-exec"), "exec");
    std::string api = profile_of_help_run(build.targets.at("dlcov-tinydnn-api"), "api");

    // Without it the layouts differ: inline functions one object never emitted are left out
    // or kept depending on which object's profile is present.
    ProfileCoverage exec_alone = measure_profiles(build.objects, {exec});
    ProfileCoverage api_alone = measure_profiles(build.objects, {api});
    CHECK(exec_alone.coverage.layout.fingerprint() != api_alone.coverage.layout.fingerprint());

    ProfileCoverage exec_laid = measure_profiles(build.objects, {exec}, build.layout_profile);
    ProfileCoverage api_laid = measure_profiles(build.objects, {api}, build.layout_profile);
    ProfileCoverage both = measure_profiles(build.objects, {exec, api});
    CHECK(exec_laid.coverage.layout.fingerprint() == api_laid.coverage.layout.fingerprint());
    CHECK(exec_laid.coverage.layout.fingerprint() == both.coverage.layout.fingerprint());
    // The layout profile adds no counts and is not reported as a measured profile.
    CHECK(exec_laid.merge.merged.size() == 1);
    CHECK(exec_laid.coverage.counts.lines.size() == both.coverage.counts.lines.size());
    uint64_t covered_alone = 0, covered_laid = 0;
    for (auto c : exec_alone.coverage.counts.functions) covered_alone += c > 0;
    for (auto c : exec_laid.coverage.counts.functions) covered_laid += c > 0;
    CHECK(covered_laid == covered_alone);
    CHECK(covered_laid > 0);
    // Placeholder records of never-emitted inline functions are not reported as mismatches.
    CHECK(both.coverage.hash_mismatches == 0);
}

TEST_CASE("blank lines LLVM stops counting once a function ran are moved onto the build's layout") {
    BuildManifest build = load_manifest(tinydnn_build_dir());
    // One API-level test that runs adam::update three times (optimizer.h: blank lines inside it).
    std::string dir = scratch_dir("tinydnn-layout-adam");
    write_file(dir + "/adam.json",
               R"({"api":"optimizer","name":"adam","history":[],)"
               R"("inputs":[{"samples":[[-0.883,0.43,-0.733,0.922,-0.621,0.36,-0.322,0.365]],"shape":[1,1,8]},)"
               R"({"samples":[[-0.732,0.641,-0.922,-0.731,0.362,-0.898,0.67,-0.175]],"shape":[1,1,8]}],)"
               R"("param_types":{"alpha":"float","b1":"float","b2":"float","steps":"uint"},)"
               R"("params":{"alpha":0.05,"b1":0.9,"b2":0.999,"steps":3}})");
    fs::create_directories(dir + "/profiles");
    auto run = run_command("LLVM_PROFILE_FILE=" + shell_quote(dir + "/profiles/%p%c.profraw") + " " +
                           shell_quote(build.targets.at("dlcov-tinydnn-api")) + " --test " + dir + "/adam.json --output " +
                           dir + "/out.json");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);

    LlvmCoverage layout = read_llvm_coverage(build.objects, build.layout_profile);
    ProfileCoverage ran = measure_profiles(build.objects, {dir + "/profiles"}, build.layout_profile);
    // Lines of adam::update (tiny_dnn/optimizers/optimizer.h) in a reading: line -> count.
    auto adam_lines = [](const CoverageLayout& l, const CoverageCounts& c) {
        std::map<unsigned, uint64_t> out;
        for (const auto& file : l.files)
            for (const auto& fn : file.functions)
                for (const auto& inst : fn.instantiations)
                    if (inst.name.rfind("_ZN8tiny_dnn4adam6update", 0) == 0)
                        for (size_t k = 0; k < inst.line_count; ++k) out[l.line_numbers[inst.first_line + k]] = c.lines[inst.first_line + k];
        return out;
    };
    auto before = adam_lines(layout.layout, layout.counts);
    auto after = adam_lines(ran.coverage.layout, ran.coverage.counts);
    REQUIRE_FALSE(before.empty());
    // LLVM 14 maps fewer lines of the function once it ran: the layouts differ.
    REQUIRE(after.size() < before.size());
    CHECK(layout.layout.fingerprint() != ran.coverage.layout.fingerprint());

    CoverageCounts aligned = align_to_layout(ran.coverage, layout.layout);
    auto moved = adam_lines(layout.layout, aligned);
    REQUIRE(moved.size() == before.size());
    for (const auto& [line, count] : moved) {
        INFO("optimizer.h line " << line);
        CHECK(count == 3);  // the blank lines sit between lines that ran three times
        if (after.count(line)) CHECK(after.at(line) == count);
    }
    // Functions and branches are moved as they are (instantiations may come in another order).
    auto covered = [](const std::vector<uint64_t>& v) { return std::count_if(v.begin(), v.end(), [](uint64_t c) { return c > 0; }); };
    CHECK(covered(aligned.functions) == covered(ran.coverage.counts.functions));
    CHECK(covered(aligned.branches) == covered(ran.coverage.counts.branches));
    CHECK(covered(aligned.functions) > 0);
}

TEST_CASE("dlcov's evaluation of tiny-dnn's coverage mappings equals the reading through LLVM's library") {
    // tiny-dnn has what the contract fixture lacks: regions skipped by the preprocessor, nested
    // macros, thousands of template instantiations across several objects.
    BuildManifest build = load_manifest(tinydnn_build_dir());
    std::string dir = scratch_dir("tinydnn-evaluation");
    std::vector<std::vector<std::string>> sets = {
        {build.layout_profile},
        {profile_of_help_run(build.targets.at("dlcov-tinydnn-api"), "evaluation-help")},
        {profile_of_help_run(build.targets.at("dlcov-tinydnn-api"), "evaluation-help2"), build.layout_profile}};
    DecodedMapping decoded(build.objects);
    for (size_t i = 0; i < sets.size(); ++i) {
        std::string merged = dir + "/set" + std::to_string(i) + ".profdata";
        REQUIRE(merge_profiles(expand_profile_paths(sets[i]), merged).skipped.empty());
        INFO("profile set " << i);
        LlvmCoverage mine = read_llvm_coverage(decoded, merged);
        LlvmCoverage llvm = read_with_llvm_library(build.objects, merged);
        CHECK(first_difference(mine, llvm) == "");
        CHECK(mine.counts.lines == llvm.counts.lines);
        CHECK(mine.counts.branches == llvm.counts.branches);
        CHECK(mine.counts.functions == llvm.counts.functions);
        CHECK(llvm.layout.line_numbers.size() > 10000);
        // tiny-dnn's ~3,400 records are below the threshold of two halves: forced here.
        LlvmCoverage halves = read_llvm_coverage(decoded, merged, /*halves_from=*/2);
        CHECK(first_difference(halves, llvm) == "");
        CHECK(halves.counts.lines == llvm.counts.lines);
        CHECK(halves.counts.branches == llvm.counts.branches);
        CHECK(halves.counts.functions == llvm.counts.functions);
    }
}
