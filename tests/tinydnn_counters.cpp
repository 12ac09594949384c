// The instrumented tiny-dnn's counters under its own threads. tiny-dnn runs its kernels on
// std::async workers (util/parallel_for.h), so two threads increment the same counters, and
// LLVM's coverage mapping derives many counts by subtraction (the false side of a branch is the
// condition's count minus its true count). A lost increment makes such a count negative: LLVM
// reads it as a huge unsigned number, a branch side that never ran counts as covered, and it
// stops being covered once more executions are merged into the total (issue 11, item 8:
// snapshot series went down). The build's counters are atomic (instrument/README.md, "Atomic
// counters"); this test failed on every run of a build without -fprofile-update=atomic.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "profile_reading.h"
#include "running_coverage.h"
#include "test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

std::string executor() { return tinydnn_build_dir() + "/bin/dlcov-tinydnn-exec"; }

// "file:line (function)" of every line or branch side whose count is negative (above INT64_MAX
// as LLVM 14 returns it, unsigned).
std::vector<std::string> negative_counts(const LlvmCoverage& reading) {
    const uint64_t max = uint64_t(std::numeric_limits<int64_t>::max());
    std::vector<std::string> out;
    for (const SourceFile& file : reading.layout.files)
        for (const FunctionDefinition& definition : file.functions)
            for (const Instantiation& inst : definition.instantiations) {
                auto name = [&](const char* kind, unsigned line) {
                    return std::string(kind) + " " + fs::path(file.path).filename().string() + ":" +
                           std::to_string(line) + " (" + inst.name + ")";
                };
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i)
                    if (reading.counts.lines[i] > max) out.push_back(name("line", reading.layout.line_numbers[i]));
                for (size_t i = inst.first_branch; i < inst.first_branch + inst.branch_count; ++i)
                    if (reading.counts.branches[i] > max)
                        out.push_back(name(i % 2 ? "branch false side" : "branch true side", reading.layout.branch_lines[i]));
            }
    return out;
}

// How many lines, branch sides and functions `a` and `b` (of one layout) count differently.
size_t items_differing(const CoverageCounts& a, const CoverageCounts& b) {
    size_t n = 0;
    for (size_t i = 0; i < a.lines.size(); ++i) n += a.lines[i] != b.lines[i];
    for (size_t i = 0; i < a.branches.size(); ++i) n += a.branches[i] != b.branches[i];
    for (size_t i = 0; i < a.functions.size(); ++i) n += a.functions[i] != b.functions[i];
    return n;
}

}  // namespace

TEST_CASE("repeated multithreaded tiny-dnn runs count the same, nothing negative, and folding them never "
          "uncovers anything", "[counters]") {
    std::string work = scratch_dir("tinydnn-counters");
    must_run(shell_quote((fs::path(DLCOV_EXE).parent_path() / "dlcov-tinydnn-seeds").string()) + " --out " +
             shell_quote(work + "/seeds"));
    BuildManifest build = load_manifest(tinydnn_build_dir());
    // A trial folder's running total, folded and measured as a campaign's snapshots do.
    std::string trial = work + "/trial";
    RunningCoverage running(build, trial, false);
    std::string profiles = TrialFolder(trial).profile_dir();

    // The VGG-like seed trains on both threads: about 1 s per run. With plain (non-atomic)
    // counters nearly every run lost increments, and about every other run lost them so that a
    // count came out negative.
    const int runs = 10;
    std::vector<Snapshot> series;
    std::vector<std::string> negative;
    std::map<std::string, CoverageCounts> first_run;  // per backend
    std::vector<size_t> differing;                    // per run: items counted unlike its backend's first run
    for (int run = 0; run < runs; ++run) {
        std::string own = work + "/run-" + std::to_string(run);
        std::string backend = run % 2 ? "avx" : "internal";
        CommandResult r = run_command("cd " + shell_quote(work) + " && LLVM_PROFILE_FILE=" +
                                      shell_quote(own + "/run-%p-%m%c.profraw") + " " + shell_quote(executor()) +
                                      " --model seeds/vgg_like.model.json --input seeds/vgg_like.input.json"
                                      " --output out.json --train 2 --backend " + backend);
        INFO(r.output);
        REQUIRE((r.exit_code == 0 || r.exit_code == 3));  // 3: the trained net gave NaN, a finding
        std::vector<std::string> written = expand_profile_paths({own});
        REQUIRE(written.size() == 1);

        // This execution alone: nothing negative, and (the model, input and thread count being the
        // same) exactly the counts of the backend's first run: every increment was kept.
        LlvmCoverage alone = measure_profiles(build.objects, written, build.layout_profile).coverage;
        for (const std::string& where : negative_counts(alone))
            negative.push_back("run " + std::to_string(run) + " (" + backend + "): " + where);
        const CoverageCounts& first = first_run.emplace(backend, alone.counts).first->second;
        REQUIRE(first.lines.size() == alone.counts.lines.size());
        REQUIRE(first.branches.size() == alone.counts.branches.size());
        REQUIRE(first.functions.size() == alone.counts.functions.size());
        differing.push_back(items_differing(first, alone.counts));

        // Folded into the running total.
        fs::rename(written[0], profiles + "/" + fs::path(written[0]).filename().string());
        REQUIRE(running.fold(true).folded == 1);
        series.push_back(Snapshot{"executor", 1, double(run), uint64_t(run + 1), running.measure()});
    }
    std::ostringstream listed;
    for (size_t i = 0; i < negative.size() && i < 20; ++i) listed << negative[i] << "\n";
    INFO(negative.size() << " negative count(s), the first ones:\n" << listed.str());
    CHECK(negative.empty());
    std::ostringstream per_run;
    for (size_t d : differing) per_run << d << " ";
    INFO("items counted unlike the backend's first run, per run: " << per_run.str());
    CHECK(std::all_of(differing.begin(), differing.end(), [](size_t d) { return d == 0; }));
    check_coverage_never_decreases(series);
    CHECK(series.back().coverage.at("overall").branches.covered > 0);
}
