#include "text_table.h"

#include <algorithm>
#include <fmt/format.h>

namespace dlcov {

std::string TextTable::render() const {
    std::vector<size_t> width(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    };
    measure(header_);
    for (const auto& r : rows_) measure(r);
    size_t line_width = 0;
    for (size_t w : width) line_width += w + 2;

    auto render_row = [&](const std::vector<std::string>& row) {
        std::string line;
        for (size_t i = 0; i < width.size(); ++i) {
            const std::string cell = i < row.size() ? row[i] : "";
            line += i == 0 ? fmt::format("{:<{}}", cell, width[i]) : fmt::format("  {:>{}}", cell, width[i]);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return line + "\n";
    };
    std::string out = render_row(header_) + std::string(line_width, '-') + "\n";
    for (const auto& r : rows_) out += r.empty() ? std::string(line_width, '-') + "\n" : render_row(r);
    return out;
}

std::string format_tally(unsigned long long covered, unsigned long long total) {
    if (total == 0) return fmt::format("{}/{} -", covered, total);
    return fmt::format("{}/{} {:.2f}%", covered, total, 100.0 * double(covered) / double(total));
}

}  // namespace dlcov
