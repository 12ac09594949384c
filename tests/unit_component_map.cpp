// Component maps: glob matching, classification order, errors, and the shipped maps.
#include "component_map.h"
#include "error.h"
#include "test_support.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;
using dlcov::Classification;
using dlcov::Component;
using dlcov::ComponentMap;
using dlcov::glob_match;

namespace {

std::string shipped_map(const std::string& name) {
    return std::string(DLCOV_SOURCE_DIR) + "/configs/components/" + name + ".yaml";
}

// Writes `yaml` to a scratch file and returns the UserError message loading it gives.
std::string load_error(const std::string& yaml) {
    std::string path = dlcov::test::scratch_dir("component_map_errors") + "/map.yaml";
    dlcov::test::write_file(path, yaml);
    try {
        ComponentMap::load(path);
    } catch (const dlcov::UserError& e) {
        return e.what();
    }
    return "(no error)";
}

// The error must name the file, the 1-based line and the key.
void check_error(const std::string& yaml, int line, const std::string& key,
                 const std::string& detail) {
    std::string message = load_error(yaml);
    INFO(message);
    CHECK(message.find("component_map_errors/map.yaml:" + std::to_string(line) + ": ") !=
          std::string::npos);
    CHECK(message.find("key '" + key + "'") != std::string::npos);
    CHECK(message.find(detail) != std::string::npos);
}

Component mapped(const ComponentMap& map, const std::string& path) {
    Classification c = map.classify(path);
    INFO(path << " -> " << c.reason);
    REQUIRE(c.kind == Classification::Mapped);
    return c.component;
}

}  // namespace

TEST_CASE("glob_match: '*' and '?' stay within one segment", "[component_map]") {
    CHECK(glob_match("a/b.h", "a/b.h"));
    CHECK_FALSE(glob_match("a/b.h", "a/b.hh"));
    CHECK_FALSE(glob_match("a/b.h", "x/a/b.h"));
    CHECK(glob_match("a/*.h", "a/x.h"));
    CHECK(glob_match("a/*.h", "a/.h"));
    CHECK_FALSE(glob_match("a/*.h", "a/b/x.h"));
    CHECK_FALSE(glob_match("*", "a/b"));
    CHECK(glob_match("*.cpp", "main.cpp"));
    CHECK_FALSE(glob_match("*.cpp", "src/main.cpp"));
    CHECK(glob_match("a/?.h", "a/x.h"));
    CHECK_FALSE(glob_match("a/?.h", "a/xy.h"));
    CHECK_FALSE(glob_match("a?b", "a/b"));
    // Backtracking within a segment.
    CHECK(glob_match("*_op_*.h", "conv2d_op_avx.h"));
    CHECK(glob_match("*a*b", "xaybzb"));
    CHECK_FALSE(glob_match("*.pb.cc", "x.pb.cc.bak"));
    CHECK(glob_match("src/*/x_*.cc", "src/nn/x_conv.cc"));
    // '**' inside a segment is just two '*'.
    CHECK(glob_match("a**b", "axyb"));
    CHECK_FALSE(glob_match("a**b", "a/b"));
}

TEST_CASE("glob_match: '**' spans whole segments", "[component_map]") {
    CHECK(glob_match("a/**/b.h", "a/b.h"));
    CHECK(glob_match("a/**/b.h", "a/x/b.h"));
    CHECK(glob_match("a/**/b.h", "a/x/y/b.h"));
    CHECK_FALSE(glob_match("a/**/b.h", "a/x/c.h"));
    CHECK_FALSE(glob_match("a/**/b.h", "b.h"));
    CHECK(glob_match("**/b.h", "b.h"));
    CHECK(glob_match("**/b.h", "x/y/b.h"));
    CHECK(glob_match("**/*.pb.cc", "tensorflow/core/protobuf/config.pb.cc"));
    CHECK(glob_match("**/third_party/**", "x/third_party/y/z.h"));
    CHECK_FALSE(glob_match("**/third_party/**", "x/third_party"));
    CHECK(glob_match("a/**/**/b", "a/b"));
    CHECK(glob_match("**", "a"));
    CHECK(glob_match("**", "a/b/c"));
    // A trailing "/**" is everything under the folder, not the folder name itself.
    CHECK(glob_match("tiny_dnn/layers/**", "tiny_dnn/layers/conv.h"));
    CHECK(glob_match("tiny_dnn/layers/**", "tiny_dnn/layers/a/b.h"));
    CHECK_FALSE(glob_match("tiny_dnn/layers/**", "tiny_dnn/layers"));
    CHECK_FALSE(glob_match("tiny_dnn/layers/**", "tiny_dnn/layersx/a.h"));
    CHECK_FALSE(glob_match("tiny_dnn/layers/**", "x/tiny_dnn/layers/a.h"));
}

