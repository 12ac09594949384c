// dlcov-tinydnn-api: runs one API-level test of tiny-dnn's C++ API (the TenFuzz-style tester's
// driver, runners/tenfuzz/) in its own process, so that a crash is isolated and attributed.
//
//   dlcov-tinydnn-api --test TEST.json --output OUT.json [--backend internal|avx] [--help]
//
// Not built by CMake: `dlcov instrument` compiles it with clang against the instrumented copy
// of tiny-dnn (configs/frameworks/tinydnn.yaml, target dlcov-tinydnn-api), like the executor.
//
// TEST.json:
//   {"api": "layer" | "serialize" | "tensor" | "util" | "image" | "optimizer" | "loss" | "train",
//    "name": what to call within the family (below),
//    "params": {"out_dim": 4, "alpha": 0.5, "has_bias": true, "activation": "tan_h", ...},
//    "inputs": [{"shape": [channels, height, width], "samples": [[c*h*w numbers], ...]}, ...]}
// A parameter value may be a number, a bool, or one of the strings "nan", "inf", "-inf".
// Unsigned parameters take any integer: a negative one wraps as it would in C++ (that is what
// the parameter mutation's "negate" means for serial_size_t). Samples of one input normally hold
// channels*height*width numbers each; only the loss family takes "ragged" samples (a vector of
// vectors whose rows differ in length), paired row by row across its two inputs.
//
// Families and names:
//   layer     forward then backward (output gradient of ones; params.backward: false skips
//             it) of one layer built from inputs[0]'s shape: fc, conv, deconv, max_pool,
//             avg_pool, avg_unpool, lrn, batchnorm, dropout, linear, power, add, concat, slice, quantized_fc,
//             quantized_conv (max_unpooling_layer does not compile in 1.0.0a3). fc and conv
//             take params.activation (identity, sigmoid, relu, leaky_relu, elu, softmax, tan_h,
//             tan_hp1m2).
//   serialize a network of that one layer, predicted, saved and loaded again (params.format:
//             "json" or "binary" file, or "model_json": to_json/from_json of the model only),
//             predicted again; outputs are [before, after] (or the re-loaded model's layer
//             sizes for model_json).
//   tensor    Tensor<float_t> element-wise ops from core/framework/tensor.h on inputs[0]
//             (and inputs[1] or params.scalar): add, sub, mul, div, sqrt, exp, fill, reshape.
//   util      util/util.h: max_index, conv_out_length, fill_tensor, has_infinite.
//   image     util/image.h on inputs[0] as an image (1 channel grayscale, else rgb): resize,
//             mean, subtract (two images), subtract_scalar, vec2image.
//   optimizer params.steps updates of W = inputs[0] with gradient dW = inputs[1] (first sample
//             each): adagrad, RMSprop, adam, gradient_descent, momentum (all of 1.0.0a3's).
//   loss      f and df of y = inputs[0] against t = inputs[1] sample by sample, plus the
//             batch gradient: mse, absolute, absolute_eps, cross_entropy,
//             cross_entropy_multiclass (all of 1.0.0a3's).
//   train     a small network (fc tan_h -> fc sigmoid or softmax) fitted for params.steps
//             epochs on inputs[0] with one-hot targets of params.labels, with params.optimizer
//             and params.loss (any of the above), then predicted.
//
// Backends: --backend sets the engine of the layers that have an AVX path in tiny-dnn 1.0.0a3
// (conv, fully-connected, max-pool); every other layer keeps internal. OUT.json says which.
//
// OUT.json (written on exit 0 or 3; non-finite numbers become null):
//   {"api", "name", "backend", "outputs": [[flat numbers], ...], "status": "ok"|"nan", ...}
// Exit codes, as the executor's:
//   0 success; 2 unusable test (bad arguments or JSON, unknown api/name, missing or ill-typed
//   parameter, sample sizes the API cannot take); 3 NaN or Inf in an output; 4 tiny-dnn threw
//   (including std::bad_alloc: the driver limits its address space to 4 GiB so that a huge
//   mutated size fails to allocate instead of exhausting the machine).
// The serialize family writes two transient files next to OUT.json and removes them.
#include <sys/resource.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tiny_dnn/tiny_dnn.h"
#include "tinydnn_program.h"

