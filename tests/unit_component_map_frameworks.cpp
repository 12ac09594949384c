// The shipped PyTorch, TensorFlow and MXNet maps on the real file trees: the Python files of
// the installed packages (lists in tests/fixtures/framework-trees, written from the installs
// under builds/) and the source lists of PyTorch 1.13.1 and MXNet 1.9.0 in ../shared/frameworks.
// Every path must be mapped or excluded, every component must get files of each installed
// package, the borderline decisions the maps comment on must hold, and
// tools/check-component-map must count exactly as ComponentMap does.
#include "component_map.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using dlcov::Classification;
using dlcov::Component;
using dlcov::ComponentMap;

namespace {

std::string source_dir() { return DLCOV_SOURCE_DIR; }

std::string shipped_map(const std::string& name) {
    return source_dir() + "/configs/components/" + name + ".yaml";
}

std::string tree_list(const std::string& name) {
    return source_dir() + "/tests/fixtures/framework-trees/" + name;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') lines.push_back(line);
    return lines;
}

struct Counts {
    std::map<Component, size_t> mapped;
    size_t excluded = 0;
    std::vector<std::string> unmapped;
};

Counts classify_all(const ComponentMap& map, const std::vector<std::string>& paths) {
    Counts counts;
    for (Component c : dlcov::kComponents) counts.mapped[c] = 0;
    for (const std::string& path : paths) {
        Classification c = map.classify(path);
        if (c.kind == Classification::Mapped) ++counts.mapped[c.component];
        else if (c.kind == Classification::Excluded) ++counts.excluded;
        else counts.unmapped.push_back(path);
    }
    return counts;
}

void check_complete(const std::string& map_name, const std::string& list, bool every_component) {
    ComponentMap map = ComponentMap::load(shipped_map(map_name));
    std::vector<std::string> paths = read_lines(list);
    INFO(map_name << " on " << list << " (" << paths.size() << " paths)");
    REQUIRE(paths.size() > 100);
    Counts counts = classify_all(map, paths);
    std::string unmapped;
    for (size_t i = 0; i < counts.unmapped.size() && i < 20; ++i) unmapped += counts.unmapped[i] + " ";
    INFO("unmapped: " << unmapped);
    CHECK(counts.unmapped.empty());
    if (every_component)
        for (Component c : dlcov::kComponents) {
            INFO("component " << dlcov::component_id(c));
            CHECK(counts.mapped[c] > 0);
        }
}

Component mapped(const ComponentMap& map, const std::string& path) {
    Classification c = map.classify(path);
    INFO(path << " -> " << c.reason);
    REQUIRE(c.kind == Classification::Mapped);
    return c.component;
}

bool excluded(const ComponentMap& map, const std::string& path) {
    return map.classify(path).kind == Classification::Excluded;
}

const char* kPytorchTree = "pytorch-1.13.1-debian-python-files.txt";
const char* kTensorflowTree = "tensorflow-2.15.1-python-files.txt";
const char* kMxnetTree = "mxnet-1.9.1-python-files.txt";

}  // namespace

TEST_CASE("framework maps cover every Python file of the installed packages", "[component_map]") {
    check_complete("pytorch", tree_list(kPytorchTree), true);
    check_complete("tensorflow", tree_list(kTensorflowTree), true);
    check_complete("mxnet", tree_list(kMxnetTree), true);
}

TEST_CASE("framework maps cover every path of the shared source lists", "[component_map]") {
    std::string shared = source_dir() + "/../shared/frameworks";
    if (!fs::exists(shared + "/pytorch-1.13.1-source-files.txt")) {
        WARN("no " << shared << ": the source lists are not checked");
        return;
    }
    check_complete("pytorch", shared + "/pytorch-1.13.1-source-files.txt", true);
    check_complete("mxnet", shared + "/mxnet-1.9.0-source-files.txt", true);
}

