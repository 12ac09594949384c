// The output tree, shaped like the real LEMON's:
//   <work>/lemon/mut_model/<seed>_origin0.json        the seeds, as LEMON copies its origin model
//   <work>/lemon/mut_model/<seed>_origin0-LA1-WS3.json  every mutant: parent's name, operator, counter
//   <work>/lemon/crash/<name>.json   mutants a backend crashed on, timed out on or threw on
//   <work>/lemon/nan/<name>.json     mutants with NaN or Inf in an output
//   <work>/lemon/mutant_history.txt  one tab-separated line per seed, mutant or failed attempt:
//                                    name, parent, operator, outcome, summed D_MAD, detail
// (the executors' outputs go to <work>/outputs/, where run_executor writes them).
#pragma once
#include <fstream>
#include <string>

namespace dlcov::lemon {

// What became of a model, as the history file says it.
enum class Outcome { Origin, Kept, Rejected, Crash, NaN, Unusable, NotApplicable };
const char* outcome_name(Outcome outcome);

class LemonTree {
public:
    explicit LemonTree(const std::string& work_dir);  // creates the folders and the history file

    std::string model_path(const std::string& name) const;  // in mut_model/
    // Links (or copies) a mutant into crash/ or nan/.
    void file_under(Outcome outcome, const std::string& name) const;
    // D_MAD < 0 is written as "-" (not measured).
    void history(const std::string& name, const std::string& parent, const std::string& op, Outcome outcome,
                 double d_mad, const std::string& detail);


private:
    std::string root_;
    std::ofstream history_;
};

// A file-name-safe version of a seed name (letters, digits, '_', '-', '.'); never a path.
std::string safe_name(const std::string& name);
// LEMON's naming: "<parent>-<OP><n>". Past 160 characters the oldest steps after "_origin0" give
// way to "~" (the history file keeps every parent).
std::string mutant_name(const std::string& parent, const std::string& op, size_t counter);

}  // namespace dlcov::lemon
