#include "genome.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace dlcov::audee {

using L = GenomeLimits;

const std::vector<LayerKind>& all_layer_kinds() {
    static const std::vector<LayerKind> kinds = {LayerKind::conv,   LayerKind::fully_connected, LayerKind::max_pool,
                                                 LayerKind::average_pool, LayerKind::linear, LayerKind::lrn,
                                                 LayerKind::batch_norm,   LayerKind::dropout, LayerKind::power};
    return kinds;
}

const std::vector<Activation>& all_activations() {
    static const std::vector<Activation> activations = {
        Activation::identity, Activation::sigmoid, Activation::relu,  Activation::leaky_relu,
        Activation::elu,      Activation::softmax, Activation::tan_h, Activation::tan_hp1m2};
    return activations;
}

const std::vector<SpecialValue>& all_special_values() {
    static const std::vector<SpecialValue> values = {SpecialValue::none,     SpecialValue::zero,
                                                     SpecialValue::huge,     SpecialValue::infinity,
                                                     SpecialValue::negative_infinity, SpecialValue::denormal};
    return values;
}

std::string to_string(LayerKind kind) {
    switch (kind) {
        case LayerKind::conv: return "conv";
        case LayerKind::fully_connected: return "fully_connected";
        case LayerKind::max_pool: return "max_pool";
        case LayerKind::average_pool: return "average_pool";
        case LayerKind::linear: return "linear";
        case LayerKind::lrn: return "lrn";
        case LayerKind::batch_norm: return "batch_norm";
        case LayerKind::dropout: return "dropout";
        case LayerKind::power: return "power";
    }
    return "?";
}

std::string to_string(Activation activation) {
    switch (activation) {
        case Activation::identity: return "identity";
        case Activation::sigmoid: return "sigmoid";
        case Activation::relu: return "relu";
        case Activation::leaky_relu: return "leaky_relu";
        case Activation::elu: return "elu";
        case Activation::softmax: return "softmax";
        case Activation::tan_h: return "tan_h";
        case Activation::tan_hp1m2: return "tan_hp1m2";
    }
    return "?";
}

std::string to_string(Padding padding) { return padding == Padding::same ? "same" : "valid"; }

std::string to_string(SpecialValue value) {
    switch (value) {
        case SpecialValue::none: return "none";
        case SpecialValue::zero: return "zero";
        case SpecialValue::huge: return "huge";
        case SpecialValue::infinity: return "infinity";
        case SpecialValue::negative_infinity: return "negative_infinity";
        case SpecialValue::denormal: return "denormal";
    }
    return "?";
}

bool has_activation(LayerKind kind) {
    switch (kind) {
        case LayerKind::conv:
        case LayerKind::fully_connected:
        case LayerKind::max_pool:
        case LayerKind::average_pool:
        case LayerKind::linear:
        case LayerKind::lrn: return true;
        default: return false;
    }
}

bool LayerGene::operator==(const LayerGene& o) const { return to_json(*this) == to_json(o); }
bool InputGenes::operator==(const InputGenes& o) const {
    return shape == o.shape && samples == o.samples && scale == o.scale && offset == o.offset && special == o.special &&
           special_fraction == o.special_fraction && seed == o.seed;
}
bool Genome::operator==(const Genome& o) const {
    return input == o.input && layers == o.layers && weight_scale_log10 == o.weight_scale_log10 &&
           weight_seed == o.weight_seed;
}

int conv_out_length(int in, int window, int stride, Padding padding) {
    int length = padding == Padding::same ? in : in - window + 1;
    return (length + stride - 1) / stride;
}

