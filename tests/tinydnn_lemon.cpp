// The LEMON-style generator (runners/lemon/) on the real instrumented tiny-dnn: each of the
// twelve operators applied to a real seed model, the mutant loaded and run by the executor on
// both backends and checked to differ from its parent the way the operator says; then a short
// live run that writes LEMON's output tree and covers lines a CRADLE run of the same seeds does not.
#include "profile_reading.h"
#include "test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov::test;
// Weights as floats, as tiny-dnn holds them: the seeds are written with double digits, mutants
// with float digits, and both must compare equal where the operator left them alone.
using json = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

namespace {

std::string program(const std::string& name) { return (fs::path(DLCOV_EXE).parent_path() / name).string(); }
std::string executor() { return tinydnn_build_dir() + "/bin/dlcov-tinydnn-exec"; }

const std::string& seeds_dir() {
    static const std::string dir = [] {
        std::string d = scratch_dir("lemon-seeds");
        CommandResult r = run_command(shell_quote(program("dlcov-tinydnn-seeds")) + " --out " + shell_quote(d));
        if (r.exit_code != 0) throw std::runtime_error("dlcov-tinydnn-seeds failed:\n" + r.output);
        return d;
    }();
    return dir;
}

std::string seed_model(const std::string& name) { return seeds_dir() + "/" + name + ".model.json"; }
std::string seed_input(const std::string& name) { return seeds_dir() + "/" + name + ".input.json"; }

// dlcov-lemon --apply: exit 0 applied, 1 not applicable.
CommandResult apply(const std::string& op, const std::string& model, const std::string& out, unsigned seed = 1) {
    return run_command(shell_quote(program("dlcov-lemon")) + " --apply " + op + " --model " + shell_quote(model) +
                       " --out " + shell_quote(out) + " --seed " + std::to_string(seed));
}

// The executor's exit code for `model` on `backend`; its profile stays out of the way.
int execute(const std::string& model, const std::string& input, const std::string& backend, const std::string& work) {
    CommandResult r = run_command("LLVM_PROFILE_FILE=" + shell_quote(work + "/profiles/%p.profraw") + " " +
                                  shell_quote(executor()) + " --model " + shell_quote(model) + " --input " +
                                  shell_quote(input) + " --output " + shell_quote(work + "/out.json") +
                                  " --backend " + backend);
    INFO(r.output);
    return r.exit_code;
}

struct Mutated {
    json parent, mutant;
    std::string output;  // the operator's description
};

// Applies `op` to seed `seed`, checks that tiny-dnn loads and runs the mutant on both backends
// (exit 0, or 3 for NaN in the output) and returns both models.
Mutated mutate_and_run(const std::string& op, const std::string& seed, unsigned random_seed = 1) {
    std::string work = scratch_dir("lemon-op-" + op + "-" + seed);
    std::string out = work + "/mutant.json";
    CommandResult r = apply(op, seed_model(seed), out, random_seed);
    INFO(op << " on " << seed << ": " << r.output);
    REQUIRE(r.exit_code == 0);
    for (std::string backend : {"internal", "avx"}) {
        int code = execute(out, seed_input(seed), backend, work);
        INFO(backend);
        CHECK((code == 0 || code == 3));
    }
    return {json::parse(read_file(seed_model(seed))), json::parse(read_file(out)), r.output};
}

const json& weights(const json& model, size_t layer) { return model.at("value" + std::to_string(layer)); }

// Layers whose node or weights differ; requires equal layer counts.
std::vector<size_t> changed_layers(const Mutated& m) {
    REQUIRE(m.mutant["nodes"].size() == m.parent["nodes"].size());
    std::vector<size_t> changed;
    for (size_t i = 0; i < m.parent["nodes"].size(); ++i)
        if (m.parent["nodes"][i] != m.mutant["nodes"][i] || weights(m.parent, i) != weights(m.mutant, i))
            changed.push_back(i);
    return changed;
}

std::vector<float> values(const json& array) { return array.get<std::vector<float>>(); }

// The model's layers as (node, weights) pairs, to compare structures.
std::vector<json> layers_of(const json& model) {
    std::vector<json> layers;
    for (size_t i = 0; i < model["nodes"].size(); ++i) layers.push_back({model["nodes"][i], weights(model, i)});
    return layers;
}

std::string activation_of(const json& node) {
    std::string type = node["type"];
    size_t open = type.find('<');
    return open == std::string::npos ? "" : type.substr(open + 1, type.size() - open - 2);
}

}  // namespace

