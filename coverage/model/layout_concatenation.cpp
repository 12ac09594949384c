#include "layout_concatenation.h"

namespace dlcov {

ConcatenatedLayout concatenate_layouts(const std::vector<const CoverageLayout*>& layouts) {
    ConcatenatedLayout out;
    CoverageLayout& all = out.layout;
    for (const CoverageLayout* part : layouts) {
        LayoutOffsets at{all.files.size(), all.line_numbers.size(), all.branch_lines.size(), all.function_items};
        out.parts.push_back(at);
        for (SourceFile file : part->files) {
            for (FunctionDefinition& fn : file.functions)
                for (Instantiation& inst : fn.instantiations) {
                    inst.first_line += at.lines;
                    inst.first_branch += at.branches;
                    inst.function_index += at.functions;
                }
            all.files.push_back(std::move(file));
        }
        all.line_numbers.insert(all.line_numbers.end(), part->line_numbers.begin(), part->line_numbers.end());
        all.branch_lines.insert(all.branch_lines.end(), part->branch_lines.begin(), part->branch_lines.end());
        all.function_items += part->function_items;
    }
    return out;
}

CoverageCounts concatenate_counts(const std::vector<const CoverageCounts*>& counts) {
    CoverageCounts out;
    for (const CoverageCounts* part : counts) {
        out.lines.insert(out.lines.end(), part->lines.begin(), part->lines.end());
        out.branches.insert(out.branches.end(), part->branches.begin(), part->branches.end());
        out.functions.insert(out.functions.end(), part->functions.begin(), part->functions.end());
    }
    return out;
}

}  // namespace dlcov
