#include "trial_publish.h"

#include "error.h"
#include "running_coverage.h"
#include "whole_file.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

bool unchanged(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    if (!fs::is_regular_file(to, ec)) return false;
    return fs::file_size(from, ec) == fs::file_size(to, ec) && fs::last_write_time(from, ec) == fs::last_write_time(to, ec);
}

size_t copy_tree(const fs::path& from, const fs::path& to, bool profile_dir) {
    size_t copied = 0;
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec) throw UserError(to.string() + ": cannot create the folder: " + ec.message());
    for (const auto& entry : fs::directory_iterator(from, ec)) {
        std::string name = entry.path().filename().string();
        if (name.size() > 8 && name.compare(name.size() - 8, 8, ".partial") == 0) continue;  // being written
        // A raw profile (or a Python or gcov data file) is folded by a snapshot, not copied.
        if (profile_dir && profile_writer_pid(name)) continue;
        fs::path target = to / name;
        std::error_code type_ec;
        if (entry.is_directory(type_ec) && !entry.is_symlink(type_ec)) {
            copied += copy_tree(entry.path(), target, name == "profiles");
        } else if (entry.is_regular_file(type_ec) && !entry.is_symlink(type_ec)) {
            if (unchanged(entry.path(), target)) continue;
            copy_whole_file(entry.path().string(), target.string());
            std::error_code time_ec;
            fs::last_write_time(target, fs::last_write_time(entry.path(), time_ec), time_ec);
            ++copied;
        }
    }
    return copied;
}

}  // namespace

size_t publish_tree(const std::string& from, const std::string& to) { return copy_tree(from, to, false); }

}  // namespace dlcov
