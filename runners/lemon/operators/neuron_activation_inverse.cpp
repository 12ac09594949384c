// NAI, neuron activation inverse. LEMON picks one Dense or Conv2D layer (not the last) and, for a
// share (the mutation ratio) of its output neurons, negates their incoming weights and bias, so
// the value entering the activation function changes sign. On tiny-dnn: the same on conv (a whole
// output channel) and fully_connected layers, through the neuron view (neurons.h).
#include "neurons.h"
#include "operators.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace dlcov::lemon {

Mutation neuron_activation_inverse(const TinyModel& model, RandomSource& random, const MutationSettings& settings) {
    auto layers = candidate_layers(model, [](const Layer& l) { return neuron_layout(l).has_value(); });
    if (layers.empty()) return not_applicable("no conv or fully_connected layer besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    NeuronLayout neurons = *neuron_layout(layer);
    size_t count = settings.mutated_count(neurons.neurons);
    std::vector<size_t> inverted = random.sample(neurons.neurons, count);
    for (size_t o : inverted) {
        for (size_t s : neurons.incoming(o)) layer.tensor(0)[s] = -layer.tensor(0)[s].get<float>();
        if (neurons.has_bias) layer.tensor(1)[o] = -layer.tensor(1)[o].get<float>();
    }
    return applied(std::move(mutant), fmt::format("inverted the activation input of {} of {} neurons of layer {} ({}), first {}",
                                                  count, neurons.neurons, index, layer.type(), inverted.front()));
}

}  // namespace dlcov::lemon
