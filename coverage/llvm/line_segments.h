// The lines of one function that llvm-cov reports, and their counts: LLVM 14's SegmentBuilder and
// LineCoverageStats (CoverageMapping.cpp) on the function's sorted, combined regions.
//
// Regions nest; segments cut the file into stretches of one count, each marked where a region
// starts. A line is mapped when a region with a count starts on it or one wraps into it from an
// earlier line, unless it starts a skipped region; its count is the highest of those. LLVM drops
// a segment that would repeat the count of the one before it, so which lines count depends on
// the counts, not only on the regions (layout_alignment.h).
#pragma once
#include "mapping_plan.h"

#include <cstdint>
#include <vector>

namespace dlcov {

// A region with its evaluated count (CountedRegion).
struct CountedSpan {
    unsigned line_start, column_start, line_end, column_end;
    uint64_t count;
    PlanRegionKind kind;
};

// Builds the segments of `regions` (sorted and combined, as RecordPlan::regions) and appends each
// mapped line and its count to `lines` and `counts`. One LineSegments serves many functions, its
// buffers kept from call to call.
class LineSegments {
public:
    void mapped_lines(const std::vector<CountedSpan>& regions, std::vector<unsigned>& lines,
                      std::vector<uint64_t>& counts);

private:
    struct Segment {
        unsigned line, column;
        uint64_t count;
        bool has_count, region_entry, gap;
    };
    void start_segment(const CountedSpan& region, unsigned line, unsigned column, bool region_entry,
                       bool emit_skipped = false);
    void complete_regions_until(const CountedSpan* next, size_t first_completed);

    std::vector<Segment> segments_;
    std::vector<const CountedSpan*> active_;
    std::vector<const CountedSpan*> completed_;  // scratch of mapped_lines' partition
};

}  // namespace dlcov
