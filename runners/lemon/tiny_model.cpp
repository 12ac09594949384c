#include "tiny_model.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dlcov::lemon {

std::string Shape::str() const {
    return std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(depth);
}

const std::vector<std::string>& tinydnn_activations() {
    static const std::vector<std::string> names = {"tan_h", "softmax", "identity", "sigmoid",
                                                   "relu",  "leaky_relu", "elu", "tan_hp1m2"};
    return names;
}

std::vector<std::string> affordable_activations(size_t outputs) {
    constexpr size_t kMaxSoftmaxOutputs = 4096;
    std::vector<std::string> names;
    for (const auto& a : tinydnn_activations())
        if (a != "softmax" || outputs <= kMaxSoftmaxOutputs) names.push_back(a);
    return names;
}

std::string Layer::kind() const {
    std::string t = type();
    return t.substr(0, t.find('<'));
}

bool Layer::has_activation() const { return type().find('<') != std::string::npos; }

std::string Layer::activation() const {
    std::string t = type();
    size_t open = t.find('<'), close = t.rfind('>');
    if (open == std::string::npos || close == std::string::npos || close < open) return "";
    return t.substr(open + 1, close - open - 1);
}

void Layer::set_activation(const std::string& name) { node["type"] = kind() + "<" + name + ">"; }

ModelJson& Layer::tensor(size_t t) { return weights.at("value" + std::to_string(t)); }
const ModelJson& Layer::tensor(size_t t) const { return weights.at("value" + std::to_string(t)); }

TinyModel TinyModel::parse(const std::string& text) {
    ModelJson doc;
    try {
        doc = ModelJson::parse(text);
    } catch (const ModelJson::exception& e) {
        throw std::runtime_error(std::string("not JSON: ") + e.what());
    }
    if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array())
        throw std::runtime_error("not a tiny-dnn model: no \"nodes\" array");
    TinyModel model;
    std::vector<ModelJson> weights;
    for (auto& [key, value] : doc.items()) {
        if (key == "nodes") continue;
        if (key == "graph") model.graph = value;
        else weights.push_back(value);  // by position, as cereal reads them
    }
    const ModelJson& nodes = doc["nodes"];
    if (weights.size() != nodes.size())
        throw std::runtime_error("not a tiny-dnn model: " + std::to_string(nodes.size()) + " nodes but " +
                                 std::to_string(weights.size()) + " weight entries");
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!nodes[i].is_object() || !nodes[i].contains("type") || !weights[i].is_object())
            throw std::runtime_error("not a tiny-dnn model: node " + std::to_string(i) + " has no type");
        model.layers.push_back({nodes[i], weights[i]});
    }
    return model;
}

