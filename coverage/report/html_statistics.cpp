// statistics.html: for each component and each pair of runners, whether their final coverage
// over trials differs: two-sided Mann-Whitney U p-value and Vargha-Delaney A12.
#include "html_escape.h"
#include "html_page.h"
#include "statistics.h"

#include <algorithm>
#include <fmt/format.h>

namespace dlcov::html {

std::string statistics_page(const ReportInput& in) {
    // Runners in the campaign's order, then any others the trial data names.
    std::vector<std::string> runners;
    auto add_runner = [&](const std::string& name) {
        auto it = in.trial_coverage.find(name);
        if (it != in.trial_coverage.end() && !it->second.empty() &&
            std::find(runners.begin(), runners.end(), name) == runners.end())
            runners.push_back(name);
    };
    for (const auto& r : in.runners) add_runner(r.name);
    for (const auto& [name, trials] : in.trial_coverage) add_runner(name);
    std::string body = "<p class=\"note\">Per component and pair of runners, the final coverage of each trial (" +
                       html_escape(in.trial_coverage_source) +
                       ") compared with the two-sided Mann-Whitney U test (exact distribution when both runners have at "
                       "most 10 trials and no ties, else the normal approximation with tie and continuity correction) "
                       "and the Vargha-Delaney A12 effect size: the probability that a trial of runner A covers more "
                       "than a trial of runner B (0.5 = no difference). Few trials give little power: with 1 trial per "
                       "runner no p-value is below 1.</p>\n";
    if (runners.size() < 2) {
        body += "<p>This campaign has fewer than two runners with finished trials, so there is no pair to compare.</p>\n";
        return page("Statistics", body);
    }
    std::vector<std::pair<std::string, std::string>> keys = {{"overall", "Whole framework"}};
    for (Component comp : kComponents) keys.push_back({component_id(comp), component_short_title(comp)});
    for (const TallyMetric& m : kTallyMetrics) {
        body += fmt::format("<h2>{}</h2>\n<table class=\"sortable\">\n<thead><tr><th>component</th><th>runner A</th>"
                            "<th>runner B</th><th>trials A/B</th><th>median A</th><th>median B</th><th>U</th>"
                            "<th>p-value</th><th>A12</th><th>effect</th></tr></thead>\n<tbody>\n",
                            m.title);
        for (const auto& [key, title] : keys)
            for (size_t i = 0; i < runners.size(); ++i)
                for (size_t j = i + 1; j < runners.size(); ++j) {
                    auto values = [&](const std::string& runner) {
                        std::vector<double> v;
                        for (const auto& trial : in.trial_coverage.at(runner)) {
                            auto it = trial.find(key);
                            if (it != trial.end()) v.push_back((it->second.*m.member).percent());
                        }
                        return v;
                    };
                    std::vector<double> a = values(runners[i]), b = values(runners[j]);
                    MannWhitneyResult mw = mann_whitney_u(a, b);
                    double a12 = vargha_delaney_a12(a, b);
                    body += fmt::format(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td><td class=\"num\" "
                        "data-sort=\"{:.6f}\">{:.2f}%</td><td class=\"num\" data-sort=\"{:.6f}\">{:.2f}%</td><td "
                        "class=\"num\">{:g}</td><td class=\"num\" data-sort=\"{:.8f}\">{:.4g}{}</td><td class=\"num\">{:.3f}</td>"
                        "<td>{}</td></tr>\n",
                        html_escape(title), html_escape(runners[i]), html_escape(runners[j]), a.size(), b.size(),
                        median(a), median(a), median(b), median(b), mw.u, mw.p_value, mw.p_value, mw.exact ? " (exact)" : "",
                        a12, a12_magnitude(a12));
                }
        body += "</tbody></table>\n";
    }
    return page("Statistics", body);
}

}  // namespace dlcov::html
