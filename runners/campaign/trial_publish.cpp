#include "trial_publish.h"

#include "error.h"
#include "running_coverage.h"
#include "whole_file.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// A folder prefix rewritten in the files that name it (none when `from` is empty).
struct Rewrite {
    std::string from, to;
    bool applies_to(const std::string& name) const {
        return !from.empty() && (name == "events.jsonl" || name == "findings.json");
    }
};

// A rewritten copy differs in size from its source: its time alone says whether it is current.
bool unchanged(const fs::path& from, const fs::path& to, bool rewritten) {
    std::error_code ec;
    if (!fs::is_regular_file(to, ec)) return false;
    return (rewritten || fs::file_size(from, ec) == fs::file_size(to, ec)) &&
           fs::last_write_time(from, ec) == fs::last_write_time(to, ec);
}

void copy_rewritten(const fs::path& from, const fs::path& to, const Rewrite& rewrite) {
    std::ifstream in(from, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) throw UserError(from.string() + ": cannot read it");
    for (size_t at = text.find(rewrite.from); at != std::string::npos; at = text.find(rewrite.from, at + rewrite.to.size()))
        text.replace(at, rewrite.from.size(), rewrite.to);
    write_whole_file(to.string(), text);
}

size_t copy_tree(const fs::path& from, const fs::path& to, bool profile_dir, const Rewrite& rewrite) {
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
            copied += copy_tree(entry.path(), target, name == "profiles", rewrite);
        } else if (entry.is_regular_file(type_ec) && !entry.is_symlink(type_ec)) {
            bool rewritten = rewrite.applies_to(name);
            if (unchanged(entry.path(), target, rewritten)) continue;
            if (rewritten)
                copy_rewritten(entry.path(), target, rewrite);
            else
                copy_whole_file(entry.path().string(), target.string());
            std::error_code time_ec;
            fs::last_write_time(target, fs::last_write_time(entry.path(), time_ec), time_ec);
            ++copied;
        }
    }
    return copied;
}

}  // namespace

size_t publish_tree(const std::string& from, const std::string& to) { return copy_tree(from, to, false, {}); }

size_t publish_tree(const std::string& from, const std::string& to, const std::string& folder_from,
                    const std::string& folder_to) {
    // With the separator: /scratch/dlcov-1/demo is not a prefix of /scratch/dlcov-1/demo2/...
    return copy_tree(from, to, false, {(fs::path(folder_from) / "").string(), (fs::path(folder_to) / "").string()});
}

}  // namespace dlcov
