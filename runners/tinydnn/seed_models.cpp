// The eight seed models, built with the tiny-dnn 1.0.0a3 API (activation as a template
// argument). Only layers that tiny-dnn can serialize are used (conv, fully_connected,
// avepool, maxpool, linear, lrn, batchnorm, concat, dropout, power, slice,
// elementwise_add): deconvolution and input layers cannot be saved, so no seed has them.
// lrn has no backward pass in 1.0.0a3 ("not implemented"), so only inception_like has
// one, and that seed is saved untrained.
#include "seed_models.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "tiny_dnn/tiny_dnn.h"

namespace dlcov::tinydnn {
namespace {

using namespace tiny_dnn;
using namespace tiny_dnn::activation;

// Few, small training steps: enough to make the seeds classify their synthetic patterns,
// cheap enough to build all eight seeds in seconds.
constexpr int kTrainSamplesPerClass = 3;
constexpr int kTrainBatch = 10;
constexpr int kTrainEpochs = 10;

// FNV-1a: a hash that is the same on every platform, unlike std::hash.
std::uint32_t stable_hash(const std::string& text) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : text) h = (h ^ c) * 16777619u;
    return h;
}

// tiny-dnn 1.0.0a3 saves concat_layer's input shapes unnamed ("value0") but loads them
// as "in_size", so its own concat models do not load: rename the key in the saved file.
// ordered_json keeps cereal's member order: the weights ("value0", "value1", ...) are
// read by position.
void fix_concat_shapes(const std::string& path) {
    nlohmann::ordered_json doc;
    {
        std::ifstream in(path);
        doc = nlohmann::ordered_json::parse(in);
    }
    bool changed = false;
    for (auto& node : doc["nodes"]) {
        if (node.value("type", "") == "concat" && node.contains("value0") && !node.contains("in_size")) {
            nlohmann::ordered_json fixed;
            for (auto& [key, value] : node.items()) fixed[key == "value0" ? "in_size" : key] = value;
            node = std::move(fixed);
            changed = true;
        }
    }
    if (!changed) return;
    std::ofstream out(path, std::ios::trunc);
    out << doc.dump(4) << '\n';
    if (!out) throw std::runtime_error("cannot write " + path);
}

template <typename Net>
void save(Net& net, const std::string& path) {
    net.set_netphase(net_phase::test);
    net.save(path, content_type::weights_and_model, file_format::json);
    fix_concat_shapes(path);
}

template <typename Net>
void train_and_save(Net& net, const SeedModel& model, const std::string& path) {
    SeedData data = make_seed_data(model, kTrainSamplesPerClass * model.classes, 1);
    std::vector<vec_t> inputs;
    std::vector<label_t> labels;
    for (size_t i = 0; i < data.samples.size(); ++i) {
        inputs.emplace_back(data.samples[i].begin(), data.samples[i].end());
        labels.push_back(static_cast<label_t>(data.labels[i]));
    }
    adagrad optimizer;
    net.template train<cross_entropy_multiclass>(optimizer, inputs, labels, kTrainBatch, kTrainEpochs);
    save(net, path);
}

// LeNet-5 as LeCun built it: tanh, trainable average pooling, the sparse C3 connection table.
void lenet5_32(const SeedModel& m, const std::string& path) {
    constexpr bool O = true, X = false;
    static const bool c3_table[6 * 16] = {
        O, X, X, X, O, O, O, X, X, O, O, O, O, X, O, O,
        O, O, X, X, X, O, O, O, X, X, O, O, O, O, X, O,
        O, O, O, X, X, X, O, O, O, X, X, O, X, O, O, O,
        X, O, O, O, X, X, O, O, O, O, X, X, O, X, O, O,
        X, X, O, O, O, X, X, O, O, O, O, X, O, O, X, O,
        X, X, X, O, O, O, X, X, O, O, O, O, X, O, O, O};
    network<sequential> net(m.name);
    net << convolutional_layer<tan_h>(32, 32, 5, 1, 6)
        << average_pooling_layer<tan_h>(28, 28, 6, 2)
        << convolutional_layer<tan_h>(14, 14, 5, 6, 16, connection_table(c3_table, 6, 16))
        << average_pooling_layer<tan_h>(10, 10, 16, 2)
        << convolutional_layer<tan_h>(5, 5, 5, 16, 120)  // 1x1 output: the AVX kernel's own branch
        << fully_connected_layer<softmax>(120, m.classes);
    train_and_save(net, m, path);
}

// LeNet-5 as Keras users write it for MNIST: relu, max pooling, "same" padding first.
void lenet5_28(const SeedModel& m, const std::string& path) {
    network<sequential> net(m.name);
    net << convolutional_layer<relu>(28, 28, 5, 1, 6, padding::same)
        << max_pooling_layer<identity>(28, 28, 6, 2)
        << convolutional_layer<relu>(14, 14, 5, 6, 16)
        << max_pooling_layer<identity>(10, 10, 16, 2)
        << fully_connected_layer<relu>(400, 120)
        << fully_connected_layer<relu>(120, 84)
        << fully_connected_layer<softmax>(84, m.classes);
    train_and_save(net, m, path);
}

