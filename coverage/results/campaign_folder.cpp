#include "campaign_folder.h"

#include "error.h"

#include <fstream>

namespace fs = std::filesystem;

namespace dlcov {

nlohmann::json read_campaign_file(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw UserError(path.string() + ": cannot read (is this a campaign folder written by `dlcov run`?)");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw UserError(path.string() + ": not valid JSON: " + e.what());
    }
}

std::vector<std::string> trial_profile_dirs(const fs::path& campaign_dir, const nlohmann::json& runner) {
    std::vector<std::string> out;
    for (const auto& trial : runner.at("trials"))
        out.push_back((campaign_dir / trial.at("dir").get<std::string>() / "profiles").string());
    return out;
}

void write_text_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw UserError(path.string() + ": cannot write");
}

}  // namespace dlcov
