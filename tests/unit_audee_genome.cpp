// The Audee-style search without tiny-dnn: shape rules, repair, genetic operators, inputs and
// fitness. (tinydnn_audee.cpp checks that valid genomes really build and run.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "fitness.h"
#include "genetic_operators.h"
#include "genome.h"
#include "model_input.h"

using namespace dlcov;
using namespace dlcov::audee;

namespace {

LayerGene layer(LayerKind kind, int window = 3, int units = 4) {
    LayerGene g;
    g.kind = kind;
    g.window_w = g.window_h = window;
    g.stride_w = g.stride_h = 1;
    g.units = units;
    return g;
}

Genome small_genome() {
    Genome g;
    g.input.shape = {2, 8, 8};
    g.layers = {layer(LayerKind::conv, 3, 4), layer(LayerKind::max_pool, 2), layer(LayerKind::fully_connected, 1, 5)};
    g.layers[1].stride_w = g.layers[1].stride_h = 2;
    return g;
}

}  // namespace

TEST_CASE("conv_out_length follows tiny-dnn's rule", "[audee]") {
    CHECK(conv_out_length(8, 3, 1, Padding::valid) == 6);
    CHECK(conv_out_length(8, 3, 2, Padding::valid) == 3);  // ceil(6 / 2)
    CHECK(conv_out_length(8, 3, 3, Padding::same) == 3);   // ceil(8 / 3)
    CHECK(conv_out_length(5, 5, 1, Padding::valid) == 1);
}

TEST_CASE("check_genome walks the shapes and counts parameters", "[audee]") {
    ShapeCheck c = check_genome(small_genome());
    REQUIRE(c.valid());
    REQUIRE(c.shapes.size() == 4);
    CHECK(c.shapes[1] == Shape{4, 6, 6});
    CHECK(c.shapes[2] == Shape{4, 3, 3});
    CHECK(c.shapes[3] == Shape{1, 1, 5});
    CHECK(c.parameters == (3 * 3 * 2 * 4 + 4) + (4 * 3 * 3 * 5 + 5));
}

TEST_CASE("check_genome names what tiny-dnn would refuse", "[audee]") {
    Genome g = small_genome();
    g.input.shape = {2, 5, 5};
    g.layers[0].window_w = 7;  // wider than the 5-pixel input, valid padding
    CHECK_THAT(*check_genome(g).error, Catch::Contains("window larger than its input"));
    g.layers[0].window_w = 9;
    CHECK_THAT(*check_genome(g).error, Catch::Contains("window outside"));

    g = small_genome();
    g.layers[1].kind = LayerKind::average_pool;
    g.layers[1].window_w = g.layers[1].window_h = 4;  // 6 is not a multiple of 4
    CHECK_THAT(*check_genome(g).error, Catch::Contains("multiple of the pooling window"));

    g = small_genome();
    g.layers.pop_back();  // no head
    CHECK_THAT(*check_genome(g).error, Catch::Contains("head"));
}

TEST_CASE("repair makes broken genomes valid and says what it fixed", "[audee]") {
    Genome g = small_genome();
    g.layers[0].window_w = 9;
    g.layers[1].kind = LayerKind::average_pool;
    g.layers[1].window_w = g.layers[1].window_h = 4;
    g.layers.pop_back();
    std::vector<std::string> fixes = repair(g);
    INFO(check_genome(g).error.value_or(""));
    CHECK(check_genome(g).valid());
    std::set<std::string> fixed(fixes.begin(), fixes.end());
    CHECK(fixed.count("clamp-window"));
    CHECK(fixed.count("divisor-window"));
    CHECK(fixed.count("append-head"));
    CHECK(g.layers[0].window_w == 7);  // the largest window
    CHECK(g.layers[1].window_w == 2);  // the conv's output is 2 wide ...
    CHECK(g.layers[1].window_h == 3);  // ... and 6 high: 4 is no divisor, 3 is
    CHECK(repair(g).empty());          // a valid genome needs nothing
}

TEST_CASE("repair shrinks layers that would exceed the parameter limit", "[audee]") {
    Genome g;
    g.input.shape = {4, 32, 32};
    g.layers = {layer(LayerKind::fully_connected, 1, 256), layer(LayerKind::fully_connected, 1, 10)};
    CHECK_FALSE(check_genome(g).valid());
    std::vector<std::string> fixes = repair(g);
    CHECK(check_genome(g).valid());
    CHECK(std::find(fixes.begin(), fixes.end(), "shrink-layer") != fixes.end());
    CHECK(check_genome(g).parameters <= GenomeLimits::kMaxParameters);
}

TEST_CASE("random genomes, mutants and children are valid", "[audee]") {
    Rng rng(7);
    std::vector<Genome> pool;
    for (int i = 0; i < 50; ++i) pool.push_back(random_genome(rng));
    std::set<std::string> operators, kinds;
    for (int round = 0; round < 2000; ++round) {
        const Genome& a = pool[size_t(rng.integer(0, int(pool.size()) - 1))];
        const Genome& b = pool[size_t(rng.integer(0, int(pool.size()) - 1))];
        std::string how;
        Genome child = crossover(a, b, rng, how);
        operators.insert(how.substr(0, how.find('(')));
        operators.insert(mutate(child, rng));
        ShapeCheck c = check_genome(child);
        INFO(c.error.value_or("") << " in " << to_json(child).dump());
        REQUIRE(c.valid());
        for (const auto& l : child.layers) kinds.insert(to_string(l.kind));
        pool[size_t(rng.integer(0, int(pool.size()) - 1))] = child;
    }
    // The search reaches every layer kind and both kinds of crossover.
    CHECK(kinds.size() == all_layer_kinds().size());
    CHECK(operators.count("splice"));
    CHECK(operators.count("mix"));
    CHECK(operators.count("window"));
    CHECK(operators.count("activation"));
    CHECK(operators.count("input-special"));
}

