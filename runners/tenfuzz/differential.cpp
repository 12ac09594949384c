#include "differential.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace dlcov::tenfuzz {

Difference compare_outputs(const ModelOutput& a, const ModelOutput& b) {
    Difference d;
    if (a.outputs.size() != b.outputs.size()) return d;
    for (size_t i = 0; i < a.outputs.size(); ++i)
        if (a.outputs[i].size() != b.outputs[i].size()) return d;
    d.comparable = true;
    double scale = 1e-6;
    for (size_t i = 0; i < a.outputs.size(); ++i)
        for (size_t j = 0; j < a.outputs[i].size(); ++j) {
            const double x = a.outputs[i][j], y = b.outputs[i][j];
            const bool fx = std::isfinite(x), fy = std::isfinite(y);
            if (fx != fy) ++d.nan_mismatches;
            if (!fx || !fy) continue;
            d.max_abs = std::max(d.max_abs, std::fabs(x - y));
            scale = std::max({scale, std::fabs(x), std::fabs(y)});
        }
    d.max_rel = d.max_abs / scale;
    return d;
}

bool inconsistent(const Difference& d, double threshold) {
    return !d.comparable || d.nan_mismatches > 0 || d.max_rel > threshold;
}

std::string Difference::describe() const {
    if (!comparable) return "outputs differ in count or length";
    return fmt::format("max abs diff {:.3g}, relative {:.3g}, NaN on one side only at {} position(s)", max_abs, max_rel,
                       nan_mismatches);
}

}  // namespace dlcov::tenfuzz