TEST_CASE("LEMON WS shuffles incoming weights within one layer: same multiset, new order", "[lemon]") {
    Mutated m = mutate_and_run("WS", "lenet5_32");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    size_t l = changed[0];
    CHECK(m.parent["nodes"][l] == m.mutant["nodes"][l]);
    auto before = values(weights(m.parent, l)["value0"]), after = values(weights(m.mutant, l)["value0"]);
    CHECK(before != after);
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    CHECK(before == after);
    CHECK(weights(m.parent, l)["value1"] == weights(m.mutant, l)["value1"]);  // biases stay
}

TEST_CASE("LEMON GF adds Gaussian noise to part of one layer's weights", "[lemon]") {
    Mutated m = mutate_and_run("GF", "lenet5_28");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    auto before = values(weights(m.parent, changed[0])["value0"]), after = values(weights(m.mutant, changed[0])["value0"]);
    REQUIRE(before.size() == after.size());
    size_t differing = 0;
    for (size_t i = 0; i < before.size(); ++i) differing += before[i] != after[i];
    CHECK(differing > 0);
    CHECK(differing <= before.size() * 3 / 10 + 1);  // the mutation ratio, 0.3
}

TEST_CASE("LEMON NEB zeroes whole neurons of one layer", "[lemon]") {
    Mutated m = mutate_and_run("NEB", "mlp");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    size_t l = changed[0];
    size_t in = m.parent["nodes"][l]["in_size"], out = m.parent["nodes"][l]["out_size"];
    auto after = values(weights(m.mutant, l)["value0"]), bias = values(weights(m.mutant, l)["value1"]);
    auto before = values(weights(m.parent, l)["value0"]);
    size_t blocked = 0;
    for (size_t o = 0; o < out; ++o) {
        bool zero = bias[o] == 0;
        for (size_t i = 0; i < in; ++i) zero = zero && after[i * out + o] == 0;  // fully_connected: W[i * out + o]
        blocked += zero;
    }
    CHECK(blocked >= 1);
    for (size_t k = 0; k < before.size(); ++k)
        if (before[k] != after[k]) CHECK(after[k] == 0);
}

TEST_CASE("LEMON NAI negates the incoming weights and bias of neurons", "[lemon]") {
    Mutated m = mutate_and_run("NAI", "mlp");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    size_t l = changed[0];
    for (std::string t : {"value0", "value1"}) {
        auto before = values(weights(m.parent, l)[t]), after = values(weights(m.mutant, l)[t]);
        for (size_t k = 0; k < before.size(); ++k) CHECK((after[k] == before[k] || after[k] == -before[k]));
    }
    auto before = values(weights(m.parent, l)["value1"]), after = values(weights(m.mutant, l)["value1"]);
    size_t out = m.parent["nodes"][l]["out_size"], inverted = 0;
    for (size_t o = 0; o < out; ++o) inverted += before[o] != 0 && after[o] == -before[o];
    CHECK(inverted >= 1);
}

TEST_CASE("LEMON NS switches two neurons of one layer", "[lemon]") {
    Mutated m = mutate_and_run("NS", "mlp");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    size_t l = changed[0];
    size_t in = m.parent["nodes"][l]["in_size"], out = m.parent["nodes"][l]["out_size"];
    auto wb = values(weights(m.parent, l)["value0"]), wa = values(weights(m.mutant, l)["value0"]);
    auto bb = values(weights(m.parent, l)["value1"]), ba = values(weights(m.mutant, l)["value1"]);
    std::vector<size_t> moved;
    for (size_t o = 0; o < out; ++o) {
        bool same = bb[o] == ba[o];
        for (size_t i = 0; i < in; ++i) same = same && wb[i * out + o] == wa[i * out + o];
        if (!same) moved.push_back(o);
    }
    REQUIRE(moved.size() == 2);
    size_t a = moved[0], b = moved[1];
    CHECK(ba[a] == bb[b]);
    CHECK(ba[b] == bb[a]);
    for (size_t i = 0; i < in; ++i) {
        CHECK(wa[i * out + a] == wb[i * out + b]);
        CHECK(wa[i * out + b] == wb[i * out + a]);
    }
}

