// LA, layer addition. LEMON inserts one new layer at a spot where its input and output shapes
// match the neighbours, from a list of layers that keep the shape. On tiny-dnn (sequential models)
// the new layer goes before layer p (p = 0 .. the output layer, never after it) and is one of the
// shape-keeping layers tiny-dnn can load: linear<activation> (Keras' Activation), dropout, batch
// normalisation, power, and on image-shaped data lrn, a same-padded 3x3 convolution with as many
// output as input channels, 1x1 max or average pooling, and on small flat data a square
// fully_connected layer. Weights are fresh (new_layers.h).
#include "new_layers.h"
#include "operators.h"

#include <fmt/format.h>

namespace dlcov::lemon {
namespace {

// Largest flat size that gets a square fully_connected layer (size^2 weights in the file).
constexpr size_t kMaxSquareDense = 256;

std::vector<std::string> addable_kinds(const Shape& s) {
    std::vector<std::string> kinds = {"linear", "dropout", "batchnorm", "power"};
    if (s.is_spatial()) {
        if (s.depth >= 3) kinds.push_back("lrn");
        kinds.insert(kinds.end(), {"conv", "maxpool", "avepool"});
    }
    if (s.size() <= kMaxSquareDense) kinds.push_back("fully_connected");
    return kinds;
}

Layer make_addable(const std::string& kind, const Shape& s, RandomSource& random) {
    const auto activations = affordable_activations(s.size());
    if (kind == "linear") return make_linear(s, random.pick(activations));
    if (kind == "dropout") return make_dropout(s, float(0.1 + 0.4 * random.uniform()));
    if (kind == "batchnorm") return make_batchnorm(s);
    if (kind == "power") return make_power(s, random.uniform() < 0.5 ? 1.0f : 2.0f, float(0.5 + random.uniform()));
    if (kind == "lrn") return make_lrn(s, s.depth >= 5 && random.uniform() < 0.5 ? 5 : 3, "identity");
    if (kind == "conv") return make_conv(s, s.depth, 3, true, random.pick(activations), random);
    if (kind == "maxpool" || kind == "avepool") return make_pool(kind, s, 1, 1, false, "identity");
    return make_fully_connected(s.size(), s.size(), random.pick(activations), random);
}

}  // namespace

Mutation layer_addition(const TinyModel& model, RandomSource& random, const MutationSettings&) {
    std::vector<Shape> shapes = position_shapes(model);
    size_t position = random.index(model.layers.size());  // before the output layer at the latest
    const Shape& s = shapes[position];
    Layer added = make_addable(random.pick(addable_kinds(s)), s, random);
    TinyModel mutant = model;
    mutant.layers.insert(mutant.layers.begin() + long(position), added);
    return applied(std::move(mutant), fmt::format("added {} ({}) before layer {} ({})", added.type(), s.str(), position,
                                                  model.layers[position].type()));
}

}  // namespace dlcov::lemon
