// A coverage layer: one coverage mode's part of a build — clang-instrumented objects read through
// LLVM (llvm/llvm_layer.h), and later a Python tree read from coverage.py's data files, gcov's
// .gcda files, ... A layer knows what its part can cover (its layout, read once), which profile
// files are its own, how to read counts from them onto its layout, and how to fold them into a
// running total. The measurement pipeline (measure/measurement_pipeline.h) concatenates the
// layouts of a build's layers and asks each layer for its counts.
//
// The interface sits here, below every reader, so that each mode's folder implements it without
// depending on the pipeline that uses it.
#pragma once
#include "coverage_model.h"

#include <string>
#include <vector>

namespace dlcov {

struct SkippedProfile {
    std::string path;
    std::string reason;
};

// Counts of a set of profiles on a layer's layout.
struct LayerReading {
    CoverageCounts counts;
    std::vector<std::string> read;        // profiles whose counts are in `counts`, sorted
    std::vector<SkippedProfile> skipped;  // profiles left out (corrupt, truncated, foreign), with why
    std::vector<std::string> warnings;    // what the reader noticed about the profiles it read
};

// Profiles added to a running total.
struct LayerFold {
    std::vector<std::string> folded;      // now part of the total; their files may go
    std::vector<SkippedProfile> skipped;  // unreadable: the total is as it was for them
};

class CoverageLayer {
public:
    virtual ~CoverageLayer() = default;

    // What the layer's part of the build can cover; the same for every set of profiles.
    virtual const CoverageLayout& layout() const = 0;
    // The folder the layout's file paths are relative to for a component map ("" = as recorded).
    virtual const std::string& source_root() const = 0;

    // Whether a file is one of this layer's profiles, by its name (llvm: *.profraw, *.profdata).
    // Folders are searched for the files some layer recognises.
    virtual bool recognises(const std::string& path) const = 0;

    // Counts of `profiles` (files, not folders) on layout(). An unreadable profile is skipped
    // and named; the others are read.
    virtual LayerReading read(const std::vector<std::string>& profiles) const = 0;

    // A running total of many profiles, kept in one file so that reading coverage so far costs
    // the same however many processes wrote profiles. `total` is a path in a folder of the
    // caller's; total_name() is the layer's file name for it (llvm: coverage.profdata).
    virtual std::string total_name() const = 0;
    // Makes `total` hold nothing run, unless it exists (a resumed trial keeps its total).
    virtual void start_total(const std::string& total) const = 0;
    // Adds `profiles` to `total`, replacing the file atomically: an interrupted fold leaves the
    // old total or the new one.
    virtual LayerFold fold(const std::string& total, const std::vector<std::string>& profiles) const = 0;
    // Counts of `total` on layout().
    virtual LayerReading read_total(const std::string& total) const = 0;
};

}  // namespace dlcov
