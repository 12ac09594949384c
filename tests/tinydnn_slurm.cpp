// Campaigns through a real Slurm (executor: slurm, runners/campaign/slurm_executor.h): a
// single-node cluster on loopback (munged, slurmctld, slurmd from Debian's slurm-wlm, a config
// written under the test's folder by tests/fixtures/slurm/start-slurm) runs short tiny-dnn
// campaigns. The same campaign gives the same Table 6 through Slurm as run locally; a task
// killed with scancel is marked cancelled and its trial goes on in a new task from its last
// snapshot; a head `dlcov run` killed with SIGKILL and started again follows the tasks still
// running, and every trial finishes exactly once. The daemons are stopped at the end, also when
// the test fails (SlurmCluster's destructor); a cluster that does not come up fails the test with
// the daemons' own log lines.
#include "campaign_folder.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;
using Clock = std::chrono::steady_clock;

namespace {

// A TCP port of loopback nothing listens on now (the kernel's choice).
int free_port() {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    close(s);
    return ntohs(a.sin_port);
}

bool alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

// The single-node cluster, for as long as it lives.
class SlurmCluster {
public:
    explicit SlurmCluster(const std::string& dir) : dir_(dir) {
        int ctld = free_port(), slurmd = free_port();
        while (slurmd == ctld) slurmd = free_port();
        CommandResult r = run_command(shell_quote(std::string(DLCOV_SOURCE_DIR) + "/tests/fixtures/slurm/start-slurm") + " " +
                                      shell_quote(dir) + " " + std::to_string(ctld) + " " + std::to_string(slurmd) + " 2");
        setenv("SLURM_CONF", (dir + "/etc/slurm.conf").c_str(), 1);
        if (r.exit_code != 0) {
            stop();
            FAIL("Slurm did not come up:\n" << r.output);
        }
    }
    ~SlurmCluster() { stop(); }
    SlurmCluster(const SlurmCluster&) = delete;
    SlurmCluster& operator=(const SlurmCluster&) = delete;

