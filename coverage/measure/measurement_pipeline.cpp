#include "measurement_pipeline.h"

#include "coverage_modes.h"
#include "error.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

using Layers = std::vector<std::unique_ptr<CoverageLayer>>;

// The first layer that recognises `path`, or nullopt.
std::optional<size_t> layer_of(const Layers& layers, const std::string& path) {
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i]->recognises(path)) return i;
    return std::nullopt;
}

// Profile files per layer, each list sorted and without repeats: folders searched for the files a
// layer recognises, named files given to the layer that recognises them, else to the first.
std::vector<std::vector<std::string>> profiles_per_layer(const Layers& layers, const std::vector<std::string>& paths) {
    std::vector<std::vector<std::string>> out(layers.size());
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& entry : fs::recursive_directory_iterator(p)) {
                if (!entry.is_regular_file()) continue;
                if (auto layer = layer_of(layers, entry.path().string())) out[*layer].push_back(entry.path().string());
            }
        } else if (fs::exists(p, ec)) {
            out[layer_of(layers, p).value_or(0)].push_back(p);
        } else {
            throw UserError(p + ": no such profile file or directory");
        }
    }
    for (auto& list : out) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    return out;
}

}  // namespace

MeasurementPipeline::MeasurementPipeline(const BuildManifest& build)
    : MeasurementPipeline(build_layers(build), build.component_map, build.path_remap) {}

MeasurementPipeline::MeasurementPipeline(Layers layers, const std::string& map_path, const PathRemap& remap)
    : layers_(std::move(layers)) {
    if (layers_.empty()) throw std::logic_error("a measurement pipeline needs at least one coverage layer");
    std::optional<ComponentMap> map;
    if (!map_path.empty()) map = ComponentMap::load(map_path);
    std::vector<const CoverageLayout*> layouts;
    for (const auto& layer : layers_) layouts.push_back(&layer->layout());
    layout_ = concatenate_layouts(layouts);
    // Each layer's paths are relative to its own root (C++ sources, an installed Python package).
    for (const auto& layer : layers_)
        append_assignment(assignment_, assign_files(layer->layout(), map ? &*map : nullptr, layer->source_root(), remap));
    // Reports show and read the files where the checkout has them.
    for (auto& file : layout_.layout.files) file.path = remap.apply(file.path);
}

ProfileMeasurement MeasurementPipeline::measure(const std::vector<std::string>& profile_paths) const {
    std::vector<std::vector<std::string>> per_layer = profiles_per_layer(layers_, profile_paths);
    std::vector<LayerReading> readings;
    for (size_t i = 0; i < layers_.size(); ++i) readings.push_back(layers_[i]->read(per_layer[i]));
    return combine(std::move(readings));
}

ProfileMeasurement MeasurementPipeline::combine(std::vector<LayerReading> readings) const {
    ProfileMeasurement out;
    if (readings.size() == 1) {
        out.counts = std::move(readings.front().counts);
    } else {
        std::vector<const CoverageCounts*> counts;
        for (const auto& r : readings) counts.push_back(&r.counts);
        out.counts = concatenate_counts(counts);
    }
    for (auto& r : readings) {
        out.read.insert(out.read.end(), r.read.begin(), r.read.end());
        out.skipped.insert(out.skipped.end(), r.skipped.begin(), r.skipped.end());
        out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());
    }
    std::sort(out.read.begin(), out.read.end());
    std::stable_sort(out.skipped.begin(), out.skipped.end(),
                     [](const SkippedProfile& a, const SkippedProfile& b) { return a.path < b.path; });
    out.measurement = summarize(layout(), out.counts, assignment_);
    return out;
}

std::string MeasurementPipeline::total_path(const std::string& folder, const CoverageLayer& layer) const {
    return (fs::path(folder) / layer.total_name()).string();
}

void MeasurementPipeline::start_total(const std::string& folder) const {
    fs::create_directories(folder);
    for (const auto& layer : layers_) layer->start_total(total_path(folder, *layer));
}

bool MeasurementPipeline::is_total(const std::string& path) const {
    std::string name = fs::path(path).filename().string();
    return std::any_of(layers_.begin(), layers_.end(), [&](const auto& layer) { return layer->total_name() == name; });
}

bool MeasurementPipeline::recognises(const std::string& path) const { return layer_of(layers_, path).has_value(); }

LayerFold MeasurementPipeline::fold(const std::string& folder, const std::vector<std::string>& profiles) const {
    std::vector<std::vector<std::string>> per_layer(layers_.size());
    for (const auto& p : profiles)
        if (auto layer = layer_of(layers_, p)) per_layer[*layer].push_back(p);
    LayerFold out;
    for (size_t i = 0; i < layers_.size(); ++i) {
        if (per_layer[i].empty()) continue;  // its total stays as it is
        LayerFold one = layers_[i]->fold(total_path(folder, *layers_[i]), per_layer[i]);
        out.folded.insert(out.folded.end(), one.folded.begin(), one.folded.end());
        out.skipped.insert(out.skipped.end(), one.skipped.begin(), one.skipped.end());
    }
    return out;
}

ProfileMeasurement MeasurementPipeline::measure_total(const std::string& folder) const {
    std::vector<LayerReading> readings;
    for (const auto& layer : layers_) {
        std::string total = total_path(folder, *layer);
        try {
            readings.push_back(layer->read_total(total));
        } catch (const std::exception& e) {  // damaged (cut short, overwritten): name the file
            std::string why = e.what();
            throw DamagedTotal(why.rfind(total, 0) == 0 ? why : total + ": " + why);
        }
    }
    return combine(std::move(readings));
}

}  // namespace dlcov