TEST_CASE("pytorch map: borderline Python files", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("pytorch"));
    CHECK(mapped(map, "torch/nn/modules/conv.py") == Component::Api);
    CHECK(mapped(map, "torch/nn/functional.py") == Component::Api);
    CHECK(mapped(map, "torch/_refs/__init__.py") == Component::Operation);
    CHECK(mapped(map, "torch/_prims/__init__.py") == Component::Operation);
    CHECK(mapped(map, "torch/_prims/nvfuser_executor.py") == Component::Environment);
    CHECK(mapped(map, "torch/_decomp/decompositions.py") == Component::Operation);
    CHECK(mapped(map, "torch/_ops.py") == Component::Operation);
    CHECK(mapped(map, "torch/_VF.py") == Component::Operation);
    CHECK(mapped(map, "torch/_tensor.py") == Component::Utility);
    CHECK(mapped(map, "torch/serialization.py") == Component::Api);
    CHECK(mapped(map, "torch/jit/_script.py") == Component::Graph);
    CHECK(mapped(map, "torch/jit/_shape_functions.py") == Component::Operation);
    CHECK(mapped(map, "torch/onnx/symbolic_opset9.py") == Component::Graph);
    CHECK(mapped(map, "torch/onnx/__init__.py") == Component::Api);
    CHECK(mapped(map, "torch/utils/data/dataloader.py") == Component::Api);
    CHECK(mapped(map, "torch/utils/data/_utils/pin_memory.py") == Component::Environment);
    CHECK(mapped(map, "torch/multiprocessing/reductions.py") == Component::Environment);
    CHECK(mapped(map, "torch/cuda/__init__.py") == Component::Environment);
    CHECK(mapped(map, "torch/nn/parallel/distributed.py") == Component::Graph);
    CHECK(mapped(map, "functorch/_src/aot_autograd.py") == Component::Graph);
    CHECK(mapped(map, "functorch/__init__.py") == Component::Api);
    CHECK(excluded(map, "torch/testing/_internal/common_utils.py"));
    CHECK(excluded(map, "torch/fx/passes/tests/test_pass_manager.py"));
    CHECK(excluded(map, "torch/_C/__init__.pyi"));
    CHECK(excluded(map, "torchgen/gen.py"));
    // The study's Python folders keep their components.
    CHECK(mapped(map, "torch/fx/graph.py") == Component::Api);
    CHECK(mapped(map, "torch/autograd/function.py") == Component::Api);
    CHECK(mapped(map, "torch/ao/quantization/quantize.py") == Component::Graph);
}

TEST_CASE("tensorflow map: borderline Python files", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("tensorflow"));
    CHECK(mapped(map, "tensorflow/python/ops/gen_nn_ops.py") == Component::Operation);
    CHECK(mapped(map, "tensorflow/python/ops/nn_ops.py") == Component::Api);
    CHECK(mapped(map, "tensorflow/python/ops/nn_grad.py") == Component::Graph);
    CHECK(mapped(map, "tensorflow/python/ops/while_v2.py") == Component::Graph);
    CHECK(mapped(map, "tensorflow/python/framework/ops.py") == Component::Graph);
    CHECK(mapped(map, "tensorflow/python/framework/func_graph.py") == Component::Graph);
    CHECK(mapped(map, "tensorflow/python/framework/dtypes.py") == Component::Utility);
    CHECK(mapped(map, "tensorflow/python/framework/tensor_shape.py") == Component::Utility);
    CHECK(mapped(map, "tensorflow/python/framework/op_def_library.py") == Component::Operation);
    CHECK(mapped(map, "tensorflow/python/framework/config.py") == Component::Environment);
    CHECK(mapped(map, "tensorflow/python/eager/backprop.py") == Component::Graph);
    CHECK(mapped(map, "tensorflow/python/eager/polymorphic_function/polymorphic_function.py") ==
          Component::Graph);
    CHECK(mapped(map, "tensorflow/python/eager/context.py") == Component::Environment);
    CHECK(mapped(map, "tensorflow/python/platform/tf_logging.py") == Component::Environment);
    CHECK(mapped(map, "tensorflow/python/distribute/mirrored_strategy.py") == Component::Graph);
    CHECK(mapped(map, "tensorflow/python/data/ops/dataset_ops.py") == Component::Api);
    CHECK(mapped(map, "tensorflow/python/keras/engine/training.py") == Component::Graph);
    CHECK(mapped(map, "keras/src/layers/convolutional/conv2d.py") == Component::Api);
    CHECK(mapped(map, "keras/src/engine/functional.py") == Component::Graph);
    CHECK(mapped(map, "keras/src/backend.py") == Component::Operation);
    CHECK(mapped(map, "keras/src/utils/generic_utils.py") == Component::Utility);
    CHECK(mapped(map, "tensorflow/_api/v2/nn/__init__.py") == Component::Api);
    CHECK(excluded(map, "tensorflow/core/framework/graph_pb2.py"));
    CHECK(excluded(map, "tensorflow/python/framework/test_util.py"));
    CHECK(excluded(map, "keras/src/testing_infra/test_utils.py"));
    // C++ under tensorflow/python stays API as in the study.
    CHECK(mapped(map, "tensorflow/python/eager/pywrap_tfe_src.cc") == Component::Api);
    CHECK(mapped(map, "tensorflow/python/framework/python_op_gen.cc") == Component::Api);
}

