// The python coverage mode as a layer (model/coverage_layer.h): a Python source tree measured
// from coverage.py's data files.
//
// The layout is read once, from the layout JSON python_layout.py wrote with coverage.py's own
// analysis (a build keeps it in its folder, like llvm's layout.profdata; `dlcov measure` computes
// it into a temporary folder). Data files are recognised by their content, not their name, and
// read in C++ (coverage_py_data.h); Python never runs to measure. A running total is a file of
// its own (python-total.json: the counts on the layout, as read_python_counts gives them for all
// the data files folded so far), replaced by a renamed temporary file on every fold.
#pragma once
#include "coverage_layer.h"
#include "python_reading.h"

#include <string>
#include <vector>

namespace dlcov::python {

class PythonLayer final : public CoverageLayer {
public:
    // The layer of a layout JSON (python_layout.py's); UserError when it is missing or invalid.
    // `prefixes` map recorded paths of a tree measured somewhere else onto the layout's.
    explicit PythonLayer(const std::string& layout_json, std::vector<PathPrefix> prefixes = {});
    PythonLayer(PythonLayout layout, std::vector<PathPrefix> prefixes = {});

    const CoverageLayout& layout() const override { return layout_.layout; }
    // The layout's base (the package folder's parent, e.g. site-packages): component maps name
    // Python files from there (torch/nn/modules/linear.py).
    const std::string& source_root() const override { return layout_.base; }
    // A coverage.py data file by its content: a file that starts like SQLite, or one named like
    // coverage.py's (.coverage, .coverage.<suffix>) so that a truncated one is named, not passed
    // over. And a running total (python-total.json), as llvm's coverage.profdata is a profile too:
    // measuring a trial's profile folder then reads its total (`dlcov report`, `dlcov diff`).
    bool recognises(const std::string& path) const override;
    // Counts of data files and running totals together (each total counts as the data files
    // folded into it).
    LayerReading read(const std::vector<std::string>& profiles) const override;

    std::string total_name() const override { return "python-total.json"; }
    void start_total(const std::string& total) const override;
    LayerFold fold(const std::string& total, const std::vector<std::string>& profiles) const override;
    LayerReading read_total(const std::string& total) const override;

    const PythonLayout& python_layout() const { return layout_; }

private:
    // Two readings as one: counts add, sides that cannot be missed stay 1 (as one reading of both).
    CoverageCounts add(const CoverageCounts& a, const CoverageCounts& b) const;
    CoverageCounts load_total(const std::string& total) const;
    void write_total(const std::string& total, const CoverageCounts& counts) const;
    std::vector<std::string> warnings_of(const PythonDataFiles& files, const PythonReading& reading) const;

    PythonLayout layout_;
    std::vector<PathPrefix> prefixes_;
};

// Where dlcov's Python helpers (python_layout.py, dlcov_coverage_hook.py) are: next to the
// running program (the build copies them into its bin folder), else in the source tree this dlcov
// was built from. UserError when neither has it.
std::string python_helper(const std::string& name);

// Runs python_layout.py with `interpreter` on `source_dir`, writing `layout_json`; UserError with
// the helper's output when it fails (no coverage.py for that interpreter, not a folder, ...).
void compute_python_layout(const std::string& interpreter, const std::string& source_dir,
                           const std::string& layout_json, const std::string& rcfile = "");
// One layout of several package folders (a framework installed as torch, functorch, torchgen),
// file paths relative to the first one's parent, where all of them must lie.
void compute_python_layout(const std::string& interpreter, const std::vector<std::string>& source_dirs,
                           const std::string& layout_json, const std::string& rcfile = "");

// `name` as an absolute program path: as given when it has a '/' (not resolving symlinks: a
// virtual environment's python is one), else searched on PATH. UserError when not found.
std::string program_path(const std::string& name);

// coverage.py's version under `interpreter` ("6.5.0"); UserError when it cannot import coverage.
std::string coverage_py_version(const std::string& interpreter);

}  // namespace dlcov::python
