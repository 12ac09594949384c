// The union's coverage in formats other tools read: an lcov tracefile (genhtml, lcov --summary,
// IDE plugins) and Cobertura XML (CI servers). Both cover the counted files only (excluded and
// third-party files are left out, as in the report) and describe distinct source lines and the
// branch sides of line_view.h; function records are per definition, covered when any
// instantiation ran, as in Table 6.
#pragma once
#include "runner_comparison.h"

#include <string>

namespace dlcov {

// lcov tracefile: one SF record per counted file with FN/FNDA, DA, BRDA and the LF/LH, BRF/BRH,
// FNF/FNH totals. Source paths are the absolute paths recorded in the coverage mapping.
std::string lcov_tracefile(const Comparison& c, const std::string& test_name);

// Cobertura XML (coverage-04.dtd): one package per component, one class per file.
std::string cobertura_xml(const Comparison& c, const std::string& source_root);

// Totals the exports carry: distinct instrumented lines, branch sides, function definitions.
CoverageTally export_totals(const Comparison& c);

}  // namespace dlcov
