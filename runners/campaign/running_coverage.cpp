#include "running_coverage.h"

#include "campaign_folder.h"
#include "elapsed.h"

#include <algorithm>
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
        fs::remove_all(from, ec);  // a gcov process's profile is a folder of .gcda files
        return;
    }
    fs::create_directories(folder, ec);
    fs::rename(from, fs::path(folder) / fs::path(from).filename(), ec);
}


}  // namespace

std::optional<long> profile_writer_pid(const std::string& file_name) {
    static const std::regex raw(R"(.*-([0-9]+)-[0-9A-Za-z_]+\.profraw)");
    // sancov: <id>-<pid>.sancov, or <id>-<pid>.<n>.sancov when the name was taken (an exec'd program).
    static const std::regex sancov(R"(.*-([0-9]+)(\.[0-9]+)?\.sancov)");
    // coverage.py's data_suffix: .coverage.<host>.<pid>.<random> (6.x: six digits, 7.x: X...x).
    static const std::regex coverage_py(R"(\.coverage\..+\.([0-9]+)\.[0-9A-Za-z]+)");
    // gcov mode: the folder GCOV_PREFIX names for one process, <id>-<pid>.gcda.d.
    static const std::regex gcda_folder(R"(.*-([0-9]+)\.gcda\.d)");
    std::smatch m;
    if (!std::regex_match(file_name, m, raw) && !std::regex_match(file_name, m, coverage_py) &&
        !std::regex_match(file_name, m, gcda_folder) && !std::regex_match(file_name, m, sancov))
        return std::nullopt;
    return std::stol(m[1]);
}

RunningCoverage::RunningCoverage(const BuildManifest& build, std::string trial_dir, bool keep_profiles)
    : pipeline_(build), trial_dir_(std::move(trial_dir)), profile_dir_(TrialFolder(trial_dir_).profile_dir()), keep_profiles_(keep_profiles) {
    pipeline_.start_total(profile_dir_);
}

RunningCoverage::Fold RunningCoverage::fold(bool everything) {
    auto start = std::chrono::steady_clock::now();
    Fold result;
    std::vector<std::string> ready;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(profile_dir_, ec)) {
        if (!pipeline_.recognises(entry.path().string()) || pipeline_.is_total(entry.path().string())) continue;
        std::optional<long> pid = profile_writer_pid(entry.path().filename().string());
        // A file without a pid in its name is folded at the end only: its writer may still run.
        if (everything || (pid && process_gone(*pid))) ready.push_back(entry.path().string());
    }
    if (ready.empty()) return result;
    std::sort(ready.begin(), ready.end());

    LayerFold fold = pipeline_.fold(profile_dir_, ready);
    for (const auto& path : fold.folded) {
        put_away(path, keep_profiles_ ? TrialFolder(trial_dir_).kept_profile_dir() : "");
        ++result.folded;
    }
    for (const auto& s : fold.skipped) {
        put_away(s.path, TrialFolder(trial_dir_).skipped_profile_dir());
        ++result.skipped;
    }
    profiles_so_far_ += result.folded;
    result.seconds = seconds_since(start);
    return result;
}

std::string RunningCoverage::damage() {
    try {
        measure();
        return "";
    } catch (const DamagedTotal& e) {
        return e.what();
    }
}

void RunningCoverage::restart() {
    pipeline_.start_total(profile_dir_);
    profiles_so_far_ = 0;
}

ComponentTallies RunningCoverage::measure() {
    // Counted on the build's layout, as `dlcov report` counts.
    return tallies_by_component_id(pipeline_.measure_total(profile_dir_).measurement);
}

}  // namespace dlcov