namespace {

using nlohmann::json;
using tiny_dnn::float_t;
using tiny_dnn::serial_size_t;
using tiny_dnn::tensor_t;
using tiny_dnn::vec_t;
using namespace tinydnn_program;

const char* const kUsage =
    "usage: dlcov-tinydnn-api --test TEST.json --output OUT.json [--backend internal|avx]\n"
    "Runs one API-level test of tiny-dnn (families: layer, serialize, tensor, util, image,\n"
    "optimizer, loss, train; see the header of runners/tinydnn/api_driver.cpp).\n"
    "Exit codes: 0 success; 2 unusable test; 3 NaN or Inf in an output; 4 tiny-dnn threw.\n";

struct Input {
    serial_size_t channels = 1, height = 1, width = 1;
    tensor_t samples;
    size_t size() const { return size_t(channels) * height * width; }
    tiny_dnn::shape3d shape() const { return tiny_dnn::shape3d(width, height, channels); }
};

struct Test {
    std::string api, name;
    json params = json::object();
    std::vector<Input> inputs;
    bool avx = false;
};

// A JSON number as a float; beyond float's range it saturates to infinity.
float_t to_float(const json& v) {
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "nan") return std::numeric_limits<float_t>::quiet_NaN();
        if (s == "inf") return std::numeric_limits<float_t>::infinity();
        if (s == "-inf") return -std::numeric_limits<float_t>::infinity();
        throw Unusable("not a number: \"" + s + "\"");
    }
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (!v.is_number()) throw Unusable("not a number: " + v.dump());
    const double d = v.get<double>();
    if (std::fabs(d) > std::numeric_limits<float_t>::max())
        return std::copysign(std::numeric_limits<float_t>::infinity(), d);
    return static_cast<float_t>(d);
}

const json& param(const Test& t, const std::string& key) {
    if (!t.params.contains(key)) throw Unusable("params." + key + " is required for " + t.api + "/" + t.name);
    return t.params[key];
}

float_t float_param(const Test& t, const std::string& key) { return to_float(param(t, key)); }

// serial_size_t as C++ would convert the integer: negative values wrap.
serial_size_t uint_param(const Test& t, const std::string& key) {
    const json& v = param(t, key);
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_number_integer()) return static_cast<serial_size_t>(v.get<int64_t>());
    if (v.is_number_unsigned()) return static_cast<serial_size_t>(v.get<uint64_t>());
    throw Unusable("params." + key + " must be an integer");
}

bool bool_param(const Test& t, const std::string& key) {
    const json& v = param(t, key);
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>() != 0;
    throw Unusable("params." + key + " must be a bool");
}

std::string string_param(const Test& t, const std::string& key) {
    const json& v = param(t, key);
    if (!v.is_string()) throw Unusable("params." + key + " must be a string");
    return v.get<std::string>();
}

json read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Unusable("cannot read " + path);
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw Unusable(path + " is not JSON: " + e.what());
    }
}

Input read_input(const json& j, size_t index, bool ragged_ok) {
    const std::string where = "inputs[" + std::to_string(index) + "]";
    if (!j.is_object() || !j.contains("shape") || !j["shape"].is_array() || j["shape"].size() != 3)
        throw Unusable(where + ".shape must be [channels, height, width]");
    Input in;
    serial_size_t* dims[3] = {&in.channels, &in.height, &in.width};
    for (size_t i = 0; i < 3; ++i) {
        const json& d = j["shape"][i];
        if (!d.is_number_integer() || d.get<long>() < 1 || d.get<long>() > (1 << 20))
            throw Unusable(where + ".shape entries must be integers from 1 to 2^20");
        *dims[i] = d.get<serial_size_t>();
    }
    if (in.size() > (1u << 24)) throw Unusable(where + ".shape is too large");
    if (!j.contains("samples") || !j["samples"].is_array() || j["samples"].empty())
        throw Unusable(where + ".samples must be a non-empty array of samples");
    for (const json& s : j["samples"]) {
        if (!s.is_array()) throw Unusable(where + ": every sample must be an array of numbers");
        if (!ragged_ok && s.size() != in.size())
            throw Unusable(where + ": every sample must hold channels*height*width = " + std::to_string(in.size()) +
                           " numbers");
        vec_t values;
        for (const json& v : s) values.push_back(to_float(v));
        in.samples.push_back(std::move(values));
    }
    return in;
}

