#include "llvm_reader.h"

#include "error.h"
#include "indexed_profile_check.h"
#include "mapping_evaluation.h"

#include <llvm/ProfileData/InstrProf.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/Support/Error.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace dlcov {

std::string negative_counts_warning(const LlvmCoverage& reading) {
    if (!reading.negative_counts) return "";
    return std::to_string(reading.negative_counts) +
           " count(s) came out negative and are counted as covered: counters lost increments (a program that "
           "runs threads must be built with -fprofile-update=atomic; instrument/README.md, \"Atomic counters\")";
}

LlvmCoverage read_llvm_coverage(const std::vector<std::string>& objects,
                                const std::string& indexed_profile) {
    return read_llvm_coverage(DecodedMapping(objects), indexed_profile);
}

LlvmCoverage read_llvm_coverage(const DecodedMapping& decoded, const std::string& indexed_profile, size_t halves_from) {
    if (std::string damage = indexed_profile_damage(indexed_profile); !damage.empty())
        throw UserError(indexed_profile + ": " + damage);
    auto profile = llvm::IndexedInstrProfReader::create(indexed_profile);
    if (!profile) throw UserError(indexed_profile + ": cannot read: " + llvm::toString(profile.takeError()));
    llvm::IndexedInstrProfReader& reader = **profile;
    FunctionCounts counts_of = [&](const std::string& name, uint64_t hash, std::vector<uint64_t>& counts) {
        llvm::Error e = reader.getFunctionCounts(name, hash, counts);
        if (!e) return ProfileLookup::found;
        llvm::instrprof_error code = llvm::InstrProfError::take(std::move(e));
        if (code == llvm::instrprof_error::hash_mismatch) return ProfileLookup::hash_mismatch;
        if (code == llvm::instrprof_error::unknown_function) return ProfileLookup::unknown_function;
        throw UserError(indexed_profile + ": cannot read the counters of " + name + ": " +
                        llvm::toString(llvm::make_error<llvm::InstrProfError>(code)));
    };
    return read_llvm_coverage(decoded, counts_of, halves_from);
}

LlvmCoverage read_llvm_coverage(const DecodedMapping& decoded, const FunctionCounts& counts_of, size_t halves_from) {
    LlvmCoverage out = evaluate_mapping(decoded.plan(), counts_of, halves_from);
    for (const auto* counts : {&out.counts.lines, &out.counts.branches, &out.counts.functions})
        out.negative_counts += size_t(std::count_if(counts->begin(), counts->end(), [](uint64_t c) {
            return c > uint64_t(std::numeric_limits<int64_t>::max());
        }));
    return out;
}

}  // namespace dlcov