TEST_CASE("classify: overrides, then excludes, then rules in order", "[component_map]") {
    std::string path = dlcov::test::scratch_dir("component_map_order") + "/map.yaml";
    dlcov::test::write_file(path,
                            "framework: test\n"
                            "overrides:\n"
                            "  a/special.h: graph\n"
                            "  ex/kept.h: utility\n"
                            "exclude:\n"
                            "  - \"ex/**\"\n"
                            "rules:\n"
                            "  - {glob: \"a/*.h\", component: operation}\n"
                            "  - {glob: \"a/**\", component: api}\n"
                            "  - glob: \"**/*.h\"\n"
                            "    component: environment\n");
    ComponentMap map = ComponentMap::load(path);
    CHECK(map.framework() == "test");
    CHECK(map.path() == path);
    CHECK(map.overrides().size() == 2);

    Classification c = map.classify("a/special.h");  // an override beats the first rule
    CHECK(c.kind == Classification::Mapped);
    CHECK(c.component == Component::Graph);
    CHECK(c.reason == "override");

    c = map.classify("ex/kept.h");  // an override beats an exclude
    CHECK(c.kind == Classification::Mapped);
    CHECK(c.component == Component::Utility);

    c = map.classify("ex/other.h");  // an exclude beats a matching rule
    CHECK(c.kind == Classification::Excluded);
    CHECK(c.reason == "exclude: ex/**");

    c = map.classify("a/x.h");  // first matching rule wins
    CHECK(c.kind == Classification::Mapped);
    CHECK(c.component == Component::Operation);
    CHECK(c.reason == "rule: a/*.h");

    c = map.classify("a/b/x.h");
    CHECK(c.component == Component::Api);
    CHECK(c.reason == "rule: a/**");

    c = map.classify("z/y.h");
    CHECK(c.component == Component::Environment);
    CHECK(c.reason == "rule: **/*.h");

    c = map.classify("z/y.cpp");
    CHECK(c.kind == Classification::Unmapped);
    CHECK(c.reason.empty());
}

TEST_CASE("classify: empty sections are allowed", "[component_map]") {
    std::string path = dlcov::test::scratch_dir("component_map_empty") + "/map.yaml";
    dlcov::test::write_file(path, "framework: empty\noverrides: {}\nexclude:\nrules: []\n");
    ComponentMap map = ComponentMap::load(path);
    CHECK(map.classify("a.h").kind == Classification::Unmapped);
}

