// gcc's coverage files as dlcov needs them: the notes file (.gcno, written by the compiler: the
// object's blocks and lines) and data files (.gcda, written by the program at exit: its counters).
//
// dlcov reads only their headers and the record frame: the gcc version, the compile's stamp
// (equal in an object's notes and every data file its program writes, so a data file is matched
// to its object and a stale one refused), the compiler's working directory (relative source
// names resolve there), and whether a data file is whole. gcov itself reads the rest.
#pragma once
#include <cstdint>
#include <string>

namespace dlcov::gcov {

struct NotesHeader {
    uint32_t version = 0;     // gcc's version word ("B22*" for gcc 12.2)
    uint32_t stamp = 0;       // the compile's stamp
    std::string working_dir;  // where the compiler ran
};

// UserError naming the file when it is not a gcc notes file.
NotesHeader read_notes_header(const std::string& gcno);

struct DataHeader {
    uint32_t version = 0;
    uint32_t stamp = 0;
};

// The header of a data file whose records run exactly to its end. UserError naming the file and
// what is wrong otherwise: empty, cut short (a process killed while writing it), not a data file.
DataHeader check_data_file(const std::string& gcda);

// gcc's version word as "12.2"; major(version) is 12.
std::string gcc_version_text(uint32_t version);
int gcc_major(uint32_t version);

}  // namespace dlcov::gcov
