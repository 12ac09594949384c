// dlcov-tinydnn-exec: runs one tiny-dnn model on one input batch with one backend, in its
// own process, so that a crash is isolated and attributed to that (model, backend).
//
//   dlcov-tinydnn-exec --model MODEL.json --input INPUT.json --output OUT.json
//                      [--backend internal|avx] [--train N] [--help]
//
// Not built by CMake: `dlcov instrument` compiles it with clang against the instrumented
// copy of tiny-dnn, e.g.
//   clang++ -std=c++14 -O1 -fprofile-instr-generate -fcoverage-mapping
//           -DCNN_USE_AVX -mavx2 -mfma -I <dir holding tiny_dnn/>
//           -isystem <shim holding third_party/stb -> /usr/include/stb> executor.cpp -pthread
// (C++14 or C++17; nlohmann/json.hpp comes from the system).
//
// MODEL.json: tiny-dnn's own serialization (content_type::weights_and_model,
// file_format::json) of a network<sequential> or a network<graph>. Only a graph writes a
// top-level "graph" object (its connections); that key decides which network type loads it.
//
// INPUT.json:
//   {"shape": [channels, height, width],
//    "samples": [[c*h*w numbers, channel-major as tiny-dnn reads them], ...],
//    "labels": [class index per sample, ...]}
// "labels" may be left out when not training; each label must be below the model's
// output size. Values beyond float's range become +-infinity (a legitimate fuzz input).
//
// Predict (default): every sample runs through the net in one batch, in the test phase.
// --train N: N training steps first (batch = all samples, adagrad, cross-entropy when the
// output layer is softmax, mean squared error otherwise), then predict.
//
// Backends: --backend sets every layer's engine. Only conv, fully-connected and max-pool
// layers have an AVX path in tiny-dnn 1.0.0a3 (and only the 5x5 convolution has a real AVX
// kernel: the others call the internal code); every other layer keeps internal.
//
// OUT.json (written only on exit 0 or 3; non-finite numbers are written as null):
//   {"backend": "avx", "model": MODEL path, "outputs": [[...] per sample], "labels": [...],
//    "train_steps": N, "loss": mean loss after training or null, "status": "ok"|"nan",
//    "layers": [{"type": "conv", "backend": "avx"}, ...]}
//
// Exit codes:
//   0  success
//   2  unusable input: bad arguments, unreadable file, malformed input JSON, sample size not
//      equal to the model's input size, a label out of range, a model file that is not JSON
//      at all, an output file that cannot be written
//   3  NaN or infinity in an output (OUT.json is still written, status "nan")
//   4  tiny-dnn threw while loading, predicting or training (message on stderr)
// It writes no file but OUT.json.
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tiny_dnn/tiny_dnn.h"
#include "tinydnn_program.h"

namespace {

using nlohmann::json;
using namespace tinydnn_program;

const char* const kUsage =
    "usage: dlcov-tinydnn-exec --model MODEL.json --input INPUT.json --output OUT.json\n"
    "                          [--backend internal|avx] [--train N]\n"
    "Runs one tiny-dnn model (tiny-dnn JSON, weights_and_model) on one input batch\n"
    "({\"shape\": [c, h, w], \"samples\": [[...], ...], \"labels\": [...]}) with one backend\n"
    "(default internal); --train N first runs N training steps on the whole batch.\n"
    "Exit codes: 0 success; 2 unusable input (arguments, files, input JSON, sizes, labels,\n"
    "a model that is not JSON); 3 NaN or Inf in an output (OUT.json still written);\n"
    "4 tiny-dnn threw while loading, predicting or training.\n";

struct Options {
    std::string model, input, output;
    std::string backend = "internal";
    int train_steps = 0;
};

struct Batch {
    std::vector<tiny_dnn::vec_t> samples;
    std::vector<int> labels;  // empty when the input has none
};

Options parse_args(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) throw Unusable("missing value or unknown argument: " + arg);
        const std::string value = argv[++i];
        if (arg == "--model") options.model = value;
        else if (arg == "--input") options.input = value;
        else if (arg == "--output") options.output = value;
        else if (arg == "--backend") options.backend = value;
        else if (arg == "--train") {
            char* end = nullptr;
            const long n = std::strtol(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0' || n < 0 || n > 1000000)
                throw Unusable("--train wants a number of steps from 0 to 1000000");
            options.train_steps = static_cast<int>(n);
        } else {
            throw Unusable("unknown argument: " + arg);
        }
    }
    if (options.model.empty() || options.input.empty() || options.output.empty())
        throw Unusable("--model, --input and --output are required");
    if (options.backend != "internal" && options.backend != "avx")
        throw Unusable("--backend must be internal or avx");
    return options;
}