TEST_CASE("load: errors name file, line and key", "[component_map]") {
    SECTION("unknown component in a rule") {
        check_error("framework: t\nrules:\n  - {glob: \"a/**\", component: api}\n"
                    "  - {glob: \"b/**\", component: kernels}\n",
                    4, "component", "unknown component 'kernels'");
    }
    SECTION("unknown component in an override names the path") {
        check_error("framework: t\noverrides:\n  a/b.h: apii\n", 3, "a/b.h",
                    "unknown component 'apii'");
    }
    SECTION("missing glob") {
        check_error("framework: t\nrules:\n  - {glob: \"a/**\", component: api}\n"
                    "  - component: graph\n",
                    4, "glob", "missing");
    }
    SECTION("missing component") {
        check_error("framework: t\nrules:\n  - glob: \"a/**\"\n", 3, "component", "missing");
    }
    SECTION("rules is not a list") {
        check_error("framework: t\nrules:\n  a: api\n", 3, "rules", "expected a list");
    }
    SECTION("a rule is not a mapping") {
        check_error("framework: t\nrules:\n  - \"a/**\"\n", 3, "rules", "expected {glob");
    }
    SECTION("glob is not a string") {
        check_error("framework: t\nrules:\n  - {glob: [a, b], component: api}\n", 3, "glob",
                    "expected a string");
    }
    SECTION("unknown key in a rule") {
        check_error("framework: t\nrules:\n  - glob: \"a/**\"\n    comp: api\n", 4, "comp",
                    "unknown key");
    }
    SECTION("unknown top-level key") {
        check_error("framework: t\nrule:\n  - {glob: \"a/**\", component: api}\n", 2, "rule",
                    "unknown key");
    }
    SECTION("exclude is not a list of strings") {
        check_error("framework: t\nexclude: \"third_party/**\"\n", 2, "exclude",
                    "expected a list of strings");
    }
    SECTION("overrides is not a mapping") {
        check_error("framework: t\noverrides:\n  - a.h\n", 3, "overrides", "expected a mapping");
    }
    SECTION("override component is not a scalar") {
        check_error("framework: t\noverrides:\n  a.h: [api]\n", 3, "a.h", "expected a component id");
    }
    SECTION("absolute override path") {
        check_error("framework: t\noverrides:\n  /usr/include/a.h: api\n", 3, "/usr/include/a.h",
                    "relative");
    }
    SECTION("override path escaping the root") {
        check_error("framework: t\noverrides:\n  ok.h: api\n  a/../../b.h: api\n", 4, "a/../../b.h",
                    "'..'");
    }
    SECTION("override path that is a glob") {
        check_error("framework: t\noverrides:\n  a/*.h: api\n", 3, "a/*.h", "not globs");
    }
    SECTION("duplicate override") {
        check_error("framework: t\noverrides:\n  a.h: api\n  a.h: graph\n", 4, "a.h", "duplicate");
    }
    SECTION("absolute glob") {
        check_error("framework: t\nrules:\n  - {glob: \"/src/**\", component: api}\n", 3, "glob",
                    "absolute");
    }
    SECTION("missing framework") {
        check_error("rules: []\n", 1, "framework", "missing");
    }
    SECTION("unreadable file") {
        CHECK_THROWS_WITH(ComponentMap::load("/nonexistent/map.yaml"),
                          Catch::Contains("/nonexistent/map.yaml") && Catch::Contains("cannot read"));
    }
}

TEST_CASE("tinydnn map: every installed tiny-dnn file is mapped", "[component_map]") {
    const fs::path include_root = "/usr/include";
    REQUIRE(fs::is_directory(include_root / "tiny_dnn"));  // Debian package tiny-dnn
    ComponentMap map = ComponentMap::load(shipped_map("tinydnn"));
    CHECK(map.framework() == "tinydnn");

    std::map<Component, int> per_component;
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(include_root / "tiny_dnn")) {
        if (!entry.is_regular_file()) continue;
        std::string relative = fs::relative(entry.path(), include_root).generic_string();
        Classification c = map.classify(relative);
        INFO(relative);
        CHECK(c.kind == Classification::Mapped);
        if (c.kind == Classification::Mapped) per_component[c.component]++;
        ++files;
    }
    CHECK(files >= 100);  // 101 headers and caffe.proto in 1.0.0a3
    for (Component component : dlcov::kComponents) {
        INFO(dlcov::component_id(component));
        CHECK(per_component[component] > 0);
    }

    // An override naming no real file would silently never apply.
    for (const auto& [path, component] : map.overrides()) {
        INFO(path);
        CHECK(fs::is_regular_file(include_root / path));
    }
}

