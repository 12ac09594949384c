#include "llvm_reader.h"

#include "error.h"
#include "indexed_profile_check.h"

#include <llvm/Demangle/Demangle.h>
#include <llvm/ProfileData/Coverage/CoverageMapping.h>
#include <llvm/ProfileData/Coverage/CoverageMappingReader.h>
#include <llvm/ProfileData/InstrProf.h>
#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace dlcov {

namespace {

using llvm::coverage::CountedRegion;
using llvm::coverage::CoverageData;
using llvm::coverage::CoverageMapping;

// Branches of a function body and, recursively, of the macros expanded in it: llvm-cov counts
// both (each non-folded branch has a true and a false side).
void collect_branches(const CoverageMapping& mapping, const CoverageData& data,
                      CoverageLayout& layout, CoverageCounts& counts) {
    for (const CountedRegion& branch : data.getBranches()) {
        if (branch.Folded) continue;
        layout.branch_lines.push_back(branch.LineStart);
        layout.branch_lines.push_back(branch.LineStart);
        counts.branches.push_back(branch.ExecutionCount);
        counts.branches.push_back(branch.FalseExecutionCount);
    }
    for (const auto& expansion : data.getExpansions())
        collect_branches(mapping, mapping.getCoverageForExpansion(expansion), layout, counts);
}

Instantiation read_instantiation(const CoverageMapping& mapping,
                                 const llvm::coverage::FunctionRecord& function,
                                 CoverageLayout& layout, CoverageCounts& counts) {
    Instantiation inst;
    inst.name = function.Name;
    CoverageData data = mapping.getCoverageForFunction(function);

    inst.first_line = layout.line_numbers.size();
    for (const auto& line : llvm::coverage::getLineCoverageStats(data)) {
        if (!line.isMapped()) continue;
        layout.line_numbers.push_back(line.getLine());
        counts.lines.push_back(line.getExecutionCount());
    }
    inst.line_count = layout.line_numbers.size() - inst.first_line;

    inst.first_branch = layout.branch_lines.size();
    collect_branches(mapping, data, layout, counts);
    inst.branch_count = layout.branch_lines.size() - inst.first_branch;

    inst.function_index = layout.function_items++;
    counts.functions.push_back(function.ExecutionCount);
    return inst;
}

// The printable name of a definition: demangled; for templates with differing instantiations,
// the first instantiation's. Names of local-linkage functions are recorded as "file.cpp:name".
std::string display_name(const FunctionDefinition& fn) {
    std::string name = !fn.name.empty() ? fn.name
                       : fn.instantiations.empty() ? std::string("?")
                                                   : fn.instantiations.front().name;
    auto colon = name.find(':');
    if (colon != std::string::npos && name.compare(0, 2, "_Z") != 0) name = name.substr(colon + 1);
    return llvm::demangle(name);
}

}  // namespace

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

LlvmCoverage read_llvm_coverage(const DecodedMapping& decoded, const std::string& indexed_profile) {
    if (std::string damage = indexed_profile_damage(indexed_profile); !damage.empty())
        throw UserError(indexed_profile + ": " + damage);
    auto profile = llvm::IndexedInstrProfReader::create(indexed_profile);
    if (!profile) throw UserError(indexed_profile + ": cannot read: " + llvm::toString(profile.takeError()));
    auto loaded = CoverageMapping::load(decoded.readers(), **profile);
    if (!loaded) {
        std::string list;
        for (const auto& o : decoded.objects()) list += (list.empty() ? "" : ", ") + o;
        throw UserError("cannot read coverage mapping of " + list + ": " + llvm::toString(loaded.takeError()) +
                        " (objects must be built with -fprofile-instr-generate -fcoverage-mapping "
                        "by clang " + std::to_string(LLVM_VERSION_MAJOR) + ")");
    }
    const CoverageMapping& mapping = **loaded;

    LlvmCoverage out;
    // Records with hash 0 are placeholders for inline functions an object never emitted; they
    // "mismatch" whenever another object emitted the function, which says nothing is wrong.
    for (const auto& [name, hash] : mapping.getHashMismatches()) out.hash_mismatches += hash != 0;
    for (llvm::StringRef path : mapping.getUniqueSourceFiles()) {
        SourceFile file;
        file.path = path.str();
        for (const auto& group : mapping.getInstantiationGroups(path)) {
            FunctionDefinition fn;
            fn.line = group.getLine();
            fn.column = group.getColumn();
            if (group.hasName()) fn.name = group.getName().str();
            for (const auto* function : group.getInstantiations())
                fn.instantiations.push_back(read_instantiation(mapping, *function, out.layout, out.counts));
            fn.display_name = display_name(fn);
            file.functions.push_back(std::move(fn));
        }
        out.layout.files.push_back(std::move(file));
    }
    for (const auto* counts : {&out.counts.lines, &out.counts.branches, &out.counts.functions})
        out.negative_counts += size_t(std::count_if(counts->begin(), counts->end(), [](uint64_t c) {
            return c > uint64_t(std::numeric_limits<int64_t>::max());
        }));
    return out;
}

}  // namespace dlcov
