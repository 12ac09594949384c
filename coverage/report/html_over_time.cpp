// over-time.html: line coverage over time per component, one SVG plot each: per runner the
// median over trials (polyline) and the min-max band (polygon), from the campaign's snapshots.
#include "html_escape.h"
#include "html_page.h"
#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace dlcov::html {

namespace {

const char* const kColors[] = {"#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#0a7b83", "#e16f24", "#6e7781"};

struct Curve {
    std::vector<double> times, median, low, high;
};

// Each trial's coverage is a step function: its latest snapshot at or before t (0 before the first).
Curve curve_of(const std::vector<const Snapshot*>& snaps, const std::string& key) {
    std::map<int, std::vector<std::pair<double, double>>> trials;
    std::set<double> times = {0.0};
    for (const Snapshot* s : snaps) {
        auto it = s->coverage.find(key);
        if (it == s->coverage.end()) continue;
        trials[s->trial].push_back({s->elapsed_seconds, it->second.lines.percent()});
        times.insert(s->elapsed_seconds);
    }
    Curve c;
    if (trials.empty()) return c;
    for (double t : times) {
        std::vector<double> values;
        for (auto& [trial, points] : trials) {
            double v = 0;
            for (const auto& [at, pct] : points)
                if (at <= t) v = pct;
            values.push_back(v);
        }
        c.times.push_back(t);
        c.median.push_back(median(values));
        c.low.push_back(*std::min_element(values.begin(), values.end()));
        c.high.push_back(*std::max_element(values.begin(), values.end()));
    }
    return c;
}

std::string plot(const std::string& title, const std::vector<std::pair<std::string, Curve>>& curves) {
    const double width = 640, height = 260, left = 50, right = 15, top = 15, bottom = 35;
    double max_t = 1, max_y = 0;
    for (const auto& [name, c] : curves) {
        for (double t : c.times) max_t = std::max(max_t, t);
        for (double y : c.high) max_y = std::max(max_y, y);
    }
    max_y = std::max(5.0, std::ceil(max_y / 5.0) * 5.0);
    auto x = [&](double t) { return left + (width - left - right) * t / max_t; };
    auto y = [&](double v) { return top + (height - top - bottom) * (1 - v / max_y); };
    std::string svg = fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" "
                                  "aria-label=\"{}\">\n",
                                  width, height, html_escape(title));
    for (int i = 0; i <= 5; ++i) {
        double v = max_y * i / 5, t = max_t * i / 5;
        svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
                           "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.1f}%</text>\n",
                           left, width - right, y(v), left - 4, y(v) + 4, v);
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:.3g} s</text>\n", x(t), height - bottom + 16, t);
    }
    svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#555\"/>"
                       "<line x1=\"{0}\" x2=\"{3}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#555\"/>\n",
                       left, top, height - bottom, width - right);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">seconds since the trial started</text>\n",
                       (left + width - right) / 2, height - 4);
    for (size_t i = 0; i < curves.size(); ++i) {
        const Curve& c = curves[i].second;
        if (c.times.empty()) continue;
        const char* color = kColors[i % std::size(kColors)];
        // Step curves: hold each value until the next snapshot.
        std::string band_top, band_bottom, median;
        for (size_t k = 0; k < c.times.size(); ++k) {
            double next = k + 1 < c.times.size() ? c.times[k + 1] : c.times[k];
            band_top += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", x(c.times[k]), y(c.high[k]), x(next), y(c.high[k]));
            median += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", x(c.times[k]), y(c.median[k]), x(next), y(c.median[k]));
        }
        for (size_t k = c.times.size(); k-- > 0;) {
            double next = k + 1 < c.times.size() ? c.times[k + 1] : c.times[k];
            band_bottom += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", x(next), y(c.low[k]), x(c.times[k]), y(c.low[k]));
        }
        svg += fmt::format("<polygon points=\"{}{}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n", band_top,
                           band_bottom, color);
        svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"><title>{}</title></polyline>\n",
                           median, color, html_escape(curves[i].first));
    }
    return svg + "</svg>\n";
}

}  // namespace

std::string over_time_page(const ReportInput& in) {
    std::string body;
    if (in.snapshots.empty()) {
        body = "<p>This campaign recorded no coverage snapshots (no <code>campaign.db</code> with a "
               "<code>snapshots</code> table in the campaign folder), so there is nothing to plot. The final coverage is on "
               "the <a href=\"index.html\">overview</a>.</p>\n";
        return page("Coverage over time", body);
    }
    std::map<std::string, std::vector<const Snapshot*>> by_runner;
    for (const auto& s : in.snapshots) by_runner[s.runner].push_back(&s);
    std::vector<std::string> runners;
    for (const auto& r : in.runners) runners.push_back(r.name);
    for (const auto& [name, snaps] : by_runner)
        if (std::find(runners.begin(), runners.end(), name) == runners.end()) runners.push_back(name);

    body = "<p class=\"note\">Line coverage of each component over time: the line is the median over a runner's trials, "
           "the shaded band spans the minimum and maximum trial. Each trial's value is its latest snapshot.</p>\n<p "
           "class=\"legend\">";
    for (size_t i = 0; i < runners.size(); ++i)
        body += fmt::format("<span><svg width=\"24\" height=\"10\"><rect width=\"24\" height=\"10\" fill=\"{}\"/></svg> {}</span>",
                            kColors[i % std::size(kColors)], html_escape(runners[i]));
    body += "</p>\n";
    std::vector<std::pair<std::string, std::string>> keys = {{"overall", "Whole framework"}};
    for (Component comp : kComponents) keys.push_back({component_id(comp), component_title(comp)});
    for (const auto& [key, title] : keys) {
        std::vector<std::pair<std::string, Curve>> curves;
        for (const auto& r : runners) curves.push_back({r, curve_of(by_runner[r], key)});
        body += "<h2>" + html_escape(title) + "</h2>\n" + plot(title, curves);
    }
    return page("Coverage over time", body);
}

}  // namespace dlcov::html
