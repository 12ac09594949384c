#include "profile_reading.h"

#include "error.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// A temporary file removed when it goes out of scope.
class TempFile {
public:
    explicit TempFile(const std::string& suffix) {
        std::string pattern = (fs::temp_directory_path() / ("dlcov-XXXXXX" + suffix)).string();
        int fd = mkstemps(pattern.data(), int(suffix.size()));
        if (fd < 0) throw UserError("cannot create a temporary file in " + fs::temp_directory_path().string());
        close(fd);
        path_ = pattern;
    }
    ~TempFile() {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::string profile_names(const ProfileFunctions& p) {
    if (p.profiles.size() == 1) return p.profiles.front();
    return p.profiles.front() + " (and " + std::to_string(p.profiles.size() - 1) + " other raw profile(s) of the same binary)";
}

// What each merged profile's records say about where it came from. A profile may have records the
// objects' mappings lack (functions in system headers are counted but not mapped), so only a
// profile none of whose functions is the objects', or one with functions of the objects' names
// and other code, is named.
std::vector<std::string> foreign_profile_warnings(const std::vector<ProfileFunctions>& profiles,
                                                  const std::vector<FunctionKey>& keys,
                                                  const std::string& layout_profile) {
    std::vector<uint64_t> names;
    for (const auto& k : keys) names.push_back(k.first);
    std::sort(names.begin(), names.end());
    std::vector<std::string> out;
    for (const auto& p : profiles) {
        if (p.keys.empty() || p.profiles == std::vector<std::string>{layout_profile}) continue;
        size_t matched = 0, other_code = 0;
        for (const auto& k : p.keys) {
            if (std::binary_search(keys.begin(), keys.end(), k)) ++matched;
            else if (std::binary_search(names.begin(), names.end(), k.first)) ++other_code;
        }
        if (matched == 0)
            out.push_back(fmt::format("{}: none of its {} function(s) is one of the objects' (a profile of another "
                                      "program or another build?); it adds nothing",
                                      profile_names(p), p.keys.size()));
        else if (other_code > 0)
            out.push_back(fmt::format("{}: {} of its {} function(s) have the objects' names but other code (a profile of "
                                      "another build?); their counts are left out",
                                      profile_names(p), other_code, p.keys.size()));
    }
    return out;
}

}  // namespace

void check_objects(const std::vector<std::string>& objects) {
    if (objects.empty()) throw UserError("no objects given: name the instrumented executables or libraries");
    for (const auto& o : objects)
        if (!fs::is_regular_file(o)) throw UserError(o + ": no such object file");
}

namespace {

// The profiles of a reading merged into a temporary indexed profile, before any object is read.
struct MergedProfiles {
    TempFile merged{".profdata"};
    MergeResult merge;
};

void merge_for_reading(const std::vector<std::string>& profiles, const std::string& layout_profile,
                       MergedProfiles& out) {
    std::vector<std::string> inputs = expand_profile_paths(profiles);
    if (!layout_profile.empty()) {
        if (!fs::is_regular_file(layout_profile))
            throw UserError(layout_profile + ": the build's layout profile is missing; run `dlcov instrument` again");
        inputs.push_back(layout_profile);
    }
    out.merge = merge_profiles(inputs, out.merged.path(), /*list_functions=*/true);
    if (!layout_profile.empty()) {
        auto& m = out.merge.merged;
        m.erase(std::remove(m.begin(), m.end(), layout_profile), m.end());
        for (const auto& s : out.merge.skipped)
            if (s.path == layout_profile) throw UserError(layout_profile + ": unreadable layout profile: " + s.reason);
    }
}

ProfileCoverage read_merged(const DecodedMapping& objects, MergedProfiles& merged, const std::string& layout_profile) {
    ProfileCoverage out;
    out.merge = std::move(merged.merge);
    out.coverage = read_llvm_coverage(objects, merged.merged.path());
    if (!out.merge.functions.empty())
        out.warnings = foreign_profile_warnings(out.merge.functions, objects.function_keys(), layout_profile);
    if (std::string negative = negative_counts_warning(out.coverage); !negative.empty()) out.warnings.push_back(negative);
    return out;
}

}  // namespace

DecodedReading decode_and_measure(const std::vector<std::string>& objects, const std::vector<std::string>& profiles,
                                  const std::string& layout_profile) {
    check_objects(objects);
    // Decoding the objects and merging the profiles need nothing of each other: the decoding runs
    // on a thread of its own. Its errors come first, as when the objects were decoded first.
    DecodedReading out;
    std::exception_ptr decode_failure, merge_failure;
    std::thread decode([&] {
        try {
            out.mapping = DecodedMapping::shared(objects);
        } catch (...) {
            decode_failure = std::current_exception();
        }
    });
    std::optional<MergedProfiles> merged;  // made inside the try: nothing may throw past the thread
    try {
        merged.emplace();
        merge_for_reading(profiles, layout_profile, *merged);
    } catch (...) {
        merge_failure = std::current_exception();
    }
    decode.join();
    if (decode_failure) std::rethrow_exception(decode_failure);
    if (merge_failure) std::rethrow_exception(merge_failure);
    out.reading = read_merged(*out.mapping, *merged, layout_profile);
    return out;
}

ProfileCoverage measure_profiles(const std::vector<std::string>& objects,
                                 const std::vector<std::string>& profiles,
                                 const std::string& layout_profile) {
    return decode_and_measure(objects, profiles, layout_profile).reading;
}

ProfileCoverage measure_profiles(const DecodedMapping& objects,
                                 const std::vector<std::string>& profiles,
                                 const std::string& layout_profile) {
    MergedProfiles merged;
    merge_for_reading(profiles, layout_profile, merged);
    return read_merged(objects, merged, layout_profile);
}

}  // namespace dlcov
