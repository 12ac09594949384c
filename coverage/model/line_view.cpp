#include "line_view.h"

namespace dlcov {

namespace {

size_t nonzero(const std::vector<uint64_t>& v, size_t first, size_t count) {
    size_t n = 0;
    for (size_t i = first; i < first + count; ++i) n += v[i] > 0;
    return n;
}

}  // namespace

Tally FileLineView::line_tally() const {
    Tally t;
    for (const auto& [line, lc] : lines) t += Tally{lc.hits > 0 ? 1u : 0u, 1};
    return t;
}

Tally FileLineView::branch_tally() const {
    Tally t;
    for (const auto& [line, lc] : lines)
        for (const auto& b : lc.branches) t += Tally{b.count > 0 ? 1u : 0u, 1};
    return t;
}

FileLineView build_line_view(const CoverageLayout& layout, size_t file_index, const CoverageCounts& union_counts,
                             const std::vector<const CoverageCounts*>& runner_counts) {
    FileLineView view;
    const SourceFile& file = layout.files.at(file_index);
    auto line_at = [&](unsigned number) -> LineCoverage& {
        LineCoverage& lc = view.lines[number];
        if (lc.reached_by.size() != runner_counts.size()) lc.reached_by.assign(runner_counts.size(), false);
        return lc;
    };
    for (size_t d = 0; d < file.functions.size(); ++d) {
        const FunctionDefinition& fn = file.functions[d];
        const Instantiation* chosen = nullptr;
        size_t chosen_covered = 0;
        for (const Instantiation& inst : fn.instantiations) {
            if (inst.counts_when_all_ran) {
                // gcov's line that looks like no code: a line only when all its occurrences ran.
                auto all_ran = [&](const CoverageCounts& c) {
                    return inst.line_count > 0 && nonzero(c.lines, inst.first_line, inst.line_count) == inst.line_count;
                };
                if (!all_ran(union_counts)) continue;
                LineCoverage& lc = line_at(layout.line_numbers[inst.first_line]);
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i) lc.hits += union_counts.lines[i];
                for (size_t r = 0; r < runner_counts.size(); ++r)
                    if (all_ran(*runner_counts[r])) lc.reached_by[r] = true;
            } else {
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i) {
                    LineCoverage& lc = line_at(layout.line_numbers[i]);
                    lc.hits += union_counts.lines[i];
                    for (size_t r = 0; r < runner_counts.size(); ++r)
                        if (runner_counts[r]->lines[i] > 0) lc.reached_by[r] = true;
                }
            }
            size_t covered = nonzero(union_counts.branches, inst.first_branch, inst.branch_count);
            if (!chosen || covered > chosen_covered ||
                (covered == chosen_covered && inst.branch_count > chosen->branch_count)) {
                chosen = &inst;
                chosen_covered = covered;
            }
        }
        if (!chosen) continue;
        const bool exits = !chosen->branch_exits.empty();
        for (size_t k = 0; k < chosen->branch_count; ++k) {
            size_t i = chosen->first_branch + k;
            line_at(layout.branch_lines[i])
                .branches.push_back(BranchSide{unsigned(d), unsigned(k), union_counts.branches[i], k % 2 == 0, exits,
                                               exits ? chosen->branch_exits.at(k) : 0});
        }
    }
    return view;
}

std::string branch_side_label(const BranchSide& side) {
    if (!side.exit) return side.true_side ? "true" : "false";
    if (side.exit_to > 0) return "exit to line " + std::to_string(side.exit_to);
    if (side.exit_to < 0) return "leave the code starting at line " + std::to_string(-side.exit_to);
    return "exit not tracked (pragma: no branch)";
}

std::string definition_display_name(const FunctionDefinition& fn) {
    if (!fn.display_name.empty()) return fn.display_name;
    return !fn.name.empty() ? fn.name : fn.instantiations.empty() ? std::string("?") : fn.instantiations.front().name;
}

}  // namespace dlcov
