// Merging raw (.profraw) and indexed (.profdata) profiles into one indexed profile, in process,
// the way `llvm-profdata merge` does — except that a corrupt, truncated or foreign-version
// profile is reported and skipped instead of failing the whole merge.
#pragma once
#include "coverage_layer.h"  // SkippedProfile

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlcov {

// The functions one merged profile has records for (raw profiles of one binary share them).
struct ProfileFunctions {
    std::vector<std::string> profiles;  // the profile, or the raw profiles of one binary
    std::vector<std::pair<uint64_t, uint64_t>> keys;  // MD5 of each record's name, its structural hash
};

struct MergeResult {
    std::vector<std::string> merged;      // profiles whose records were all read
    std::vector<SkippedProfile> skipped;  // profiles left out, with why
    std::vector<ProfileFunctions> functions;  // of the merged profiles, when asked for
};

// Whether a file's name is that of a raw or indexed profile (*.profraw, *.profdata).
bool is_profile_name(const std::string& path);

// Expands files and directories (recursively: *.profraw and *.profdata) into a sorted list.
// Throws UserError for a path that does not exist.
std::vector<std::string> expand_profile_paths(const std::vector<std::string>& paths);

// Merges `profiles` and writes the indexed result to `output_path` (an empty profile when
// nothing could be read). Never throws for a bad profile; throws UserError when the output
// cannot be written. With `list_functions`, also says which functions each profile has records for.
MergeResult merge_profiles(const std::vector<std::string>& profiles, const std::string& output_path,
                           bool list_functions = false);

// As merge_profiles, with every counter set to zero: the functions the profiles know (name and
// structural hash) and nothing about how often they ran. See instrument/layout_profile.h.
MergeResult merge_profiles_zeroed(const std::vector<std::string>& profiles, const std::string& output_path);

// The LLVM major version dlcov reads raw profiles of (the one it is built with): a build's clang
// must have the same, since raw profile formats change between majors.
int supported_llvm_major();

}  // namespace dlcov
