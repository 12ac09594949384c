#include "neurons.h"

namespace dlcov::lemon {

std::vector<size_t> NeuronLayout::incoming(size_t o) const {
    std::vector<size_t> indices;
    if (kind == Dense) {
        indices.reserve(inputs);
        for (size_t i = 0; i < inputs; ++i) indices.push_back(i * neurons + o);
    } else {
        indices.reserve(block);
        for (size_t k = 0; k < block; ++k) indices.push_back(o * block + k);
    }
    return indices;
}

std::optional<NeuronLayout> neuron_layout(const Layer& layer) {
    std::string kind = layer.kind();
    if (kind != "conv" && kind != "fully_connected") return std::nullopt;
    if (layer.tensor_count() < 1 || !layer.tensor(0).is_array()) return std::nullopt;
    const ModelJson& n = layer.node;
    NeuronLayout layout;
    size_t expected = 0;
    if (kind == "fully_connected") {
        layout.kind = NeuronLayout::Dense;
        layout.inputs = n.at("in_size").get<size_t>();
        layout.neurons = n.at("out_size").get<size_t>();
        expected = layout.inputs * layout.neurons;
    } else {
        layout.kind = NeuronLayout::Conv;
        layout.neurons = n.at("out_channels").get<size_t>();
        layout.block = n.at("in_size").at("depth").get<size_t>() * n.at("window_width").get<size_t>() *
                       n.at("window_height").get<size_t>();
        expected = layout.block * layout.neurons;
    }
    if (layout.neurons == 0 || layer.tensor(0).size() != expected) return std::nullopt;
    layout.has_bias = layer.tensor_count() >= 2 && layer.tensor(1).is_array() && layer.tensor(1).size() == layout.neurons;
    return layout;
}

}  // namespace dlcov::lemon
