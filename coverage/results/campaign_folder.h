// Reading and writing a campaign folder written by `dlcov run`, for the commands that report
// on one (dlcov report, dlcov diff).
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlcov {

// A JSON file of the folder; UserError naming the file when it is missing or not JSON.
nlohmann::json read_campaign_file(const std::filesystem::path& path);

// The profile folder of every trial of one runner (an entry of campaign.json's "runners").
std::vector<std::string> trial_profile_dirs(const std::filesystem::path& campaign_dir, const nlohmann::json& runner);

// Writes `text` to `path`; UserError when it cannot.
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace dlcov
