#include "fitness.h"

#include "cradle/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace dlcov::audee {

double closeness_to_overflow(double max_abs_output) {
    if (!(max_abs_output < std::numeric_limits<double>::infinity())) return 1.0;  // NaN or infinity
    static const double kFloatMaxLog10 = std::log10(double(std::numeric_limits<float>::max()));
    return std::clamp(std::log10(1.0 + std::fabs(max_abs_output)) / kFloatMaxLog10, 0.0, 1.0);
}

bool has_non_finite(const ModelOutput& output) {
    for (const auto& row : output.outputs)
        for (double v : row)
            if (!std::isfinite(v)) return true;
    return false;
}

Evaluation evaluate(const std::vector<std::optional<ModelOutput>>& outputs) {
    Evaluation e;
    e.complete = !outputs.empty() && std::all_of(outputs.begin(), outputs.end(), [](const auto& o) { return o.has_value(); });
    for (const auto& o : outputs) {
        if (!o) continue;
        for (const auto& row : o->outputs)
            for (double v : row) e.max_abs_output = std::isnan(v) ? std::numeric_limits<double>::infinity()
                                                                  : std::max(e.max_abs_output, std::fabs(v));
    }
    for (size_t j = 0; j < outputs.size(); ++j)
        for (size_t k = j + 1; k < outputs.size(); ++k) {
            if (!outputs[j] || !outputs[k]) continue;
            try {
                InconsistencyVerdict v = compare_backends(outputs[j]->outputs, outputs[k]->outputs, outputs[j]->labels);
                PairComparison pair{j, k, v.d_mad, has_non_finite(*outputs[j]), has_non_finite(*outputs[k])};
                e.pairs.push_back(pair);
                e.d_mad = std::max(e.d_mad, std::isnan(v.d_mad) ? (pair.nan_on_one_side() ? 1.0 : 0.0) : v.d_mad);
            } catch (const std::logic_error&) {
                // shapes or labels that do not fit: nothing to compare
            }
        }
    e.closeness = closeness_to_overflow(e.max_abs_output);
    e.fitness = e.d_mad + e.closeness;
    return e;
}

}  // namespace dlcov::audee
