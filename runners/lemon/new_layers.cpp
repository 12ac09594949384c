#include "new_layers.h"

#include <cmath>

namespace dlcov::lemon {
namespace {

ModelJson shape_json(const Shape& s) { return {{"width", s.width}, {"height", s.height}, {"depth", s.depth}}; }

ModelJson glorot_uniform(size_t count, size_t fan_in, size_t fan_out, RandomSource& random) {
    double limit = std::sqrt(6.0 / double(fan_in + fan_out));
    ModelJson values = ModelJson::array();
    for (size_t i = 0; i < count; ++i) values.push_back(float((random.uniform() * 2 - 1) * limit));
    return values;
}

ModelJson filled(size_t count, float value) {
    ModelJson values = ModelJson::array();
    for (size_t i = 0; i < count; ++i) values.push_back(value);
    return values;
}

}  // namespace

Layer make_linear(const Shape& at, const std::string& activation) {
    Layer l;
    l.node = {{"type", "linear<" + activation + ">"}, {"in_size", at.size()}, {"scale", 1.0f}, {"bias", 0.0f}};
    return l;
}

Layer make_dropout(const Shape& at, float rate) {
    Layer l;
    l.node = {{"type", "dropout"}, {"in_size", at.size()}, {"dropout_rate", rate}, {"phase", 1}};
    return l;
}

Layer make_batchnorm(const Shape& at) {
    unsigned channels = at.is_spatial() ? at.depth : 1;
    size_t spatial = at.size() / channels;
    Layer l;
    l.node = {{"type", "batchnorm"}, {"in_spatial_size", spatial}, {"in_channels", channels},
              {"epsilon", 1e-5f},    {"momentum", 0.999f},         {"phase", 1},
              {"mean", filled(channels, 0.0f)}, {"variance", filled(channels, 1.0f)}};
    return l;
}

Layer make_power(const Shape& at, float factor, float scale) {
    Layer l;
    l.node = {{"type", "power"}, {"in_size", shape_json(at)}, {"factor", factor}, {"scale", scale}};
    return l;
}

Layer make_lrn(const Shape& at, unsigned size, const std::string& activation) {
    Layer l;
    l.node = {{"type", "lrn<" + activation + ">"}, {"in_shape", shape_json(at)}, {"size", size},
              {"alpha", 1e-4f}, {"beta", 0.75f}, {"region", 0}};
    return l;
}

Layer make_conv(const Shape& in, unsigned out_channels, unsigned window, bool same_padding,
                const std::string& activation, RandomSource& random) {
    Layer l;
    l.node = {{"type", "conv<" + activation + ">"},
              {"in_size", shape_json(in)},
              {"window_width", window},
              {"window_height", window},
              {"out_channels", out_channels},
              {"connection_table", {{"rows", 0}, {"cols", 0}, {"connection", "all"}}},
              {"pad_type", same_padding ? 1 : 0},
              {"has_bias", true},
              {"w_stride", 1},
              {"h_stride", 1}};
    size_t area = size_t(window) * window;
    l.weights = {{"value0", glorot_uniform(area * in.depth * out_channels, area * in.depth, area * out_channels, random)},
                 {"value1", filled(out_channels, 0.0f)}};
    return l;
}

Layer make_fully_connected(size_t in, size_t out, const std::string& activation, RandomSource& random) {
    Layer l;
    l.node = {{"type", "fully_connected<" + activation + ">"}, {"in_size", in}, {"out_size", out}, {"has_bias", true}};
    l.weights = {{"value0", glorot_uniform(in * out, in, out, random)}, {"value1", filled(out, 0.0f)}};
    return l;
}

Layer make_pool(const std::string& kind, const Shape& in, unsigned size, unsigned stride, bool same_padding,
                const std::string& activation) {
    Layer l;
    l.node = {{"type", kind + "<" + activation + ">"},
              {"in_size", shape_json(in)},
              {"pool_size_x", size},
              {"pool_size_y", size},
              {"stride_x", stride},
              {"stride_y", stride},
              {"pad_type", same_padding ? 1 : 0}};
    if (kind == "avepool")  // partial_connected_layer: one weight per window cell and channel, one bias per channel
        l.weights = {{"value0", filled(size_t(size) * size * in.depth, 1.0f)}, {"value1", filled(in.depth, 0.0f)}};
    return l;
}

}  // namespace dlcov::lemon
