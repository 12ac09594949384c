#include "table6.h"

#include "text_table.h"

#include <fmt/format.h>

namespace dlcov {

namespace {

std::string cell(const Tally& t) { return format_tally(t.covered, t.total); }

}  // namespace

std::string render_table6(const Comparison& c) {
    std::string out;
    for (const TallyMetric& metric : kTallyMetrics) {
        std::vector<std::string> header = {std::string(metric.name) + " coverage"};
        for (Component comp : kComponents) header.push_back(component_short_title(comp));
        header.push_back("Overall");
        TextTable table(header);
        auto row = [&](const RunnerCoverage& t) {
            std::vector<std::string> cells = {t.name};
            for (Component comp : kComponents) {
                auto it = t.measurement.components.find(comp);
                cells.push_back(it == t.measurement.components.end() ? "-" : cell(it->second.*metric.member));
            }
            cells.push_back(cell(t.measurement.total.*metric.member));
            table.add_row(cells);
        };
        for (const auto& t : c.runners) row(t);
        table.add_separator();
        row(c.all);
        out += table.render() + "\n";
    }
    std::string legend;
    for (Component comp : kComponents)
        legend += (legend.empty() ? "" : ", ") + component_short_title(comp) + " = " + component_title(comp);
    return out + legend + "\n\n";
}

nlohmann::json comparison_json(const Comparison& c) {
    nlohmann::json j = to_json(c.all.measurement);
    j["testers"] = nlohmann::json::object();
    for (const auto& t : c.runners) {
        nlohmann::json one = to_json(t.measurement);
        one.erase("files");
        one.erase("excluded");
        one["profiles"] = t.profiles;
        one["skipped_profiles"] = t.skipped.size();
        j["testers"][t.name] = one;
    }
    return j;
}

std::string comparison_csv(const Comparison& c) {
    std::string out = "tester,metric,component,covered,total,percent\n";
    auto rows = [&](const RunnerCoverage& t) {
        for (const TallyMetric& metric : kTallyMetrics) {
            for (const auto& [comp, tally] : t.measurement.components) {
                const Tally& x = tally.*metric.member;
                out += fmt::format("{},{},{},{},{},{:.2f}\n", t.name, metric.name, component_id(comp), x.covered, x.total, x.percent());
            }
            const Tally& x = t.measurement.total.*metric.member;
            out += fmt::format("{},{},overall,{},{},{:.2f}\n", t.name, metric.name, x.covered, x.total, x.percent());
        }
    };
    for (const auto& t : c.runners) rows(t);
    rows(c.all);
    return out;
}

}  // namespace dlcov
