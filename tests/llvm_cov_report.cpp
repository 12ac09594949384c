#include "llvm_cov_report.h"

#include "test_support.h"

#include <sstream>
#include <stdexcept>

namespace dlcov::test {

ReferenceReport llvm_cov_report(const std::vector<std::string>& objects,
                                const std::vector<std::string>& raw_profiles,
                                const std::string& work_dir) {
    std::string merged = work_dir + "/reference.profdata";
    std::string merge = "llvm-profdata-14 merge -o " + shell_quote(merged);
    for (const auto& p : raw_profiles) merge += " " + shell_quote(p);
    CommandResult m = run_command(merge);
    if (m.exit_code != 0) throw std::runtime_error("llvm-profdata failed: " + m.output);

    // -show-functions=false and a wide path column keep one row per file.
    std::string report = "llvm-cov-14 report -instr-profile " + shell_quote(merged) + " " + shell_quote(objects.at(0));
    for (size_t i = 1; i < objects.size(); ++i) report += " -object " + shell_quote(objects[i]);
    CommandResult r = run_command(report + " 2>/dev/null");
    if (r.exit_code != 0) throw std::runtime_error("llvm-cov report failed: " + r.output);

    // Columns: Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover
    //          Branches Missed Cover
    ReferenceReport out;
    std::istringstream lines(r.output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string x; words >> x;) w.push_back(x);
        if (w.size() != 13 || w[1] == "Regions") continue;
        ReferenceRow row;
        row.functions = std::stoull(w[4]);
        row.missed_functions = std::stoull(w[5]);
        row.lines = std::stoull(w[7]);
        row.missed_lines = std::stoull(w[8]);
        row.branches = std::stoull(w[10]);
        row.missed_branches = std::stoull(w[11]);
        if (w[0] == "TOTAL") out.total = row;
        else out.files[w[0]] = row;
    }
    if (out.files.empty()) throw std::runtime_error("no rows in llvm-cov report output:\n" + r.output);
    return out;
}

}  // namespace dlcov::test
