#include "genetic_operators.h"

#include <algorithm>
#include <cmath>

namespace dlcov::audee {
namespace {

using L = GenomeLimits;

const std::vector<int> kInputSides = {4, 5, 6, 8, 9, 12, 16, 20, 24, 28, 32};

// Hidden layers: convolutions and poolings more often than the others, all of them often
// enough that a short run meets every kind.
LayerKind random_kind(Rng& rng) {
    static const std::vector<LayerKind> weighted = {
        LayerKind::conv,         LayerKind::conv,         LayerKind::conv,   LayerKind::max_pool,
        LayerKind::max_pool,     LayerKind::average_pool, LayerKind::average_pool, LayerKind::fully_connected,
        LayerKind::linear,       LayerKind::lrn,          LayerKind::batch_norm,   LayerKind::dropout,
        LayerKind::power};
    return rng.pick(weighted);
}

// Numbers spread over orders of magnitude: mostly near `typical`, sometimes far from it.
double log_spread(Rng& rng, double typical_log10, double near, double far_low, double far_high) {
    return std::pow(10.0, rng.chance(0.8) ? rng.uniform(typical_log10 - near, typical_log10 + near)
                                          : rng.uniform(far_low, far_high));
}

double random_weight_scale_log10(Rng& rng) {
    return rng.chance(0.8) ? rng.uniform(-0.5, 0.5) : rng.uniform(-3, 3);
}

void randomize_special(InputGenes& in, Rng& rng) {
    in.special = rng.pick(all_special_values());
    in.special_fraction = in.special == SpecialValue::none ? 0.0 : std::pow(10.0, rng.uniform(-2, 0));
}

// One field of `g`, chosen among those its kind has. Returns the field's name.
std::string mutate_parameter(LayerGene& g, Rng& rng) {
    std::vector<std::string> fields;
    switch (g.kind) {
        case LayerKind::conv: fields = {"window", "stride", "padding", "units", "bias"}; break;
        case LayerKind::max_pool:
        case LayerKind::average_pool: fields = {"window", "stride", "padding"}; break;
        case LayerKind::fully_connected: fields = {"units", "bias"}; break;
        case LayerKind::lrn: fields = {"lrn-size", "lrn-region", "lrn-alpha", "lrn-beta"}; break;
        case LayerKind::batch_norm: fields = {"bn-epsilon", "bn-momentum"}; break;
        case LayerKind::dropout: fields = {"dropout-rate"}; break;
        case LayerKind::power: fields = {"power-factor", "power-scale"}; break;
        case LayerKind::linear: fields = {"linear-scale", "linear-bias"}; break;
    }
    const std::string field = rng.pick(fields);
    if (field == "window") {
        if (rng.chance(0.5)) g.window_w = g.window_h = rng.integer(1, L::kMaxWindow);
        else (rng.chance(0.5) ? g.window_w : g.window_h) = rng.integer(1, L::kMaxWindow);
    } else if (field == "stride") {
        if (rng.chance(0.5)) g.stride_w = g.stride_h = rng.integer(1, L::kMaxStride);
        else (rng.chance(0.5) ? g.stride_w : g.stride_h) = rng.integer(1, L::kMaxStride);
    } else if (field == "padding") {
        g.padding = g.padding == Padding::same ? Padding::valid : Padding::same;
    } else if (field == "units") {
        g.units = rng.chance(0.5) ? std::max(1, rng.chance(0.5) ? g.units * 2 : g.units / 2) : rng.integer(1, 64);
    } else if (field == "bias") {
        g.bias = !g.bias;
    } else if (field == "lrn-size") {
        g.lrn_size = rng.integer(1, L::kMaxLrnSize);
    } else if (field == "lrn-region") {
        g.lrn_across_channels = !g.lrn_across_channels;
    } else if (field == "lrn-alpha") {
        g.lrn_alpha = log_spread(rng, -4, 1, -8, 4);
    } else if (field == "lrn-beta") {
        g.lrn_beta = rng.chance(0.7) ? rng.uniform(0.1, 2) : rng.uniform(-5, 10);
    } else if (field == "bn-epsilon") {
        g.bn_epsilon = log_spread(rng, -5, 1, -40, 2);
    } else if (field == "bn-momentum") {
        g.bn_momentum = rng.uniform(0, 1);
    } else if (field == "dropout-rate") {
        g.dropout_rate = rng.uniform(0, 0.95);
    } else if (field == "power-factor") {
        g.power_factor = rng.chance(0.6) ? double(rng.integer(-2, 4)) : rng.uniform(-4, 8);
    } else if (field == "power-scale") {
        g.power_scale = (rng.chance(0.8) ? 1 : -1) * log_spread(rng, 0, 1, -10, 10);
    } else if (field == "linear-scale") {
        g.linear_scale = (rng.chance(0.8) ? 1 : -1) * log_spread(rng, 0, 1, -10, 10);
    } else if (field == "linear-bias") {
        g.linear_bias = rng.chance(0.7) ? rng.uniform(-1, 1) : rng.uniform(-1e6, 1e6);
    }
    return field;
}

// The shape flowing into layer `index` (repairing first keeps the walk meaningful).
Shape shape_before(const Genome& genome, size_t index) {
    ShapeCheck check = check_genome(genome);
    return index < check.shapes.size() ? check.shapes[index] : check.shapes.back();
}

}  // namespace

LayerGene random_layer(Rng& rng, const Shape& shape) {
    LayerGene g;
    g.kind = random_kind(rng);
    g.activation = rng.pick(all_activations());
    int side = std::max(1, std::min({shape.width, shape.height, L::kMaxWindow}));
    switch (g.kind) {
        case LayerKind::conv:
            g.window_w = g.window_h = rng.pick(std::vector<int>{1, 3, 3, 5, 5, side});
            if (rng.chance(0.2)) g.window_h = rng.integer(1, L::kMaxWindow);
            g.stride_w = g.stride_h = rng.chance(0.7) ? 1 : rng.integer(2, 3);
            g.padding = rng.chance(0.5) ? Padding::same : Padding::valid;
            g.units = rng.pick(std::vector<int>{1, 2, 4, 6, 8, 16, 32});
            g.bias = rng.chance(0.8);
            break;
        case LayerKind::max_pool:
        case LayerKind::average_pool:
            g.window_w = g.window_h = rng.integer(1, 4);
            g.stride_w = g.stride_h = rng.chance(0.6) ? g.window_w : rng.integer(1, 3);
            g.padding = rng.chance(0.8) ? Padding::valid : Padding::same;
            break;
        case LayerKind::fully_connected:
            g.units = rng.pick(std::vector<int>{4, 8, 16, 32, 64, 128});
            g.bias = rng.chance(0.8);
            break;
        default:
            mutate_parameter(g, rng);  // one non-default parameter
            break;
    }
    return g;
}

Genome random_genome(Rng& rng) {
    Genome genome;
    InputGenes& in = genome.input;
    in.shape.channels = rng.integer(1, L::kMaxInputChannels);
    in.shape.height = rng.pick(kInputSides);
    in.shape.width = rng.chance(0.7) ? in.shape.height : rng.pick(kInputSides);
    in.samples = rng.integer(1, L::kMaxSamples);
    in.scale = log_spread(rng, 0, 1, -6, 6);
    in.offset = rng.chance(0.7) ? 0.0 : rng.uniform(-2, 2) * in.scale;
    if (rng.chance(0.25)) randomize_special(in, rng);
    in.seed = rng.next();
    genome.weight_scale_log10 = random_weight_scale_log10(rng);
    genome.weight_seed = rng.next();

    LayerGene head;
    head.kind = LayerKind::fully_connected;
    head.activation = rng.chance(0.6) ? Activation::softmax : rng.pick(all_activations());
    head.units = rng.integer(2, 10);
    head.bias = rng.chance(0.9);
    genome.layers.push_back(head);
    int hidden = rng.integer(1, 5);
    for (int i = 0; i < hidden; ++i) {
        size_t at = genome.layers.size() - 1;  // before the head
        genome.layers.insert(genome.layers.begin() + long(at), random_layer(rng, shape_before(genome, at)));
        repair(genome);
    }
    repair(genome);
    return genome;
}

std::string mutate(Genome& genome, Rng& rng) {
    static const std::vector<std::string> operators = {
        "layer-parameter", "layer-parameter", "layer-parameter", "activation",   "activation",
        "insert-layer",    "remove-layer",    "replace-layer",   "swap-layers",  "weight-scale",
        "weight-seed",     "input-scale",     "input-offset",    "input-special", "input-seed",
        "input-shape",     "input-samples"};
    std::string op = rng.pick(operators);
    auto& layers = genome.layers;
    const size_t hidden = layers.size() - 1;  // the last layer is the head (repaired genomes)
    if ((op == "remove-layer" || op == "replace-layer") && hidden == 0) op = "insert-layer";
    if (op == "swap-layers" && hidden < 2) op = "layer-parameter";

    std::string name = op;
    if (op == "layer-parameter") {
        LayerGene& g = layers[size_t(rng.integer(0, int(layers.size()) - 1))];
        name = mutate_parameter(g, rng);
    } else if (op == "activation") {
        std::vector<size_t> candidates;
        for (size_t i = 0; i < layers.size(); ++i)
            if (has_activation(layers[i].kind)) candidates.push_back(i);
        LayerGene& g = layers[candidates.empty() ? layers.size() - 1 : rng.pick(candidates)];
        g.activation = rng.pick(all_activations());
    } else if (op == "insert-layer") {
        size_t at = size_t(rng.integer(0, int(hidden)));
        layers.insert(layers.begin() + long(at), random_layer(rng, shape_before(genome, at)));
    } else if (op == "remove-layer") {
        layers.erase(layers.begin() + rng.integer(0, int(hidden) - 1));
    } else if (op == "replace-layer") {
        size_t at = size_t(rng.integer(0, int(hidden) - 1));
        layers[at] = random_layer(rng, shape_before(genome, at));
    } else if (op == "swap-layers") {
        size_t at = size_t(rng.integer(0, int(hidden) - 2));
        std::swap(layers[at], layers[at + 1]);
    } else if (op == "weight-scale") {
        genome.weight_scale_log10 += rng.chance(0.85) ? rng.uniform(-1, 1) : rng.uniform(-4, 4);
    } else if (op == "weight-seed") {
        genome.weight_seed = rng.next();
    } else if (op == "input-scale") {
        genome.input.scale *= std::pow(10.0, rng.chance(0.85) ? rng.uniform(-1, 1) : rng.uniform(-4, 4));
    } else if (op == "input-offset") {
        genome.input.offset = rng.uniform(-2, 2) * std::max(1.0, genome.input.scale);
    } else if (op == "input-special") {
        randomize_special(genome.input, rng);
    } else if (op == "input-seed") {
        genome.input.seed = rng.next();
    } else if (op == "input-shape") {
        Shape& s = genome.input.shape;
        switch (rng.integer(0, 2)) {
            case 0: s.channels = rng.integer(1, L::kMaxInputChannels); break;
            case 1: s.height = rng.pick(kInputSides); break;
            default: s.width = rng.pick(kInputSides); break;
        }
    } else if (op == "input-samples") {
        genome.input.samples = rng.integer(1, L::kMaxSamples);
    }
    if (!std::isfinite(genome.input.scale) || genome.input.scale > 1e300) genome.input.scale = 1;
    repair(genome);
    return name;
}

Genome crossover(const Genome& a, const Genome& b, Rng& rng, std::string& how) {
    Genome child;
    if (rng.chance(0.6)) {
        size_t cut_a = size_t(rng.integer(0, int(a.layers.size()) - 1));  // a's hidden layers kept
        size_t cut_b = size_t(rng.integer(0, int(b.layers.size()) - 1));  // b's layers from here on
        child = a;
        child.layers.assign(a.layers.begin(), a.layers.begin() + long(cut_a));
        child.layers.insert(child.layers.end(), b.layers.begin() + long(cut_b), b.layers.end());
        if (rng.chance(0.5)) {
            child.weight_scale_log10 = b.weight_scale_log10;
            child.weight_seed = b.weight_seed;
        }
        how = "splice(" + std::to_string(cut_a) + "," + std::to_string(cut_b) + ")";
    } else {
        bool layers_from_b = rng.chance(0.5);
        child = layers_from_b ? b : a;
        const Genome& other = layers_from_b ? a : b;
        child.input = other.input;
        if (rng.chance(0.5)) {
            child.weight_scale_log10 = other.weight_scale_log10;
            child.weight_seed = other.weight_seed;
        }
        how = std::string("mix(layers=") + (layers_from_b ? "b" : "a") + ")";
    }
    repair(child);
    return child;
}

size_t tournament(const std::vector<double>& fitness, size_t size, Rng& rng) {
    size_t best = size_t(rng.uniform() * fitness.size());
    for (size_t i = 1; i < size; ++i) {
        size_t other = size_t(rng.uniform() * fitness.size());
        if (fitness[other] > fitness[best]) best = other;
    }
    return best;
}

}  // namespace dlcov::audee
