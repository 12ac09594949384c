// Measuring profiles on a build: the one way from profile files to numbers per file, component
// and in total, used by `dlcov measure`, `dlcov components`, comparisons of runners (report, diff)
// and the campaign's running coverage.
//
// Built once: the build's coverage layers (coverage_modes.h, one per coverage mode the build was
// instrumented with), their layouts concatenated into one (layout_concatenation.h), the
// component map, and the assignment of every file to a component. Then each measurement only
// reads counts: every layer reads the profiles it recognises, and its counts take its place in
// the whole.
#pragma once
#include "build_manifest.h"
#include "coverage_layer.h"
#include "error.h"
#include "layout_concatenation.h"
#include "measurement.h"

#include <memory>
#include <string>
#include <vector>

namespace dlcov {

// What a set of profiles covered, on the pipeline's layout.
struct ProfileMeasurement {
    CoverageCounts counts;
    Measurement measurement;              // the counts summed per file, component and in total
    std::vector<std::string> read;        // profiles whose counts are in `counts`
    std::vector<SkippedProfile> skipped;  // unreadable profiles, left out, with why
    std::vector<std::string> warnings;    // what the layers noticed about the profiles they read
};

// A running total's file that cannot be read (cut short, overwritten); what() names it.
struct DamagedTotal : UserError {
    using UserError::UserError;
};

class MeasurementPipeline {
public:
    // The pipeline of an instrumented build: its layers, its component map, its source root.
    explicit MeasurementPipeline(const BuildManifest& build);
    // Layers built by the caller; `map_path` "" counts every file in no component.
    // `remap`: a source build's path_remap, applied to the layout's file paths.
    MeasurementPipeline(std::vector<std::unique_ptr<CoverageLayer>> layers, const std::string& map_path,
                        const PathRemap& remap = {});

    const CoverageLayout& layout() const { return layout_.layout; }
    const FileAssignment& assignment() const { return assignment_; }

    // Coverage of `profile_paths`: profile files, or folders searched (recursively) for the files
    // a layer recognises. A named file no layer recognises goes to the first layer, which says
    // what is wrong with it. UserError for a path that does not exist.
    ProfileMeasurement measure(const std::vector<std::string>& profile_paths) const;

    // A running total in `folder` (one file per layer, coverage_layer.h): started as nothing run,
    // folded into as profiles arrive, measured from its files alone.
    void start_total(const std::string& folder) const;
    bool is_total(const std::string& path) const;  // one of the total's files (never folded into itself)
    bool recognises(const std::string& path) const;  // a profile some layer reads
    LayerFold fold(const std::string& folder, const std::vector<std::string>& profiles) const;
    // Throws DamagedTotal, naming the file, when a total's file cannot be read.
    ProfileMeasurement measure_total(const std::string& folder) const;

private:
    // Counts of each layer's reading, in layer order, as one measurement.
    ProfileMeasurement combine(std::vector<LayerReading> readings) const;
    std::string total_path(const std::string& folder, const CoverageLayer& layer) const;

    std::vector<std::unique_ptr<CoverageLayer>> layers_;
    ConcatenatedLayout layout_;
    FileAssignment assignment_;
};

}  // namespace dlcov
