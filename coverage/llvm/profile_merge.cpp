#include "profile_merge.h"

#include "error.h"
#include "indexed_profile_check.h"
#include "indexed_profile_write.h"
#include "raw_profile_sum.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/Support/Error.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// Raw profiles carry their format version right after the magic; say which LLVM wrote them
// when this LLVM refuses them.
std::string describe_version_problem(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    uint64_t header[2] = {0, 0};
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (in && header[0] == (INSTR_PROF_RAW_MAGIC_64)) {
        uint64_t version = header[1] & ~VARIANT_MASKS_ALL;
        return "raw profile format version " + std::to_string(version) +
               ", but dlcov reads version " + std::to_string(INSTR_PROF_RAW_VERSION) +
               " (LLVM " + std::to_string(LLVM_VERSION_MAJOR) +
               "); raw profiles are only readable by the LLVM major version that compiled the "
               "build: rebuild with clang " + std::to_string(LLVM_VERSION_MAJOR) +
               " or merge with that LLVM's llvm-profdata";
    }
    return "unsupported profile version (written by another LLVM version; dlcov uses LLVM " +
           std::to_string(LLVM_VERSION_MAJOR) + ")";
}

std::string error_text(llvm::Error error, const std::string& path) {
    std::string text;
    bool version = false;
    llvm::handleAllErrors(std::move(error), [&](const llvm::InstrProfError& e) {
        if (e.get() == llvm::instrprof_error::unsupported_version) version = true;
        text = e.message();
    }, [&](const llvm::ErrorInfoBase& e) { text = e.message(); });
    return version ? describe_version_problem(path) : text;
}

// Reads every record of one profile into its own writer, so a profile that fails half-way
// contributes nothing.
using Keys = std::vector<std::pair<uint64_t, uint64_t>>;

llvm::Error read_one(const std::string& path, llvm::InstrProfWriter& writer, bool zero_counts, Keys* keys) {
    auto reader = llvm::InstrProfReader::create(path);
    if (!reader) return reader.takeError();
    if (llvm::Error e = writer.mergeProfileKind((*reader)->getProfileKind())) return e;
    llvm::Error record_error = llvm::Error::success();
    for (auto& record : **reader) {
        if (keys) keys->emplace_back(llvm::IndexedInstrProf::ComputeHash(record.Name), record.Hash);
        if (zero_counts) {
            std::fill(record.Counts.begin(), record.Counts.end(), 0);
            record.clearValueData();
        }
        writer.addRecord(std::move(record), 1, [&](llvm::Error e) {
            if (!record_error) record_error = std::move(e);
            else llvm::consumeError(std::move(e));
        });
    }
    if ((*reader)->hasError()) {
        llvm::consumeError(std::move(record_error));
        return (*reader)->getError();
    }
    return record_error;
}

}  // namespace

bool is_profile_name(const std::string& path) {
    fs::path p(path);
    return p.extension() == ".profraw" || p.extension() == ".profdata";
}

std::vector<std::string> expand_profile_paths(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& entry : fs::recursive_directory_iterator(p))
                if (entry.is_regular_file() && is_profile_name(entry.path().string())) out.push_back(entry.path().string());
        } else if (fs::exists(p, ec)) {
            out.push_back(p);
        } else {
            throw UserError(p + ": no such profile file or directory");
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {

// Adds one profile's records to `total`; returns "" or why the profile was left out.
std::string add_profile(const std::string& path, llvm::InstrProfWriter& total, bool zero_counts, Keys* keys) {
    if (fs::exists(path) && fs::file_size(path) == 0) return "empty file";
    if (std::string damage = indexed_profile_damage(path); !damage.empty()) return damage;
    llvm::InstrProfWriter one;
    if (llvm::Error e = read_one(path, one, zero_counts, keys)) return error_text(std::move(e), path);
    llvm::Error merge_error = llvm::Error::success();
    total.mergeRecordsFromWriter(std::move(one), [&](llvm::Error e) {
        if (!merge_error) merge_error = std::move(e);
        else llvm::consumeError(std::move(e));
    });
    if (merge_error) return error_text(std::move(merge_error), path);
    return "";
}

MergeResult merge(const std::vector<std::string>& profiles, const std::string& output_path, bool zero_counts,
                  bool list_functions) {
    MergeResult result;
    llvm::InstrProfWriter total;
    auto add_alone = [&](const std::string& path) {
        ProfileFunctions functions{{path}, {}};
        std::string why = add_profile(path, total, zero_counts, list_functions ? &functions.keys : nullptr);
        if (why.empty()) {
            result.merged.push_back(path);
            if (list_functions) result.functions.push_back(std::move(functions));
        } else {
            result.skipped.push_back({path, why});
        }
    };
    // Raw profiles of one binary are summed first (raw_profile_sum.h); LLVM reads one file per binary.
    fs::path scratch = output_path + ".sums";
    fs::create_directories(scratch);
    // Removed however the merge ends: a failed one (a full disk) must give back its space.
    struct RemoveScratch {
        fs::path dir;
        ~RemoveScratch() {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    } remove_scratch{scratch};
    RawProfileSums sums = sum_raw_profiles(profiles, scratch.string());
    for (const auto& group : sums.groups) {
        ProfileFunctions functions{group.members, {}};
        if (add_profile(group.summed_path, total, zero_counts, list_functions ? &functions.keys : nullptr).empty()) {
            result.merged.insert(result.merged.end(), group.members.begin(), group.members.end());
            if (list_functions) result.functions.push_back(std::move(functions));
        } else
            for (const auto& path : group.members) add_alone(path);  // let LLVM name the bad one
    }
    for (const auto& path : sums.others) add_alone(path);
    std::sort(result.merged.begin(), result.merged.end());
    std::sort(result.skipped.begin(), result.skipped.end(),
              [](const SkippedProfile& a, const SkippedProfile& b) { return a.path < b.path; });

    write_indexed_profile(total, output_path);
    return result;
}

}  // namespace

MergeResult merge_profiles(const std::vector<std::string>& profiles, const std::string& output_path,
                           bool list_functions) {
    return merge(profiles, output_path, false, list_functions);
}

MergeResult merge_profiles_zeroed(const std::vector<std::string>& profiles, const std::string& output_path) {
    return merge(profiles, output_path, true, false);
}

int supported_llvm_major() { return LLVM_VERSION_MAJOR; }

}  // namespace dlcov
