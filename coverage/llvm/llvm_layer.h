// The llvm coverage mode as a layer (coverage_layer.h): clang source-based coverage of a build's
// instrumented objects, read from raw (.profraw) and indexed (.profdata) profiles.
//
// A build's layer reads its layout once, with the build's layout profile (every function, nothing
// run: instrument/layout_profile.h), and moves every reading onto it (layout_alignment.h), so
// that every set of profiles of the build counts on the same items. Objects without a layout
// profile (`dlcov measure` on any instrumented program) are laid out by the profiles measured
// instead: the numbers are then exactly `llvm-cov report`'s for those profiles.
#pragma once
#include "coverage_layer.h"
#include "llvm_reader.h"
#include "running_profile.h"

#include <memory>
#include <string>
#include <vector>

namespace dlcov {

class LlvmLayer final : public CoverageLayer {
public:
    // The layer of a build's objects; UserError when an object or the layout profile is missing.
    LlvmLayer(std::vector<std::string> objects, std::string layout_profile, std::string source_root);

    // Objects without a layout profile, laid out by the reading of `profiles` (files or folders).
    // Reading those profiles again costs nothing; profiles read into another layout are refused.
    static LlvmLayer laid_out_by(std::vector<std::string> objects, const std::vector<std::string>& profiles,
                                 std::string source_root);

    const CoverageLayout& layout() const override { return layout_; }
    const std::string& source_root() const override { return source_root_; }
    bool recognises(const std::string& path) const override;
    LayerReading read(const std::vector<std::string>& profiles) const override;

    std::string total_name() const override { return "coverage.profdata"; }
    void start_total(const std::string& total) const override;
    LayerFold fold(const std::string& total, const std::vector<std::string>& profiles) const override;
    LayerReading read_total(const std::string& total) const override;

private:
    LlvmLayer() = default;
    // Counts of a reading of the objects on layout_.
    CoverageCounts on_layout(const LlvmCoverage& reading) const;

    std::vector<std::string> objects_;
    // The objects' mappings, decoded once for every reading (and never changed: shared by copies).
    std::shared_ptr<const DecodedMapping> mapping_;
    std::string layout_profile_;  // "" when laid out by profiles
    std::string source_root_;
    CoverageLayout layout_;
    // Laid out by profiles: those profiles (expanded) and their reading.
    std::vector<std::string> layout_profiles_;
    LayerReading layout_reading_;
    // The running total's counters, kept in memory between folds (a cache: fold and read_total
    // read the file when it is not the one written last).
    std::shared_ptr<RunningProfile> running_ = std::make_shared<RunningProfile>();
};

}  // namespace dlcov
