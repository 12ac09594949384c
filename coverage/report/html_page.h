// What every report page shares: the page frame with its navigation, file names of pages,
// percentage cells, and the stylesheet and sorting script written next to the pages.
#pragma once
#include "component.h"
#include "coverage_model.h"
#include "html_report.h"

#include <string>

namespace dlcov::html {

// A complete page: title (escaped here), body (already HTML).
std::string page(const std::string& title, const std::string& body);

std::string component_page(Component c);  // "component-operation.html"
std::string file_page(size_t file_index);  // "file-12.html" (by index: paths are never file names)

// "<td class=... data-sort=...>covered/total <b>pct%</b></td>"
std::string tally_cell(const Tally& t);
// CSS class for a percentage: low, mid, high.
std::string level_class(double percent);
std::string percent(const Tally& t);  // "12.34%", "-" when total is 0

extern const char* const kStylesheet;
extern const char* const kSortScript;

// Page generators (html_<page>.cpp).
std::string overview_page(const ReportInput& in);
std::string component_page_html(const ReportInput& in, Component comp);
std::string source_page_html(const ReportInput& in, size_t file_index);
std::string over_time_page(const ReportInput& in);
std::string overlap_page(const ReportInput& in);
std::string uncovered_page(const ReportInput& in);
std::string statistics_page(const ReportInput& in);
std::string findings_page(const ReportInput& in);

}  // namespace dlcov::html
