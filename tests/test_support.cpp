#include "test_support.h"

#include "campaign_folder.h"

#include <array>
#include <chrono>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <fcntl.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>

extern char** environ;

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

pid_t spawn_logged(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void wait_for_execution_lines(const std::string& path, size_t count) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    size_t lines = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        lines = 0;
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.value("event", "") == "execution") ++lines;
        }
        if (lines >= count) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL(lines << " of " << count << " executions in " << path << " after two minutes");
}

std::vector<std::string> query_store(const std::string& campaign_dir, const std::string& sql) {
    sqlite3* db = nullptr;
    std::string path = CampaignFolder(campaign_dir).store_path();
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    INFO(sql);
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    std::vector<std::string> rows;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::string row;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            const unsigned char* t = sqlite3_column_text(stmt, i);
            row += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
        }
        rows.push_back(row);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
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
