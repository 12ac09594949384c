// A campaign file: which framework build, which runners, how many trials.
//
//   name: demo                                  # results go to <results-dir>/demo
//   framework: ../frameworks/tinydnn.yaml       # relative to this file
//   runners:
//     - name: cradle                            # unique; a row in the report
//       style: cradle                           # implementation (runners/<style>/)
//       trials: 1
//       timeout: 60                             # seconds per execution
//       options: {backends: [internal, avx]}    # style-specific
//   random_seed: 1
#pragma once
#include "runner.h"

#include <string>
#include <vector>

namespace dlcov {

struct CampaignConfig {
    std::string path;            // absolute path of the campaign file
    std::string name;
    std::string framework_config;  // absolute path
    unsigned random_seed = 1;
    std::vector<RunnerSpec> runners;
};

// Throws UserError naming file, line and key for anything malformed.
CampaignConfig load_campaign(const std::string& path);

}  // namespace dlcov
