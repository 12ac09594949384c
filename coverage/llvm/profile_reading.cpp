#include "profile_reading.h"

#include "error.h"

#include <algorithm>
#include <filesystem>
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

}  // namespace

void check_objects(const std::vector<std::string>& objects) {
    if (objects.empty()) throw UserError("no objects given: name the instrumented executables or libraries");
    for (const auto& o : objects)
        if (!fs::is_regular_file(o)) throw UserError(o + ": no such object file");
}

ProfileCoverage measure_profiles(const std::vector<std::string>& objects,
                                 const std::vector<std::string>& profiles,
                                 const std::string& layout_profile) {
    check_objects(objects);
    TempFile merged(".profdata");
    ProfileCoverage out;
    std::vector<std::string> inputs = expand_profile_paths(profiles);
    if (!layout_profile.empty()) {
        if (!fs::is_regular_file(layout_profile))
            throw UserError(layout_profile + ": the build's layout profile is missing; run `dlcov instrument` again");
        inputs.push_back(layout_profile);
    }
    out.merge = merge_profiles(inputs, merged.path());
    if (!layout_profile.empty()) {
        auto& m = out.merge.merged;
        m.erase(std::remove(m.begin(), m.end(), layout_profile), m.end());
        for (const auto& s : out.merge.skipped)
            if (s.path == layout_profile) throw UserError(layout_profile + ": unreadable layout profile: " + s.reason);
    }
    out.coverage = read_llvm_coverage(objects, merged.path());
    return out;
}

}  // namespace dlcov