TEST_CASE("LEMON ARem sets one layer's activation to identity", "[lemon]") {
    Mutated m = mutate_and_run("ARem", "lenet5_28");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    size_t l = changed[0];
    CHECK(activation_of(m.parent["nodes"][l]) != "identity");
    CHECK(activation_of(m.mutant["nodes"][l]) == "identity");
    CHECK(weights(m.parent, l) == weights(m.mutant, l));
    CHECK(l + 1 < m.parent["nodes"].size());  // never the output layer
}

TEST_CASE("LEMON ARep replaces one layer's activation with another", "[lemon]") {
    Mutated m = mutate_and_run("ARep", "mlp");
    auto changed = changed_layers(m);
    REQUIRE(changed.size() == 1);
    size_t l = changed[0];
    std::string before = activation_of(m.parent["nodes"][l]), after = activation_of(m.mutant["nodes"][l]);
    CHECK(before != after);
    CHECK(after != "identity");
    CHECK(weights(m.parent, l) == weights(m.mutant, l));
}

TEST_CASE("LEMON LA inserts one shape-keeping layer", "[lemon]") {
    // Several random seeds, so that different kinds of added layers are loaded by tiny-dnn.
    std::set<std::string> added_types;
    for (unsigned s : {1u, 2u, 3u, 4u}) {
        Mutated m = mutate_and_run("LA", "lenet5_28", s);
        auto before = layers_of(m.parent), after = layers_of(m.mutant);
        REQUIRE(after.size() == before.size() + 1);
        size_t k = 0;
        while (k < before.size() && before[k] == after[k]) ++k;
        CHECK(k < before.size());  // not after the output layer
        added_types.insert(after[k][0]["type"].get<std::string>());
        after.erase(after.begin() + long(k));
        CHECK(after == before);
    }
    CHECK(added_types.size() >= 2);
}

TEST_CASE("LEMON LC copies a shape-keeping layer after itself", "[lemon]") {
    Mutated m = mutate_and_run("LC", "bn_dropout");
    auto before = layers_of(m.parent), after = layers_of(m.mutant);
    REQUIRE(after.size() == before.size() + 1);
    size_t k = 0;
    while (k < before.size() && before[k] == after[k]) ++k;
    REQUIRE(k > 0);
    CHECK(after[k] == after[k - 1]);  // the copy sits right after its original
    after.erase(after.begin() + long(k));
    CHECK(after == before);
}

TEST_CASE("LEMON LR removes one shape-keeping layer", "[lemon]") {
    Mutated m = mutate_and_run("LR", "bn_dropout");
    auto before = layers_of(m.parent), after = layers_of(m.mutant);
    REQUIRE(after.size() + 1 == before.size());
    size_t k = 0;
    while (k < after.size() && before[k] == after[k]) ++k;
    std::string removed = before[k][0]["type"];
    CHECK((removed == "batchnorm" || removed.rfind("linear<", 0) == 0 || removed == "dropout"));
    before.erase(before.begin() + long(k));
    CHECK(after == before);
}

TEST_CASE("LEMON LS switches two layers of the same shape", "[lemon]") {
    Mutated m = mutate_and_run("LS", "bn_dropout");
    auto before = layers_of(m.parent), after = layers_of(m.mutant);
    REQUIRE(after.size() == before.size());
    std::vector<size_t> moved;
    for (size_t i = 0; i < before.size(); ++i)
        if (before[i] != after[i]) moved.push_back(i);
    REQUIRE(moved.size() == 2);
    CHECK(after[moved[0]] == before[moved[1]]);
    CHECK(after[moved[1]] == before[moved[0]]);
}

TEST_CASE("LEMON MLA inserts a block that changes the inner shape and restores it", "[lemon]") {
    // A flat block on mlp and a convolutional one on lenet5_28 (random seed 5: a small tan_h block;
    // a softmax convolution on 28x28 inputs takes seconds, tiny-dnn's softmax being quadratic).
    std::set<std::string> kinds;
    for (auto [seed, random_seed] : std::vector<std::pair<std::string, unsigned>>{{"mlp", 1}, {"lenet5_28", 5}}) {
        Mutated m = mutate_and_run("MLA", seed, random_seed);
        auto before = layers_of(m.parent), after = layers_of(m.mutant);
        REQUIRE(after.size() == before.size() + 2);
        size_t k = 0;
        while (k < before.size() && before[k] == after[k]) ++k;
        json first = after[k][0], second = after[k + 1][0];
        INFO(first.dump() << "\n" << second.dump());
        std::string kind = first["type"].get<std::string>().substr(0, first["type"].get<std::string>().find('<'));
        CHECK(second["type"].get<std::string>().rfind(kind, 0) == 0);
        if (kind == "fully_connected") {
            CHECK(first["out_size"] == second["in_size"]);
            CHECK(first["in_size"] == second["out_size"]);
            CHECK(first["in_size"] != first["out_size"]);
        } else {
            REQUIRE(kind == "conv");
            CHECK(first["out_channels"] == second["in_size"]["depth"]);
            CHECK(first["in_size"]["depth"] == second["out_channels"]);
            CHECK(first["in_size"] == json({{"width", second["in_size"]["width"]}, {"height", second["in_size"]["height"]},
                                             {"depth", first["in_size"]["depth"]}}));
        }
        kinds.insert(kind);
        after.erase(after.begin() + long(k), after.begin() + long(k) + 2);
        CHECK(after == before);
    }
    CHECK(kinds == std::set<std::string>{"conv", "fully_connected"});
}

