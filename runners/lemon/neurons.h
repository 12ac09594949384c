// The neuron-level view LEMON's weight operators (WS, NEB, NAI, NS) work on: a layer's output
// neurons, each with its incoming weights and its bias. In Keras a Dense kernel is (in, out)
// and a Conv2D kernel (h, w, in, out); LEMON transposes them to index by output neuron. The
// same view of tiny-dnn's layouts:
//   fully_connected: W[i * out_size + o] (fully_connected_op_internal.h), neuron o = output o;
//   conv: the kernel of (output channel o, input channel c) starts at (in_depth * o + c) *
//         window_width * window_height (conv2d_op_internal.h), so output channel o owns one
//         contiguous block of in_depth * window area weights.
// Bias o is element o of the second tensor when the layer has a bias.
#pragma once
#include "tiny_model.h"

#include <optional>
#include <vector>

namespace dlcov::lemon {

struct NeuronLayout {
    size_t neurons = 0;
    bool has_bias = false;
    // Indices into the weight tensor (tensor 0) of neuron o's incoming weights.
    std::vector<size_t> incoming(size_t o) const;

    enum Kind { Dense, Conv } kind = Dense;
    size_t inputs = 0;      // Dense: in_size
    size_t block = 0;       // Conv: weights per output channel
};

// The layout of a conv or fully_connected layer whose saved tensors have the sizes the layout
// needs; nullopt for any other layer.
std::optional<NeuronLayout> neuron_layout(const Layer& layer);

// Layers an operator may mutate: not the model's output layer (LEMON leaves the last layer
// alone, so the output keeps its meaning), and accepted by `usable`.
template <typename Predicate>
std::vector<size_t> candidate_layers(const TinyModel& model, Predicate usable) {
    std::vector<size_t> found;
    for (size_t i = 0; i < model.layers.size(); ++i)
        if (i != model.output_layer() && usable(model.layers[i])) found.push_back(i);
    return found;
}

}  // namespace dlcov::lemon
