// The Slurm commands `dlcov run` uses with executor: slurm, run as programs (no library: the
// cluster's own client tools, whatever its version): sbatch to submit a job array, squeue to follow
// its tasks (the cluster may have no accounting storage, so no sacct), scancel to stop them.
// Each throws UserError with the command line and what it printed when it fails.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct SlurmTask {
    std::string job;     // <array job id>_<task id>
    std::string state;   // squeue's: PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, PREEMPTED ...
    std::string reason;  // why it waits or ended
    std::string comment; // the submission it belongs to (slurm/submission-<n>)
    int index = -1;      // its index in the array
};

// True for the states of a task that has ended (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...).
bool slurm_state_ended(const std::string& state);

// Submits `script` with `args` (before the script) and returns the job id sbatch printed.
std::string sbatch(const std::vector<std::string>& args, const std::string& script);

// Every task of the jobs named `job_name` that squeue still shows (ended ones included, for the
// cluster's MinJobAge), by job id.
std::map<std::string, SlurmTask> squeue_tasks(const std::string& job_name);

// Cancels the given jobs or tasks (Slurm sends them SIGTERM, then SIGKILL after its KillWait).
void scancel(const std::vector<std::string>& jobs);

}  // namespace dlcov
