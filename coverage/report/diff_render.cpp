#include "diff_render.h"

#include "html_escape.h"
#include "html_page.h"
#include "text_table.h"

#include <algorithm>
#include <fmt/format.h>

namespace dlcov {

namespace {

Tally component_tally(const Measurement& m, Component comp, const TallyMetric& metric) {
    auto it = m.components.find(comp);
    return it == m.components.end() ? Tally{} : it->second.*metric.member;
}

std::string ranges(const std::vector<unsigned>& lines) {
    std::string out;
    for (size_t i = 0; i < lines.size();) {
        size_t j = i;
        while (j + 1 < lines.size() && lines[j + 1] == lines[j] + 1) ++j;
        out += (out.empty() ? "" : ", ") + (i == j ? std::to_string(lines[i]) : fmt::format("{}-{}", lines[i], lines[j]));
        i = j + 1;
    }
    return out;
}

const std::string& name_a(const CoverageDiff& d) { return d.comparison.runners[0].name; }
const std::string& name_b(const CoverageDiff& d) { return d.comparison.runners[1].name; }

}  // namespace

std::string render_diff_text(const CoverageDiff& d) {
    const Comparison& c = d.comparison;
    std::string out = fmt::format("A = {}\nB = {}\n\n", name_a(d), name_b(d));
    for (const TallyMetric& m : kTallyMetrics) {
        TextTable table({std::string(m.name), "A", "B", "A not B", "B not A"});
        auto row = [&](const std::string& title, Tally a, Tally b, Tally a_only, Tally b_only) {
            table.add_row({title, format_tally(a.covered, a.total), format_tally(b.covered, b.total),
                           std::to_string(a_only.covered), std::to_string(b_only.covered)});
        };
        for (Component comp : kComponents)
            row(component_title(comp), component_tally(c.runners[0].measurement, comp, m),
                component_tally(c.runners[1].measurement, comp, m), component_tally(d.a_only, comp, m),
                component_tally(d.b_only, comp, m));
        table.add_separator();
        row("Overall", c.runners[0].measurement.total.*m.member, c.runners[1].measurement.total.*m.member,
            d.a_only.total.*m.member, d.b_only.total.*m.member);
        out += table.render() + "\n";
    }
    std::vector<const FileDifference*> files;
    for (const auto& f : d.files)
        if (!f.a_only_lines.empty()) files.push_back(&f);
    std::stable_sort(files.begin(), files.end(), [](auto* x, auto* y) { return x->a_only_lines.size() > y->a_only_lines.size(); });
    out += fmt::format("Files with source lines A reached and B did not: {}\n", files.size());
    for (size_t i = 0; i < files.size() && i < 20; ++i)
        out += fmt::format("  {:5} {}  lines {}\n", files[i]->a_only_lines.size(),
                           c.assignment.relative_paths[files[i]->file_index], ranges(files[i]->a_only_lines));
    if (files.size() > 20) out += fmt::format("  ... {} more in the HTML page\n", files.size() - 20);
    return out;
}

std::string render_diff_html(const CoverageDiff& d) {
    const Comparison& c = d.comparison;
    std::string body = fmt::format("<p>A = <b>{}</b><br>B = <b>{}</b></p>\n<p class=\"note\">Counts of what one side "
                                   "covered and the other did not, per component, counted as in Table 6 (lines, "
                                   "branch sides, function definitions); then every file's distinct source lines "
                                   "only one side executed.</p>\n",
                                   html_escape(name_a(d)), html_escape(name_b(d)));
    for (const TallyMetric& m : kTallyMetrics) {
        body += fmt::format("<h2>{}</h2>\n<table>\n<thead><tr><th>component</th><th>A</th><th>B</th><th>A not B</th>"
                            "<th>B not A</th></tr></thead>\n<tbody>\n",
                            m.name);
        auto row = [&](const std::string& title, Tally a, Tally b, Tally a_only, Tally b_only, const char* css) {
            body += fmt::format("<tr class=\"{}\"><th>{}</th>{}{}<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                                css, html_escape(title), html::tally_cell(a), html::tally_cell(b), a_only.covered,
                                b_only.covered);
        };
        for (Component comp : kComponents)
            row(component_title(comp), component_tally(c.runners[0].measurement, comp, m),
                component_tally(c.runners[1].measurement, comp, m), component_tally(d.a_only, comp, m),
                component_tally(d.b_only, comp, m), "");
        row("Overall", c.runners[0].measurement.total.*m.member, c.runners[1].measurement.total.*m.member,
            d.a_only.total.*m.member, d.b_only.total.*m.member, "union");
        body += "</tbody></table>\n";
    }
    body += "<h2>Files</h2>\n<table class=\"sortable\">\n<thead><tr><th>file</th><th>component</th><th>lines A not B</th>"
            "<th>which</th><th>lines B not A</th><th>which</th></tr></thead>\n<tbody>\n";
    for (const auto& f : d.files)
        body += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td><code>{}</code></td><td "
                            "class=\"num\">{}</td><td><code>{}</code></td></tr>\n",
                            html_escape(c.assignment.relative_paths[f.file_index]),
                            c.assignment.components[f.file_index] ? component_id(*c.assignment.components[f.file_index]) : "",
                            f.a_only_lines.size(), ranges(f.a_only_lines), f.b_only_lines.size(), ranges(f.b_only_lines));
    body += "</tbody></table>\n";
    return fmt::format("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>dlcov diff</title>\n"
                       "<style>\n{}</style>\n</head>\n<body>\n<main>\n<h1>Coverage difference</h1>\n{}</main>\n</body>\n</html>\n",
                       html::kStylesheet, body);
}

}  // namespace dlcov
