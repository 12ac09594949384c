// The LEMON-style generator's parts that need no tiny-dnn: the model file form, shapes, the
// neuron view, operator preconditions, MCMC operator choice, roulette, names and options.
#include "lemon_options.h"
#include "lemon_tree.h"
#include "mcmc.h"
#include "mutation.h"
#include "neurons.h"
#include "roulette.h"
#include "tiny_model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

using namespace dlcov::lemon;

namespace {

// A small sequential model in tiny-dnn's saved form: conv 4x4x2 -> 3 channels (same padding),
// linear<relu>, fully_connected 48 -> 5 <tan_h>, dropout, fully_connected 5 -> 2 <softmax>.
std::string small_model() {
    ModelJson nodes = ModelJson::array();
    nodes.push_back({{"type", "conv<relu>"},
                     {"in_size", {{"width", 4}, {"height", 4}, {"depth", 2}}},
                     {"window_width", 3},
                     {"window_height", 3},
                     {"out_channels", 3},
                     {"connection_table", {{"rows", 0}, {"cols", 0}, {"connection", "all"}}},
                     {"pad_type", 1},
                     {"has_bias", true},
                     {"w_stride", 1},
                     {"h_stride", 1}});
    nodes.push_back({{"type", "linear<relu>"}, {"in_size", 48}, {"scale", 1.0f}, {"bias", 0.0f}});
    nodes.push_back({{"type", "fully_connected<tan_h>"}, {"in_size", 48}, {"out_size", 5}, {"has_bias", true}});
    nodes.push_back({{"type", "dropout"}, {"in_size", 5}, {"dropout_rate", 0.5f}, {"phase", 1}});
    nodes.push_back({{"type", "fully_connected<softmax>"}, {"in_size", 5}, {"out_size", 2}, {"has_bias", true}});
    auto ramp = [](size_t n) {
        ModelJson v = ModelJson::array();
        for (size_t i = 0; i < n; ++i) v.push_back(float(i + 1) / 16.0f);
        return v;
    };
    ModelJson doc = {{"nodes", nodes}};
    doc["value0"] = {{"value0", ramp(3 * 2 * 9)}, {"value1", ramp(3)}};
    doc["value1"] = ModelJson::object();
    doc["value2"] = {{"value0", ramp(48 * 5)}, {"value1", ramp(5)}};
    doc["value3"] = ModelJson::object();
    doc["value4"] = {{"value0", ramp(10)}, {"value1", ramp(2)}};
    return doc.dump();
}

std::string graph_model() {
    ModelJson doc = ModelJson::parse(small_model());
    ModelJson out = ModelJson::object();
    out["nodes"] = doc["nodes"];
    out["graph"] = {{"connections", ModelJson::array()}, {"in_nodes", {0}}, {"out_nodes", {4}}};
    for (int i = 0; i < 5; ++i) out["value" + std::to_string(i)] = doc["value" + std::to_string(i)];
    return out.dump();
}

}  // namespace

TEST_CASE("lemon: a tiny-dnn JSON model round-trips with its weight entries in order", "[lemon]") {
    TinyModel m = TinyModel::parse(small_model());
    REQUIRE(m.layers.size() == 5);
    CHECK_FALSE(m.is_graph());
    CHECK(m.output_layer() == 4);
    CHECK(m.layers[0].kind() == "conv");
    CHECK(m.layers[0].activation() == "relu");
    CHECK(m.layers[3].kind() == "dropout");
    CHECK_FALSE(m.layers[3].has_activation());
    CHECK(m.dump() == small_model());

    TinyModel g = TinyModel::parse(graph_model());
    CHECK(g.is_graph());
    std::string dumped = g.dump();
    CHECK(dumped.find("\"graph\"") < dumped.find("\"value0\""));  // cereal reads weights by position

    CHECK_THROWS_WITH(TinyModel::parse("{\"nodes\": [{\"type\": \"dropout\"}]}"), Catch::Contains("1 nodes but 0 weight"));
    CHECK_THROWS_WITH(TinyModel::parse("[1, 2]"), Catch::Contains("no \"nodes\""));
    CHECK_THROWS_WITH(TinyModel::parse("{"), Catch::Contains("not JSON"));
}

