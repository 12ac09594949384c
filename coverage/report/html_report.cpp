#include "html_report.h"

#include "error.h"
#include "html_page.h"
#include "whole_file.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

void write_page(const fs::path& path, const std::string& text) { write_whole_file(path.string(), text); }

}  // namespace

std::string write_html_report(const ReportInput& in, const std::string& report_dir) {
    if (!in.comparison) throw std::logic_error("write_html_report needs a comparison");
    fs::path dir(report_dir);
    fs::create_directories(dir);
    // Pages from an earlier report of a different build would be stale links.
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind("file-", 0) == 0 && e.path().extension() == ".html") fs::remove(e.path());
    write_page(dir / "style.css", html::kStylesheet);
    write_page(dir / "sort.js", html::kSortScript);
    write_page(dir / "index.html", html::overview_page(in));
    for (Component comp : kComponents) write_page(dir / html::component_page(comp), html::component_page_html(in, comp));
    const Comparison& c = *in.comparison;
    for (size_t f = 0; f < c.layout.files.size(); ++f)
        if (c.assignment.counted(f)) write_page(dir / html::file_page(f), html::source_page_html(in, f));
    write_page(dir / "over-time.html", html::over_time_page(in));
    write_page(dir / "overlap.html", html::overlap_page(in));
    write_page(dir / "uncovered.html", html::uncovered_page(in));
    write_page(dir / "statistics.html", html::statistics_page(in));
    write_page(dir / "findings.html", html::findings_page(in));
    return (dir / "index.html").string();
}

}  // namespace dlcov
