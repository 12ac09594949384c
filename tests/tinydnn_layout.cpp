// The build's layout profile: profiles of different objects of one build (the executor's and the
// API driver's) are read into the same layout, the one llvm-cov gives for all of them together.
#include "build_manifest.h"
#include "measurement.h"
#include "test_support.h"

#include <catch2/catch.hpp>

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
