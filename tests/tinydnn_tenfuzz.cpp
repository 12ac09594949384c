// The TenFuzz-style tester on the real instrumented tiny-dnn: every operator applied to real
// corpus tests yields what it says and a test the instrumented driver runs; every optimizer and
// loss runs; a short live run covers lines that a CRADLE run of the seeds does not.
#include "profile_reading.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dlcov;
using namespace dlcov::test;

namespace {

const std::string kBin = fs::path(DLCOV_EXE).parent_path().string();
const std::string kTenfuzz = kBin + "/dlcov-tenfuzz";

std::string driver() { return tinydnn_build_dir() + "/bin/dlcov-tinydnn-api"; }

// The generator's corpus, written once per test binary.
const std::string& corpus_dir() {
    static std::string dir = [] {
        std::string d = scratch_dir("tenfuzz-corpus");
        auto r = run_command(kTenfuzz + " --write-corpus " + shell_quote(d));
        if (r.exit_code != 0) throw std::runtime_error("--write-corpus failed:\n" + r.output);
        return d;
    }();
    return dir;
}

std::string corpus_test(const std::string& id) { return corpus_dir() + "/" + id + ".json"; }

struct DriverRun {
    int exit_code = -1;
    std::string log;
    json output;  // when written
};

DriverRun run_driver(const std::string& test, const std::string& backend = "internal") {
    const std::string out = test + "." + backend + ".out.json";
    fs::remove(out);
    auto r = run_command(shell_quote(driver()) + " --test " + shell_quote(test) + " --output " + shell_quote(out) +
                         " --backend " + backend + " 2>&1");
    DriverRun run{r.exit_code, r.output, json()};
    if (fs::exists(out)) run.output = json::parse(read_file(out));
    return run;
}

// A mutation through the generator's --mutate; the record when it applied, null otherwise.
json mutate(const std::string& test, const std::string& op, unsigned seed, const std::string& out) {
    auto r = run_command(kTenfuzz + " --mutate " + shell_quote(test) + " --operator " + op + " --out " + shell_quote(out) +
                         " --seed " + std::to_string(seed));
    INFO(r.output);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    return r.exit_code == 0 ? json::parse(r.output) : json();
}

double value_of(const json& v) {
    if (v.is_number()) return v.get<double>();
    if (v == "inf") return std::numeric_limits<double>::infinity();
    if (v == "-inf") return -std::numeric_limits<double>::infinity();
    return std::nan("");
}

// Exit 0 (ok), 3 (NaN) and 4 (tiny-dnn threw) are outcomes of a well-formed test, and so is a
// crash inside tiny-dnn (a signal: the finding a fuzzer is after; mutated sizes do crash tiny-dnn
// 1.0.0a3's pooling and quantized layers). Exit 2 would mean the mutant is malformed.
bool well_formed_outcome(int exit_code) {
    return exit_code == 0 || exit_code == 3 || exit_code == 4 || (exit_code > 128 && exit_code < 160);
}

void require_runs(const std::string& test, const std::string& backend = "internal") {
    DriverRun run = run_driver(test, backend);
    INFO(test << " on " << backend << ": exit " << run.exit_code << ": " << run.log);
    CHECK(well_formed_outcome(run.exit_code));
}

std::set<std::pair<std::string, unsigned>> covered_tinydnn_lines(const LlvmCoverage& c) {
    std::set<std::pair<std::string, unsigned>> lines;
    for (const SourceFile& file : c.layout.files) {
        if (file.path.find("/tiny_dnn/") == std::string::npos) continue;  // not the harness's own sources
        for (const FunctionDefinition& def : file.functions)
            for (const Instantiation& inst : def.instantiations)
                for (size_t k = inst.first_line; k < inst.first_line + inst.line_count; ++k)
                    if (c.counts.lines[k] > 0) lines.insert({file.path, c.layout.line_numbers[k]});
    }
    return lines;
}

}  // namespace

