// `dlcov diff` rendered: the CoverageDiff of measure/coverage_diff.h as text and as an HTML page.
#pragma once
#include "coverage_diff.h"

#include <string>

namespace dlcov {

// Per metric, a table of components: covered by A, by B, by A and not B, by B and not A; then
// the files with the most lines only A reached.
std::string render_diff_text(const CoverageDiff& d);

// The same as a self-contained HTML page (inline stylesheet), with every differing file's lines.
std::string render_diff_html(const CoverageDiff& d);

}  // namespace dlcov
