#include "corpus.h"

#include <cmath>
#include <random>

using nlohmann::json;

namespace dlcov::tenfuzz {

namespace {

// Values in [lo, hi) from a fixed generator: the corpus is the same on every run.
class Values {
public:
    json sample(size_t n, double lo = -1, double hi = 1) {
        std::uniform_real_distribution<double> dist(lo, hi);
        json s = json::array();
        for (size_t i = 0; i < n; ++i) s.push_back(std::round(dist(rng_) * 1000) / 1000);  // short JSON
        return s;
    }
    json tensor(int c, int h, int w, size_t samples = 1, double lo = -1, double hi = 1) {
        json t = {{"shape", {c, h, w}}, {"samples", json::array()}};
        for (size_t i = 0; i < samples; ++i) t["samples"].push_back(sample(size_t(c * h * w), lo, hi));
        return t;
    }

private:
    std::mt19937 rng_{20231};
};

json make(const std::string& api, const std::string& name, json params, json types, json inputs) {
    return {{"api", api}, {"name", name}, {"params", std::move(params)}, {"param_types", std::move(types)},
            {"inputs", std::move(inputs)}, {"history", json::array()}};
}

const std::vector<std::string> kOptimizers = {"adagrad", "RMSprop", "adam", "gradient_descent", "momentum"};
const std::vector<std::string> kLosses = {"mse", "absolute", "absolute_eps", "cross_entropy", "cross_entropy_multiclass"};

json optimizer_params(const std::string& name, json& types) {
    json p = {{"alpha", 0.05}};
    types["alpha"] = "float";
    if (name == "RMSprop") p["mu"] = 0.9, types["mu"] = "float";
    if (name == "adam") p["b1"] = 0.9, p["b2"] = 0.999, types["b1"] = "float", types["b2"] = "float";
    if (name == "gradient_descent") p["lambda"] = 0.01, types["lambda"] = "float";
    if (name == "momentum") p["lambda"] = 0.01, p["mu"] = 0.9, types["lambda"] = "float", types["mu"] = "float";
    return p;
}

}  // namespace

std::vector<CorpusTest> initial_corpus() {
    Values v;
    std::vector<CorpusTest> corpus;
    auto add = [&](const std::string& id, json test) { corpus.push_back({id, std::move(test)}); };
    const json no_types = json::object();

    // Layers: forward and backward; the layer's input size comes from inputs[0]'s shape.
    add("layer-fc", make("layer", "fc", {{"out_dim", 5}, {"has_bias", true}, {"activation", "tan_h"}},
                         {{"out_dim", "uint"}, {"has_bias", "bool"}}, {v.tensor(1, 3, 4, 2)}));
    add("layer-fc-softmax", make("layer", "fc", {{"out_dim", 4}, {"has_bias", true}, {"activation", "softmax"}},
                                 {{"out_dim", "uint"}, {"has_bias", "bool"}}, {v.tensor(1, 2, 4)}));
    add("layer-conv", make("layer", "conv",
                           {{"window", 3}, {"out_channels", 3}, {"stride", 1}, {"has_bias", true},
                            {"same_padding", false}, {"activation", "relu"}},
                           {{"window", "uint"}, {"out_channels", "uint"}, {"stride", "uint"}, {"has_bias", "bool"},
                            {"same_padding", "bool"}},
                           {v.tensor(2, 6, 6)}));
    add("layer-conv5", make("layer", "conv",  // 5x5: the one convolution with a real AVX kernel
                            {{"window", 5}, {"out_channels", 2}, {"stride", 1}, {"has_bias", true},
                             {"same_padding", true}, {"activation", "sigmoid"}},
                            {{"window", "uint"}, {"out_channels", "uint"}, {"stride", "uint"}, {"has_bias", "bool"},
                             {"same_padding", "bool"}},
                            {v.tensor(1, 8, 8)}));
    add("layer-deconv", make("layer", "deconv", {{"window", 3}, {"out_channels", 2}, {"stride", 1}, {"has_bias", true}},
                             {{"window", "uint"}, {"out_channels", "uint"}, {"stride", "uint"}, {"has_bias", "bool"}},
                             {v.tensor(1, 4, 4)}));
    add("layer-max_pool", make("layer", "max_pool", {{"pool", 2}, {"stride", 2}},
                               {{"pool", "uint"}, {"stride", "uint"}}, {v.tensor(2, 4, 4)}));
    add("layer-avg_pool", make("layer", "avg_pool", {{"pool", 2}, {"stride", 2}},
                               {{"pool", "uint"}, {"stride", "uint"}}, {v.tensor(2, 4, 4)}));
    add("layer-avg_unpool", make("layer", "avg_unpool", {{"pool", 2}, {"stride", 2}},
                                 {{"pool", "uint"}, {"stride", "uint"}}, {v.tensor(1, 3, 3)}));
    add("layer-lrn", make("layer", "lrn", {{"local_size", 3}, {"alpha", 1.0}, {"beta", 5.0}, {"backward", false}},
                          {{"local_size", "uint"}, {"alpha", "float"}, {"beta", "float"}}, {v.tensor(4, 3, 3)}));
    add("layer-batchnorm", make("layer", "batchnorm", {{"epsilon", 1e-5}, {"momentum", 0.999}},
                                {{"epsilon", "float"}, {"momentum", "float"}}, {v.tensor(3, 2, 2, 3)}));
    add("layer-dropout", make("layer", "dropout", {{"rate", 0.5}}, {{"rate", "float"}}, {v.tensor(1, 4, 5)}));
    add("layer-linear", make("layer", "linear", {{"scale", 2.0}, {"bias", 0.5}},
                             {{"scale", "float"}, {"bias", "float"}}, {v.tensor(1, 3, 4)}));
    add("layer-power", make("layer", "power", {{"factor", 2.0}, {"scale", 1.5}},
                            {{"factor", "float"}, {"scale", "float"}}, {v.tensor(1, 3, 4)}));
    add("layer-add", make("layer", "add", {{"num_args", 2}}, {{"num_args", "uint"}}, {v.tensor(1, 3, 4), v.tensor(1, 3, 4)}));
    add("layer-concat", make("layer", "concat", json::object(), no_types, {v.tensor(2, 3, 3), v.tensor(1, 3, 3)}));
    add("layer-slice", make("layer", "slice", {{"by_channels", true}, {"num_outputs", 2}},
                            {{"by_channels", "bool"}, {"num_outputs", "uint"}}, {v.tensor(2, 3, 3)}));
    add("layer-quantized_fc", make("layer", "quantized_fc", {{"out_dim", 4}, {"has_bias", true}},
                                   {{"out_dim", "uint"}, {"has_bias", "bool"}}, {v.tensor(1, 3, 4)}));
    add("layer-quantized_conv", make("layer", "quantized_conv",
                                     {{"window", 3}, {"out_channels", 2}, {"stride", 1}, {"has_bias", true}},
                                     {{"window", "uint"}, {"out_channels", "uint"}, {"stride", "uint"}, {"has_bias", "bool"}},
                                     {v.tensor(1, 5, 5)}));

    // Serialization round trips through network save/load.
    add("serialize-fc-json", make("serialize", "fc", {{"out_dim", 3}, {"has_bias", true}, {"format", "json"}},
                                  {{"out_dim", "uint"}, {"has_bias", "bool"}}, {v.tensor(1, 2, 3)}));
    add("serialize-conv-binary", make("serialize", "conv",
                                      {{"window", 3}, {"out_channels", 2}, {"stride", 1}, {"has_bias", true},
                                       {"activation", "tan_h"}, {"format", "binary"}},
                                      {{"window", "uint"}, {"out_channels", "uint"}, {"stride", "uint"}},
                                      {v.tensor(1, 5, 5)}));
    add("serialize-avg_pool-json", make("serialize", "avg_pool", {{"pool", 2}, {"stride", 2}, {"format", "json"}},
                                        {{"pool", "uint"}, {"stride", "uint"}}, {v.tensor(1, 4, 4)}));
    add("serialize-batchnorm-binary", make("serialize", "batchnorm", {{"epsilon", 1e-5}, {"momentum", 0.999}, {"format", "binary"}},
                                           {{"epsilon", "float"}, {"momentum", "float"}}, {v.tensor(2, 2, 2)}));
    add("serialize-lrn-model_json", make("serialize", "lrn", {{"local_size", 3}, {"alpha", 1.0}, {"beta", 0.75}, {"format", "model_json"}},
                                         {{"local_size", "uint"}, {"alpha", "float"}, {"beta", "float"}}, {v.tensor(3, 2, 2)}));

    // Tensor<float_t> element-wise operations.
    add("tensor-add", make("tensor", "add", json::object(), no_types, {v.tensor(1, 3, 4), v.tensor(1, 3, 4)}));
    add("tensor-sub", make("tensor", "sub", {{"scalar", 0.25}}, {{"scalar", "float"}}, {v.tensor(1, 3, 4)}));
    add("tensor-mul", make("tensor", "mul", json::object(), no_types, {v.tensor(2, 2, 3), v.tensor(2, 2, 3)}));
    add("tensor-div", make("tensor", "div", {{"scalar", 2.0}}, {{"scalar", "float"}}, {v.tensor(1, 3, 4)}));
    add("tensor-div-tensor", make("tensor", "div", json::object(), no_types, {v.tensor(1, 3, 4), v.tensor(1, 3, 4, 1, 0.5, 2)}));
    add("tensor-sqrt", make("tensor", "sqrt", json::object(), no_types, {v.tensor(1, 3, 4, 1, 0, 4)}));
    add("tensor-exp", make("tensor", "exp", json::object(), no_types, {v.tensor(1, 3, 4)}));
    add("tensor-fill", make("tensor", "fill", {{"scalar", 1.5}}, {{"scalar", "float"}}, {v.tensor(1, 3, 4)}));
    add("tensor-reshape", make("tensor", "reshape", {{"d0", 1}, {"d1", 4}, {"d2", 3}, {"d3", 1}},
                               {{"d0", "uint"}, {"d1", "uint"}, {"d2", "uint"}, {"d3", "uint"}}, {v.tensor(1, 3, 4)}));

    // util/util.h helpers.
    add("util-max_index", make("util", "max_index", json::object(), no_types, {v.tensor(1, 2, 5, 2)}));
    add("util-conv_out_length", make("util", "conv_out_length",
                                     {{"in_length", 28}, {"window", 5}, {"stride", 1}, {"same_padding", false}},
                                     {{"in_length", "uint"}, {"window", "uint"}, {"stride", "uint"}, {"same_padding", "bool"}},
                                     json::array()));
    add("util-fill_tensor", make("util", "fill_tensor", {{"value", 0.5}}, {{"value", "float"}}, {v.tensor(1, 2, 3, 2)}));
    add("util-has_infinite", make("util", "has_infinite", json::object(), no_types, {v.tensor(1, 2, 3, 2)}));

    // util/image.h, values in the 0..255 range of images.
    add("image-resize", make("image", "resize", {{"width", 6}, {"height", 3}}, {{"width", "uint"}, {"height", "uint"}},
                             {v.tensor(3, 4, 4, 1, 0, 255)}));
    add("image-mean", make("image", "mean", json::object(), no_types, {v.tensor(3, 4, 4, 1, 0, 255)}));
    add("image-subtract", make("image", "subtract", json::object(), no_types,
                               {v.tensor(1, 4, 4, 1, 0, 255), v.tensor(1, 4, 4, 1, 0, 255)}));
    add("image-subtract_scalar", make("image", "subtract_scalar", json::object(), no_types, {v.tensor(3, 3, 4, 1, 0, 255)}));
    add("image-vec2image", make("image", "vec2image", {{"block_size", 2}, {"max_cols", 4}},
                                {{"block_size", "uint"}, {"max_cols", "uint"}}, {v.tensor(1, 1, 12)}));

    // Every optimizer: a few updates of W with a fixed gradient.
    for (const auto& name : kOptimizers) {
        json types = {{"steps", "uint"}};
        json params = optimizer_params(name, types);
        params["steps"] = 3;
        add("optimizer-" + name, make("optimizer", name, params, types, {v.tensor(1, 1, 8), v.tensor(1, 1, 8)}));
    }
    // Every loss: f and df per sample and the batch gradient; targets are one-hot, outputs in (0, 1).
    for (const auto& name : kLosses) {
        json target = {{"shape", {1, 1, 4}}, {"samples", {{0, 1, 0, 0}, {0, 0, 0, 1}}}};
        add("loss-" + name, make("loss", name, json::object(), no_types, {v.tensor(1, 1, 4, 2, 0.05, 0.95), target}));
    }
    // Training: a small network fitted with every (optimizer, loss) pair.
    for (const auto& opt : kOptimizers)
        for (const auto& loss : kLosses) {
            json types = {{"steps", "uint"}, {"hidden", "uint"}};
            json params = optimizer_params(opt, types);
            params.update({{"optimizer", opt}, {"loss", loss}, {"steps", 2}, {"hidden", 5}, {"classes", 3},
                           {"labels", {0, 1, 2, 1}}});
            add("train-" + opt + "-" + loss, make("train", "fit", params, types, {v.tensor(1, 2, 3, 4)}));
        }
    return corpus;
}

bool has_avx_path(const json& test) {
    const std::string api = test.value("api", ""), name = test.value("name", "");
    if (api == "train") return true;  // fully-connected layers
    return (api == "layer" || api == "serialize") && (name == "fc" || name == "conv" || name == "max_pool");
}

}  // namespace dlcov::tenfuzz