// AlexNet in miniature: strided first convolution, overlapping max pooling, dropout
// before the classifier (its local response normalisation would make it untrainable).
void alexnet_like(const SeedModel& m, const std::string& path) {
    network<sequential> net(m.name);
    net << convolutional_layer<relu>(32, 32, 5, 3, 16, padding::valid, true, 2, 2)  // 14x14
        << max_pooling_layer<identity>(14, 14, 16, 3, 2)                            // 6x6
        << convolutional_layer<relu>(6, 6, 5, 16, 32, padding::same)
        << max_pooling_layer<identity>(6, 6, 32, 2)  // 3x3
        << convolutional_layer<relu>(3, 3, 3, 32, 48, padding::same)
        << convolutional_layer<relu>(3, 3, 3, 48, 32, padding::same)
        << fully_connected_layer<relu>(3 * 3 * 32, 64)
        << dropout_layer(64, 0.5f)
        << fully_connected_layer<softmax>(64, m.classes);
    train_and_save(net, m, path);
}

// VGG in miniature: stacked 3x3 convolutions between 2x2 max poolings.
void vgg_like(const SeedModel& m, const std::string& path) {
    network<sequential> net(m.name);
    net << convolutional_layer<relu>(32, 32, 3, 3, 16, padding::same)
        << convolutional_layer<relu>(32, 32, 3, 16, 16, padding::same)
        << max_pooling_layer<identity>(32, 32, 16, 2)
        << convolutional_layer<relu>(16, 16, 3, 16, 32, padding::same)
        << convolutional_layer<relu>(16, 16, 3, 32, 32, padding::same)
        << max_pooling_layer<identity>(16, 16, 32, 2)
        << convolutional_layer<relu>(8, 8, 3, 32, 32, padding::same)
        << max_pooling_layer<identity>(8, 8, 32, 2)
        << fully_connected_layer<relu>(4 * 4 * 32, 64)
        << fully_connected_layer<softmax>(64, m.classes);
    train_and_save(net, m, path);
}

// One residual block through tiny-dnn's graph API: the pooled stem feeds both the
// two-convolution branch and, as the skip connection, the element-wise addition.
// The graph does not own its layers. They are members of one object so that their
// addresses, by which tiny-dnn orders the graph's nodes, follow the declaration order:
// the saved file is then the same on every run.
struct ResnetBlock {
    explicit ResnetBlock(serial_size_t classes)
        : stem(32, 32, 5, 3, 8, padding::same), pool(32, 32, 8, 2),
          conv1(16, 16, 3, 8, 8, padding::same), conv2(16, 16, 3, 8, 8, padding::same),
          add(2, 16 * 16 * 8), act(16 * 16 * 8), gap(16, 16, 8, 4), head(4 * 4 * 8, classes) {
        connect(&stem, &pool);
        connect(&pool, &conv1);
        connect(&conv1, &conv2);
        connect(&pool, &add, 0, 0);   // skip connection
        connect(&conv2, &add, 0, 1);  // residual branch
        connect(&add, &act);
        connect(&act, &gap);
        connect(&gap, &head);
    }
    convolutional_layer<relu> stem;
    max_pooling_layer<identity> pool;
    convolutional_layer<relu> conv1;
    convolutional_layer<identity> conv2;
    elementwise_add_layer add;
    linear_layer<relu> act;
    average_pooling_layer<identity> gap;
    fully_connected_layer<softmax> head;
};

void resnet_block(const SeedModel& m, const std::string& path) {
    auto layers = std::make_unique<ResnetBlock>(m.classes);
    network<graph> net(m.name);
    construct_graph(net, {&layers->stem}, {&layers->head});
    train_and_save(net, m, path);
}

// Fully connected only, one activation function per layer.
void mlp(const SeedModel& m, const std::string& path) {
    network<sequential> net(m.name);
    net << fully_connected_layer<relu>(m.input.size(), 128)
        << fully_connected_layer<sigmoid>(128, 64)
        << fully_connected_layer<elu>(64, 32)
        << fully_connected_layer<softmax>(32, m.classes);
    train_and_save(net, m, path);
}

// Batch normalisation after each convolution (activation as a separate linear<relu>
// layer, as in Keras' Conv-BN-ReLU) and dropout in the classifier. Momentum 0.5 so that
// the short training leaves real running statistics for the test phase.
void bn_dropout(const SeedModel& m, const std::string& path) {
    network<sequential> net(m.name);
    net << convolutional_layer<identity>(32, 32, 5, 3, 8, padding::same)
        << batch_normalization_layer(32 * 32, 8, 1e-5f, 0.5f)
        << linear_layer<relu>(32 * 32 * 8)
        << max_pooling_layer<identity>(32, 32, 8, 2)
        << convolutional_layer<identity>(16, 16, 3, 8, 16, padding::same)
        << batch_normalization_layer(16 * 16, 16, 1e-5f, 0.5f)
        << linear_layer<relu>(16 * 16 * 16)
        << max_pooling_layer<identity>(16, 16, 16, 2)
        << fully_connected_layer<relu>(8 * 8 * 16, 64)
        << dropout_layer(64, 0.25f)
        << fully_connected_layer<softmax>(64, m.classes);
    train_and_save(net, m, path);
}

