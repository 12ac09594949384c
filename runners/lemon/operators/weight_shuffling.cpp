// WS, weight shuffling. LEMON picks one Dense or Conv2D layer (not the last) and, for a share
// (the mutation ratio) of its output neurons, shuffles each chosen neuron's incoming weights;
// biases stay. On tiny-dnn: the same on a conv or fully_connected layer, through the neuron view
// of its saved weights (neurons.h). The layer keeps the same multiset of weights.
#include "neurons.h"
#include "operators.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace dlcov::lemon {

Mutation weight_shuffling(const TinyModel& model, RandomSource& random, const MutationSettings& settings) {
    auto layers = candidate_layers(model, [](const Layer& l) {
        auto n = neuron_layout(l);
        return n && n->incoming(0).size() > 1;
    });
    if (layers.empty()) return not_applicable("no conv or fully_connected layer with weights besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    NeuronLayout neurons = *neuron_layout(layer);
    size_t count = settings.mutated_count(neurons.neurons);
    ModelJson& w = layer.tensor(0);
    for (size_t o : random.sample(neurons.neurons, count)) {
        std::vector<size_t> slots = neurons.incoming(o);
        std::vector<float> values;
        for (size_t s : slots) values.push_back(w[s].get<float>());
        random.shuffle(values);
        for (size_t k = 0; k < slots.size(); ++k) w[slots[k]] = values[k];
    }
    return applied(std::move(mutant), fmt::format("shuffled the incoming weights of {} of {} neurons of layer {} ({})",
                                                  count, neurons.neurons, index, layer.type()));
}

}  // namespace dlcov::lemon