TEST_CASE("LEMON weight and activation operators also mutate graph models; layer operators give a reason", "[lemon]") {
    for (std::string op : {"WS", "GF", "NEB", "NAI", "NS", "ARem", "ARep"}) {
        Mutated m = mutate_and_run(op, "resnet_block");
        CHECK(m.mutant["graph"] == m.parent["graph"]);
        CHECK(changed_layers(m).size() == 1);
    }
    std::string work = scratch_dir("lemon-graph-reasons");
    for (std::string op : {"LA", "LC", "LR", "LS", "MLA"}) {
        CommandResult r = apply(op, seed_model("inception_like"), work + "/m.json");
        INFO(op << ": " << r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Catch::Contains("not applicable: graph model"));
        CHECK_FALSE(fs::exists(work + "/m.json"));
    }
    // A sequential model without shape-keeping layers: LC, LR and LS say why not.
    for (std::string op : {"LC", "LR", "LS"}) {
        CommandResult r = apply(op, seed_model("lenet5_32"), work + "/m.json");
        INFO(op << ": " << r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Catch::Contains("not applicable: no"));
    }
}

namespace {

struct LiveRun {
    std::string dir;
    CommandResult result;
};

// Runs a generator (dlcov-lemon or dlcov-cradle) on the seeds with the contract's arguments.
LiveRun live_run(const std::string& generator, const std::string& name, const std::string& options, double budget,
                 unsigned seed = 1) {
    LiveRun run{scratch_dir(name), {}};
    write_file(run.dir + "/options.json", options);
    run.result = run_command(shell_quote(program(generator)) + " --executor " + shell_quote(executor()) + " --seeds " +
                             shell_quote(seeds_dir()) + " --work " + shell_quote(run.dir + "/work") + " --profiles " +
                             shell_quote(run.dir + "/profiles") + " --events " + shell_quote(run.dir + "/events.jsonl") +
                             " --options " + shell_quote(run.dir + "/options.json") + " --budget " +
                             std::to_string(budget) + " --seed " + std::to_string(seed) + " --timeout 60");
    return run;
}

std::vector<std::vector<std::string>> history_rows(const std::string& dir) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(read_file(dir + "/work/lemon/mutant_history.txt"));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> fields;
        std::istringstream cells(line);
        std::string cell;
        while (std::getline(cells, cell, '\t')) fields.push_back(cell);
        rows.push_back(fields);
    }
    return rows;
}

}  // namespace

