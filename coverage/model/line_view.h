// Coverage of one source file line by line, as the annotated source page and the lcov and
// Cobertura exports show it.
//
// A source line is instrumented when any instantiation of any function definition has a line item
// on it. Its hit count is the sum over those items (what `llvm-cov show` prints for a template
// line: every instantiation's executions). A runner "reached" the line when any of those items
// has a non-zero count in that runner's counts.
//
// Branch sides per line: for each function definition, the instantiation whose sides the union
// covered most (the one `llvm-cov report` takes for the definition's branch numbers), its sides
// with their union counts. So the covered sides of a file add up to the report's number. Clang's
// sides come in true/false pairs; Python's are the exits of the line (BranchSide::exit).
//
// Nothing here counts functions: Python's module code is a definition (is_function false) with
// lines and branches like any other.
//
// Lines here are distinct source lines. `llvm-cov report` (LLVM 14), and so Table 6, sums lines
// per function definition: a line that belongs to two definitions (a lambda's body is also a line
// of the function around it) counts twice there and once here.
#pragma once
#include "coverage_model.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct BranchSide {
    unsigned block = 0;  // function definition index within the file (lcov's block number)
    unsigned side = 0;   // side index within that definition's chosen instantiation
    uint64_t count = 0;
    bool true_side = true;  // clang's sides: true or false (by position in their pair)
    // Python's sides are exits (Instantiation::branch_exits): `exit` is set and `exit_to` is the
    // line the side jumps to (negative: leaves the code object starting on -exit_to; 0: an exit
    // that cannot be missed). true_side means nothing for them.
    bool exit = false;
    int exit_to = 0;
};

// How a side is shown: "true", "false", "exit to line 12", "leave the code starting at line 3",
// "exit not tracked (pragma: no branch)".
std::string branch_side_label(const BranchSide& side);

struct LineCoverage {
    uint64_t hits = 0;
    std::vector<bool> reached_by;  // per runner, in the order the runners were given
    std::vector<BranchSide> branches;
};

struct FileLineView {
    std::map<unsigned, LineCoverage> lines;  // instrumented lines only, by line number
    Tally line_tally() const;                // distinct lines hit / instrumented
    Tally branch_tally() const;              // sides taken / sides
};

// `runner_counts` may be empty; then reached_by is empty too.
FileLineView build_line_view(const CoverageLayout& layout, size_t file_index, const CoverageCounts& union_counts,
                             const std::vector<const CoverageCounts*>& runner_counts);

// The printable name of a function definition: the reader's display name (demangled), else its
// name (for templates with differing instantiations, the first instantiation's).
std::string definition_display_name(const FunctionDefinition& fn);

}  // namespace dlcov
