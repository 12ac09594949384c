#include "layout_alignment.h"

#include "error.h"

#include <algorithm>
#include <map>

namespace dlcov {

namespace {

[[noreturn]] void mismatch(const std::string& where) {
    throw UserError("profiles were read into a layout that does not match the build's (" + where +
                    "): were they written by another build? Run `dlcov instrument` again.");
}

}  // namespace

CoverageCounts align_to_layout(const LlvmCoverage& reading, const CoverageLayout& layout) {
    const CoverageLayout& from = reading.layout;
    if (from.files.size() != layout.files.size()) mismatch("number of files");
    CoverageCounts out = CoverageCounts::zeros(layout);
    for (size_t f = 0; f < layout.files.size(); ++f) {
        const SourceFile& file = layout.files[f];
        const SourceFile& other = from.files[f];
        if (file.path != other.path || file.functions.size() != other.functions.size()) mismatch(file.path);
        for (size_t d = 0; d < file.functions.size(); ++d) {
            const auto& insts = file.functions[d].instantiations;
            const auto& other_insts = other.functions[d].instantiations;
            if (insts.size() != other_insts.size()) mismatch(file.path + ", " + file.functions[d].name);
            // Instantiations by name: LLVM does not keep their order from one reading to the next.
            // A name can occur more than once (the same inline function in two objects).
            std::multimap<std::string, const Instantiation*> by_name;
            for (const auto& inst : other_insts) by_name.emplace(inst.name, &inst);
            for (const Instantiation& to : insts) {
                auto found = by_name.find(to.name);
                if (found == by_name.end()) mismatch(file.path + ", " + to.name);
                const Instantiation& src = *found->second;
                by_name.erase(found);
                if (to.branch_count != src.branch_count) mismatch(file.path + ", branches of " + to.name);
                out.functions[to.function_index] = reading.counts.functions[src.function_index];
                std::copy_n(reading.counts.branches.begin() + long(src.first_branch), src.branch_count,
                            out.branches.begin() + long(to.first_branch));

                // Lines: by line number; lines the reading left out take their neighbours' counts.
                std::map<unsigned, uint64_t> mapped;
                for (size_t k = 0; k < src.line_count; ++k)
                    mapped[from.line_numbers[src.first_line + k]] = reading.counts.lines[src.first_line + k];
                for (size_t k = 0; k < to.line_count; ++k) {
                    unsigned line = layout.line_numbers[to.first_line + k];
                    auto at = mapped.lower_bound(line);
                    uint64_t count = 0;
                    if (at != mapped.end() && at->first == line) {
                        count = at->second;
                    } else if (!mapped.empty()) {
                        bool has_next = at != mapped.end(), has_prev = at != mapped.begin();
                        if (has_next && has_prev) count = std::min(at->second, std::prev(at)->second);
                        else if (has_next) count = at->second;
                        else count = std::prev(at)->second;
                    }
                    out.lines[to.first_line + k] = count;
                }
            }
        }
    }
    return out;
}

}  // namespace dlcov
