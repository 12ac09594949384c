// One reading of clang-instrumented objects under a set of profiles: the profiles merged into a
// temporary indexed profile, the objects read with it. Its layout is the one `llvm-cov report`
// counts on for these profiles (LLVM 14's line totals depend on which functions ran:
// layout_alignment.h), so it is what the llvm layer (llvm_layer.h) reads layouts and counts with.
#pragma once
#include "llvm_reader.h"
#include "profile_merge.h"

#include <memory>
#include <string>
#include <vector>

namespace dlcov {

// Coverage of a set of objects under the merge of a set of profiles.
struct ProfileCoverage {
    LlvmCoverage coverage;
    MergeResult merge;
    // Profiles that do not belong to the objects, named: none of a profile's functions is the
    // objects' (another program), or some have the objects' names but not their code (another build).
    std::vector<std::string> warnings;
};

// Merges `profiles` (files, or directories searched for *.profraw/*.profdata) through a temporary
// indexed profile and reads the objects with it. No profiles at all gives zero counts.
// `layout_profile` (a build's, see instrument/layout_profile.h; "" for none) is merged in too, so
// that any profiles of the build are read into the build's one layout; it is not listed in `merge`.
ProfileCoverage measure_profiles(const std::vector<std::string>& objects,
                                 const std::vector<std::string>& profiles,
                                 const std::string& layout_profile = "");
// The same with the objects decoded before (decoded_mapping.h), for callers that measure the same
// objects often.
ProfileCoverage measure_profiles(const DecodedMapping& objects,
                                 const std::vector<std::string>& profiles,
                                 const std::string& layout_profile = "");

// A reading and the objects' decoded mapping, for callers that read the same objects again.
struct DecodedReading {
    std::shared_ptr<const DecodedMapping> mapping;  // DecodedMapping::shared
    ProfileCoverage reading;
};
// measure_profiles on objects not decoded yet: they are decoded while the profiles are merged
// (on 2 cores, a one-off reading takes about the longer of the two instead of their sum).
DecodedReading decode_and_measure(const std::vector<std::string>& objects, const std::vector<std::string>& profiles,
                                  const std::string& layout_profile = "");

// UserError unless `objects` names at least one object and every one exists.
void check_objects(const std::vector<std::string>& objects);

}  // namespace dlcov
