#include "campaign_run.h"

#include "campaign_config.h"
#include "campaign_store.h"
#include "error.h"
#include "instrumenter.h"
#include "process.h"
#include "progress_display.h"
#include "running_coverage.h"
#include "trial_events.h"
#include "utc_time.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <future>
#include <mutex>
#include <ostream>
#include <sys/resource.h>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int signal) {
    g_stop_signal = signal;
    g_stop = true;
}

// SIGINT and SIGTERM ask the campaign to stop; the previous handlers come back afterwards.
class StopSignals {
public:
    StopSignals() {
        g_stop = false;
        g_stop_signal = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    ~StopSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {}, old_term_ {};
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double harness_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);  // the harness's threads only, not its children
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Written via a temporary file and a rename, so a reader never sees half a file.
void write_json(const fs::path& path, const nlohmann::json& j) {
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp);
        out << j.dump(2) << "\n";
        if (!out) throw UserError(tmp.string() + ": cannot write");
    }
    fs::rename(tmp, path);
}

// One trial as the scheduler sees it.
struct TrialJob {
    size_t runner_index = 0;
    int trial = 1;
    bool resume = false;  // continue an interrupted trial instead of starting afresh
    fs::path dir;

    // Progress, read by the scheduler's display.
    std::mutex mutex;
    bool running = false;
    double elapsed = 0;
    uint64_t executions = 0, findings = 0;
    double lines_percent = 0;

    std::atomic<bool> done{false};
    std::string error;  // why the trial could not run (the campaign stops)
    std::thread thread;
};

class CampaignRun {
public:
    CampaignRun(const RunOptions& options, const CampaignConfig& config, const BuildManifest& build, const fs::path& dir,
                CampaignStore& store, ProgressDisplay& display)
        : options_(options), config_(config), build_(build), dir_(dir), store_(store), display_(display) {}

    // Runs `jobs` (in order, `parallel` at once). Returns false when interrupted.
    bool run(std::deque<std::unique_ptr<TrialJob>>& jobs, int parallel);
    void write_campaign_json(const std::string& status, const std::string& started);

private:
    void run_trial(TrialJob& job);
    void take_snapshot(TrialJob& job, RunningCoverage& coverage, double elapsed, bool final);
    void follow_events(TrialJob& job, TrialEvents& events);
    std::vector<RunnerProgress> progress(const std::vector<TrialJob*>& all);

    const RunOptions& options_;
    const CampaignConfig& config_;
    const BuildManifest& build_;
    fs::path dir_;
    CampaignStore& store_;
    ProgressDisplay& display_;
};

void CampaignRun::follow_events(TrialJob& job, TrialEvents& events) {
    TrialEvents::Batch batch = events.read_new();
    const RunnerSpec& spec = config_.runners[job.runner_index];
    store_.add_events(spec.name, job.trial, batch.executions, batch.findings);
    std::lock_guard<std::mutex> lock(job.mutex);
    job.executions += batch.executions.size();
    job.findings += batch.findings.size();
}

void CampaignRun::take_snapshot(TrialJob& job, RunningCoverage& coverage, double elapsed, bool final) {
    const RunnerSpec& spec = config_.runners[job.runner_index];
    RunningCoverage::Fold fold = coverage.fold(final);
    if (fold.skipped)
        display_.message(fmt::format("  {} trial {}: {} unreadable raw profile(s) moved to {}/profiles-skipped/", spec.name,
                                     job.trial, fold.skipped, job.dir.string()));
    auto start = Clock::now();
    Snapshot snap;
    snap.runner = spec.name;
    snap.trial = job.trial;
    snap.elapsed_seconds = elapsed;
    {
        std::lock_guard<std::mutex> lock(job.mutex);
        snap.executions = job.executions;
    }
    snap.coverage = coverage.measure();
    SnapshotCost cost{fold.folded, coverage.profiles_so_far(), fold.seconds, seconds_since(start)};
    store_.add_snapshot(snap, cost);
    const Tally& lines = snap.coverage["overall"].lines;
    uint64_t findings;
    {
        std::lock_guard<std::mutex> lock(job.mutex);
        job.lines_percent = lines.percent();
        findings = job.findings;
    }
    display_.snapshot(fmt::format("snapshot: {} trial {} at {:.0f}/{:.0f} s: {} executions, lines {}/{} ({:.1f}%), {} findings "
                                  "({} profiles folded in {:.2f} s, measured in {:.2f} s)",
                                  spec.name, job.trial, elapsed, spec.budget_seconds, snap.executions, lines.covered,
                                  lines.total, lines.percent(), findings, fold.folded, fold.seconds, cost.measure_seconds));
}

