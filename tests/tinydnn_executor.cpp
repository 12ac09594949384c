// The tiny-dnn executor (runners/tinydnn/executor.cpp) as built by `dlcov instrument`, run on
// the seeds that dlcov-tinydnn-seeds writes: every seed on both backends, and each exit code.
#include "cradle/metrics.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dlcov::test;

namespace {

std::string executor() { return tinydnn_build_dir() + "/bin/dlcov-tinydnn-exec"; }

// dlcov and its helper programs share build/bin.
std::string seed_program() {
    return (fs::path(DLCOV_EXE).parent_path() / "dlcov-tinydnn-seeds").string();
}

// The seeds, generated once per test binary.
const std::string& seeds_dir() {
    static const std::string dir = [] {
        std::string d = scratch_dir("tinydnn-executor-seeds");
        CommandResult r = run_command(shell_quote(seed_program()) + " --out " + shell_quote(d));
        if (r.exit_code != 0) throw std::runtime_error("dlcov-tinydnn-seeds failed:\n" + r.output);
        return d;
    }();
    return dir;
}

std::string seed_file(const std::string& name, const std::string& kind) {
    return seeds_dir() + "/" + name + "." + kind + ".json";
}

// Runs the executor inside `work` (its working directory), with the coverage profile kept
// out of it, so a test can see every file the executor itself writes there.
CommandResult run_executor(const std::string& work, const std::string& args) {
    return run_command("cd " + shell_quote(work) + " && LLVM_PROFILE_FILE=" +
                       shell_quote(work + "-profiles/%p.profraw") + " " + shell_quote(executor()) + " " + args);
}

std::string predict_args(const std::string& model, const std::string& input, const std::string& backend) {
    return "--model " + shell_quote(model) + " --input " + shell_quote(input) + " --output out.json --backend " + backend;
}

std::vector<std::vector<double>> outputs_of(const json& out) {
    std::vector<std::vector<double>> rows;
    for (const json& row : out["outputs"]) {
        std::vector<double> values;
        for (const json& v : row) values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
        rows.push_back(values);
    }
    return rows;
}

// A copy of a seed input whose first sample is `value` everywhere.
std::string input_filled_with(const std::string& seed, double value, const std::string& path) {
    json input = json::parse(read_file(seed_file(seed, "input")));
    for (json& v : input["samples"][0]) v = value;
    write_file(path, input.dump());
    return path;
}

}  // namespace

TEST_CASE("the seed program writes eight seeds and their index", "[executor]") {
    json seeds = json::parse(read_file(seeds_dir() + "/seeds.json"));
    REQUIRE(seeds.size() == 8);
    for (const json& s : seeds) {
        CHECK(s["classes"] == 10);
        CHECK(fs::exists(seeds_dir() + "/" + s["model"].get<std::string>()));
        json input = json::parse(read_file(seeds_dir() + "/" + s["input"].get<std::string>()));
        CHECK(input["samples"].size() == 8);
        CHECK(input["labels"].size() == 8);
        CHECK(input["shape"].size() == 3);
    }
}

TEST_CASE("the seed program is deterministic", "[executor]") {
    std::string again = scratch_dir("tinydnn-executor-seeds-again");
    REQUIRE(run_command(shell_quote(seed_program()) + " --out " + shell_quote(again) + " --samples 8").exit_code == 0);
    for (const auto& e : fs::directory_iterator(seeds_dir())) {
        INFO(e.path().filename());
        CHECK(read_file(e.path().string()) == read_file(again + "/" + e.path().filename().string()));
    }
}

TEST_CASE("every seed runs on both backends, and the backends agree", "[executor]") {
    json seeds = json::parse(read_file(seeds_dir() + "/seeds.json"));
    for (const json& s : seeds) {
        const std::string name = s["name"];
        std::map<std::string, json> out;
        for (std::string backend : {"internal", "avx"}) {
            std::string work = scratch_dir("tinydnn-executor-" + name + "-" + backend);
            CommandResult r = run_executor(work, predict_args(seed_file(name, "model"), seed_file(name, "input"), backend));
            INFO(name << " on " << backend << ": " << r.output);
            REQUIRE(r.exit_code == 0);
            // OUT.json is the only file it writes.
            CHECK(std::distance(fs::directory_iterator(work), fs::directory_iterator()) == 1);
            out[backend] = json::parse(read_file(work + "/out.json"));
            const json& o = out[backend];
            CHECK(o["status"] == "ok");
            CHECK(o["backend"] == backend);
            CHECK(o["train_steps"] == 0);
            CHECK(o["loss"].is_null());
            REQUIRE(o["outputs"].size() == 8);
            CHECK(o["labels"] == json::parse(read_file(seed_file(name, "input")))["labels"]);
            for (const auto& row : outputs_of(o)) {
                REQUIRE(row.size() == 10);
                double sum = 0;
                for (double p : row) sum += p;
                CHECK(sum == Approx(1.0).epsilon(1e-4));  // every seed ends in softmax
            }
            // Only conv, fully connected and max pooling layers have an AVX path.
            for (const json& l : o["layers"]) {
                const bool avx_capable = l["type"] == "conv" || l["type"] == "fully-connected" || l["type"] == "max-pool";
                CHECK(l["backend"] == (backend == "avx" && avx_capable ? "avx" : "internal"));
            }
        }
        INFO(name);
        const auto labels = out["internal"]["labels"].get<std::vector<int>>();
        const dlcov::InconsistencyVerdict v =
            dlcov::compare_backends(outputs_of(out["internal"]), outputs_of(out["avx"]), labels);
        CHECK_FALSE(v.inconsistent());
        CHECK(v.d_mad < 1e-4);
    }
}

