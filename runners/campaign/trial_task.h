// `dlcov trial`: one trial of a campaign run on its own, as a Slurm task runs it on a compute node.
// The trial is the local executor's (campaign_trial.h: the same tester, per-process profiles,
// folding and snapshots), run in a folder of the node's local disk; at every snapshot what it has
// is copied into the shared campaign folder, each file written whole under a temporary name and
// renamed (trial_publish.h), its store last (<trial>/trial.db). So the shared folder always holds a
// consistent state of the trial, from which `dlcov run` imports its snapshots and findings, and
// from which a later task resumes it when this one is lost (cancelled, preempted, a dead node).
//
// What the trial did last is <trial>/task.json: the job, the node, and running, finished,
// interrupted (stopped by a signal: scancel, a time limit, preemption) or failed (with why).
// A task whose trial has finished already ends at once: no trial runs twice.
#pragma once
#include <iosfwd>
#include <string>

namespace dlcov {

struct TrialTaskOptions {
    std::string campaign_dir;   // the shared campaign folder (its campaign.json names file and build)
    std::string runner;
    int trial = 1;
    std::string scratch;        // "" = the campaign's slurm.scratch, else $TMPDIR, else /tmp
    std::string job;            // the scheduler's id of this task ("" when run by hand)
    std::string config_hash;    // what the campaign meant when submitted ("" = not checked)
    bool keep_profiles = false;
};

// Runs the trial; returns the exit status: 0 finished (now or before), 130 interrupted, 2 failed.
int run_trial_task(const TrialTaskOptions& options, std::ostream& out);

// Reads trial `index` (0-based) of a submission's list (slurm/submission-<n>.json, written by the
// head) into `options` (runner, trial, config hash). UserError naming the file when it has none.
void read_submission_entry(const std::string& list_path, int index, TrialTaskOptions& options);

}  // namespace dlcov
