#include "running_profile.h"

#include "error.h"
#include "indexed_profile_check.h"
#include "indexed_profile_write.h"
#include "raw_profile_sum.h"
#include "whole_file.h"

#include <algorithm>
#include <filesystem>

#include <sys/stat.h>

#include <llvm/ProfileData/InstrProf.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/Support/Error.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// What one fold adds to a function (name and hash), before it is added to the total.
struct Addition {
    std::string_view name;
    uint64_t hash;
    std::vector<uint64_t> counts;
};

struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& k) const { return k.first ^ (k.second * 0x9E3779B97F4A7C15ull); }
};

// Adds `more` to `into` as InstrProfRecord::merge does; false when the sizes differ (LLVM's
// counter_mismatch) or a sum overflows (counter_overflow): LLVM's merge reports those.
bool add_counts(std::vector<uint64_t>& into, const uint64_t* more, size_t n, bool check_only) {
    if (into.size() != n) return false;
    for (size_t i = 0; i < n; ++i) {
        uint64_t sum;
        if (__builtin_add_overflow(into[i], more[i], &sum)) return false;
        if (!check_only) into[i] = sum;
    }
    return true;
}

}  // namespace

std::optional<RunningProfile::FileIdentity> RunningProfile::identity_of(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileIdentity{uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size),
                        uint64_t(st.st_mtim.tv_sec) * 1000000000ull + uint64_t(st.st_mtim.tv_nsec)};
}

bool RunningProfile::holds(const std::string& total) const {
    if (path_.empty() || path_ != total) return false;
    std::optional<FileIdentity> now = identity_of(total);
    return now && *now == identity_;
}

void RunningProfile::forget() {
    path_.clear();
    functions_.clear();
    by_md5_.clear();
    names_.clear();
    checked_name_tables_.clear();
}

std::string_view RunningProfile::name_of(const std::string& name) { return *names_.insert(name).first; }

bool RunningProfile::load(const std::string& total) {
    forget();
    std::optional<FileIdentity> before = identity_of(total);
    if (!before || !indexed_profile_damage(total).empty()) return false;
    auto reader = llvm::InstrProfReader::create(total);
    if (!reader) {
        llvm::consumeError(reader.takeError());
        return false;
    }
    // Only what the fold writes back unchanged: a frontend profile without value data (LLVM 14's
    // indexed reader reports one as Unknown: none of the IR, CS, entry or single-byte bits).
    if ((unsigned((*reader)->getProfileKind()) & ~unsigned(llvm::InstrProfKind::FE)) != 0) return false;
    bool usable = true;
    for (auto& record : **reader) {
        if (record.getNumValueKinds() != 0) usable = false;
        std::string_view name = name_of(record.Name.str());
        by_md5_.emplace(llvm::IndexedInstrProf::ComputeHash(name), name);
        functions_[name].push_back({record.Hash, std::move(record.Counts)});
    }
    if ((*reader)->hasError()) {
        llvm::consumeError((*reader)->getError());
        usable = false;
    }
    std::optional<FileIdentity> after = identity_of(total);
    if (!usable || !after || !(*after == *before)) {
        forget();
        return false;
    }
    path_ = total;
    identity_ = *after;
    return true;
}

void RunningProfile::write(const std::string& total) {
    llvm::InstrProfWriter writer;
    llvm::cantFail(writer.mergeProfileKind(llvm::InstrProfKind::FE));
    for (const auto& [name, records] : functions_)
        for (const auto& r : records)
            writer.addRecord(llvm::NamedInstrProfRecord(llvm::StringRef(name.data(), name.size()), r.hash,
                                                        std::vector<uint64_t>(r.counts)),
                             1, [](llvm::Error e) { llvm::consumeError(std::move(e)); });
    // <total>.partial first, then renamed: a killed harness or a full disk leaves the old total or the new one.
    std::string partial = partial_path(total);
    write_indexed_profile(writer, partial);
    std::error_code ec;
    fs::rename(partial, total, ec);
    if (ec) {
        fs::remove(partial, ec);
        throw UserError(total + ": cannot replace it with " + partial + ": " + ec.message());
    }
    std::optional<FileIdentity> written = identity_of(total);
    if (!written) throw UserError(total + ": written, then gone");
    identity_ = *written;
}

