#include "test_support.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace dlcov::test {

CommandResult run_command(const std::string& command) {
    CommandResult result;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + command);
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
    int status = pclose(pipe);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
    return result;
}

CommandResult must_run(const std::string& command) {
    CommandResult r = run_command(command);
    INFO(command);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return r;
}

std::string scratch_dir(const std::string& name) {
    fs::path dir = fs::path(DLCOV_TEST_WORK_DIR) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

std::string tinydnn_build_dir() { return (fs::path(DLCOV_TEST_BUILDS_DIR) / "tinydnn").string(); }

std::string framework_build_dir(const std::string& name) { return (fs::path(DLCOV_TEST_BUILDS_DIR) / name).string(); }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace dlcov::test

// Coverage series (test_support.h).
#include <algorithm>
#include <map>

namespace dlcov::test {

void check_coverage_never_decreases(const std::vector<Snapshot>& snapshots) {
    std::map<std::pair<std::string, int>, std::vector<const Snapshot*>> by_trial;
    for (const Snapshot& s : snapshots) by_trial[{s.runner, s.trial}].push_back(&s);
    for (auto& [trial, series] : by_trial) {
        std::stable_sort(series.begin(), series.end(),
                         [](const Snapshot* a, const Snapshot* b) { return a->elapsed_seconds < b->elapsed_seconds; });
        for (size_t i = 1; i < series.size(); ++i) {
            const Snapshot& before = *series[i - 1];
            const Snapshot& now = *series[i];
            for (const auto& [component, was] : before.coverage) {
                auto is = now.coverage.find(component);
                INFO(trial.first << " trial " << trial.second << ", " << component << ", snapshots at "
                                 << before.elapsed_seconds << " s and " << now.elapsed_seconds << " s");
                REQUIRE(is != now.coverage.end());
                for (const TallyMetric& metric : kTallyMetrics) {
                    INFO(metric.name << " covered " << (was.*metric.member).covered << " then "
                                     << (is->second.*metric.member).covered);
                    CHECK((is->second.*metric.member).covered >= (was.*metric.member).covered);
                }
            }
        }
    }
}

}  // namespace dlcov::test
