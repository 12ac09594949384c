#include "cradle/metrics.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dlcov {
namespace {

void check_label(int label, size_t classes) {
    if (label < 0 || static_cast<size_t>(label) >= classes)
        throw std::out_of_range("label " + std::to_string(label) + " outside " +
                                std::to_string(classes) + " classes");
}

}  // namespace

double cradle_delta(const std::vector<std::vector<double>>& outputs, const std::vector<int>& labels) {
    if (outputs.size() != labels.size())
        throw std::invalid_argument("cradle_delta: " + std::to_string(outputs.size()) + " outputs but " +
                                    std::to_string(labels.size()) + " labels");
    if (outputs.empty()) return 0;
    double total = 0;
    for (size_t i = 0; i < outputs.size(); ++i) {
        const std::vector<double>& o = outputs[i];
        check_label(labels[i], o.size());
        double deviation = 0;
        for (size_t c = 0; c < o.size(); ++c) {
            const double truth = static_cast<int>(c) == labels[i] ? 1.0 : 0.0;
            deviation += std::fabs(o[c] - truth);
        }
        total += deviation / o.size();
    }
    return total / outputs.size();
}

double d_mad(double delta_j, double delta_k) {
    const double sum = delta_j + delta_k;
    if (sum == 0) return 0;
    return std::fabs(delta_j - delta_k) / sum;
}

int d_class_rank(const std::vector<double>& probs, int label) {
    check_label(label, probs.size());
    const double truth = probs[label];
    int rank = 1;
    for (size_t c = 0; c < probs.size(); ++c) {
        if (static_cast<int>(c) == label || std::isnan(probs[c])) continue;
        if (std::isnan(truth) || probs[c] > truth) ++rank;
    }
    return rank;
}

InconsistencyVerdict compare_backends(const std::vector<std::vector<double>>& outputs_j,
                                      const std::vector<std::vector<double>>& outputs_k,
                                      const std::vector<int>& labels, double threshold, int top_k) {
    if (outputs_j.size() != outputs_k.size())
        throw std::invalid_argument("compare_backends: the backends' outputs differ in number");
    InconsistencyVerdict v;
    v.threshold = threshold;
    v.top_k = top_k;
    v.delta_j = cradle_delta(outputs_j, labels);
    v.delta_k = cradle_delta(outputs_k, labels);
    v.d_mad = d_mad(v.delta_j, v.delta_k);
    // A NaN output makes δ and D_MAD NaN: that is a finding, not a pass.
    v.mad_inconsistent = !(v.d_mad <= threshold);
    for (size_t i = 0; i < labels.size(); ++i) {
        const bool in_j = d_class_rank(outputs_j[i], labels[i]) <= top_k;
        const bool in_k = d_class_rank(outputs_k[i], labels[i]) <= top_k;
        if (in_j != in_k) ++v.class_disagreements;
    }
    v.class_inconsistent = v.class_disagreements > 0;
    return v;
}

}  // namespace dlcov
