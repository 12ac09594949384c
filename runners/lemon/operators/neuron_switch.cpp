// NS, neuron switch. LEMON picks one Dense or Conv2D layer (not the last) with at least two output
// neurons and swaps two of them: their incoming weights and their biases, so the next layer sees
// them in each other's place. On tiny-dnn: the same on conv (two output channels) and
// fully_connected layers, through the neuron view (neurons.h).
#include "neurons.h"
#include "operators.h"

#include <fmt/format.h>
#include <utility>

namespace dlcov::lemon {

Mutation neuron_switch(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    auto layers = candidate_layers(model, [](const Layer& l) {
        auto n = neuron_layout(l);
        return n && n->neurons >= 2;
    });
    if (layers.empty()) return not_applicable("no conv or fully_connected layer with two neurons besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    NeuronLayout neurons = *neuron_layout(layer);
    std::vector<size_t> pair = random.sample(neurons.neurons, 2);
    std::vector<size_t> a = neurons.incoming(pair[0]), b = neurons.incoming(pair[1]);
    ModelJson& w = layer.tensor(0);
    for (size_t k = 0; k < a.size(); ++k) std::swap(w[a[k]], w[b[k]]);
    if (neurons.has_bias) std::swap(layer.tensor(1)[pair[0]], layer.tensor(1)[pair[1]]);
    return applied(std::move(mutant), fmt::format("switched neurons {} and {} of layer {} ({})", pair[0], pair[1], index,
                                                  layer.type()));
}

}  // namespace dlcov::lemon
