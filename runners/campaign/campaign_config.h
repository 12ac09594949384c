// A campaign file: which framework build, which runners, how many trials of what length.
//
//   name: demo                                  # results go to <results-dir>/demo
//   framework: ../frameworks/tinydnn.yaml       # relative to this file
//   random_seed: 1
//   runners:
//     - runner: ../runners/cradle.yaml          # a runner file (configs/runners/)
//       name: cradle                            # optional: the report row (default: the file's name)
//       trials: 1
//       budget: 60                              # seconds per trial
//       options: {backends: [internal, avx]}    # over the runner file's options
#pragma once
#include "runner.h"

#include <string>
#include <vector>

namespace dlcov {

struct CampaignConfig {
    std::string path;              // absolute path of the campaign file
    std::string name;
    std::string framework_config;  // absolute path
    unsigned random_seed = 1;
    std::vector<RunnerSpec> runners;
};

// Throws UserError naming file, line and key for anything malformed (the runner files too).
CampaignConfig load_campaign(const std::string& path);

}  // namespace dlcov
