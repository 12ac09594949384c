#include "gcov_text.h"

#include "error.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace dlcov::gcov {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// gcovr's VALUE: [0-9.]+ followed by at most one of %kMGTPEZY.
bool is_value(std::string_view s) {
    if (s.empty()) return false;
    size_t n = s.size();
    if (std::string_view("%kMGTPEZY").find(s.back()) != std::string_view::npos) --n;
    if (n == 0) return false;
    for (size_t i = 0; i < n; ++i)
        if (!is_digit(s[i]) && s[i] != '.') return false;
    return true;
}

bool is_marker(std::string_view s, char c) {
    if (s.size() < 5) return false;
    for (char x : s)
        if (x != c) return false;
    return true;
}

bool is_int(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

size_t skip_spaces(std::string_view s, size_t i) {
    while (i < s.size() && s[i] == ' ') ++i;
    return i;
}

// The next run of non-space characters from `i` (after spaces); `i` moves past it.
std::string_view word(std::string_view s, size_t& i) {
    i = skip_spaces(s, i);
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    return s.substr(start, i - start);
}

[[noreturn]] void unknown(std::string_view line, const std::string& where) {
    throw UserError(where + ": not a line of gcov's text output that gcovr 5.2 reads: " + std::string(line));
}

// "branch INT (taken VALUE( (WORD))?|never executed)"
bool parse_branch(std::string_view line, GcovTextLine& out, const std::string& where) {
    size_t i = 6;  // after "branch"
    std::string_view number = word(line, i);
    std::string_view what = word(line, i);
    if (!is_int(number)) return false;
    out.kind = GcovTextLine::Branch;
    out.number = unsigned(std::stoul(std::string(number)));
    if (what == "never") {
        if (word(line, i) != "executed" || skip_spaces(line, i) != line.size()) return false;
        out.count = 0;
        return true;
    }
    if (what != "taken") return false;
    std::string_view value = word(line, i);
    if (!is_value(value)) return false;
    out.count = gcov_number(value, where);
    std::string_view annotation = word(line, i);
    if (annotation.empty()) return true;
    if (annotation.size() < 3 || annotation.front() != '(' || annotation.back() != ')') return false;
    return skip_spaces(line, i) == line.size();
}

// "function NAME called INT returned VALUE blocks executed VALUE": NAME may hold spaces, so the
// fixed part is read from the end.
bool parse_function(std::string_view line, GcovTextLine& out, const std::string& where) {
    size_t end = line.find_last_not_of(' ');
    if (end == std::string_view::npos) return false;
    std::string_view rest = line.substr(0, end + 1);
    std::string_view fields[7];  // called INT returned VALUE blocks executed VALUE, read backwards
    for (int k = 6; k >= 0; --k) {
        size_t space = rest.find_last_of(' ');
        if (space == std::string_view::npos) return false;
        fields[k] = rest.substr(space + 1);
        rest = rest.substr(0, rest.find_last_not_of(' ', space) + 1);
    }
    if (fields[0] != "called" || !is_int(fields[1]) || fields[2] != "returned" || !is_value(fields[3]) ||
        fields[4] != "blocks" || fields[5] != "executed" || !is_value(fields[6]))
        return false;
    // `rest` is now "function NAME"
    if (!starts_with(rest, "function ")) return false;
    size_t name_start = skip_spaces(rest, 9);
    if (name_start >= rest.size()) return false;
    out.kind = GcovTextLine::Function;
    out.text = rest.substr(name_start);
    out.count = gcov_number(fields[1], where);
    return true;
}

bool parse_call_or_unconditional(std::string_view line, size_t after_tag) {
    size_t i = after_tag;
    std::string_view number = word(line, i);
    std::string_view what = word(line, i);
    if (!is_int(number)) return false;
    if (what == "never") return word(line, i) == "executed" && skip_spaces(line, i) == line.size();
    if (what != "returned" && what != "taken") return false;
    return is_value(word(line, i)) && skip_spaces(line, i) == line.size();
}

}  // namespace

uint64_t gcov_number(std::string_view text, const std::string& where) {
    std::string s(text);
    if (!is_value(text)) throw UserError(where + ": not a gcov number: " + s);
    char last = s.back();
    if (last == '%') return std::strtod(s.substr(0, s.size() - 1).c_str(), nullptr) > 0 ? 1 : 0;
    size_t unit = std::string_view("kMGTPEZY").find(last);
    if (unit != std::string_view::npos) {
        double v = std::strtod(s.substr(0, s.size() - 1).c_str(), nullptr) * std::pow(1000.0, double(unit + 1));
        return uint64_t(v);
    }
    if (s.find('.') != std::string::npos) throw UserError(where + ": not a whole gcov count: " + s);
    return std::stoull(s);
}

GcovTextLine parse_gcov_text_line(std::string_view line, const std::string& where) {
    GcovTextLine out;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Tags start in the first column (gcovr's _parse_tag_line); a source line whose count is
    // wider than gcov's nine columns starts there too, and is read as a source line below.
    if (!line.empty() && line.front() != ' ') {
        if (starts_with(line, "branch ") && parse_branch(line, out, where)) return out;
        if (starts_with(line, "call ") && parse_call_or_unconditional(line, 5)) return out;
        if (starts_with(line, "unconditional ") && parse_call_or_unconditional(line, 14)) return out;
        if (starts_with(line, "function ") && parse_function(line, out, where)) return out;
        if (starts_with(line, "-----")) return out;  // template specialization marker
    }
    // Source line: " COUNT: LINENO:CODE"
    size_t i = skip_spaces(line, 0);
    size_t colon = line.find(':', i);
    if (colon != std::string_view::npos) {
        std::string_view count = line.substr(i, colon - i);
        size_t j = skip_spaces(line, colon + 1);
        size_t colon2 = line.find(':', j);
        std::string_view number = colon2 == std::string_view::npos ? std::string_view() : line.substr(j, colon2 - j);
        bool counted = is_value(count) || (count.size() > 1 && count.back() == '*' && is_value(count.substr(0, count.size() - 1)));
        if (is_int(number) && (count == "-" || counted || is_marker(count, '#') || is_marker(count, '='))) {
            std::string_view code = line.substr(colon2 + 1);
            out.number = unsigned(std::stoul(std::string(number)));
            if (count == "-" && out.number == 0) {
                out.kind = GcovTextLine::Metadata;
                size_t sep = code.find(':');
                out.text = code.substr(0, sep);
                if (sep != std::string_view::npos) {
                    std::string_view v = code.substr(sep + 1);
                    size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
                    out.value = b == std::string_view::npos ? std::string_view() : v.substr(b, e - b + 1);
                }
                return out;
            }
            out.kind = GcovTextLine::Source;
            out.text = code;
            out.dash = count == "-";
            if (counted) out.count = gcov_number(count.back() == '*' ? count.substr(0, count.size() - 1) : count, where);
            return out;
        }
    }
    // Block lines exist only with --all-blocks, which dlcov does not pass.
    if (line.find("-block ") != std::string_view::npos) unknown(line, where);
    // A template specialization's name: "Foo<bar>::baz():"
    if (line.size() > 2 && line.front() != ' ' && line.back() == ':') return out;
    unknown(line, where);
}

}  // namespace dlcov::gcov
