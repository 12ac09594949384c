// NEB, neuron effect block. LEMON picks one Dense or Conv2D layer (not the last) and, for a share
// (the mutation ratio) of its output neurons, sets their incoming weights and bias to zero, so the
// neurons no longer pass anything on. On tiny-dnn: the same on conv (a whole output channel) and
// fully_connected layers, through the neuron view (neurons.h).
#include "neurons.h"
#include "operators.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace dlcov::lemon {

Mutation neuron_effect_block(const TinyModel& model, RandomSource& random, const MutationSettings& settings) {
    auto layers = candidate_layers(model, [](const Layer& l) { return neuron_layout(l).has_value(); });
    if (layers.empty()) return not_applicable("no conv or fully_connected layer besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    NeuronLayout neurons = *neuron_layout(layer);
    size_t count = settings.mutated_count(neurons.neurons);
    std::vector<size_t> blocked = random.sample(neurons.neurons, count);
    for (size_t o : blocked) {
        for (size_t s : neurons.incoming(o)) layer.tensor(0)[s] = 0.0f;
        if (neurons.has_bias) layer.tensor(1)[o] = 0.0f;
    }
    return applied(std::move(mutant), fmt::format("blocked {} of {} neurons of layer {} ({}), first {}", count,
                                                  neurons.neurons, index, layer.type(), blocked.front()));
}

}  // namespace dlcov::lemon
