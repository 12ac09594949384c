// Summing raw profiles of the same binary before LLVM reads them.
//
// Every process of an instrumented binary writes a raw profile that is byte-for-byte the same as
// its siblings' except for the counters: header, function records and names depend only on the
// binary. So N raw profiles of one binary merge into one by adding their counter arrays, which
// takes milliseconds, where reading each through LLVM's raw reader and InstrProfWriter takes
// 0.1-0.15 s for tiny-dnn's ~20k functions. A campaign that folds thousands of profiles spends its
// time here or not at all.
#pragma once
#include "raw_profile_format.h"

#include <string>
#include <vector>

namespace dlcov {

// The raw profiles of one binary, summed in memory.
struct SummedBinary {
    RawShape shape;
    std::vector<char> bytes;           // a raw profile holding the sum of the members' counters
    std::vector<std::string> members;  // the profiles summed into it (one or more)
};

struct SummedRawProfiles {
    std::vector<SummedBinary> binaries;  // in the order their first member comes
    std::vector<std::string> others;     // anything not a well-formed 64-bit raw profile of this
                                         // LLVM's format, in input order
};

// Groups `profiles` by binary and sums each group's counters. Reads on every core (up to 8), each
// a contiguous run of `profiles`; the result is the same as one thread's.
SummedRawProfiles sum_raw_profiles_by_binary(const std::vector<std::string>& profiles);

struct RawProfileGroup {
    std::string summed_path;           // one raw profile holding the sum of the members' counters
    std::vector<std::string> members;  // the profiles summed into it
};

struct RawProfileSums {
    std::vector<RawProfileGroup> groups;  // one per binary (two or more members each)
    std::vector<std::string> others;      // to be read one by one: indexed profiles, raw profiles
                                          // of a binary seen once, anything not a well-formed
                                          // 64-bit raw profile of this LLVM's format
};

// Groups `profiles` by binary and writes one summed raw profile per group of two or more into
// `scratch_dir` (the caller removes them). A file that does not parse, or whose size does not
// match its header (a truncated file), goes to `others`, so LLVM's reader reports it.
// Groups in the order their first member comes, members and others in input order.
RawProfileSums sum_raw_profiles(const std::vector<std::string>& profiles, const std::string& scratch_dir);

}  // namespace dlcov
