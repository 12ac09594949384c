#include "slurm_executor.h"

#include "error.h"
#include "input_hash.h"
#include "json_file.h"
#include "slurm_client.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <ostream>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {

constexpr int kResubmissions = 2;                 // per trial and `dlcov run`
constexpr auto kMissingGrace = std::chrono::seconds(15);  // ended or gone, without a word of its own
// Ended for Slurm while its task.json still says running: the task may be taking its last
// snapshot (Slurm's KillWait, 30 s by default, lies between SIGTERM and SIGKILL); a new task for
// the trial would write next to it.
constexpr auto kLastWordGrace = std::chrono::seconds(90);
constexpr auto kStopWait = std::chrono::seconds(120);     // for the tasks' last copy after scancel

// One trial as the head follows it.
struct Followed {
    TrialJob* job = nullptr;
    std::string runner;
    std::string task;   // the Slurm task that holds it ("" = none)
    std::string state;  // squeue's state of that task, "" when squeue does not show it
    std::string stored_state;  // what trial_jobs says of it
    bool gone = false;
    Clock::time_point gone_since;
    std::string stamp;  // of the trial.db last imported
    double last_elapsed = -1;
    int resubmits = 0;
    bool done = false, submit = false;
};

std::string file_stamp(const std::string& path) {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec) return "";
    auto time = fs::last_write_time(path, ec).time_since_epoch().count();
    return fmt::format("{}:{}", size, time);
}