std::optional<std::vector<std::string>> RunningProfile::fold(const std::string& total,
                                                             const std::vector<std::string>& profiles) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!holds(total) && !load(total)) return std::nullopt;
    SummedRawProfiles sums = sum_raw_profiles_by_binary(profiles);
    if (!sums.others.empty()) return std::nullopt;

    // What the new profiles add, per function (functions of headers come in several binaries).
    std::vector<Addition> additions;
    std::unordered_map<std::pair<uint64_t, uint64_t>, size_t, PairHash> addition_of;
    for (const SummedBinary& binary : sums.binaries) {
        const char* bytes = binary.bytes.data();
        std::optional<std::vector<RawRecord>> records = raw_records(bytes, binary.shape);
        if (!records) return std::nullopt;
        // LLVM's reader refuses a profile whose names do not inflate: each names section is read
        // through LLVM once, which also names the functions the total has not seen.
        std::string_view names = raw_names(bytes, binary.shape);
        size_t names_hash = std::hash<std::string_view>()(names);
        if (!checked_name_tables_.count(names_hash)) {
            llvm::InstrProfSymtab symtab;
            if (llvm::Error e = symtab.create(llvm::StringRef(names.data(), names.size()))) {
                llvm::consumeError(std::move(e));
                return std::nullopt;
            }
            for (const RawRecord& r : *records)
                if (!by_md5_.count(r.name_ref)) {
                    llvm::StringRef name = symtab.getFuncName(r.name_ref);
                    if (name.empty()) return std::nullopt;
                    by_md5_.emplace(r.name_ref, name_of(name.str()));
                }
            checked_name_tables_.insert(names_hash);
        }
        std::vector<uint64_t> counts;
        for (const RawRecord& r : *records) {
            auto name = by_md5_.find(r.name_ref);
            if (name == by_md5_.end()) return std::nullopt;
            counts.resize(r.counters);
            for (uint32_t i = 0; i < r.counters; ++i) counts[i] = raw_counter(bytes, binary.shape, r.first_counter + i);
            auto [at, added] = addition_of.emplace(std::make_pair(r.name_ref, r.hash), additions.size());
            if (added)
                additions.push_back({name->second, r.hash, counts});
            else if (!add_counts(additions[at->second].counts, counts.data(), counts.size(), false))
                return std::nullopt;
        }
    }
    // Checked against the total before anything changes: a fold is all or nothing. Each addition's
    // record in the total, found once; additions to known records first, since new records of a
    // known name may move that name's records.
    std::vector<Record*> into(additions.size(), nullptr);
    for (size_t i = 0; i < additions.size(); ++i) {
        const Addition& a = additions[i];
        auto function = functions_.find(a.name);
        if (function == functions_.end()) continue;
        for (Record& r : function->second)
            if (r.hash == a.hash) into[i] = &r;
        if (into[i] && !add_counts(into[i]->counts, a.counts.data(), a.counts.size(), true)) return std::nullopt;
    }
    for (size_t i = 0; i < additions.size(); ++i)
        if (into[i]) add_counts(into[i]->counts, additions[i].counts.data(), additions[i].counts.size(), false);
    for (size_t i = 0; i < additions.size(); ++i)
        if (!into[i]) functions_[additions[i].name].push_back({additions[i].hash, std::move(additions[i].counts)});
    try {
        write(total);
    } catch (...) {
        forget();  // the memory is ahead of the file now
        throw;
    }
    std::vector<std::string> folded;
    for (auto& binary : sums.binaries)
        folded.insert(folded.end(), std::make_move_iterator(binary.members.begin()),
                      std::make_move_iterator(binary.members.end()));
    std::sort(folded.begin(), folded.end());
    return folded;
}

bool RunningProfile::with_counts(const std::string& total, const std::function<void(const FunctionCounts&)>& use) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!holds(total)) return false;
    // IndexedInstrProfReader::getFunctionCounts: the name first, then the hash among its records.
    use([this](const std::string& name, uint64_t hash, std::vector<uint64_t>& counts) {
        auto function = functions_.find(name);
        if (function == functions_.end()) return ProfileLookup::unknown_function;
        for (const Record& r : function->second)
            if (r.hash == hash) {
                counts = r.counts;
                return ProfileLookup::found;
            }
        return ProfileLookup::hash_mismatch;
    });
    return true;
}

}  // namespace dlcov