Test read_test(const std::string& path, const std::string& backend) {
    const json doc = read_json(path);
    if (!doc.is_object() || !doc.contains("api") || !doc["api"].is_string() || !doc.contains("name") ||
        !doc["name"].is_string())
        throw Unusable("test: \"api\" and \"name\" (strings) are required");
    Test t;
    t.api = doc["api"].get<std::string>();
    t.name = doc["name"].get<std::string>();
    if (doc.contains("params")) {
        if (!doc["params"].is_object()) throw Unusable("test: \"params\" must be an object");
        t.params = doc["params"];
    }
    const json inputs = doc.value("inputs", json::array());
    if (!inputs.is_array()) throw Unusable("test: \"inputs\" must be an array");
    for (size_t i = 0; i < inputs.size(); ++i) t.inputs.push_back(read_input(inputs[i], i, t.api == "loss"));
    t.avx = backend == "avx";
    return t;
}

const Input& input(const Test& t, size_t i) {
    if (i >= t.inputs.size())
        throw Unusable(t.api + "/" + t.name + " needs " + std::to_string(i + 1) + " input(s)");
    return t.inputs[i];
}

// ---- results ----------------------------------------------------------------------------------

struct Result {
    std::vector<vec_t> outputs;
    json extra = json::object();
    std::string backend = "internal";

    void add(const vec_t& v) { outputs.push_back(v); }
    void add(const tensor_t& t) {
        vec_t flat;
        for (const auto& row : t) flat.insert(flat.end(), row.begin(), row.end());
        outputs.push_back(std::move(flat));
    }
    void add(float_t v) { outputs.push_back(vec_t{v}); }

    // Sets the network's backends (tinydnn_program.h); "avx" when any layer runs on it.
    template <typename Net>
    void use_backends(Net& net, bool avx) {
        for (const json& layer : set_backends(net, avx))
            if (layer["backend"] == "avx") backend = "avx";
    }
};

// ---- layers -----------------------------------------------------------------------------------

using LayerPtr = std::shared_ptr<tiny_dnn::layer>;

// Calls make.template operator()<Activation>() for the activation named by params.activation.
template <typename Make>
LayerPtr with_activation(const Test& t, Make make) {
    namespace a = tiny_dnn::activation;
    const std::string name = t.params.contains("activation") ? string_param(t, "activation") : "identity";
    if (name == "identity") return make(a::identity());
    if (name == "sigmoid") return make(a::sigmoid());
    if (name == "relu") return make(a::relu());
    if (name == "leaky_relu") return make(a::leaky_relu());
    if (name == "elu") return make(a::elu());
    if (name == "softmax") return make(a::softmax());
    if (name == "tan_h") return make(a::tan_h());
    if (name == "tan_hp1m2") return make(a::tan_hp1m2());
    throw Unusable("unknown activation: " + name);
}

tiny_dnn::padding padding_param(const Test& t) {
    return t.params.contains("same_padding") && bool_param(t, "same_padding") ? tiny_dnn::padding::same
                                                                              : tiny_dnn::padding::valid;
}

