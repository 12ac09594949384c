// overlap.html: which runners reached the same source lines. Regions count distinct
// instrumented source lines by the exact set of runners that executed them: a Venn diagram for
// up to three runners, an UpSet-style matrix (one row per runner set, dots and a bar) for any
// number, both per component.
#include "html_escape.h"
#include "html_page.h"
#include "line_view.h"

#include <algorithm>
#include <fmt/format.h>

namespace dlcov::html {

namespace {

using MaskCounts = std::map<uint64_t, uint64_t>;  // runner set (bit per runner) -> lines; 0 = no runner

std::string venn(const std::vector<std::string>& names, const MaskCounts& counts) {
    auto count = [&](uint64_t mask) {
        auto it = counts.find(mask);
        return it == counts.end() ? uint64_t(0) : it->second;
    };
    struct Circle {
        double cx, cy;
        const char* color;
    };
    const Circle circles[3] = {{150, 120, "#0969da"}, {250, 120, "#cf222e"}, {200, 205, "#1a7f37"}};
    // Where each region's number goes, per runner count.
    std::map<uint64_t, std::pair<double, double>> spots;
    if (names.size() == 1) spots = {{1, {150, 125}}};
    if (names.size() == 2) spots = {{1, {115, 125}}, {2, {285, 125}}, {3, {200, 125}}};
    if (names.size() == 3)
        spots = {{1, {115, 100}}, {2, {285, 100}}, {4, {200, 250}}, {3, {200, 95}},
                 {5, {150, 185}}, {6, {250, 185}}, {7, {200, 150}}};
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"310\" role=\"img\" aria-label=\"Venn diagram\">\n";
    for (size_t i = 0; i < names.size(); ++i) {
        const Circle& c = circles[i];
        svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"85\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"{}\"/>\n", c.cx,
                           c.cy, c.color, c.color);
        double lx = i == 0 ? 60 : i == 1 ? 340 : 200, ly = i == 2 ? 305 : 25;
        svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n", lx, ly, c.color,
                           html_escape(names[i]));
    }
    for (const auto& [mask, at] : spots)
        svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", at.first, at.second, count(mask));
    return svg + "</svg>\n";
}

std::string upset(const std::vector<std::string>& names, const MaskCounts& counts) {
    std::vector<std::pair<uint64_t, uint64_t>> rows(counts.begin(), counts.end());
    std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second > b.second; });
    uint64_t largest = 1;
    for (const auto& [mask, n] : rows) largest = std::max(largest, n);
    std::string out = "<table class=\"sortable\">\n<thead><tr>";
    for (const auto& n : names) out += "<th>" + html_escape(n) + "</th>";
    out += "<th>lines</th><th></th></tr></thead>\n<tbody>\n";
    for (const auto& [mask, n] : rows) {
        out += "<tr>";
        for (size_t i = 0; i < names.size(); ++i)
            out += (mask >> i) & 1 ? "<td class=\"runner\" data-sort=\"1\">&#9679;</td>" : "<td data-sort=\"0\"></td>";
        out += fmt::format("<td class=\"num\">{}</td><td><svg width=\"{}\" height=\"10\"><rect width=\"{}\" height=\"10\" "
                           "fill=\"#24364b\"/></svg>{}</td></tr>\n",
                           n, 200, std::max(1.0, 200.0 * double(n) / double(largest)), n, mask == 0 ? " no runner" : "");
    }
    return out + "</tbody></table>\n";
}

}  // namespace

std::string overlap_page(const ReportInput& in) {
    const Comparison& c = *in.comparison;
    std::vector<std::string> names;
    std::vector<const CoverageCounts*> counts;
    for (const auto& t : c.runners) {
        names.push_back(t.name);
        counts.push_back(&t.counts);
    }
    std::map<std::string, MaskCounts> by_component;  // component id or "overall"
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        if (!c.assignment.counted(f)) continue;
        FileLineView view = build_line_view(c.layout, f, c.all.counts, counts);
        const std::optional<Component>& comp = c.assignment.components[f];
        for (const auto& [line, lc] : view.lines) {
            uint64_t mask = 0;
            for (size_t r = 0; r < lc.reached_by.size() && r < 64; ++r)
                if (lc.reached_by[r]) mask |= uint64_t(1) << r;
            if (comp) ++by_component[component_id(*comp)][mask];
            ++by_component["overall"][mask];
        }
    }
    std::string body = "<p class=\"note\">Distinct instrumented source lines by the set of runners that executed "
                       "them (a line in a region was reached by exactly those runners). The matrix lists every "
                       "non-empty set, largest first; the row with no dot is the lines no runner reached.";
    if (names.size() > 64) body += " Only the first 64 runners are distinguished.";
    body += "</p>\n";
    std::vector<std::pair<std::string, std::string>> keys = {{"overall", "Whole framework"}};
    for (Component comp : kComponents) keys.push_back({component_id(comp), component_title(comp)});
    for (const auto& [key, title] : keys) {
        MaskCounts& mc = by_component[key];
        body += "<h2>" + html_escape(title) + "</h2>\n";
        MaskCounts reached = mc;
        reached.erase(0);
        if (names.size() <= 3) body += venn(names, reached);
        body += upset(names, mc);
    }
    return page("Overlap between runners", body);
}

}  // namespace dlcov::html
