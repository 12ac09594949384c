// LC, layer copy. LEMON copies a layer whose input and output shapes are equal and inserts the
// copy right after it. On tiny-dnn (sequential models): a layer, not the output layer, that keeps
// the shape at its position (linear, dropout, batch norm, lrn, power, same-padded convolution
// with as many output as input channels, ...), copied with its weights.
#include "operators.h"

#include <fmt/format.h>

namespace dlcov::lemon {

Mutation layer_copy(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    std::vector<Shape> shapes = position_shapes(model);
    std::vector<size_t> copyable = shape_keeping_layers(model, shapes);
    if (copyable.empty()) return not_applicable("no layer besides the output layer keeps its input shape");
    size_t index = random.pick(copyable);
    TinyModel mutant = model;
    mutant.layers.insert(mutant.layers.begin() + long(index) + 1, model.layers[index]);
    return applied(std::move(mutant), fmt::format("copied layer {} ({}, {}) after itself", index,
                                                  model.layers[index].type(), shapes[index].str()));
}

}  // namespace dlcov::lemon
