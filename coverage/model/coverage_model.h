// The coverage model: what a build can cover (its layout) and how often a run covered it (counts).
//
// A layout is fixed by the instrumented objects; every profile of the same objects yields counts
// aligned with it. Keeping the two apart makes union, intersection and difference of coverage
// sets element-wise operations on count vectors, and lets many trials share one layout.
//
// Summaries follow `llvm-cov report` (LLVM 14) exactly: a file's numbers are the sum over its
// function definitions ("instantiation groups"); a definition's line and branch numbers are the
// maximum over its template instantiations; a definition counts as a covered function when any
// instantiation ran. Definitions with is_function false (Python module code, gcov's lines) count
// no function. gcov mode's counts_when_all_ran instantiations (Instantiation) count one line or none.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlcov {

// One compiled instance of a function (a template instantiation, or the function itself).
struct Instantiation {
    std::string name;                        // mangled name
    size_t first_line = 0, line_count = 0;   // slice of CoverageLayout::line_numbers
    size_t first_branch = 0, branch_count = 0;  // slice of branch sides (two per branch)
    size_t function_index = 0;               // index into CoverageCounts::functions
    // Where each branch side goes, for modes whose sides are exits rather than true/false pairs
    // (Python: a line with n exits has n sides). Per side of the slice: the line it jumps to;
    // negative, leaving the code object that starts on line -N; 0, an exit that cannot be missed
    // (coverage.py's `# pragma: no branch`). Empty for clang's true/false pairs.
    std::vector<int> branch_exits = {};
    // gcov mode (coverage/gcov/README.md): gcovr 5.2 leaves a line that looks like no code (a lone
    // brace, `else`, a comment) out of its totals unless, in some object, every occurrence of the
    // line ran. Such a line is a definition of its own; each instantiation holds the line's
    // occurrences in one object and, with this flag, counts as one line (with its branch sides)
    // when all of its line items ran, and as nothing, not even in the totals, otherwise.
    bool counts_when_all_ran = false;
};

// A function definition in a source file and all its instantiations.
struct FunctionDefinition {
    std::string name;  // demangled-able name, or "" when instantiations differ
    std::string display_name;  // printable (demangled) name, set by the reader; "" = use `name`
    unsigned line = 0, column = 0;
    std::vector<Instantiation> instantiations;
    // False for a definition that holds lines and branches but is not a function: a Python
    // module's top-level statements. Its lines and branches count; it adds nothing to the
    // function tally. Always true for clang's coverage.
    bool is_function = true;
};

struct SourceFile {
    std::string path;  // as recorded in the coverage mapping (absolute for our builds)
    std::vector<FunctionDefinition> functions;
};

// Where each countable item sits; identical for every profile of the same objects.
struct CoverageLayout {
    std::vector<SourceFile> files;       // sorted by path (per layer: layout_concatenation.h)
    std::vector<unsigned> line_numbers;  // mapped source line of each line item
    std::vector<unsigned> branch_lines;  // source line of each branch side
    size_t function_items = 0;

    // A digest of the structure; equal layouts have equal fingerprints.
    uint64_t fingerprint() const;
};

// Execution counts aligned with a layout.
struct CoverageCounts {
    std::vector<uint64_t> lines;
    std::vector<uint64_t> branches;   // per branch side: clang's [2k] true, [2k+1] false side of branch
                                      // k; Python's exits in Instantiation::branch_exits order
    std::vector<uint64_t> functions;  // per instantiation

    static CoverageCounts zeros(const CoverageLayout& layout);
};

// Set algebra on "covered" (count > 0). Operands must come from the same layout.
CoverageCounts unite(const CoverageCounts& a, const CoverageCounts& b);         // counts add
CoverageCounts intersect(const CoverageCounts& a, const CoverageCounts& b);     // min
CoverageCounts subtract(const CoverageCounts& a, const CoverageCounts& b);      // a where b is 0

struct Tally {
    uint64_t covered = 0, total = 0;
    Tally& operator+=(const Tally& o) {
        covered += o.covered;
        total += o.total;
        return *this;
    }
    double percent() const { return total ? 100.0 * double(covered) / double(total) : 0.0; }
};

struct CoverageTally {
    Tally lines, branches, functions;
    CoverageTally& operator+=(const CoverageTally& o) {
        lines += o.lines;
        branches += o.branches;
        functions += o.functions;
        return *this;
    }
};

// Tallies by component id ("api", ... "environment") and "overall": the shape of coverage
// snapshots and of per-trial numbers.
using ComponentTallies = std::map<std::string, CoverageTally>;

// The three numbers of a tally, for code that treats each the same way (tables, exports).
struct TallyMetric {
    const char* name;   // "lines", "branches", "functions"
    const char* title;  // "Line coverage", ...
    Tally CoverageTally::*member;
};
inline constexpr TallyMetric kTallyMetrics[] = {{"lines", "Line coverage", &CoverageTally::lines},
                                                {"branches", "Branch coverage", &CoverageTally::branches},
                                                {"functions", "Function coverage", &CoverageTally::functions}};

// llvm-cov report's numbers for one file.
CoverageTally summarize_file(const CoverageLayout& layout, size_t file_index,
                             const CoverageCounts& counts);

}  // namespace dlcov
