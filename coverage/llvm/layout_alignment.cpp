#include "layout_alignment.h"

#include "error.h"

#include <algorithm>
#include <vector>

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
            // A name can occur more than once (the same inline function in two objects): each
            // takes the first of the reading's not yet taken. Mostly the order is the same, and
            // the search starts at the first not taken.
            std::vector<bool> taken(other_insts.size(), false);
            size_t first_free = 0;
            for (const Instantiation& to : insts) {
                size_t found = first_free;
                while (found < other_insts.size() && (taken[found] || other_insts[found].name != to.name)) ++found;
                if (found == other_insts.size()) mismatch(file.path + ", " + to.name);
                taken[found] = true;
                while (first_free < taken.size() && taken[first_free]) ++first_free;
                const Instantiation& src = other_insts[found];
                if (to.branch_count != src.branch_count) mismatch(file.path + ", branches of " + to.name);
                out.functions[to.function_index] = reading.counts.functions[src.function_index];
                std::copy_n(reading.counts.branches.begin() + long(src.first_branch), src.branch_count,
                            out.branches.begin() + long(to.first_branch));

                // Lines: by line number (both in ascending order: a walk); lines the reading left
                // out take their neighbours' counts.
                const unsigned* mapped = from.line_numbers.data() + src.first_line;
                const uint64_t* mapped_count = reading.counts.lines.data() + src.first_line;
                size_t at = 0, n = src.line_count;
                for (size_t k = 0; k < to.line_count; ++k) {
                    unsigned line = layout.line_numbers[to.first_line + k];
                    if (at > 0 && mapped[at - 1] >= line) at = 0;  // not ascending after all: from the start
                    while (at < n && mapped[at] < line) ++at;      // the first mapped line at or after it
                    uint64_t count = 0;
                    if (at < n && mapped[at] == line) count = mapped_count[at];
                    else if (at < n && at > 0) count = std::min(mapped_count[at], mapped_count[at - 1]);
                    else if (at < n) count = mapped_count[at];
                    else if (n > 0) count = mapped_count[n - 1];
                    out.lines[to.first_line + k] = count;
                }
            }
        }
    }
    return out;
}

}  // namespace dlcov
