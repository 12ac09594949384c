// Python mode's reading side: a CoverageLayout from the layout JSON of python_layout.py, and
// CoverageCounts from coverage.py data files, such that summarize_file gives, per file, lines =
// coverage.py's statements and branches = coverage.py's branches, covered and total, exactly as
// `coverage json` reports them for the same data (README.md in this folder has the rules).
#pragma once
#include "coverage_model.h"
#include "coverage_py_data.h"

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dlcov::python {

struct NamedProblem {
    std::string path, reason;
};

// How what coverage.py recorded for one file lands on the layout's items.
struct PythonFileMap {
    std::unordered_map<int, int> first_line;       // line -> first line of its statement, where different
    std::map<Arc, std::optional<Arc>> arc_fixers;  // raw arc -> replacement (none: dropped)
    std::unordered_map<int, size_t> line_item;     // statement -> index into CoverageLayout::line_numbers
    std::map<Arc, size_t> arc_side;                // branch arc that can be missed -> branch side index
    std::vector<size_t> always_sides;              // branch sides always taken (coverage.py's no_branch lines)
    struct Definition {
        size_t function_item = 0;                  // index into CoverageCounts::functions
        size_t first_line = 0, line_count = 0;     // its own statements (slice of line items)
        int entry = 0;                             // first line of its code object
        bool covered_by_entry = false;             // no statement of its own: entering it counts
    };
    std::vector<Definition> definitions;           // aligned with SourceFile::functions
};

struct PythonLayout {
    CoverageLayout layout;                 // SourceFile::path is absolute (base/path)
    std::vector<PythonFileMap> maps;       // aligned with layout.files
    std::vector<std::string> relative_paths;  // aligned with layout.files: paths relative to base
    std::string root, base, python_version, coverage_version;
    std::vector<NamedProblem> failed;      // files the layout could not analyse
    std::map<std::string, size_t> file_by_path;  // path coverage.py records (absolute, real) -> file

    // The file coverage.py's recorded `path` is, or nullopt.
    std::optional<size_t> find(const std::string& path) const;
};

// Builds the layout; throws UserError naming `source_name` when the JSON is not a valid layout.
PythonLayout python_layout_from_json(const nlohmann::json& layout_json, const std::string& source_name);
PythonLayout load_python_layout(const std::string& json_path);

// Where recorded paths differ from the layout's (the framework measured in another location):
// a recorded path starting with `from` + "/" is looked up with that prefix replaced by `to`.
struct PathPrefix {
    std::string from, to;
};

struct PythonReading {
    CoverageCounts counts;        // per item: in how many data files it was executed (always-taken
                                  // branch sides: 1)
    size_t data_files = 0;
    std::map<std::string, size_t> unlisted;  // path not in the layout -> data files that ran some of it
};

// The union of what the data files executed, on the layout. Executed files the layout does not
// have are ignored and counted in `unlisted` (coverage.py also lists unexecuted source files with
// nothing run; those are not counted); layout files no data file names count zero.
PythonReading read_python_counts(const PythonLayout& layout, const std::vector<CoveragePyData>& data,
                                 const std::vector<PathPrefix>& prefixes = {});

// Reads data files, and data files found in folders (recognised by content, not by name; other
// files are passed over). A file that cannot be read is named in `skipped` and the rest are read;
// with `strict`, it throws the UserError instead.
// Whether a folder search takes `path` for a data file: it starts like a SQLite file, or it is
// named like coverage.py's (.coverage, .coverage.<suffix>; not its journals or .coveragerc), so
// that a truncated or empty one is read, named and skipped rather than passed over.
bool looks_like_coverage_py_data(const std::string& path);

struct PythonDataFiles {
    std::vector<CoveragePyData> data;
    std::vector<NamedProblem> skipped;
};
PythonDataFiles read_python_data_files(const std::vector<std::string>& files_or_folders, bool strict = false);

}  // namespace dlcov::python
