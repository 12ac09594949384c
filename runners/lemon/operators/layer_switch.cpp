// LS, layer switch. LEMON switches two layers that have the same input and output shapes. On
// tiny-dnn (sequential models): two different layers, neither the output layer, that both keep
// the shape and sit at positions of the same shape (e.g. batch norm and linear<relu> after a
// convolution), exchange places; whatever lies between them is unaffected.
#include "operators.h"

#include <fmt/format.h>
#include <utility>

namespace dlcov::lemon {

Mutation layer_switch(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    std::vector<Shape> shapes = position_shapes(model);
    std::vector<std::pair<size_t, size_t>> pairs;
    for (size_t i = 0; i + 1 < model.layers.size(); ++i) {
        if (!preserves_shape(model.layers[i], shapes[i])) continue;
        for (size_t j = i + 1; j + 1 < model.layers.size(); ++j) {
            bool same = model.layers[i].node == model.layers[j].node && model.layers[i].weights == model.layers[j].weights;
            if (!same && shapes[j] == shapes[i] && preserves_shape(model.layers[j], shapes[j])) pairs.emplace_back(i, j);
        }
    }
    if (pairs.empty()) return not_applicable("no two different shape-keeping layers at positions of the same shape");
    auto [i, j] = random.pick(pairs);
    TinyModel mutant = model;
    std::swap(mutant.layers[i], mutant.layers[j]);
    return applied(std::move(mutant), fmt::format("switched layer {} ({}) and layer {} ({}), both {}", i,
                                                  model.layers[i].type(), j, model.layers[j].type(), shapes[i].str()));
}

}  // namespace dlcov::lemon
