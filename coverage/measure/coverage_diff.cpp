#include "coverage_diff.h"

#include "line_view.h"

#include <algorithm>

namespace dlcov {

CoverageDiff diff_coverage(const MeasurementPipeline& pipeline, const RunnerProfiles& a, const RunnerProfiles& b) {
    CoverageDiff d;
    d.comparison = compare_runners(pipeline, {a, b});
    const Comparison& c = d.comparison;
    const CoverageCounts& ca = c.runners[0].counts;
    const CoverageCounts& cb = c.runners[1].counts;
    auto add = [](Measurement& m, const std::optional<Component>& comp, const CoverageTally& t) {
        if (comp) m.components[*comp] += t;  // as summarize: a file in no component counts in the total only
        m.total += t;
    };
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        if (!c.assignment.counted(f)) continue;
        const std::optional<Component>& comp = c.assignment.components[f];
        // Lines: distinct source lines, reached when any instantiation's item on the line ran.
        FileLineView view = build_line_view(c.layout, f, c.all.counts, {&ca, &cb});
        FileDifference fd{f, {}, {}};
        CoverageTally a_only, b_only;
        for (const auto& [line, lc] : view.lines) {
            bool in_a = lc.reached_by[0], in_b = lc.reached_by[1];
            if (in_a && !in_b) fd.a_only_lines.push_back(line);
            if (in_b && !in_a) fd.b_only_lines.push_back(line);
            a_only.lines += Tally{in_a && !in_b ? 1u : 0u, 1};
            b_only.lines += Tally{in_b && !in_a ? 1u : 0u, 1};
        }
        // Functions and branch sides per definition: covered by a side when any of its
        // instantiations ran (took side k), so running another instantiation is not a difference.
        for (const FunctionDefinition& fn : c.layout.files[f].functions) {
            bool ran_a = false, ran_b = false;
            size_t sides = 0;
            for (const Instantiation& inst : fn.instantiations) {
                ran_a = ran_a || ca.functions[inst.function_index] > 0;
                ran_b = ran_b || cb.functions[inst.function_index] > 0;
                sides = std::max(sides, inst.branch_count);
            }
            if (fn.is_function) {  // Python's module code has lines and branches, and is no function
                a_only.functions += Tally{ran_a && !ran_b ? 1u : 0u, 1};
                b_only.functions += Tally{ran_b && !ran_a ? 1u : 0u, 1};
            }
            for (size_t k = 0; k < sides; ++k) {
                bool took_a = false, took_b = false;
                for (const Instantiation& inst : fn.instantiations) {
                    if (k >= inst.branch_count) continue;
                    took_a = took_a || ca.branches[inst.first_branch + k] > 0;
                    took_b = took_b || cb.branches[inst.first_branch + k] > 0;
                }
                a_only.branches += Tally{took_a && !took_b ? 1u : 0u, 1};
                b_only.branches += Tally{took_b && !took_a ? 1u : 0u, 1};
            }
        }
        add(d.a_only, comp, a_only);
        add(d.b_only, comp, b_only);
        if (!fd.a_only_lines.empty() || !fd.b_only_lines.empty()) d.files.push_back(std::move(fd));
    }
    return d;
}

}  // namespace dlcov
