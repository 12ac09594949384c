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
    std::vector<size_t> keeping = shape_keeping_layers(model, shapes);
    for (size_t a = 0; a < keeping.size(); ++a)
        for (size_t b = a + 1; b < keeping.size(); ++b) {
            size_t i = keeping[a], j = keeping[b];
            bool same = model.layers[i].node == model.layers[j].node && model.layers[i].weights == model.layers[j].weights;
            if (!same && shapes[j] == shapes[i]) pairs.emplace_back(i, j);
        }
    if (pairs.empty()) return not_applicable("no two different shape-keeping layers at positions of the same shape");
    auto [i, j] = random.pick(pairs);
    TinyModel mutant = model;
    std::swap(mutant.layers[i], mutant.layers[j]);
    return applied(std::move(mutant), fmt::format("switched layer {} ({}) and layer {} ({}), both {}", i,
                                                  model.layers[i].type(), j, model.layers[j].type(), shapes[i].str()));
}

}  // namespace dlcov::lemon
