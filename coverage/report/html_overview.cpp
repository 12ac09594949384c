// index.html: the study's Table 6 for line, branch and function coverage, and the campaign's
// parameters. Component headings link to the component pages (first click of the drill-down).
#include "html_escape.h"
#include "html_page.h"

#include <fmt/format.h>

namespace dlcov::html {

namespace {

std::string matrix(const ReportInput& in, const TallyMetric& m) {
    const Comparison& c = *in.comparison;
    std::string out = fmt::format("<h2>{}</h2>\n<table class=\"matrix\">\n<thead><tr><th>runner</th>", m.title);
    for (Component comp : kComponents)
        out += fmt::format("<th><a href=\"{}\" title=\"{}\">{}</a></th>", component_page(comp),
                           html_escape(component_title(comp)), html_escape(component_short_title(comp)));
    out += "<th>Overall</th></tr></thead>\n<tbody>\n";
    auto row = [&](const RunnerCoverage& t, const std::string& css, const std::string& label) {
        out += fmt::format("<tr class=\"{}\"><th>{}</th>", css, html_escape(label));
        for (Component comp : kComponents) {
            auto it = t.measurement.components.find(comp);
            out += it == t.measurement.components.end() ? std::string("<td class=\"num none\">-</td>")
                                                        : tally_cell(it->second.*m.member);
        }
        out += tally_cell(t.measurement.total.*m.member) + "</tr>\n";
    };
    const RunnerCoverage* baseline = nullptr;
    for (const auto& t : c.runners) {
        if (t.name == in.baseline_runner) {
            baseline = &t;
            continue;
        }
        row(t, "", t.name);
    }
    row(c.all, "union", baseline ? "union (all runners, test suite included)" : "union");
    if (baseline) row(*baseline, "baseline", baseline->name + " (framework test suite)");
    return out + "</tbody></table>\n";
}

std::string parameters(const ReportInput& in) {
    std::string out = "<h2>Campaign</h2>\n<table>\n";
    auto kv = [&](const std::string& k, const std::string& v) {
        out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(k), html_escape(v));
    };
    kv("name", in.campaign_name);
    kv("framework", in.framework + " " + in.framework_version + " (" + in.mode + " coverage)");
    kv("configuration", in.config);
    kv("status", in.status);
    kv("started", in.started);
    kv("finished", in.finished);
    kv("results folder", in.campaign_dir);
    out += "</table>\n<table class=\"sortable\">\n<thead><tr><th>runner</th><th>style</th><th>mode</th><th>budget per "
           "trial</th><th>trials</th><th>executions</th><th>failed executions</th><th>findings</th><th>profiles "
           "measured</th></tr></thead>\n<tbody>\n";
    for (const auto& r : in.runners) {
        uint64_t executions = 0, failed = 0, findings = 0;
        for (const auto& t : r.trials) {
            executions += t.executions;
            failed += t.failed_executions;
            findings += t.findings;
        }
        size_t profiles = 0;
        for (const auto& t : in.comparison->runners)
            if (t.name == r.name) profiles = t.profiles;
        out += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\" data-sort=\"{}\">{} s</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            html_escape(r.name), html_escape(r.style), html_escape(r.mode), r.budget_seconds, r.budget_seconds,
            r.trials.size(), executions, failed, findings, profiles);
    }
    return out + "</tbody></table>\n";
}

}  // namespace

std::string overview_page(const ReportInput& in) {
    std::string body =
        "<p class=\"note\">Rows are the runners and their union, columns the five components of Chen et al. (TOSEM "
        "2023) and the whole framework, cells <i>covered/total percent</i>, counted as <code>llvm-cov report</code> "
        "counts them, every runner on the build's one layout (so totals are equal in every row). Click a component to see its files, worst-covered first; a file shows its source with the "
        "lines no runner reached.</p>\n";
    for (const TallyMetric& m : kTallyMetrics) body += matrix(in, m);
    body += "<h2>Components</h2>\n<ul>\n";
    for (Component comp : kComponents)
        body += fmt::format("<li><a href=\"{}\">{}</a></li>\n", component_page(comp), html_escape(component_title(comp)));
    body += "</ul>\n" + parameters(in);
    if (!in.exports.empty()) {
        body += "<h2>Exports</h2>\n<ul>\n";
        for (const auto& [file, what] : in.exports)
            body += fmt::format("<li><a href=\"{0}\">{0}</a> — {1}</li>\n", html_escape(file), html_escape(what));
        body += "</ul>\n";
    }
    return page("Coverage report: " + in.campaign_name, body);
}

}  // namespace dlcov::html
