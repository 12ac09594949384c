#include "model_writer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tiny_dnn/tiny_dnn.h"

namespace dlcov::audee {
namespace {

namespace td = tiny_dnn;
using td::network;
using td::sequential;
using td::serial_size_t;

// Calls `f` with a value of the activation class named by `a` (tiny-dnn takes it as a template
// argument).
template <typename F>
void with_activation(Activation a, F&& f) {
    switch (a) {
        case Activation::identity: return f(td::activation::identity{});
        case Activation::sigmoid: return f(td::activation::sigmoid{});
        case Activation::relu: return f(td::activation::relu{});
        case Activation::leaky_relu: return f(td::activation::leaky_relu{});
        case Activation::elu: return f(td::activation::elu{});
        case Activation::softmax: return f(td::activation::softmax{});
        case Activation::tan_h: return f(td::activation::tan_h{});
        case Activation::tan_hp1m2: return f(td::activation::tan_hp1m2{});
    }
}

td::padding tiny_padding(Padding p) { return p == Padding::same ? td::padding::same : td::padding::valid; }

serial_size_t sz(int v) { return static_cast<serial_size_t>(v); }

void add_layer(network<sequential>& net, const LayerGene& g, const Shape& in) {
    const serial_size_t w = sz(in.width), h = sz(in.height), c = sz(in.channels);
    const auto size = static_cast<serial_size_t>(in.size());
    const td::shape3d shape(w, h, c);
    switch (g.kind) {
        case LayerKind::conv:
            return with_activation(g.activation, [&](auto act) {
                using A = decltype(act);
                net << td::convolutional_layer<A>(w, h, sz(g.window_w), sz(g.window_h), c, sz(g.units),
                                                  tiny_padding(g.padding), g.bias, sz(g.stride_w), sz(g.stride_h));
            });
        case LayerKind::fully_connected:
            return with_activation(g.activation, [&](auto act) {
                net << td::fully_connected_layer<decltype(act)>(size, sz(g.units), g.bias);
            });
        case LayerKind::max_pool:
            return with_activation(g.activation, [&](auto act) {
                net << td::max_pooling_layer<decltype(act)>(w, h, c, sz(g.window_w), sz(g.window_h), sz(g.stride_w),
                                                            sz(g.stride_h), tiny_padding(g.padding));
            });
        case LayerKind::average_pool:
            return with_activation(g.activation, [&](auto act) {
                net << td::average_pooling_layer<decltype(act)>(w, h, c, sz(g.window_w), sz(g.window_h),
                                                                sz(g.stride_w), sz(g.stride_h), tiny_padding(g.padding));
            });
        case LayerKind::linear:
            return with_activation(g.activation, [&](auto act) {
                net << td::linear_layer<decltype(act)>(size, td::float_t(g.linear_scale), td::float_t(g.linear_bias));
            });
        case LayerKind::lrn:
            return with_activation(g.activation, [&](auto act) {
                net << td::lrn_layer<decltype(act)>(shape, sz(g.lrn_size), td::float_t(g.lrn_alpha),
                                                    td::float_t(g.lrn_beta),
                                                    g.lrn_across_channels ? td::norm_region::across_channels
                                                                          : td::norm_region::within_channels);
            });
        case LayerKind::batch_norm:
            net << td::batch_normalization_layer(w * h, c, td::float_t(g.bn_epsilon), td::float_t(g.bn_momentum));
            return;
        case LayerKind::dropout:
            net << td::dropout_layer(size, td::float_t(g.dropout_rate));
            return;
        case LayerKind::power:
            net << td::power_layer(shape, td::float_t(g.power_factor), td::float_t(g.power_scale));
            return;
    }
}

// Multiplies every trainable weight (and bias) by `factor`, saturating at float's largest value.
void scale_weights(network<sequential>& net, double factor) {
    const double limit = std::numeric_limits<float>::max();
    for (td::layer* l : net)
        for (td::vec_t* weights : l->weights())
            for (auto& v : *weights) v = static_cast<td::float_t>(std::clamp(double(v) * factor, -limit, limit));
}

}  // namespace

int save_model(const Genome& genome, const std::string& path) {
    ShapeCheck check = check_genome(genome);
    if (!check.valid()) throw ModelBuildError("invalid genome: " + *check.error);
    try {
        network<sequential> net("audee");
        for (size_t i = 0; i < genome.layers.size(); ++i) add_layer(net, genome.layers[i], check.shapes[i]);
        td::set_random_seed(genome.weight_seed);
        net.init_weight();
        scale_weights(net, std::pow(10.0, genome.weight_scale_log10));
        net.set_netphase(td::net_phase::test);
        net.save(path, td::content_type::weights_and_model, td::file_format::json);
        return static_cast<int>(net.out_data_size());
    } catch (const td::nn_error& e) {
        throw ModelBuildError(std::string("tiny-dnn: ") + e.what());
    }
}

}  // namespace dlcov::audee
