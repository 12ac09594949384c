#include "campaign_trial.h"

#include "elapsed.h"
#include "running_coverage.h"
#include "trial_events.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <future>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {


class TrialRun {
public:
    TrialRun(const CampaignContext& campaign, const RunnerSpec& spec, int trial, bool resume, TrialProgress& progress)
        : campaign_(campaign), spec_(spec), trial_(trial), resume_(resume), progress_(progress),
          folder_(campaign.folder.trial(spec.name, trial)) {}

    void run();

private:
    void follow_events(TrialEventsReader& events);
    void take_snapshot(RunningCoverage& coverage, double elapsed, bool final);
    void restart_if_damaged(RunningCoverage& coverage);

    const CampaignContext& campaign_;
    const RunnerSpec& spec_;
    int trial_;
    bool resume_;
    TrialProgress& progress_;
    TrialFolder folder_;
    std::atomic<bool> give_up_{false};  // the trial cannot go on: its tester is stopped
};

// A resumed trial whose running total was damaged outside dlcov cannot go on from it: what it
// folded is lost with it. It starts again from nothing, and its old folder is kept for a look.
void TrialRun::restart_if_damaged(RunningCoverage& coverage) {
    std::string damage = coverage.damage();
    if (damage.empty()) return;
    std::string kept = folder_.dir() + ".damaged";
    fs::remove_all(kept);
    fs::rename(folder_.dir(), kept);
    fs::create_directories(folder_.dir());
    campaign_.store.restart_trial(spec_.name, trial_);
    coverage.restart();
    resume_ = false;
    campaign_.display.message(fmt::format("run: {} trial {}: its running total cannot be read ({}); the trial starts "
                                          "again from the beginning (what it had is kept in {})",
                                          spec_.name, trial_, damage, kept));
}

void TrialRun::follow_events(TrialEventsReader& events) {
    TrialEvents batch = events.read_new();
    campaign_.store.add_events(spec_.name, trial_, batch);
    std::lock_guard<std::mutex> lock(progress_.mutex);
    progress_.executions += batch.executions.size();
    progress_.findings += batch.findings.size();
}

void TrialRun::take_snapshot(RunningCoverage& coverage, double elapsed, bool final) {
    RunningCoverage::Fold fold = coverage.fold(final);
    if (fold.skipped)
        campaign_.display.message(fmt::format("  {} trial {}: {} unreadable raw profile(s) moved to {}/", spec_.name, trial_,
                                              fold.skipped, folder_.skipped_profile_dir()));
    auto start = Clock::now();
    Snapshot snap;
    snap.runner = spec_.name;
    snap.trial = trial_;
    snap.elapsed_seconds = elapsed;
    {
        std::lock_guard<std::mutex> lock(progress_.mutex);
        snap.executions = progress_.executions;
    }
    snap.coverage = coverage.measure();
    SnapshotCost cost{fold.folded, coverage.profiles_so_far(), fold.seconds, seconds_since(start)};
    campaign_.store.add_snapshot(snap, cost);
    if (campaign_.published) campaign_.published(false);
    const Tally& lines = snap.coverage["overall"].lines;
    uint64_t findings;
    {
        std::lock_guard<std::mutex> lock(progress_.mutex);
        progress_.lines_percent = lines.percent();
        findings = progress_.findings;
    }
    campaign_.display.snapshot(fmt::format("snapshot: {} trial {} at {:.0f}/{:.0f} s: {} executions, lines {}/{} ({:.1f}%), "
                                           "{} findings ({} profiles folded in {:.2f} s, measured in {:.2f} s)",
                                           spec_.name, trial_, elapsed, spec_.budget_seconds, snap.executions, lines.covered,
                                           lines.total, lines.percent(), findings, fold.folded, fold.seconds,
                                           cost.measure_seconds));
}

