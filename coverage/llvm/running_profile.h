// A trial's running total of counters (the indexed profile raw profiles are folded into,
// llvm_layer.h), kept in memory between folds as well as on disk.
//
// Folding through LLVM's library costs a campaign snapshot most of its time: LLVM's raw reader
// inflates and hashes each binary's function names on every read, and the total is read back and
// written again. Here raw profiles of this LLVM's coverage format are added to the counters in
// memory (names looked up by the MD5 each record carries), and the total is written once, as
// InstrProfWriter writes it: the file is what merging it with LLVM's library would write.
// Anything else (an indexed profile, a damaged or foreign raw profile, counters that do not add
// up) is left to the caller's merge through LLVM, which says what is wrong.
//
// The memory holds the file only as long as the file is the one written last (its identity:
// device, inode, size, modification time): a total replaced or restarted outside this object is
// read again.
#pragma once
#include "mapping_evaluation.h"  // ProfileLookup

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace dlcov {

class RunningProfile {
public:
    // Folds `profiles` into the indexed profile at `total` (written to <total>.partial, then
    // renamed) and returns them, when every one is a raw profile dlcov adds up itself and the file
    // at `total` is a frontend profile without value data; nullopt, with nothing changed, when
    // not. Throws UserError when the total cannot be written (the memory is then dropped).
    std::optional<std::vector<std::string>> fold(const std::string& total, const std::vector<std::string>& profiles);

    // Calls `use` with the counters of the file at `total` (IndexedInstrProfReader's lookup) while
    // they are in memory and returns true; false when they are not.
    bool with_counts(const std::string& total, const std::function<void(const FunctionCounts&)>& use);

private:
    struct Record {
        uint64_t hash;
        std::vector<uint64_t> counts;
    };
    struct FileIdentity {
        uint64_t device = 0, inode = 0, size = 0, modified_ns = 0;
        bool operator==(const FileIdentity& o) const {
            return device == o.device && inode == o.inode && size == o.size && modified_ns == o.modified_ns;
        }
    };
    static std::optional<FileIdentity> identity_of(const std::string& path);
    bool holds(const std::string& total) const;
    bool load(const std::string& total);
    std::string_view name_of(const std::string& name);  // interned
    void write(const std::string& total);
    void forget();

    std::mutex mutex_;
    std::string path_;  // "" when nothing is held
    FileIdentity identity_;
    std::unordered_set<std::string> names_;  // every name seen (stable addresses)
    std::unordered_map<std::string_view, std::vector<Record>> functions_;  // by PGO name
    std::unordered_map<uint64_t, std::string_view> by_md5_;  // the names by the MD5 raw records carry
    std::unordered_set<size_t> checked_name_tables_;  // hashes of raw names sections LLVM read
};

}  // namespace dlcov