TEST_CASE("a short LEMON run writes LEMON's tree: seeds, mutants, history, both backends per mutant", "[lemon]") {
    // 60 s: the seeds alone (16 executions) take about 20 s with atomic counters (instrument/README.md).
    LiveRun lemon = live_run("dlcov-lemon", "lemon-live", R"({"max_mutants": 20, "threshold": 0.4})", 60);
    INFO(lemon.result.output);
    REQUIRE(lemon.result.exit_code == 0);
    CHECK_THAT(lemon.result.output, Catch::Contains("LEMON: "));
    std::string tree = lemon.dir + "/work/lemon";
    for (std::string sub : {"mut_model", "crash", "nan"}) CHECK(fs::is_directory(tree + "/" + sub));

    auto seeds = json::parse(read_file(seeds_dir() + "/seeds.json"));
    for (const auto& s : seeds) CHECK(fs::exists(tree + "/mut_model/" + s["name"].get<std::string>() + "_origin0.json"));

    // Every mutant in the history: a file named like LEMON's, a known parent, and one execution
    // per backend in the event log.
    std::string events = read_file(lemon.dir + "/events.jsonl");
    auto rows = history_rows(lemon.dir);
    std::set<std::string> known, operators;
    size_t mutants = 0;
    for (const auto& row : rows) {
        REQUIRE(row.size() == 6);
        if (row[2] == "origin") {
            known.insert(row[0]);
            continue;
        }
        if (row[3] == "not-applicable") continue;
        ++mutants;
        operators.insert(row[2]);
        INFO(row[0]);
        CHECK(known.count(row[1]) == 1);
        known.insert(row[0]);
        CHECK(row[0].rfind(row[1] + "-" + row[2] + std::to_string(mutants), 0) == 0);  // <parent>-<OP><n>
        CHECK(fs::exists(tree + "/mut_model/" + row[0] + ".json"));
        for (std::string backend : {"internal", "avx"})
            CHECK_THAT(events, Catch::Contains("\"id\":\"" + row[0] + "." + backend + "\""));
        if (row[3] == "crash" || row[3] == "nan") CHECK(fs::exists(tree + "/" + row[3] + "/" + row[0] + ".json"));
    }
    CHECK(known.size() >= seeds.size());
    CHECK(mutants >= 3);
    CHECK(operators.size() >= 2);
}

// Weight-level operators (WS, GF, NEB, NAI, NS) change values, not which code runs, so new
// lines come from the activation and layer operators; this run uses those only, with a fixed
// number of mutants, so it is the same run on every machine.
TEST_CASE("LEMON's mutants cover lines that a CRADLE run of the same seeds does not", "[lemon]") {
    LiveRun lemon = live_run("dlcov-lemon", "lemon-coverage",
                             R"({"max_mutants": 12, "operators": ["ARep", "LA", "MLA"]})", 120);
    INFO(lemon.result.output);
    REQUIRE(lemon.result.exit_code == 0);
    LiveRun cradle = live_run("dlcov-cradle", "lemon-coverage-cradle", R"({"backends": ["internal", "avx"]})", 120);
    INFO(cradle.result.output);
    REQUIRE(cradle.result.exit_code == 0);

    std::vector<std::string> objects = {executor()};
    auto lemon_cov = dlcov::measure_profiles(objects, {lemon.dir + "/profiles"});
    auto cradle_cov = dlcov::measure_profiles(objects, {cradle.dir + "/profiles"});
    REQUIRE(lemon_cov.coverage.layout.fingerprint() == cradle_cov.coverage.layout.fingerprint());
    auto covered = [](const std::vector<uint64_t>& counts) {
        return std::count_if(counts.begin(), counts.end(), [](uint64_t c) { return c > 0; });
    };
    auto only_lemon = dlcov::subtract(lemon_cov.coverage.counts, cradle_cov.coverage.counts);
    INFO("lines covered by LEMON " << covered(lemon_cov.coverage.counts.lines) << ", by CRADLE "
                                   << covered(cradle_cov.coverage.counts.lines) << ", by LEMON only "
                                   << covered(only_lemon.lines));
    CHECK(covered(only_lemon.lines) > 0);
    // LEMON runs every seed on every backend first, as CRADLE does: it covers all CRADLE covers.
    auto only_cradle = dlcov::subtract(cradle_cov.coverage.counts, lemon_cov.coverage.counts);
    CHECK(covered(only_cradle.lines) == 0);
}

TEST_CASE("LEMON's search is deterministic for a given seed", "[lemon]") {
    const std::string options = R"({"max_mutants": 5, "seeds": ["lenet5_28", "bn_dropout"]})";
    LiveRun first = live_run("dlcov-lemon", "lemon-determinism-1", options, 120, 7);
    LiveRun second = live_run("dlcov-lemon", "lemon-determinism-2", options, 120, 7);
    REQUIRE(first.result.exit_code == 0);
    REQUIRE(second.result.exit_code == 0);
    auto a = history_rows(first.dir), b = history_rows(second.dir);
    REQUIRE(a.size() == b.size());
    size_t mutants = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i] == b[i]);  // name, parent, operator, outcome, D_MAD, what changed
        mutants += a[i][2] != "origin" && a[i][3] != "not-applicable";
    }
    CHECK(mutants == 5);
    for (const auto& row : a)
        if (row[2] != "origin" && row[3] != "not-applicable")
            CHECK(read_file(first.dir + "/work/lemon/mut_model/" + row[0] + ".json") ==
                  read_file(second.dir + "/work/lemon/mut_model/" + row[0] + ".json"));
}