TinyModel TinyModel::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    std::stringstream text;
    text << in.rdbuf();
    try {
        return parse(text.str());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

std::string TinyModel::dump() const {
    ModelJson doc = ModelJson::object();
    doc["nodes"] = ModelJson::array();
    for (const Layer& l : layers) doc["nodes"].push_back(l.node);
    if (is_graph()) doc["graph"] = graph;
    for (size_t i = 0; i < layers.size(); ++i) doc["value" + std::to_string(i)] = layers[i].weights;
    return doc.dump();
}

void TinyModel::save(const std::string& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << dump() << '\n';
    out.flush();
    if (!out) throw std::runtime_error(path + ": cannot write");
}

size_t TinyModel::output_layer() const {
    if (is_graph()) {
        const ModelJson& out = graph.value("out_nodes", ModelJson::array());
        if (out.is_array() && !out.empty() && out[0].is_number_unsigned() && out[0].get<size_t>() < layers.size())
            return out[0].get<size_t>();
    }
    return layers.empty() ? 0 : layers.size() - 1;
}

namespace {

unsigned number(const ModelJson& node, const char* key) { return node.at(key).get<unsigned>(); }

Shape shape_at(const ModelJson& node, const char* key) {
    const ModelJson& s = node.at(key);
    return {s.at("width").get<unsigned>(), s.at("height").get<unsigned>(), s.at("depth").get<unsigned>()};
}

// tiny-dnn's conv_out_length (util.h): padding 0 is valid, 1 is same; the result is rounded up.
unsigned conv_out_length(unsigned in, unsigned window, unsigned stride, unsigned pad_type) {
    unsigned length = pad_type == 1 ? in : (in >= window ? in - window + 1 : 0);
    return stride ? (length + stride - 1) / stride : 0;
}

// Layers whose computation depends on width and height, not only on the size (and channels).
bool reads_geometry(const Layer& layer) {
    std::string kind = layer.kind();
    return kind == "conv" || kind == "maxpool" || kind == "avepool" || kind == "lrn" || kind == "power" ||
           kind == "slice" || kind == "concat";
}

}  // namespace

Shape declared_input(const Layer& layer) {
    const ModelJson& n = layer.node;
    std::string kind = layer.kind();
    if (kind == "conv" || kind == "maxpool" || kind == "avepool" || kind == "power" || kind == "slice")
        return shape_at(n, "in_size");
    if (kind == "lrn") return shape_at(n, "in_shape");
    if (kind == "fully_connected" || kind == "linear" || kind == "dropout") return {number(n, "in_size"), 1, 1};
    if (kind == "batchnorm") return {number(n, "in_spatial_size"), 1, number(n, "in_channels")};
    if (kind == "elementwise_add") return {number(n, "dim"), 1, 1};
    if (kind == "concat") {
        unsigned depth = 0;
        Shape first;
        for (const auto& s : n.at("in_size")) {
            first = {s.at("width").get<unsigned>(), s.at("height").get<unsigned>(), 1};
            depth += s.at("depth").get<unsigned>();
        }
        return {first.width, first.height, depth};
    }
    throw std::runtime_error("unknown tiny-dnn layer type " + layer.type());
}

Shape output_shape(const Layer& layer, const Shape& input) {
    const ModelJson& n = layer.node;
    std::string kind = layer.kind();
    if (kind == "conv") {
        Shape in = shape_at(n, "in_size");
        return {conv_out_length(in.width, number(n, "window_width"), number(n, "w_stride"), number(n, "pad_type")),
                conv_out_length(in.height, number(n, "window_height"), number(n, "h_stride"), number(n, "pad_type")),
                number(n, "out_channels")};
    }
    if (kind == "maxpool" || kind == "avepool") {
        Shape in = shape_at(n, "in_size");
        return {conv_out_length(in.width, number(n, "pool_size_x"), number(n, "stride_x"), number(n, "pad_type")),
                conv_out_length(in.height, number(n, "pool_size_y"), number(n, "stride_y"), number(n, "pad_type")),
                in.depth};
    }
    if (kind == "fully_connected") return {number(n, "out_size"), 1, 1};
    if (kind == "slice") {
        Shape in = shape_at(n, "in_size");
        unsigned parts = number(n, "num_outputs");
        return number(n, "slice_type") == 1 ? Shape{in.width, in.height, parts ? in.depth / parts : 0}
                                            : Shape{in.width, in.height, in.depth};
    }
    // Element-wise layers (linear, dropout, batchnorm, lrn, power, elementwise_add) and concat
    // keep their input's shape; a flat description takes the spatial form of what feeds it.
    Shape declared = declared_input(layer);
    if (reads_geometry(layer)) return declared;
    return input.size() == declared.size() ? input : declared;
}

std::vector<size_t> shape_keeping_layers(const TinyModel& model, const std::vector<Shape>& shapes) {
    std::vector<size_t> out;
    for (size_t i = 0; i + 1 < model.layers.size(); ++i)
        if (preserves_shape(model.layers[i], shapes[i])) out.push_back(i);
    return out;
}

bool preserves_shape(const Layer& layer, const Shape& input) {
    std::string kind = layer.kind();
    if (kind == "slice" || kind == "concat" || kind == "elementwise_add") return false;  // graph-only joins
    return declared_input(layer).size() == input.size() && output_shape(layer, input) == input;
}

std::vector<Shape> position_shapes(const TinyModel& model) {
    std::vector<Shape> shapes;
    if (model.layers.empty()) return shapes;
    shapes.push_back(declared_input(model.layers[0]));
    for (const Layer& l : model.layers) {
        Shape declared = declared_input(l);
        Shape in = shapes.back().size() == declared.size() ? shapes.back() : declared;
        // A layer that reads width and height uses its own declared shape, whatever form its
        // feeder had (batch norm, linear and dropout only need the size).
        if (in != declared && reads_geometry(l)) in = declared;
        shapes.push_back(output_shape(l, in));
    }
    return shapes;
}

std::string shape_error(const TinyModel& model) {
    if (model.is_graph()) return "";
    std::vector<Shape> shapes = position_shapes(model);
    for (size_t i = 1; i < model.layers.size(); ++i) {
        Shape declared = declared_input(model.layers[i]);
        if (declared.size() != shapes[i].size())
            return "layer " + std::to_string(i) + " (" + model.layers[i].type() + ") takes " + declared.str() +
                   " but receives " + shapes[i].str();
    }
    return "";
}

}  // namespace dlcov::lemon