namespace {

bool is_pool(LayerKind k) { return k == LayerKind::max_pool || k == LayerKind::average_pool; }
bool has_window(LayerKind k) { return k == LayerKind::conv || is_pool(k); }

// The output shape of `g` on `in`, or the reason tiny-dnn would refuse it. Also counts parameters.
std::optional<std::string> apply_layer(const LayerGene& g, const Shape& in, Shape& out, long& parameters) {
    out = in;
    if (has_window(g.kind)) {
        if (g.window_w < 1 || g.window_h < 1 || g.window_w > L::kMaxWindow || g.window_h > L::kMaxWindow)
            return "window outside 1.." + std::to_string(L::kMaxWindow);
        if (g.stride_w < 1 || g.stride_h < 1 || g.stride_w > L::kMaxStride || g.stride_h > L::kMaxStride)
            return "stride outside 1.." + std::to_string(L::kMaxStride);
        if (g.padding == Padding::valid && (g.window_w > in.width || g.window_h > in.height))
            return "window larger than its input with valid padding";
        out.width = conv_out_length(in.width, g.window_w, g.stride_w, g.padding);
        out.height = conv_out_length(in.height, g.window_h, g.stride_h, g.padding);
    }
    switch (g.kind) {
        case LayerKind::conv:
            if (g.units < 1 || g.units > L::kMaxConvChannels) return "conv channels outside the limits";
            out.channels = g.units;
            parameters += long(g.window_w) * g.window_h * in.channels * g.units + (g.bias ? g.units : 0);
            break;
        case LayerKind::average_pool:
            // average_pooling_layer's constructor: "width/height not multiple of pooling size".
            if (in.width % g.window_w || in.height % g.window_h) return "input not a multiple of the pooling window";
            parameters += 2L * in.channels;  // one weight and one bias per channel
            break;
        case LayerKind::fully_connected:
            if (g.units < 1 || g.units > L::kMaxUnits) return "fully_connected units outside the limits";
            out = Shape{1, 1, g.units};
            parameters += in.size() * g.units + (g.bias ? g.units : 0);
            break;
        case LayerKind::lrn:
            if (g.lrn_size < 1 || g.lrn_size > L::kMaxLrnSize) return "lrn size outside the limits";
            break;
        case LayerKind::dropout:
            if (!(g.dropout_rate >= 0 && g.dropout_rate < 1)) return "dropout rate outside [0, 1)";
            break;
        default: break;
    }
    if (out.size() > L::kMaxActivations) return "layer output larger than the limit";
    return std::nullopt;
}

void clamp_into(int& value, int low, int high, std::set<std::string>& fixes, const char* reason) {
    int clamped = std::clamp(value, low, high);
    if (clamped != value) fixes.insert(reason);
    value = clamped;
}

// The largest divisor of `n` that is at most `limit` (at least 1).
int divisor_at_most(int n, int limit) {
    for (int d = std::min(n, limit); d > 1; --d)
        if (n % d == 0) return d;
    return 1;
}

LayerGene default_head() {
    LayerGene head;
    head.kind = LayerKind::fully_connected;
    head.activation = Activation::softmax;
    head.units = 10;
    return head;
}

}  // namespace

ShapeCheck check_genome(const Genome& genome) {
    ShapeCheck check;
    const Shape& in = genome.input.shape;
    check.shapes.push_back(in);
    if (in.channels < 1 || in.height < 1 || in.width < 1 || in.channels > L::kMaxInputChannels ||
        in.height > L::kMaxInputSide || in.width > L::kMaxInputSide)
        check.error = "input shape outside the limits";
    else if (genome.input.samples < 1 || genome.input.samples > L::kMaxSamples)
        check.error = "sample count outside the limits";
    else if (!std::isfinite(genome.input.scale) || !std::isfinite(genome.input.offset) ||
             !(genome.input.special_fraction >= 0 && genome.input.special_fraction <= 1))
        check.error = "input statistics not finite";
    else if (!(std::fabs(genome.weight_scale_log10) <= L::kMaxWeightScaleLog10))
        check.error = "weight scale outside the limits";
    else if (genome.layers.empty() || genome.layers.size() > size_t(L::kMaxLayers))
        check.error = "layer count outside 1.." + std::to_string(L::kMaxLayers);
    else if (genome.layers.back().kind != LayerKind::fully_connected || genome.layers.back().units > L::kMaxClasses)
        check.error = "the last layer is not a fully_connected head of at most " + std::to_string(L::kMaxClasses) + " outputs";
    if (check.error) return check;

    for (size_t i = 0; i < genome.layers.size(); ++i) {
        Shape out;
        if (auto error = apply_layer(genome.layers[i], check.shapes.back(), out, check.parameters)) {
            check.error = "layer " + std::to_string(i) + " (" + to_string(genome.layers[i].kind) + "): " + *error;
            return check;
        }
        check.shapes.push_back(out);
    }
    if (check.parameters > L::kMaxParameters) check.error = "more parameters than the limit";
    return check;
}

