#include "mapping_plan.h"

#include "error.h"

#include <llvm/Demangle/Demangle.h>
#include <llvm/ProfileData/Coverage/CoverageMapping.h>
#include <llvm/ProfileData/Coverage/CoverageMappingReader.h>
#include <llvm/ProfileData/InstrProf.h>

#include <algorithm>

namespace dlcov {

namespace {

using llvm::coverage::Counter;
using llvm::coverage::CounterMappingRegion;
using llvm::coverage::CoverageMappingRecord;

PlanCounter plan_counter(const Counter& c) {
    switch (c.getKind()) {
    case Counter::Zero: return {};
    case Counter::CounterValueReference: return {PlanCounter::counter, c.getCounterID()};
    case Counter::Expression: return {PlanCounter::expression, c.getExpressionID()};
    }
    return {};
}

// What evaluating the record's region counters needs of a profile: the highest counter they
// reach and whether they reach an expression that does not exist (CounterMappingContext::evaluate
// fails on either, and loadFunctionRecord then drops the record).
class Reach {
public:
    explicit Reach(const std::vector<PlanExpression>& expressions)
        : expressions_(expressions), state_(expressions.size(), unseen), highest_(expressions.size(), -1) {}

    void add(const PlanCounter& c) {
        int64_t h = reach(c);
        highest = std::max(highest, h);
    }
    int64_t highest = -1;
    bool missing = false;

private:
    enum State : uint8_t { unseen, in_progress, done };
    int64_t reach(const PlanCounter& c) {
        if (c.kind == PlanCounter::zero) return -1;
        if (c.kind == PlanCounter::counter) return c.id;
        if (c.id >= expressions_.size() || state_[c.id] == in_progress) {  // (a cycle: malformed)
            missing = true;
            return -1;
        }
        if (state_[c.id] == unseen) {
            state_[c.id] = in_progress;
            const PlanExpression& e = expressions_[c.id];
            highest_[c.id] = std::max(reach(e.lhs), reach(e.rhs));
            state_[c.id] = done;
        }
        return highest_[c.id];
    }
    const std::vector<PlanExpression>& expressions_;
    std::vector<State> state_;
    std::vector<int64_t> highest_;
};

// LLVM's SegmentBuilder::sortNestedRegions: by start; a region before those it contains; of
// regions with one span, code before expansion before skipped.
bool nested_order(const CounterMappingRegion* l, const CounterMappingRegion* r) {
    if (l->startLoc() != r->startLoc()) return l->startLoc() < r->startLoc();
    if (l->endLoc() != r->endLoc()) return r->endLoc() < l->endLoc();
    return l->Kind < r->Kind;
}

// A record's regions by the file they are in, each file's in record order.
using RegionsByFile = std::vector<std::vector<const CounterMappingRegion*>>;

// The branches getCoverageForFunction and getCoverageForExpansion hand over for `file`, then
// those of every expansion in it, recursively, as collect_branches in
// tests/llvm_library_reading.cpp reads them.
void gather_branches(const RegionsByFile& regions, unsigned file, unsigned depth, RecordPlan& plan) {
    if (file >= regions.size() || depth > regions.size()) return;  // malformed (a cycle would never end)
    for (const CounterMappingRegion* r : regions[file]) {
        if (r->Kind != CounterMappingRegion::BranchRegion) continue;
        if (r->Count.isZero() && r->FalseCount.isZero()) continue;  // constant-folded
        plan.branches.push_back({r->LineStart, plan_counter(r->Count), plan_counter(r->FalseCount)});
    }
    for (const CounterMappingRegion* r : regions[file])
        if (r->Kind == CounterMappingRegion::ExpansionRegion) gather_branches(regions, r->ExpandedFileID, depth + 1, plan);
}

std::string display_name(llvm::StringRef name) {
    // Local functions are named "file.cpp:name"; mangled names start with _Z and hold no colon.
    auto colon = name.find(':');
    if (colon != llvm::StringRef::npos && !name.startswith("_Z")) name = name.substr(colon + 1);
    return llvm::demangle(name.str());
}

}  // namespace

void MappingPlan::add(const CoverageMappingRecord& record, std::vector<uint32_t> record_files,
                      const std::string& object) {
    if (record.FunctionName.empty())
        throw UserError("cannot read coverage mapping of " + object + ": a function record without a name "
                        "(Malformed coverage data)");
    RecordPlan plan;
    plan.pgo_name = record.FunctionName.str();
    plan.hash = record.FunctionHash;
    plan.function_name = (record.Filenames.empty()
                              ? llvm::getFuncNameWithoutPrefix(record.FunctionName)
                              : llvm::getFuncNameWithoutPrefix(record.FunctionName, record.Filenames[0]))
                             .str();
    plan.display_name = display_name(plan.function_name);
    plan.files = std::move(record_files);
    auto [key, added] = keys_seen_.try_emplace({plan.files, plan.function_name}, duplicate_keys);
    duplicate_keys += added;
    plan.duplicate_key = key->second;

    for (const auto& e : record.Expressions)
        plan.expressions.push_back({e.Kind == llvm::coverage::CounterExpression::Subtract, plan_counter(e.LHS),
                                    plan_counter(e.RHS)});
    Reach reach(plan.expressions);
    for (const auto& r : record.MappingRegions) {
        reach.add(plan_counter(r.Count));
        reach.add(plan_counter(r.FalseCount));
    }
    plan.highest_counter = reach.highest;
    plan.refers_to_missing_expression = reach.missing;
    plan.region_count = uint32_t(record.MappingRegions.size());
    plan.placeholder = record.MappingRegions.size() == 1 && record.MappingRegions[0].Count.isZero();

    // FunctionRecord::pushRegion: the function's count is its first non-branch region's.
    for (const auto& r : record.MappingRegions)
        if (r.Kind != CounterMappingRegion::BranchRegion) {
            plan.function_counter = plan_counter(r.Count);
            break;
        }

    // findMainViewFileID: the first file that is no expansion's.
    std::vector<bool> expanded(record.Filenames.size(), false);
    RegionsByFile in_file(record.Filenames.size());
    for (const auto& r : record.MappingRegions) {
        if (r.Kind == CounterMappingRegion::ExpansionRegion && r.ExpandedFileID < expanded.size())
            expanded[r.ExpandedFileID] = true;
        if (r.FileID < in_file.size()) in_file[r.FileID].push_back(&r);
    }
    auto main = std::find(expanded.begin(), expanded.end(), false);
    if (main == expanded.end()) {
        records.push_back(std::move(plan));
        return;
    }
    plan.main_file = unsigned(main - expanded.begin());
    std::vector<const CounterMappingRegion*> own;  // the main file's regions but branches
    for (const CounterMappingRegion* r : in_file[plan.main_file])
        if (r->Kind != CounterMappingRegion::BranchRegion) own.push_back(r);
    if (!own.empty()) {
        // FunctionInstantiationSetCollector::insert: the group is keyed by the start of the first
        // region in the main file.
        plan.has_main = true;
        plan.group_line = own.front()->LineStart;
        plan.group_column = own.front()->ColumnStart;
        std::stable_sort(own.begin(), own.end(), nested_order);
        // combineRegions: a run of regions with one span is its first; its count sums the run's
        // regions of the first one's kind.
        for (size_t i = 0; i < own.size();) {
            const CounterMappingRegion& first = *own[i];
            PlannedRegion region{first.LineStart, first.ColumnStart, first.LineEnd, first.ColumnEnd,
                                 PlanRegionKind(first.Kind), uint32_t(plan.members.size()), 0};
            size_t j = i;
            for (; j < own.size() && own[j]->startLoc() == first.startLoc() && own[j]->endLoc() == first.endLoc(); ++j)
                if (own[j]->Kind == first.Kind) {
                    plan.members.push_back(plan_counter(own[j]->Count));
                    ++region.member_count;
                }
            plan.regions.push_back(region);
            i = j;
        }
        gather_branches(in_file, plan.main_file, 0, plan);
    }
    records.push_back(std::move(plan));
}

void MappingPlan::finish() {
    file_order.resize(files.size());
    for (uint32_t i = 0; i < files.size(); ++i) file_order[i] = i;
    std::sort(file_order.begin(), file_order.end(), [&](uint32_t a, uint32_t b) { return files[a] < files[b]; });
    file_rank.resize(files.size());
    for (uint32_t i = 0; i < files.size(); ++i) file_rank[file_order[i]] = i;
    keys_seen_.clear();
}

}  // namespace dlcov
