// Runs the reference tool, `llvm-cov report`, and parses its per-file and TOTAL rows, so tests
// can hold dlcov's numbers against it.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dlcov::test {

struct ReferenceRow {
    unsigned long long functions = 0, missed_functions = 0;
    unsigned long long lines = 0, missed_lines = 0;
    unsigned long long branches = 0, missed_branches = 0;
};

struct ReferenceReport {
    std::map<std::string, ReferenceRow> files;  // by the path llvm-cov prints
    ReferenceRow total;
};

// Merges `raw_profiles` with llvm-profdata-14 and runs llvm-cov-14 report on `objects`.
ReferenceReport llvm_cov_report(const std::vector<std::string>& objects,
                                const std::vector<std::string>& raw_profiles,
                                const std::string& work_dir);

}  // namespace dlcov::test
