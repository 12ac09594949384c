// The measurement pipeline with two layers, as a build with C++ objects and a Python tree will
// have: both layouts count in files, components, runners' union and running totals, and each
// layer reads only its own profiles. The layers here are test doubles reading counts from text.
#include "measurement_pipeline.h"
#include "runner_comparison.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

// A layer whose profiles are text files named *.<extension>, each holding one count per line
// item, then per branch side, then per function of its layout; its files are <root>/<name> with
// one function of `lines` lines and two branch sides each.
class TextLayer final : public CoverageLayer {
public:
    TextLayer(std::string root, std::string extension, const std::vector<std::pair<std::string, size_t>>& files)
        : root_(std::move(root)), extension_(std::move(extension)) {
        for (const auto& [name, lines] : files) {
            Instantiation inst{name, layout_.line_numbers.size(), lines, layout_.branch_lines.size(), 2,
                               layout_.function_items++};
            for (size_t k = 0; k < lines; ++k) layout_.line_numbers.push_back(unsigned(k + 1));
            layout_.branch_lines.insert(layout_.branch_lines.end(), {1, 1});
            layout_.files.push_back({root_ + "/" + name, {{name, "", 1, 1, {inst}}}});
        }
    }

    const CoverageLayout& layout() const override { return layout_; }
    const std::string& source_root() const override { return root_; }
    bool recognises(const std::string& path) const override { return fs::path(path).extension() == "." + extension_; }

    LayerReading read(const std::vector<std::string>& profiles) const override {
        LayerReading out;
        out.counts = CoverageCounts::zeros(layout_);
        for (const auto& p : profiles) {
            std::optional<CoverageCounts> c = parse(p);
            if (!c) {
                out.skipped.push_back({p, "not " + std::to_string(items()) + " counts"});
                continue;
            }
            out.counts = unite(out.counts, *c);
            out.read.push_back(p);
        }
        return out;
    }

    std::string total_name() const override { return "total." + extension_; }
    void start_total(const std::string& total) const override {
        if (!fs::exists(total)) write(total, CoverageCounts::zeros(layout_));
    }
    LayerFold fold(const std::string& total, const std::vector<std::string>& profiles) const override {
        std::vector<std::string> all = profiles;
        all.push_back(total);
        LayerReading sum = read(all);
        write(total, sum.counts);
        LayerFold out{{}, sum.skipped};
        for (const auto& p : sum.read)
            if (p != total) out.folded.push_back(p);
        return out;
    }
    LayerReading read_total(const std::string& total) const override { return read({total}); }

private:
    size_t items() const { return layout_.line_numbers.size() + layout_.branch_lines.size() + layout_.function_items; }
    std::optional<CoverageCounts> parse(const std::string& path) const {
        std::ifstream in(path);
        std::vector<uint64_t> v;
        for (uint64_t x; in >> x;) v.push_back(x);
        if (v.size() != items()) return std::nullopt;
        auto at = v.begin();
        CoverageCounts c;
        c.lines.assign(at, at + long(layout_.line_numbers.size()));
        at += long(layout_.line_numbers.size());
        c.branches.assign(at, at + long(layout_.branch_lines.size()));
        at += long(layout_.branch_lines.size());
        c.functions.assign(at, v.end());
        return c;
    }
    static void write(const std::string& path, const CoverageCounts& c) {
        std::ostringstream text;
        for (const auto* part : {&c.lines, &c.branches, &c.functions})
            for (uint64_t x : *part) text << x << "\n";
        write_file(path, text.str());
    }

    std::string root_, extension_;
    CoverageLayout layout_;
};

struct TwoLayers {
    std::string dir, map;
};

// C++ sources under <dir>/src (kernels: operation, the rest: utility) and a Python package under
// <dir>/site-packages (api); one map classifies both, by paths relative to each layer's root.
TwoLayers two_layers(const std::string& name) {
    TwoLayers t{scratch_dir(name), ""};
    t.map = t.dir + "/map.yaml";
    write_file(t.map,
               "framework: two-layers\n"
               "rules:\n"
               "  - {glob: \"kernels/**\", component: operation}\n"
               "  - {glob: \"fw/**\", component: api}\n"
               "  - {glob: \"*\", component: utility}\n");
    return t;
}

std::vector<std::unique_ptr<CoverageLayer>> layers(const TwoLayers& t) {
    std::vector<std::unique_ptr<CoverageLayer>> out;
    out.push_back(std::make_unique<TextLayer>(t.dir + "/src", "cpp-counts",
                                              std::vector<std::pair<std::string, size_t>>{{"kernels/conv.cc", 4}, {"tensor.h", 2}}));
    out.push_back(std::make_unique<TextLayer>(t.dir + "/site-packages", "py-counts",
                                              std::vector<std::pair<std::string, size_t>>{{"fw/layers.py", 3}}));
    return out;
}

// Counts for the C++ layer (4 + 2 lines, 4 sides, 2 functions) and the Python layer (3 lines,
// 2 sides, 1 function).
const char* const kConvRan = "1 1 0 0  0 0  1 0 0 0  1 0\n";  // conv.cc: 2 of 4 lines, 1 of 2 sides
const char* const kTensorRan = "0 0 0 0  5 5  0 0 1 1  0 1\n";
const char* const kLayersRan = "1 1 1  1 1  1\n";

}  // namespace

