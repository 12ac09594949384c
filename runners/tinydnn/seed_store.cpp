#include "seed_store.h"

#include "error.h"
#include "execution.h"
#include "tool_paths.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace dlcov {

std::vector<StoredSeed> ensure_seeds(const std::string& campaign_dir) {
    fs::path dir = fs::path(campaign_dir) / "seeds";
    fs::path index = dir / "seeds.json";
    if (!fs::exists(index)) {
        fs::create_directories(dir);
        ExecutionSpec spec;
        spec.argv = {helper_program("tinydnn", "dlcov-tinydnn-seeds"), "--out", dir.string()};
        spec.timeout = std::chrono::minutes(5);
        ExecutionResult r = execute(spec);
        if (r.outcome != ExecutionResult::Exited || r.exit_code != 0 || !fs::exists(index))
            throw UserError("generating seed models into " + dir.string() + " failed (" + r.describe() + "):\n" + r.output);
    }
    std::ifstream in(index);
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        throw UserError(index.string() + ": not valid JSON: " + e.what());
    }
    std::vector<StoredSeed> seeds;
    for (const auto& s : j) {
        seeds.push_back({s.at("name").get<std::string>(), (dir / s.at("model").get<std::string>()).string(),
                         (dir / s.at("input").get<std::string>()).string(), s.value("classes", 0)});
    }
    if (seeds.empty()) throw UserError(index.string() + ": lists no seed models");
    return seeds;
}

}  // namespace dlcov
