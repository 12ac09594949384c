#include "line_segments.h"

#include <algorithm>
#include <utility>

namespace dlcov {

namespace {

using Location = std::pair<unsigned, unsigned>;
Location start_of(const CountedSpan& r) { return {r.line_start, r.column_start}; }
Location end_of(const CountedSpan& r) { return {r.line_end, r.column_end}; }

}  // namespace

// SegmentBuilder::startSegment.
void LineSegments::start_segment(const CountedSpan& region, unsigned line, unsigned column, bool region_entry,
                                 bool emit_skipped) {
    bool has_count = !emit_skipped && region.kind != PlanRegionKind::skipped;
    // A segment that would not change what is shown is left out.
    if (!segments_.empty() && !region_entry && !emit_skipped) {
        const Segment& last = segments_.back();
        if (last.has_count == has_count && last.count == region.count && !last.region_entry) return;
    }
    if (has_count)
        segments_.push_back({line, column, region.count, true, region_entry, region.kind == PlanRegionKind::gap});
    else
        segments_.push_back({line, column, 0, false, region_entry, false});
}

// SegmentBuilder::completeRegionsUntil: closing segments for the active regions from
// `first_completed` on, which end before `next` starts (all of them when next is null).
void LineSegments::complete_regions_until(const CountedSpan* next, size_t first_completed) {
    auto completed = active_.begin() + std::ptrdiff_t(first_completed);
    // A stable sort by end. The completed regions are few: an insertion sort, which allocates
    // nothing, where std::stable_sort takes a temporary buffer from the heap on every call.
    auto by_end = [](const CountedSpan* l, const CountedSpan* r) { return end_of(*l) < end_of(*r); };
    if (active_.end() - completed > 32) {
        std::stable_sort(completed, active_.end(), by_end);
    } else {
        for (auto i = completed + 1; i < active_.end(); ++i)
            for (auto j = i; j != completed && by_end(*j, *(j - 1)); --j) std::iter_swap(j, j - 1);
    }
    for (size_t i = first_completed + 1, e = active_.size(); i < e; ++i) {
        const CountedSpan* region = active_[i];
        Location at = end_of(*active_[i - 1]);
        if (next && at == start_of(*next)) break;
        if (at == end_of(*region)) continue;
        // The count of the last completed region that ends there.
        for (size_t j = i + 1; j < e; ++j)
            if (end_of(*region) == end_of(*active_[j])) region = active_[j];
        start_segment(*region, at.first, at.second, false);
    }
    const CountedSpan& last = *active_.back();
    if (first_completed && end_of(last) != start_of(*next)) {
        // Up to the next region, the innermost region still active holds.
        start_segment(*active_[first_completed - 1], last.line_end, last.column_end, false);
    } else if (!first_completed && (!next || start_of(*next) != end_of(last))) {
        // Nothing is active any more: a skipped segment marks the gap after the function.
        start_segment(last, last.line_end, last.column_end, false, true);
    }
    active_.erase(completed, active_.end());
}

void LineSegments::mapped_lines(const std::vector<CountedSpan>& regions, std::vector<unsigned>& lines,
                                std::vector<uint64_t>& counts) {
    segments_.clear();
    active_.clear();
    // SegmentBuilder::buildSegmentsImpl.
    for (size_t index = 0; index < regions.size(); ++index) {
        const CountedSpan& region = regions[index];
        Location start = start_of(region);
        // Those that end where this one starts or before go last, each part in its order (a
        // stable partition, without std::stable_partition's heap buffer per call).
        size_t still_active = 0;
        completed_.clear();
        for (const CountedSpan* r : active_) {
            if (end_of(*r) <= start) completed_.push_back(r);
            else active_[still_active++] = r;
        }
        if (!completed_.empty()) {
            std::copy(completed_.begin(), completed_.end(), active_.begin() + std::ptrdiff_t(still_active));
            complete_regions_until(&region, still_active);
        }

        bool gap = region.kind == PlanRegionKind::gap;
        bool last_region = index + 1 == regions.size();
        if (start == end_of(region)) {
            // An empty region is never active: the last one, or a skipped one, is a skipped
            // segment; any other takes its predecessor's count.
            bool skipped = last_region || region.kind == PlanRegionKind::skipped;
            start_segment(active_.empty() ? region : *active_.back(), start.first, start.second, !gap, skipped);
            if (skipped && !active_.empty()) start_segment(*active_.back(), start.first, start.second, false);
            continue;
        }
        if (last_region || start != start_of(regions[index + 1]))
            start_segment(region, start.first, start.second, !gap);
        active_.push_back(&region);
    }
    if (!active_.empty()) complete_regions_until(nullptr, 0);
    if (segments_.empty()) return;

    // LineCoverageIterator and LineCoverageStats: every line from the first segment's to the
    // last's, with the segments on it and the last segment of the closest earlier line with any.
    const Segment* wrapped = nullptr;
    size_t line_begin = 0, line_end = 0, next = 0;
    for (unsigned line = segments_.front().line; next != segments_.size(); ++line) {
        if (line_end > line_begin) wrapped = &segments_[line_end - 1];
        line_begin = next;
        while (next != segments_.size() && segments_[next].line == line) ++next;
        line_end = next;

        auto starts_region = [](const Segment& s) { return !s.gap && s.has_count && s.region_entry; };
        bool region_starts = false;
        for (size_t i = line_begin; i < line_end && !region_starts; ++i) region_starts = starts_region(segments_[i]);
        bool starts_skipped =
            line_end > line_begin && !segments_[line_begin].has_count && segments_[line_begin].region_entry;
        bool mapped = !starts_skipped && ((wrapped && wrapped->has_count) || region_starts);
        if (!mapped) continue;
        uint64_t count = wrapped ? wrapped->count : 0;
        if (region_starts)
            for (size_t i = line_begin; i < line_end; ++i)
                if (starts_region(segments_[i])) count = std::max(count, segments_[i].count);
        lines.push_back(line);
        counts.push_back(count);
    }
}

}  // namespace dlcov
