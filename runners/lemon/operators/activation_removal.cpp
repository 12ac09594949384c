// ARem, activation removal. LEMON picks one layer (not the last) whose activation is not linear
// and removes the activation (sets it to linear). On tiny-dnn the activation is part of the saved
// type, e.g. "conv<relu>", for conv, fully_connected, pooling, linear and lrn layers: it becomes
// "<identity>". The shapes do not change, so graph models are mutated too.
#include "neurons.h"
#include "operators.h"

#include <fmt/format.h>

namespace dlcov::lemon {

Mutation activation_removal(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    auto layers = candidate_layers(model, [](const Layer& l) { return l.has_activation() && l.activation() != "identity"; });
    if (layers.empty()) return not_applicable("no layer with a non-identity activation besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    std::string before = layer.type();
    layer.set_activation("identity");
    return applied(std::move(mutant), fmt::format("removed the activation of layer {}: {} -> {}", index, before, layer.type()));
}

}  // namespace dlcov::lemon
