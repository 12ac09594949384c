// LR, layer removal. LEMON removes a layer whose input and output shapes are equal, so its
// neighbours still fit together. On tiny-dnn (sequential models): a layer, not the output layer,
// that keeps the shape at its position (linear, dropout, batch norm, lrn, power, same-padded
// convolution with as many output as input channels, ...).
#include "operators.h"

#include <fmt/format.h>

namespace dlcov::lemon {

Mutation layer_removal(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    std::vector<Shape> shapes = position_shapes(model);
    std::vector<size_t> removable = shape_keeping_layers(model, shapes);
    if (removable.empty()) return not_applicable("no layer besides the output layer keeps its input shape");
    size_t index = random.pick(removable);
    TinyModel mutant = model;
    mutant.layers.erase(mutant.layers.begin() + long(index));
    return applied(std::move(mutant), fmt::format("removed layer {} ({}, {})", index, model.layers[index].type(),
                                                  shapes[index].str()));
}

}  // namespace dlcov::lemon