std::vector<std::string> repair(Genome& genome) {
    std::set<std::string> fixes;
    InputGenes& input = genome.input;
    clamp_into(input.shape.channels, 1, L::kMaxInputChannels, fixes, "clamp-input");
    clamp_into(input.shape.height, 1, L::kMaxInputSide, fixes, "clamp-input");
    clamp_into(input.shape.width, 1, L::kMaxInputSide, fixes, "clamp-input");
    clamp_into(input.samples, 1, L::kMaxSamples, fixes, "clamp-input");
    input.special_fraction = std::isfinite(input.special_fraction) ? std::clamp(input.special_fraction, 0.0, 1.0) : 0.0;
    if (std::fabs(genome.weight_scale_log10) > L::kMaxWeightScaleLog10) {
        genome.weight_scale_log10 = std::copysign(L::kMaxWeightScaleLog10, genome.weight_scale_log10);
        fixes.insert("clamp-weight-scale");
    }

    auto& layers = genome.layers;
    if (layers.empty() || layers.back().kind != LayerKind::fully_connected) {
        layers.push_back(default_head());
        fixes.insert("append-head");
    }
    if (layers.size() > size_t(L::kMaxLayers)) {  // keep the head, drop from the middle
        layers.erase(layers.begin() + (L::kMaxLayers - 1), layers.end() - 1);
        fixes.insert("drop-layers");
    }
    clamp_into(layers.back().units, 1, L::kMaxClasses, fixes, "clamp-head");

    Shape shape = input.shape;
    long parameters = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
        LayerGene& g = layers[i];
        if (has_window(g.kind)) {
            clamp_into(g.window_w, 1, L::kMaxWindow, fixes, "clamp-window");
            clamp_into(g.window_h, 1, L::kMaxWindow, fixes, "clamp-window");
            clamp_into(g.stride_w, 1, L::kMaxStride, fixes, "clamp-stride");
            clamp_into(g.stride_h, 1, L::kMaxStride, fixes, "clamp-stride");
            if (g.padding == Padding::valid) {
                clamp_into(g.window_w, 1, shape.width, fixes, "clamp-window");
                clamp_into(g.window_h, 1, shape.height, fixes, "clamp-window");
            }
        }
        if (g.kind == LayerKind::average_pool) {
            int w = divisor_at_most(shape.width, g.window_w), h = divisor_at_most(shape.height, g.window_h);
            if (w != g.window_w || h != g.window_h) fixes.insert("divisor-window");
            g.window_w = w;
            g.window_h = h;
        }
        if (g.kind == LayerKind::conv) clamp_into(g.units, 1, L::kMaxConvChannels, fixes, "clamp-channels");
        if (g.kind == LayerKind::fully_connected && i + 1 < layers.size())
            clamp_into(g.units, 1, L::kMaxUnits, fixes, "clamp-units");
        if (g.kind == LayerKind::lrn) clamp_into(g.lrn_size, 1, L::kMaxLrnSize, fixes, "clamp-lrn");
        if (g.kind == LayerKind::dropout && !(g.dropout_rate >= 0 && g.dropout_rate <= 0.95)) {
            g.dropout_rate = std::isfinite(g.dropout_rate) ? std::clamp(g.dropout_rate, 0.0, 0.95) : 0.5;
            fixes.insert("clamp-dropout");
        }
        // A layer too big for the limits gets fewer channels or units.
        Shape out;
        long before = parameters;
        if (apply_layer(g, shape, out, parameters)) break;  // check_genome reports it
        if ((g.kind == LayerKind::conv || g.kind == LayerKind::fully_connected) &&
            (out.size() > L::kMaxActivations || parameters > L::kMaxParameters)) {
            long per_unit = g.kind == LayerKind::conv ? long(g.window_w) * g.window_h * shape.channels + 1 : shape.size() + 1;
            long room = std::max(1L, (L::kMaxParameters - before) / per_unit);
            long spatial = g.kind == LayerKind::conv ? long(out.width) * out.height : 1;
            g.units = int(std::max(1L, std::min({long(g.units), room, L::kMaxActivations / spatial})));
            fixes.insert("shrink-layer");
            parameters = before;
            if (apply_layer(g, shape, out, parameters)) break;
        }
        shape = out;
    }
    // Layer by layer, the early layers may use up the parameters the later ones need: halve the
    // largest hidden conv or fully_connected layer until the whole fits.
    for (int pass = 0; pass < 32 && check_genome(genome).error == std::optional<std::string>("more parameters than the limit");
         ++pass) {
        Shape in = input.shape;
        long largest = 0;
        LayerGene* target = nullptr;
        for (size_t i = 0; i < layers.size(); ++i) {
            Shape out;
            long count = 0;
            if (apply_layer(layers[i], in, out, count)) break;
            bool shrinkable = (layers[i].kind == LayerKind::conv || layers[i].kind == LayerKind::fully_connected) &&
                              i + 1 < layers.size() && layers[i].units > 1;
            if (shrinkable && count > largest) {
                largest = count;
                target = &layers[i];
            }
            in = out;
        }
        if (!target) break;
        target->units = std::max(1, target->units / 2);
        fixes.insert("shrink-layer");
    }
    return {fixes.begin(), fixes.end()};
}

