#include "running_coverage.h"

#include "campaign_folder.h"
#include "error.h"
#include "layout_alignment.h"
#include "llvm_reader.h"
#include "profile_merge.h"

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <regex>
#include <signal.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

bool process_gone(long pid) { return kill(pid_t(pid), 0) != 0 && errno == ESRCH; }

// Moves `from` into `folder` (created on demand), or removes it when `folder` is "".
void put_away(const std::string& from, const std::string& folder) {
    std::error_code ec;
    if (folder.empty()) {
        fs::remove(from, ec);
        return;
    }
    fs::create_directories(folder, ec);
    fs::rename(from, fs::path(folder) / fs::path(from).filename(), ec);
}


}  // namespace

std::optional<long> profile_writer_pid(const std::string& file_name) {
    static const std::regex pattern(R"(.*-([0-9]+)-[0-9A-Za-z_]+\.profraw)");
    std::smatch m;
    if (!std::regex_match(file_name, m, pattern)) return std::nullopt;
    return std::stol(m[1]);
}

RunningCoverage::RunningCoverage(const BuildManifest& build, std::string trial_dir, bool keep_profiles)
    : build_(build), trial_dir_(std::move(trial_dir)), profile_dir_(TrialFolder(trial_dir_).profile_dir()),
      keep_profiles_(keep_profiles) {
    if (build.layout_profile.empty() || !fs::exists(build.layout_profile))
        throw UserError(build.build_dir() + " has no layout profile; run `dlcov instrument` again");
    std::optional<ComponentMap> map;
    if (!build.component_map.empty()) map = ComponentMap::load(build.component_map);
    layout_ = read_llvm_coverage(build.objects, build.layout_profile).layout;
    assignment_ = assign_files(layout_, map ? &*map : nullptr, build.source_root);
    fs::create_directories(profile_dir_);
    // The total starts as the build's layout profile (all functions, zero counts): every
    // snapshot reads the build's functions whatever the trial has run so far.
    if (!fs::exists(running_profile())) fs::copy_file(build.layout_profile, running_profile());
}

RunningCoverage::Fold RunningCoverage::fold(bool everything) {
    auto start = std::chrono::steady_clock::now();
    Fold result;
    std::vector<std::string> ready;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(profile_dir_, ec)) {
        if (entry.path().extension() != ".profraw") continue;
        std::optional<long> pid = profile_writer_pid(entry.path().filename().string());
        // A file without a pid in its name is folded at the end only: its writer may still run.
        if (everything || (pid && process_gone(*pid))) ready.push_back(entry.path().string());
    }
    if (ready.empty()) return result;
    std::sort(ready.begin(), ready.end());

    std::vector<std::string> inputs = ready;
    inputs.insert(inputs.begin(), running_profile());
    std::string partial = running_profile() + ".partial";  // not *.profdata: never read as a profile
    MergeResult merge = merge_profiles(inputs, partial);
    fs::rename(partial, running_profile());  // atomic: a killed harness leaves the old or the new total
    for (const auto& path : merge.merged) {
        if (path == running_profile()) continue;
        put_away(path, keep_profiles_ ? TrialFolder(trial_dir_).kept_profile_dir() : "");
        ++result.folded;
    }
    for (const auto& s : merge.skipped) {
        if (s.path == running_profile()) continue;
        put_away(s.path, TrialFolder(trial_dir_).skipped_profile_dir());
        ++result.skipped;
    }
    profiles_so_far_ += result.folded;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

ComponentTallies RunningCoverage::measure() {
    // Counted on the build's layout, as `dlcov report` counts (layout_alignment.h).
    LlvmCoverage coverage = read_llvm_coverage(build_.objects, running_profile());
    return tallies_by_component_id(summarize(layout_, align_to_layout(coverage, layout_), assignment_));
}

}  // namespace dlcov
