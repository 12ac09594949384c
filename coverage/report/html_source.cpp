// file-<n>.html: one source file, annotated line by line with the union's hit count, branch
// sides taken, and which runners reached the line. The list of lines no runner reached at the
// top is the third click of the drill-down.
#include "html_escape.h"
#include "html_page.h"
#include "line_view.h"

#include <fmt/format.h>
#include <fstream>

namespace dlcov::html {

namespace {

std::vector<std::string> read_lines(const std::string& path, bool& found) {
    std::vector<std::string> lines;
    std::ifstream in(path, std::ios::binary);
    found = bool(in);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string branch_marks(const LineCoverage& lc) {
    if (lc.branches.empty()) return "";
    std::string marks, title;
    for (const auto& b : lc.branches) {
        marks += b.count ? "<span class=\"br-hit\">+</span>" : "<span class=\"br-miss\">-</span>";
        title += fmt::format("{}{}{}: {}", title.empty() ? "" : "; ", branch_side_label(b), b.exit ? "" : " side", b.count);
    }
    return fmt::format("<span title=\"{}\">{}</span>", html_escape(title), marks);
}

}  // namespace

std::string source_page_html(const ReportInput& in, size_t file_index) {
    const Comparison& c = *in.comparison;
    std::vector<const CoverageCounts*> runner_counts;
    for (const auto& t : c.runners) runner_counts.push_back(&t.counts);
    FileLineView view = build_line_view(c.layout, file_index, c.all.counts, runner_counts);
    const std::string& rel = c.assignment.relative_paths[file_index];
    const std::optional<Component>& comp = c.assignment.components[file_index];
    CoverageTally tally = summarize_file(c.layout, file_index, c.all.counts);

    // Runs of instrumented lines no runner reached (non-instrumented lines between do not break a run).
    std::vector<std::pair<unsigned, unsigned>> unreached;
    bool open = false;
    for (const auto& [line, lc] : view.lines) {
        if (lc.hits == 0) {
            if (open) unreached.back().second = line;
            else unreached.push_back({line, line});
            open = true;
        } else {
            open = false;
        }
    }

    std::string component =  // none without a component map
        comp ? fmt::format("Component: <a href=\"{}\">{}</a>. ", component_page(*comp), html_escape(component_title(*comp)))
             : "";
    std::string body = fmt::format(
        "<p>{}Union of all runners: lines {}/{} ({}), branches {}/{} ({}), functions {}/{} ({}).</p>\n", component,
        tally.lines.covered, tally.lines.total,
        percent(tally.lines), tally.branches.covered, tally.branches.total, percent(tally.branches),
        tally.functions.covered, tally.functions.total, percent(tally.functions));
    body += "<p class=\"note\">Columns: line number, executions (all runners, all template instantiations; for "
            "Python, the processes that ran the line), branch sides (+ taken, - never taken; hover for counts: C++ "
            "sides are true/false, Python sides the line's exits), one column per runner (&#10003; = that runner "
            "executed the line), source. Red lines are instrumented lines no runner reached.</p>\n";

    Tally distinct = view.line_tally();
    body += fmt::format("<h2 id=\"unreached\">Lines no runner reached ({} of {} instrumented lines)</h2>\n",
                        distinct.total - distinct.covered, distinct.total);
    if (unreached.empty()) {
        body += "<p>Every instrumented line was reached.</p>\n";
    } else {
        body += "<ul class=\"ranges\">\n";
        for (const auto& [first, last] : unreached)
            body += first == last ? fmt::format("<li><a href=\"#L{0}\">{0}</a></li>\n", first)
                                  : fmt::format("<li><a href=\"#L{0}\">{0}-{1}</a></li>\n", first, last);
        body += "</ul>\n";
    }

    bool found = false;
    std::vector<std::string> source = read_lines(c.layout.files[file_index].path, found);
    if (!found)
        body += "<p class=\"note\">The source file " + html_escape(c.layout.files[file_index].path) +
                " could not be read; only the instrumented lines are listed.</p>\n";
    unsigned last_line = unsigned(source.size());
    if (!view.lines.empty()) last_line = std::max(last_line, view.lines.rbegin()->first);

    body += "<h2>Source</h2>\n<table class=\"source\">\n<thead><tr><th>line</th><th>hits</th><th>branches</th>";
    for (const auto& t : c.runners) body += "<th title=\"" + html_escape(t.name) + "\">" + html_escape(t.name) + "</th>";
    body += "<th>source</th></tr></thead>\n<tbody>\n";
    for (unsigned line = 1; line <= last_line; ++line) {
        std::string text = line <= source.size() ? html_escape(source[line - 1]) : "";
        auto it = view.lines.find(line);
        if (it == view.lines.end()) {
            body += fmt::format("<tr id=\"L{0}\"><td class=\"ln\"><a href=\"#L{0}\">{0}</a></td><td></td><td></td>", line);
            for (size_t r = 0; r < c.runners.size(); ++r) body += "<td></td>";
        } else {
            const LineCoverage& lc = it->second;
            body += fmt::format("<tr id=\"L{0}\" class=\"{1}\"><td class=\"ln\"><a href=\"#L{0}\">{0}</a></td>"
                                "<td class=\"hits\">{2}</td><td>{3}</td>",
                                line, lc.hits ? "hit" : "miss", lc.hits, branch_marks(lc));
            for (size_t r = 0; r < c.runners.size(); ++r)
                body += lc.reached_by[r] ? "<td class=\"runner\">&#10003;</td>" : "<td></td>";
        }
        body += "<td class=\"code\">" + text + "</td></tr>\n";
    }
    body += "</tbody></table>\n";
    return page(rel, body);
}

}  // namespace dlcov::html
