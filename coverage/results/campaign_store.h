// The results store of a campaign: results/<campaign>/campaign.db (SQLite, WAL journal), its one
// writer (CampaignStore) and its readers (CampaignStore::trials, read_snapshots).
//
// One connection per process, shared by the trial threads behind a mutex; WAL and a busy
// timeout let readers (`dlcov report`, tests) and other processes open it while the campaign
// writes. Every write that belongs together (one snapshot's rows, a trial's status) is one
// transaction, so a harness killed at any moment leaves a consistent store.
//
// Schema (created when missing):
//   CREATE TABLE campaign (name TEXT PRIMARY KEY,
//     config TEXT, config_hash TEXT,      -- the campaign file; the hashes of what it and the files it
//                                         --   uses say (JSON: runners/campaign/campaign_config.h)
//     build TEXT,                         -- build.json of the instrumented framework
//     status TEXT,                        -- running | finished | interrupted
//     started TEXT, finished TEXT,        -- ISO 8601 UTC
//     wall_seconds REAL,                  -- of the last `dlcov run` of this campaign
//     harness_cpu_seconds REAL);          -- CPU the harness itself used (not its children)
//   CREATE TABLE trials (runner TEXT, trial INTEGER,
//     status TEXT,                        -- pending | running | finished | interrupted
//     started TEXT, finished TEXT,
//     seconds REAL,                       -- trial time so far, final snapshot included
//     tester_seconds REAL,                -- of that, time inside the tester process
//     executions INTEGER, findings INTEGER,
//     runs INTEGER,                       -- how many times `dlcov run` started it (1, then 2 after a resume ...)
//     PRIMARY KEY (runner, trial));
//   CREATE TABLE executions (runner TEXT, trial INTEGER, id TEXT, artifact TEXT, backend TEXT,
//     result TEXT,                        -- "exit 0", "signal 11 (Segmentation fault)", "timeout after 5 s"
//     seconds REAL);                      -- from the trial's events.jsonl
//   CREATE UNIQUE INDEX executions_identity ON executions (runner, trial, id, artifact, backend);
//   CREATE TABLE findings (runner TEXT, trial INTEGER, kind TEXT, artifact TEXT, input TEXT,
//     backends TEXT, metric TEXT, value REAL, detail TEXT, replay TEXT);
//   CREATE UNIQUE INDEX findings_identity ON findings (runner, trial, kind, artifact, input, backends, metric);
// Executions and findings are unique by identity (trial_events.h): a line read twice is one row.
//   CREATE TABLE snapshots (runner TEXT NOT NULL, trial INTEGER NOT NULL,
//     elapsed REAL NOT NULL,              -- seconds since the trial started
//     executions INTEGER NOT NULL,        -- executions finished so far
//     component TEXT NOT NULL,            -- a component id, or "overall"
//     lines_covered INTEGER NOT NULL, lines_total INTEGER NOT NULL,
//     branches_covered INTEGER NOT NULL, branches_total INTEGER NOT NULL,
//     functions_covered INTEGER NOT NULL, functions_total INTEGER NOT NULL,
//     PRIMARY KEY (runner, trial, elapsed, component));   -- one row per snapshot and component
//   CREATE TABLE snapshot_costs (runner TEXT, trial INTEGER, elapsed REAL,
//     folded_profiles INTEGER,            -- raw profiles folded into the running total by this snapshot
//     profiles_so_far INTEGER,            -- raw profiles folded since the trial started
//     fold_seconds REAL, measure_seconds REAL,
//     PRIMARY KEY (runner, trial, elapsed));
//   CREATE TABLE trial_jobs (job TEXT PRIMARY KEY,    -- a batch scheduler's id of one run of a trial
//     runner TEXT, trial INTEGER,                     --   (Slurm: <array job>_<task>)
//     state TEXT,                                     -- submitted | running | finished | interrupted |
//                                                     --   failed | cancelled | timeout | preempted | lost
//     submitted TEXT, ended TEXT);                    -- ISO 8601 UTC
#pragma once
#include "campaign_folder.h"
#include "snapshot.h"
#include "trial_events.h"
#include "trial_record.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace dlcov {

