// The static HTML report of a campaign: results/<campaign>/report/index.html and the pages it
// links to, readable offline (no external resources; a small script only adds table sorting).
//
// Pages (one generator file each): index.html (Table 6 matrices and the campaign's parameters),
// component-<id>.html (files, worst-covered first), file-<n>.html (annotated source),
// over-time.html (SVG curves), overlap.html (Venn / UpSet-style), uncovered.html (largest
// functions no runner ran), statistics.html (Mann-Whitney U, A12), findings.html.
#pragma once
#include "campaign_record.h"
#include "finding.h"
#include "runner_comparison.h"
#include "snapshot.h"

#include <map>
#include <string>
#include <vector>

namespace dlcov {

// Per trial of one runner: final coverage per component id and "overall".
using TrialCoverage = ComponentTallies;  // one trial's final coverage

struct ReportInput {
    std::string campaign_name, campaign_dir, config, status, started, finished;
    std::string framework, framework_version, mode;
    std::vector<RunnerRecord> runners;                  // in Comparison::runners order
    const Comparison* comparison = nullptr;
    std::vector<Snapshot> snapshots;                    // empty when no campaign.db
    std::map<std::string, std::vector<TrialCoverage>> trial_coverage;  // runner -> trials
    std::string trial_coverage_source;                  // how trial_coverage was obtained
    std::vector<CampaignFinding> findings;
    std::string baseline_runner;  // the framework's own test suite, "" when none ran
    std::vector<std::pair<std::string, std::string>> exports;  // file name, description
};

// Writes every page, style.css and sort.js into `report_dir` (created). Returns index.html's path.
std::string write_html_report(const ReportInput& input, const std::string& report_dir);

}  // namespace dlcov