// An Inception-style split and merge through the graph API, for the layers the other
// seeds leave out: slice (by channel), power, 1x1 convolution, lrn, concat, sigmoid.
// Its weights are the deterministic initial ones. One object holds the layers, as above.
struct InceptionLike {
    explicit InceptionLike(serial_size_t classes)
        : stem(32, 32, 3, 3, 8, padding::same), pool(32, 32, 8, 2),
          split(shape3d(16, 16, 8), slice_type::slice_channels, 2),
          wide(16, 16, 5, 4, 4, padding::same), square(shape3d(16, 16, 4), 2.0f, 0.5f),
          narrow(16, 16, 1, 4, 4), norm(16, 16, 3, 4, 1e-4f, 0.75f),
          merge(std::vector<shape3d>{shape3d(16, 16, 4), shape3d(16, 16, 4)}),
          pool2(16, 16, 8, 2), fc(8 * 8 * 8, 32), head(32, classes) {
        connect(&stem, &pool);
        connect(&pool, &split);
        connect(&split, &wide, 0, 0);
        connect(&split, &square, 1, 0);
        connect(&square, &narrow);
        connect(&narrow, &norm);
        connect(&wide, &merge, 0, 0);
        connect(&norm, &merge, 0, 1);
        connect(&merge, &pool2);
        connect(&pool2, &fc);
        connect(&fc, &head);
    }
    convolutional_layer<relu> stem;
    average_pooling_layer<identity> pool;
    slice_layer split;
    convolutional_layer<tan_h> wide;
    power_layer square;
    convolutional_layer<sigmoid> narrow;
    lrn_layer<identity> norm;
    concat_layer merge;
    max_pooling_layer<identity> pool2;
    fully_connected_layer<tan_h> fc;
    fully_connected_layer<softmax> head;
};

void inception_like(const SeedModel& m, const std::string& path) {
    auto layers = std::make_unique<InceptionLike>(m.classes);
    network<graph> net(m.name);
    construct_graph(net, {&layers->stem}, {&layers->head});
    save(net, path);  // untrained: lrn cannot back-propagate
}

using Builder = void (*)(const SeedModel&, const std::string&);

Builder builder_for(const std::string& name) {
    if (name == "lenet5_32") return lenet5_32;
    if (name == "lenet5_28") return lenet5_28;
    if (name == "alexnet_like") return alexnet_like;
    if (name == "vgg_like") return vgg_like;
    if (name == "resnet_block") return resnet_block;
    if (name == "mlp") return mlp;
    if (name == "bn_dropout") return bn_dropout;
    if (name == "inception_like") return inception_like;
    throw std::invalid_argument("unknown seed model: " + name);
}

}  // namespace

const std::vector<SeedModel>& seed_models() {
    static const std::vector<SeedModel> models = {
        {"lenet5_32", {1, 32, 32}, 10},    {"lenet5_28", {1, 28, 28}, 10},
        {"alexnet_like", {3, 32, 32}, 10}, {"vgg_like", {3, 32, 32}, 10},
        {"resnet_block", {3, 32, 32}, 10}, {"mlp", {1, 28, 28}, 10},
        {"bn_dropout", {3, 32, 32}, 10},   {"inception_like", {3, 32, 32}, 10},
    };
    return models;
}

SeedData make_seed_data(const SeedModel& model, int count, unsigned variant) {
    const double pi = std::acos(-1.0);
    const SeedShape& s = model.input;
    std::mt19937 noise(stable_hash(model.name) ^ (variant * 0x9e3779b9u));
    SeedData data;
    data.shape = s;
    for (int i = 0; i < count; ++i) {
        const int label = i % model.classes;
        // Each class is a sine grating with its own spatial frequencies and phase.
        const double fx = 1 + label % 5, fy = 1 + label / 5;
        std::vector<float> sample;
        sample.reserve(s.size());
        for (int c = 0; c < s.channels; ++c)
            for (int y = 0; y < s.height; ++y)
                for (int x = 0; x < s.width; ++x) {
                    const double wave = std::sin(2 * pi * (fx * x / s.width + fy * y / s.height) +
                                                 c * pi / 3 + label * 0.7);
                    // mt19937's output is fixed by the standard; the distributions are not.
                    const double jitter = noise() / 4294967295.0 * 2 - 1;
                    const double value = 0.8 * wave + 0.2 * jitter;
                    sample.push_back(static_cast<float>(std::round(value * 1e4) / 1e4));
                }
        data.samples.push_back(std::move(sample));
        data.labels.push_back(label);
    }
    return data;
}

void save_seed_model(const SeedModel& model, const std::string& path) {
    // Weights are drawn from tiny-dnn's global generator: reseed it per model so each
    // seed is the same whatever order or subset of seeds is built.
    tiny_dnn::set_random_seed(stable_hash(model.name));
    builder_for(model.name)(model, path);
}

}  // namespace dlcov::tinydnn
