// component-<id>.html: the component's files with their numbers, worst-covered first (second
// click of the drill-down), and its largest functions no runner ran.
#include "html_escape.h"
#include "html_page.h"
#include "line_view.h"
#include "uncovered_functions.h"

#include <algorithm>
#include <fmt/format.h>

namespace dlcov::html {

std::string component_page_html(const ReportInput& in, Component comp) {
    const Comparison& c = *in.comparison;
    struct Row {
        size_t file;
        CoverageTally tally;
        size_t unreached_lines;
    };
    std::vector<Row> rows;
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        if (!c.assignment.counted(f) || c.assignment.components[f] != comp) continue;
        FileLineView view = build_line_view(c.layout, f, c.all.counts, {});
        Tally lines = view.line_tally();
        rows.push_back({f, summarize_file(c.layout, f, c.all.counts), size_t(lines.total - lines.covered)});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        double pa = a.tally.lines.total ? a.tally.lines.percent() : 101, pb = b.tally.lines.total ? b.tally.lines.percent() : 101;
        if (pa != pb) return pa < pb;
        return a.tally.lines.total > b.tally.lines.total;
    });

    std::string body;
    auto total = c.all.measurement.components.find(comp);
    if (total != c.all.measurement.components.end())
        body += fmt::format("<p>Union of all runners: lines {}, branches {}, functions {}.</p>\n",
                            percent(total->second.lines), percent(total->second.branches), percent(total->second.functions));
    body += fmt::format("<p class=\"note\">{} files, worst line coverage first; click a column heading to sort. "
                        "<i>unreached lines</i> are source lines no runner executed; the file page marks them.</p>\n",
                        rows.size());
    body += "<table class=\"sortable\">\n<thead><tr><th>file</th><th>lines (union)</th><th>branches (union)</th>"
            "<th>functions (union)</th><th>unreached lines</th>";
    for (const auto& t : c.runners) body += "<th>lines: " + html_escape(t.name) + "</th>";
    body += "</tr></thead>\n<tbody>\n";
    for (const Row& r : rows) {
        body += fmt::format("<tr><td><a href=\"{}\">{}</a></td>{}{}{}<td class=\"num\">{}</td>", file_page(r.file),
                            html_escape(c.assignment.relative_paths[r.file]), tally_cell(r.tally.lines),
                            tally_cell(r.tally.branches), tally_cell(r.tally.functions), r.unreached_lines);
        for (const auto& t : c.runners) body += tally_cell(summarize_file(c.layout, r.file, t.counts).lines);
        body += "</tr>\n";
    }
    body += "</tbody></table>\n";

    auto uncovered = uncovered_functions(c);
    const auto& list = uncovered[comp];
    body += fmt::format("<h2>Largest functions no runner ran</h2>\n<p class=\"note\">{} function definitions of this "
                        "component never ran; the largest {} (<a href=\"uncovered.html#{}\">all components</a>):</p>\n",
                        list.size(), std::min<size_t>(list.size(), 20), component_id(comp));
    body += "<table>\n<thead><tr><th>function</th><th>lines</th><th>where</th></tr></thead>\n<tbody>\n";
    for (size_t i = 0; i < list.size() && i < 20; ++i)
        body += fmt::format("<tr><td><code>{}</code></td><td class=\"num\">{}</td><td><a href=\"{}#L{}\">{}:{}</a></td></tr>\n",
                            html_escape(list[i].name), list[i].lines, file_page(list[i].file_index), list[i].line,
                            html_escape(c.assignment.relative_paths[list[i].file_index]), list[i].line);
    body += "</tbody></table>\n";
    return page(component_title(comp), body);
}

}  // namespace dlcov::html