TEST_CASE("crossover splices the first parent's layers with the second's", "[audee]") {
    Genome a = small_genome(), b = small_genome();
    b.layers = {layer(LayerKind::power), layer(LayerKind::lrn), layer(LayerKind::fully_connected, 1, 3)};
    Rng rng(1);
    bool spliced = false;
    for (int i = 0; i < 50 && !spliced; ++i) {
        std::string how;
        Genome child = crossover(a, b, rng, how);
        if (how.rfind("splice", 0) != 0) continue;
        spliced = true;
        // The head always comes from b; the layers before it start with a prefix of a's.
        CHECK(child.layers.back().units == 3);
        CHECK(child.input == a.input);
    }
    CHECK(spliced);
}

TEST_CASE("the same seed gives the same genomes", "[audee]") {
    Rng x(42), y(42), z(43);
    Genome gx = random_genome(x), gy = random_genome(y), gz = random_genome(z);
    CHECK(gx == gy);
    CHECK(to_json(gx) == to_json(gy));
    CHECK_FALSE(gx == gz);
    CHECK(mutate(gx, x) == mutate(gy, y));
    CHECK(gx == gy);
}

TEST_CASE("genomes round-trip through JSON", "[audee]") {
    Rng rng(3);
    for (int i = 0; i < 20; ++i) {
        Genome g = random_genome(rng);
        CHECK(genome_from_json(to_json(g)) == g);
    }
    CHECK_THROWS_AS(genome_from_json(nlohmann::json{{"input", 1}}), std::invalid_argument);
}

TEST_CASE("tournament prefers the fitter entry", "[audee]") {
    Rng rng(5);
    std::vector<double> fitness = {0.1, 0.9, 0.2, 0.3};
    int best = 0;
    for (int i = 0; i < 400; ++i) best += tournament(fitness, 3, rng) == 1;
    CHECK(best > 400 * 0.5);  // chosen unless none of 3 draws hits it: 1 - (3/4)^3 = 58%
    CHECK(tournament({0.5}, 2, rng) == 0);
}

TEST_CASE("make_input writes the executor's format with the special values asked for", "[audee]") {
    InputGenes in;
    in.shape = {2, 3, 4};
    in.samples = 3;
    in.scale = 2;
    in.offset = 10;
    nlohmann::json j = make_input(in, 2);
    CHECK(j["shape"] == nlohmann::json({2, 3, 4}));
    REQUIRE(j["samples"].size() == 3);
    CHECK(j["labels"] == nlohmann::json({0, 1, 0}));
    for (const auto& sample : j["samples"]) {
        REQUIRE(sample.size() == 24);
        for (double v : sample) CHECK((v >= 8 && v <= 12));
    }
    CHECK(make_input(in, 2) == j);  // deterministic in the seed

    in.special = SpecialValue::infinity;
    in.special_fraction = 1;
    nlohmann::json salted = make_input(in, 2);
    for (double v : salted["samples"][0]) CHECK(v > std::numeric_limits<float>::max());
}

TEST_CASE("fitness adds D_MAD and closeness to overflow", "[audee]") {
    CHECK(closeness_to_overflow(0) == 0);
    CHECK(closeness_to_overflow(std::numeric_limits<float>::max()) == Approx(1));
    CHECK(closeness_to_overflow(std::numeric_limits<double>::infinity()) == 1);
    CHECK(closeness_to_overflow(std::nan("")) == 1);
    CHECK(closeness_to_overflow(1e6) > closeness_to_overflow(1e3));

    ModelOutput same{{{0.7, 0.3}}, {0}};
    ModelOutput other{{{0.9, 0.1}}, {0}};  // delta 0.1 vs 0.3: D_MAD = 0.2 / 0.4
    Evaluation e = evaluate({same, same});
    CHECK(e.complete);
    CHECK(e.d_mad == 0);
    CHECK(e.fitness == Approx(closeness_to_overflow(0.7)));
    e = evaluate({same, other});
    CHECK(e.d_mad == Approx(0.5));
    CHECK(e.fitness == Approx(0.5 + closeness_to_overflow(0.9)));

    ModelOutput nan{{{std::nan(""), 0.3}}, {0}};
    e = evaluate({same, nan});
    CHECK(e.closeness == 1);
    CHECK(e.d_mad == 1);  // NaN on one backend only: the largest inconsistency
    REQUIRE(e.pairs.size() == 1);
    CHECK(e.pairs[0].nan_on_one_side());
    e = evaluate({nan, nan});
    CHECK(e.d_mad == 0);  // NaN on both: nothing to compare
    CHECK(e.closeness == 1);
    CHECK(e.fitness == 1);
    CHECK(has_non_finite(nan));
    CHECK_FALSE(has_non_finite(same));
    e = evaluate({same, std::nullopt});
    CHECK_FALSE(e.complete);
    CHECK(e.pairs.empty());
}
