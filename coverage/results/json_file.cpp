#include "json_file.h"

#include "error.h"

#include <filesystem>
#include <fstream>

namespace dlcov {

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UserError(path + ": cannot read (is this a campaign folder written by `dlcov run`?)");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw UserError(path + ": not valid JSON: " + e.what());
    }
}

void write_json_file(const std::string& path, const nlohmann::json& j) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << j.dump(2) << "\n";
        if (!out) throw UserError(tmp + ": cannot write");
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace dlcov