TEST_CASE("every optimizer and every loss of tiny-dnn 1.0.0a3 runs in the driver, alone and in training", "[tenfuzz]") {
    const std::vector<std::string> optimizers = {"adagrad", "RMSprop", "adam", "gradient_descent", "momentum"};
    const std::vector<std::string> losses = {"mse", "absolute", "absolute_eps", "cross_entropy", "cross_entropy_multiclass"};
    for (const auto& name : optimizers) {
        const std::string test = corpus_test("optimizer-" + name);
        DriverRun run = run_driver(test);
        INFO(name << ": " << run.log);
        REQUIRE(run.exit_code == 0);
        // W moved against a non-zero gradient.
        const json t = json::parse(read_file(test));
        const json& w0 = t["inputs"][0]["samples"][0];
        const json& w = run.output["outputs"][0];
        REQUIRE(w.size() == w0.size());
        double moved = 0;
        for (size_t i = 0; i < w.size(); ++i) moved = std::max(moved, std::fabs(w[i].get<double>() - w0[i].get<double>()));
        CHECK(moved > 1e-4);
    }
    for (const auto& name : losses) {
        DriverRun run = run_driver(corpus_test("loss-" + name));
        INFO(name << ": " << run.log);
        REQUIRE(run.exit_code == 0);
        // f per sample, df per sample, the batch gradient (one row per sample).
        REQUIRE(run.output["outputs"].size() == 4);
        CHECK(run.output["outputs"][0].size() == 2);
        CHECK(run.output["outputs"][1].size() == 4);
    }
    for (const auto& opt : optimizers)
        for (const auto& loss : losses) {
            DriverRun run = run_driver(corpus_test("train-" + opt + "-" + loss), "avx");
            INFO(opt << " + " << loss << ": " << run.log);
            CHECK((run.exit_code == 0 || run.exit_code == 3));
            if (run.exit_code == 0) {
                CHECK(run.output["backend"] == "avx");
                CHECK(run.output["outputs"][0].size() == 12);  // 4 samples x 3 classes
                CHECK(run.output["loss"].is_number());
            }
        }
}

TEST_CASE("tensor type: values move into the chosen domain and the mutant runs", "[tenfuzz]") {
    const std::string work = scratch_dir("tenfuzz-type");
    std::set<std::string> domains;
    for (unsigned seed = 1; seed <= 40 && domains.size() < 5; ++seed) {
        const std::string out = work + "/m" + std::to_string(seed) + ".json";
        json record = mutate(corpus_test("layer-conv"), "tensor_type", seed, out);
        REQUIRE(record.is_object());
        const std::string domain = record["domain"];
        if (!domains.insert(domain).second) continue;
        const json mutant = json::parse(read_file(out));
        const json original = json::parse(read_file(corpus_test("layer-conv")));
        CHECK(mutant["inputs"][0]["shape"] == original["inputs"][0]["shape"]);
        size_t position = 0;
        for (const auto& v : mutant["inputs"][0]["samples"][0]) {
            const double x = value_of(v);
            INFO(domain << " value " << v.dump());
            if (domain == "int8") CHECK((x == std::round(x) && x >= -128 && x <= 127));
            if (domain == "uint8") CHECK((x == std::round(x) && x >= 0 && x <= 255));
            if (domain == "bool") CHECK((x == 0 || x == 1));
            if (domain == "float_extremes" && position % 3 == 0)
                CHECK((std::fabs(x) == double(std::numeric_limits<float>::max()) || x == double(std::numeric_limits<float>::min()) ||
                       x == double(std::numeric_limits<float>::denorm_min())));
            if (domain == "int32_extremes" && position % 3 == 0) CHECK((x == 2147483647.0 || x == -2147483648.0));
            ++position;
        }
        require_runs(out);
        require_runs(out, "avx");
    }
    CHECK(domains.size() == 5);
}