TEST_CASE("tinydnn map: files the embedded default runs land where intended", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("tinydnn"));
    // api: layers users build with, optimizers, losses, the network facade.
    CHECK(mapped(map, "tiny_dnn/layers/convolutional_layer.h") == Component::Api);
    CHECK(mapped(map, "tiny_dnn/layers/fully_connected_layer.h") == Component::Api);
    CHECK(mapped(map, "tiny_dnn/layers/max_pooling_layer.h") == Component::Api);
    CHECK(mapped(map, "tiny_dnn/optimizers/optimizer.h") == Component::Api);
    CHECK(mapped(map, "tiny_dnn/lossfunctions/loss_function.h") == Component::Api);
    CHECK(mapped(map, "tiny_dnn/network.h") == Component::Api);
    // graph: nodes and the layer base that propagates over edges.
    CHECK(mapped(map, "tiny_dnn/nodes.h") == Component::Graph);
    CHECK(mapped(map, "tiny_dnn/node.h") == Component::Graph);
    CHECK(mapped(map, "tiny_dnn/layers/layer.h") == Component::Graph);
    // operation: internal kernels and op dispatchers.
    CHECK(mapped(map, "tiny_dnn/core/kernels/conv2d_op_internal.h") == Component::Operation);
    CHECK(mapped(map, "tiny_dnn/core/kernels/conv2d_op.h") == Component::Operation);
    CHECK(mapped(map, "tiny_dnn/core/kernels/tiny_quantized_conv2d_kernel.h") ==
          Component::Operation);
    CHECK(mapped(map, "tiny_dnn/activations/activation_function.h") == Component::Operation);
    // utility: tensors, util, serialization.
    CHECK(mapped(map, "tiny_dnn/util/util.h") == Component::Utility);
    CHECK(mapped(map, "tiny_dnn/core/framework/tensor.h") == Component::Utility);
    CHECK(mapped(map, "tiny_dnn/util/serialization_helper.h") == Component::Utility);
    // environment: AVX backend and kernels, threading, aligned memory.
    CHECK(mapped(map, "tiny_dnn/core/backend_avx.h") == Component::Environment);
    CHECK(mapped(map, "tiny_dnn/core/kernels/conv2d_op_avx.h") == Component::Environment);
    CHECK(mapped(map, "tiny_dnn/core/kernels/avx_kernel_common.h") == Component::Environment);
    CHECK(mapped(map, "tiny_dnn/util/parallel_for.h") == Component::Environment);
    CHECK(mapped(map, "tiny_dnn/util/aligned_allocator.h") == Component::Environment);
    // Third-party code and the harness's own sources are excluded.
    CHECK(map.classify("third_party/stb/stb_image.h").kind == Classification::Excluded);
    CHECK(map.classify("tiny_dnn/third_party/x.h").kind == Classification::Excluded);
    CHECK(map.classify("runners/tinydnn/runner.cpp").kind == Classification::Excluded);
    CHECK(map.classify("harness_main.cpp").kind == Classification::Excluded);
    // No catch-all: an unknown file is reported, not guessed.
    CHECK(map.classify("tiny_dnn/new_folder/new.h").kind == Classification::Unmapped);
}

TEST_CASE("tensorflow map follows the study", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("tensorflow"));
    CHECK(map.framework() == "tensorflow");
    CHECK(mapped(map, "tensorflow/core/common_runtime/executor.cc") == Component::Graph);
    CHECK(mapped(map, "tensorflow/core/grappler/optimizers/remapper.cc") == Component::Graph);
    CHECK(mapped(map, "tensorflow/core/ops/nn_ops.cc") == Component::Operation);
    CHECK(mapped(map, "tensorflow/core/kernels/conv_ops.cc") == Component::Operation);
    CHECK(mapped(map, "tensorflow/core/kernels/data/map_dataset_op.cc") == Component::Utility);
    CHECK(mapped(map, "tensorflow/core/kernels/control_flow_ops.cc") == Component::Graph);
    CHECK(mapped(map, "tensorflow/core/framework/tensor.cc") == Component::Utility);
    CHECK(mapped(map, "tensorflow/core/framework/op_kernel.cc") == Component::Operation);
    CHECK(mapped(map, "tensorflow/core/framework/function.cc") == Component::Graph);
    CHECK(mapped(map, "tensorflow/core/framework/allocator.cc") == Component::Environment);
    CHECK(mapped(map, "tensorflow/core/lib/io/record_reader.cc") == Component::Utility);
    CHECK(mapped(map, "tensorflow/stream_executor/stream.cc") == Component::Utility);
    CHECK(mapped(map, "tensorflow/core/platform/env.cc") == Component::Environment);
    CHECK(mapped(map, "tensorflow/core/common_runtime/gpu/gpu_device.cc") == Component::Environment);
    CHECK(mapped(map, "tensorflow/python/eager/pywrap_tfe_src.cc") == Component::Api);
    CHECK(mapped(map, "tensorflow/cc/ops/const_op.cc") == Component::Api);
    CHECK(map.classify("tensorflow/core/framework/op_kernel_test.cc").kind == Classification::Excluded);
    CHECK(map.classify("tensorflow/core/protobuf/config.pb.cc").kind == Classification::Excluded);
    CHECK(map.classify("third_party/eigen3/unsupported/Eigen/CXX11/Tensor").kind ==
          Classification::Excluded);
    CHECK(map.classify("external/com_google_absl/absl/strings/str_cat.cc").kind ==
          Classification::Excluded);
}

