// A trial's coverage so far, kept as one running indexed profile that raw profiles are folded
// into as the processes that wrote them end:
//
//   <trial>/profiles/coverage.profdata   the running total (what `dlcov report` reads)
//   <trial>/profiles/*.profraw           raw profiles not folded yet (processes still running)
//   <trial>/profiles-kept/*.profraw      folded raw profiles, with --keep-profiles
//   <trial>/profiles-skipped/*.profraw   raw profiles that could not be read, kept for inspection
//
// A snapshot costs in proportion to the raw profiles written since the last one: folding merges
// the running total (bounded by the framework's size, not the campaign's length) with the new
// raws, and measuring reads the objects with the running total. Both are the build's measurement
// pipeline's (measurement_pipeline.h), which reads the build's layout once per trial.
//
// Raw profile names carry the writer's pid (`<id>-<pid>-<signature>.profraw`, from the `%p-%m`
// patterns of the runners), and so do coverage.py's data files (`.coverage.<host>.<pid>.<random>`,
// written into the same folder by dlcov's hook through DLCOV_PYTHON_COVERAGE_DIR; their total is
// python-total.json), and the folders of gcc's data files GCOV_PREFIX names in mode gcov
// (`<id>-<pid>.gcda.d/`, a folder per process; their total is gcov-total/). With continuous mode a
// running process keeps writing into its file, and a
// Python process writes its data file while it ends, so only files whose process is gone are
// folded (and removed) while the trial runs; at the end of the trial everything is.
#pragma once
#include "build_manifest.h"
#include "coverage_model.h"
#include "measurement_pipeline.h"

#include <map>
#include <optional>
#include <string>

namespace dlcov {

class RunningCoverage {
public:
    RunningCoverage(const BuildManifest& build, std::string trial_dir, bool keep_profiles);

    struct Fold {
        size_t folded = 0;   // raw profiles merged into the running total
        size_t skipped = 0;  // unreadable ones, moved to profiles-skipped/
        double seconds = 0;
    };
    // Folds the raw profiles of processes that have ended; with `everything`, all of them.
    Fold fold(bool everything);

    // Coverage of the running total per component id and "overall". DamagedTotal (naming the
    // file) when the total cannot be read.
    ComponentTallies measure();

    // Why the running total of a resumed trial cannot be read ("" when it can): a file damaged
    // outside dlcov (its own writes leave the old total or the new one).
    std::string damage();
    // Starts the running total again from nothing run, in a trial folder emptied for that.
    void restart();

    size_t profiles_so_far() const { return profiles_so_far_; }

private:
    MeasurementPipeline pipeline_;
    std::string trial_dir_, profile_dir_;
    bool keep_profiles_;
    size_t profiles_so_far_ = 0;
};

// The pid in a raw profile's name (`...-<pid>-<signature>.profraw`), a coverage.py data file's
// (`.coverage.<host>.<pid>.<random>`), a gcov process folder's (`<id>-<pid>.gcda.d`) or a sancov
// profile's (`...-<pid>[.<n>].sancov`); nullopt when there is none.
std::optional<long> profile_writer_pid(const std::string& file_name);

}  // namespace dlcov
