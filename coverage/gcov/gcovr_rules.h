// The parts of gcovr 5.2's reading (gcovr/gcov_parser.py, default options) that decide what
// counts: which source text is no code, which lines and branches exclusion markers remove, and
// which functions are internal.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dlcov::gcov {

// gcovr's _is_non_code: the line is empty, `{`, `}` or `else` once comments are removed. gcovr
// leaves such a line out when gcov says it has no code ("-") or that it did not run.
bool looks_like_no_code(std::string_view code);

// gcovr's internal functions, not counted by default (--include-internal-functions counts them):
// names starting with "__" (__static_initialization_and_destruction_0) or "_GLOBAL__sub_I_".
bool is_internal_function(std::string_view name);

// Line ranges [first, end) a gcov output's exclusion markers remove: `GCOVR_EXCL_LINE`,
// `..._START` ... `..._STOP` (also GCOV_ and LCOV_), lines for lines, BR_ for branches.
class ExclusionMarkers {
public:
    // Source lines in the order gcov printed them (one gcov output, template sections included).
    void add_line(unsigned number, std::string_view code);
    bool line_excluded(unsigned number) const { return in(lines_, number); }
    bool branch_excluded(unsigned number) const { return in(branches_, number); }
    bool any() const { return !lines_.empty() || !branches_.empty(); }

private:
    using Ranges = std::vector<std::pair<unsigned, unsigned>>;
    struct Stack {
        std::vector<std::pair<std::string, unsigned>> open;  // marker header, line
    };
    static bool in(const Ranges& ranges, unsigned number);
    static void marker(unsigned number, const std::string& header, const std::string& flag, Ranges& ranges, Stack& stack);
    Ranges lines_, branches_;
    Stack line_stack_, branch_stack_;
};

}  // namespace dlcov::gcov
