#include "mutation.h"

#include "operators/operators.h"

#include <stdexcept>
#include <utility>

namespace dlcov::lemon {
namespace {

const std::vector<std::pair<std::string, MutationOperator>>& registry() {
    static const std::vector<std::pair<std::string, MutationOperator>> operators = {
        {"WS", weight_shuffling},        {"GF", gaussian_fuzzing},        {"NEB", neuron_effect_block},
        {"NAI", neuron_activation_inverse}, {"NS", neuron_switch},        {"ARem", activation_removal},
        {"ARep", activation_replacement}, {"LA", layer_addition},          {"LC", layer_copy},
        {"LR", layer_removal},           {"LS", layer_switch},            {"MLA", multi_layer_addition},
    };
    return operators;
}

}  // namespace

const std::vector<std::string>& operator_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& [name, op] : registry()) n.push_back(name);
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
    for (const auto& [op_name, op] : registry()) {
        if (op_name != name) continue;
        if (model.layers.empty()) return not_applicable("the model has no layers");
        Mutation m = op(model, random, settings);
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