    std::string squeue() const { return run_command("squeue --noheader --array --states=all --format='%i|%T|%j'").output; }

private:
    void stop() {
        // Jobs first, so that slurmd has no job processes left to wait for.
        run_command("scancel --user=root 2>/dev/null");
        auto jobs_end = Clock::now() + std::chrono::seconds(40);
        while (Clock::now() < jobs_end &&
               run_command("squeue --noheader --states=RUNNING,COMPLETING,CONFIGURING 2>/dev/null").output.size() > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        std::vector<pid_t> pids;
        for (const char* name : {"slurmd", "slurmctld", "munged"}) {
            std::ifstream in(dir_ + "/run/" + name + ".pid");
            long pid = 0;
            if (in >> pid && pid > 0) pids.push_back(pid_t(pid));
        }
        for (pid_t pid : pids) kill(pid, SIGTERM);
        auto deadline = Clock::now() + std::chrono::seconds(10);
        for (pid_t pid : pids) {
            while (alive(pid) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (alive(pid)) kill(pid, SIGKILL);  // slurmd may wait for a job's processes
        }
        unsetenv("SLURM_CONF");
    }
    std::string dir_;
};

std::string campaign_file(const std::string& path, const std::string& name, const std::string& executor,
                          const std::string& runners) {
    write_file(path, "name: " + name + "\n"
                     "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml\n"
                     "random_seed: 7\n"
                     "snapshot_interval: 2\n"
                     "jobs: 2\n"
                     "executor: " + executor + "\n"
                     "runners:\n" + runners);
    return path;
}

std::string runner(const std::string& file, int trials, int budget, const std::string& options = "") {
    return "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/" + file + "\n"
           "    trials: " + std::to_string(trials) + "\n"
           "    budget: " + std::to_string(budget) + "\n" + (options.empty() ? "" : "    options: " + options + "\n");
}

std::vector<std::string> run_args(const std::string& campaign, const std::string& results) {
    return {DLCOV_EXE, "run", campaign, "--results-dir", results, "--builds-dir", DLCOV_TEST_BUILDS_DIR};
}

// Table 6 of a campaign folder as `dlcov report` writes it (summary.json): per tester and for their
// union, per component and in total, what was covered of what total.
std::map<std::string, std::string> table6(const std::string& campaign_dir) {
    must_run(std::string(DLCOV_EXE) + " report " + shell_quote(campaign_dir));
    nlohmann::json summary = nlohmann::json::parse(read_file(CampaignFolder(campaign_dir).summary_json_path()));
    std::map<std::string, std::string> rows;
    for (const auto& [tester, row] : summary.at("testers").items()) {
        for (const auto& [component, c] : row.at("components").items()) rows[tester + "/" + component] = c.dump();
        rows[tester + "/total"] = row.at("total").dump();
    }
    for (const auto& [component, c] : summary.at("components").items()) rows["union/" + component] = c.dump();
    rows["union/total"] = summary.at("total").dump();
    return rows;
}

// Waits up to `seconds` for `ready`; fails the test with `what` when it does not come.
template <class Ready>
void wait_for(int seconds, const std::string& what, Ready ready) {
    auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (!ready()) {
        if (Clock::now() > deadline) FAIL("waited " << seconds << " s for " << what);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
}

}  // namespace

TEST_CASE("campaigns run through a real single-node Slurm", "[slurm]") {
    std::string work = scratch_dir("tinydnn-slurm");
    SlurmCluster cluster(work + "/cluster");
    std::string results = work + "/results";

    SECTION("the same Table 6 as the same campaign run locally") {
        // Deterministic for a seed: CRADLE runs every seed model on both backends, LEMON stops
        // after max_mutants mutants (budgets counted in executions; the time budgets are not reached).
        std::string runners = runner("cradle.yaml", 2, 300) + runner("lemon-style.yaml", 2, 300, "{max_mutants: 3}");
        std::string local = campaign_file(work + "/local.yaml", "same-local", "local", runners);
        std::string slurm = campaign_file(work + "/slurm.yaml", "same-slurm", "slurm", runners);
        int code = wait_exit_code(spawn_logged(run_args(local, results), work + "/local.log"));
        INFO(read_file(work + "/local.log"));
        REQUIRE(code == 0);
        code = wait_exit_code(spawn_logged(run_args(slurm, results), work + "/slurm.log"));
        std::string said = read_file(work + "/slurm.log");
        INFO(said << "\nsqueue:\n" << cluster.squeue());
        REQUIRE(code == 0);
        CHECK_THAT(said, Contains("submitted 4 trial(s) to Slurm as job"));
        CHECK_THAT(said, Contains("snapshot: lemon-style trial 2 at"));
        std::string dir = results + "/same-slurm";
        CHECK(query_store(dir, "SELECT runner, trial, status, runs FROM trials") ==
              std::vector<std::string>{"cradle|1|finished|1", "cradle|2|finished|1", "lemon-style|1|finished|1",
                                       "lemon-style|2|finished|1"});
        CHECK(query_store(dir, "SELECT COUNT(*), COUNT(DISTINCT trial || runner) FROM trial_jobs WHERE state = 'finished'") ==
              std::vector<std::string>{"4|4"});
        // Executions and snapshots came over from the nodes.
        CHECK(query_store(dir, "SELECT COUNT(*) FROM executions WHERE runner = 'cradle'") ==
              query_store(results + "/same-local", "SELECT COUNT(*) FROM executions WHERE runner = 'cradle'"));
        CHECK(std::stoi(query_store(dir, "SELECT COUNT(DISTINCT elapsed) FROM snapshots WHERE runner = 'cradle' AND trial = 1")[0]) >= 2);
        std::map<std::string, std::string> here = table6(results + "/same-local"), there = table6(dir);
        REQUIRE(here.size() == 18);  // 2 testers and their union x (5 components + total)
        CHECK(nlohmann::json::parse(here["union/total"]).at("lines").at("covered").get<int>() > 1000);
        CHECK(there == here);
    }

    SECTION("a task killed with scancel is marked cancelled and its trial goes on in a new task") {
        std::string campaign = campaign_file(work + "/cancel.yaml", "cancel", "slurm", runner("audee-style.yaml", 1, 24));
        pid_t head = spawn_logged(run_args(campaign, results), work + "/cancel.log");
        std::string dir = results + "/cancel";
        TrialFolder trial = CampaignFolder(dir).trial("audee-style", 1);
        // Cancelled once it has handed over a snapshot with executions.
        wait_for(120, "a snapshot of the trial copied to the shared folder", [&] {
            return fs::exists(trial.store_copy_path()) && fs::exists(trial.events_path()) &&
                   read_file(trial.events_path()).find("\"execution\"") != std::string::npos;
        });
        std::string first = query_store(dir, "SELECT job FROM trial_jobs")[0];
        must_run("scancel " + first);
        int code = wait_exit_code(head);
        std::string said = read_file(work + "/cancel.log");
        INFO(said << "\nsqueue:\n" << cluster.squeue());
        REQUIRE(code == 0);
        CHECK_THAT(said, Contains("task " + first + " cancelled; its trial goes on from its last snapshot in a new task"));
        std::vector<std::string> jobs = query_store(dir, "SELECT job, state FROM trial_jobs ORDER BY rowid");
        REQUIRE(jobs.size() == 2);
        CHECK(jobs[0] == first + "|cancelled");
        CHECK(jobs[1].substr(jobs[1].find('|')) == "|finished");
        // The second task resumed the trial (run 2, its own seed and work folder), after the first's snapshots.
        CHECK(query_store(dir, "SELECT status, runs FROM trials") == std::vector<std::string>{"finished|2"});
        CHECK(fs::is_directory(trial.work_dir(2)));
        CHECK(std::stod(query_store(dir, "SELECT MAX(elapsed) FROM snapshots")[0]) >= 20);
        CHECK(query_store(dir, "SELECT COUNT(*) = COUNT(DISTINCT id || artifact || backend) FROM executions") ==
              std::vector<std::string>{"1"});
    }

    SECTION("a head killed with SIGKILL and started again ends with every trial finished exactly once") {
        std::string campaign =
            campaign_file(work + "/kill.yaml", "kill", "slurm", runner("audee-style.yaml", 2, 16) + runner("cradle.yaml", 1, 120));
        std::string dir = results + "/kill";
        pid_t head = spawn_logged(run_args(campaign, results), work + "/kill1.log");
        wait_for(120, "two tasks running", [&] {
            return fs::exists(CampaignFolder(dir).store_path()) &&
                   query_store(dir, "SELECT COUNT(*) FROM trial_jobs WHERE state = 'running'")[0] == "2";
        });
        REQUIRE(kill(head, SIGKILL) == 0);
        CHECK(wait_exit_code(head) == 128 + SIGKILL);
        // The tasks go on without their head.
        CHECK_THAT(cluster.squeue(), Contains("RUNNING"));
        int code = wait_exit_code(spawn_logged(run_args(campaign, results), work + "/kill2.log"));
        std::string said = read_file(work + "/kill2.log");
        INFO(read_file(work + "/kill1.log") << "\n--- again:\n" << said << "\nsqueue:\n" << cluster.squeue());
        REQUIRE(code == 0);
        CHECK_THAT(said, Contains("following 3 trial(s) already submitted to Slurm"));
        CHECK(query_store(dir, "SELECT runner, trial, status, runs FROM trials") ==
              std::vector<std::string>{"audee-style|1|finished|1", "audee-style|2|finished|1", "cradle|1|finished|1"});
        // One task per trial, each finished: none ran twice.
        CHECK(query_store(dir, "SELECT runner, trial, state FROM trial_jobs ORDER BY runner, trial") ==
              std::vector<std::string>{"audee-style|1|finished", "audee-style|2|finished", "cradle|1|finished"});
        size_t findings = 0;
        for (const auto& t : std::vector<std::pair<std::string, int>>{{"audee-style", 1}, {"audee-style", 2}, {"cradle", 1}}) {
            TrialFolder trial = CampaignFolder(dir).trial(t.first, t.second);
            nlohmann::json status = nlohmann::json::parse(read_file(trial.task_status_path()));
            CHECK(status.at("status") == "finished");
            // The shared events file names the shared folder, not the node's scratch folder (gone now).
            std::string events = read_file(trial.events_path()), node_dir = status.at("node_dir");
            INFO(trial.events_path() << " after the node's " << node_dir);
            CHECK(events.find(node_dir) == std::string::npos);
            for (size_t at = events.find("\"event\":\"finding\""); at != std::string::npos;
                 at = events.find("\"event\":\"finding\"", at + 1))
                ++findings;
            if (events.find("\"event\":\"finding\"") != std::string::npos)
                CHECK_THAT(events, Contains(" " + trial.dir() + "/"));  // a replay command's model
        }
        CHECK(findings > 0);  // Audee-style's seeds give NaN outputs: findings with replay commands
    }
}