LayerPtr make_layer(const Test& t) {
    using namespace tiny_dnn;
    const Input& in = input(t, 0);
    const std::string& n = t.name;
    const backend_t engine = t.avx ? backend_t::avx : backend_t::internal;
    if (n == "fc")
        return with_activation(t, [&](auto act) -> LayerPtr {
            return std::make_shared<fully_connected_layer<decltype(act)>>(
                static_cast<serial_size_t>(in.size()), uint_param(t, "out_dim"), bool_param(t, "has_bias"), engine);
        });
    if (n == "conv")
        return with_activation(t, [&](auto act) -> LayerPtr {
            return std::make_shared<convolutional_layer<decltype(act)>>(
                in.width, in.height, uint_param(t, "window"), uint_param(t, "window"), in.channels,
                uint_param(t, "out_channels"), padding_param(t), bool_param(t, "has_bias"), uint_param(t, "stride"),
                uint_param(t, "stride"), engine);
        });
    if (n == "deconv")
        return std::make_shared<deconvolutional_layer<activation::identity>>(
            in.width, in.height, uint_param(t, "window"), in.channels, uint_param(t, "out_channels"), padding_param(t),
            bool_param(t, "has_bias"), uint_param(t, "stride"), uint_param(t, "stride"));
    if (n == "max_pool")
        return std::make_shared<max_pooling_layer<activation::identity>>(
            in.width, in.height, in.channels, uint_param(t, "pool"), uint_param(t, "pool"), uint_param(t, "stride"),
            uint_param(t, "stride"), padding_param(t), engine);
    if (n == "avg_pool")
        return std::make_shared<average_pooling_layer<activation::identity>>(
            in.width, in.height, in.channels, uint_param(t, "pool"), uint_param(t, "pool"), uint_param(t, "stride"),
            uint_param(t, "stride"), padding_param(t));
    if (n == "avg_unpool")
        return std::make_shared<average_unpooling_layer<activation::identity>>(
            in.width, in.height, in.channels, uint_param(t, "pool"), uint_param(t, "stride"));
    if (n == "lrn")
        return std::make_shared<lrn_layer<activation::identity>>(in.shape(), uint_param(t, "local_size"),
                                                                 float_param(t, "alpha"), float_param(t, "beta"));
    if (n == "batchnorm")
        return std::make_shared<batch_normalization_layer>(in.width * in.height, in.channels,
                                                           float_param(t, "epsilon"), float_param(t, "momentum"));
    if (n == "dropout")
        return std::make_shared<dropout_layer>(static_cast<serial_size_t>(in.size()), float_param(t, "rate"));
    if (n == "linear")
        return std::make_shared<linear_layer<activation::identity>>(static_cast<serial_size_t>(in.size()),
                                                                    float_param(t, "scale"), float_param(t, "bias"));
    if (n == "power")
        return std::make_shared<power_layer>(in.shape(), float_param(t, "factor"), float_param(t, "scale"));
    if (n == "add")
        return std::make_shared<elementwise_add_layer>(uint_param(t, "num_args"), static_cast<serial_size_t>(in.size()));
    if (n == "concat") {
        std::vector<shape3d> shapes;
        for (const Input& i : t.inputs) shapes.push_back(i.shape());
        return std::make_shared<concat_layer>(shapes);
    }
    if (n == "slice")
        return std::make_shared<slice_layer>(in.shape(),
                                             bool_param(t, "by_channels") ? slice_type::slice_channels
                                                                          : slice_type::slice_samples,
                                             uint_param(t, "num_outputs"));
    if (n == "quantized_fc")
        return std::make_shared<quantized_fully_connected_layer<activation::identity>>(
            static_cast<serial_size_t>(in.size()), uint_param(t, "out_dim"), bool_param(t, "has_bias"));
    if (n == "quantized_conv")
        return std::make_shared<quantized_convolutional_layer<activation::identity>>(
            in.width, in.height, uint_param(t, "window"), in.channels, uint_param(t, "out_channels"),
            padding_param(t), bool_param(t, "has_bias"), uint_param(t, "stride"), uint_param(t, "stride"));
    throw Unusable("unknown layer: " + n);
}

// The layer's data inputs must match the samples the test gives (else kernels read out of bounds).
std::vector<tensor_t> layer_inputs(const Test& t, tiny_dnn::layer& l) {
    const auto shapes = l.in_data_shape();
    if (t.inputs.size() < shapes.size())
        throw Unusable(t.name + " takes " + std::to_string(shapes.size()) + " inputs, the test has " +
                       std::to_string(t.inputs.size()));
    std::vector<tensor_t> data;
    for (size_t i = 0; i < shapes.size(); ++i) {
        if (t.inputs[i].size() != shapes[i].size())
            throw Unusable("inputs[" + std::to_string(i) + "] holds " + std::to_string(t.inputs[i].size()) +
                           " numbers per sample, the layer takes " + std::to_string(shapes[i].size()));
        if (t.inputs[i].samples.size() != t.inputs[0].samples.size())
            throw Unusable("every input must hold the same number of samples");
        data.push_back(t.inputs[i].samples);
    }
    return data;
}

Result run_layer(const Test& t) {
    LayerPtr l = make_layer(t);
    Result r;
    const bool avx = t.avx && has_avx_path(*l);
    l->set_backend_type(avx ? backend_t::avx : backend_t::internal);
    r.backend = avx ? "avx" : "internal";
    const std::vector<tensor_t> in = layer_inputs(t, *l);
    const std::vector<tensor_t> out = l->forward(in);
    std::vector<tensor_t> out_grads;
    for (const tensor_t& o : out) {
        r.add(o);
        tensor_t ones;
        for (const vec_t& row : o) ones.push_back(vec_t(row.size(), float_t(1)));
        out_grads.push_back(std::move(ones));
    }
    // params.backward: false skips it (lrn_layer's back propagation throws "not implemented").
    const bool backward = !t.params.contains("backward") || bool_param(t, "backward");
    if (backward)
        for (const tensor_t& g : l->backward(out_grads)) r.add(g);
    r.extra["layer_type"] = l->layer_type();
    return r;
}

