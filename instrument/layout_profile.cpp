#include "layout_profile.h"

#include "error.h"
#include "process.h"
#include "profile_merge.h"

#include <filesystem>
#include <fmt/format.h>

namespace fs = std::filesystem;

namespace dlcov {

void write_layout_profile(const std::vector<std::string>& objects, const std::string& output_path,
                          std::ostream& out) {
    fs::path scratch = fs::path(output_path).parent_path() / "layout-probe";
    fs::remove_all(scratch);
    fs::create_directories(scratch);
    std::vector<std::string> profiles;
    for (const auto& object : objects) {
        std::string name = fs::path(object).filename().string();
        ProcessSpec spec;
        spec.argv = {object};
        spec.working_dir = scratch.string();
        spec.env["LLVM_PROFILE_FILE"] = (scratch / (name + "%c.profraw")).string();
        spec.timeout = std::chrono::seconds(60);
        ProcessResult run = run_process(spec);
        std::string profile = (scratch / (name + ".profraw")).string();
        if (!fs::exists(profile))
            throw UserError(fmt::format("{} wrote no coverage profile when run without arguments ({}); is it "
                                        "built with -fprofile-instr-generate?\n{}",
                                        object, run.describe(), run.output));
        profiles.push_back(profile);
    }
    MergeResult merged = merge_profiles_zeroed(profiles, output_path);
    if (!merged.skipped.empty())
        throw UserError(fmt::format("{}: unreadable profile while writing the layout profile: {}",
                                    merged.skipped.front().path, merged.skipped.front().reason));
    fs::remove_all(scratch);
    out << fmt::format("instrument: wrote the layout profile of {} object(s) ({})\n", objects.size(), output_path);
}

}  // namespace dlcov
