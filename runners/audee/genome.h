// What the Audee-style generator searches over: a genome is a small sequential network template
// (layers of tiny-dnn 1.0.0a3 with their parameters), the scale of its weights and the
// statistics of its input batch. Genomes are plain data: checking and repairing them needs no
// tiny-dnn, so the genetic operators can be tested on their own.
//
// The shape rules mirror tiny-dnn 1.0.0a3 (util.h conv_out_length, the layers' constructors):
// a genome that check_genome() accepts builds without tiny-dnn throwing.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dlcov::audee {

// The layers tiny-dnn 1.0.0a3 can serialize in a sequential network (deconvolution and the
// input layer cannot be saved; concat, slice and elementwise_add need a graph).
enum class LayerKind { conv, fully_connected, max_pool, average_pool, linear, lrn, batch_norm, dropout, power };
// Every activation tiny-dnn registers for serialization (serialization_helper.h).
enum class Activation { identity, sigmoid, relu, leaky_relu, elu, softmax, tan_h, tan_hp1m2 };
enum class Padding { valid, same };
// Values an input may be salted with; the executor turns numbers beyond float's range into inf.
enum class SpecialValue { none, zero, huge, infinity, negative_infinity, denormal };

const std::vector<LayerKind>& all_layer_kinds();
const std::vector<Activation>& all_activations();
const std::vector<SpecialValue>& all_special_values();
std::string to_string(LayerKind kind);
std::string to_string(Activation activation);
std::string to_string(Padding padding);
std::string to_string(SpecialValue value);
// True for the layers that take an activation template argument.
bool has_activation(LayerKind kind);

// tiny-dnn's shape3d order is (width, height, depth); here it is spelled out.
struct Shape {
    int channels = 1, height = 1, width = 1;
    long size() const { return long(channels) * height * width; }
    bool operator==(const Shape& o) const {
        return channels == o.channels && height == o.height && width == o.width;
    }
};

// One layer. Only the fields of its kind matter; the others keep their defaults.
struct LayerGene {
    LayerKind kind = LayerKind::fully_connected;
    Activation activation = Activation::identity;  // conv, fully_connected, pools, linear, lrn
    int window_w = 3, window_h = 3;                 // conv kernel, pooling window
    int stride_w = 1, stride_h = 1;                 // conv, pools
    Padding padding = Padding::valid;               // conv, pools
    int units = 8;                                  // conv output channels, fully_connected outputs
    bool bias = true;                               // conv, fully_connected
    int lrn_size = 3;                               // lrn local size
    bool lrn_across_channels = true;                // lrn norm_region
    double lrn_alpha = 1e-4, lrn_beta = 0.75;
    double bn_epsilon = 1e-5, bn_momentum = 0.999;
    double dropout_rate = 0.5;
    double power_factor = 2.0, power_scale = 1.0;
    double linear_scale = 1.0, linear_bias = 0.0;

    bool operator==(const LayerGene& o) const;
};

struct InputGenes {
    Shape shape{1, 8, 8};
    int samples = 2;
    double scale = 1.0;   // values are offset + scale * uniform(-1, 1) ...
    double offset = 0.0;
    SpecialValue special = SpecialValue::none;  // ... with this fraction replaced by `special`
    double special_fraction = 0.0;
    std::uint32_t seed = 1;

    bool operator==(const InputGenes& o) const;
};

struct Genome {
    InputGenes input;
    std::vector<LayerGene> layers;  // the last one is the fully-connected head
    double weight_scale_log10 = 0;  // tiny-dnn's initial weights multiplied by 10^this
    std::uint32_t weight_seed = 1;  // tiny-dnn's random generator seed for the initial weights

    bool operator==(const Genome& o) const;
};

// Limits that keep a generated model small enough to write, load and run in well under a second.
struct GenomeLimits {
    static constexpr int kMaxLayers = 10;
    static constexpr int kMaxInputChannels = 4;
    static constexpr int kMaxInputSide = 32;
    static constexpr int kMaxSamples = 4;
    static constexpr int kMaxWindow = 7;
    static constexpr int kMaxStride = 4;
    static constexpr int kMaxConvChannels = 32;
    static constexpr int kMaxUnits = 256;
    static constexpr int kMaxClasses = 16;  // outputs of the head
    static constexpr int kMaxLrnSize = 7;
    static constexpr long kMaxActivations = 64 * 1024;  // values one layer outputs per sample
    static constexpr long kMaxParameters = 200 * 1000;  // weights and biases in all
    static constexpr double kMaxWeightScaleLog10 = 30;  // float weights stay finite (saveable)
};

// The result of walking a genome's layers with the shape rules.
struct ShapeCheck {
    std::optional<std::string> error;  // why tiny-dnn would refuse it; nullopt when valid
    std::vector<Shape> shapes;         // input shape, then each layer's output shape
    long parameters = 0;
    bool valid() const { return !error; }
};
ShapeCheck check_genome(const Genome& genome);

// Makes a genome valid where a parameter can be adjusted (windows clamped to the input, pooling
// windows to divisors, channels to the limits, a head appended ...). Returns one short reason per
// kind of fix applied ("clamp-window", "append-head", ...); the genome may still be invalid
// (check_genome says why) when no adjustment helps.
std::vector<std::string> repair(Genome& genome);

// tiny-dnn's conv_out_length: the output length of a window sliding over `in`.
int conv_out_length(int in, int window, int stride, Padding padding);

nlohmann::json to_json(const LayerGene& gene);
nlohmann::json to_json(const Genome& genome);
// Throws std::invalid_argument for unknown names or missing fields.
Genome genome_from_json(const nlohmann::json& j);

}  // namespace dlcov::audee