std::string sh_quoted(const std::string& s) {  // for /bin/sh
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string own_executable() { return fs::read_symlink("/proc/self/exe").string(); }

// What trial_jobs says of a task that ended without finishing its trial.
std::string ended_state(const std::string& squeue_state) {
    if (squeue_state == "CANCELLED") return "cancelled";
    if (squeue_state == "TIMEOUT" || squeue_state == "DEADLINE") return "timeout";
    if (squeue_state == "PREEMPTED") return "preempted";
    if (squeue_state == "FAILED" || squeue_state == "OUT_OF_MEMORY" || squeue_state == "BOOT_FAIL") return "failed";
    return "lost";  // NODE_FAIL, COMPLETED without a word, gone from squeue
}

class SlurmCampaign {
public:
    SlurmCampaign(const CampaignContext& campaign, std::deque<std::unique_ptr<TrialJob>>& jobs, int throttle)
        : c_(campaign), throttle_(throttle), name_(slurm_job_name(campaign.folder, campaign.config.name)) {
        for (auto& j : jobs) {
            Followed f;
            f.job = j.get();
            f.runner = campaign.config.runners[j->runner_index].name;
            followed_.push_back(f);
        }
        owned_.swap(jobs);
    }

    TrialsOutcome run();

private:
    Followed* find(const std::string& runner, int trial) {
        for (auto& f : followed_)
            if (f.runner == runner && f.job->trial == trial) return &f;
        return nullptr;
    }
    void take_over();
    void poll(const std::map<std::string, SlurmTask>& tasks);
    void ended(Followed& f);
    void submit(std::vector<Followed*> batch);
    void import(Followed& f);
    void stop_tasks();
    void show_progress();
    void fail(Followed& f, const std::string& why) {
        std::string failure = fmt::format("{} trial {}: {}", f.runner, f.job->trial, why);
        c_.display.message("run: " + failure);
        outcome_.failures.push_back(failure);
        f.done = true;
    }
    std::string task_log(const std::string& task) const {
        return (fs::path(c_.folder.slurm_dir()) / ("task-" + task + ".log")).string();
    }

    const CampaignContext& c_;
    int throttle_;
    std::string name_;
    std::deque<std::unique_ptr<TrialJob>> owned_;
    std::vector<Followed> followed_;
    TrialsOutcome outcome_;
    bool cancelled_ = false;
    Clock::time_point stop_deadline_;
    Clock::time_point last_redraw_ = Clock::now() - std::chrono::seconds(1);
};

// Which task holds each trial: the last one campaign.db recorded, or one squeue shows for the
// campaign that campaign.db does not know (the head was killed between sbatch and recording it).
void SlurmCampaign::take_over() {
    for (const auto& row : c_.store.jobs())
        if (Followed* f = find(row.runner, row.trial)) {
            f->task = row.job;
            f->stored_state = row.state;
        }
    std::map<std::string, SlurmTask> tasks = squeue_tasks(name_);
    std::vector<CampaignStore::TrialJobRow> unknown;
    std::map<std::string, nlohmann::json> lists;
    for (const auto& [id, task] : tasks) {
        if (slurm_state_ended(task.state) || task.comment.rfind("submission-", 0) != 0) continue;
        std::string list = (fs::path(c_.folder.slurm_dir()) / (task.comment + ".json")).string();
        if (!lists.count(list)) lists[list] = fs::exists(list) ? read_json_file(list) : nlohmann::json::object();
        const nlohmann::json& trials = lists[list].value("trials", nlohmann::json::array());
        if (task.index < 0 || size_t(task.index) >= trials.size()) continue;
        std::string runner = trials[size_t(task.index)][0];
        int trial = trials[size_t(task.index)][1];
        Followed* f = find(runner, trial);
        if (!f || f->task == id) continue;
        unknown.push_back({id, runner, trial, "submitted"});
        f->task = id;
        f->stored_state = "submitted";
    }
    c_.store.add_jobs(unknown);
    size_t followed = 0;
    for (auto& f : followed_) {
        if (f.task.empty()) f.submit = true;
        else ++followed;
    }
    if (followed)
        c_.display.message(fmt::format("run: following {} trial(s) already submitted to Slurm", followed));
}

void SlurmCampaign::import(Followed& f) {
    TrialFolder trial = c_.folder.trial(f.runner, f.job->trial);
    std::string stamp = file_stamp(trial.store_copy_path());
    if (stamp.empty() || stamp == f.stamp) return;
    auto start = Clock::now();
    // A copy of the copy on the head's own disk: SQLite reads it there, whatever the task does next.
    std::string local = (fs::temp_directory_path() / fmt::format("dlcov-import-{}.db", getpid())).string();
    fs::copy_file(trial.store_copy_path(), local, fs::copy_options::overwrite_existing);
    std::string node_dir;
    if (fs::exists(trial.task_status_path())) node_dir = read_json_file(trial.task_status_path()).value("node_dir", "");
    try {
        c_.store.import_trial(local, f.runner, f.job->trial, node_dir, node_dir.empty() ? "" : trial.dir());
    } catch (...) {
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(local + suffix);
        throw;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(local + suffix);
    f.stamp = stamp;
    double import_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    CampaignStore::LastSnapshot last = c_.store.last_snapshot(f.runner, f.job->trial);
    if (last.elapsed > f.last_elapsed) {
        f.last_elapsed = last.elapsed;
        const RunnerSpec& spec = c_.config.runners[f.job->runner_index];
        double percent = last.lines_total ? 100.0 * double(last.lines_covered) / double(last.lines_total) : 0.0;
        c_.display.snapshot(fmt::format("snapshot: {} trial {} at {:.0f}/{:.0f} s: {} executions, lines {}/{} ({:.1f}%) "
                                        "(task {}, imported in {:.3f} s)",
                                        f.runner, f.job->trial, last.elapsed, spec.budget_seconds, last.executions,
                                        last.lines_covered, last.lines_total, percent, f.task, import_seconds));
        std::lock_guard<std::mutex> lock(f.job->progress.mutex);
        f.job->progress.elapsed = last.elapsed;
        f.job->progress.executions = last.executions;
        f.job->progress.lines_percent = percent;
    }
}

// The task of `f` has ended (or vanished): what its trial does next.
void SlurmCampaign::ended(Followed& f) {
    TrialFolder trial = c_.folder.trial(f.runner, f.job->trial);
    nlohmann::json status;
    if (fs::exists(trial.task_status_path())) status = read_json_file(trial.task_status_path());
    std::string said = status.is_object() && status.value("job", "") == f.task ? status.value("status", "") : "";
    // Its last word may not be visible yet (a shared file system's caches), or not written yet.
    if (said == "running" && Clock::now() - f.gone_since < kLastWordGrace) return;
    if (said.empty() && Clock::now() - f.gone_since < kMissingGrace) return;
    import(f);
    std::string state = said == "finished" ? "finished" : said == "failed" ? "failed" : ended_state(f.state);
    // Tasks this head cancelled before they started leave squeue with their array's pending record.
    if (state == "lost" && cancelled_) state = "cancelled";
    c_.store.set_job_state(f.task, state);
    f.stored_state = state;
    {
        std::lock_guard<std::mutex> lock(f.job->progress.mutex);
        f.job->progress.running = false;
    }
    if (state == "finished") {
        std::vector<TrialRecord> trials = c_.store.trials();
        for (const auto& t : trials)
            if (t.runner == f.runner && t.trial == f.job->trial)
                c_.display.message(fmt::format("run: {} trial {} finished (task {}): {} executions, {} findings, {:.1f} s",
                                               f.runner, f.job->trial, f.task, t.executions, t.findings, t.seconds));
        try {
            c_.files.write_campaign("running", "");
        } catch (const std::exception& e) {
            c_.display.message(fmt::format("run: {}", e.what()));
        }
        f.done = true;
        return;
    }
    c_.store.set_trial_status(f.runner, f.job->trial, "interrupted");
    if (state == "failed") {
        std::string why = status.is_object() && said == "failed" ? status.value("error", "") : "";
        if (why.empty()) {
            std::ifstream log(task_log(f.task));
            std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
            why = fmt::format("the task ended with Slurm state {}; its log {} says: {}", f.state, task_log(f.task),
                              text.size() > 2000 ? text.substr(text.size() - 2000) : text);
        }
        fail(f, fmt::format("task {} failed: {}", f.task, why));
        return;
    }
    if (state == "timeout") {
        fail(f, fmt::format("task {} reached its time limit (budget plus margins; see {}); the trial resumes from its "
                            "last snapshot when `dlcov run` runs again",
                            f.task, task_log(f.task)));
        return;
    }
    c_.display.message(fmt::format("run: {} trial {}: task {} {}{}", f.runner, f.job->trial, f.task, state,
                                   c_.signals.stopping() ? "" : "; its trial goes on from its last snapshot in a new task"));
    if (c_.signals.stopping()) {
        f.done = true;
    } else if (f.resubmits >= kResubmissions) {
        fail(f, fmt::format("its task ended {} times before the trial finished (last: {} {})", f.resubmits + 1, f.task,
                            state));
    } else {
        ++f.resubmits;
        f.submit = true;
    }
}

void SlurmCampaign::poll(const std::map<std::string, SlurmTask>& tasks) {
    for (auto& f : followed_) {
        if (f.done || f.task.empty() || f.submit) continue;
        auto it = tasks.find(f.task);
        f.state = it == tasks.end() ? "" : it->second.state;
        import(f);
        if (!f.state.empty() && !slurm_state_ended(f.state)) {
            f.gone = false;
            std::string state = f.state == "RUNNING" || f.state == "COMPLETING" ? "running" : "submitted";
            if (state != f.stored_state) {
                c_.store.set_job_state(f.task, state);
                f.stored_state = state;
                if (state == "running")
                    c_.display.message(fmt::format("run: {} trial {} running (task {})", f.runner, f.job->trial, f.task));
            }
            std::lock_guard<std::mutex> lock(f.job->progress.mutex);
            f.job->progress.running = state == "running";
            continue;
        }
        if (!f.gone) {
            f.gone = true;
            f.gone_since = Clock::now();
        }
        ended(f);
    }
}

void SlurmCampaign::submit(std::vector<Followed*> batch) {
    if (batch.empty()) return;
    const CampaignConfig& config = c_.config;
    fs::path dir = c_.folder.slurm_dir();
    fs::create_directories(dir);
    int n = 1;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::string name = entry.path().filename().string();
        if (name.rfind("submission-", 0) == 0) n = std::max(n, 1 + std::atoi(name.c_str() + 11));
    }
    std::string base = fmt::format("submission-{}", n);
    nlohmann::json list = {{"config_hash", config.content_hash}, {"trials", nlohmann::json::array()}};
    double limit = 0;
    for (Followed* f : batch) {
        list["trials"].push_back({f->runner, f->job->trial});
        const RunnerSpec& spec = config.runners[f->job->runner_index];
        // The local stop (budget plus max(5 s, 10%) plus one execution), snapshots and copies.
        limit = std::max(limit, spec.budget_seconds + std::max(5.0, spec.budget_seconds / 10) +
                                    spec.definition.timeout_seconds + 2 * config.snapshot_interval + 120);
    }
    std::string list_path = (dir / (base + ".json")).string();
    write_json_file(list_path, list);
    std::string script_path = (dir / (base + ".sh")).string();
    write_text_file(script_path,
                    "#!/bin/sh\n# Written by `dlcov run` (executor: slurm): array task i runs trial i of " + base +
                        ".json.\nexec " + sh_quoted(own_executable()) + " trial " + sh_quoted(c_.folder.dir()) + " --list " +
                        sh_quoted(list_path) + " --index \"$SLURM_ARRAY_TASK_ID\" --job \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"" +
                        (c_.keep_profiles ? " --keep-profiles" : "") + "\n");
    int minutes = int(std::ceil(limit / 60));
    std::vector<std::string> args = {"--job-name=" + name_,
                                     "--comment=" + base,
                                     fmt::format("--array=0-{}{}", batch.size() - 1,
                                                 throttle_ > 0 ? fmt::format("%{}", throttle_) : std::string()),
                                     fmt::format("--cpus-per-task={}", config.slurm.cpus_per_trial),
                                     fmt::format("--time={}", minutes),
                                     "--chdir=" + c_.folder.dir(),
                                     "--output=" + (dir / "task-%A_%a.log").string()};
    if (!config.slurm.partition.empty()) args.push_back("--partition=" + config.slurm.partition);
    if (!config.slurm.account.empty()) args.push_back("--account=" + config.slurm.account);
    args.insert(args.end(), config.slurm.sbatch_args.begin(), config.slurm.sbatch_args.end());
    std::string id;
    try {
        id = sbatch(args, script_path);
    } catch (const std::exception& e) {
        for (Followed* f : batch) fail(*f, fmt::format("cannot be submitted: {}", e.what()));
        return;
    }
    std::vector<CampaignStore::TrialJobRow> rows;
    for (size_t i = 0; i < batch.size(); ++i) {
        Followed* f = batch[i];
        f->task = fmt::format("{}_{}", id, i);
        f->state = "PENDING";
        f->stored_state = "submitted";
        f->gone = false;
        f->submit = false;
        rows.push_back({f->task, f->runner, f->job->trial, "submitted"});
    }
    c_.store.add_jobs(rows);
    c_.display.message(fmt::format("run: submitted {} trial(s) to Slurm as job {} ({}, {} min per task{})", batch.size(),
                                   id, base, minutes, throttle_ > 0 ? fmt::format(", {} at once", throttle_) : ""));
}

void SlurmCampaign::stop_tasks() {
    std::vector<std::string> live;
    for (auto& f : followed_) {
        if (f.done) continue;
        if (f.task.empty() || f.submit) f.done = true;  // never started: stays as it is
        else live.push_back(f.task);
    }
    try {
        scancel(live);
    } catch (const std::exception& e) {
        c_.display.message(fmt::format("run: {}", e.what()));
    }
    c_.display.message(fmt::format("run: stopping: cancelled {} Slurm task(s), waiting for their last snapshot",
                                   live.size()));
}

void SlurmCampaign::show_progress() {
    if (!c_.display.live() || Clock::now() - last_redraw_ < std::chrono::milliseconds(500)) return;
    last_redraw_ = Clock::now();
    std::vector<RunnerProgress> out;
    std::vector<TrialRecord> stored = c_.store.trials();
    for (const auto& spec : c_.config.runners) {
        RunnerProgress p;
        p.name = spec.name;
        p.budget_seconds = spec.budget_seconds;
        p.trials = spec.trials;
        for (const auto& t : stored)
            if (t.runner == spec.name) {
                if (t.status == "finished") ++p.done;
                p.findings += t.findings;
            }
        out.push_back(p);
    }
    for (auto& f : followed_) {
        RunnerProgress& p = out[f.job->runner_index];
        std::lock_guard<std::mutex> lock(f.job->progress.mutex);
        p.executions += f.job->progress.executions;
        p.lines_percent = std::max(p.lines_percent, f.job->progress.lines_percent);
        if (f.job->progress.running) ++p.running;
        p.elapsed = std::max(p.elapsed, f.job->progress.elapsed);
    }
    c_.display.update(out);
}

TrialsOutcome SlurmCampaign::run() {
    take_over();
    while (true) {
        if (c_.signals.stopping() && !cancelled_) {
            cancelled_ = true;
            stop_deadline_ = Clock::now() + kStopWait;
            stop_tasks();
        }
        std::vector<Followed*> batch;
        for (auto& f : followed_)
            if (!f.done && f.submit) batch.push_back(&f);
        if (!c_.signals.stopping()) submit(batch);
        std::map<std::string, SlurmTask> tasks;
        try {
            tasks = squeue_tasks(name_);
        } catch (const std::exception& e) {  // the controller may be busy or restarting: try again
            c_.display.message(fmt::format("run: {} (trying again)", e.what()));
            std::this_thread::sleep_for(std::chrono::seconds(5));
            continue;
        }
        try {
            poll(tasks);
        } catch (const std::exception& e) {  // a copy that cannot be imported now may be next time
            c_.display.message(fmt::format("run: {}", e.what()));
        }
        show_progress();
        bool all_done = std::all_of(followed_.begin(), followed_.end(), [](const Followed& f) { return f.done; });
        if (all_done) break;
        if (cancelled_ && Clock::now() > stop_deadline_) {
            c_.display.message("run: Slurm tasks still running after the stop; `dlcov run` follows them when run again");
            break;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    last_redraw_ = Clock::now() - std::chrono::seconds(1);
    show_progress();
    c_.display.close();
    outcome_.stopped = c_.signals.stopping();
    return outcome_;
}

}  // namespace

std::string slurm_job_name(const CampaignFolder& folder, const std::string& campaign_name) {
    Fnv1a64 hash;
    hash.add(folder.dir());
    return "dlcov-" + campaign_name + "-" + hash.hex().substr(0, 8);
}

void cancel_campaign_tasks(const CampaignFolder& folder, const std::string& campaign_name, std::ostream& out) {
    std::string name = slurm_job_name(folder, campaign_name);
    auto active = [&] {
        std::vector<std::string> ids;
        for (const auto& [id, task] : squeue_tasks(name))
            if (!slurm_state_ended(task.state)) ids.push_back(id);
        return ids;
    };
    std::vector<std::string> ids = active();
    if (ids.empty()) return;
    out << fmt::format("run: cancelling {} Slurm task(s) of the campaign before replacing it\n", ids.size()) << std::flush;
    scancel({"--name=" + name});
    auto deadline = Clock::now() + kStopWait;
    while (!active().empty()) {
        if (Clock::now() > deadline)
            throw UserError(fmt::format("tasks of the campaign (Slurm job name {}) are still running after scancel; "
                                        "wait for them to end before --overwrite",
                                        name));
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

TrialsOutcome run_trials_on_slurm(const CampaignContext& campaign, std::deque<std::unique_ptr<TrialJob>>& jobs,
                                  int throttle) {
    return SlurmCampaign(campaign, jobs, throttle).run();
}

}  // namespace dlcov