json read_json(const std::string& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Unusable("cannot read " + what + " " + path);
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw Unusable(what + " " + path + " is not JSON: " + e.what());
    }
}

// A JSON number as a float; beyond float's range it saturates to infinity (a plain
// conversion would be undefined behaviour).
float to_float(const json& number) {
    const double v = number.get<double>();
    if (std::fabs(v) > std::numeric_limits<float>::max())
        return std::copysign(std::numeric_limits<float>::infinity(), v);
    return static_cast<float>(v);
}

Batch read_input(const std::string& path) {
    const json doc = read_json(path, "input");
    const json* shape = doc.is_object() && doc.contains("shape") ? &doc["shape"] : nullptr;
    if (!shape || !shape->is_array() || shape->size() != 3)
        throw Unusable("input: \"shape\" must be [channels, height, width]");
    long size = 1;
    for (const json& d : *shape) {
        if (!d.is_number_integer() || d.get<long>() < 1 || d.get<long>() > (1 << 24))
            throw Unusable("input: \"shape\" entries must be positive integers");
        size *= d.get<long>();
        if (size > (1L << 28)) throw Unusable("input: \"shape\" is too large");
    }
    const json& samples = doc.contains("samples") ? doc["samples"] : json();
    if (!samples.is_array() || samples.empty())
        throw Unusable("input: \"samples\" must be a non-empty array of samples");

    Batch batch;
    for (const json& sample : samples) {
        if (!sample.is_array() || static_cast<long>(sample.size()) != size)
            throw Unusable("input: every sample must hold channels*height*width = " +
                           std::to_string(size) + " numbers");
        tiny_dnn::vec_t values;
        values.reserve(sample.size());
        for (const json& v : sample) {
            if (!v.is_number()) throw Unusable("input: samples must hold numbers only");
            values.push_back(to_float(v));
        }
        batch.samples.push_back(std::move(values));
    }
    if (doc.contains("labels")) {
        const json& labels = doc["labels"];
        if (!labels.is_array() || labels.size() != batch.samples.size())
            throw Unusable("input: \"labels\" must hold one label per sample");
        for (const json& l : labels) {
            if (!l.is_number_integer() || l.get<long>() < 0 || l.get<long>() > (1 << 24))
                throw Unusable("input: labels must be non-negative integers");
            batch.labels.push_back(l.get<int>());
        }
    }
    return batch;
}

// The index of the net's output layer in the saved node list: a graph records it,
// a sequential net ends with it.
size_t output_node(const json& model_doc, size_t layer_count) {
    if (model_doc.is_object() && model_doc.contains("graph") && model_doc["graph"].is_object()) {
        const json& out = model_doc["graph"].value("out_nodes", json::array());
        if (out.is_array() && !out.empty() && out[0].is_number_unsigned() &&
            out[0].get<size_t>() < layer_count)
            return out[0].get<size_t>();
    }
    return layer_count - 1;
}

