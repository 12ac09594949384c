// Table 6 of the study rendered from a Comparison (measure/runner_comparison.h): as text for the
// terminal, as JSON (summary.json, report/coverage.json) and as CSV (summary.csv).
#pragma once
#include "runner_comparison.h"

#include <nlohmann/json.hpp>
#include <string>

namespace dlcov {

// Table 6 in text: one block per metric (lines, branches, functions), rows runners and union
// (always shown, so the layout does not depend on how many runners ran),
// columns the five components and overall, cells "covered/total percent".
std::string render_table6(const Comparison& c);

// {"total", "components", "files" (the union's, as `dlcov measure --json`), "testers": {runner name:
// same shape without files}} ("testers" is the published key; it stays)
nlohmann::json comparison_json(const Comparison& c);

// One row per runner x metric x component, under the header tester,metric,component,covered,total,percent
// (the output format's column names).
std::string comparison_csv(const Comparison& c);

}  // namespace dlcov