TEST_CASE("tensor shape: same data, same element count, another shape; the layer is built for it", "[tenfuzz]") {
    const std::string work = scratch_dir("tenfuzz-shape");
    for (const std::string id : {"layer-fc", "layer-conv", "layer-max_pool", "tensor-add", "image-mean"}) {
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const std::string out = work + "/" + id + std::to_string(seed) + ".json";
            json record = mutate(corpus_test(id), "tensor_shape", seed, out);
            REQUIRE(record.is_object());
            const json original = json::parse(read_file(corpus_test(id)));
            const json mutant = json::parse(read_file(out));
            const size_t i = record["input"];
            const json from = original["inputs"][i]["shape"], to = mutant["inputs"][i]["shape"];
            CHECK(record["from"] == from);
            CHECK(record["to"] == to);
            CHECK(from != to);
            CHECK(from[0].get<int>() * from[1].get<int>() * from[2].get<int>() == to[0].get<int>() * to[1].get<int>() * to[2].get<int>());
            CHECK(mutant["inputs"][i]["samples"] == original["inputs"][i]["samples"]);
            INFO(id << " " << from.dump() << " -> " << to.dump());
            require_runs(out);
        }
    }
    // fc is built from the input's element count, so a reshaped input still runs and gives the same values.
    const std::string out = work + "/fc.json";
    mutate(corpus_test("layer-fc"), "tensor_shape", 7, out);
    DriverRun a = run_driver(corpus_test("layer-fc")), b = run_driver(out);
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    CHECK(a.output["outputs"][0] == b.output["outputs"][0]);
}

TEST_CASE("tensor structure: sparse tensors and ragged batches", "[tenfuzz]") {
    const std::string work = scratch_dir("tenfuzz-structure");
    bool sparse_seen = false, ragged_seen = false;
    for (unsigned seed = 1; seed <= 20 && !(sparse_seen && ragged_seen); ++seed) {
        for (const std::string id : {"layer-conv", "loss-mse", "train-adam-mse"}) {
            const std::string out = work + "/" + id + std::to_string(seed) + ".json";
            json record = mutate(corpus_test(id), "tensor_structure", seed, out);
            REQUIRE(record.is_object());
            const json original = json::parse(read_file(corpus_test(id)));
            const json mutant = json::parse(read_file(out));
            if (record["structure"] == "sparse") {
                sparse_seen = true;
                const size_t i = record["input"];
                size_t zeros = 0, values = 0;
                for (size_t s = 0; s < mutant["inputs"][i]["samples"].size(); ++s)
                    for (size_t k = 0; k < mutant["inputs"][i]["samples"][s].size(); ++k) {
                        const double x = value_of(mutant["inputs"][i]["samples"][s][k]);
                        ++values;
                        if (x == 0) ++zeros;
                        else CHECK(x == value_of(original["inputs"][i]["samples"][s][k]));  // kept values unchanged
                    }
                CHECK(zeros >= record["zeroed"].get<size_t>());
                CHECK(values == record["values"].get<size_t>());
                CHECK(zeros * 10 >= values * 6);  // mostly zeros
            } else {
                REQUIRE(record["structure"] == "ragged");
                REQUIRE(id == std::string("loss-mse"));  // only the API that takes a vector of vectors
                ragged_seen = true;
                std::set<size_t> lengths;
                const json& y = mutant["inputs"][0]["samples"];
                const json& t = mutant["inputs"][1]["samples"];
                REQUIRE(y.size() == t.size());
                for (size_t s = 0; s < y.size(); ++s) {
                    CHECK(y[s].size() == t[s].size());
                    lengths.insert(y[s].size());
                }
                CHECK(lengths.size() > 1);
                DriverRun run = run_driver(out);
                INFO(run.log);
                REQUIRE(run.exit_code == 0);
                CHECK(run.output["outputs"][0].size() == y.size());  // one loss value per row
                continue;
            }
            require_runs(out);
        }
    }
    CHECK(sparse_seen);
    CHECK(ragged_seen);
}