TEST_CASE("a pipeline of two layers counts both in files, components and totals", "[measure]") {
    TwoLayers t = two_layers("pipeline-two-layers");
    MeasurementPipeline pipeline(layers(t), t.map);
    REQUIRE(pipeline.layout().files.size() == 3);
    CHECK(pipeline.assignment().relative_paths == std::vector<std::string>{"kernels/conv.cc", "tensor.h", "fw/layers.py"});
    CHECK(pipeline.assignment().components[2] == Component::Api);

    // One folder holding profiles of both layers and a file neither reads.
    std::string profiles = t.dir + "/profiles";
    write_file(profiles + "/1.cpp-counts", kConvRan);
    write_file(profiles + "/sub/2.py-counts", kLayersRan);
    write_file(profiles + "/notes.txt", "not a profile");
    write_file(profiles + "/3.py-counts", "1 2\n");  // truncated
    ProfileMeasurement pm = pipeline.measure({profiles});
    CHECK(pm.read == std::vector<std::string>{profiles + "/1.cpp-counts", profiles + "/sub/2.py-counts"});
    REQUIRE(pm.skipped.size() == 1);
    CHECK(pm.skipped[0].path == profiles + "/3.py-counts");

    const Measurement& m = pm.measurement;
    CHECK(m.total.lines.covered == 2 + 3);
    CHECK(m.total.lines.total == 6 + 3);
    CHECK(m.total.branches.covered == 1 + 2);
    CHECK(m.total.functions.covered == 1 + 1);
    CHECK(m.components.at(Component::Operation).lines.covered == 2);
    CHECK(m.components.at(Component::Utility).lines.covered == 0);
    CHECK(m.components.at(Component::Api).lines.covered == 3);
    CHECK(m.components.at(Component::Api).lines.total == 3);
    REQUIRE(m.files.size() == 3);
    CHECK(m.files[2].path == "fw/layers.py");
    CHECK(m.files[2].component == "api");

    // A named file no layer recognises goes to the first layer, which says what is wrong with it.
    ProfileMeasurement named = pipeline.measure({profiles + "/notes.txt"});
    REQUIRE(named.skipped.size() == 1);
    CHECK(named.skipped[0].path == profiles + "/notes.txt");
    CHECK_THROWS_WITH(pipeline.measure({t.dir + "/missing"}), Catch::Contains("no such profile file or directory"));
}

TEST_CASE("runners are compared, and running totals folded, across both layers", "[measure]") {
    TwoLayers t = two_layers("pipeline-two-layers-runners");
    MeasurementPipeline pipeline(layers(t), t.map);
    write_file(t.dir + "/a/1.cpp-counts", kConvRan);
    write_file(t.dir + "/b/1.cpp-counts", kTensorRan);
    write_file(t.dir + "/b/2.py-counts", kLayersRan);
    Comparison c = compare_runners(pipeline, {{"a", {t.dir + "/a"}}, {"b", {t.dir + "/b"}}});
    CHECK(c.runners[0].measurement.total.lines.covered == 2);
    CHECK(c.runners[1].measurement.total.lines.covered == 2 + 3);
    CHECK(c.all.measurement.total.lines.covered == 2 + 2 + 3);
    CHECK(c.all.measurement.components.at(Component::Api).functions.covered == 1);
    CHECK(c.all.profiles == 3);

    // Folding profiles one by one gives what measuring them all at once gives.
    std::string trial = t.dir + "/trial";
    pipeline.start_total(trial);
    CHECK(pipeline.measure_total(trial).measurement.total.lines.covered == 0);
    for (const auto& p : {t.dir + "/a/1.cpp-counts", t.dir + "/b/1.cpp-counts", t.dir + "/b/2.py-counts"}) {
        LayerFold fold = pipeline.fold(trial, {p});
        CHECK(fold.folded == std::vector<std::string>{p});
    }
    CHECK(pipeline.is_total(trial + "/total.cpp-counts"));
    CHECK(pipeline.is_total(trial + "/total.py-counts"));
    CHECK_FALSE(pipeline.is_total(t.dir + "/b/2.py-counts"));
    ProfileMeasurement total = pipeline.measure_total(trial);
    CHECK(total.counts.lines == c.all.counts.lines);
    CHECK(total.counts.branches == c.all.counts.branches);
    CHECK(total.counts.functions == c.all.counts.functions);
}

TEST_CASE("without a map every file of every layer is counted, in no component", "[measure]") {
    TwoLayers t = two_layers("pipeline-two-layers-no-map");
    MeasurementPipeline pipeline(layers(t), "");
    CHECK_FALSE(pipeline.assignment().has_map);
    for (size_t f = 0; f < 3; ++f) {
        CHECK(pipeline.assignment().counted(f));
        CHECK_FALSE(pipeline.assignment().components[f].has_value());
    }
    write_file(t.dir + "/p/1.py-counts", kLayersRan);
    Measurement m = pipeline.measure({t.dir + "/p"}).measurement;
    CHECK(m.components.empty());
    CHECK(m.files.size() == 3);
    CHECK(m.files[0].component.empty());
    CHECK(m.total.lines.covered == 3);
}