void TrialRun::run() {
    CampaignStore& store = campaign_.store;
    const std::atomic<bool>& stop = campaign_.signals.flag();
    if (!resume_) {
        fs::remove_all(folder_.dir());
        fs::create_directories(folder_.dir());
    }
    RunningCoverage coverage(campaign_.build, folder_.dir(), campaign_.keep_profiles);
    if (resume_) restart_if_damaged(coverage);
    double offset = resume_ ? store.last_snapshot_elapsed(spec_.name, trial_) : 0.0;
    store.clear_trial_events(spec_.name, trial_);  // re-read from the events file below
    const int run = store.start_trial_run(spec_.name, trial_, resume_);
    const unsigned seed = trial_seed(campaign_.config.random_seed, trial_, run);
    campaign_.display.message(fmt::format("run: {} trial {}/{} {}", spec_.name, trial_, spec_.trials,
                                          resume_ ? fmt::format("resumed at {:.0f} s (run {}, seed {}, into {})", offset, run,
                                                                seed, fs::path(folder_.work_dir(run)).filename().string())
                                                  : std::string("started")));

    TrialEventsReader events(folder_.events_path());
    follow_events(events);  // what a resumed trial did before

    std::unique_ptr<Runner> runner = make_runner(spec_);
    TrialContext ctx{campaign_.build,
                     campaign_.setup_dir.empty() ? campaign_.folder.dir() : campaign_.setup_dir,
                     folder_,
                     trial_,
                     run,
                     seed,
                     [this](const std::string& line) {
                         campaign_.display.message(fmt::format("  {} trial {}: {}", spec_.name, trial_, line));
                     },
                     spec_.budget_seconds - offset,
                     &stop,
                     &give_up_};
    // Coverage over time starts at the origin: a snapshot before the tester starts (the build's
    // totals, nothing covered), so even a trial shorter than one interval has a curve.
    if (!resume_) take_snapshot(coverage, 0.0, false);
    auto start = Clock::now();
    double tester_seconds = 0;
    {
        std::lock_guard<std::mutex> lock(progress_.mutex);
        progress_.running = true;
        progress_.elapsed = offset;
    }
    // Less than a second left: nothing worth starting the tester for.
    if (ctx.budget_seconds >= 1 && !stop) {
        std::future<void> tester = std::async(std::launch::async, [&] {
            auto t0 = Clock::now();
            runner->run_trial(ctx);
            tester_seconds = seconds_since(t0);
        });
        auto interval = std::chrono::milliseconds(long(campaign_.config.snapshot_interval * 1000));
        auto next_snapshot = start + interval;
        try {
            while (true) {
                auto wake = std::min(next_snapshot, Clock::now() + std::chrono::milliseconds(500));
                bool finished = tester.wait_until(wake) == std::future_status::ready;
                follow_events(events);
                {
                    std::lock_guard<std::mutex> lock(progress_.mutex);
                    progress_.elapsed = offset + seconds_since(start);
                }
                if (finished) break;
                if (Clock::now() >= next_snapshot) {
                    take_snapshot(coverage, offset + seconds_since(start), false);
                    next_snapshot = std::max(next_snapshot + interval, Clock::now() + interval / 2);
                }
            }
        } catch (...) {
            // The harness's side failed (a full disk ...): the tester is stopped rather than left
            // to run its budget out, and the trial ends with the error, resumable.
            give_up_ = true;
            tester.wait();
            throw;
        }
        tester.get();  // rethrows what the runner threw (e.g. a tester that cannot start)
    }
    follow_events(events);
    double elapsed = offset + seconds_since(start);
    take_snapshot(coverage, elapsed, true);
    double slot = offset + seconds_since(start);  // with the final snapshot: the trial's whole slot
    {
        std::lock_guard<std::mutex> lock(progress_.mutex);
        progress_.running = false;
    }

    TrialEvents all = read_trial_events(folder_.events_path());
    TrialRecord record;
    record.runner = spec_.name;
    record.trial = trial_;
    record.status = stop ? "interrupted" : "finished";
    record.seconds = elapsed;  // trial.json: the time of the final snapshot
    record.tester_seconds = tester_seconds;
    record.executions = all.executions.size();
    record.failed_executions = all.failed_executions;
    record.findings = all.findings.size();
    campaign_.files.write_trial(record, all.findings);
    record.seconds = slot;  // the store: the whole slot
    store.finish_trial(record);
    if (campaign_.published) campaign_.published(true);
    campaign_.display.message(fmt::format("run: {} trial {} {}: {} executions, {} findings, {:.1f} s", spec_.name, trial_,
                                          record.status, record.executions, record.findings, elapsed));
}

}  // namespace

void run_trial(const CampaignContext& campaign, const RunnerSpec& spec, int trial, bool resume, TrialProgress& progress) {
    TrialRun(campaign, spec, trial, resume, progress).run();
}

}  // namespace dlcov