TEST_CASE("mxnet map: borderline Python files, installed and in the source tree", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("mxnet"));
    for (std::string prefix : {"", "python/"}) {
        INFO("prefix '" << prefix << "'");
        CHECK(mapped(map, prefix + "mxnet/gluon/block.py") == Component::Api);
        CHECK(mapped(map, prefix + "mxnet/gluon/nn/conv_layers.py") == Component::Api);
        CHECK(mapped(map, prefix + "mxnet/ndarray/ndarray.py") == Component::Utility);
        CHECK(mapped(map, prefix + "mxnet/ndarray/register.py") == Component::Operation);
        CHECK(mapped(map, prefix + "mxnet/symbol/symbol.py") == Component::Graph);
        CHECK(mapped(map, prefix + "mxnet/symbol/op.py") == Component::Operation);
        CHECK(mapped(map, prefix + "mxnet/executor.py") == Component::Graph);
        CHECK(mapped(map, prefix + "mxnet/contrib/onnx/onnx2mx/import_model.py") == Component::Graph);
        CHECK(mapped(map, prefix + "mxnet/contrib/text/vocab.py") == Component::Api);
        CHECK(mapped(map, prefix + "mxnet/context.py") == Component::Environment);
        CHECK(mapped(map, prefix + "mxnet/io/io.py") == Component::Environment);
        CHECK(mapped(map, prefix + "mxnet/kvstore/kvstore.py") == Component::Utility);
        CHECK(excluded(map, prefix + "mxnet/test_utils.py"));
    }
    CHECK(mapped(map, "mxnet/ndarray/gen_op.py") == Component::Operation);
    CHECK(excluded(map, "mxnet/tools/im2rec.py"));
    // The Python rules do not reach the C headers.
    CHECK(mapped(map, "include/mxnet/engine.h") == Component::Graph);
    CHECK(mapped(map, "include/mxnet/ndarray.h") == Component::Utility);
}

TEST_CASE("onnx map: the installed package and the sdist's C++ sources, every file mapped", "[component_map]") {
    check_complete("onnx", tree_list("onnx-1.14.1-python-files.txt"), true);
    check_complete("onnx", tree_list("onnx-1.14.1-sdist-cpp-files.txt"), true);
    ComponentMap map = ComponentMap::load(shipped_map("onnx"));
    CHECK(mapped(map, "onnx/helper.py") == Component::Api);
    CHECK(mapped(map, "onnx/cpp2py_export.cc") == Component::Api);
    CHECK(mapped(map, "onnx/checker.cc") == Component::Graph);
    CHECK(mapped(map, "onnx/shape_inference/implementation.cc") == Component::Graph);
    CHECK(mapped(map, "onnx/version_converter/adapters/upsample_9_10.h") == Component::Graph);
    CHECK(mapped(map, "onnx/reference/reference_evaluator.py") == Component::Graph);
    CHECK(mapped(map, "onnx/defs/math/defs.cc") == Component::Operation);
    CHECK(mapped(map, "onnx/reference/ops/op_relu.py") == Component::Operation);
    CHECK(mapped(map, "onnx/defs/schema.cc") == Component::Utility);
    CHECK(mapped(map, "onnx/common/status.cc") == Component::Utility);
    CHECK(mapped(map, "onnx/common/path.cc") == Component::Environment);
    CHECK(excluded(map, ".setuptools-cmake-build/onnx/onnx-ml.pb.cc"));
    CHECK(excluded(map, "onnx/onnx_ml_pb2.py"));
    CHECK(excluded(map, "onnx/backend/test/case/node/abs.py"));
}

TEST_CASE("tools/check-component-map counts as ComponentMap does", "[component_map]") {
    // tools/install-deps installs Debian's python3-yaml for /usr/bin/python3.
    REQUIRE(dlcov::test::run_command("/usr/bin/python3 -c 'import yaml'").exit_code == 0);
    std::string dir = dlcov::test::scratch_dir("check_component_map");
    std::vector<std::pair<std::string, std::string>> cases = {
        {"pytorch", tree_list(kPytorchTree)},
        {"tensorflow", tree_list(kTensorflowTree)},
        {"mxnet", tree_list(kMxnetTree)},
        {"tinydnn", tree_list(kMxnetTree)},  // a map that leaves paths unmapped
    };
    for (const auto& [name, list] : cases) {
        INFO(name << " on " << list);
        std::string json_path = dir + "/" + name + ".json";
        auto result = dlcov::test::run_command(
            "/usr/bin/python3 " + dlcov::test::shell_quote(source_dir() + "/tools/check-component-map") + " " +
            dlcov::test::shell_quote(shipped_map(name)) + " --list " + dlcov::test::shell_quote(list) +
            " --json " + dlcov::test::shell_quote(json_path));
        INFO(result.output);
        Counts counts = classify_all(ComponentMap::load(shipped_map(name)), read_lines(list));
        CHECK(result.exit_code == (counts.unmapped.empty() ? 0 : 1));
        nlohmann::json json = nlohmann::json::parse(dlcov::test::read_file(json_path));
        for (Component c : dlcov::kComponents)
            CHECK(json["components"][dlcov::component_id(c)].get<size_t>() == counts.mapped[c]);
        CHECK(json["excluded"].get<size_t>() == counts.excluded);
        CHECK(json["unmapped"].get<std::vector<std::string>>() == counts.unmapped);
    }
}
