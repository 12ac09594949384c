// MLA, multi-layer addition. LEMON inserts a block of several new layers whose inner shapes may
// differ as long as the block's output shape equals its input shape. On tiny-dnn (sequential
// models) the block goes before layer p (p = 0 .. the output layer): on image-shaped data a
// same-padded 3x3 or 5x5 convolution to another number of channels with a random activation,
// then a 1x1 convolution back to the original channels; on flat data a fully_connected layer to
// another width with a random activation, then one back. Weights are fresh (new_layers.h).
#include "new_layers.h"
#include "operators.h"

#include <fmt/format.h>

namespace dlcov::lemon {

Mutation multi_layer_addition(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    std::vector<Shape> shapes = position_shapes(model);
    size_t position = random.index(model.layers.size());
    const Shape& s = shapes[position];
    std::vector<Layer> block;
    if (s.is_spatial()) {
        unsigned inner = random.pick(std::vector<unsigned>{4, 8, 16});
        std::string activation = random.pick(affordable_activations(size_t(s.width) * s.height * inner));
        unsigned window = s.width >= 5 && s.height >= 5 && random.uniform() < 0.5 ? 5 : 3;
        block.push_back(make_conv(s, inner, window, true, activation, random));
        block.push_back(make_conv({s.width, s.height, inner}, s.depth, 1, false, "identity", random));
    } else {
        size_t inner = random.pick(std::vector<size_t>{8, 16, 32});
        std::string activation = random.pick(affordable_activations(inner));
        block.push_back(make_fully_connected(s.size(), inner, activation, random));
        block.push_back(make_fully_connected(inner, s.size(), "identity", random));
    }
    TinyModel mutant = model;
    mutant.layers.insert(mutant.layers.begin() + long(position), block.begin(), block.end());
    return applied(std::move(mutant), fmt::format("added {} -> {} ({}) before layer {} ({})", block[0].type(),
                                                  block[1].type(), s.str(), position, model.layers[position].type()));
}

}  // namespace dlcov::lemon
