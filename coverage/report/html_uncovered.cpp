// uncovered.html: per component, the largest function definitions that no runner ran.
#include "html_escape.h"
#include "html_page.h"
#include "uncovered_functions.h"

#include <fmt/format.h>

namespace dlcov::html {

std::string uncovered_page(const ReportInput& in) {
    const Comparison& c = *in.comparison;
    constexpr size_t kShown = 50;
    auto uncovered = uncovered_functions(c);
    std::string body = fmt::format("<p class=\"note\">Function definitions no runner ran (no instantiation executed in "
                                   "the union), largest first by instrumented lines; at most {} per component.</p>\n",
                                   kShown);
    for (Component comp : kComponents) {
        const auto& list = uncovered[comp];
        size_t lines = 0;
        for (const auto& u : list) lines += u.lines;
        body += fmt::format("<h2 id=\"{}\"><a href=\"{}\">{}</a></h2>\n<p>{} functions, {} instrumented lines.</p>\n",
                            component_id(comp), component_page(comp), html_escape(component_title(comp)), list.size(), lines);
        if (list.empty()) continue;
        body += "<table class=\"sortable\">\n<thead><tr><th>function</th><th>lines</th><th>where</th></tr></thead>\n<tbody>\n";
        for (size_t i = 0; i < list.size() && i < kShown; ++i)
            body += fmt::format(
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td><a href=\"{}#L{}\">{}:{}</a></td></tr>\n",
                html_escape(list[i].name), list[i].lines, file_page(list[i].file_index), list[i].line,
                html_escape(c.assignment.relative_paths[list[i].file_index]), list[i].line);
        body += "</tbody></table>\n";
    }
    return page("Covered by none", body);
}

}  // namespace dlcov::html