TEST_CASE("lemon: shapes follow tiny-dnn's rules and find layers that keep them", "[lemon]") {
    TinyModel m = TinyModel::parse(small_model());
    std::vector<Shape> shapes = position_shapes(m);
    REQUIRE(shapes.size() == 6);
    CHECK(shapes[0] == Shape{4, 4, 2});
    CHECK(shapes[1] == Shape{4, 4, 3});  // same padding keeps 4x4
    CHECK(shapes[2] == Shape{4, 4, 3});  // linear keeps the spatial form
    CHECK(shapes[3] == Shape{5, 1, 1});
    CHECK(shapes[5] == Shape{2, 1, 1});
    CHECK(shape_error(m).empty());
    CHECK_FALSE(preserves_shape(m.layers[0], shapes[0]));  // 2 -> 3 channels
    CHECK(preserves_shape(m.layers[1], shapes[1]));
    CHECK(preserves_shape(m.layers[3], shapes[3]));

    auto has_softmax = [](const std::vector<std::string>& names) {
        return std::find(names.begin(), names.end(), "softmax") != names.end();
    };
    CHECK(has_softmax(affordable_activations(4096)));
    CHECK_FALSE(has_softmax(affordable_activations(4097)));  // quadratic in tiny-dnn

    m.layers[2].node["in_size"] = 47;
    CHECK_THAT(shape_error(m), Catch::Contains("layer 2"));
}

TEST_CASE("lemon: the neuron view indexes tiny-dnn's weight layouts by output neuron", "[lemon]") {
    TinyModel m = TinyModel::parse(small_model());
    auto conv = neuron_layout(m.layers[0]);
    REQUIRE(conv);
    CHECK(conv->neurons == 3);
    CHECK(conv->incoming(1).front() == 18);  // channel 1 owns weights [18, 36): 2 input channels x 3x3
    CHECK(conv->incoming(1).back() == 35);
    auto dense = neuron_layout(m.layers[2]);
    REQUIRE(dense);
    CHECK(dense->neurons == 5);
    CHECK(dense->incoming(2) == std::vector<size_t>{2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57, 62, 67, 72, 77, 82,
                                                    87, 92, 97, 102, 107, 112, 117, 122, 127, 132, 137, 142, 147,
                                                    152, 157, 162, 167, 172, 177, 182, 187, 192, 197, 202, 207,
                                                    212, 217, 222, 227, 232, 237});
    CHECK_FALSE(neuron_layout(m.layers[1]));
    m.layers[2].tensor(0).erase(0);  // a tensor of the wrong size is not trusted
    CHECK_FALSE(neuron_layout(m.layers[2]));
}

TEST_CASE("lemon: every operator applies to a small sequential model and keeps shapes consistent", "[lemon]") {
    TinyModel m = TinyModel::parse(small_model());
    REQUIRE(operator_names().size() == 12);
    for (const auto& op : operator_names()) {
        for (unsigned seed = 1; seed <= 20; ++seed) {
            RandomSource random(seed);
            Mutation mutation = apply_operator(op, m, random);
            INFO(op << " seed " << seed << ": " << mutation.description);
            if (op == "LS") {  // linear (4x4x3) and dropout (5) never share a shape
                CHECK_FALSE(mutation.applied());
                continue;
            }
            REQUIRE(mutation.applied());
            CHECK(shape_error(*mutation.model).empty());
            CHECK(mutation.model->dump() != m.dump());
            // The output layer is never touched by a weight or activation operator.
            if (op != "LA" && op != "LC" && op != "LR" && op != "MLA")
                CHECK(mutation.model->layers.back().node == m.layers.back().node);
            CHECK(mutation.model->layers.back().weights == m.layers.back().weights);
        }
    }
    CHECK_THROWS_AS([&] { RandomSource r(1); apply_operator("XX", m, r); }(), std::invalid_argument);
}

TEST_CASE("lemon: layer operators refuse graph models with a reason, the others mutate them", "[lemon]") {
    TinyModel g = TinyModel::parse(graph_model());
    for (const auto& op : operator_names()) {
        RandomSource random(3);
        Mutation mutation = apply_operator(op, g, random);
        INFO(op << ": " << mutation.description);
        bool layer_op = op == "LA" || op == "LC" || op == "LR" || op == "LS" || op == "MLA";
        CHECK(mutation.applied() == !layer_op);
        if (layer_op) CHECK_THAT(mutation.description, Catch::Contains("graph model"));
        else CHECK(mutation.model->graph == g.graph);
    }
}