nlohmann::json to_json(const LayerGene& g) {
    nlohmann::json j = {{"kind", to_string(g.kind)}};
    if (has_activation(g.kind)) j["activation"] = to_string(g.activation);
    if (has_window(g.kind)) {
        j["window"] = {g.window_w, g.window_h};
        j["stride"] = {g.stride_w, g.stride_h};
        j["padding"] = to_string(g.padding);
    }
    switch (g.kind) {
        case LayerKind::conv:
        case LayerKind::fully_connected:
            j["units"] = g.units;
            j["bias"] = g.bias;
            break;
        case LayerKind::lrn:
            j["size"] = g.lrn_size;
            j["across_channels"] = g.lrn_across_channels;
            j["alpha"] = g.lrn_alpha;
            j["beta"] = g.lrn_beta;
            break;
        case LayerKind::batch_norm:
            j["epsilon"] = g.bn_epsilon;
            j["momentum"] = g.bn_momentum;
            break;
        case LayerKind::dropout: j["rate"] = g.dropout_rate; break;
        case LayerKind::power:
            j["factor"] = g.power_factor;
            j["scale"] = g.power_scale;
            break;
        case LayerKind::linear:
            j["scale"] = g.linear_scale;
            j["bias"] = g.linear_bias;
            break;
        default: break;
    }
    return j;
}

nlohmann::json to_json(const Genome& genome) {
    const InputGenes& in = genome.input;
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& g : genome.layers) layers.push_back(to_json(g));
    return {{"input",
             {{"shape", {in.shape.channels, in.shape.height, in.shape.width}},
              {"samples", in.samples},
              {"scale", in.scale},
              {"offset", in.offset},
              {"special", to_string(in.special)},
              {"special_fraction", in.special_fraction},
              {"seed", in.seed}}},
            {"weight_scale_log10", genome.weight_scale_log10},
            {"weight_seed", genome.weight_seed},
            {"layers", layers}};
}

namespace {

template <typename Enum>
Enum parse_name(const std::string& name, const std::vector<Enum>& all, const char* what) {
    for (Enum e : all)
        if (to_string(e) == name) return e;
    throw std::invalid_argument(std::string("unknown ") + what + ": " + name);
}

LayerGene gene_from_json(const nlohmann::json& j) {
    LayerGene g;
    g.kind = parse_name(j.at("kind").get<std::string>(), all_layer_kinds(), "layer kind");
    if (j.contains("activation"))
        g.activation = parse_name(j["activation"].get<std::string>(), all_activations(), "activation");
    if (j.contains("window")) {
        g.window_w = j["window"].at(0);
        g.window_h = j["window"].at(1);
        g.stride_w = j.at("stride").at(0);
        g.stride_h = j.at("stride").at(1);
        g.padding = j.at("padding") == "same" ? Padding::same : Padding::valid;
    }
    switch (g.kind) {
        case LayerKind::conv:
        case LayerKind::fully_connected:
            g.units = j.at("units");
            g.bias = j.at("bias");
            break;
        case LayerKind::lrn:
            g.lrn_size = j.at("size");
            g.lrn_across_channels = j.at("across_channels");
            g.lrn_alpha = j.at("alpha");
            g.lrn_beta = j.at("beta");
            break;
        case LayerKind::batch_norm:
            g.bn_epsilon = j.at("epsilon");
            g.bn_momentum = j.at("momentum");
            break;
        case LayerKind::dropout: g.dropout_rate = j.at("rate"); break;
        case LayerKind::power:
            g.power_factor = j.at("factor");
            g.power_scale = j.at("scale");
            break;
        case LayerKind::linear:
            g.linear_scale = j.at("scale");
            g.linear_bias = j.at("bias");
            break;
        default: break;
    }
    return g;
}

}  // namespace

Genome genome_from_json(const nlohmann::json& j) {
    try {
        Genome genome;
        const auto& in = j.at("input");
        genome.input.shape = {in.at("shape").at(0), in.at("shape").at(1), in.at("shape").at(2)};
        genome.input.samples = in.at("samples");
        genome.input.scale = in.at("scale");
        genome.input.offset = in.at("offset");
        genome.input.special = parse_name(in.at("special").get<std::string>(), all_special_values(), "special value");
        genome.input.special_fraction = in.at("special_fraction");
        genome.input.seed = in.at("seed");
        genome.weight_scale_log10 = j.at("weight_scale_log10");
        genome.weight_seed = j.at("weight_seed");
        for (const auto& layer : j.at("layers")) genome.layers.push_back(gene_from_json(layer));
        return genome;
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("genome JSON: ") + e.what());
    }
}

}  // namespace dlcov::audee