TEST_CASE("tensor rotation: 90/180/270 move pixel (i,j) exactly, 30 interpolates, and the mutants run", "[tenfuzz]") {
    const std::string work = scratch_dir("tenfuzz-rotation");
    std::set<int> seen;
    // [3, 3, 4]: not square, so 90 and 270 swap height and width.
    const std::string id = "image-subtract_scalar";
    const json original = json::parse(read_file(corpus_test(id)));
    const int c = 3, h = 3, w = 4;
    REQUIRE(original["inputs"][0]["shape"] == json({c, h, w}));
    for (unsigned seed = 1; seed <= 40 && seen.size() < 4; ++seed) {
        const std::string out = work + "/r" + std::to_string(seed) + ".json";
        json record = mutate(corpus_test(id), "tensor_rotation", seed, out);
        REQUIRE(record.is_object());
        const int degrees = record["degrees"];
        if (!seen.insert(degrees).second) continue;
        const json mutant = json::parse(read_file(out));
        const json& in = original["inputs"][0]["samples"][0];
        const json& rot = mutant["inputs"][0]["samples"][0];
        const json shape = mutant["inputs"][0]["shape"];
        INFO(degrees << " degrees");
        REQUIRE(rot.size() == in.size());
        if (degrees == 30) {
            CHECK(shape == json({c, h, w}));
            CHECK(rot != in);
        } else {
            const int oh = degrees == 180 ? h : w, ow = degrees == 180 ? w : h;
            CHECK(shape == json({c, oh, ow}));
            for (int ch = 0; ch < c; ++ch)
                for (int i = 0; i < h; ++i)
                    for (int j = 0; j < w; ++j) {
                        int y = 0, x = 0;
                        if (degrees == 90) y = j, x = h - 1 - i;
                        if (degrees == 180) y = h - 1 - i, x = w - 1 - j;
                        if (degrees == 270) y = w - 1 - j, x = i;
                        CHECK(value_of(rot[ch * oh * ow + y * ow + x]) == value_of(in[ch * h * w + i * w + j]));
                    }
        }
        require_runs(out);
        // The same rotation of a layer's input: the layer is built for the rotated shape.
        const std::string conv = work + "/conv" + std::to_string(seed) + ".json";
        mutate(corpus_test("layer-conv5"), "tensor_rotation", seed, conv);
        require_runs(conv);
        require_runs(conv, "avx");
    }
    CHECK(seen == std::set<int>{30, 90, 180, 270});
    // An input without 2-D spatial data: not applicable, with a reason.
    auto r = run_command(kTenfuzz + " --mutate " + shell_quote(corpus_test("loss-mse")) + " --operator tensor_rotation --out " +
                         shell_quote(work + "/none.json"));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("no input with 2-D spatial data"));
}

