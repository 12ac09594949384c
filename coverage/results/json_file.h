// Reading and writing the JSON files of the campaign folder, for the record types that own them.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace dlcov {

// The file's JSON; UserError naming the file when it is missing or not JSON.
nlohmann::json read_json_file(const std::string& path);

// Writes `j` indented by 2, whole or not at all (whole_file.h): a reader never sees half a file.
// Strings that are not UTF-8 are written escaped (outside_text.h).
void write_json_file(const std::string& path, const nlohmann::json& j);

}  // namespace dlcov
