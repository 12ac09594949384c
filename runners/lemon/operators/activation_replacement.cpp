// ARep, activation replacement. LEMON picks one layer (not the last) with an activation and
// replaces the activation with a different one from its list. On tiny-dnn the activation is part
// of the saved type ("conv<relu>"); the replacement is one of the other activations tiny-dnn
// registers for serialization (tan_h, softmax, sigmoid, relu, leaky_relu, elu, tan_hp1m2;
// identity is ARem's job; softmax only up to 4096 outputs, see affordable_activations). The
// shapes do not change, so graph models are mutated too.
#include "neurons.h"
#include "operators.h"

#include <fmt/format.h>

namespace dlcov::lemon {

Mutation activation_replacement(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    auto layers = candidate_layers(model, [](const Layer& l) { return l.has_activation(); });
    if (layers.empty()) return not_applicable("no layer with an activation besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    size_t outputs = output_shape(layer, declared_input(layer)).size();
    std::vector<std::string> choices;
    for (const auto& a : affordable_activations(outputs))
        if (a != "identity" && a != layer.activation()) choices.push_back(a);
    if (choices.empty()) return not_applicable("no other activation for layer " + std::to_string(index));
    std::string before = layer.type();
    layer.set_activation(random.pick(choices));
    return applied(std::move(mutant), fmt::format("replaced the activation of layer {}: {} -> {}", index, before, layer.type()));
}

}  // namespace dlcov::lemon