// ---- serialization ----------------------------------------------------------------------------

std::vector<tensor_t> as_batch(const tensor_t& samples) {
    std::vector<tensor_t> batch;
    for (const vec_t& s : samples) batch.push_back({s});
    return batch;
}

template <typename Net>
tensor_t predict_all(Net& net, const tensor_t& samples) {
    net.set_netphase(tiny_dnn::net_phase::test);
    tensor_t out;
    for (const tensor_t& o : net.predict(as_batch(samples))) out.push_back(o.at(0));
    return out;
}

Result run_serialize(const Test& t, const std::string& output_path) {
    LayerPtr l = make_layer(t);
    const std::vector<tensor_t> in = layer_inputs(t, *l);
    if (in.size() != 1) throw Unusable("serialize takes single-input layers");
    tiny_dnn::network<tiny_dnn::sequential> net;
    net << *l;
    Result r;
    r.use_backends(net, t.avx);
    const tensor_t before = predict_all(net, in[0]);
    r.add(before);

    const std::string format = t.params.contains("format") ? string_param(t, "format") : "json";
    tiny_dnn::network<tiny_dnn::sequential> loaded;
    if (format == "model_json") {
        const std::string model_json = net.to_json();
        loaded.from_json(model_json);
        vec_t sizes;
        for (tiny_dnn::layer* each : loaded) sizes.push_back(float_t(each->out_data_size()));
        r.add(sizes);
        r.extra["model_json_bytes"] = model_json.size();
        return r;
    }
    if (format != "json" && format != "binary") throw Unusable("params.format must be json, binary or model_json");
    const auto file_format = format == "json" ? tiny_dnn::file_format::json : tiny_dnn::file_format::binary;
    const std::string path = output_path + ".roundtrip." + format;
    struct Remove {
        std::string path;
        ~Remove() { std::remove(path.c_str()); }
    } remove{path};
    net.save(path, tiny_dnn::content_type::weights_and_model, file_format);
    loaded.load(path, tiny_dnn::content_type::weights_and_model, file_format);
    const tensor_t after = predict_all(loaded, in[0]);
    r.add(after);
    double max_diff = 0;
    for (size_t i = 0; i < before.size() && i < after.size(); ++i)
        for (size_t j = 0; j < before[i].size() && j < after[i].size(); ++j)
            max_diff = std::max(max_diff, double(std::fabs(before[i][j] - after[i][j])));
    r.extra["roundtrip_max_diff"] = max_diff;
    return r;
}

// ---- tensors and utilities --------------------------------------------------------------------

using FloatTensor = tiny_dnn::Tensor<float_t>;

// The first sample of an input as a 4-D Tensor (1, width, height, channels).
FloatTensor to_tensor(const Input& in) {
    FloatTensor tensor(1, in.width, in.height, in.channels);
    float_t* data = tensor.mutable_host_data();
    const vec_t& s = in.samples.at(0);
    std::copy(s.begin(), s.end(), data);
    return tensor;
}

vec_t tensor_values(const FloatTensor& tensor) {
    vec_t values(tensor.size());
    for (size_t i = 0; i < values.size(); ++i) values[i] = tensor.host_data()[i];
    return values;
}

