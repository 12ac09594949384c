#include "trial_scheduler.h"

#include "process.h"
#include "error.h"

#include <chrono>
#include <fmt/format.h>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {

std::vector<RunnerProgress> progress(const CampaignContext& campaign, const std::vector<TrialJob*>& all) {
    std::vector<RunnerProgress> out;
    std::vector<TrialRecord> stored = campaign.store.trials();
    for (const auto& spec : campaign.config.runners) {
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
        TrialProgress& t = job->progress;
        std::lock_guard<std::mutex> lock(t.mutex);
        p.executions += t.executions;
        p.findings += t.findings;
        p.lines_percent = std::max(p.lines_percent, t.lines_percent);
        if (t.running) ++p.running;
        p.elapsed = std::max(p.elapsed, t.elapsed);
    }
    return out;
}

}  // namespace

TrialsOutcome run_trials(const CampaignContext& campaign, std::deque<std::unique_ptr<TrialJob>>& queue, int parallel) {
    ProgressDisplay& display = campaign.display;
    std::vector<std::unique_ptr<TrialJob>> started;
    std::vector<TrialJob*> all;
    for (auto& j : queue) all.push_back(j.get());
    size_t running = 0;
    TrialsOutcome outcome;
    auto last_redraw = Clock::now() - std::chrono::seconds(1);
    while (!queue.empty() || running > 0) {
        if (campaign.signals.stopping()) {
            queue.clear();       // trials not started stay pending
            kill_descendants();  // again and again: a tester may be starting its next execution
        } else {
            while (!queue.empty() && running < size_t(parallel)) {
                std::unique_ptr<TrialJob> job = std::move(queue.front());
                queue.pop_front();
                TrialJob* j = job.get();
                j->thread = std::thread([&campaign, j] {
                    const RunnerSpec& spec = campaign.config.runners[j->runner_index];
                    try {
                        run_trial(campaign, spec, j->trial, j->resume, j->progress);
                    } catch (const std::exception& e) {
                        j->error = e.what();
                        // The failure may be the store's own (a full disk): saying so must not
                        // throw again. A trial left `running` is resumed as an interrupted one.
                        try {
                            campaign.store.set_trial_status(spec.name, j->trial, "interrupted");
                        } catch (const std::exception& again) {
                            j->error += fmt::format(" (its status stays `running`: {})", again.what());
                        }
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
                // The other trials go on: one trial's failure (its runner, its running total, a
                // full disk) is that trial's.
                std::string failure = fmt::format("{} trial {}: {}", campaign.config.runners[job->runner_index].name,
                                                  job->trial, job->error);
                display.message("run: " + failure);
                outcome.failures.push_back(failure);
            }
            try {
                campaign.files.write_campaign("running", "");
            } catch (const std::exception& e) {  // the trials' own files and the store still hold it all
                display.message(fmt::format("run: {}", e.what()));
            }
        }
        // The progress lines query the store: only worth it on a terminal.
        if (display.live() && Clock::now() - last_redraw > std::chrono::milliseconds(500)) {
            display.update(progress(campaign, all));
            last_redraw = Clock::now();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (display.live()) display.update(progress(campaign, all));
    display.close();
    outcome.stopped = campaign.signals.stopping();
    return outcome;
}

}  // namespace dlcov
