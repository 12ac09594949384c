// A tiny-dnn model as its own JSON file describes it (network::save with
// content_type::weights_and_model and file_format::json, i.e. cereal's JSON archive):
//
//   {"nodes": [{"type": "conv<relu>", "in_size": {...}, ...}, ...],   one object per layer
//    "graph": {"connections": [...], "in_nodes": [...], "out_nodes": [...]},   graph nets only
//    "value0": {"value0": [weights...], "value1": [bias...]},   layer 0's weight tensors
//    "value1": {}, ...}                                        one entry per layer, in order
//
// cereal reads the per-layer weight entries by position, not by name, so the member order of
// the file matters: ModelJson keeps it. Numbers are floats, as in tiny-dnn, so a rewritten
// model is written with float precision (about half the size of double digits).
//
// The LEMON operators mutate this form directly; nothing here links tiny-dnn, so the generator
// stays uninstrumented and all coverage comes from the executor that loads the mutants.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlcov::lemon {

using ModelJson = nlohmann::basic_json<nlohmann::ordered_map, std::vector, std::string, bool, std::int64_t,
                                       std::uint64_t, float>;

// tiny-dnn's shape3d: width, height, depth (channels). Flat data is (size, 1, 1).
struct Shape {
    unsigned width = 1, height = 1, depth = 1;
    size_t size() const { return size_t(width) * height * depth; }
    // A real image-like shape rather than a flat vector.
    bool is_spatial() const { return height > 1 || depth > 1; }
    bool operator==(const Shape& o) const { return width == o.width && height == o.height && depth == o.depth; }
    bool operator!=(const Shape& o) const { return !(*this == o); }
    std::string str() const;
};

// The activations tiny-dnn 1.0.0a3 registers for every layer type that takes one
// (serialization_layer_list.h): a saved type is e.g. "conv<leaky_relu>".
const std::vector<std::string>& tinydnn_activations();
// The activations worth giving a layer with `outputs` values: all of them, except softmax above
// 4096 outputs. tiny-dnn 1.0.0a3's softmax recomputes the whole sum for every output (quadratic):
// on a 32x32x16 feature map one prediction takes minutes, which would spend the budget on
// timeouts of a known slowness instead of on new mutants.
std::vector<std::string> affordable_activations(size_t outputs);

// One layer: its description in "nodes" and its weight tensors ("value<i>" at the top level).
struct Layer {
    ModelJson node;
    ModelJson weights = ModelJson::object();  // {"value0": [...], "value1": [...]} or {}

    std::string type() const { return node.value("type", std::string()); }
    std::string kind() const;        // "conv" for "conv<relu>"
    bool has_activation() const;     // the type names one
    std::string activation() const;  // "" when the type has none
    void set_activation(const std::string& name);

    // Weight tensor t ("value<t>" inside `weights`); count of tensors.
    size_t tensor_count() const { return weights.size(); }
    ModelJson& tensor(size_t t);
    const ModelJson& tensor(size_t t) const;
};

class TinyModel {
public:
    // Throws std::runtime_error when the text is not a tiny-dnn JSON model.
    static TinyModel parse(const std::string& text);
    static TinyModel load(const std::string& path);
    std::string dump() const;
    void save(const std::string& path) const;  // throws std::runtime_error when it cannot write

    bool is_graph() const { return !graph.is_null(); }
    // The layer whose output is the model's output: the graph's first out node, else the last.
    size_t output_layer() const;

    std::vector<Layer> layers;
    ModelJson graph;  // null for a sequential model
};

// ---- Shapes of sequential models (tiny-dnn's own rules: util.h conv_out_length, the layers'
// constructors). A graph model's layers can be asked about, not chained.

// The input shape a layer was built for.
Shape declared_input(const Layer& layer);
// What the layer outputs for `input` (element-wise layers keep `input`'s spatial form).
Shape output_shape(const Layer& layer, const Shape& input);
// Whether the layer's output has the shape of `input`, so it can sit at a position of that shape.
bool preserves_shape(const Layer& layer, const Shape& input);
// The shape entering layer p, for p = 0..n-1, and (entry n) the model's output: n+1 entries.
std::vector<Shape> position_shapes(const TinyModel& model);
// The layers, the output layer aside, that keep the shape at their position (`shapes` from
// position_shapes): those LC copies, LR removes and LS switches.
std::vector<size_t> shape_keeping_layers(const TinyModel& model, const std::vector<Shape>& shapes);
// "" when every layer of a sequential model takes what the one before it gives, else why not.
std::string shape_error(const TinyModel& model);

}  // namespace dlcov::lemon