Result run_tensor(const Test& t) {
    const FloatTensor a = to_tensor(input(t, 0));
    FloatTensor dst(1, input(t, 0).width, input(t, 0).height, input(t, 0).channels);
    const std::string& n = t.name;
    const bool with_tensor = t.inputs.size() > 1;
    auto binary = [&](auto tensor_op, auto scalar_op) {
        if (with_tensor) {
            const FloatTensor b = to_tensor(input(t, 1));
            if (b.size() != a.size()) throw Unusable(n + ": both tensors must hold the same number of elements");
            tensor_op(dst, a, b);
        } else {
            scalar_op(dst, a, float_param(t, "scalar"));
        }
    };
    if (n == "add") binary([](auto& d, auto& x, auto& y) { tiny_dnn::layer_add(d, x, y); },
                           [](auto& d, auto& x, float_t s) { tiny_dnn::layer_add(d, x, s); });
    else if (n == "sub") binary([](auto& d, auto& x, auto& y) { tiny_dnn::layer_sub(d, x, y); },
                                [](auto& d, auto& x, float_t s) { tiny_dnn::layer_sub(d, x, s); });
    else if (n == "mul") binary([](auto& d, auto& x, auto& y) { tiny_dnn::layer_mul(d, x, y); },
                                [](auto& d, auto& x, float_t s) { tiny_dnn::layer_mul(d, x, s); });
    else if (n == "div") binary([](auto& d, auto& x, auto& y) { tiny_dnn::layer_div(d, x, y); },
                                [](auto& d, auto& x, float_t s) { tiny_dnn::layer_div(d, x, s); });
    else if (n == "sqrt") tiny_dnn::layer_sqrt(dst, a);
    else if (n == "exp") tiny_dnn::layer_exp(dst, a);
    else if (n == "fill") {
        dst = a;
        dst.fill(float_param(t, "scalar"));
    } else if (n == "reshape") {
        dst = a;
        dst.reshape(uint_param(t, "d0"), uint_param(t, "d1"), uint_param(t, "d2"), uint_param(t, "d3"));
    } else {
        throw Unusable("unknown tensor op: " + n);
    }
    Result r;
    r.add(tensor_values(dst));
    r.extra["shape"] = {dst.shape()[0], dst.shape()[1], dst.shape()[2], dst.shape()[3]};
    return r;
}

Result run_util(const Test& t) {
    Result r;
    const std::string& n = t.name;
    if (n == "max_index") {
        for (const vec_t& s : input(t, 0).samples) r.add(float_t(tiny_dnn::max_index(s)));
    } else if (n == "conv_out_length") {
        r.add(float_t(tiny_dnn::conv_out_length(uint_param(t, "in_length"), uint_param(t, "window"),
                                                uint_param(t, "stride"), padding_param(t))));
    } else if (n == "fill_tensor") {
        tensor_t tensor = input(t, 0).samples;
        tiny_dnn::fill_tensor(tensor, float_param(t, "value"));
        r.add(tensor);
    } else if (n == "has_infinite") {
        for (const vec_t& s : input(t, 0).samples) r.add(float_t(tiny_dnn::has_infinite(s) ? 1 : 0));
    } else {
        throw Unusable("unknown util: " + n);
    }
    return r;
}

// An input as an image: its first sample, channel-major like tiny-dnn's images.
tiny_dnn::image<float_t> to_image(const Input& in) {
    // Other depths are tiny-dnn's to refuse (it throws for a depth that does not fit the type).
    tiny_dnn::image<float_t> img(in.shape(), in.channels == 1 ? tiny_dnn::image_type::grayscale
                                                            : tiny_dnn::image_type::rgb);
    const vec_t& s = in.samples.at(0);
    std::copy(s.begin(), s.end(), img.begin());
    return img;
}

vec_t image_values(const tiny_dnn::image<float_t>& img) { return vec_t(img.begin(), img.end()); }

Result run_image(const Test& t) {
    Result r;
    const std::string& n = t.name;
    if (n == "resize") {
        const auto img = to_image(input(t, 0));
        // resize_image takes int: an unsigned parameter converts as C++ would.
        const int w = static_cast<int>(uint_param(t, "width")), h = static_cast<int>(uint_param(t, "height"));
        const auto resized = tiny_dnn::resize_image(img, w, h);
        r.add(image_values(resized));
    } else if (n == "mean") {
        r.add(image_values(tiny_dnn::mean_image(to_image(input(t, 0)))));
    } else if (n == "subtract") {
        r.add(image_values(tiny_dnn::subtract_image(to_image(input(t, 0)), to_image(input(t, 1)))));
    } else if (n == "subtract_scalar") {
        const auto img = to_image(input(t, 0));
        r.add(image_values(tiny_dnn::subtract_scalar(img, tiny_dnn::mean_image(img))));
    } else if (n == "vec2image") {
        const auto img = tiny_dnn::vec2image<float_t>(input(t, 0).samples.at(0), uint_param(t, "block_size"),
                                                      uint_param(t, "max_cols"));
        r.add(image_values(img));
        r.extra["size"] = {img.width(), img.height()};
    } else {
        throw Unusable("unknown image op: " + n);
    }
    return r;
}

// ---- optimizers, losses, training --------------------------------------------------------------

