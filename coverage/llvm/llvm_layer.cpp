#include "llvm_layer.h"

#include "error.h"
#include "layout_alignment.h"
#include "profile_merge.h"
#include "profile_reading.h"
#include "whole_file.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::vector<std::string> mismatch_warnings(const LlvmCoverage& reading) {
    std::vector<std::string> out;
    if (reading.hash_mismatches)
        out.push_back(std::to_string(reading.hash_mismatches) +
                      " function(s) in the profiles do not match the objects (profiles from another build?)");
    if (std::string negative = negative_counts_warning(reading); !negative.empty()) out.push_back(negative);
    return out;
}

}  // namespace

LlvmLayer::LlvmLayer(std::vector<std::string> objects, std::string layout_profile, std::string source_root)
    : objects_(std::move(objects)), layout_profile_(std::move(layout_profile)), source_root_(std::move(source_root)) {
    check_objects(objects_);
    if (!fs::is_regular_file(layout_profile_))
        throw UserError(layout_profile_ + ": the build's layout profile is missing; run `dlcov instrument` again");
    mapping_ = DecodedMapping::shared(objects_);
    layout_ = read_llvm_coverage(*mapping_, layout_profile_).layout;
}

LlvmLayer LlvmLayer::laid_out_by(std::vector<std::string> objects, const std::vector<std::string>& profiles,
                                 std::string source_root) {
    LlvmLayer layer;
    layer.objects_ = std::move(objects);
    layer.source_root_ = std::move(source_root);
    check_objects(layer.objects_);
    layer.layout_profiles_ = expand_profile_paths(profiles);
    DecodedReading decoded = decode_and_measure(layer.objects_, layer.layout_profiles_);
    layer.mapping_ = std::move(decoded.mapping);
    ProfileCoverage& pc = decoded.reading;
    layer.layout_ = std::move(pc.coverage.layout);
    layer.layout_reading_ = {std::move(pc.coverage.counts), std::move(pc.merge.merged), std::move(pc.merge.skipped),
                             std::move(pc.warnings)};
    return layer;
}

bool LlvmLayer::recognises(const std::string& path) const { return is_profile_name(path); }

CoverageCounts LlvmLayer::on_layout(const LlvmCoverage& reading) const {
    if (!layout_profile_.empty()) return align_to_layout(reading, layout_);
    // Without a layout profile nothing says how readings of other functions would line up.
    if (reading.layout.fingerprint() != layout_.fingerprint())
        throw UserError("profiles were read into a different coverage layout than the first ones; the build has no "
                        "layout profile: run `dlcov instrument` again");
    return reading.counts;
}

LayerReading LlvmLayer::read(const std::vector<std::string>& profiles) const {
    if (layout_profile_.empty() && profiles == layout_profiles_) return layout_reading_;
    LayerReading out;
    if (profiles.empty() && !layout_profile_.empty()) {
        out.counts = CoverageCounts::zeros(layout_);  // what reading the layout profile alone gives
        return out;
    }
    ProfileCoverage pc = measure_profiles(*mapping_, profiles, layout_profile_);
    out.counts = on_layout(pc.coverage);
    out.read = std::move(pc.merge.merged);
    out.skipped = std::move(pc.merge.skipped);
    out.warnings = std::move(pc.warnings);  // each profile that is not the objects', named
    return out;
}

void LlvmLayer::start_total(const std::string& total) const {
    // A copy of the layout profile: every reading of the total then has the build's functions,
    // whatever the trial ran so far. Without one, no file is nothing run.
    if (!layout_profile_.empty() && !fs::exists(total)) copy_whole_file(layout_profile_, total);
}

LayerFold LlvmLayer::fold(const std::string& total, const std::vector<std::string>& profiles) const {
    if (std::optional<std::vector<std::string>> folded = running_->fold(total, profiles)) {
        LayerFold out;
        out.folded = std::move(*folded);
        return out;
    }
    // Through LLVM's library: it reads what the running total does not (and names what is wrong).
    std::vector<std::string> inputs = profiles;
    if (fs::exists(total)) inputs.insert(inputs.begin(), total);
    // <total>.partial first (not *.profdata: never read as a profile), then renamed: a killed
    // harness or a full disk leaves the old total or the new one.
    std::string partial = partial_path(total);
    MergeResult merge = merge_profiles(inputs, partial);  // removes `partial` when it throws
    std::error_code ec;
    fs::rename(partial, total, ec);
    if (ec) {
        fs::remove(partial, ec);
        throw UserError(total + ": cannot replace it with " + partial + ": " + ec.message());
    }
    LayerFold out;
    for (auto& path : merge.merged)
        if (path != total) out.folded.push_back(std::move(path));
    for (auto& s : merge.skipped)
        if (s.path != total) out.skipped.push_back(std::move(s));
    return out;
}

LayerReading LlvmLayer::read_total(const std::string& total) const {
    LayerReading out;
    if (!fs::exists(total)) {
        out.counts = CoverageCounts::zeros(layout_);
        return out;
    }
    // The total already holds the layout profile (start_total): it is read as it is.
    LlvmCoverage reading;
    if (!running_->with_counts(total, [&](const FunctionCounts& counts_of) { reading = read_llvm_coverage(*mapping_, counts_of); }))
        reading = read_llvm_coverage(*mapping_, total);
    out.counts = on_layout(reading);
    out.read = {total};
    out.warnings = mismatch_warnings(reading);
    return out;
}

}  // namespace dlcov
