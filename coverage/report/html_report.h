// The static HTML report of a campaign: results/<campaign>/report/index.html and the pages it
// links to, readable offline (no external resources; a small script only adds table sorting).
//
// Pages (one generator file each): index.html (Table 6 matrices and the campaign's parameters),
// component-<id>.html (files, worst-covered first), file-<n>.html (annotated source),
// over-time.html (SVG curves), overlap.html (Venn / UpSet-style), uncovered.html (largest
// functions no runner ran), statistics.html (Mann-Whitney U, A12), findings.html.
#pragma once
#include "runner_comparison.h"
#include "snapshots.h"

#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct TrialSummary {
    int trial = 1;
    std::string dir;  // relative to the campaign folder
    uint64_t executions = 0, failed_executions = 0, findings = 0;
    double seconds = 0;
};

struct RunnerSummary {
    std::string name, style, mode;
    double budget_seconds = 0;
    std::vector<TrialSummary> trials;
};

struct FindingRecord {
    std::string runner;
    int trial = 1;
    std::string kind, artifact, backends, detail, replay;
};

// Per trial of one runner: final coverage per component id and "overall".
using TrialCoverage = ComponentTallies;  // one trial's final coverage

struct ReportInput {
    std::string campaign_name, campaign_dir, config, status, started, finished;
    std::string framework, framework_version, mode;
    std::vector<RunnerSummary> runners;                 // in Comparison::runners order
    const Comparison* comparison = nullptr;
    std::vector<Snapshot> snapshots;                    // empty when no campaign.db
    std::map<std::string, std::vector<TrialCoverage>> trial_coverage;  // runner -> trials
    std::string trial_coverage_source;                  // how trial_coverage was obtained
    std::vector<FindingRecord> findings;
    std::string baseline_runner;  // the framework's own test suite, "" when none ran
    std::vector<std::pair<std::string, std::string>> exports;  // file name, description
};

// Writes every page, style.css and sort.js into `report_dir` (created). Returns index.html's path.
std::string write_html_report(const ReportInput& input, const std::string& report_dir);

}  // namespace dlcov
