#include "mutation.h"

#include "operators/operators.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace dlcov::lemon {
namespace {

struct RegisteredOperator {
    std::string name;
    MutationOperator apply;
    bool sequential_only;  // layer operators: graph models give kGraphModelReason
};

const std::vector<RegisteredOperator>& registry() {
    static const std::vector<RegisteredOperator> operators = {
        {"WS", weight_shuffling, false},        {"GF", gaussian_fuzzing, false},
        {"NEB", neuron_effect_block, false},    {"NAI", neuron_activation_inverse, false},
        {"NS", neuron_switch, false},           {"ARem", activation_removal, false},
        {"ARep", activation_replacement, false}, {"LA", layer_addition, true},
        {"LC", layer_copy, true},               {"LR", layer_removal, true},
        {"LS", layer_switch, true},             {"MLA", multi_layer_addition, true},
    };
    return operators;
}

}  // namespace

size_t MutationSettings::mutated_count(size_t n) const {
    return std::max<size_t>(1, size_t(std::floor(double(n) * mutate_ratio)));
}

const std::vector<std::string>& operator_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& op : registry()) n.push_back(op.name);
        return n;
    }();
    return names;
}

bool is_operator(const std::string& name) {
    for (const auto& n : operator_names())
        if (n == name) return true;
    return false;
}

Mutation apply_operator(const std::string& name, const TinyModel& model, RandomSource& random,
                        const MutationSettings& settings) {
    for (const auto& op : registry()) {
        if (op.name != name) continue;
        if (model.layers.empty()) return not_applicable("the model has no layers");
        if (op.sequential_only && model.is_graph()) return not_applicable(kGraphModelReason);
        Mutation m = op.apply(model, random, settings);
        // A broken mutant would only test our shape arithmetic, not tiny-dnn.
        if (m.applied() && !m.model->is_graph()) {
            std::string error = shape_error(*m.model);
            if (!error.empty()) throw std::logic_error(name + " produced inconsistent shapes: " + error);
        }
        return m;
    }
    throw std::invalid_argument("unknown LEMON operator " + name);
}

}  // namespace dlcov::lemon
