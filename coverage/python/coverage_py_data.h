// Reading coverage.py data files (its SQLite "CoverageData" format, schema version 7, written by
// coverage.py 5.x, 6.x and 7.x) without Python.
//
// A data file has the tables coverage_schema (one row: the schema version), meta (key/value:
// 'version' of coverage.py, 'has_arcs', ...), file (id, path), context (id, name), line_bits
// (file_id, context_id, numbits: the executed line numbers as a bit set) and arc (file_id,
// context_id, fromno, tono). In branch mode coverage.py fills arc and leaves line_bits empty; the
// executed lines are then the positive ends of the executed arcs (as CoverageData.lines() does).
// Arc ends are negative for entering and leaving a code object: (-N, L) is the first line L run
// after entering the code object starting on line N, (L, -N) leaving it from line L.
//
// Files are opened read-only; contexts are merged (the union over all contexts).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dlcov::python {

using Arc = std::pair<int, int>;

// What one process executed in one source file.
struct ExecutedFile {
    std::vector<int> lines;  // sorted, unique, positive
    std::vector<Arc> arcs;   // sorted, unique, as recorded (not translated to statement first lines)
};

struct CoveragePyData {
    std::string data_file;         // the path read
    std::string coverage_version;  // meta 'version' ("6.5.0"), "" when absent
    bool has_arcs = false;         // meta 'has_arcs' (absent when nothing was recorded)
    std::map<std::string, ExecutedFile> files;  // measured source path (as recorded) -> executed
};

// True when `path` is a SQLite file whose tables are coverage.py's (coverage_schema and a meta
// table with a 'version' key). Never throws; unreadable or foreign files give false.
bool is_coverage_py_data(const std::string& path);

// Reads a data file. Throws UserError naming the file and what was expected when it is missing,
// empty, not SQLite, corrupt or truncated, not coverage.py's, or of another schema version.
CoveragePyData read_coverage_py_data(const std::string& path);

// coverage.py's numbits: byte i, bit j (least significant first) set means number 8*i+j.
std::vector<int> numbits_to_numbers(const unsigned char* bytes, size_t size);

}  // namespace dlcov::python
