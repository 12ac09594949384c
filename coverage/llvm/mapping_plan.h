// What each function record of a coverage mapping asks of a profile, worked out once when the
// mapping is decoded (decoded_mapping.h) and evaluated for every reading (mapping_evaluation.h).
//
// LLVM 14's CoverageMapping::load and getCoverageForFunction redo, for every reading, work that
// depends only on the mapping: naming the function, finding the file it is defined in, sorting
// its regions and combining those that cover the same span, gathering its branches through the
// macros it expands. A plan keeps the outcome, so a reading only evaluates counters and builds
// line segments. The rules are LLVM 14's (CoverageMapping.cpp); mapping_evaluation.cpp says where
// each one comes from, and tests compare every reading with LLVM's own (llvm_library_reading.h).
//
// No LLVM types: the plan is plain data, built from LLVM's records by mapping_plan.cpp.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace llvm::coverage {
struct CoverageMappingRecord;
}

namespace dlcov {

// A counter of a coverage mapping: the constant zero, a profile counter, or an expression.
struct PlanCounter {
    enum Kind : uint8_t { zero, counter, expression };
    Kind kind = zero;
    uint32_t id = 0;  // counter index, or expression index in RecordPlan::expressions
};

struct PlanExpression {
    bool subtract = false;  // lhs - rhs, else lhs + rhs
    PlanCounter lhs, rhs;
};

// Region kinds, numbered as LLVM numbers them (its sort order of same-span regions relies on it).
enum class PlanRegionKind : uint8_t { code = 0, expansion = 1, skipped = 2, gap = 3 };

// A region of the function's own file after LLVM's combining: regions that cover the same span
// are one, counted by the sum of those of the first one's kind (members).
struct PlannedRegion {
    unsigned line_start = 0, column_start = 0, line_end = 0, column_end = 0;
    PlanRegionKind kind = PlanRegionKind::code;
    uint32_t first_member = 0, member_count = 0;  // slice of RecordPlan::members
};

// A branch llvm-cov counts (not constant-folded): its line and the counters of its two sides.
struct PlannedBranch {
    unsigned line = 0;
    PlanCounter true_count, false_count;
};

struct RecordPlan {
    // How profiles name the function: its PGO name and structural hash.
    std::string pgo_name;
    uint64_t hash = 0;
    // The name llvm-cov gives it (PGO name without the "file:" prefix of local functions) and
    // that name demangled for display.
    std::string function_name, display_name;
    std::vector<uint32_t> files;  // the record's file list, as indices into MappingPlan::files
    // Records after the first of the same (file list, function name) pair are left out.
    uint32_t duplicate_key = 0;

    // Whether an evaluation can fail: LLVM drops a record one of whose region counters refers to
    // an expression that does not exist, or to a counter the profile does not have.
    bool refers_to_missing_expression = false;
    int64_t highest_counter = -1;  // -1: no region refers to any counter
    uint32_t region_count = 0;     // LLVM 14 gives a function no profile has one zero per region
    // A lone region counted by the constant zero: a placeholder for a function some other
    // translation unit emitted; LLVM leaves it out when the profile ran the function.
    bool placeholder = false;

    PlanCounter function_counter;  // the first region's: the function's execution count

    // The file the function is defined in (the first file no expansion region expands into) and
    // where its first region there starts: the key of its instantiation group. has_main is false
    // when there is no such file or no region in it; the record then belongs to no group.
    bool has_main = false;
    uint32_t main_file = 0;
    unsigned group_line = 0, group_column = 0;

    std::vector<PlanExpression> expressions;
    std::vector<PlannedRegion> regions;  // of the main file, sorted, combined
    std::vector<PlanCounter> members;
    std::vector<PlannedBranch> branches;  // the main file's, then those of its expansions, recursively
};

struct MappingPlan {
    std::vector<std::string> files;  // every file name records name, once each
    std::vector<uint32_t> file_order;  // indices into files, sorted by name
    std::vector<uint32_t> file_rank;   // per file, its place in file_order
    std::vector<RecordPlan> records;   // in the order LLVM loads them: objects in order
    uint32_t duplicate_keys = 0;       // RecordPlan::duplicate_key < duplicate_keys

    // Adds `record` (with `files` its file list, already in `files`). Throws UserError naming
    // `object` for a record LLVM refuses (one without a function name).
    void add(const llvm::coverage::CoverageMappingRecord& record, std::vector<uint32_t> record_files,
             const std::string& object);
    // Sorts the files (file_order, file_rank); call once all records are added.
    void finish();

private:
    // (file list, function name) pairs seen, for duplicate_key.
    std::map<std::pair<std::vector<uint32_t>, std::string>, uint32_t> keys_seen_;
};

}  // namespace dlcov