void CampaignRun::run_trial(TrialJob& job) {
    const RunnerSpec& spec = config_.runners[job.runner_index];
    if (!job.resume) {
        fs::remove_all(job.dir);
        fs::create_directories(job.dir);
    }
    double offset = job.resume ? store_.last_snapshot_elapsed(spec.name, job.trial) : 0.0;
    store_.clear_trial_events(spec.name, job.trial);  // re-read from events.jsonl below
    store_.set_trial_status(spec.name, job.trial, "running");
    display_.message(fmt::format("run: {} trial {}/{} {}", spec.name, job.trial, spec.trials,
                                 job.resume ? fmt::format("resumed at {:.0f} s", offset) : std::string("started")));

    RunningCoverage coverage(build_, job.dir.string(), options_.keep_profiles);
    TrialEvents events(job.dir.string() + "/events.jsonl");
    follow_events(job, events);  // what a resumed trial did before

    std::unique_ptr<Runner> runner = make_runner(spec);
    TrialContext ctx{build_,
                     dir_.string(),
                     job.dir.string(),
                     job.trial,
                     config_.random_seed + unsigned(job.trial) - 1,
                     [this, &spec, &job](const std::string& line) {
                         display_.message(fmt::format("  {} trial {}: {}", spec.name, job.trial, line));
                     },
                     spec.budget_seconds - offset,
                     &g_stop};
    // Coverage over time starts at the origin: a snapshot before the tester starts (the build's
    // totals, nothing covered), so even a trial shorter than one interval has a curve.
    if (!job.resume) take_snapshot(job, coverage, 0.0, false);
    auto start = Clock::now();
    double tester_seconds = 0;
    {
        std::lock_guard<std::mutex> lock(job.mutex);
        job.running = true;
        job.elapsed = offset;
    }
    // Less than a second left: nothing worth starting the tester for.
    if (ctx.budget_seconds >= 1 && !g_stop) {
        std::future<void> tester = std::async(std::launch::async, [&] {
            auto t0 = Clock::now();
            runner->run_trial(ctx);
            tester_seconds = seconds_since(t0);
        });
        auto interval = std::chrono::milliseconds(long(config_.snapshot_interval * 1000));
        auto next_snapshot = start + interval;
        while (true) {
            auto wake = std::min(next_snapshot, Clock::now() + std::chrono::milliseconds(500));
            bool finished = tester.wait_until(wake) == std::future_status::ready;
            follow_events(job, events);
            {
                std::lock_guard<std::mutex> lock(job.mutex);
                job.elapsed = offset + seconds_since(start);
            }
            if (finished) break;
            if (Clock::now() >= next_snapshot) {
                take_snapshot(job, coverage, offset + seconds_since(start), false);
                next_snapshot = std::max(next_snapshot + interval, Clock::now() + interval / 2);
            }
        }
        tester.get();  // rethrows what the runner threw (e.g. a tester that cannot start)
    }
    follow_events(job, events);
    double elapsed = offset + seconds_since(start);
    take_snapshot(job, coverage, elapsed, true);

    TrialRecord record;
    record.runner = spec.name;
    record.trial = job.trial;
    record.status = g_stop ? "interrupted" : "finished";
    record.seconds = offset + seconds_since(start);  // with the final snapshot: the trial's whole slot
    record.tester_seconds = tester_seconds;
    {
        std::lock_guard<std::mutex> lock(job.mutex);
        record.executions = job.executions;
        record.findings = job.findings;
        job.running = false;
    }
    TrialResult result = read_trial_events(ctx.events_path());
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : result.findings) findings.push_back(to_json(f));
    write_json(job.dir / "findings.json", findings);
    write_json(job.dir / "trial.json", {{"trial", job.trial},
                                        {"dir", fs::relative(job.dir, dir_).generic_string()},
                                        {"status", record.status},
                                        {"executions", result.executions},
                                        {"failed_executions", result.failed_executions},
                                        {"findings", result.findings.size()},
                                        {"seconds", elapsed}});
    store_.finish_trial(record);
    display_.message(fmt::format("run: {} trial {} {}: {} executions, {} findings, {:.1f} s", spec.name, job.trial,
                                 record.status, result.executions, result.findings.size(), elapsed));
}