// Every optimizer of 1.0.0a3 (optimizers/optimizer.h), with the test's hyper-parameters.
std::unique_ptr<tiny_dnn::optimizer> make_optimizer(const Test& t, const std::string& name) {
    auto set = [&](float_t& field, const char* key) {
        if (t.params.contains(key)) field = float_param(t, key);
    };
    if (name == "adagrad") {
        auto o = std::make_unique<tiny_dnn::adagrad>();
        set(o->alpha, "alpha");
        return o;
    }
    if (name == "RMSprop") {
        auto o = std::make_unique<tiny_dnn::RMSprop>();
        set(o->alpha, "alpha");
        set(o->mu, "mu");
        return o;
    }
    if (name == "adam") {
        auto o = std::make_unique<tiny_dnn::adam>();
        set(o->alpha, "alpha");
        set(o->b1, "b1");
        set(o->b2, "b2");
        return o;
    }
    if (name == "gradient_descent") {
        auto o = std::make_unique<tiny_dnn::gradient_descent>();
        set(o->alpha, "alpha");
        set(o->lambda, "lambda");
        return o;
    }
    if (name == "momentum") {
        auto o = std::make_unique<tiny_dnn::momentum>();
        set(o->alpha, "alpha");
        set(o->lambda, "lambda");
        set(o->mu, "mu");
        return o;
    }
    throw Unusable("unknown optimizer: " + name + " (1.0.0a3 has adagrad, RMSprop, adam, gradient_descent, momentum)");
}

Result run_optimizer(const Test& t) {
    vec_t w = input(t, 0).samples.at(0);
    const vec_t& dw = input(t, 1).samples.at(0);
    if (dw.size() != w.size()) throw Unusable("optimizer: W and dW must hold the same number of elements");
    const serial_size_t steps = uint_param(t, "steps");
    if (steps > 10000) throw Unusable("optimizer: at most 10000 steps");
    auto opt = make_optimizer(t, t.name);
    opt->reset();
    Result r;
    for (serial_size_t i = 0; i < steps; ++i) opt->update(dw, w, t.params.value("parallelize", false));
    r.add(w);
    return r;
}

// Calls run.template operator()<Loss>() for a loss of 1.0.0a3 (lossfunctions/loss_function.h).
template <typename Run>
Result with_loss(const std::string& name, Run run) {
    if (name == "mse") return run(tiny_dnn::mse());
    if (name == "absolute") return run(tiny_dnn::absolute());
    if (name == "absolute_eps") return run(tiny_dnn::absolute_eps<100>());
    if (name == "cross_entropy") return run(tiny_dnn::cross_entropy());
    if (name == "cross_entropy_multiclass") return run(tiny_dnn::cross_entropy_multiclass());
    throw Unusable("unknown loss: " + name +
                   " (1.0.0a3 has mse, absolute, absolute_eps, cross_entropy, cross_entropy_multiclass)");
}

Result run_loss(const Test& t) {
    const tensor_t& y = input(t, 0).samples;
    const tensor_t& target = input(t, 1).samples;
    if (y.size() != target.size()) throw Unusable("loss: y and t must hold the same number of samples");
    for (size_t i = 0; i < y.size(); ++i)
        if (y[i].size() != target[i].size())
            throw Unusable("loss: sample " + std::to_string(i) + " of y and t differ in length");
    return with_loss(t.name, [&](auto loss) {
        using Loss = decltype(loss);
        Result r;
        vec_t values;
        for (size_t i = 0; i < y.size(); ++i) values.push_back(Loss::f(y[i], target[i]));
        r.add(values);
        for (size_t i = 0; i < y.size(); ++i) r.add(Loss::df(y[i], target[i]));
        r.add(tiny_dnn::gradient<Loss>(y, target));
        return r;
    });
}

