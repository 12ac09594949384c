#include "uncovered_functions.h"

#include "line_view.h"

#include <algorithm>

namespace dlcov {

std::map<Component, std::vector<UncoveredFunction>> uncovered_functions(const Comparison& c) {
    std::map<Component, std::vector<UncoveredFunction>> out;
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        const std::optional<Component>& comp = c.assignment.components[f];
        if (!comp) continue;  // not counted, or counted in no component (no map)
        for (const FunctionDefinition& fn : c.layout.files[f].functions) {
            if (!fn.is_function) continue;  // Python's module code
            bool ran = false;
            size_t lines = 0;
            for (const Instantiation& inst : fn.instantiations) {
                ran = ran || c.all.counts.functions[inst.function_index] > 0;
                lines = std::max(lines, inst.line_count);
            }
            if (ran) continue;
            out[*comp].push_back({definition_display_name(fn), f, fn.line, lines});
        }
    }
    for (auto& [comp, list] : out)
        std::stable_sort(list.begin(), list.end(), [](const UncoveredFunction& a, const UncoveredFunction& b) {
            if (a.lines != b.lines) return a.lines > b.lines;
            if (a.file_index != b.file_index) return a.file_index < b.file_index;
            return a.line < b.line;
        });
    return out;
}

}  // namespace dlcov
