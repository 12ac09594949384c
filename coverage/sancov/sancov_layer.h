// The sancov coverage mode as a layer (coverage_layer.h): binaries built with clang's
// -fsanitize-coverage=trace-pc-guard,pc-table and -g, with dlcov's runtime linked in
// (runtime/dlcov_sancov_runtime.c), read from the .sancov files the runtime writes per process.
//
// The layout comes once, when the layer is made, from the binaries alone: every pc-table entry
// (an edge's block) mapped to the source lines and functions it runs through the debug
// information (coverage/llvm/sancov_debug_info.h), or from the layout cache the first layer of
// the same binaries wrote (sancov_layout_cache.h). A reading then only adds counters:
//   - a line item is a (function, source line) that some block runs; its count is the largest
//     count of those blocks;
//   - a function item is a function (a linkage name: each template instantiation its own); its
//     count is the number of times its entry block ran (summed over the binaries that have it),
//     plus, when it is also inlined into other functions, the largest count of a block that runs
//     its inlined code (its inlined calls when its body has no loop). A block of its own that ran
//     without its entry (a forked child resumes in the middle of the function that called fork)
//     does not make it executed;
//   - definitions group instantiations by file and declaration line, as llvm-cov groups them;
//   - no branches: SanitizerCoverage counts edges between blocks, not the two sides of a
//     condition in the source (README.md says how that differs from llvm mode).
#pragma once
#include "coverage_layer.h"
#include "sancov_layout_cache.h"

#include <string>
#include <vector>

namespace dlcov::sancov {

class SancovLayer final : public CoverageLayer {
public:
    // The layer of a build's binaries; UserError naming a binary that is missing, not built for
    // sancov mode, or without debug information. With a `layout_cache` file
    // (sancov_layout_cache_path of the build folder) the layout is read from it when it was made
    // for these binaries, and written to it when it was not; "" derives it every time.
    SancovLayer(std::vector<std::string> objects, std::string source_root, std::string layout_cache = "");

    const CoverageLayout& layout() const override { return data_.layout; }
    const std::string& source_root() const override { return source_root_; }
    bool recognises(const std::string& path) const override;
    LayerReading read(const std::vector<std::string>& profiles) const override;

    std::string total_name() const override { return "coverage.sancov-total"; }
    void start_total(const std::string& total) const override;
    LayerFold fold(const std::string& total, const std::vector<std::string>& profiles) const override;
    LayerReading read_total(const std::string& total) const override;

    // Counters of every block of every binary, binaries in order; what readings add up.
    size_t block_count() const { return data_.block_count; }
    // Whether the layout came from the layout cache rather than the debug information.
    bool layout_from_cache() const { return from_cache_; }

private:
    using Binary = SancovBinary;
    // Adds a profile's counters to `blocks`; "" or why the profile is not this build's.
    std::string add_profile(const std::string& path, std::vector<uint64_t>& blocks,
                            std::vector<std::string>& warnings, bool is_total) const;
    CoverageCounts on_layout(const std::vector<uint64_t>& blocks) const;
    const Binary* binary_of(const std::string& build_id, const std::string& path, uint64_t size) const;

    std::string source_root_;
    // The binaries, the layout and the blocks of every item (sancov_layout_cache.h), derived or cached.
    SancovLayoutData data_;
    bool from_cache_ = false;
};

}  // namespace dlcov::sancov