TEST_CASE("training runs N steps and reports the loss", "[executor]") {
    std::string work = scratch_dir("tinydnn-executor-train");
    CommandResult r = run_executor(work, predict_args(seed_file("mlp", "model"), seed_file("mlp", "input"), "avx") + " --train 2");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    json o = json::parse(read_file(work + "/out.json"));
    CHECK(o["train_steps"] == 2);
    REQUIRE(o["loss"].is_number());
    CHECK(o["loss"].get<double>() >= 0);
    CHECK(o["status"] == "ok");
}

TEST_CASE("a NaN or infinite output exits 3 and still writes OUT.json", "[executor]") {
    std::string work = scratch_dir("tinydnn-executor-nan");
    // 1e39 is beyond float: the sample becomes infinite, tanh layers turn inf - inf into NaN.
    std::string input = input_filled_with("lenet5_32", 1e39, work + "-inputs/huge.input.json");
    CommandResult r = run_executor(work, predict_args(seed_file("lenet5_32", "model"), input, "avx"));
    INFO(r.output);
    CHECK(r.exit_code == 3);
    json o = json::parse(read_file(work + "/out.json"));
    CHECK(o["status"] == "nan");
    CHECK(o["outputs"][0][0].is_null());     // non-finite values are written as null
    CHECK(o["outputs"][1][0].is_number());  // the other samples are unaffected
}

TEST_CASE("tiny-dnn throwing exits 4 with its message", "[executor]") {
    std::string work = scratch_dir("tinydnn-executor-throws");
    SECTION("lrn has no backward pass, so training inception_like throws") {
        CommandResult r = run_executor(
            work, predict_args(seed_file("inception_like", "model"), seed_file("inception_like", "input"), "internal") +
                      " --train 1");
        CHECK(r.exit_code == 4);
        CHECK(r.output.find("not implemented") != std::string::npos);
    }
    SECTION("lrn within a channel is not implemented") {
        nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(read_file(seed_file("inception_like", "model")));
        for (auto& node : ordered["nodes"])
            if (node["type"].get<std::string>().rfind("lrn", 0) == 0) node["region"] = 1;
        write_file(work + "-inputs/lrn_within.model.json", ordered.dump());
        CommandResult r = run_executor(
            work, predict_args(work + "-inputs/lrn_within.model.json", seed_file("inception_like", "input"), "avx"));
        CHECK(r.exit_code == 4);
        CHECK(r.output.find("not implemented") != std::string::npos);
    }
    SECTION("valid JSON that is not a tiny-dnn model") {
        write_file(work + "-inputs/not_a_model.json", R"({"layers": []})");
        CommandResult r =
            run_executor(work, predict_args(work + "-inputs/not_a_model.json", seed_file("mlp", "input"), "internal"));
        CHECK(r.exit_code == 4);
    }
    CHECK_FALSE(fs::exists(work + "/out.json"));
}

TEST_CASE("unusable input exits 2 and writes nothing", "[executor]") {
    std::string work = scratch_dir("tinydnn-executor-unusable");
    const std::string inputs = work + "-inputs";
    const std::string model = seed_file("mlp", "model"), input = seed_file("mlp", "input");
    json seed_input = json::parse(read_file(input));

    std::string args;
    SECTION("a model file that is not JSON") {
        write_file(inputs + "/garbage.json", "this is not json");
        args = predict_args(inputs + "/garbage.json", input, "internal");
    }
    SECTION("a missing input file") { args = predict_args(model, inputs + "/missing.json", "internal"); }
    SECTION("malformed input JSON") {
        write_file(inputs + "/bad.json", R"({"shape": [1, 28, 28], "samples": [["a"]]})");
        args = predict_args(model, inputs + "/bad.json", "internal");
    }
    SECTION("samples that do not fit the model's input") {
        write_file(inputs + "/small.json", R"({"shape": [1, 2, 2], "samples": [[1, 2, 3, 4]]})");
        args = predict_args(model, inputs + "/small.json", "internal");
    }
    SECTION("a sample shorter than the shape") {
        json short_sample = seed_input;
        short_sample["samples"][1].erase(0);
        write_file(inputs + "/short.json", short_sample.dump());
        args = predict_args(model, inputs + "/short.json", "internal");
    }
    SECTION("a label outside the model's outputs") {
        json bad_label = seed_input;
        bad_label["labels"][0] = 10;
        write_file(inputs + "/label.json", bad_label.dump());
        args = predict_args(model, inputs + "/label.json", "internal");
    }
    SECTION("an unknown backend") { args = predict_args(model, input, "gpu"); }
    SECTION("a missing --output") { args = "--model " + shell_quote(model) + " --input " + shell_quote(input); }
    SECTION("a bad step count") { args = predict_args(model, input, "internal") + " --train -3"; }

    CommandResult r = run_executor(work, args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(fs::is_empty(work));
}

TEST_CASE("--help names the exit codes", "[executor]") {
    CommandResult r = run_executor(scratch_dir("tinydnn-executor-help"), "--help");
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("Exit codes") != std::string::npos);
}
