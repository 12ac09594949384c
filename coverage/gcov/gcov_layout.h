// gcov's text output of a build's objects as dlcov's coverage model, counted as gcovr 5.2 counts
// (default options; README.md, "How dlcov counts like gcovr").
//
// The layout comes from gcov's output for each object's notes file alone (nothing run); every
// later output of the same object (with a data file) prints the same lines in the same order with
// other counts. The layout keeps, per object, where each printed count goes (a slot per counted
// source line, branch and function line); reading an output adds its counts to those items and
// checks that the output has the layout's shape.
//
// What gcovr counts, per source file (every object's output of it merged):
//  - a line that is code (not looks_like_no_code) counts when some object printed a count for it
//    and no exclusion marker removed it there: covered when its counts add up to more than zero;
//  - a line that looks like no code (a lone brace, `else`, a comment) counts only when, in some
//    object, every count printed for it (file listing and template sections) is above zero: then
//    it is covered. A counts_when_all_ran definition of its own (coverage_model.h);
//  - branches are merged per line by their number in gcov's listing (calls share the numbering),
//    and count when their line counts;
//  - functions are merged per file by demangled name, internal ones (gcovr_rules.h) left out.
#pragma once
#include "coverage_model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlcov::gcov {

// Where one count of an object's gcov output goes.
struct Slot {
    enum Kind : uint8_t { Source, Branch, Function } kind = Source;  // what printed it (checked)
    enum Target : uint8_t { None, Line, BranchSide, FunctionItem } target = None;
    uint32_t number = 0;  // Source: line number; Branch: branch number (checked)
    uint32_t index = 0;   // into CoverageCounts::lines, branches or functions
};

struct ObjectSlots {
    std::vector<std::string> files;  // the output's source files in order, as gcov printed them
    std::vector<Slot> slots;         // every count of the output in order
};

struct GcovLayout {
    CoverageLayout layout;
    std::vector<ObjectSlots> objects;  // per object, in the order given
};

// One object's gcov output of its notes file alone, and the folder its relative source names are
// relative to (the compiler's working directory).
struct LayoutOutput {
    std::string text_file;    // gcov's text output (--stdout) for the notes file alone
    std::string working_dir;  // file paths in the layout are this joined with gcov's Source:
    std::string where;        // names the object in errors
};

// The layout of every object's output; UserError naming the output and line for text gcovr
// would not parse either.
GcovLayout build_gcov_layout(const std::vector<LayoutOutput>& outputs);

// Adds the counts of a gcov output of object `object` (a notes file with a data file) to `counts`.
// UserError naming `where` when the output does not have the layout's shape (another build).
void add_gcov_counts(const GcovLayout& layout, size_t object, const std::string& text_file, const std::string& where,
                     CoverageCounts& counts);

// "/a/b/../c" -> "/a/c"; relative names joined to `working_dir` first.
std::string source_path(const std::string& working_dir, const std::string& name);

}  // namespace dlcov::gcov