// tiny-dnn records the activation in the saved type name, e.g. "fully_connected<softmax>".
bool ends_in_softmax(const json& model_doc, size_t node) {
    if (!model_doc.is_object()) return false;
    const json& nodes = model_doc.value("nodes", json::array());
    if (!nodes.is_array() || node >= nodes.size() || !nodes[node].is_object()) return false;
    const std::string type = nodes[node].value("type", std::string());
    const std::string suffix = "<softmax>";
    return type.size() >= suffix.size() &&
           type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Mean loss of `outputs` against one-hot targets scaled to the output layer's value range.
template <typename Loss>
double mean_loss(const std::vector<tiny_dnn::vec_t>& outputs, const std::vector<int>& labels,
                 std::pair<tiny_dnn::float_t, tiny_dnn::float_t> range) {
    double total = 0;
    for (size_t i = 0; i < outputs.size(); ++i) {
        tiny_dnn::vec_t target(outputs[i].size(), range.first);
        target[labels[i]] = range.second;
        total += Loss::f(outputs[i], target);
    }
    return total / outputs.size();
}

template <typename Net>
int run(const Options& options, const json& model_doc, const Batch& batch) {
    Net net;
    net.load(options.model, tiny_dnn::content_type::weights_and_model, tiny_dnn::file_format::json);
    // An empty net has no input size to check against; tiny-dnn decides what running it means.
    size_t out_node = 0;
    if (net.layer_size() > 0) {
        if (batch.samples[0].size() != net.in_data_size())
            throw Unusable("input: samples hold " + std::to_string(batch.samples[0].size()) +
                           " numbers, the model takes " + std::to_string(net.in_data_size()));
        out_node = output_node(model_doc, net.layer_size());
        const size_t classes = net[out_node]->out_data_size();
        for (int label : batch.labels)
            if (static_cast<size_t>(label) >= classes)
                throw Unusable("input: label " + std::to_string(label) + " is not below the model's " +
                               std::to_string(classes) + " outputs");
    }
    const json layers = set_backends(net, options.backend == "avx");

    const bool softmax = ends_in_softmax(model_doc, out_node);
    json loss = nullptr;
    if (options.train_steps > 0) {
        if (batch.labels.empty()) throw Unusable("input: --train needs \"labels\"");
        std::vector<tiny_dnn::label_t> labels(batch.labels.begin(), batch.labels.end());
        tiny_dnn::adagrad optimizer;
        if (softmax)
            net.template train<tiny_dnn::cross_entropy_multiclass>(optimizer, batch.samples, labels,
                                                                   batch.samples.size(), options.train_steps);
        else
            net.template train<tiny_dnn::mse>(optimizer, batch.samples, labels, batch.samples.size(),
                                              options.train_steps);
    }

    net.set_netphase(tiny_dnn::net_phase::test);
    std::vector<tiny_dnn::tensor_t> inputs;
    for (const auto& sample : batch.samples) inputs.push_back({sample});
    const std::vector<tiny_dnn::tensor_t> predicted = net.predict(inputs);
    std::vector<tiny_dnn::vec_t> outputs;
    for (const auto& p : predicted) outputs.push_back(p.at(0));

    if (options.train_steps > 0 && net.layer_size() > 0) {
        const auto range = net[out_node]->out_value_range();
        loss = softmax ? mean_loss<tiny_dnn::cross_entropy_multiclass>(outputs, batch.labels, range)
                       : mean_loss<tiny_dnn::mse>(outputs, batch.labels, range);
    }

    bool finite = true;
    json out_values = outputs_json(outputs, finite);

    const json result = {{"backend", options.backend},
                         {"model", options.model},
                         {"outputs", out_values},
                         {"labels", batch.labels},
                         {"train_steps", options.train_steps},
                         {"loss", loss},
                         {"status", finite ? "ok" : "nan"},
                         {"layers", layers}};
    write_result(options.output, result);
    return finite ? dlcov::kExecutorOk : dlcov::kExecutorNaN;
}

}  // namespace

int main(int argc, char** argv) {
    tinydnn_program::dump_coverage_on_signals();  // mode gcov: a killed run keeps its coverage
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
            std::cout << kUsage;
            return dlcov::kExecutorOk;
        }
    }
    try {
        const Options options = parse_args(argc, argv);
        const Batch batch = read_input(options.input);
        const json model_doc = read_json(options.model, "model");
        const bool is_graph = model_doc.is_object() && model_doc.contains("graph");
        return is_graph ? run<tiny_dnn::network<tiny_dnn::graph>>(options, model_doc, batch)
                        : run<tiny_dnn::network<tiny_dnn::sequential>>(options, model_doc, batch);
    } catch (const Unusable& e) {
        std::cerr << "dlcov-tinydnn-exec: " << e.what() << '\n';
        return dlcov::kExecutorUnusable;
    } catch (const std::exception& e) {
        std::cerr << "dlcov-tinydnn-exec: tiny-dnn threw: " << e.what() << '\n';
        return dlcov::kExecutorException;
    }
}
