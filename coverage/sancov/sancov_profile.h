// Reading and writing sancov profile files (sancov_format.h): a process's, written by the
// runtime as it runs, and a running total, written here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dlcov::sancov {

// One binary's counters: counts[i] is how often the edge of its pc-table entry i ran.
struct ModuleCounts {
    std::string build_id;  // hex; "" when the binary had none
    std::string path;      // where it ran from
    uint64_t file_size = 0;
    std::vector<uint64_t> counts;
};

struct Profile {
    uint32_t counter_bytes = 0;  // 4: a process's; 8: a total
    uint32_t pid = 0;            // the writer; 0 for a total
    std::vector<ModuleCounts> modules;
};

// Whether a file name is a sancov profile's (*.sancov).
bool is_sancov_profile_name(const std::string& path);

// Reads a profile. UserError naming the file, the byte offset and what was expected when it is
// not a sancov profile, of another format version, or cut short inside a record. A record whose
// header page is all zeros ends the file: the runtime had grown the file for a module and was
// killed before it wrote the header (the module had run nothing yet).
Profile read_sancov_profile(const std::string& path);

// Writes a total (8-byte counters, pid 0) to `path` atomically (a temporary file renamed over it).
// UserError naming the file when it cannot.
void write_sancov_total(const std::string& path, const std::vector<ModuleCounts>& modules);

}  // namespace dlcov::sancov
