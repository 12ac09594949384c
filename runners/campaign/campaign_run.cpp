#include "campaign_run.h"

#include "campaign_config.h"
#include "campaign_files.h"
#include "campaign_folder.h"
#include "campaign_owner.h"
#include "campaign_store.h"
#include "campaign_trial.h"
#include "elapsed.h"
#include "error.h"
#include "instrumenter.h"
#include "process.h"
#include "slurm_executor.h"
#include "progress_display.h"
#include "stop_signals.h"
#include "trial_scheduler.h"
#include "utc_time.h"

#include <chrono>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <future>
#include <ostream>
#include <sys/resource.h>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {


// Empties the campaign folder for --overwrite, keeping the lock file this process holds: a
// removed lock file would let another `dlcov run` lock a new one beside it.
void remove_all_but_lock(const CampaignFolder& folder) {
    for (const auto& entry : fs::directory_iterator(folder.dir()))
        if (entry.path() != fs::path(folder.lock_path())) fs::remove_all(entry.path());
}

// Runs `body` (which may start child processes) on a thread of its own; while it runs, a stop
// signal kills every descendant, again and again, so a long child process cannot keep the
// campaign from stopping.
template <class Body>
void interruptible(const StopSignals& signals, Body body) {
    std::future<void> done = std::async(std::launch::async, body);
    while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
        if (signals.stopping()) kill_descendants();
    try {
        done.get();
    } catch (const std::exception&) {
        if (!signals.stopping()) throw;  // else it failed because the stop killed its children
    }
}

double harness_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);  // the harness's threads only, not its children
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

std::string run_campaign(const RunOptions& options, std::ostream& out) {
    auto wall_start = Clock::now();
    double cpu_start = harness_cpu_seconds();
    CampaignConfig config = load_campaign(options.campaign_path);

    std::string results_dir = !options.results_dir.empty() ? options.results_dir
                              : !config.results_dir.empty() ? config.results_dir
                                                            : "results";
    CampaignFolder folder(fs::path(results_dir) / config.name);
    const std::string& dir = folder.dir();
    // Before anything touches the folder: a second `dlcov run` of the campaign is refused here.
    CampaignOwnerLock owner(folder);
    if (options.overwrite) {
        // Tasks of the old campaign would go on writing into the emptied folder.
        if (config.executor == "slurm") cancel_campaign_tasks(folder, config.name, out);
        remove_all_but_lock(folder);
    }

    InstrumentOptions io;
    io.config_path = config.framework_config;
    io.builds_dir = options.builds_dir;
    io.mode = config.framework_mode;
    BuildManifest build = instrument(io, out, out);

    bool has_store = fs::exists(folder.store_path());
    if (!has_store && fs::exists(folder.record_path()))
        throw UserError(dir + " already holds a campaign without a results store; pass --overwrite to replace it");

    StopSignals signals;
    CampaignStore store(folder);
    if (has_store) {
        std::string recorded = store.recorded_config_hash();
        std::vector<std::string> changed = recorded.empty() ? std::vector<std::string>{} : changed_files(config, recorded);
        if (!changed.empty()) {
            std::string list;
            for (const auto& f : changed) list += "\n  " + f;
            throw UserError(fmt::format("{} holds a campaign run from a different version of what it uses (what "
                                        "these files say changed, not only their comments or layout):{}\npass "
                                        "--overwrite to start it over, or give the new version another name",
                                        dir, list));
        }
    }
    std::vector<std::pair<std::string, int>> trials;
    for (const auto& spec : config.runners)
        for (int t = 1; t <= spec.trials; ++t) trials.emplace_back(spec.name, t);
    store.add_trials(trials);

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
        jobs.push_back(std::move(job));
    }
    int parallel = options.jobs > 0 ? options.jobs : config.jobs > 0 ? config.jobs : int(std::thread::hardware_concurrency());
    parallel = std::max(1, parallel);
    if (has_store)
        out << fmt::format("run: resuming campaign {}: {} trial(s) finished, {} to run\n", config.name, finished_before,
                           jobs.size());

    ProgressDisplay display(out, options.live_progress);
    CampaignFiles files(folder, config, build, store);
    if (jobs.empty()) {
        files.write_campaign("finished", "");
        out << fmt::format("run: campaign {} has finished all its trials; report it with `dlcov report {}`, or pass "
                           "--overwrite to run it again\n", config.name, dir);
        return dir;
    }
    store.begin_campaign(config.name, config.path, config.content_hash, manifest_path(build.build_dir()));
    files.write_campaign("running", utc_now_iso());

    // Setup (seed models ...) once per runner, before any trial; a signal stops it too.
    for (const auto& spec : config.runners) {
        if (!signals.stopping()) interruptible(signals, [&] { make_runner(spec)->setup(build, dir, out); });
    }

    CampaignContext campaign{config, build, folder, store, files, display, signals, options.keep_profiles};
    // On Slurm, the cluster decides how many run at once unless the campaign or -j says.
    TrialsOutcome outcome = config.executor == "slurm"
                                ? run_trials_on_slurm(campaign, jobs, options.jobs > 0 ? options.jobs : config.jobs)
                                : run_trials(campaign, jobs, parallel);
    bool completed = !outcome.stopped && outcome.failures.empty();
    std::string status = completed ? "finished" : "interrupted";
    std::string resume = fmt::format("dlcov run {} --results-dir {}", config.path,
                                     fs::absolute(results_dir).lexically_normal().string());
    // Saying how the campaign ended may fail as a trial did (a full disk): named, never thrown
    // over the trials' failures.
    try {
        files.write_campaign(status, "");
        store.end_campaign(status, seconds_since(wall_start), harness_cpu_seconds() - cpu_start);
    } catch (const std::exception& e) {
        outcome.failures.push_back(fmt::format("campaign {}: {}", config.name, e.what()));
    }
    if (!outcome.failures.empty()) {
        std::string list;
        for (const auto& f : outcome.failures) list += "\n  " + f;
        throw UserError(fmt::format("campaign {} stopped before its end; what failed:{}\nthe trials that ran keep their "
                                    "snapshots in {}; once the cause is fixed, resume it with: {}",
                                    config.name, list, folder.store_path(), resume));
    }
    if (outcome.stopped)
        throw CampaignInterrupted(fmt::format("campaign {} interrupted by signal {}; its finished snapshots are in {}. "
                                              "Resume it with: {}",
                                              config.name, signals.signal(), folder.store_path(), resume));
    size_t findings = 0;
    for (const auto& t : store.trials()) findings += t.findings;
    out << fmt::format("run: campaign {} finished in {} ({} findings, {:.1f} s); next: dlcov report {}\n", config.name,
                       dir, findings, seconds_since(wall_start), dir);
    return dir;
}

}  // namespace dlcov
