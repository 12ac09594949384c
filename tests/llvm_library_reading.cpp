#include "llvm_library_reading.h"

#include <llvm/Demangle/Demangle.h>
#include <llvm/ProfileData/Coverage/CoverageMapping.h>
#include <llvm/Support/Error.h>

#include <fmt/format.h>
#include <stdexcept>

namespace dlcov::test {

namespace {

using llvm::coverage::CountedRegion;
using llvm::coverage::CoverageData;
using llvm::coverage::CoverageMapping;

// Branches of a function body and, recursively, of the macros expanded in it.
void collect_branches(const CoverageMapping& mapping, const CoverageData& data, CoverageLayout& layout,
                      CoverageCounts& counts) {
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

Instantiation read_instantiation(const CoverageMapping& mapping, const llvm::coverage::FunctionRecord& function,
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

std::string display_name(const FunctionDefinition& fn) {
    std::string name = !fn.name.empty() ? fn.name : fn.instantiations.front().name;
    auto colon = name.find(':');
    if (colon != std::string::npos && name.compare(0, 2, "_Z") != 0) name = name.substr(colon + 1);
    return llvm::demangle(name);
}

}  // namespace

LlvmCoverage read_with_llvm_library(const std::vector<std::string>& objects, const std::string& indexed_profile) {
    std::vector<llvm::StringRef> names(objects.begin(), objects.end());
    auto loaded = CoverageMapping::load(names, indexed_profile);
    if (!loaded) throw std::runtime_error("LLVM cannot load the coverage: " + llvm::toString(loaded.takeError()));
    const CoverageMapping& mapping = **loaded;
    LlvmCoverage out;
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
    return out;
}

std::string first_difference(const LlvmCoverage& mine, const LlvmCoverage& llvm) {
    const CoverageLayout &a = mine.layout, &b = llvm.layout;
    if (mine.hash_mismatches != llvm.hash_mismatches)
        return fmt::format("hash mismatches: {} vs LLVM's {}", mine.hash_mismatches, llvm.hash_mismatches);
    if (a.files.size() != b.files.size()) return fmt::format("{} files vs LLVM's {}", a.files.size(), b.files.size());
    for (size_t f = 0; f < a.files.size(); ++f) {
        const SourceFile &fa = a.files[f], &fb = b.files[f];
        if (fa.path != fb.path) return fmt::format("file {}: {} vs LLVM's {}", f, fa.path, fb.path);
        if (fa.functions.size() != fb.functions.size())
            return fmt::format("{}: {} definitions vs LLVM's {}", fa.path, fa.functions.size(), fb.functions.size());
        for (size_t d = 0; d < fa.functions.size(); ++d) {
            const FunctionDefinition &da = fa.functions[d], &db = fb.functions[d];
            std::string where = fmt::format("{}:{}:{} ({})", fa.path, db.line, db.column, db.display_name);
            if (da.line != db.line || da.column != db.column || da.name != db.name || da.display_name != db.display_name ||
                da.instantiations.size() != db.instantiations.size())
                return fmt::format("{}: definition {}:{} '{}' '{}' with {} instantiations vs LLVM's '{}' with {}", where,
                                   da.line, da.column, da.name, da.display_name, da.instantiations.size(), db.name,
                                   db.instantiations.size());
            for (size_t i = 0; i < da.instantiations.size(); ++i) {
                const Instantiation &ia = da.instantiations[i], &ib = db.instantiations[i];
                if (ia.name != ib.name) return fmt::format("{}: instantiation {} vs LLVM's {}", where, ia.name, ib.name);
                if (ia.first_line != ib.first_line || ia.line_count != ib.line_count)
                    return fmt::format("{} ({}): lines [{}, +{}) vs LLVM's [{}, +{})", where, ib.name, ia.first_line,
                                       ia.line_count, ib.first_line, ib.line_count);
                for (size_t k = ib.first_line; k < ib.first_line + ib.line_count; ++k)
                    if (a.line_numbers[k] != b.line_numbers[k] || mine.counts.lines[k] != llvm.counts.lines[k])
                        return fmt::format("{} ({}): line {} count {} vs LLVM's line {} count {}", where, ib.name,
                                           a.line_numbers[k], mine.counts.lines[k], b.line_numbers[k], llvm.counts.lines[k]);
                if (ia.first_branch != ib.first_branch || ia.branch_count != ib.branch_count)
                    return fmt::format("{} ({}): branch sides [{}, +{}) vs LLVM's [{}, +{})", where, ib.name,
                                       ia.first_branch, ia.branch_count, ib.first_branch, ib.branch_count);
                for (size_t k = ib.first_branch; k < ib.first_branch + ib.branch_count; ++k)
                    if (a.branch_lines[k] != b.branch_lines[k] || mine.counts.branches[k] != llvm.counts.branches[k])
                        return fmt::format("{} ({}): branch side on line {} count {} vs LLVM's line {} count {}", where,
                                           ib.name, a.branch_lines[k], mine.counts.branches[k], b.branch_lines[k],
                                           llvm.counts.branches[k]);
                if (ia.function_index != ib.function_index ||
                    mine.counts.functions[ia.function_index] != llvm.counts.functions[ib.function_index])
                    return fmt::format("{} ({}): function count {} vs LLVM's {}", where, ib.name,
                                       mine.counts.functions[ia.function_index], llvm.counts.functions[ib.function_index]);
            }
        }
    }
    if (a.line_numbers.size() != b.line_numbers.size() || a.branch_lines.size() != b.branch_lines.size() ||
        a.function_items != b.function_items)
        return "item totals differ";
    return "";
}

}  // namespace dlcov::test
