// gcov's text output, line by line, as gcovr 5.2 reads it (gcovr/gcov_parser.py).
//
// dlcov runs gcov as gcovr does (--branch-counts --branch-probabilities --demangled-names), with
// --stdout, and reads the same text gcovr parses rather than gcov's JSON: gcovr numbers a line's
// branches by their place among the line's calls and branches ("call 0 returned 1", "branch 1
// taken 0"), it merges branches of one line from several objects and template instantiations by
// that number, and gcc 12's JSON lists no calls; gcovr also decides from the source text whether
// an uncovered line is code, and the text carries the source.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace dlcov::gcov {

struct GcovTextLine {
    enum Kind {
        Metadata,        // "-: 0:Source:shared.h"; key and value in `text` ("Source", `value`)
        Source,          // "    12:   13:code" (counted), "#####", "=====", or "-" (no code: `dash`)
        Branch,          // "branch  1 taken 5 (fallthrough)", "branch 0 never executed"
        Function,        // "function NAME called 3 returned 100% blocks executed 80%"
        Other,           // calls, unconditional branches, blocks, specialization markers and names
    } kind = Other;
    uint64_t count = 0;     // Source: the line's count; Branch: times taken; Function: calls
    unsigned number = 0;    // Source: the line number; Branch: the branch's number
    bool dash = false;      // Source: "-" (gcov says the line has no code)
    std::string_view text;  // Source: the code; Function: the name; Metadata: the key
    std::string_view value; // Metadata: the value
};

// Parses one line of gcov's text output (no newline). Throws UserError naming `where` (the output
// and its line number) for a line gcovr would not parse either.
GcovTextLine parse_gcov_text_line(std::string_view line, const std::string& where);

// gcovr's reading of gcov's numbers: "123", "1.7k" (human-readable units), "17.2%" (1 when not 0).
uint64_t gcov_number(std::string_view text, const std::string& where);

}  // namespace dlcov::gcov
