#include "json_file.h"

#include "error.h"
#include "outside_text.h"
#include "whole_file.h"

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
    nlohmann::json text = j;
    escape_json_text(text);  // names and output from outside may not be UTF-8
    write_whole_file(path, text.dump(2) + "\n");
}

}  // namespace dlcov
