// The campaign folder and every path inside it: its file names are spelled here and nowhere else.
//
// results/<campaign>/                  CampaignFolder
//   campaign.db                        the results store (campaign_store.h)
//   owner.lock                         held (fcntl lock) by the one `dlcov run` of the campaign; says
//                                      its pid and command line (campaign_owner.h)
//   campaign.json                      what ran, on which build, with what outcome (campaign_record.h)
//   seeds/                             seed models (made by the runners' setup step, named in runner files)
//   summary.json, summary.csv          Table 6 as JSON and CSV, written by `dlcov report`
//   report/                            the HTML report and its exports, written by `dlcov report`
//   <runner>/trial-<n>/                TrialFolder: one trial
//     work/                            what the tester generated and what each execution wrote
//     work-run<r>/                     the same, for the r-th run of a resumed trial (r >= 2), so a
//                                      resumption writes next to the earlier runs' tests, not over them
//     profiles/                        coverage.profdata and python-total.json (the trial's coverage
//                                      so far, one file per coverage layer) and the raw profiles and
//                                      coverage.py data files of executions not folded into it yet
//     profiles-kept/                   folded raw profiles, with --keep-profiles
//     profiles-skipped/                raw profiles that could not be read
//     events.jsonl                     one line per execution and finding (trial_events.h)
//     options.json                     the runner's options: the tester's --options file
//     tester.log                       what a live tester printed
//     findings.json                    the trial's findings (finding.h)
//     trial.json                       the trial's record (trial_record.h)
//     trial.db                         a trial run on a cluster node: a copy of its own store, taken
//                                      at every snapshot, which `dlcov run` imports (trial_task.h)
//     task.json                        that trial's task: job id, node, running/finished/interrupted/failed
//   slurm/                             with executor: slurm, what `dlcov run` submitted: per
//                                      submission its trial list and sbatch script, per task its log
#pragma once
#include <filesystem>
#include <string>

namespace dlcov {

class TrialFolder {
public:
    explicit TrialFolder(std::string dir) : dir_(std::move(dir)) {}

    const std::string& dir() const { return dir_; }
    // `run`: 1 for the trial's first run, 2 and up for its resumptions.
    std::string work_dir(int run = 1) const { return run <= 1 ? path("work") : dir_ + "/work-run" + std::to_string(run); }
    std::string profile_dir() const { return path("profiles"); }
    std::string running_profile() const { return path("profiles/coverage.profdata"); }
    std::string kept_profile_dir() const { return path("profiles-kept"); }
    std::string skipped_profile_dir() const { return path("profiles-skipped"); }
    std::string events_path() const { return path("events.jsonl"); }
    std::string options_path() const { return path("options.json"); }
    std::string tester_log_path() const { return path("tester.log"); }
    std::string findings_path() const { return path("findings.json"); }
    std::string record_path() const { return path("trial.json"); }
    std::string store_copy_path() const { return path("trial.db"); }
    std::string task_status_path() const { return path("task.json"); }

private:
    std::string path(const char* name) const { return dir_ + "/" + name; }
    std::string dir_;
};

class CampaignFolder {
public:
    // `dir` made absolute and normal, so every path below is too.
    explicit CampaignFolder(const std::filesystem::path& dir);

    const std::string& dir() const { return dir_; }
    std::string store_path() const { return path("campaign.db"); }
    std::string lock_path() const { return path("owner.lock"); }
    std::string record_path() const { return path("campaign.json"); }
    std::string summary_json_path() const { return path("summary.json"); }
    std::string summary_csv_path() const { return path("summary.csv"); }
    std::string report_dir() const { return path("report"); }
    std::string slurm_dir() const { return path("slurm"); }

    TrialFolder trial(const std::string& runner, int trial) const { return TrialFolder(path(trial_dir(runner, trial))); }
    // "<runner>/trial-<n>": a trial's folder relative to the campaign folder.
    static std::string trial_dir(const std::string& runner, int trial);

private:
    std::string path(const std::string& name) const { return (std::filesystem::path(dir_) / name).string(); }
    std::string dir_;
};

// Writes `text` to `path` whole or not at all (whole_file.h); UserError naming the file when it cannot.
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace dlcov
