#include "gcovr_rules.h"

#include <regex>

namespace dlcov::gcov {

namespace {

// gcovr removes `//...` to the end of the line and then every `/* ... */` (non-greedy).
std::string without_comments(std::string_view code) {
    std::string s(code);
    size_t slashes = s.find("//");
    if (slashes != std::string::npos) s.erase(slashes);
    for (size_t open = s.find("/*"); open != std::string::npos; open = s.find("/*", open)) {
        size_t close = s.find("*/", open + 2);
        if (close == std::string::npos) break;
        s.erase(open, close + 2 - open);
    }
    return s;
}

std::string_view trimmed(const std::string& s) {
    // Python's str.strip(): whitespace including \t, \n, \v, \f, \r.
    const char* space = " \t\n\v\f\r";
    size_t b = s.find_first_not_of(space);
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(space);
    return std::string_view(s).substr(b, e - b + 1);
}

}  // namespace

bool looks_like_no_code(std::string_view code) {
    std::string s = without_comments(code);
    std::string_view t = trimmed(s);
    return t.empty() || t == "{" || t == "}" || t == "else";
}

bool is_internal_function(std::string_view name) {
    return name.substr(0, 2) == "__" || name.substr(0, 15) == "_GLOBAL__sub_I_";
}

bool ExclusionMarkers::in(const Ranges& ranges, unsigned number) {
    for (const auto& [first, end] : ranges)
        if (first <= number && number < end) return true;
    return false;
}

void ExclusionMarkers::marker(unsigned number, const std::string& header, const std::string& flag, Ranges& ranges,
                              Stack& stack) {
    if (flag == "LINE") {
        if (stack.open.empty()) ranges.emplace_back(number, number + 1);  // inside a START it is ignored
    } else if (flag == "START") {
        stack.open.emplace_back(header, number);
    } else if (flag == "STOP" && !stack.open.empty()) {
        ranges.emplace_back(stack.open.back().second, number);  // the STOP line itself counts
        stack.open.pop_back();
    }
}

void ExclusionMarkers::add_line(unsigned number, std::string_view code) {
    if (code.find("_EXCL_") == std::string_view::npos) return;
    static const std::regex line_marker("([GL]COVR?)_EXCL_(LINE|START|STOP)");
    static const std::regex branch_marker("([GL]COVR?)_EXCL_BR_(LINE|START|STOP)");
    std::string text(code);
    for (std::sregex_iterator m(text.begin(), text.end(), line_marker), end; m != end; ++m)
        marker(number, (*m)[1], (*m)[2], lines_, line_stack_);
    for (std::sregex_iterator m(text.begin(), text.end(), branch_marker), end; m != end; ++m)
        marker(number, (*m)[1], (*m)[2], branches_, branch_stack_);
}

}  // namespace dlcov::gcov
