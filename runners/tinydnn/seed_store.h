// The seed models every tiny-dnn tester starts from, generated once per campaign by
// dlcov-tinydnn-seeds into <campaign>/seeds/.
#pragma once
#include <string>
#include <vector>

namespace dlcov {

struct StoredSeed {
    std::string name;
    std::string model;  // absolute path of the tiny-dnn JSON model
    std::string input;  // absolute path of its input file (samples and labels)
    int classes = 0;
};

// Generates the seeds under <campaign_dir>/seeds unless seeds.json is already there, and lists
// them. Throws UserError when the generator fails.
std::vector<StoredSeed> ensure_seeds(const std::string& campaign_dir);

}  // namespace dlcov
