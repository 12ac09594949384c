// GF, Gaussian fuzzing. LEMON picks one layer with weights (not the last) and adds noise drawn
// from a normal distribution, with the standard deviation of the layer's own weights, to a share
// (the mutation ratio) of the elements of each of its weight tensors. On tiny-dnn: any layer
// with saved weights (conv, fully_connected, avepool), each tensor (weights, bias) in turn; a
// tensor whose values are all equal (e.g. zero biases) gets a standard deviation of 0.1.
#include "neurons.h"
#include "operators.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace dlcov::lemon {
namespace {

double standard_deviation(const ModelJson& values) {
    double sum = 0, square = 0;
    for (const auto& v : values) {
        double x = v.get<float>();
        sum += x;
        square += x * x;
    }
    double n = double(values.size()), mean = sum / n;
    return std::sqrt(std::max(0.0, square / n - mean * mean));
}

}  // namespace

Mutation gaussian_fuzzing(const TinyModel& model, RandomSource& random, const MutationSettings& settings) {
    auto layers = candidate_layers(model, [](const Layer& l) {
        for (size_t t = 0; t < l.tensor_count(); ++t)
            if (l.tensor(t).is_array() && !l.tensor(t).empty()) return true;
        return false;
    });
    if (layers.empty()) return not_applicable("no layer with weights besides the output layer");
    size_t index = random.pick(layers);
    TinyModel mutant = model;
    Layer& layer = mutant.layers[index];
    size_t changed = 0, total = 0;
    for (size_t t = 0; t < layer.tensor_count(); ++t) {
        ModelJson& values = layer.tensor(t);
        if (!values.is_array() || values.empty()) continue;
        double sd = standard_deviation(values);
        if (sd == 0 || !std::isfinite(sd)) sd = 0.1;
        size_t count = settings.mutated_count(values.size());
        for (size_t i : random.sample(values.size(), count))
            values[i] = float(values[i].get<float>() + random.normal() * sd);
        changed += count;
        total += values.size();
    }
    return applied(std::move(mutant), fmt::format("added Gaussian noise to {} of {} weights of layer {} ({})", changed,
                                                  total, index, layer.type()));
}

}  // namespace dlcov::lemon