std::vector<RunnerProgress> CampaignRun::progress(const std::vector<TrialJob*>& all) {
    std::vector<RunnerProgress> out;
    std::vector<TrialRecord> stored = store_.trials();
    for (const auto& spec : config_.runners) {
        RunnerProgress p;
        p.name = spec.name;
        p.budget_seconds = spec.budget_seconds;
        p.trials = spec.trials;
        for (const auto& t : stored)
            if (t.runner == spec.name && t.status == "finished") ++p.done;
        out.push_back(p);
    }
    for (TrialJob* job : all) {
        RunnerProgress& p = out[job->runner_index];
        std::lock_guard<std::mutex> lock(job->mutex);
        p.executions += job->executions;
        p.findings += job->findings;
        p.lines_percent = std::max(p.lines_percent, job->lines_percent);
        if (job->running) ++p.running;
        p.elapsed = std::max(p.elapsed, job->elapsed);
    }
    return out;
}

bool CampaignRun::run(std::deque<std::unique_ptr<TrialJob>>& queue, int parallel) {
    std::vector<std::unique_ptr<TrialJob>> started;
    std::vector<TrialJob*> all;
    for (auto& j : queue) all.push_back(j.get());
    size_t running = 0;
    std::string first_error;
    auto last_redraw = Clock::now() - std::chrono::seconds(1);
    while (!queue.empty() || running > 0) {
        if (g_stop) {
            queue.clear();       // trials not started stay pending
            kill_descendants();  // again and again: a tester may be starting its next execution
        } else {
            while (!queue.empty() && running < size_t(parallel)) {
                std::unique_ptr<TrialJob> job = std::move(queue.front());
                queue.pop_front();
                TrialJob* j = job.get();
                j->thread = std::thread([this, j] {
                    try {
                        run_trial(*j);
                    } catch (const std::exception& e) {
                        j->error = e.what();
                        store_.set_trial_status(config_.runners[j->runner_index].name, j->trial, "interrupted");
                    }
                    j->done = true;
                });
                started.push_back(std::move(job));
                ++running;
            }
        }
        for (auto& job : started) {
            if (!job->done || !job->thread.joinable()) continue;
            job->thread.join();
            --running;
            if (!job->error.empty()) {
                display_.message(fmt::format("run: {} trial {} failed: {}", config_.runners[job->runner_index].name,
                                             job->trial, job->error));
                if (first_error.empty()) first_error = job->error;
                g_stop = true;  // a runner that cannot run is a configuration problem: stop all
            }
            write_campaign_json("running", "");
        }
        // The progress lines query the store: only worth it on a terminal.
        if (display_.live() && Clock::now() - last_redraw > std::chrono::milliseconds(500)) {
            display_.update(progress(all));
            last_redraw = Clock::now();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (display_.live()) display_.update(progress(all));
    display_.close();
    if (!first_error.empty()) throw UserError(first_error);
    return !g_stop;
}

void CampaignRun::write_campaign_json(const std::string& status, const std::string& started) {
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    nlohmann::json record;
    std::ifstream in(dir_ / "campaign.json");
    if (in) record = nlohmann::json::parse(in, nullptr, false);
    if (!record.is_object()) record = nlohmann::json::object();
    record["name"] = config_.name;
    record["config"] = config_.path;
    record["build"] = manifest_path(build_.build_dir());
    if (!started.empty()) record["started"] = started;
    record["status"] = status;
    if (status != "running") record["finished"] = utc_now_iso();
    record["runners"] = nlohmann::json::array();
    std::vector<TrialRecord> trials = store_.trials();
    for (const auto& spec : config_.runners) {
        nlohmann::json r = {{"name", spec.name},          {"style", spec.definition.style},
                            {"mode", spec.definition.mode}, {"runner_file", spec.definition.path},
                            {"budget", spec.budget_seconds}, {"trials", nlohmann::json::array()}};
        for (const auto& t : trials) {
            if (t.runner != spec.name || t.status == "pending") continue;
            fs::path trial_dir = dir_ / spec.name / ("trial-" + std::to_string(t.trial));
            nlohmann::json tj = nlohmann::json::parse(std::ifstream(trial_dir / "trial.json"), nullptr, false);
            if (tj.is_discarded() || !tj.is_object())
                tj = {{"trial", t.trial}, {"dir", fs::relative(trial_dir, dir_).generic_string()}, {"executions", t.executions},
                      {"failed_executions", 0}, {"findings", t.findings}, {"seconds", t.seconds}};
            tj["status"] = t.status;
            r["trials"].push_back(tj);
        }
        record["runners"].push_back(r);
    }
    write_json(dir_ / "campaign.json", record);
}

}  // namespace

std::string run_campaign(const RunOptions& options, std::ostream& out) {
    auto wall_start = Clock::now();
    double cpu_start = harness_cpu_seconds();
    CampaignConfig config = load_campaign(options.campaign_path);

    InstrumentOptions io;
    io.config_path = config.framework_config;
    io.builds_dir = options.builds_dir;
    BuildManifest build = instrument(io, out, out);

    std::string results_dir = !options.results_dir.empty() ? options.results_dir
                              : !config.results_dir.empty() ? config.results_dir
                                                            : "results";
    fs::path dir = fs::absolute(fs::path(results_dir) / config.name).lexically_normal();
    if (options.overwrite) fs::remove_all(dir);
    bool has_store = fs::exists(dir / "campaign.db");
    if (!has_store && fs::exists(dir / "campaign.json"))
        throw UserError(dir.string() + " already holds a campaign without a results store; pass --overwrite to replace it");
    fs::create_directories(dir);

    StopSignals signals;
    CampaignStore store(dir.string());
    if (has_store) {
        std::string recorded = store.recorded_config_hash();
        if (!recorded.empty() && recorded != config.content_hash)
            throw UserError(fmt::format("{} holds a campaign run from a different version of {}; pass --overwrite to start "
                                        "it over, or give the new version another name",
                                        dir.string(), config.path));
    }
    for (const auto& spec : config.runners)
        for (int t = 1; t <= spec.trials; ++t) store.add_trial(spec.name, t);

    std::deque<std::unique_ptr<TrialJob>> jobs;
    size_t finished_before = 0;
    for (const TrialRecord& t : store.trials()) {
        size_t index = 0;
        while (index < config.runners.size() && config.runners[index].name != t.runner) ++index;
        if (index == config.runners.size() || t.trial > config.runners[index].trials) continue;
        if (t.status == "finished") {
            ++finished_before;
            continue;
        }
        auto job = std::make_unique<TrialJob>();
        job->runner_index = index;
        job->trial = t.trial;
        job->resume = t.status == "running" || t.status == "interrupted";
        job->dir = dir / t.runner / ("trial-" + std::to_string(t.trial));
        jobs.push_back(std::move(job));
    }
    int parallel = options.jobs > 0 ? options.jobs : config.jobs > 0 ? config.jobs : int(std::thread::hardware_concurrency());
    parallel = std::max(1, parallel);
    if (has_store)
        out << fmt::format("run: resuming campaign {}: {} trial(s) finished, {} to run\n", config.name, finished_before,
                           jobs.size());

    ProgressDisplay display(out, options.live_progress);
    CampaignRun run(options, config, build, dir, store, display);
    if (jobs.empty()) {
        run.write_campaign_json("finished", "");
        out << fmt::format("run: campaign {} has finished all its trials; report it with `dlcov report {}`, or pass "
                           "--overwrite to run it again\n", config.name, dir.string());
        return dir.string();
    }
    store.begin_campaign(config.name, config.path, config.content_hash, manifest_path(build.build_dir()));
    run.write_campaign_json("running", utc_now_iso());

    // Setup (seed models ...) once per runner, before any trial.
    for (const auto& spec : config.runners) make_runner(spec)->setup(build, dir.string());

    bool completed = run.run(jobs, parallel);
    std::string status = completed ? "finished" : "interrupted";
    run.write_campaign_json(status, "");
    store.end_campaign(status, seconds_since(wall_start), harness_cpu_seconds() - cpu_start);
    if (!completed)
        throw CampaignInterrupted(fmt::format("campaign {} interrupted by signal {}; its finished snapshots are in {}/campaign.db. "
                                              "Resume it with: dlcov run {} --results-dir {}",
                                              config.name, g_stop_signal.load(), dir.string(), config.path,
                                              fs::absolute(results_dir).lexically_normal().string()));
    size_t findings = 0;
    for (const auto& t : store.trials()) findings += t.findings;
    out << fmt::format("run: campaign {} finished in {} ({} findings, {:.1f} s); next: dlcov report {}\n", config.name,
                       dir.string(), findings, seconds_since(wall_start), dir.string());
    return dir.string();
}

}  // namespace dlcov
