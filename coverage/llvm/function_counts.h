// How a reading asks a profile for a function's counters: an indexed profile's reader
// (llvm_reader.cpp) or a running total held in memory (running_profile.h).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dlcov {

// What a profile holds of a function (IndexedInstrProfReader::getFunctionCounts).
enum class ProfileLookup { found, unknown_function, hash_mismatch };
// Fills `counts` with the profile's counters of the function `pgo_name` with `hash`. Throws
// UserError for a profile that cannot be read.
using FunctionCounts =
    std::function<ProfileLookup(const std::string& pgo_name, uint64_t hash, std::vector<uint64_t>& counts)>;

}  // namespace dlcov
