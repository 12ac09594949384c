#include "mapping_evaluation.h"

#include "line_segments.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <tuple>

namespace dlcov {

namespace {

// A record LLVM loads, with its counters (a slice of Reading::counters).
struct Loaded {
    uint32_t record;
    size_t first_counter;
};

// A loaded record in the instantiation group it belongs to: its file's place among the files,
// where the group starts, and its place in load order.
struct Placed {
    uint32_t file_rank;
    unsigned line, column;
    size_t loaded;
    bool same_group(const Placed& o) const { return file_rank == o.file_rank && line == o.line && column == o.column; }
    bool operator<(const Placed& o) const {
        return std::tie(file_rank, line, column, loaded) < std::tie(o.file_rank, o.line, o.column, o.loaded);
    }
};

// Counter values of one record, each expression evaluated once (CounterMappingContext::evaluate
// evaluates them again wherever they occur; the sums are the same). Arithmetic wraps as LLVM's
// int64_t does, handed over as uint64_t.
class CounterValues {
public:
    void reset(const RecordPlan& record, const uint64_t* counters) {
        record_ = &record;
        counters_ = counters;
        known_.assign(record.expressions.size(), false);
        values_.resize(record.expressions.size());
    }
    // Only for records whose counters the profile has and whose expressions exist (checked
    // before: RecordPlan::highest_counter, refers_to_missing_expression).
    uint64_t operator()(const PlanCounter& c) {
        switch (c.kind) {
        case PlanCounter::zero: return 0;
        case PlanCounter::counter: return counters_[c.id];
        case PlanCounter::expression: break;
        }
        if (!known_[c.id]) {
            const PlanExpression& e = record_->expressions[c.id];
            uint64_t lhs = (*this)(e.lhs), rhs = (*this)(e.rhs);
            values_[c.id] = e.subtract ? lhs - rhs : lhs + rhs;
            known_[c.id] = true;
        }
        return values_[c.id];
    }

private:
    const RecordPlan* record_ = nullptr;
    const uint64_t* counters_ = nullptr;
    std::vector<bool> known_;
    std::vector<uint64_t> values_;
};

// CoverageMapping::loadFunctionRecord for every record, in order: which records the reading
// holds, and their counters.
std::vector<Loaded> load_records(const MappingPlan& plan, const FunctionCounts& counts_of,
                                 std::vector<uint64_t>& counters, unsigned& hash_mismatches) {
    std::vector<Loaded> loaded;
    std::vector<bool> seen(plan.duplicate_keys, false);
    std::vector<uint64_t> counts;
    for (uint32_t i = 0; i < plan.records.size(); ++i) {
        const RecordPlan& r = plan.records[i];
        counts.clear();
        ProfileLookup found = counts_of(r.pgo_name, r.hash, counts);
        // Records with hash 0 are placeholders for inline functions an object never emitted; they
        // "mismatch" whenever another object emitted the function, which says nothing is wrong.
        if (found == ProfileLookup::hash_mismatch) {
            hash_mismatches += r.hash != 0;
            continue;
        }
        if (found == ProfileLookup::unknown_function) counts.assign(r.region_count, 0);
        if (r.placeholder && !counts.empty() && counts[0] > 0) continue;
        if (r.refers_to_missing_expression || (r.highest_counter >= 0 && uint64_t(r.highest_counter) >= counts.size()))
            continue;  // an evaluation would fail: LLVM drops the record
        if (seen[r.duplicate_key]) continue;
        seen[r.duplicate_key] = true;
        loaded.push_back({i, counters.size()});
        counters.insert(counters.end(), counts.begin(), counts.end());
    }
    return loaded;
}

// One record's lines, branches and execution count (llvm_reader's read_instantiation on LLVM's
// getCoverageForFunction).
class InstantiationReader {
public:
    Instantiation read(const RecordPlan& r, const uint64_t* counters, CoverageLayout& layout, CoverageCounts& counts) {
        values_.reset(r, counters);
        Instantiation inst;
        inst.name = r.function_name;

        spans_.clear();
        for (const PlannedRegion& p : r.regions) {
            uint64_t count = 0;
            for (uint32_t m = p.first_member; m < p.first_member + p.member_count; ++m) count += values_(r.members[m]);
            spans_.push_back({p.line_start, p.column_start, p.line_end, p.column_end, count, p.kind});
        }
        inst.first_line = layout.line_numbers.size();
        segments_.mapped_lines(spans_, layout.line_numbers, counts.lines);
        inst.line_count = layout.line_numbers.size() - inst.first_line;

        inst.first_branch = layout.branch_lines.size();
        for (const PlannedBranch& b : r.branches) {
            layout.branch_lines.push_back(b.line);
            layout.branch_lines.push_back(b.line);
            counts.branches.push_back(values_(b.true_count));
            counts.branches.push_back(values_(b.false_count));
        }
        inst.branch_count = layout.branch_lines.size() - inst.first_branch;

        inst.function_index = layout.function_items++;
        counts.functions.push_back(values_(r.function_counter));
        return inst;
    }

private:
    CounterValues values_;
    std::vector<CountedSpan> spans_;
    LineSegments segments_;
};

// Every file of ranks [rank_begin, rank_end) that a loaded record names, with the groups of
// `placed` (sorted) in them: the layout and counts of that stretch of files, numbered from zero.
LlvmCoverage read_files(const MappingPlan& plan, const std::vector<Loaded>& loaded, const uint64_t* counters,
                        const std::vector<bool>& named, uint32_t rank_begin, uint32_t rank_end,
                        std::vector<Placed>::const_iterator next, std::vector<Placed>::const_iterator placed_end) {
    LlvmCoverage out;
    InstantiationReader reader;
    for (uint32_t rank = rank_begin; rank < rank_end; ++rank) {
        uint32_t f = plan.file_order[rank];
        if (!named[f]) continue;
        SourceFile file;
        file.path = plan.files[f];
        for (; next != placed_end && next->file_rank == rank;) {
            auto group_end = std::find_if(next, placed_end, [&](const Placed& p) { return !p.same_group(*next); });
            const RecordPlan& first = plan.records[loaded[next->loaded].record];
            FunctionDefinition fn;
            fn.line = next->line;
            fn.column = next->column;
            bool one_name = true;
            for (; next != group_end; ++next) {
                const Loaded& l = loaded[next->loaded];
                const RecordPlan& r = plan.records[l.record];
                one_name = one_name && r.function_name == first.function_name;
                fn.instantiations.push_back(reader.read(r, counters + l.first_counter, out.layout, out.counts));
            }
            if (one_name) fn.name = first.function_name;
            fn.display_name = first.display_name;
            file.functions.push_back(std::move(fn));
        }
        out.layout.files.push_back(std::move(file));
    }
    return out;
}

// Appends `tail` (the files after `out`'s) to `out`, its items numbered on from out's.
void append_files(LlvmCoverage& out, LlvmCoverage&& tail) {
    size_t lines = out.layout.line_numbers.size(), branches = out.layout.branch_lines.size(),
           functions = out.layout.function_items;
    for (SourceFile& file : tail.layout.files) {
        for (FunctionDefinition& fn : file.functions)
            for (Instantiation& inst : fn.instantiations) {
                inst.first_line += lines;
                inst.first_branch += branches;
                inst.function_index += functions;
            }
        out.layout.files.push_back(std::move(file));
    }
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(out.layout.line_numbers, tail.layout.line_numbers);
    append(out.layout.branch_lines, tail.layout.branch_lines);
    out.layout.function_items += tail.layout.function_items;
    append(out.counts.lines, tail.counts.lines);
    append(out.counts.branches, tail.counts.branches);
    append(out.counts.functions, tail.counts.functions);
}

}  // namespace

LlvmCoverage evaluate_mapping(const MappingPlan& plan, const FunctionCounts& counts_of, size_t halves_from) {
    std::vector<uint64_t> counters;
    unsigned hash_mismatches = 0;
    std::vector<Loaded> loaded = load_records(plan, counts_of, counters, hash_mismatches);

    // getUniqueSourceFiles: every file a loaded record names, by name. getInstantiationGroups:
    // per file, the records defined in it grouped by where they start, groups in that order and
    // each group's records in load order.
    std::vector<bool> named(plan.files.size(), false);
    std::vector<Placed> placed;
    for (size_t i = 0; i < loaded.size(); ++i) {
        const RecordPlan& r = plan.records[loaded[i].record];
        for (uint32_t f : r.files) named[f] = true;
        if (r.has_main) placed.push_back({plan.file_rank[r.files[r.main_file]], r.group_line, r.group_column, i});
    }
    std::sort(placed.begin(), placed.end());

    // Files are independent of each other: a large reading is read in two halves of its records,
    // split where a file starts, the second half on a thread of its own, and put together in file
    // order as one thread would have made it.
    uint32_t ranks = uint32_t(plan.file_order.size());
    // The start of a file's records nearest the middle: after the middle one's file, or at its start.
    auto middle = placed.begin() + std::ptrdiff_t(placed.size() / 2), split = middle;
    if (!placed.empty()) {
        auto after = std::find_if(middle, placed.end(), [&](const Placed& p) { return p.file_rank != middle->file_rank; });
        auto at = std::find_if(std::make_reverse_iterator(middle), placed.rend(), [&](const Placed& p) {
                      return p.file_rank != middle->file_rank;
                  }).base();
        split = at != placed.begin() && (after == placed.end() || middle - at < after - middle) ? at : after;
    }
    LlvmCoverage out;
    if (std::thread::hardware_concurrency() < 2 || placed.size() < std::max<size_t>(halves_from, 2) || split == placed.end()) {
        out = read_files(plan, loaded, counters.data(), named, 0, ranks, placed.cbegin(), placed.cend());
    } else {
        uint32_t split_rank = split->file_rank;
        LlvmCoverage tail;
        std::exception_ptr failure;
        std::thread second([&] {
            try {
                tail = read_files(plan, loaded, counters.data(), named, split_rank, ranks, split, placed.cend());
            } catch (...) {
                failure = std::current_exception();
            }
        });
        try {
            out = read_files(plan, loaded, counters.data(), named, 0, split_rank, placed.cbegin(), split);
        } catch (...) {
            second.join();
            throw;
        }
        second.join();
        if (failure) std::rethrow_exception(failure);
        append_files(out, std::move(tail));
    }
    out.hash_mismatches = hash_mismatches;
    return out;
}

}  // namespace dlcov
