// A campaign file: which framework build, which runners, how many trials of what length.
//
//   name: demo                                  # results go to <results-dir>/demo
//   framework: ../frameworks/tinydnn.yaml       # relative to this file
//   framework_mode: gcov                        # optional, source-build recipes only (*-src.yaml): the
//                                               #   build of that mode (default: the recipe's mode)
//   random_seed: 1                              # trial n of a runner gets seed random_seed + n - 1
//   results_dir: ../../results                 # optional: where campaign folders go, relative to this
//                                               #   file (default: ./results; --results-dir overrides)
//   snapshot_interval: 10                       # seconds between coverage snapshots of a trial
//   jobs: 2                                     # trials at once (default: the number of cores;
//                                               #   `dlcov run -j N` overrides)
//   runners:
//     - runner: ../runners/cradle.yaml          # a runner file (configs/runners/)
//       name: cradle                            # optional: the report row (default: the file's name)
//       trials: 1
//       budget: 60                              # seconds per trial
//       options: {backends: [internal, avx]}    # over the runner file's options
//   executor: slurm                             # optional: local (default) or slurm
//   slurm:                                      # with executor: slurm (runners/campaign/README.md)
//     partition: batch                          # sbatch --partition (default: the cluster's)
//     account: mylab                            # sbatch --account
//     cpus_per_trial: 2                         # sbatch --cpus-per-task (default 1)
//     scratch: /local/scratch                   # a trial's work on the node (default: $TMPDIR, else /tmp)
//     sbatch_args: [--qos=short]                # given to sbatch as they are
#pragma once
#include "runner.h"

#include <string>
#include <vector>

namespace dlcov {

// Where a campaign's trials run on a Slurm cluster (executor: slurm).
struct SlurmSettings {
    std::string partition, account;   // "" = the cluster's default
    int cpus_per_trial = 1;
    std::string scratch;              // "" = $TMPDIR on the node, else /tmp
    std::vector<std::string> sbatch_args;
};

struct CampaignConfig {
    std::string path;              // absolute path of the campaign file
    std::string name;
    std::string framework_config;  // absolute path
    std::string framework_mode;    // "" = the recipe's; a source build is used as built, never rebuilt
    std::string results_dir;       // absolute path, "" when the file does not say
    unsigned random_seed = 1;
    double snapshot_interval = 10;  // seconds
    int jobs = 0;                   // 0 = the number of cores
    std::string executor = "local";  // local | slurm
    SlurmSettings slurm;
    // What the campaign means: the parsed content of the campaign file, its runner files, its
    // framework config and that config's component map, each hashed (comments and layout do not
    // count). A resumed campaign must mean what it meant.
    std::string content_hash;
    std::vector<RunnerSpec> runners;
};

// Throws UserError naming file, line and key for anything malformed (the runner files too):
// numbers out of range (budget, trials, random_seed, snapshot_interval, jobs), keys given twice.
CampaignConfig load_campaign(const std::string& path);

// The files whose meaning changed since `recorded` (a content_hash an earlier run stored; also the
// older hash of the campaign file's bytes): empty when the campaign means what it meant.
std::vector<std::string> changed_files(const CampaignConfig& config, const std::string& recorded);

}  // namespace dlcov