TEST_CASE("pytorch map follows the study", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("pytorch"));
    CHECK(map.framework() == "pytorch");
    CHECK(mapped(map, "aten/src/ATen/native/Convolution.cpp") == Component::Operation);
    CHECK(mapped(map, "aten/src/ATen/native/cuda/Loss.cu") == Component::Operation);
    CHECK(mapped(map, "aten/src/ATen/cpu/FlushDenormal.cpp") == Component::Environment);
    CHECK(mapped(map, "aten/src/ATen/cuda/CUDAContext.cpp") == Component::Environment);
    CHECK(mapped(map, "c10/cuda/CUDACachingAllocator.cpp") == Component::Environment);
    CHECK(mapped(map, "aten/src/TH/THAllocator.cpp") == Component::Utility);
    CHECK(mapped(map, "c10/core/TensorImpl.cpp") == Component::Utility);
    CHECK(mapped(map, "c10/util/Logging.cpp") == Component::Utility);
    CHECK(mapped(map, "torch/distributed/distributed_c10d.py") == Component::Graph);
    CHECK(mapped(map, "torch/quantization/quantize.py") == Component::Graph);
    CHECK(mapped(map, "torch/csrc/autograd/engine.cpp") == Component::Graph);
    CHECK(mapped(map, "torch/csrc/jit/passes/graph_fuser.cpp") == Component::Graph);
    CHECK(mapped(map, "torch/autograd/function.py") == Component::Api);
    CHECK(mapped(map, "torch/optim/sgd.py") == Component::Api);
    CHECK(mapped(map, "torch/fx/graph.py") == Component::Api);
    CHECK(mapped(map, "aten/src/ATen/ParallelOpenMP.cpp") == Component::Environment);
    CHECK(map.classify("aten/src/ATen/test/basic.cpp").kind == Classification::Excluded);
    CHECK(map.classify("third_party/sleef/src/libm/sleefsimddp.c").kind == Classification::Excluded);
}

TEST_CASE("mxnet map follows the study", "[component_map]") {
    ComponentMap map = ComponentMap::load(shipped_map("mxnet"));
    CHECK(map.framework() == "mxnet");
    CHECK(mapped(map, "src/operator/nn/convolution.cc") == Component::Operation);
    CHECK(mapped(map, "src/operator/tensor/elemwise_unary_op_basic.cc") == Component::Operation);
    CHECK(mapped(map, "src/operator/subgraph/build_subgraph.cc") == Component::Graph);
    CHECK(mapped(map, "src/storage/storage.cc") == Component::Environment);
    CHECK(mapped(map, "src/io/iter_image_recordio_2.cc") == Component::Environment);
    CHECK(mapped(map, "src/engine/threaded_engine.cc") == Component::Graph);
    CHECK(mapped(map, "src/imperative/imperative.cc") == Component::Graph);
    CHECK(mapped(map, "src/nnvm/gradient.cc") == Component::Graph);
    CHECK(mapped(map, "src/ndarray/ndarray.cc") == Component::Utility);
    CHECK(mapped(map, "src/kvstore/kvstore.cc") == Component::Utility);
    CHECK(mapped(map, "src/common/utils.cc") == Component::Utility);
    CHECK(mapped(map, "python/mxnet/gluon/block.py") == Component::Api);
    CHECK(mapped(map, "src/initialize.cc") == Component::Environment);
    CHECK(map.classify("3rdparty/mshadow/mshadow/tensor.h").kind == Classification::Excluded);
    CHECK(map.classify("tests/cpp/engine/threaded_engine_test.cc").kind == Classification::Excluded);
}