TEST_CASE("lemon: MCMC prefers operators ranked above the last one, as in LEMON", "[lemon]") {
    OperatorChain chain({"A", "B", "C", "D"});
    for (int i = 0; i < 4; ++i) chain.record("C", true);
    chain.record("B", true);
    chain.record("B", false);
    chain.record("D", false);
    CHECK(chain.score("C") == 1.0);
    CHECK(chain.score("B") == 0.5);
    CHECK(chain.score("A") == 0.0);
    CHECK(chain.ranking() == std::vector<std::string>{"C", "B", "A", "D"});

    RandomSource random(11);
    std::map<std::string, int> after_best, after_worst;
    for (int i = 0; i < 4000; ++i) {
        ++after_best[chain.choose(std::string("C"), random)];
        ++after_worst[chain.choose(std::string("D"), random)];
    }
    // After the best operator, rank k is accepted with (1 - 1/4)^k: 1, 0.75, 0.56, 0.42.
    CHECK(after_best["C"] > after_best["B"]);
    CHECK(after_best["B"] > after_best["A"]);
    CHECK(after_best["A"] > after_best["D"]);
    CHECK(double(after_best["D"]) / after_best["C"] == Approx(0.42).margin(0.06));
    // After the worst, every proposal ranks above it and is accepted: uniform.
    for (const auto& op : {"A", "B", "C", "D"}) CHECK(after_worst[op] == Approx(1000).margin(120));
    CHECK_THROWS_AS(chain.record("E", true), std::invalid_argument);
}

TEST_CASE("lemon: roulette leans on D_MAD, spreads by selection count and never starves a model", "[lemon]") {
    Roulette roulette(0.1);
    roulette.add({"high", "", "", 3e-7, 0});
    roulette.add({"low", "", "", 1e-7, 0});
    roulette.add({"zero", "", "", 0, 0});
    auto w = roulette.weights();
    REQUIRE(w.size() == 3);
    CHECK(w[0] / w[1] == Approx((3e-7 + 0.1 * 4e-7 / 3) / (1e-7 + 0.1 * 4e-7 / 3)));
    CHECK(w[2] > 0);

    RandomSource random(5);
    std::map<std::string, int> picks;
    for (int i = 0; i < 3000; ++i) ++picks[roulette.choose(random).name];
    CHECK(picks["high"] > picks["low"]);
    CHECK(picks["low"] > picks["zero"]);
    CHECK(picks["zero"] > 0);
    unsigned selected = 0;
    for (const auto& m : roulette.models()) selected += m.selected;
    CHECK(selected == 3000);

    Roulette flat;
    flat.add({"a", "", "", 0, 0});
    flat.add({"b", "", "", 0, 4});
    CHECK(flat.weights() == std::vector<double>{1.0, 0.2});  // all D_MAD 0: LEMON's 1 / (selected + 1)
}

TEST_CASE("lemon: mutant names follow LEMON's and stay short and safe", "[lemon]") {
    CHECK(mutant_name("lenet5_origin0", "LA", 1) == "lenet5_origin0-LA1");
    CHECK(mutant_name("lenet5_origin0-LA1", "WS", 3) == "lenet5_origin0-LA1-WS3");
    std::string name = "vgg_like_origin0";
    for (size_t i = 1; i <= 60; ++i) name = mutant_name(name, "ARep", i);
    CHECK(name.size() <= 162);
    CHECK(name.rfind("vgg_like_origin0~-", 0) == 0);
    CHECK(name.size() >= 7);
    CHECK(name.substr(name.size() - 7) == "-ARep60");
    CHECK(safe_name("../../etc/passwd") == ".._.._etc_passwd");
    CHECK(safe_name("..") == "seed");
    CHECK(mutant_name(std::string(300, 'x'), "LA", 2).size() <= 162);
}

TEST_CASE("lemon: options are checked and name what is wrong", "[lemon]") {
    LemonOptions defaults = parse_lemon_options(nlohmann::json::object());
    CHECK(defaults.operators.size() == 12);
    CHECK(defaults.threshold == 0.4);
    CHECK(defaults.max_mutants == 100);
    LemonOptions some = parse_lemon_options({{"operators", {"LA", "WS"}}, {"max_mutants", 7}, {"backends", {"avx"}}});
    CHECK(some.operators == std::vector<std::string>{"LA", "WS"});
    CHECK(some.max_mutants == 7);
    CHECK_THROWS_WITH(parse_lemon_options({{"operators", {"LA", "XX"}}}), Catch::Contains("XX"));
    CHECK_THROWS_WITH(parse_lemon_options({{"max_mutants", "many"}}), Catch::Contains("max_mutants"));
    CHECK_THROWS_WITH(parse_lemon_options({{"backends", {"gpu"}}}), Catch::Contains("gpu"));
    CHECK_THROWS_WITH(parse_lemon_options({{"mutate_ratio", 0}}), Catch::Contains("mutate_ratio"));
}
