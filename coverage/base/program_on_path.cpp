#include "program_on_path.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov {

std::optional<std::string> program_on_path(const std::string& name) {
    const char* search = std::getenv("PATH");
    std::stringstream dirs(search ? search : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;  // an empty entry would mean the working folder: not trusted
        fs::path candidate = fs::absolute(fs::path(dir) / name).lexically_normal();
        std::error_code error;
        if (fs::is_regular_file(candidate, error) && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return std::nullopt;
}

}  // namespace dlcov
