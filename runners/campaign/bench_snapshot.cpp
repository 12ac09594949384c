// dlcov-bench-snapshot: what one snapshot costs as a trial grows. Folds copies of one raw
// profile into a trial's running total in batches and times each snapshot (fold + measure),
// printing a line per snapshot with the number of profiles folded so far.
//   dlcov-bench-snapshot --build BUILD_DIR --profile RAW.profraw --batch 10 --snapshots 100
#include "build_manifest.h"
#include "campaign_folder.h"
#include "elapsed.h"
#include "running_coverage.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    std::string build_dir, profile, work = "/tmp/dlcov-bench-snapshot";
    int batch = 10, snapshots = 100;
    CLI::App app{"Times coverage snapshots of a growing trial (fold + measure)", "dlcov-bench-snapshot"};
    app.add_option("--build", build_dir, "instrumented build folder (build.json)")->required();
    app.add_option("--profile", profile, "a raw profile written by the build's executor")->required()->check(CLI::ExistingFile);
    app.add_option("--batch", batch, "raw profiles written between two snapshots")->capture_default_str();
    app.add_option("--snapshots", snapshots, "snapshots to take")->capture_default_str();
    app.add_option("--work", work, "scratch trial folder (emptied first)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        dlcov::BuildManifest build = dlcov::load_manifest(build_dir);
        fs::remove_all(work);
        dlcov::RunningCoverage coverage(build, work, false);
        std::string profile_dir = dlcov::TrialFolder(work).profile_dir();
        std::cout << "snapshot,profiles_so_far,fold_seconds,measure_seconds,total_seconds\n";
        for (int s = 1; s <= snapshots; ++s) {
            // Named like the runners' profiles; fold(true) takes them all, as at the end of a trial.
            for (int i = 0; i < batch; ++i)
                fs::copy_file(profile, fmt::format("{}/bench{}-{}-999999999-0.profraw", profile_dir, s, i));
            auto start = std::chrono::steady_clock::now();
            dlcov::RunningCoverage::Fold fold = coverage.fold(true);
            auto measured = std::chrono::steady_clock::now();
            auto tallies = coverage.measure();
            double measure = dlcov::seconds_since(measured);
            double total = dlcov::seconds_since(start);
            std::cout << fmt::format("{},{},{:.4f},{:.4f},{:.4f}\n", s, coverage.profiles_so_far(), fold.seconds, measure, total)
                      << std::flush;
            if (tallies["overall"].lines.covered == 0) throw std::runtime_error("the profile covers nothing in this build");
        }
    } catch (const std::exception& e) {
        std::cerr << "dlcov-bench-snapshot: " << e.what() << "\n";
        return 1;
    }
}