class CampaignStore {
public:
    // Opens (creating when missing) the folder's campaign.db. Throws UserError on failure.
    explicit CampaignStore(const CampaignFolder& folder);
    ~CampaignStore();
    CampaignStore(const CampaignStore&) = delete;
    CampaignStore& operator=(const CampaignStore&) = delete;

    // The config hash recorded by an earlier run, "" when this is a new store.
    std::string recorded_config_hash();
    void begin_campaign(const std::string& name, const std::string& config, const std::string& config_hash,
                        const std::string& build);
    void end_campaign(const std::string& status, double wall_seconds, double harness_cpu_seconds);

    // Adds the trials (runner, trial number) as pending, those not already known, in one transaction.
    void add_trials(const std::vector<std::pair<std::string, int>>& trials);
    // Every trial, by runner and trial number (no failed_executions: the store does not keep them).
    std::vector<TrialRecord> trials();
    // Marks the trial running and counts this run of it: returns 1 for a trial started afresh,
    // 2 and up for its resumptions (runners/campaign/campaign_trial.h: each run its own seed).
    int start_trial_run(const std::string& runner, int trial, bool resume);
    void set_trial_status(const std::string& runner, int trial, const std::string& status);
    void finish_trial(const TrialRecord& record);
    // Forgets a trial's executions and findings (they are re-read from events.jsonl on resume).
    void clear_trial_events(const std::string& runner, int trial);
    // Forgets everything of a trial (events, snapshots, runs): it starts again from nothing.
    void restart_trial(const std::string& runner, int trial);
    // Elapsed seconds of the trial's last snapshot (0 when none).
    double last_snapshot_elapsed(const std::string& runner, int trial);

    void add_events(const std::string& runner, int trial, const TrialEvents& events);
    void add_snapshot(const Snapshot& snapshot, const SnapshotCost& cost);  // also the trial's seconds so far

    // The trial's latest snapshot of `overall` (elapsed < 0 when it has none).
    struct LastSnapshot {
        double elapsed = -1;
        uint64_t executions = 0, lines_covered = 0, lines_total = 0;
    };
    LastSnapshot last_snapshot(const std::string& runner, int trial);

    // A consistent copy of the whole store written to `path` (whole or not at all: through
    // `<path>.partial`), while this store stays open: how a trial run elsewhere hands its rows over.
    void copy_to(const std::string& path);
    // Replaces everything this store has of one trial (its row, executions, findings, snapshots and
    // their costs) with what the store file `other` (a copy_to) has of it, in one transaction.
    // `from_dir` and `to_dir`: a folder prefix rewritten in findings' replay commands (the trial's
    // folder where it ran and where its files are now); "" rewrites nothing.
    void import_trial(const std::string& other, const std::string& runner, int trial, const std::string& from_dir = "",
                      const std::string& to_dir = "");

    // The jobs of a batch scheduler that ran (or run) trials of this campaign.
    struct TrialJobRow {
        std::string job, runner;
        int trial = 0;
        std::string state;
    };
    void add_jobs(const std::vector<TrialJobRow>& jobs);  // state "submitted", in one transaction
    void set_job_state(const std::string& job, const std::string& state);
    std::vector<TrialJobRow> jobs();  // by submission order

private:
    void exec(const std::string& sql);
    bool has_column(const std::string& table, const std::string& column);
    bool has_index(const std::string& name);
    // Runs `body` between BEGIN IMMEDIATE and COMMIT; rolls back and rethrows when it throws.
    template <class Body>
    void in_transaction(Body body);
    sqlite3* db_ = nullptr;
    std::string path_;
    std::mutex mutex_;
};

// Every trial of a campaign as the store has it, by runner and trial number, read without
// writing. Empty when the campaign has no campaign.db. UserError when it cannot be read.
std::vector<TrialRecord> read_trials(const CampaignFolder& folder);

// All snapshots of a campaign, ordered by runner, trial and time, read without writing. Empty
// when the campaign has no campaign.db (or no snapshots yet). UserError when it cannot be read.
std::vector<Snapshot> read_snapshots(const CampaignFolder& folder);

}  // namespace dlcov
