#include "trial_task.h"

#include "campaign_config.h"
#include "campaign_files.h"
#include "campaign_folder.h"
#include "campaign_record.h"
#include "campaign_store.h"
#include "campaign_trial.h"
#include "error.h"
#include "json_file.h"
#include "process.h"
#include "progress_display.h"
#include "stop_signals.h"
#include "trial_publish.h"
#include "utc_time.h"
#include "whole_file.h"

#include <chrono>
#include <cstdlib>
#include <future>
#include <filesystem>
#include <fmt/format.h>
#include <ostream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string host_name() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

std::string scratch_root(const TrialTaskOptions& options, const CampaignConfig& config) {
    if (!options.scratch.empty()) return options.scratch;
    if (!config.slurm.scratch.empty()) return config.slurm.scratch;
    const char* tmp = std::getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

// What the task says of itself in the shared trial folder.
void write_task_status(const TrialFolder& shared, const TrialTaskOptions& options, const std::string& status,
                       const std::string& node_dir, const std::string& error) {
    nlohmann::json j = {{"job", options.job},   {"runner", options.runner}, {"trial", options.trial},
                        {"status", status},     {"host", host_name()},      {"pid", long(getpid())},
                        {"node_dir", node_dir}, {"time", utc_now_iso()}};
    if (!error.empty()) j["error"] = error;
    write_json_file(shared.task_status_path(), j);
}

}  // namespace

void read_submission_entry(const std::string& list_path, int index, TrialTaskOptions& options) {
    nlohmann::json list = read_json_file(list_path);
    const nlohmann::json& trials = list.value("trials", nlohmann::json::array());
    if (index < 0 || size_t(index) >= trials.size() || !trials[size_t(index)].is_array() || trials[size_t(index)].size() != 2)
        throw UserError(fmt::format("{}: has no trial {} (it lists {}); expected [runner, trial] pairs", list_path, index,
                                    trials.size()));
    options.runner = trials[size_t(index)][0].get<std::string>();
    options.trial = trials[size_t(index)][1].get<int>();
    options.config_hash = list.value("config_hash", "");
}

int run_trial_task(const TrialTaskOptions& options, std::ostream& out) {
    CampaignFolder shared(options.campaign_dir);
    CampaignRecord record = read_campaign_record(shared);
    CampaignConfig config = load_campaign(record.config);
    if (!options.config_hash.empty() && config.content_hash != options.config_hash)
        throw UserError(fmt::format("{} changed since the campaign was submitted: this task does not run trial {} {} "
                                    "(run `dlcov run` again on the head to resubmit it)",
                                    record.config, options.runner, options.trial));
    const RunnerSpec* spec = nullptr;
    for (const auto& s : config.runners)
        if (s.name == options.runner) spec = &s;
    if (!spec || options.trial < 1 || options.trial > spec->trials)
        throw UserError(fmt::format("{} has no trial {} of a runner {}", record.config, options.trial, options.runner));
    BuildManifest build = load_manifest(record.build);

    TrialFolder shared_trial = shared.trial(options.runner, options.trial);
    fs::create_directories(shared_trial.dir());
    if (fs::exists(shared_trial.task_status_path()) &&
        read_json_file(shared_trial.task_status_path()).value("status", "") == "finished") {
        out << fmt::format("trial: {} trial {} has finished already; nothing to run\n", options.runner, options.trial);
        return 0;
    }

    // The node's own folder for the trial, a campaign folder of one trial.
    std::string tag = options.job.empty() ? std::to_string(getpid()) : options.job;
    fs::path node_root = fs::path(scratch_root(options, config)) / ("dlcov-" + tag);
    fs::remove_all(node_root);
    // The node's disk is given back however the task ends (a SIGKILL aside).
    struct RemoveOnExit {
        fs::path dir;
        ~RemoveOnExit() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } remove_scratch{node_root};
    CampaignFolder node(node_root / config.name);
    TrialFolder node_trial = node.trial(options.runner, options.trial);
    fs::create_directories(node_trial.dir());
    // A trial with a store copy in the shared folder ran before (a task that was lost): it goes on
    // from there, as a local trial resumes.
    bool resume = fs::exists(shared_trial.store_copy_path());
    if (resume) {
        publish_tree(shared_trial.dir(), node_trial.dir());
        fs::remove(fs::path(node_trial.dir()) / "trial.db");
        fs::remove(fs::path(node_trial.dir()) / "task.json");
        copy_whole_file(shared_trial.store_copy_path(), node.store_path());
    }
    int code = 2;
    {
        CampaignStore store(node);
        store.add_trials({{options.runner, options.trial}});
        for (const auto& t : store.trials())
            if (t.status == "finished") {  // the last task finished it but did not say so
                write_task_status(shared_trial, options, "finished", node_trial.dir(), "");
                return 0;
            }
        CampaignFiles files(node, config, build, store);
        ProgressDisplay display(out, false);
        StopSignals signals;
        std::string local_store_copy = node_root.string() + "/trial.db";
        auto publish = [&](bool) {
            auto start = std::chrono::steady_clock::now();
            size_t files = publish_tree(node_trial.dir(), shared_trial.dir(), node.dir(), shared.dir());
            store.copy_to(local_store_copy);  // consistent, on the local disk: SQLite stays off the shared one
            copy_whole_file(local_store_copy, shared_trial.store_copy_path());
            out << fmt::format("  copied {} file(s) and the trial's store to {} in {:.3f} s\n", files + 1,
                               shared_trial.dir(),
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count())
                << std::flush;
        };
        CampaignContext campaign{config, build, node, store, files, display, signals, options.keep_profiles,
                                 shared.dir(), publish};
        write_task_status(shared_trial, options, "running", node_trial.dir(), "");
        out << fmt::format("trial: {} trial {} on {} in {} (job {})\n", options.runner, options.trial, host_name(),
                           node_trial.dir(), options.job.empty() ? "none" : options.job);
        TrialProgress progress;
        std::string error;
        try {
            // As the local scheduler does: while a stop signal (scancel, the time limit) is being
            // served, every process the trial started is killed, again and again.
            std::future<void> done = std::async(std::launch::async, [&] {
                run_trial(campaign, *spec, options.trial, resume, progress);
            });
            while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
                if (signals.stopping()) kill_descendants();
            done.get();
        } catch (const std::exception& e) {
            error = e.what();
            try {
                store.set_trial_status(options.runner, options.trial, "interrupted");
                publish(true);
            } catch (const std::exception& again) {
                error += fmt::format(" (its last state could not be copied: {})", again.what());
            }
        }
        std::string status = "failed";
        if (error.empty())
            for (const auto& t : store.trials()) status = t.status == "finished" ? "finished" : "interrupted";
        code = status == "finished" ? 0 : status == "interrupted" ? 130 : 2;
        write_task_status(shared_trial, options, status, node_trial.dir(), error);
        if (!error.empty()) out << fmt::format("trial: {} trial {} failed: {}\n", options.runner, options.trial, error);
        else out << fmt::format("trial: {} trial {} {}\n", options.runner, options.trial, status);
    }
    return code;
}

}  // namespace dlcov
