// executor: slurm. The head `dlcov run` submits the campaign's trials as one Slurm job array
// (`sbatch --array`), each task running `dlcov trial` (trial_task.h) on a compute node, and follows
// the tasks: squeue for their states, and what each task copies into the shared campaign folder
// (<trial>/trial.db at every snapshot, <trial>/task.json when it ends), which it imports into
// campaign.db as it changes. Every job id is recorded in campaign.db (trial_jobs).
//
// A task that ends without finishing its trial is marked with what happened (cancelled,
// preempted, timeout, failed, lost: gone from squeue without a word) and its trial interrupted;
// cancelled, preempted and lost ones are submitted again (twice at most per `dlcov run`) and go
// on from their last snapshot; a failed one is named and resumed by the next `dlcov run`.
// A stop signal (Ctrl-C, SIGTERM) scancels the campaign's tasks and waits for their last copy.
// Run again (after a stop, or a SIGKILL of the head), `dlcov run` follows the tasks still queued or
// running (found by the campaign's job name, even those it had no time to record), imports those
// that ended meanwhile and submits only trials no task holds: no trial runs twice.
#pragma once
#include "trial_scheduler.h"

#include <iosfwd>

namespace dlcov {

TrialsOutcome run_trials_on_slurm(const CampaignContext& campaign, std::deque<std::unique_ptr<TrialJob>>& jobs,
                                  int parallel);

// Cancels every task of the campaign still queued or running and waits (up to KillWait and a
// margin) until Slurm shows none active: before --overwrite empties a folder they write into.
void cancel_campaign_tasks(const CampaignFolder& folder, const std::string& campaign_name, std::ostream& out);

// The job name of a campaign's tasks: its name and a hash of its folder (two campaigns of one
// name in different results folders do not mix).
std::string slurm_job_name(const CampaignFolder& folder, const std::string& campaign_name);

}  // namespace dlcov