Result run_train(const Test& t) {
    const Input& in = input(t, 0);
    const serial_size_t hidden = uint_param(t, "hidden");
    const serial_size_t classes = uint_param(t, "classes");
    const serial_size_t steps = uint_param(t, "steps");
    if (steps > 1000) throw Unusable("train: at most 1000 steps");
    const json& labels = param(t, "labels");
    if (!labels.is_array() || labels.size() != in.samples.size())
        throw Unusable("train: params.labels must hold one label per sample");
    std::vector<vec_t> targets;
    for (const json& label : labels) {
        if (!label.is_number_integer() || label.get<int64_t>() < 0 || label.get<uint64_t>() >= classes)
            throw Unusable("train: labels must be below params.classes");
        vec_t onehot(classes, float_t(0));
        onehot[label.get<size_t>()] = 1;
        targets.push_back(std::move(onehot));
    }
    const std::string loss_name = string_param(t, "loss");
    const bool softmax = loss_name == "cross_entropy_multiclass";
    tiny_dnn::network<tiny_dnn::sequential> net;
    using tiny_dnn::fully_connected_layer;
    namespace act = tiny_dnn::activation;
    net << fully_connected_layer<act::tan_h>(static_cast<serial_size_t>(in.size()), hidden);
    if (softmax) net << fully_connected_layer<act::softmax>(hidden, classes);
    else net << fully_connected_layer<act::sigmoid>(hidden, classes);
    Result r;
    r.use_backends(net, t.avx);
    auto opt = make_optimizer(t, string_param(t, "optimizer"));
    const size_t batch = std::max<size_t>(1, t.params.value("batch", in.samples.size()));
    Result trained = with_loss(loss_name, [&](auto loss) {
        using Loss = decltype(loss);
        Result out;
        net.template fit<Loss>(*opt, in.samples, targets, batch, static_cast<int>(steps));
        out.add(float_t(net.template get_loss<Loss>(in.samples, targets)));
        return out;
    });
    r.add(predict_all(net, in.samples));
    r.add(trained.outputs.at(0));
    r.extra["loss"] = trained.outputs.at(0).at(0);
    return r;
}

// ---- main -------------------------------------------------------------------------------------

Result run(const Test& t, const std::string& output_path) {
    if (t.api == "layer") return run_layer(t);
    if (t.api == "serialize") return run_serialize(t, output_path);
    if (t.api == "tensor") return run_tensor(t);
    if (t.api == "util") return run_util(t);
    if (t.api == "image") return run_image(t);
    if (t.api == "optimizer") return run_optimizer(t);
    if (t.api == "loss") return run_loss(t);
    if (t.api == "train") return run_train(t);
    throw Unusable("unknown api: " + t.api);
}

// A mutated size must not exhaust the shared machine: past 4 GiB, allocations throw.
void limit_address_space() {
    struct rlimit limit;
    if (getrlimit(RLIMIT_AS, &limit) != 0) return;
    const rlim_t cap = rlim_t(4) << 30;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < cap) return;
    limit.rlim_cur = cap;
    setrlimit(RLIMIT_AS, &limit);
}

}  // namespace

int main(int argc, char** argv) {
    tinydnn_program::dump_coverage_on_signals();  // mode gcov: a killed run keeps its coverage
    std::string test_path, output_path, backend = "internal";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return dlcov::kExecutorOk;
        }
        if (i + 1 >= argc) {
            std::cerr << "dlcov-tinydnn-api: missing value or unknown argument: " << arg << '\n' << kUsage;
            return dlcov::kExecutorUnusable;
        }
        const std::string value = argv[++i];
        if (arg == "--test") test_path = value;
        else if (arg == "--output") output_path = value;
        else if (arg == "--backend") backend = value;
        else {
            std::cerr << "dlcov-tinydnn-api: unknown argument: " << arg << '\n' << kUsage;
            return dlcov::kExecutorUnusable;
        }
    }
    if (test_path.empty() || output_path.empty() || (backend != "internal" && backend != "avx")) {
        std::cerr << "dlcov-tinydnn-api: --test and --output are required; --backend is internal or avx\n" << kUsage;
        return dlcov::kExecutorUnusable;
    }
    limit_address_space();
    tiny_dnn::set_random_seed(1);  // the same weights on every backend
    try {
        const Test test = read_test(test_path, backend);
        Result r = run(test, output_path);
        bool finite = true;
        json outputs = outputs_json(r.outputs, finite);
        json doc = r.extra;
        doc["api"] = test.api;
        doc["name"] = test.name;
        doc["backend"] = r.backend;
        doc["outputs"] = std::move(outputs);
        doc["status"] = finite ? "ok" : "nan";
        write_result(output_path, doc);
        return finite ? dlcov::kExecutorOk : dlcov::kExecutorNaN;
    } catch (const Unusable& e) {
        std::cerr << "dlcov-tinydnn-api: " << e.what() << '\n';
        return dlcov::kExecutorUnusable;
    } catch (const std::exception& e) {
        std::cerr << "dlcov-tinydnn-api: tiny-dnn threw: " << e.what() << '\n';
        return dlcov::kExecutorException;
    }
}
