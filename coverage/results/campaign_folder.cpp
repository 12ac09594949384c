#include "campaign_folder.h"

#include "error.h"
#include "whole_file.h"

#include <fstream>

namespace fs = std::filesystem;

namespace dlcov {

CampaignFolder::CampaignFolder(const fs::path& dir) : dir_(fs::absolute(dir).lexically_normal().string()) {}

std::string CampaignFolder::trial_dir(const std::string& runner, int trial) {
    return (fs::path(runner) / ("trial-" + std::to_string(trial))).generic_string();
}

void write_text_file(const fs::path& path, const std::string& text) { write_whole_file(path.string(), text); }

}  // namespace dlcov
