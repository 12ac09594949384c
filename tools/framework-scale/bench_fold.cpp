// dlcov-bench-fold: a whole campaign's fold, timed. Raw profiles already written (a folder of
// them, in name order) arrive in batches into a trial's profile folder and are folded into its
// running total by the campaign's own code (RunningCoverage: fold, then measure the total), one
// snapshot per batch. Prints a CSV line per snapshot, then the final total's numbers.
//   dlcov-bench-fold --objects EXE LIB.so... --layout-profiles DIR --profiles DIR --batch 100
//                    --source-root SRC --work DIR
// The build's layout profile (instrument/layout_profile.h) is made here as `dlcov instrument`
// makes it: the profiles of one process that ran nothing, merged with counters zeroed.
#include "build_manifest.h"
#include "campaign_folder.h"
#include "elapsed.h"
#include "profile_merge.h"
#include "running_coverage.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sys/resource.h>

namespace fs = std::filesystem;

namespace {

// The process's resident memory now and at its peak, in MB (/proc/self/status).
std::pair<double, double> memory_mb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    double rss = 0, peak = 0, kb = 0;
    while (status >> key) {
        if (key == "VmRSS:" && status >> kb) rss = kb / 1024;
        else if (key == "VmHWM:" && status >> kb) peak = kb / 1024;
    }
    return {rss, peak};
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> objects;
    std::string layout_profiles, profiles, source_root, work = "/tmp/dlcov-bench-fold";
    size_t batch = 100;
    CLI::App app{"Times a campaign's fold of raw profiles into a running total, snapshot by snapshot",
                 "dlcov-bench-fold"};
    app.add_option("--objects", objects, "the instrumented executable and shared libraries")->required()->expected(1, -1);
    app.add_option("--layout-profiles", layout_profiles, "raw profiles of one process that ran nothing")
        ->required()->check(CLI::ExistingDirectory);
    app.add_option("--profiles", profiles, "folder of the raw profiles to fold, in name order")
        ->required()->check(CLI::ExistingDirectory);
    app.add_option("--batch", batch, "raw profiles that arrive between two snapshots")->capture_default_str();
    app.add_option("--source-root", source_root, "the program's source folder")->required();
    app.add_option("--work", work, "scratch trial folder (emptied first)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        if (batch == 0) throw std::runtime_error("--batch must be at least 1");
        fs::remove_all(work);
        fs::create_directories(work);
        dlcov::BuildManifest build;
        build.name = "framework-scale";
        build.mode = "llvm";
        build.objects = objects;
        build.source_root = source_root;
        build.layout_profile = work + "/layout.profdata";
        dlcov::MergeResult layout =
            dlcov::merge_profiles_zeroed(dlcov::expand_profile_paths({layout_profiles}), build.layout_profile);
        if (layout.merged.empty()) throw std::runtime_error(layout_profiles + ": no readable layout profile");

        std::vector<std::string> arriving = dlcov::expand_profile_paths({profiles});
        auto setup = std::chrono::steady_clock::now();
        dlcov::RunningCoverage coverage(build, work + "/trial", false);
        double setup_seconds = dlcov::seconds_since(setup);
        std::string profile_dir = dlcov::TrialFolder(work + "/trial").profile_dir();
        std::cout << fmt::format("# pipeline set-up (the build's layout read once per trial): {:.3f} s\n", setup_seconds);
        std::cout << "snapshot,profiles_so_far,fold_seconds,measure_seconds,total_seconds,rss_mb,peak_rss_mb\n";
        dlcov::CoverageTally overall;
        for (size_t start = 0, s = 1; start < arriving.size(); start += batch, ++s) {
            // Hard links: the fold removes what it folded, the originals stay for the reference tools.
            for (size_t i = start; i < std::min(arriving.size(), start + batch); ++i)
                fs::create_hard_link(arriving[i], fs::path(profile_dir) / fs::path(arriving[i]).filename());
            auto begin = std::chrono::steady_clock::now();
            dlcov::RunningCoverage::Fold fold = coverage.fold(true);
            auto measured = std::chrono::steady_clock::now();
            overall = coverage.measure()["overall"];
            double measure = dlcov::seconds_since(measured);
            double total = dlcov::seconds_since(begin);
            if (fold.skipped) throw std::runtime_error(fmt::format("{} profile(s) could not be read", fold.skipped));
            auto [rss, peak] = memory_mb();
            std::cout << fmt::format("{},{},{:.4f},{:.4f},{:.4f},{:.1f},{:.1f}\n", s, coverage.profiles_so_far(),
                                     fold.seconds, measure, total, rss, peak)
                      << std::flush;
        }
        std::cout << fmt::format("# total lines {}/{} branches {}/{} functions {}/{}\n", overall.lines.covered,
                                 overall.lines.total, overall.branches.covered, overall.branches.total,
                                 overall.functions.covered, overall.functions.total);
        fs::remove_all(work);
    } catch (const std::exception& e) {
        std::cerr << "dlcov-bench-fold: " << e.what() << "\n";
        return 1;
    }
}
