#include "runner_comparison.h"

#include "error.h"
#include "layout_alignment.h"
#include "text_table.h"

#include <fmt/format.h>
#include <memory>

namespace dlcov {

namespace {

std::string cell(const Tally& t) { return format_tally(t.covered, t.total); }

}  // namespace

Comparison compare_testers(const std::vector<std::string>& objects, const std::string& source_root,
                           const std::string& map_path, const std::vector<TesterProfiles>& testers,
                           const std::string& layout_profile) {
    Comparison c;
    std::unique_ptr<ComponentMap> map;
    if (!map_path.empty()) map = std::make_unique<ComponentMap>(ComponentMap::load(map_path));
    // With the build's layout profile every tester is moved onto the build's layout
    // (layout_alignment.h); without one, the first tester's reading is the layout.
    auto adopt_layout = [&](CoverageLayout layout) {
        c.layout = std::move(layout);
        c.assignment = assign_files(c.layout, map.get(), source_root);
        c.all.name = "union";
        c.all.counts = CoverageCounts::zeros(c.layout);
    };
    if (!layout_profile.empty()) adopt_layout(read_llvm_coverage(objects, layout_profile).layout);
    for (const auto& t : testers) {
        ProfileCoverage pc = measure_profiles(objects, t.profile_paths, layout_profile);
        TesterCoverage tc;
        tc.name = t.name;
        if (!layout_profile.empty()) {
            tc.counts = align_to_layout(pc.coverage, c.layout);
        } else {
            if (c.testers.empty()) adopt_layout(std::move(pc.coverage.layout));
            else if (pc.coverage.layout.fingerprint() != c.layout.fingerprint())
                throw UserError("tester '" + t.name + "' was read into a different coverage layout than the others; "
                                "the build has no layout profile: run `dlcov instrument` again");
            tc.counts = std::move(pc.coverage.counts);
        }
        tc.measurement = summarize(c.layout, tc.counts, c.assignment);
        tc.profiles = pc.merge.merged.size();
        tc.skipped = pc.merge.skipped;
        c.all.counts = unite(c.all.counts, tc.counts);
        c.all.profiles += tc.profiles;
        c.all.skipped.insert(c.all.skipped.end(), tc.skipped.begin(), tc.skipped.end());
        c.testers.push_back(std::move(tc));
    }
    if (c.testers.empty()) throw UserError("no testers to compare");
    c.all.measurement = summarize(c.layout, c.all.counts, c.assignment);
    return c;
}

std::string render_table6(const Comparison& c) {
    std::string out;
    for (const TallyMetric& metric : kTallyMetrics) {
        std::vector<std::string> header = {std::string(metric.name) + " coverage"};
        for (Component comp : kComponents) header.push_back(component_short_title(comp));
        header.push_back("Overall");
        TextTable table(header);
        auto row = [&](const TesterCoverage& t) {
            std::vector<std::string> cells = {t.name};
            for (Component comp : kComponents) {
                auto it = t.measurement.components.find(comp);
                cells.push_back(it == t.measurement.components.end() ? "-" : cell(it->second.*metric.member));
            }
            cells.push_back(cell(t.measurement.total.*metric.member));
            table.add_row(cells);
        };
        for (const auto& t : c.testers) row(t);
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
    for (const auto& t : c.testers) {
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
    auto rows = [&](const TesterCoverage& t) {
        for (const TallyMetric& metric : kTallyMetrics) {
            for (const auto& [comp, tally] : t.measurement.components) {
                const Tally& x = tally.*metric.member;
                out += fmt::format("{},{},{},{},{},{:.2f}\n", t.name, metric.name, component_id(comp), x.covered, x.total, x.percent());
            }
            const Tally& x = t.measurement.total.*metric.member;
            out += fmt::format("{},{},overall,{},{},{:.2f}\n", t.name, metric.name, x.covered, x.total, x.percent());
        }
    };
    for (const auto& t : c.testers) rows(t);
    rows(c.all);
    return out;
}

}  // namespace dlcov
