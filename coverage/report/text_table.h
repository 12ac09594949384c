// Plain-text tables with aligned columns, for terminal output.
#pragma once
#include <string>
#include <vector>

namespace dlcov {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
    void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void add_separator() { rows_.push_back({}); }
    // First column left-aligned, the others right-aligned.
    std::string render() const;

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;  // empty row = separator
};

// "1234/5678 21.73%"
std::string format_tally(unsigned long long covered, unsigned long long total);

}  // namespace dlcov
