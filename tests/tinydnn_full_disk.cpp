// Campaigns on the real instrumented tiny-dnn whose files cannot be written or read: a results
// folder on a filesystem that fills up while the trial runs (a small tmpfs, mounted in a mount
// namespace of this test process's own), and a running total damaged while the campaign was
// stopped. Each stops or restarts with a message naming the file, and the campaign resumes to
// its end.
#include "campaign_folder.h"
#include "campaign_store.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;

namespace {

// A campaign of one audee-style trial on tiny-dnn (its tester writes models as it goes, its
// executions write raw profiles), results under `results_dir`.
std::string write_audee_campaign(const std::string& dir, const std::string& name, int budget, int interval) {
    std::string path = dir + "/" + name + ".yaml";
    write_file(path, "name: " + name + "\n"
                     "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
                     "random_seed: 3\n"
                     "snapshot_interval: " + std::to_string(interval) + "\n"
                     "runners:\n"
                     "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/audee-style.yaml\n"
                     "    trials: 1\n"
                     "    budget: " + std::to_string(budget) + "\n");
    return path;
}

std::vector<std::string> dlcov_run(const std::string& campaign, const std::string& results_dir) {
    return {DLCOV_EXE, "run", campaign, "--results-dir", results_dir, "--builds-dir", DLCOV_TEST_BUILDS_DIR};
}

// A tmpfs of `megabytes` at `dir`, seen by this process and the children it starts from now on
// (a mount namespace of its own: nothing outside the test sees it), unmounted when destroyed.
class SmallFilesystem {
public:
    SmallFilesystem(const std::string& dir, int megabytes) : dir_(dir) {
        fs::create_directories(dir);
        // Root (as CI runs) gets a mount namespace; anyone else a user namespace with one.
        if (unshare(CLONE_NEWNS) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            FAIL("cannot make a mount namespace for a small filesystem (needs root or user namespaces): "
                 << std::strerror(errno));
        REQUIRE(mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
        std::string options = "size=" + std::to_string(megabytes) + "m";
        INFO(std::strerror(errno));
        REQUIRE(mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0);
    }
    ~SmallFilesystem() { umount2(dir_.c_str(), MNT_DETACH); }

    // Writes `path` until the filesystem has no space left.
    static void fill(const std::string& path) {
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        REQUIRE(fd >= 0);
        static char block[1 << 20];
        while (write(fd, block, sizeof block) > 0) {
        }
        int error = errno;
        close(fd);
        REQUIRE(error == ENOSPC);
    }

private:
    std::string dir_;
};

}  // namespace

TEST_CASE("a campaign whose filesystem fills up stops naming the file, and resumes to its end once space is freed",
          "[campaign]") {
    std::string work = scratch_dir("tinydnn-full-disk");
    // Room for what the trial writes between two snapshots (raw profiles of ~2 MB each, folded
    // and removed at each snapshot) once the filler is gone.
    SmallFilesystem disk(work + "/disk", 1024);
    std::string campaign = write_audee_campaign(work, "full", 30, 3);
    std::string results = work + "/disk/results/full";
    TrialFolder trial = CampaignFolder(results).trial("audee-style", 1);

    // The disk fills up while the tester runs.
    std::string log = work + "/run1.log";
    pid_t pid = spawn_logged(dlcov_run(campaign, work + "/disk/results"), log);
    wait_for_execution_lines(trial.events_path(), 6);
    SmallFilesystem::fill(work + "/disk/filler");
    int code = wait_exit_code(pid);
    std::string output = read_file(log);
    INFO(output);
    CHECK(code == 2);  // an error for the user (tools/dlcov.cpp), not an abort
    CHECK_THAT(output, !Contains("terminate called"));
    CHECK_THAT(output, Contains("No space left on device") || Contains("database or disk is full"));
    // The message names the file that could not be written, in the campaign's folder.
    CHECK(std::regex_search(output, std::regex(std::regex_replace(results, std::regex("[.]"), "\\.") + "/[^ :]+: ")));
    CHECK_THAT(output, Contains("resume it with: dlcov run " + campaign));
    // What was written before is whole: the store, and the running total.
    CHECK(query_store(results, "PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    CHECK(query_store(results, "SELECT status FROM trials")[0] != "finished");
    must_run("llvm-profdata-14 show " + shell_quote(trial.profile_dir() + "/coverage.profdata") + " > /dev/null");
    CHECK_FALSE(fs::exists(trial.profile_dir() + "/coverage.profdata.partial"));

    // Space is freed: the trial resumes and the campaign ends.
    fs::remove(work + "/disk/filler");
    std::string log2 = work + "/run2.log";
    code = wait_exit_code(spawn_logged(dlcov_run(campaign, work + "/disk/results"), log2));
    std::string resumed = read_file(log2);
    INFO(resumed);
    REQUIRE(code == 0);
    CHECK_THAT(resumed, Contains("resumed at"));
    CHECK(query_store(results, "SELECT status, runs FROM trials") == std::vector<std::string>{"finished|2"});
    CHECK(nlohmann::json::parse(read_file(CampaignFolder(results).record_path())).at("status") == "finished");
    std::vector<Snapshot> series = read_snapshots(CampaignFolder(results));  // one trial's, by time
    REQUIRE(series.size() >= 3);
    CHECK(series.back().coverage["overall"].lines.covered > series.front().coverage["overall"].lines.covered);
    check_coverage_never_decreases(series);
}

TEST_CASE("a resumed trial whose running total was damaged is named and starts again from the beginning",
          "[campaign]") {
    std::string work = scratch_dir("tinydnn-damaged-total");
    std::string campaign = write_audee_campaign(work, "damaged", 12, 2);
    std::string results = work + "/results/damaged";
    TrialFolder trial = CampaignFolder(results).trial("audee-style", 1);

    pid_t pid = spawn_logged(dlcov_run(campaign, work + "/results"), work + "/run1.log");
    wait_for_execution_lines(trial.events_path(), 6);
    REQUIRE(kill(pid, SIGINT) == 0);
    REQUIRE(wait_exit_code(pid) == 130);
    // Cut short outside dlcov (a copy that ran out of space, a crash of the machine).
    std::string total = trial.profile_dir() + "/coverage.profdata";
    uintmax_t cut = fs::file_size(total) / 2;
    fs::resize_file(total, cut);

    std::string log = work + "/run2.log";
    int code = wait_exit_code(spawn_logged(dlcov_run(campaign, work + "/results"), log));
    std::string output = read_file(log);
    INFO(output);
    REQUIRE(code == 0);
    CHECK_THAT(output, Contains("audee-style trial 1: its running total cannot be read (" + total + ": "));
    CHECK_THAT(output, Contains("the trial starts again from the beginning (what it had is kept in " + trial.dir() +
                                ".damaged)"));
    CHECK(fs::file_size(trial.dir() + ".damaged/profiles/coverage.profdata") == cut);
    // Started again: one run, its snapshots from 0 s, growing, all of this run's.
    CHECK(query_store(results, "SELECT status, runs FROM trials") == std::vector<std::string>{"finished|1"});
    CHECK(query_store(results, "SELECT MIN(elapsed) FROM snapshots") == std::vector<std::string>{"0.0"});
    std::vector<Snapshot> series = read_snapshots(CampaignFolder(results));
    REQUIRE(series.size() >= 3);
    check_coverage_never_decreases(series);
    must_run("llvm-profdata-14 show " + shell_quote(total) + " > /dev/null");
}