TEST_CASE("parameter mutation: negate, 0, NaN, max and min of the parameter's type", "[tenfuzz]") {
    const std::string work = scratch_dir("tenfuzz-parameter");
    std::set<std::string> kinds;
    for (const std::string id : {"layer-linear", "layer-fc", "optimizer-adam", "layer-lrn"}) {
        for (unsigned seed = 1; seed <= 25; ++seed) {
            const std::string out = work + "/" + id + std::to_string(seed) + ".json";
            json record = mutate(corpus_test(id), "parameter", seed, out);
            REQUIRE(record.is_object());
            const json mutant = json::parse(read_file(out));
            const std::string param = record["param"], kind = record["kind"], type = record["type"];
            CHECK(mutant["params"][param] == record["to"]);
            const json& from = record["from"];
            const json& to = record["to"];
            INFO(id << " " << record.dump());
            if (type == "float") {
                if (kind == "negate") CHECK(value_of(to) == -value_of(from));
                if (kind == "zero") CHECK(value_of(to) == 0);
                if (kind == "nan") CHECK(to == "nan");
                if (kind == "max") CHECK(value_of(to) == double(std::numeric_limits<float>::max()));
                if (kind == "min") CHECK(value_of(to) == double(std::numeric_limits<float>::lowest()));
            } else if (type == "uint") {
                CHECK(kind != "nan");  // an unsigned parameter has no NaN
                if (kind == "negate") CHECK(to.get<long>() == -from.get<long>());
                if (kind == "zero") CHECK(to.get<long>() == 0);
                if (kind == "max") CHECK(to.get<long>() == 4294967295L);
            }
            kinds.insert(type + ":" + kind);
            DriverRun run = run_driver(out);
            INFO(run.log);
            if (kind == "nan" && id == std::string("layer-linear")) CHECK(run.exit_code == 3);  // NaN scale or bias
            // 2 is a documented rejection: the driver bounds optimizer steps.
            const bool steps_rejected = param == "steps" && run.exit_code == 2;
            if (!steps_rejected) CHECK(well_formed_outcome(run.exit_code));
        }
    }
    for (const std::string k : {"float:negate", "float:zero", "float:nan", "float:max", "float:min", "uint:negate", "uint:zero",
                                "uint:max"}) {
        INFO(k);
        CHECK(kinds.count(k) == 1);
    }
}

TEST_CASE("a short TenFuzz-style run writes events and profiles and covers lines a CRADLE run of the seeds does not",
          "[tenfuzz]") {
    const std::string work = scratch_dir("tenfuzz-run");
    const std::string exec = tinydnn_build_dir() + "/bin/dlcov-tinydnn-exec";
    write_file(work + "/options.json", R"({"backends": ["internal", "avx"], "threshold": 0.001})");
    auto r = run_command(kTenfuzz + " --driver " + shell_quote(driver()) + " --work " + work + "/tenfuzz/work --profiles " +
                         work + "/tenfuzz/profiles --events " + work + "/tenfuzz/events.jsonl --options " + work +
                         "/options.json --budget 20 --seed 3 --timeout 30");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const std::string events = read_file(work + "/tenfuzz/events.jsonl");
    CHECK_THAT(events, Catch::Contains("\"event\":\"execution\""));
    size_t profiles = 0;
    for (const auto& e : fs::directory_iterator(work + "/tenfuzz/profiles")) profiles += e.path().extension() == ".profraw";
    CHECK(profiles >= 20);
    CHECK(fs::exists(work + "/tenfuzz/work/summary.json"));
    CHECK(fs::exists(work + "/tenfuzz/work/mutations.jsonl"));

    // CRADLE on the seeds: the executor only.
    r = run_command(kBin + "/dlcov-tinydnn-seeds --out " + work + "/seeds");
    REQUIRE(r.exit_code == 0);
    r = run_command(kBin + "/dlcov-cradle --executor " + shell_quote(exec) + " --seeds " + work + "/seeds --work " + work +
                    "/cradle/work --profiles " + work + "/cradle/profiles --events " + work + "/cradle/events.jsonl --budget 120");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);

    // The two measurements need not share a layout (functions without any record in a set of
    // profiles drop out, and llvm-cov's line items depend on the counts), so compare the sets of
    // covered tiny-dnn source lines: (file, line) with a non-zero count in any instantiation.
    const std::vector<std::string> objects = {exec, driver()};
    const auto tenfuzz = covered_tinydnn_lines(measure_profiles(objects, {work + "/tenfuzz/profiles"}).coverage);
    const auto cradle = covered_tinydnn_lines(measure_profiles(objects, {work + "/cradle/profiles"}).coverage);
    REQUIRE(cradle.size() > 1000);
    size_t lines = 0;
    for (const auto& line : tenfuzz) lines += cradle.count(line) == 0;
    INFO("TenFuzz-style " << tenfuzz.size() << " lines, CRADLE " << cradle.size() << ", TenFuzz-style only " << lines);
    CHECK(lines > 500);
}
